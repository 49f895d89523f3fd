//! Data flows one way in the core crate (crates/core/src/lib.rs): no source file reaches,
//! through `crate::` paths, a file that reaches back to it, and the layers only look upstream.
//! Test code (`#[cfg(test)]` modules) may use anything. Between crates, Cargo's dependency graph
//! keeps the layers (the core cannot name the preflight checks or the command line).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The core crate's sources.
const CORE: &str = "crates/core/src";

/// Module path of a source file: `src/config/load.rs` is `config::load`, `src/k8s/mod.rs` is `k8s`.
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix(CORE).unwrap().with_extension("");
    let mut parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts.join("::")
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules each file's non-test code names with `crate::` (the longest known module prefix).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(Path::new(CORE), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let me = module_of(file);
        let text = fs::read_to_string(file).unwrap();
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let mut uses = BTreeSet::new();
        for (i, _) in code.match_indices("crate::") {
            let path: String = code[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let target = (1..=segments.len())
                .rev()
                .map(|n| segments[..n].join("::"))
                .find(|m| modules.contains(m));
            if let Some(target) = target
                && target != me
                && !me.starts_with(&format!("{target}::"))
            {
                uses.insert(target);
            }
        }
        graph.insert(me, uses);
    }
    graph
}

#[test]
fn no_file_reaches_back_to_itself() {
    let graph = graph();
    assert!(graph.len() > 30, "{} files", graph.len());
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut pending: Vec<&String> = graph[start].iter().collect();
        while let Some(m) = pending.pop() {
            assert_ne!(m, start, "{start} reaches itself through crate:: paths");
            if seen.insert(m.clone())
                && let Some(next) = graph.get(m)
            {
                pending.extend(next);
            }
        }
    }
}

#[test]
fn layers_only_look_upstream() {
    // The order of lib.rs: each layer may use the ones before it, never the ones after.
    let layers = [
        &[
            "syntax",
            "files",
            "cron",
            "redact",
            "diagnostics",
            "yaml",
            "progress",
            "spark::versions",
            "spark::submit",
        ][..],
        &["config"],
        &["spark"],
        &["credentials", "k8s"],
        &["emit", "write", "report"],
        &["pipeline", "validation", "starter"],
    ];
    let layer_of = |module: &str| {
        layers
            .iter()
            .position(|names| {
                names
                    .iter()
                    .any(|n| module == *n || module.starts_with(&format!("{n}::")))
            })
            .unwrap_or_else(|| panic!("{module} has no layer"))
    };
    for (module, uses) in graph() {
        if module == "lib" || module == "main" {
            continue;
        }
        for used in uses {
            assert!(
                layer_of(&used) <= layer_of(&module),
                "{module} uses {used}, which is downstream of it"
            );
        }
    }
}
