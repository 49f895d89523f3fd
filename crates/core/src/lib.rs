//! The core of k8s-s3-spark: one typed `spark-job.yaml` in, validated Kubernetes objects out:
//! plain manifests, a Helm chart, a Kustomize tree, a Spark Operator resource. No network: the
//! preflight checks (`k8s-s3-spark-preflight`) and the command line (`k8s-s3-spark`) build on it.
//!
//! Data flows one way, layer by layer (the integration test `layering` keeps it so: no layer
//! uses a later one, and no file reaches back to itself):
//! 1. leaves: [`syntax`] (string rules), [`files`] (bounded reads of regular files), [`cron`]
//!    (schedules), [`redact`] (what counts as a credential), [`diagnostics`], [`yaml`],
//!    [`progress`] (a terminal's progress line), and the version table [`spark::versions`];
//! 2. [`config`] loads and checks the file (with positions for every problem);
//! 3. [`spark`] turns a checked job into the spark-submit settings table ([`spark::settings`]);
//! 4. [`k8s`] builds typed objects and checks them ([`credentials`] reads keys for a Secret);
//! 5. [`emit`] turns objects (and the settings table, for the chart) into a file tree in memory,
//!    and [`write`](mod@write) writes that tree atomically or compares it with a folder;
//!    [`report`] is `validate`'s report;
//! 6. [`pipeline`]: config in, checked objects and file trees out (the library API);
//!    [`validation`]: `validate` over many files; [`starter`] is `init`'s config.
// The chart generator's template context is one `json!` literal, deeper than the default limit.
#![recursion_limit = "256"]

pub mod config;
pub mod credentials;
pub mod cron;
pub mod diagnostics;
pub mod emit;
pub mod files;
pub mod k8s;
pub mod pipeline;
pub mod progress;
pub mod redact;
pub mod report;
pub mod spark;
pub mod starter;
pub mod syntax;
pub mod validation;
pub mod write;
pub mod yaml;

/// The repository's root, where the examples and fixtures the unit tests read are (they run in
/// this crate's folder).
#[cfg(test)]
pub(crate) fn repo_root() -> &'static std::path::Path {
    std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}
