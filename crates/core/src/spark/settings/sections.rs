//! The rows of the table's optional sections: dependencies, dynamic allocation, GPUs, the
//! executors' volumes and the S3A committers, each present only when the job asks for it.

use super::*;

/// The dependency settings: each list joined with `,`, when not empty.
pub(super) fn dependencies(deps: &Dependencies) -> Vec<Row> {
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
pub(super) fn dynamic_allocation(spec: &DynamicAllocationSpec) -> Vec<Row> {
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
pub(super) fn gpus(gpu: &GpuSpec) -> [Row; 4] {
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
pub(super) fn executor_volumes(volumes: &[VolumeSpec]) -> Vec<(String, String)> {
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

/// The settings that send the job's writes through the S3A committer `committer`: Hadoop's
/// committer and its options, then Spark's binding to it (spark-hadoop-cloud) for every format
/// and for Parquet, which insists on a `ParquetOutputCommitter` (Spark's cloud-integration docs).
/// From Spark 4.1 the driver sets the magic committer and the binding itself, so only a staging
/// committer's own settings remain.
pub(super) fn committer_rows(rows: &mut Vec<Row>, committer: &Committer, versions: JobVersions) {
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
