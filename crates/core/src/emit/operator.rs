//! The Spark Operator form: the job as a Kubeflow Spark Operator `SparkApplication` (or a
//! `ScheduledSparkApplication` when it has a schedule), with the driver's ServiceAccount, Role
//! and RoleBinding and the credentials Secret or ExternalSecret of the other forms. The operator
//! runs spark-submit itself, in cluster mode, so there is no Job and no submitter.
//!
//! The application is derived from the Job, not restated: the Job's spark-submit arguments (the
//! settings table) are read as the Job's kubelet would give them to spark-submit ([`expand`]),
//! and each setting goes where [`MAPPING`] says: a field of the SparkApplication, `hadoopConf`,
//! nowhere (the operator or cluster mode sets it), or else `sparkConf`. So a new row of the
//! settings table reaches this form without a change here. The driver's pod template is built
//! from the same parts as the Job's pod ([`job::driver_template`]); the executors' is the Job's.
//! `docs/operator-mapping.md` is generated from [`MAPPING`] and [`CLUSTER_MODE`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::config::ResolvedJob;
use crate::k8s::labels::{Component, JobLabels};
use crate::k8s::rbac::{self, PodRole};
use crate::k8s::spark_application::{
    Dependencies, DriverSpec, DynamicAllocation, ExecutorSpec, RestartPolicy,
    ScheduledSparkApplication, ScheduledSparkApplicationSpec, SparkApplication,
    SparkApplicationSpec,
};
use crate::k8s::{self, Bundle, Manifest, job};
use crate::spark::settings::{self, APPLICATION_ESCAPE};
use crate::spark::submit::{ENV_IMAGE, ENV_NAMESPACE, ENV_SECRET, ENV_SERVICE_ACCOUNT, expand};
use crate::spark::versions::{MIN_SPARK_POD_TEMPLATE, uses_pod_templates};

/// `spec.mode`: the operator's spark-submit creates the driver pod.
const MODE: &str = "cluster";
/// Seconds between resubmissions of a failed run (linear: the operator waits attempts × this).
const RETRY_INTERVAL_SECONDS: i64 = 10;

/// Where a setting of the Job's spark-submit goes in a SparkApplication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A field (its path from the SparkApplication), which the operator passes back as this
    /// setting.
    Field(&'static str),
    /// Not in the SparkApplication: the operator, or Spark in cluster mode, sets it (why).
    Dropped(&'static str),
}

/// The settings of the Job's spark-submit with a place other than `sparkConf`. A key ending in
/// `.` is a prefix: every setting under it. `spark.hadoop.*` settings go to `hadoopConf` without
/// the prefix; every other setting goes to `sparkConf` as it is.
pub const MAPPING: &[(&str, Place)] = &[
    (
        "spark.kubernetes.namespace",
        Place::Dropped("the operator passes the SparkApplication's namespace"),
    ),
    (
        "spark.kubernetes.driver.pod.name",
        Place::Dropped("the operator names the driver pod NAME-driver"),
    ),
    (
        "spark.driver.host",
        Place::Dropped("in cluster mode Spark gives executors the driver's Service"),
    ),
    (
        "spark.kubernetes.executor.podTemplateFile",
        Place::Field("spec.executor.template"),
    ),
    (
        "spark.kubernetes.container.image",
        Place::Field("spec.image"),
    ),
    (
        "spark.kubernetes.container.image.pullPolicy",
        Place::Field("spec.imagePullPolicy"),
    ),
    (
        "spark.kubernetes.container.image.pullSecrets",
        Place::Field("spec.imagePullSecrets"),
    ),
    (
        "spark.kubernetes.authenticate.executor.serviceAccountName",
        Place::Field("spec.executor.serviceAccount"),
    ),
    ("spark.driver.memory", Place::Field("spec.driver.memory")),
    (
        "spark.executor.instances",
        Place::Field("spec.executor.instances"),
    ),
    ("spark.executor.cores", Place::Field("spec.executor.cores")),
    (
        "spark.kubernetes.executor.request.cores",
        Place::Field("spec.executor.coreRequest"),
    ),
    (
        "spark.kubernetes.executor.limit.cores",
        Place::Field("spec.executor.coreLimit"),
    ),
    (
        "spark.executor.memory",
        Place::Field("spec.executor.memory"),
    ),
    (
        "spark.executor.memoryOverhead",
        Place::Field("spec.executor.memoryOverhead"),
    ),
    (
        "spark.kubernetes.executor.deleteOnTermination",
        Place::Field("spec.executor.deleteOnTermination"),
    ),
    (
        "spark.kubernetes.executor.label.",
        Place::Field("spec.executor.labels"),
    ),
    (
        "spark.kubernetes.executor.annotation.",
        Place::Field("spec.executor.annotations"),
    ),
    (
        "spark.dynamicAllocation.enabled",
        Place::Field("spec.dynamicAllocation.enabled"),
    ),
    (
        "spark.dynamicAllocation.shuffleTracking.enabled",
        Place::Field("spec.dynamicAllocation.shuffleTrackingEnabled"),
    ),
    (
        "spark.dynamicAllocation.initialExecutors",
        Place::Field("spec.dynamicAllocation.initialExecutors"),
    ),
    (
        "spark.dynamicAllocation.minExecutors",
        Place::Field("spec.dynamicAllocation.minExecutors"),
    ),
    (
        "spark.dynamicAllocation.maxExecutors",
        Place::Field("spec.dynamicAllocation.maxExecutors"),
    ),
    ("spark.jars.packages", Place::Field("spec.deps.packages")),
    (
        "spark.jars.excludes",
        Place::Field("spec.deps.excludePackages"),
    ),
    (
        "spark.jars.repositories",
        Place::Field("spec.deps.repositories"),
    ),
    ("spark.jars", Place::Field("spec.deps.jars")),
    ("spark.files", Place::Field("spec.deps.files")),
    ("spark.submit.pyFiles", Place::Field("spec.deps.pyFiles")),
    ("spark.archives", Place::Field("spec.deps.archives")),
];

/// The settings a cluster-mode driver needs that the Job passes no setting for (in client mode
/// they size and describe the Job's own pod): the field, the setting the operator makes of it,
/// and where the value comes from in the config.
pub const CLUSTER_MODE: &[(&str, &str, &str)] = &[
    (
        "spec.driver.cores",
        "spark.driver.cores",
        "spec.driver.cores",
    ),
    (
        "spec.driver.coreRequest",
        "spark.kubernetes.driver.request.cores",
        "spec.driver.coreRequest",
    ),
    (
        "spec.driver.coreLimit",
        "spark.kubernetes.driver.limit.cores",
        "spec.driver.coreLimit",
    ),
    (
        "spec.driver.memoryOverhead",
        "spark.driver.memoryOverhead",
        "spec.driver.memoryOverhead",
    ),
    (
        "spec.driver.serviceAccount",
        "spark.kubernetes.authenticate.driver.serviceAccountName",
        "spec.serviceAccount.name (the Job pod's account)",
    ),
    (
        "spec.driver.labels",
        "spark.kubernetes.driver.label.*",
        "spec.driver.labels and the recommended labels (component driver)",
    ),
    (
        "spec.driver.annotations",
        "spark.kubernetes.driver.annotation.*",
        "spec.driver.annotations",
    ),
    (
        "spec.driver.template",
        "spark.kubernetes.driver.podTemplateFile",
        "the Job pod's security contexts, env, volumes, node selector, tolerations, affinity and priority class, and spec.submitter.activeDeadlineSeconds as the driver pod's",
    ),
];

/// Why a job has no Spark Operator form.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    /// Without pod templates the operator needs its webhook to harden the pods, which this form
    /// does not rely on.
    #[error(
        "the Spark Operator form needs Spark {MIN_SPARK_POD_TEMPLATE} or later (this job's is {0}): without pod templates only the operator's webhook could make the driver and executors `restricted`"
    )]
    NoPodTemplates(String),
    /// The objects failed their checks.
    #[error(transparent)]
    K8s(#[from] k8s::K8sError),
}

impl crate::diagnostics::Failure for OperatorError {
    fn is_users_fault(&self) -> bool {
        match self {
            Self::NoPodTemplates(_) => true,
            Self::K8s(e) => e.is_users_fault(),
        }
    }

    fn help(&self) -> Option<String> {
        match self {
            Self::NoPodTemplates(_) => Some(format!(
                "use an image with Spark {MIN_SPARK_POD_TEMPLATE} or later, or the Job forms (render, chart, kustomize)"
            )),
            Self::K8s(e) => e.help(),
        }
    }
}

/// The Spark Operator form of a checked job, with what it cannot carry over from the Job.
#[derive(Debug, Clone, PartialEq)]
pub struct OperatorForm {
    /// The objects in apply order.
    pub manifests: Vec<Manifest>,
    /// Settings of the job the operator has no field for, each a sentence (shown as warnings).
    pub not_carried: Vec<String>,
}

/// The Spark Operator form of `job`, whose Job-form objects are `bundle`.
pub fn form(job: &ResolvedJob, bundle: &Bundle) -> Result<OperatorForm, OperatorError> {
    if !uses_pod_templates(job.versions.spark) {
        return Err(OperatorError::NoPodTemplates(
            job.versions.spark.to_string(),
        ));
    }
    k8s::check::check(bundle)?;
    let labels = JobLabels::new(job);
    let spec = application_spec(job, &labels);
    let mut metadata = bundle.job.metadata.clone();
    // The Job's Checkov skips are about the Job's own pod.
    metadata.annotations =
        (!job.metadata.annotations.is_empty()).then(|| job.metadata.annotations.clone());
    // The objects of the Job's form but the Job (or CronJob) and its pod templates' ConfigMap.
    let mut manifests = Vec::with_capacity(7);
    manifests.extend(bundle.namespace.as_ref().map(Manifest::of));
    manifests.extend(bundle.service_account.as_ref().map(Manifest::of));
    manifests.push(Manifest::of(&bundle.role));
    manifests.push(Manifest::of(&bundle.role_binding));
    manifests.extend(bundle.secret.as_ref().map(Manifest::of));
    manifests.extend(bundle.external_secret.as_ref().map(Manifest::of));
    manifests.push(match &job.spec.schedule {
        None => Manifest::of(&SparkApplication { metadata, spec }),
        Some(schedule) => Manifest::of(&ScheduledSparkApplication {
            metadata,
            spec: ScheduledSparkApplicationSpec {
                schedule: schedule.cron.trim().to_owned(),
                time_zone: schedule.time_zone.clone(),
                concurrency_policy: schedule.concurrency_policy.as_str(),
                suspend: schedule.suspend.then_some(true),
                successful_run_history_limit: schedule.successful_jobs_history_limit,
                failed_run_history_limit: schedule.failed_jobs_history_limit,
                template: spec,
            },
        }),
    });
    let mut not_carried = Vec::new();
    if let Some(seconds) = job
        .spec
        .schedule
        .as_ref()
        .and_then(|s| s.starting_deadline_seconds)
    {
        not_carried.push(format!(
            "spec.schedule.startingDeadlineSeconds ({seconds}): a ScheduledSparkApplication has no starting deadline; the operator starts a missed run at its next check"
        ));
    }
    Ok(OperatorForm {
        manifests,
        not_carried,
    })
}

/// The Job's spark-submit settings as spark-submit receives them, in order, and the
/// application file and arguments.
struct Submit {
    confs: Vec<(String, String)>,
    file: String,
    arguments: Vec<String>,
}

/// The Job's spark-submit settings as its kubelet expands them (the names the Job's pod gets
/// from its own spec are known here; the pod's name and IP are not, and their settings are
/// dropped), read from the settings table, and the application file and arguments from the typed
/// job: never from a command line, where an argument of the application's own could pass for an
/// option. In cluster mode spark-submit puts the file and arguments into the driver container's
/// args, which the driver's kubelet expands: they are escaped once, as the Job passes them.
fn submit(job: &ResolvedJob, labels: &JobLabels) -> Submit {
    let namespace = job.metadata.namespace.clone();
    let account = job.service_account_name().to_owned();
    let image = job.spec.image.clone();
    let secret = job.secret_name();
    let var = |name: &str| match name {
        n if n == ENV_NAMESPACE => Some(namespace.clone()),
        n if n == ENV_SERVICE_ACCOUNT => Some(account.clone()),
        n if n == ENV_IMAGE => Some(image.clone()),
        n if n == ENV_SECRET => secret.clone(),
        _ => None,
    };
    let rows = settings::table(job, &labels.spark_pod(Component::Executor));
    let confs = settings::confs(&rows)
        .into_iter()
        .map(|(key, value)| (expand(&key, var), expand(&value, var)))
        .collect();
    Submit {
        confs,
        file: APPLICATION_ESCAPE.apply(&job.spec.main_application_file),
        arguments: job
            .spec
            .arguments
            .iter()
            .map(|a| APPLICATION_ESCAPE.apply(a))
            .collect(),
    }
}

/// The place of a setting.
fn place(key: &str) -> Option<(&'static str, Place)> {
    MAPPING
        .iter()
        .find(|(k, _)| {
            if k.ends_with('.') {
                key.starts_with(k)
            } else {
                key == *k
            }
        })
        .copied()
}

/// The settings by the field they go to (each with its full key, in order); the rest by key.
#[derive(Default)]
struct Sorted {
    fields: BTreeMap<&'static str, Vec<(String, String)>>,
    spark_conf: BTreeMap<String, String>,
    hadoop_conf: BTreeMap<String, String>,
}

impl Sorted {
    fn new(confs: Vec<(String, String)>) -> Self {
        let mut sorted = Self::default();
        for (key, value) in confs {
            match place(&key) {
                Some((_, Place::Dropped(_))) => {}
                Some((_, Place::Field(field))) => {
                    sorted.fields.entry(field).or_default().push((key, value));
                }
                None => match key.strip_prefix("spark.hadoop.") {
                    Some(hadoop) => {
                        sorted.hadoop_conf.insert(hadoop.to_owned(), value);
                    }
                    None => {
                        sorted.spark_conf.insert(key, value);
                    }
                },
            }
        }
        sorted
    }

    /// The value of a one-setting field (the last one passed, as in Spark), parsed; a value
    /// that does not parse stays a setting in `sparkConf`, so nothing the Job passes is lost.
    fn parsed<T>(&mut self, field: &str, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let (key, value) = self.fields.remove(field)?.pop()?;
        let parsed = parse(&value);
        if parsed.is_none() {
            self.spark_conf.insert(key, value);
        }
        parsed
    }

    /// A text field.
    fn text(&mut self, field: &str) -> Option<String> {
        self.parsed(field, |v| Some(v.to_owned()))
    }

    /// A number field.
    fn number(&mut self, field: &str) -> Option<u32> {
        self.parsed(field, |v| v.parse().ok())
    }

    /// A boolean field.
    fn boolean(&mut self, field: &str) -> Option<bool> {
        self.parsed(field, |v| v.parse().ok())
    }

    /// A comma-separated list field.
    fn list(&mut self, field: &str) -> Vec<String> {
        self.text(field)
            .map(|v| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// A map field: each setting under the field's prefix, by the rest of its key.
    fn map(&mut self, field: &str) -> BTreeMap<String, String> {
        self.fields
            .remove(field)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, value)| {
                let prefix = place(&key).map_or("", |(prefix, _)| prefix);
                (key[prefix.len()..].to_owned(), value)
            })
            .collect()
    }
}

fn application_spec(job: &ResolvedJob, labels: &JobLabels) -> SparkApplicationSpec {
    let spec = &job.spec;
    let Submit {
        confs,
        file,
        arguments,
    } = submit(job, labels);
    let mut s = Sorted::new(confs);
    let driver = spec.driver.as_pod();
    let mut driver_labels = labels.spark_pod(Component::Driver);
    driver_labels.extend(driver.labels.clone());
    let executor_template = job::executor_template(job, rbac::needs_token(PodRole::Executor, job));
    let dynamic_allocation = s
        .boolean("spec.dynamicAllocation.enabled")
        .filter(|on| *on)
        .map(|enabled| DynamicAllocation {
            enabled,
            initial_executors: s.number("spec.dynamicAllocation.initialExecutors"),
            min_executors: s.number("spec.dynamicAllocation.minExecutors"),
            max_executors: s.number("spec.dynamicAllocation.maxExecutors"),
            shuffle_tracking_enabled: s
                .boolean("spec.dynamicAllocation.shuffleTrackingEnabled")
                .unwrap_or_default(),
        });
    let retries = spec.submitter.backoff_limit;
    SparkApplicationSpec {
        type_: spec.app_type,
        spark_version: job.versions.spark.to_string(),
        mode: MODE,
        image: s.text("spec.image").unwrap_or_else(|| spec.image.clone()),
        image_pull_policy: s
            .text("spec.imagePullPolicy")
            .unwrap_or_else(|| spec.image_pull_policy.as_str().to_owned()),
        image_pull_secrets: s.list("spec.imagePullSecrets"),
        main_class: spec.main_class.clone(),
        main_application_file: file,
        arguments,
        driver: DriverSpec {
            cores: driver.cores,
            core_request: driver.core_request.map(str::to_owned),
            core_limit: driver.core_limit.map(str::to_owned),
            memory: s
                .text("spec.driver.memory")
                .unwrap_or_else(|| driver.memory.to_owned()),
            memory_overhead: driver.memory_overhead.map(str::to_owned),
            service_account: job.service_account_name().to_owned(),
            labels: driver_labels,
            annotations: driver.annotations.clone(),
            template: job::driver_template(job, rbac::needs_token(PodRole::Driver, job)),
        },
        executor: ExecutorSpec {
            instances: s.number("spec.executor.instances"),
            cores: s.number("spec.executor.cores"),
            core_request: s.text("spec.executor.coreRequest"),
            core_limit: s.text("spec.executor.coreLimit"),
            memory: s.text("spec.executor.memory"),
            memory_overhead: s.text("spec.executor.memoryOverhead"),
            delete_on_termination: s.boolean("spec.executor.deleteOnTermination"),
            service_account: s.text("spec.executor.serviceAccount"),
            labels: s.map("spec.executor.labels"),
            annotations: s.map("spec.executor.annotations"),
            // The template's own labels and annotations too: Spark puts them on every executor,
            // as it does from the Job form's template file.
            template: PodTemplateSpec {
                metadata: (executor_template.metadata != ObjectMeta::default())
                    .then_some(executor_template.metadata),
                spec: executor_template.spec,
            },
        },
        deps: Dependencies {
            jars: s.list("spec.deps.jars"),
            files: s.list("spec.deps.files"),
            py_files: s.list("spec.deps.pyFiles"),
            packages: s.list("spec.deps.packages"),
            exclude_packages: s.list("spec.deps.excludePackages"),
            repositories: s.list("spec.deps.repositories"),
            archives: s.list("spec.deps.archives"),
        },
        dynamic_allocation,
        restart_policy: if retries > 0 {
            RestartPolicy {
                type_: "OnFailure",
                on_failure_retries: Some(retries),
                on_failure_retry_interval: Some(RETRY_INTERVAL_SECONDS),
                on_submission_failure_retries: Some(retries),
                on_submission_failure_retry_interval: Some(RETRY_INTERVAL_SECONDS),
            }
        } else {
            RestartPolicy {
                type_: "Never",
                ..Default::default()
            }
        },
        time_to_live_seconds: spec.submitter.ttl_seconds_after_finished.map(i64::from),
        spark_conf: std::mem::take(&mut s.spark_conf),
        hadoop_conf: std::mem::take(&mut s.hadoop_conf),
    }
}

/// The mapping as a Markdown document (`docs/operator-mapping.md`).
pub fn mapping_doc() -> String {
    let mut out = String::from(
        "# The Spark Operator form and the Job: where each setting goes\n\n\
         Generated from `crates/core/src/emit/operator.rs` (`MAPPING`, `CLUSTER_MODE`); do not edit.\n\n\
         `k8s-s3-spark operator` derives the SparkApplication from the Job's spark-submit \
         arguments. Each `--conf` of the Job goes to the field below; `spark.hadoop.KEY` goes to \
         `hadoopConf` as `KEY`; every other setting goes to `sparkConf` unchanged. The operator \
         passes each field back as the same setting (the `spec.deps` lists as spark-submit's own \
         options, `--packages`, `--jars` and so on, which spark-submit reads as those settings), \
         which the conformance stage checks against the real operator's spark-submit command \
         line.\n\n\
         | Job setting | SparkApplication |\n|---|---|\n",
    );
    for (key, place) in MAPPING {
        let key = if key.ends_with('.') {
            format!("`{key}*`")
        } else {
            format!("`{key}`")
        };
        let to = match place {
            Place::Field(field) => format!("`{field}`"),
            Place::Dropped(why) => format!("(none: {why})"),
        };
        out.push_str(&format!("| {key} | {to} |\n"));
    }
    out.push_str(
        "\n## What a cluster-mode driver needs besides\n\n\
         In client mode these size and describe the Job's own pod, so the Job passes no setting \
         for them.\n\n| SparkApplication | setting the operator passes | from the config |\n|---|---|---|\n",
    );
    for (field, setting, from) in CLUSTER_MODE {
        out.push_str(&format!("| `{field}` | `{setting}` | {from} |\n"));
    }
    out.push_str(OPERATOR_ADDS);
    out
}

/// What the operator adds on its own (read from its `submission.go`, checked by the
/// conformance stage against its real command line).
const OPERATOR_ADDS: &str = "\n## What the operator adds on its own\n\n\
- `--master` from the operator's in-cluster address and `--deploy-mode cluster`.\n\
- `spark.kubernetes.submission.waitAppCompletion=false`: its spark-submit returns once the driver \
pod exists; the operator follows the driver pod and sets the application's state from it.\n\
- `spark.kubernetes.driver.container.image` and `spark.kubernetes.executor.container.image` from \
`spec.image`.\n\
- `spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver` and \
`spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor`.\n\
- Labels `sparkoperator.k8s.io/app-name`, `sparkoperator.k8s.io/launched-by-spark-operator` and \
`sparkoperator.k8s.io/submission-id` on the driver and executors, and the SparkApplication's own \
labels on both (the pods' own `component` label is passed after them, so it wins).\n\
- The Spark UI Service of the driver (`--enable-ui-service`, on by default).\n\n\
## What the SparkApplication has no field for\n\n\
- The CronJob's `startingDeadlineSeconds`: `k8s-s3-spark operator` says so on stderr when the \
config sets it. (The Job's `activeDeadlineSeconds` is the driver pod's, from its template: it \
counts from the driver's start, not the Job's.)\n\
- The Job's `backoffLimit` N becomes `restartPolicy: OnFailure` with N retries, 10 s apart \
(the operator waits attempts × interval).\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_go_to_fields_maps_and_confs_and_an_unparsable_field_stays_a_setting() {
        let conf = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        let mut s = Sorted::new(vec![
            conf("spark.kubernetes.namespace", "n"),
            conf("spark.executor.instances", "two"),
            conf("spark.executor.cores", "3"),
            conf("spark.kubernetes.executor.label.team", "data"),
            conf("spark.hadoop.fs.s3a.endpoint", "http://s3"),
            conf("spark.sql.shuffle.partitions", "8"),
        ]);
        assert_eq!(s.number("spec.executor.cores"), Some(3));
        assert_eq!(s.number("spec.executor.instances"), None);
        assert_eq!(
            s.map("spec.executor.labels"),
            BTreeMap::from([("team".to_owned(), "data".to_owned())])
        );
        assert_eq!(
            s.spark_conf
                .get("spark.executor.instances")
                .map(String::as_str),
            Some("two")
        );
        assert_eq!(
            s.spark_conf
                .get("spark.sql.shuffle.partitions")
                .map(String::as_str),
            Some("8")
        );
        assert!(!s.spark_conf.contains_key("spark.kubernetes.namespace"));
        assert_eq!(
            s.hadoop_conf.get("fs.s3a.endpoint").map(String::as_str),
            Some("http://s3")
        );
    }
}
