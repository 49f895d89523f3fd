//! The rules a schema cannot express: name syntax, Spark sizes, version alignment, credentials
//! that fit the Hadoop version, and conf keys the tool owns. [`check`] reports every problem of
//! one job (base or one environment applied) with its field path and a fix.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Affinity, NodeSelectorTerm, PodAffinityTerm};

use super::model::{
    ApplicationType, Committer, DEFAULT_SECRET_NAME, ExternalSecretSource, GpuSpec,
    MAX_BACKOFF_LIMIT, MAX_CORES, MAX_EXECUTORS, PodView, S3Credentials, S3Spec, ScheduleSpec,
    SparkJob, SparkJobSpec, TolerationOperator, VolumeSpec,
};
use super::pod_template as pod_templates;
use super::reserved::{
    EXECUTOR_ENV_CONFS, RESERVED_ENV, SPARK_LABELS, TOOL_ENV_PREFIX, reserved_conf_reason,
};
use super::spans::{join_index, join_key};
use crate::diagnostics::{Code, Diagnostic};
use crate::redact::{self, CREDENTIAL_SETTING_HELP};
use crate::spark::submit;
use crate::spark::versions::{
    self, FIRST_HADOOP_SDK_V2, JobVersions, MIN_HADOOP_COMMITTERS, MIN_HADOOP_REGION_CONF,
    MIN_HADOOP_WEB_IDENTITY, MIN_SPARK_ARCHIVES, MIN_SPARK_COMMITTERS,
    MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT, MIN_SPARK_ON_DEMAND_CLAIMS, MIN_SPARK_POD_TEMPLATE,
    MIN_SPARK_RESOURCES, MIN_SPARK_SHUFFLE_TRACKING, Version,
};
use crate::syntax;

mod application;
mod dependencies;
mod names;
mod placement;
mod resources;
mod s3;
mod submitter;
mod templates;

use application::*;
use dependencies::*;
use names::*;
use resources::*;
use s3::*;
use submitter::*;
use templates::*;

/// The longest Secret name Kustomize's secretGenerator can suffix with `-` and its 10-character
/// hash and stay within the 253 characters of a Kubernetes name.
pub const MAX_GENERATED_SECRET_NAME: usize = 253 - 11;

/// A field path, written out only when a problem names it: most values are fine, and the
/// paths of map keys and list items cost more to format than their rules cost to run.
trait Field {
    /// The path.
    fn path(self) -> String;
}

impl Field for &str {
    fn path(self) -> String {
        self.to_owned()
    }
}

impl Field for String {
    fn path(self) -> String {
        self
    }
}

impl Field for &String {
    fn path(self) -> String {
        self.clone()
    }
}

impl<F: Fn() -> String> Field for &F {
    fn path(self) -> String {
        self()
    }
}

#[derive(Default)]
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn add(
        &mut self,
        code: Code,
        field: impl Field,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.0
            .push(Diagnostic::new(code, field.path(), message).help(help));
    }

    /// Adds `rule`'s failure for `field`, if any; else gives what the rule read.
    fn rule<T>(
        &mut self,
        code: Code,
        field: impl Field,
        value: &str,
        rule: fn(&str) -> Result<T, String>,
        help: &str,
    ) -> Option<T> {
        match rule(value) {
            Ok(read) => Some(read),
            Err(reason) => {
                self.add(code, field, format!("{value:?} {reason}"), help);
                None
            }
        }
    }
}

/// Resolves the Spark and Hadoop versions, or says which field is wrong and why.
pub fn job_versions(spec: &SparkJobSpec) -> Result<JobVersions, Vec<Diagnostic>> {
    let mut p = Problems::default();
    let spark = match spec.spark_version.parse::<Version>() {
        Ok(v) => Some(v),
        Err(e) => {
            p.add(
                Code::Versions,
                "spec.sparkVersion",
                e,
                "write the full Spark version of the image, e.g. 3.5.3",
            );
            None
        }
    };
    let explicit_hadoop = match spec.hadoop_version.as_deref().map(str::parse::<Version>) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            p.add(
                Code::Versions,
                "spec.hadoopVersion",
                e,
                "write the version of the image's hadoop-aws jar, e.g. 3.3.4",
            );
            return Err(p.0);
        }
        None => None,
    };
    let Some(spark) = spark else { return Err(p.0) };
    let pairing = versions::Pairing {
        spark,
        hadoop: explicit_hadoop,
        custom_distribution: spec.custom_distribution,
        python_or_r: matches!(spec.app_type, ApplicationType::Python | ApplicationType::R),
    };
    match versions::fit(pairing) {
        Ok(hadoop) => Ok(JobVersions { spark, hadoop }),
        Err(misfits) => {
            for m in misfits {
                let field = if m.is_about_hadoop() {
                    "spec.hadoopVersion"
                } else {
                    "spec.sparkVersion"
                };
                p.0.push(Diagnostic {
                    field: field.into(),
                    ..m.finding()
                });
            }
            Err(p.0)
        }
    }
}

/// Checks one job (the base config, or one environment applied to it).
pub fn check(job: &SparkJob) -> Vec<Diagnostic> {
    let mut p = Problems::default();
    let meta = &job.metadata;
    let spec = &job.spec;

    p.rule(
        Code::Name,
        "metadata.name",
        &meta.name,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. simple-read",
    );
    p.rule(
        Code::Name,
        "metadata.namespace",
        &meta.namespace,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. spark-jobs",
    );
    if spec.create_namespace {
        p.add(
            Code::CreatesNamespace,
            "spec.createNamespace",
            format!(
                "the output creates namespace {}: applying it sets its Pod Security level to restricted (an existing namespace is relabelled), and `kubectl delete -f` of the output deletes the namespace and everything in it",
                meta.namespace
            ),
            "create the namespace once, apart from jobs, and remove createNamespace; Helm keeps the generated one on uninstall and Argo CD and Flux do not prune it",
        );
    }
    labels(&mut p, "metadata.labels", &meta.labels);
    annotations(&mut p, "metadata.annotations", &meta.annotations);
    annotation_sizes(&mut p, job);
    if let Some(version) = &meta.version {
        p.rule(
            Code::Label,
            "metadata.version",
            version,
            syntax::nonempty_label_value,
            "write a version such as 1.4.1 or 2026.11.25",
        );
    }

    let versions = match job_versions(spec) {
        Ok(v) => Some(v),
        Err(problems) => {
            p.0.extend(problems);
            None
        }
    };

    image(&mut p, &spec.image, meta.version.as_deref());
    for (i, secret) in spec.image_pull_secrets.iter().enumerate() {
        p.rule(
            Code::Name,
            join_index("spec.imagePullSecrets", i),
            secret,
            syntax::dns1123_subdomain,
            "name a Secret of type kubernetes.io/dockerconfigjson in the job's namespace",
        );
    }
    application(&mut p, spec);
    confs(&mut p, spec);

    for (role, pod) in [
        ("driver", &spec.driver.as_pod()),
        ("executor", &spec.executor.as_pod()),
    ] {
        sizing(&mut p, role, pod, versions);
        volumes(&mut p, role, pod.volumes, versions);
        pod_template(&mut p, role, pod, spec);
    }
    gpu(&mut p, &spec.executor.gpu, versions);
    let instances = spec.executor.instances;
    if instances == 0 || instances > MAX_EXECUTORS {
        p.add(
            Code::Resources,
            "spec.executor.instances",
            format!("{instances} executors is out of range"),
            format!("ask for 1 to {MAX_EXECUTORS} executors"),
        );
    }

    if let Some(name) = &spec.service_account.name {
        p.rule(
            Code::Name,
            "spec.serviceAccount.name",
            name,
            syntax::dns1123_subdomain,
            "use lowercase letters, digits, '-' and '.', e.g. spark",
        );
    }
    annotations(
        &mut p,
        "spec.serviceAccount.annotations",
        &spec.service_account.annotations,
    );

    s3(&mut p, spec, versions);
    dynamic_allocation(&mut p, spec, versions);
    dependencies(&mut p, spec, versions);
    submitter(&mut p, spec);
    if let Some(schedule) = &spec.schedule {
        scheduled(&mut p, schedule, &meta.name);
    }
    p.0
}
