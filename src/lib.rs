//! k8s-s3-spark: one typed `spark-job.yaml` in, validated Kubernetes objects out (plain manifests
//! today; the Helm chart and the Kustomize tree build on the same objects).
//!
//! Data flows one way: [`config`] loads and checks the file (with positions for every problem),
//! [`k8s`] builds typed objects and checks them, [`spark`] supplies the version table and the
//! spark-submit arguments, [`emit`] turns objects into a file tree in memory, and [`write`] writes
//! that tree atomically or compares it with a folder.

pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod diagnostics;
pub mod emit;
pub mod k8s;
pub mod preflight;
pub mod redact;
pub mod spark;
pub mod starter;
pub mod syntax;
pub mod write;

pub use commands::{Error, run};
