//! Preflight: the questions people get wrong before a job ever reaches a cluster. Do the
//! versions fit ([`compat`]), does the Spark distribution carry the S3 jars ([`doctor`]), how to
//! build the images ([`build_plan`]), can these keys read that bucket ([`check_s3`]), and will
//! this cluster accept the job ([`check_cluster`]).

// The core's modules, named as from inside it: `crate::config`, `crate::spark`, ...
use k8s_s3_spark_core::{config, credentials, diagnostics, k8s, progress, report, spark, syntax};

pub mod build_plan;
pub mod check_cluster;
pub mod check_s3;
pub mod compat;
pub mod doctor;
