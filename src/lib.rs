//! k8s-s3-spark: one typed `spark-job.yaml` in, validated Kubernetes objects out: plain
//! manifests, a Helm chart, a Kustomize tree, and the preflight checks around them.
//!
//! Three crates by layer: [`k8s_s3_spark_core`] (the config, its rules, the settings table, the
//! objects, every output form and writing; no network), [`preflight`] (versions, doctor,
//! build-plan, check-s3, check-cluster; the network clients) and this one, the command line:
//! [`commands`] runs what [`cli`] parsed. The core's modules are re-exported here, so
//! `k8s_s3_spark::config` is the core's.

pub use k8s_s3_spark_core::*;
pub use k8s_s3_spark_preflight as preflight;

pub mod cli;
pub mod commands;
pub use commands::{Error, run};
