//! The spark-submit command line as data: one ordered table of rows built from a checked job.
//! Each row carries both what it is for this job (so `render` turns the table into arguments)
//! and where that comes from in the Helm chart's values (so the chart's argument block is
//! generated from the same table, and tuning a value with `--set` changes the same setting).
//! A new Spark setting is one row here: every output form gets it.
//!
//! A value is text the tool writes (a literal, fixed when generated, possibly naming the
//! submitter's environment as `$(VAR)`), a chart value (a path under `.Values`, with its value for
//! this job), or a chart helper (computed in the chart from values, with its value for this job).
//! The chart generator checks every path against the chart's values, so a row cannot name a value
//! the chart does not have.

use std::collections::BTreeMap;

use super::submit::{
    DEPLOY_MODE, ENV_IMAGE, ENV_NAMESPACE, ENV_POD_IP, ENV_POD_NAME, ENV_SECRET,
    ENV_SERVICE_ACCOUNT, EXECUTOR_TEMPLATE, KEY_ENV, MASTER, POD_TEMPLATE_DIR, SCRATCH_DIR, escape,
};
use crate::config::ResolvedJob;
use crate::config::model::{
    ApplicationType, Committer, Dependencies, DynamicAllocationSpec, GpuSpec, S3Credentials,
    VolumeSpec,
};
use crate::config::resolved::overhead_percent;
use crate::spark::versions::{
    BINDING_PARQUET_OUTPUT_COMMITTER, JobVersions, MIN_HADOOP_MAGIC_ENABLED,
    MIN_HADOOP_REGION_CONF, MIN_SPARK_DRIVER_CLEANUP_CONFS, MIN_SPARK_EXECUTOR_OVERHEAD_FACTOR,
    MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT, MIN_SPARK_MAGIC_DEFAULT, PATH_OUTPUT_COMMIT_PROTOCOL,
    uses_pod_templates,
};

/// The executors' memory overhead factor for Python and R applications (none for JVM ones:
/// Spark's default is theirs). Spark raises it to 40% itself only in cluster mode; in client mode
/// (the Job) its executors would get 10%, so it is set, with the percentage that sizes the
/// driver's container ([`overhead_percent`]). `sparkConf` may not set the factors (a size in
/// `memoryOverhead` overrides it).
fn overhead_factor(app_type: ApplicationType, versions: JobVersions) -> Option<Row> {
    if !matches!(app_type, ApplicationType::Python | ApplicationType::R) {
        return None;
    }
    let key = if versions.spark >= MIN_SPARK_EXECUTOR_OVERHEAD_FACTOR {
        "spark.executor.memoryOverheadFactor"
    } else {
        "spark.kubernetes.memoryOverheadFactor"
    };
    #[allow(clippy::cast_precision_loss)] // a percentage
    let factor = overhead_percent(app_type) as f64 / 100.0;
    Some(conf(key, Text::Lit(factor.to_string())))
}

/// How the application file and arguments are escaped: one kubelet reads them, the Job pod's
/// (client mode) or, in the operator form, the driver pod's (cluster mode puts them in its args).
pub const APPLICATION_ESCAPE: Escape = Escape::Once;

/// How user text is escaped for the kubelets it passes through (`$` becomes `$$` per kubelet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Not user text: written as it is (it may name `$(VAR)` on purpose).
    Raw,
    /// User text the Job pod's kubelet reads once.
    Once,
    /// User text spark-submit copies into the executors' pods: read by two kubelets.
    Twice,
}

impl Escape {
    /// `text` escaped this way.
    pub fn apply(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.push(&mut out, text);
        out
    }

    /// Appends `text` escaped this way to `out` (the hot path of `render`: no allocation).
    fn push(self, out: &mut String, text: &str) {
        let dollar = match self {
            Self::Raw => return out.push_str(text),
            Self::Once => "$$",
            Self::Twice => "$$$$",
        };
        for (i, part) in text.split('$').enumerate() {
            if i > 0 {
                out.push_str(dollar);
            }
            out.push_str(part);
        }
    }
}

/// One piece of an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Written by the tool, the same in every form, already escaped.
    Lit(String),
    /// A chart value at `path` (dotted, under `.Values`) and its value for this job.
    Value {
        /// The path under `.Values`.
        path: &'static str,
        /// The value for this job, as text.
        value: String,
        /// How it is escaped.
        escape: Escape,
    },
    /// A chart value holding a list, joined with `,`.
    Joined {
        /// The path under `.Values`.
        path: &'static str,
        /// The items for this job.
        items: Vec<String>,
    },
    /// A helper of the chart (`include "k8s-s3-spark.NAME" $`) and its value for this job.
    Helper {
        /// The helper's name after `k8s-s3-spark.`.
        name: &'static str,
        /// Its value for this job.
        value: String,
        /// How it is escaped.
        escape: Escape,
    },
    /// Two pieces, one after the other.
    Concat(Box<Text>, Box<Text>),
}

impl Text {
    fn lit(text: &str) -> Self {
        Self::Lit(text.to_owned())
    }

    fn value(path: &'static str, value: impl ToString, escape: Escape) -> Self {
        Self::Value {
            path,
            value: value.to_string(),
            escape,
        }
    }

    /// The text for this job.
    pub fn evaluate(&self) -> String {
        let mut out = String::new();
        self.push(&mut out);
        out
    }

    /// Appends the text for this job to `out`.
    fn push(&self, out: &mut String) {
        match self {
            Self::Lit(s) => out.push_str(s),
            Self::Value { value, escape, .. } | Self::Helper { value, escape, .. } => {
                escape.push(out, value);
            }
            Self::Joined { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Escape::Once.push(out, item);
                }
            }
            Self::Concat(a, b) => {
                a.push(out);
                b.push(out);
            }
        }
    }
}

/// When a row is emitted, beyond what is fixed at generation (a row that does not apply to the
/// job's versions or credentials kind is simply not in the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// When the chart value at `path` is set (not empty, not false); `set` is whether it is for
    /// this job.
    Set {
        /// The path under `.Values`.
        path: &'static str,
        /// Whether it is set for this job.
        set: bool,
    },
    /// When the chart values at `path` and at `with` are both set (a setting that only means
    /// something beside another); `set` is whether both are for this job.
    SetWith {
        /// The path under `.Values`.
        path: &'static str,
        /// The other path under `.Values`.
        with: &'static str,
        /// Whether both are set for this job.
        set: bool,
    },
    /// When the chart value at `path` is a boolean, true or false (an optional switch); `set`
    /// is whether it is one for this job.
    Bool {
        /// The path under `.Values`.
        path: &'static str,
        /// Whether it is set for this job.
        set: bool,
    },
    /// When the map at `path` has no `key`; `absent` is whether it has none for this job.
    NoKey {
        /// The path of the map under `.Values`.
        path: &'static str,
        /// The key.
        key: &'static str,
        /// Whether the key is absent for this job.
        absent: bool,
    },
}

impl When {
    fn holds(&self) -> bool {
        match self {
            Self::Always => true,
            Self::Set { set, .. } | Self::SetWith { set, .. } | Self::Bool { set, .. } => *set,
            Self::NoKey { absent, .. } => *absent,
        }
    }
}

/// What an [`Row::Each`] row ranges over in the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// A map value at this path: one setting per key.
    Map(&'static str),
    /// A list of `{name, value}` at this path (environment variables).
    NamedList(&'static str),
    /// The Spark pods' labels of a role (`driver` or `executor`): the recommended ones, computed
    /// in the chart from the release, merged with the role's `labels` value.
    PodLabels(&'static str),
    /// A list of volumes at this path: the settings of [`VOLUME_SETTINGS`] for each.
    Volumes(&'static str),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// One plain argument (`--master`, the application file...).
    Arg(Text),
    /// The arguments of a list value, one each (the application's arguments).
    Args {
        /// The path of the list under `.Values`.
        path: &'static str,
        /// The items for this job.
        items: Vec<String>,
        /// How each is escaped.
        escape: Escape,
    },
    /// `--conf KEY=VALUE` when `when` holds.
    Conf {
        /// The key.
        key: Text,
        /// The value.
        value: Text,
        /// When it is passed.
        when: When,
    },
    /// `--conf PREFIX<key>=<value>` for each entry; keys are user text, escaped once.
    Each {
        /// Written before each key.
        prefix: String,
        /// What the chart ranges over.
        range: Range,
        /// The entries for this job, in order.
        entries: Vec<(String, String)>,
        /// How values are escaped.
        escape: Escape,
    },
}

fn conf(key: &str, value: Text) -> Row {
    Row::Conf {
        key: Text::lit(key),
        value,
        when: When::Always,
    }
}

fn optional(key: &str, path: &'static str, value: Option<&str>) -> Row {
    Row::Conf {
        key: Text::lit(key),
        value: Text::value(path, value.unwrap_or_default(), Escape::Once),
        when: When::Set {
            path,
            set: value.is_some_and(|v| !v.is_empty()),
        },
    }
}

/// The dependency settings: each list joined with `,`, when not empty.
fn dependencies(deps: &Dependencies) -> Vec<Row> {
    let list = |key: &str, path: &'static str, items: &[String]| Row::Conf {
        key: Text::lit(key),
        value: Text::Joined {
            path,
            items: items.to_vec(),
        },
        when: When::Set {
            path,
            set: !items.is_empty(),
        },
    };
    vec![
        list("spark.jars.packages", "deps.packages", &deps.packages),
        list(
            "spark.jars.excludes",
            "deps.excludePackages",
            &deps.exclude_packages,
        ),
        list(
            "spark.jars.repositories",
            "deps.repositories",
            &deps.repositories,
        ),
        list("spark.jars", "deps.jars", &deps.jars),
        list("spark.files", "deps.files", &deps.files),
        list("spark.submit.pyFiles", "deps.pyFiles", &deps.py_files),
        list("spark.archives", "deps.archives", &deps.archives),
    ]
}

/// The dynamic allocation settings: on (with shuffle tracking, the only way on Kubernetes) when
/// `enabled`, each bound and timeout when set. Spark ignores the bounds while it is off, so an
/// environment that switches it off needs to unset nothing.
fn dynamic_allocation(spec: &DynamicAllocationSpec) -> Vec<Row> {
    let on = |key: &str| Row::Conf {
        key: Text::lit(key),
        value: Text::lit("true"),
        when: When::Set {
            path: "dynamicAllocation.enabled",
            set: spec.enabled,
        },
    };
    // A count of 0 is Spark's default for each, so it is passed only when positive (which is also
    // what the chart's `if` sees).
    let count = |key: &str, path: &'static str, value: Option<u32>| Row::Conf {
        key: Text::lit(key),
        value: Text::value(
            path,
            value.map(|v| v.to_string()).unwrap_or_default(),
            Escape::Raw,
        ),
        when: When::Set {
            path,
            set: value.is_some_and(|v| v > 0),
        },
    };
    vec![
        on("spark.dynamicAllocation.enabled"),
        on("spark.dynamicAllocation.shuffleTracking.enabled"),
        count(
            "spark.dynamicAllocation.initialExecutors",
            "dynamicAllocation.initialExecutors",
            spec.initial_executors,
        ),
        count(
            "spark.dynamicAllocation.minExecutors",
            "dynamicAllocation.minExecutors",
            spec.min_executors,
        ),
        count(
            "spark.dynamicAllocation.maxExecutors",
            "dynamicAllocation.maxExecutors",
            spec.max_executors,
        ),
        optional(
            "spark.dynamicAllocation.executorIdleTimeout",
            "dynamicAllocation.executorIdleTimeout",
            spec.executor_idle_timeout.as_deref(),
        ),
        optional(
            "spark.dynamicAllocation.shuffleTracking.timeout",
            "dynamicAllocation.shuffleTrackingTimeout",
            spec.shuffle_tracking_timeout.as_deref(),
        ),
    ]
}

/// The executors' GPUs: amount, vendor and discovery script when they ask for any (Spark then
/// requests `VENDOR/gpu` in each executor pod's limits), and the task amount when set.
fn gpus(gpu: &GpuSpec) -> [Row; 4] {
    let with_gpus = |key: &str, path: &'static str, value: String, escape: Escape| Row::Conf {
        key: Text::lit(key),
        value: Text::value(path, value, escape),
        when: When::Set {
            path: "executor.gpu.amount",
            set: gpu.amount > 0,
        },
    };
    let with_amount =
        |key: &str, path: &'static str, value: Option<String>, escape: Escape| Row::Conf {
            key: Text::lit(key),
            value: Text::value(path, value.clone().unwrap_or_default(), escape),
            when: When::SetWith {
                path,
                with: "executor.gpu.amount",
                set: gpu.amount > 0 && value.is_some(),
            },
        };
    [
        with_gpus(
            "spark.executor.resource.gpu.amount",
            "executor.gpu.amount",
            gpu.amount.to_string(),
            Escape::Raw,
        ),
        with_gpus(
            "spark.executor.resource.gpu.vendor",
            "executor.gpu.vendor",
            gpu.vendor.clone(),
            Escape::Once,
        ),
        with_amount(
            "spark.executor.resource.gpu.discoveryScript",
            "executor.gpu.discoveryScript",
            gpu.discovery_script.clone(),
            Escape::Once,
        ),
        // Spark refuses a task amount without an executor amount: `--set executor.gpu.amount=0`
        // drops both.
        with_amount(
            "spark.task.resource.gpu.amount",
            "executor.gpu.taskAmount",
            gpu.task_amount.map(|t| t.to_string()),
            Escape::Raw,
        ),
    ]
}

/// Spark's settings for each executor volume (`spark.kubernetes.executor.volumes.KIND.NAME.*`), one
/// table for both forms: [`executor_volumes`] evaluates it on the job's volumes, and the chart's
/// argument block ranges over `executor.volumes` with it. Each entry: the field of the volume
/// (dotted) that must be set, the setting's suffix after `KIND.NAME.`, and its value: that
/// field's, or a literal. The driver makes the claim of an `onDemandClaim` for each executor
/// (`claimName=OnDemand`). The driver's volumes are the Job pod's own (`k8s::job`).
pub const VOLUME_SETTINGS: &[(&str, &str, Option<&str>)] = &[
    ("mountPath", "mount.path", None),
    ("readOnly", "mount.readOnly", Some("true")),
    ("emptyDir.medium", "options.medium", None),
    ("emptyDir.sizeLimit", "options.sizeLimit", None),
    ("onDemandClaim", "options.claimName", Some("OnDemand")),
    ("onDemandClaim.storageClass", "options.storageClass", None),
    ("onDemandClaim.size", "options.sizeLimit", None),
    ("persistentVolumeClaim.claimName", "options.claimName", None),
];
/// What the executor volume settings start with.
pub const VOLUME_PREFIX: &str = "spark.kubernetes.executor.volumes.";
/// A volume with this field is Spark's `emptyDir` kind; any other is a `persistentVolumeClaim`.
pub const EMPTY_DIR_KIND: &str = "emptyDir";
/// Spark's kind of the other volumes.
pub const CLAIM_KIND: &str = "persistentVolumeClaim";

/// The executors' volume settings after [`VOLUME_PREFIX`]: `(KIND.NAME.SUFFIX, value)`.
fn executor_volumes(volumes: &[VolumeSpec]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for v in volumes {
        let kind = if v.empty_dir.is_some() {
            EMPTY_DIR_KIND
        } else {
            CLAIM_KIND
        };
        let fields = serde_json::to_value(v).unwrap_or_default();
        for (field, suffix, literal) in VOLUME_SETTINGS {
            let found = fields.pointer(&format!("/{}", field.replace('.', "/")));
            let value = match (found, literal) {
                (None | Some(serde_json::Value::Null | serde_json::Value::Bool(false)), _) => {
                    continue;
                }
                (Some(_), Some(literal)) => (*literal).to_owned(),
                (Some(serde_json::Value::String(s)), None) => s.clone(),
                (Some(other), None) => other.to_string(),
            };
            out.push((format!("{kind}.{}.{suffix}", v.name), value));
        }
    }
    out
}

fn var(name: &str) -> Text {
    Text::Lit(format!("$({name})"))
}

/// The table of a checked job, in this order: master, deploy mode (client: the driver runs in
/// the Job's pod, so the Job's outcome is the application's), name, class; namespace, the driver
/// pod's name and address, executor service account, image; the executor pod template; driver
/// heap and executor sizing; executor labels, annotations and env; credentials; S3A settings;
/// version-specific confs; the user's sparkConf then hadoopConf (sorted); the application file
/// and its arguments.
///
/// `executor_labels` are the recommended labels the executor pods get besides the user's (the
/// chart computes them from the release).
pub fn table(job: &ResolvedJob, executor_labels: &BTreeMap<String, String>) -> Vec<Row> {
    let (spec, versions) = (&job.spec, job.versions);
    let mut rows = vec![
        Row::Arg(Text::lit("--master")),
        Row::Arg(Text::lit(MASTER)),
        Row::Arg(Text::lit("--deploy-mode")),
        Row::Arg(Text::lit(DEPLOY_MODE)),
        Row::Arg(Text::lit("--name")),
        Row::Arg(Text::Helper {
            name: "fullname",
            value: job.metadata.name.clone(),
            escape: Escape::Once,
        }),
    ];
    if let Some(class) = &spec.main_class {
        rows.push(Row::Arg(Text::lit("--class")));
        rows.push(Row::Arg(Text::Lit(escape(class))));
    }

    rows.push(conf("spark.kubernetes.namespace", var(ENV_NAMESPACE)));
    // The driver is this pod: executors get it as their owner (deleted with it) and connect to
    // its IP.
    rows.push(conf("spark.kubernetes.driver.pod.name", var(ENV_POD_NAME)));
    rows.push(conf("spark.driver.host", var(ENV_POD_IP)));
    if versions.spark >= MIN_SPARK_DRIVER_CLEANUP_CONFS {
        // No Service fronts the driver, and it owns PVCs only with on-demand claims: it does not
        // try to delete what the Role does not let it touch.
        rows.push(conf(
            "spark.kubernetes.driver.service.deleteOnTermination",
            Text::lit("false"),
        ));
        rows.push(conf(
            "spark.kubernetes.driver.ownPersistentVolumeClaim",
            Text::lit(if job.uses_on_demand_claims() {
                "true"
            } else {
                "false"
            }),
        ));
    }
    if versions.spark >= MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT {
        rows.push(conf(
            "spark.kubernetes.authenticate.executor.serviceAccountName",
            var(ENV_SERVICE_ACCOUNT),
        ));
    }
    rows.push(conf("spark.kubernetes.container.image", var(ENV_IMAGE)));
    rows.push(conf(
        "spark.kubernetes.container.image.pullPolicy",
        Text::value(
            "image.pullPolicy",
            spec.image_pull_policy.as_str(),
            Escape::Raw,
        ),
    ));
    rows.push(Row::Conf {
        key: Text::lit("spark.kubernetes.container.image.pullSecrets"),
        value: Text::Joined {
            path: "image.pullSecrets",
            items: spec.image_pull_secrets.clone(),
        },
        when: When::Set {
            path: "image.pullSecrets",
            set: !spec.image_pull_secrets.is_empty(),
        },
    });
    if uses_pod_templates(versions.spark) {
        rows.push(conf(
            "spark.kubernetes.executor.podTemplateFile",
            Text::Lit(format!("{POD_TEMPLATE_DIR}/{EXECUTOR_TEMPLATE}")),
        ));
    }

    let (driver, executor) = (spec.driver.as_pod(), spec.executor.as_pod());
    // The driver's cores, core request and limit, and memory overhead size this pod (the Job's
    // container resources); only its heap is Spark's to set.
    rows.extend([
        conf(
            "spark.driver.memory",
            Text::value("driver.memory", driver.memory, Escape::Once),
        ),
        conf(
            "spark.executor.instances",
            Text::value("executor.instances", spec.executor.instances, Escape::Raw),
        ),
        conf(
            "spark.executor.cores",
            Text::value("executor.cores", executor.cores, Escape::Raw),
        ),
    ]);
    rows.extend(dynamic_allocation(&spec.dynamic_allocation));
    rows.extend([
        optional(
            "spark.kubernetes.executor.request.cores",
            "executor.coreRequest",
            executor.core_request,
        ),
        optional(
            "spark.kubernetes.executor.limit.cores",
            "executor.coreLimit",
            executor.core_limit,
        ),
        conf(
            "spark.executor.memory",
            Text::value("executor.memory", executor.memory, Escape::Once),
        ),
        optional(
            "spark.executor.memoryOverhead",
            "executor.memoryOverhead",
            executor.memory_overhead,
        ),
        Row::Conf {
            key: Text::lit("spark.kubernetes.executor.deleteOnTermination"),
            value: Text::value(
                "executor.deleteOnTermination",
                spec.executor
                    .delete_on_termination
                    .map(|keep| keep.to_string())
                    .unwrap_or_default(),
                Escape::Raw,
            ),
            when: When::Bool {
                path: "executor.deleteOnTermination",
                set: spec.executor.delete_on_termination.is_some(),
            },
        },
    ]);

    rows.extend(overhead_factor(spec.app_type, versions));
    rows.extend(gpus(&spec.executor.gpu));

    // The driver's labels, annotations, env and placement are this pod's own (`k8s::job`).
    let mut labels = executor_labels.clone();
    labels.extend(executor.labels.clone());
    rows.push(Row::Each {
        prefix: "spark.kubernetes.executor.label.".into(),
        range: Range::PodLabels("executor"),
        entries: labels.into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.kubernetes.executor.annotation.".into(),
        range: Range::Map("executor.annotations"),
        entries: executor.annotations.clone().into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.executorEnv.".into(),
        range: Range::NamedList("executor.env"),
        entries: executor
            .env
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect(),
        // The executors' kubelet expands env values once more.
        escape: Escape::Twice,
    });
    // Before Spark 3.0 there are no pod templates: the executors' node selector is a setting.
    if !uses_pod_templates(versions.spark) {
        rows.push(Row::Each {
            prefix: "spark.kubernetes.node.selector.".into(),
            range: Range::Map("executor.nodeSelector"),
            entries: executor.node_selector.clone().into_iter().collect(),
            escape: Escape::Once,
        });
    }

    rows.push(Row::Each {
        prefix: VOLUME_PREFIX.into(),
        range: Range::Volumes("executor.volumes"),
        entries: executor_volumes(executor.volumes),
        escape: Escape::Once,
    });

    // The driver (this pod) has the keys as env from the Secret (`k8s::job`).
    if let S3Credentials::Secret(secret) = &spec.s3.credentials {
        for (env, (path, key)) in KEY_ENV.into_iter().zip([
            ("s3.secret.accessKeyIdKey", &secret.access_key_id_key),
            (
                "s3.secret.secretAccessKeyKey",
                &secret.secret_access_key_key,
            ),
        ]) {
            rows.push(conf(
                &format!("spark.kubernetes.executor.secretKeyRef.{env}"),
                Text::Concat(
                    Box::new(Text::Lit(format!("$({ENV_SECRET}):"))),
                    Box::new(Text::value(path, key, Escape::Once)),
                ),
            ));
        }
    }

    let s3 = &job.s3;
    rows.push(Row::Conf {
        key: Text::lit("spark.hadoop.fs.s3a.endpoint"),
        value: Text::Helper {
            name: "endpoint",
            value: s3.endpoint.clone().unwrap_or_default(),
            escape: Escape::Once,
        },
        when: When::Set {
            path: "s3.endpoint",
            set: s3.endpoint.as_deref().is_some_and(|e| !e.is_empty()),
        },
    });
    if versions.hadoop >= MIN_HADOOP_REGION_CONF {
        rows.push(optional(
            "spark.hadoop.fs.s3a.endpoint.region",
            "s3.region",
            s3.region.as_deref(),
        ));
    }
    rows.push(Row::Conf {
        key: Text::lit("spark.hadoop.fs.s3a.path.style.access"),
        value: Text::lit("true"),
        when: When::Set {
            path: "s3.pathStyleAccess",
            set: s3.path_style,
        },
    });
    rows.push(conf(
        "spark.hadoop.fs.s3a.connection.ssl.enabled",
        Text::Helper {
            name: "tls",
            value: s3.tls.to_string(),
            escape: Escape::Raw,
        },
    ));
    rows.push(conf(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        Text::lit(job.credentials_provider),
    ));
    if !spec.s3.outputs.is_empty() {
        committer_rows(&mut rows, &spec.s3.committer, versions);
    }
    if let Some(dir) = &spec.s3.event_log_dir {
        rows.push(conf("spark.eventLog.enabled", Text::lit("true")));
        rows.push(conf("spark.eventLog.dir", Text::Lit(escape(dir))));
    }

    if spec.app_type == ApplicationType::Python && versions.spark.line() == (2, 4) {
        // Spark 2.4 runs Python 2 unless told otherwise; the conf is deprecated from 3.0.
        rows.push(conf(
            "spark.kubernetes.pyspark.pythonVersion",
            Text::lit("3"),
        ));
    }
    rows.extend(dependencies(&spec.deps));
    // The submitter's root filesystem is read-only; --packages needs a writable Ivy cache.
    rows.push(Row::Conf {
        key: Text::lit("spark.jars.ivy"),
        value: Text::Lit(format!("{SCRATCH_DIR}/.ivy2")),
        when: When::NoKey {
            path: "sparkConf",
            key: "spark.jars.ivy",
            absent: !spec.spark_conf.contains_key("spark.jars.ivy"),
        },
    });
    rows.push(Row::Each {
        prefix: String::new(),
        range: Range::Map("sparkConf"),
        entries: spec.spark_conf.clone().into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.hadoop.".into(),
        range: Range::Map("hadoopConf"),
        entries: spec.hadoop_conf.clone().into_iter().collect(),
        escape: Escape::Once,
    });

    rows.push(Row::Arg(Text::value(
        "application.file",
        &spec.main_application_file,
        APPLICATION_ESCAPE,
    )));
    rows.push(Row::Args {
        path: "application.arguments",
        items: spec.arguments.clone(),
        escape: APPLICATION_ESCAPE,
    });
    rows
}

/// The settings that send the job's writes through the S3A committer `committer`: Hadoop's
/// committer and its options, then Spark's binding to it (spark-hadoop-cloud) for every format
/// and for Parquet, which insists on a `ParquetOutputCommitter` (Spark's cloud-integration docs).
/// From Spark 4.1 the driver sets the magic committer and the binding itself, so only a staging
/// committer's own settings remain.
fn committer_rows(rows: &mut Vec<Row>, committer: &Committer, versions: JobVersions) {
    let spark_binds = versions.spark >= MIN_SPARK_MAGIC_DEFAULT;
    if spark_binds && matches!(committer, Committer::Magic(_)) {
        return;
    }
    rows.push(conf(
        "spark.hadoop.fs.s3a.committer.name",
        Text::lit(committer.name()),
    ));
    match committer {
        Committer::Magic(_) => {
            if versions.hadoop < MIN_HADOOP_MAGIC_ENABLED {
                rows.push(conf(
                    "spark.hadoop.fs.s3a.committer.magic.enabled",
                    Text::lit("true"),
                ));
            }
        }
        Committer::Directory(staging) | Committer::Partitioned(staging) => {
            if let Some(mode) = staging.conflict_mode {
                rows.push(conf(
                    "spark.hadoop.fs.s3a.committer.staging.conflict-mode",
                    Text::lit(mode.as_str()),
                ));
            }
            rows.push(conf(
                "spark.hadoop.fs.s3a.committer.staging.tmp.path",
                Text::Lit(escape(&staging.staging_path)),
            ));
        }
    }
    if spark_binds {
        return;
    }
    rows.push(conf(
        "spark.sql.sources.commitProtocolClass",
        Text::lit(PATH_OUTPUT_COMMIT_PROTOCOL),
    ));
    rows.push(conf(
        "spark.sql.parquet.output.committer.class",
        Text::lit(BINDING_PARQUET_OUTPUT_COMMITTER),
    ));
}

/// The `--conf` settings of a table as (key, value) pairs, in order, exactly as [`args`] writes
/// them (escaped for the kubelets they pass through).
pub fn confs(rows: &[Row]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in rows {
        row_confs(row, |mut arg, key_len| {
            let value = arg.split_off(key_len + 1);
            arg.truncate(key_len);
            out.push((arg, value));
        });
    }
    out
}

/// Each `--conf` of a row as the `KEY=VALUE` argument spark-submit receives (user text escaped
/// for the kubelets it passes through), with the length of `KEY`: the one rule of [`args`] and
/// [`confs`].
fn row_confs(row: &Row, mut emit: impl FnMut(String, usize)) {
    match row {
        Row::Conf { key, value, when } => {
            if when.holds() {
                let mut arg = String::new();
                Escape::Once.push(&mut arg, &key.evaluate());
                let key_len = arg.len();
                arg.push('=');
                value.push(&mut arg);
                emit(arg, key_len);
            }
        }
        Row::Each {
            prefix,
            entries,
            escape: value_escape,
            ..
        } => {
            for (k, v) in entries {
                let mut arg = String::with_capacity(prefix.len() + k.len() + v.len() + 1);
                Escape::Once.push(&mut arg, prefix);
                Escape::Once.push(&mut arg, k);
                let key_len = arg.len();
                arg.push('=');
                value_escape.push(&mut arg, v);
                emit(arg, key_len);
            }
        }
        Row::Arg(_) | Row::Args { .. } => {}
    }
}

/// The arguments after `spark-submit` for this job.
pub fn args(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        match row {
            Row::Arg(text) => out.push(text.evaluate()),
            Row::Args { items, escape, .. } => out.extend(items.iter().map(|i| escape.apply(i))),
            Row::Conf { .. } | Row::Each { .. } => row_confs(row, |arg, _| {
                out.push("--conf".into());
                out.push(arg);
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The `--conf` values of a config with these lines under `spec.s3` (Spark `spark`, with
    /// Hadoop `hadoop` when given).
    fn confs(spark: &str, hadoop: Option<&str>, s3: &str) -> Vec<String> {
        let hadoop = hadoop.map_or_else(String::new, |h| {
            format!("  hadoopVersion: {h}\n  customDistribution: true\n")
        });
        let text = format!(
            "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: Python\n  sparkVersion: {spark}\n{hadoop}  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.py\n  s3:\n{s3}"
        );
        let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
        let job = config.resolve(None).unwrap();
        let args = args(&table(job, &BTreeMap::new()));
        args.iter()
            .zip(args.iter().skip(1))
            .filter(|(flag, _)| *flag == "--conf")
            .map(|(_, conf)| conf.clone())
            .filter(|c| c.contains("committer") || c.contains("commitProtocol"))
            .collect()
    }

    #[test]
    fn python_and_r_executors_get_the_documented_overhead_under_each_lines_key() {
        let factor = |spark: &str, kind: &str| {
            let text = format!(
                "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: {kind}\n  sparkVersion: {spark}\n  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.{}\n{}",
                if kind == "Python" { "py" } else { "jar" },
                if kind == "Python" {
                    ""
                } else {
                    "  mainClass: a.B\n"
                },
            );
            let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
            args(&table(config.resolve(None).unwrap(), &BTreeMap::new()))
                .into_iter()
                .filter(|a| a.contains("emoryOverheadFactor"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            factor("3.5.3", "Python"),
            ["spark.executor.memoryOverheadFactor=0.4"]
        );
        assert_eq!(
            factor("4.1.1", "Python"),
            ["spark.executor.memoryOverheadFactor=0.4"]
        );
        assert_eq!(
            factor("3.2.4", "Python"),
            ["spark.kubernetes.memoryOverheadFactor=0.4"]
        );
        assert!(
            factor("3.5.3", "Scala").is_empty(),
            "JVM executors keep Spark's 10%"
        );
    }

    #[test]
    fn outputs_bring_exactly_their_committers_settings() {
        let binding = [
            format!("spark.sql.sources.commitProtocolClass={PATH_OUTPUT_COMMIT_PROTOCOL}"),
            format!("spark.sql.parquet.output.committer.class={BINDING_PARQUET_OUTPUT_COMMITTER}"),
        ];
        // Hadoop 3.3.4 has the magic committer on by default.
        assert_eq!(
            confs("3.5.3", None, "    outputs: [s3a://out/x]\n"),
            [
                vec!["spark.hadoop.fs.s3a.committer.name=magic".to_owned()],
                binding.to_vec()
            ]
            .concat()
        );
        // Hadoop 3.2 needs it switched on.
        assert_eq!(
            confs("3.1.3", None, "    outputs: [s3a://out/x]\n")[..2],
            [
                "spark.hadoop.fs.s3a.committer.name=magic",
                "spark.hadoop.fs.s3a.committer.magic.enabled=true"
            ]
        );
        assert_eq!(
            confs(
                "3.5.3",
                None,
                "    outputs: [s3a://out/x]\n    committer:\n      partitioned:\n        stagingPath: hdfs://nn:8020/tmp/$staging\n        conflictMode: replace\n"
            ),
            [
                vec![
                    "spark.hadoop.fs.s3a.committer.name=partitioned".to_owned(),
                    "spark.hadoop.fs.s3a.committer.staging.conflict-mode=replace".to_owned(),
                    // User text: escaped for the kubelet.
                    "spark.hadoop.fs.s3a.committer.staging.tmp.path=hdfs://nn:8020/tmp/$$staging"
                        .to_owned(),
                ],
                binding.to_vec()
            ]
            .concat()
        );
        // Spark 4.1 sets the magic committer and the binding itself; a staging committer still
        // needs its own settings.
        assert!(confs("4.1.1", None, "    outputs: [s3a://out/x]\n").is_empty());
        assert_eq!(
            confs(
                "4.2.0",
                None,
                "    outputs: [s3a://out/x]\n    committer:\n      directory:\n        stagingPath: hdfs://nn:8020/tmp/staging\n"
            ),
            [
                "spark.hadoop.fs.s3a.committer.name=directory",
                "spark.hadoop.fs.s3a.committer.staging.tmp.path=hdfs://nn:8020/tmp/staging"
            ]
        );
        // Spark 4.0 does not.
        assert_eq!(
            confs("4.0.1", None, "    outputs: [s3a://out/x]\n").len(),
            3
        );
        // A read-only job has none of them.
        assert!(confs("3.5.3", None, "    paths: [s3a://inputs/x]\n").is_empty());
    }

    #[test]
    fn an_event_log_dir_turns_the_event_log_on() {
        let text = "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: Python\n  sparkVersion: 3.5.3\n  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.py\n  s3:\n    eventLogDir: s3a://history/spark-events\n";
        let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
        let args = args(&table(config.resolve(None).unwrap(), &BTreeMap::new()));
        let at = args
            .iter()
            .position(|a| a == "spark.eventLog.enabled=true")
            .unwrap();
        assert_eq!(
            args[at + 2],
            "spark.eventLog.dir=s3a://history/spark-events"
        );
    }
}
