//! `validate` over many files: which files are configs (files given, and `*.yaml`/`*.yml` files
//! below folders given that declare a SparkJob), each checked on a pool of workers that keep of
//! a config only what its report shows (memory does not grow with the number of files), and the
//! verdicts in file order whatever the number of threads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::config::{self, ConfigError};
use crate::diagnostics::Failure;
use crate::pipeline::{self, PipelineError};
use crate::progress::Progress;
use crate::report::FileReport;
use crate::write::WriteError;

/// Why a run stopped before it had every file's verdict.
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    /// A folder could not be read.
    #[error(transparent)]
    Folder(#[from] WriteError),
    /// The worker threads could not start.
    #[error("cannot start {0} worker threads: {1}")]
    Threads(u16, rayon::ThreadPoolBuildError),
    /// A check failed for a reason that is not the file's (this tool's or the system's).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

impl Failure for ValidationError {
    fn is_users_fault(&self) -> bool {
        match self {
            Self::Folder(e) => e.is_users_fault(),
            Self::Threads(..) => false,
            Self::Pipeline(e) => e.is_users_fault(),
        }
    }

    fn help(&self) -> Option<String> {
        match self {
            Self::Folder(e) => e.help(),
            Self::Threads(..) => Some("pass fewer --jobs".into()),
            Self::Pipeline(e) => e.help(),
        }
    }
}

/// Files given directly, plus `*.yaml`/`*.yml` files below given folders (not hidden ones) that
/// declare a SparkJob, each folder's in name order.
pub fn find_configs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, WriteError> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut pending = vec![path.clone()];
        while let Some(dir) = pending.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|source| WriteError::Io {
                path: dir.clone(),
                source,
            })?;
            for entry in entries.flatten() {
                let p = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    if !entry.file_name().to_string_lossy().starts_with('.') {
                        pending.push(p);
                    }
                } else if kind.is_file()
                    && p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                    && declares_spark_job(&p)
                {
                    found.push(p);
                }
            }
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// Whether the first 4 KiB of a file name our apiVersion or a top-level `kind: SparkJob` (so a
/// mistyped apiVersion is reported instead of the file being skipped).
fn declares_spark_job(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.contains(config::model::API_VERSION)
        || head.lines().any(|line| {
            line.strip_prefix("kind:").map(|v| {
                v.split('#')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .trim_matches(['"', '\''])
            }) == Some(config::model::KIND)
        })
}

/// Checks `files` on `jobs` threads (rayon's default without), each worker with a validator that
/// remembers the schema checks that passed; the verdicts come back in file order. A file's own
/// problems are its verdict; anything else stops the run.
pub fn check_files(
    files: &[PathBuf],
    jobs: Option<u16>,
    progress: &Progress,
) -> Result<Vec<FileReport>, ValidationError> {
    let done = AtomicUsize::new(0);
    let check_all = || -> Vec<Result<FileReport, PipelineError>> {
        use rayon::prelude::*;
        files
            .par_iter()
            .map_init(pipeline::Validator::default, |validator, file| {
                let report = match validator.check_config(file) {
                    Ok((config, objects)) => Ok(FileReport {
                        file: file.clone(),
                        valid: true,
                        environments: config.environment_names().map(str::to_owned).collect(),
                        objects: Some(objects),
                        findings: config.warnings.0,
                        error: None,
                    }),
                    Err(e) if e.is_users_fault() => {
                        let (findings, error) = match e {
                            PipelineError::Config(ConfigError::Invalid(d)) => (d.0, None),
                            e => (Vec::new(), Some(e.to_string())),
                        };
                        Ok(FileReport {
                            file: file.clone(),
                            valid: false,
                            environments: Vec::new(),
                            objects: None,
                            findings,
                            error,
                        })
                    }
                    Err(e) => Err(e),
                };
                let done = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress.step("validated", done, files.len(), &file.display().to_string());
                report
            })
            .collect()
    };
    let results = match jobs {
        None => check_all(),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .map_err(|e| ValidationError::Threads(n, e))?
            .install(check_all),
    };
    progress.clear();
    Ok(results.into_iter().collect::<Result<_, _>>()?)
}
