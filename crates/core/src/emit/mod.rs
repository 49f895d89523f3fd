//! Output forms. Each emitter turns built objects into a [`FileTree`] in memory (path -> bytes), so
//! writing, `--check` and the golden tests all look at the same value. Emitters never reach back
//! into loading or validation.

pub mod helm;
pub mod kustomize;
pub mod operator;
pub mod plain;
pub mod strategic_patch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Contents.
    pub contents: Vec<u8>,
    /// Whether it holds secret values (written with mode 0600, never shown in diffs).
    pub secret: bool,
}

/// Generated files by path relative to the output folder, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileTree {
    files: BTreeMap<PathBuf, GeneratedFile>,
}

impl FileTree {
    /// Adds a file; paths are relative, with no `..`.
    pub fn add(&mut self, path: impl Into<PathBuf>, contents: impl Into<Vec<u8>>, secret: bool) {
        let path = path.into();
        debug_assert!(
            path.is_relative()
                && !path
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
        );
        self.files.insert(
            path,
            GeneratedFile {
                contents: contents.into(),
                secret,
            },
        );
    }

    /// The files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &GeneratedFile)> {
        self.files.iter().map(|(p, f)| (p.as_path(), f))
    }

    /// One file.
    pub fn get(&self, path: &Path) -> Option<&GeneratedFile> {
        self.files.get(path)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
