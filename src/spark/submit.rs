//! The `spark-submit` command line of the submitter Job, built by one pure function in a fixed
//! order, plus the names it shares with the Job (environment variables, pod template paths).
//!
//! Names that Helm or Kustomize may rewrite after generation (namespace, service account, image,
//! Secret name) are not frozen into the arguments: the submitter container gets them as
//! environment variables (from the downward API, or from one literal value other tools can patch)
//! and the arguments refer to them as `$(VAR)`, which the kubelet expands. Every piece of user
//! text is escaped (`$` becomes `$$`) so the kubelet never expands anything the user wrote; text
//! Spark copies into its own pods' args and env is escaped twice, once per kubelet.

use crate::config::model::{S3Credentials, SparkJob};
use crate::spark::versions::{self, CredentialsKind, MIN_SPARK_POD_TEMPLATE, Version};

/// The API server as seen from inside a pod; Spark needs the port even for 443.
pub const MASTER: &str = "k8s://https://kubernetes.default.svc:443";
/// spark-submit in the Apache Spark images.
pub const SPARK_SUBMIT: &str = "/opt/spark/bin/spark-submit";
/// Env var with the pod's namespace (downward API `metadata.namespace`).
pub const ENV_NAMESPACE: &str = "K8S_S3_SPARK_NAMESPACE";
/// Env var with the pod's service account (downward API `spec.serviceAccountName`).
pub const ENV_SERVICE_ACCOUNT: &str = "K8S_S3_SPARK_SERVICE_ACCOUNT";
/// Env var with the image for the driver and executors (the submitter's own image).
pub const ENV_IMAGE: &str = "K8S_S3_SPARK_IMAGE";
/// Env var with the name of the credentials Secret.
pub const ENV_SECRET: &str = "K8S_S3_SPARK_SECRET";
/// Where the pod templates are mounted in the submitter.
pub const POD_TEMPLATE_DIR: &str = "/opt/k8s-s3-spark/pod-templates";
/// File name of the driver pod template.
pub const DRIVER_TEMPLATE: &str = "driver.yaml";
/// File name of the executor pod template.
pub const EXECUTOR_TEMPLATE: &str = "executor.yaml";
/// Writable scratch space of the submitter (its root filesystem is read-only).
pub const SCRATCH_DIR: &str = "/tmp";
/// The service account annotation EKS reads for web identity.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// Env vars the credentials set in the driver and executors; users may not set them.
pub const RESERVED_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
];

/// Spark confs the tool sets from fields, with the field to use instead.
const RESERVED_CONFS: &[(&str, &str)] = &[
    (
        "spark.master",
        "the master is always the in-cluster API server",
    ),
    ("spark.submit.deployMode", "jobs always run in cluster mode"),
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
        "set spec.driver.nodeSelector/tolerations; the tool writes the pod template",
    ),
    (
        "spark.kubernetes.executor.podTemplateFile",
        "set spec.executor.nodeSelector/tolerations; the tool writes the pod template",
    ),
    ("spark.driver.cores", "set spec.driver.cores"),
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
    (
        "spark.kubernetes.driver.secretKeyRef.",
        "set spec.s3.credentials.secret",
    ),
    (
        "spark.kubernetes.executor.secretKeyRef.",
        "set spec.s3.credentials.secret",
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

/// Whether the job's driver and executors get pod templates (hardening, node selectors,
/// tolerations): Spark 3.0 and later.
pub fn uses_pod_templates(spark: Version) -> bool {
    spark >= MIN_SPARK_POD_TEMPLATE
}

/// The credentials provider class for the job's credentials and Hadoop version.
pub fn credentials_provider(job: &SparkJob, hadoop: Version) -> &'static str {
    let kind = match job.spec.s3.credentials {
        S3Credentials::Secret(_) => CredentialsKind::EnvironmentVariables,
        S3Credentials::WebIdentity(_) => CredentialsKind::WebIdentity,
        S3Credentials::Anonymous(_) => CredentialsKind::Anonymous,
    };
    versions::credentials_provider(kind, versions::aws_sdk(hadoop))
}

/// Escapes user text for Kubernetes `$(VAR)` expansion in `command`, `args` and env values.
pub fn escape(text: &str) -> String {
    text.replace('$', "$$")
}

/// Escapes user text that spark-submit copies into the driver or executor pods' `args` or `env`
/// (application file, main class, arguments, driverEnv/executorEnv values): the submitter's
/// kubelet unescapes it once, the driver's or executor's kubelet once more, so that
/// `$(AWS_SECRET_ACCESS_KEY)` in an argument stays text and never becomes the key.
pub fn escape_for_spark_pods(text: &str) -> String {
    escape(&escape(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_dollar() {
        assert_eq!(
            escape("$(AWS_SECRET_ACCESS_KEY)"),
            "$$(AWS_SECRET_ACCESS_KEY)"
        );
        assert_eq!(escape("a$$b"), "a$$$$b");
        assert_eq!(escape("plain"), "plain");
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
}
