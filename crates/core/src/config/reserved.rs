//! What a config may not set by hand because the tool sets it from a field: Spark confs and the
//! credentials' environment variables. The validator refuses them with the field to use instead;
//! a test keeps every fixed key of the settings table ([`crate::spark::settings`]) in this list.

/// Env vars the credentials set in the driver and executors (the Job itself, or the EKS webhook
/// for web identity and Pod Identity); users may not set them, since a hand-set one silently
/// points the SDK's credential chain somewhere else.
pub const RESERVED_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// Labels Spark sets on the pods it makes and refuses in user labels at run time (its
/// `Constants`: SPARK_ROLE_LABEL, SPARK_APP_ID_LABEL, SPARK_EXECUTOR_ID_LABEL,
/// SPARK_APP_NAME_LABEL, SPARK_RESOURCE_PROFILE_ID_LABEL).
pub const SPARK_LABELS: &[&str] = &[
    "spark-role",
    "spark-app-selector",
    "spark-exec-id",
    "spark-app-name",
    "spark-resource-profile-id",
];

/// The prefix of the env vars the tool sets in the Job's pod (`K8S_S3_SPARK_IMAGE`...).
pub const TOOL_ENV_PREFIX: &str = "K8S_S3_SPARK_";

/// Confs whose value Spark copies into the executors' environment (`SPARK_JAVA_OPT_n`,
/// `SPARK_CLASSPATH`), where the executors' kubelet expands `$(VAR)` once more.
pub const EXECUTOR_ENV_CONFS: &[&str] = &[
    "spark.executor.extraJavaOptions",
    "spark.executor.extraClassPath",
];

/// Spark confs the tool sets from fields, with the field to use instead.
const RESERVED_CONFS: &[(&str, &str)] = &[
    ("spark.jars.packages", "set spec.deps.packages"),
    ("spark.jars.excludes", "set spec.deps.excludePackages"),
    ("spark.jars.repositories", "set spec.deps.repositories"),
    ("spark.jars", "set spec.deps.jars"),
    ("spark.files", "set spec.deps.files"),
    ("spark.submit.pyFiles", "set spec.deps.pyFiles"),
    ("spark.archives", "set spec.deps.archives"),
    (
        "spark.master",
        "the master is always the in-cluster API server",
    ),
    (
        "spark.submit.deployMode",
        "jobs always run in client mode: the driver is the Job's pod",
    ),
    (
        "spark.kubernetes.driver.pod.name",
        "the driver is the Job's pod, which the tool names",
    ),
    (
        "spark.driver.host",
        "executors reach the driver at the Job pod's IP",
    ),
    (
        "spark.kubernetes.driver.service.deleteOnTermination",
        "no Service fronts the driver",
    ),
    (
        "spark.kubernetes.driver.ownPersistentVolumeClaim",
        "the tool sets it from whether executors use OnDemand claims",
    ),
    ("spark.app.name", "set metadata.name"),
    ("spark.kubernetes.namespace", "set metadata.namespace"),
    (
        "spark.kubernetes.authenticate.driver.serviceAccountName",
        "set spec.serviceAccount.name",
    ),
    (
        "spark.kubernetes.authenticate.executor.serviceAccountName",
        "set spec.serviceAccount.name",
    ),
    ("spark.kubernetes.container.image", "set spec.image"),
    ("spark.kubernetes.driver.container.image", "set spec.image"),
    (
        "spark.kubernetes.executor.container.image",
        "set spec.image",
    ),
    (
        "spark.kubernetes.container.image.pullPolicy",
        "set spec.imagePullPolicy",
    ),
    (
        "spark.kubernetes.container.image.pullSecrets",
        "set spec.imagePullSecrets",
    ),
    (
        "spark.kubernetes.driver.podTemplateFile",
        "set spec.driver.nodeSelector/tolerations; the driver is the Job's pod",
    ),
    (
        "spark.kubernetes.executor.podTemplateFile",
        "set spec.executor.nodeSelector/tolerations; the tool writes the pod template",
    ),
    ("spark.driver.cores", "set spec.driver.cores"),
    (
        "spark.driver.bindAddress",
        "the driver binds to the Job pod's address",
    ),
    ("spark.driver.memory", "set spec.driver.memory"),
    (
        "spark.driver.memoryOverhead",
        "set spec.driver.memoryOverhead",
    ),
    (
        "spark.kubernetes.driver.request.cores",
        "set spec.driver.coreRequest",
    ),
    (
        "spark.kubernetes.driver.limit.cores",
        "set spec.driver.coreLimit",
    ),
    ("spark.executor.instances", "set spec.executor.instances"),
    (
        "spark.kubernetes.executor.deleteOnTermination",
        "set spec.executor.deleteOnTermination",
    ),
    ("spark.executor.cores", "set spec.executor.cores"),
    ("spark.executor.memory", "set spec.executor.memory"),
    (
        "spark.executor.memoryOverhead",
        "set spec.executor.memoryOverhead",
    ),
    (
        "spark.executor.memoryOverheadFactor",
        "set spec.executor.memoryOverhead; the tool sets the factor for Python and R, whose executors Spark would give 10% in client mode",
    ),
    (
        "spark.driver.memoryOverheadFactor",
        "set spec.driver.memoryOverhead; the Job's container is sized from it",
    ),
    (
        "spark.kubernetes.memoryOverheadFactor",
        "set spec.executor.memoryOverhead and spec.driver.memoryOverhead",
    ),
    (
        "spark.kubernetes.executor.request.cores",
        "set spec.executor.coreRequest",
    ),
    (
        "spark.kubernetes.executor.limit.cores",
        "set spec.executor.coreLimit",
    ),
    (
        "spark.kubernetes.pyspark.pythonVersion",
        "the tool sets it where the Spark version needs it",
    ),
    ("spark.hadoop.fs.s3a.endpoint", "set spec.s3.endpoint"),
    ("spark.hadoop.fs.s3a.endpoint.region", "set spec.s3.region"),
    (
        "spark.hadoop.fs.s3a.path.style.access",
        "set spec.s3.pathStyleAccess",
    ),
    (
        "spark.hadoop.fs.s3a.connection.ssl.enabled",
        "set spec.s3.tls",
    ),
    (
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "set spec.s3.credentials",
    ),
    (
        "spark.hadoop.fs.s3a.committer.name",
        "set spec.s3.outputs and spec.s3.committer",
    ),
    (
        "spark.hadoop.fs.s3a.committer.magic.enabled",
        "set spec.s3.outputs and spec.s3.committer",
    ),
    (
        "spark.hadoop.fs.s3a.committer.staging.conflict-mode",
        "set spec.s3.committer.<directory|partitioned>.conflictMode",
    ),
    (
        "spark.hadoop.fs.s3a.committer.staging.tmp.path",
        "set spec.s3.committer.<directory|partitioned>.stagingPath",
    ),
    (
        "spark.sql.sources.commitProtocolClass",
        "set spec.s3.outputs: writes there go through the S3A committer",
    ),
    (
        "spark.sql.parquet.output.committer.class",
        "set spec.s3.outputs: writes there go through the S3A committer",
    ),
    ("spark.eventLog.enabled", "set spec.s3.eventLogDir"),
    ("spark.eventLog.dir", "set spec.s3.eventLogDir"),
    (
        "spark.hadoop.fs.s3a.access.key",
        "keys in a conf end up in the pod spec and logs; set spec.s3.credentials.secret",
    ),
    (
        "spark.hadoop.fs.s3a.secret.key",
        "keys in a conf end up in the pod spec and logs; set spec.s3.credentials.secret",
    ),
    (
        "spark.hadoop.fs.s3a.session.token",
        "keys in a conf end up in the pod spec and logs; set spec.s3.credentials.secret",
    ),
];

/// Conf prefixes the tool owns entirely.
const RESERVED_CONF_PREFIXES: &[(&str, &str)] = &[
    // The driver is the Job's pod, not a pod Spark makes: Spark ignores these in client mode.
    (
        "spark.kubernetes.driver.label.",
        "set spec.driver.labels (the driver is the Job's pod)",
    ),
    (
        "spark.kubernetes.driver.annotation.",
        "set spec.driver.annotations (the driver is the Job's pod)",
    ),
    (
        "spark.kubernetes.driverEnv.",
        "set spec.driver.env (the driver is the Job's pod)",
    ),
    (
        "spark.kubernetes.driver.node.selector.",
        "set spec.driver.nodeSelector (the driver is the Job's pod)",
    ),
    (
        "spark.kubernetes.driver.secretKeyRef.",
        "set spec.s3.credentials.secret",
    ),
    (
        "spark.kubernetes.executor.secretKeyRef.",
        "set spec.s3.credentials.secret",
    ),
    ("spark.dynamicAllocation.", "set spec.dynamicAllocation"),
    // The typed fields refuse Spark's and the tool's own labels; these would pass them by.
    (
        "spark.kubernetes.executor.label.",
        "set spec.executor.labels",
    ),
    (
        "spark.kubernetes.executor.annotation.",
        "set spec.executor.annotations",
    ),
    // Spark copies these into the executors' env, which their kubelet expands again: the typed
    // field escapes for both kubelets.
    ("spark.executorEnv.", "set spec.executor.env"),
    (
        "spark.kubernetes.executor.volumes.",
        "set spec.executor.volumes (emptyDir, onDemandClaim or persistentVolumeClaim)",
    ),
    ("spark.executor.resource.gpu.", "set spec.executor.gpu"),
    (
        "spark.task.resource.gpu.",
        "set spec.executor.gpu.taskAmount",
    ),
    (
        "spark.kubernetes.driver.volumes.",
        "set spec.driver.volumes (the driver is the Job's pod)",
    ),
];

/// Why a user may not set this conf, if the tool owns it.
pub fn reserved_conf_reason(key: &str) -> Option<&'static str> {
    RESERVED_CONFS
        .iter()
        .find(|(k, _)| *k == key)
        .or_else(|| {
            RESERVED_CONF_PREFIXES
                .iter()
                .find(|(p, _)| key.starts_with(p))
        })
        .map(|(_, reason)| *reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spark::settings::{Row, Text, table};

    #[test]
    fn the_key_variables_the_job_sets_are_reserved() {
        for name in crate::spark::submit::KEY_ENV {
            assert!(RESERVED_ENV.contains(&name), "{name}");
        }
    }

    #[test]
    fn reserved_confs_name_the_field_to_use() {
        assert_eq!(
            reserved_conf_reason("spark.executor.instances"),
            Some("set spec.executor.instances")
        );
        assert!(reserved_conf_reason("spark.kubernetes.driver.secretKeyRef.X").is_some());
        assert_eq!(reserved_conf_reason("spark.sql.shuffle.partitions"), None);
    }

    #[test]
    fn every_conf_the_table_sets_is_refused_in_spark_conf() {
        for example in [
            "amazon-reviews",
            "minio",
            "irsa",
            "reviews-summary",
            "nightly-summary",
        ] {
            let config = crate::config::load(
                &crate::repo_root().join(format!("examples/{example}/spark-job.yaml")),
            )
            .unwrap();
            let job = config.resolve(None).unwrap();
            for row in table(job, &Default::default()) {
                if let Row::Conf {
                    key: Text::Lit(key),
                    ..
                } = &row
                    && key != "spark.jars.ivy"
                {
                    assert!(
                        reserved_conf_reason(key).is_some(),
                        "{key} is set by the tool but a user could set it too"
                    );
                }
            }
        }
    }
}
