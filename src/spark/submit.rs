//! The `spark-submit` command line of the submitter Job, built by one pure function in a fixed
//! order, plus the names it shares with the Job (environment variables, pod template paths).
//!
//! Names that Helm or Kustomize may rewrite after generation (namespace, service account, image,
//! Secret name) are not frozen into the arguments: the submitter container gets them as
//! environment variables (from the downward API, or from one literal value other tools can patch)
//! and the arguments refer to them as `$(VAR)`, which the kubelet expands. Every piece of user
//! text is escaped (`$` becomes `$$`) so the kubelet never expands anything the user wrote; text
//! Spark copies into its own pods' args and env is escaped twice, once per kubelet.

use std::collections::BTreeMap;

use crate::config::model::{ApplicationType, S3Credentials, SparkJob};
use crate::config::validate::JobVersions;
use crate::spark::versions::{
    self, CredentialsKind, MIN_HADOOP_REGION_CONF, MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT,
    MIN_SPARK_POD_TEMPLATE, Version,
};

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

fn var(name: &str) -> String {
    format!("$({name})")
}

/// Collects `--conf key=value` pairs in order.
struct Args(Vec<String>);

impl Args {
    fn conf(&mut self, key: &str, value: &str) {
        self.0.push("--conf".into());
        self.0.push(format!("{}={}", escape(key), value));
    }
    /// A conf whose value is user text.
    fn user_conf(&mut self, key: &str, value: &str) {
        self.conf(key, &escape(value));
    }
}

/// The arguments after `spark-submit`, in this order: master, deploy mode, name, class; namespace,
/// service accounts, image; pod templates; driver then executor sizing; driver then executor
/// labels, annotations and env; credentials; S3A settings; version-specific confs; the user's
/// sparkConf then hadoopConf (sorted); the application file and its arguments.
///
/// `driver_labels` and `executor_labels` are the labels those pods get besides the user's.
pub fn spark_submit_args(
    job: &SparkJob,
    versions: JobVersions,
    driver_labels: &BTreeMap<String, String>,
    executor_labels: &BTreeMap<String, String>,
) -> Vec<String> {
    let spec = &job.spec;
    let mut a = Args(vec![
        "--master".into(),
        MASTER.into(),
        "--deploy-mode".into(),
        "cluster".into(),
        "--name".into(),
        escape(&job.metadata.name),
    ]);
    if let Some(class) = &spec.main_class {
        a.0.extend(["--class".into(), escape_for_spark_pods(class)]);
    }

    a.conf("spark.kubernetes.namespace", &var(ENV_NAMESPACE));
    a.conf(
        "spark.kubernetes.authenticate.driver.serviceAccountName",
        &var(ENV_SERVICE_ACCOUNT),
    );
    if versions.spark >= MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT {
        a.conf(
            "spark.kubernetes.authenticate.executor.serviceAccountName",
            &var(ENV_SERVICE_ACCOUNT),
        );
    }
    a.conf("spark.kubernetes.container.image", &var(ENV_IMAGE));
    a.conf(
        "spark.kubernetes.container.image.pullPolicy",
        spec.image_pull_policy.as_str(),
    );
    if !spec.image_pull_secrets.is_empty() {
        a.user_conf(
            "spark.kubernetes.container.image.pullSecrets",
            &spec.image_pull_secrets.join(","),
        );
    }
    if uses_pod_templates(versions.spark) {
        a.conf(
            "spark.kubernetes.driver.podTemplateFile",
            &format!("{POD_TEMPLATE_DIR}/{DRIVER_TEMPLATE}"),
        );
        a.conf(
            "spark.kubernetes.executor.podTemplateFile",
            &format!("{POD_TEMPLATE_DIR}/{EXECUTOR_TEMPLATE}"),
        );
    }

    let (driver, executor) = (spec.driver.as_pod(), spec.executor.as_pod());
    a.conf("spark.driver.cores", &driver.cores.to_string());
    if let Some(v) = driver.core_request {
        a.user_conf("spark.kubernetes.driver.request.cores", v);
    }
    if let Some(v) = driver.core_limit {
        a.user_conf("spark.kubernetes.driver.limit.cores", v);
    }
    a.user_conf("spark.driver.memory", driver.memory);
    if let Some(v) = driver.memory_overhead {
        a.user_conf("spark.driver.memoryOverhead", v);
    }
    a.conf(
        "spark.executor.instances",
        &spec.executor.instances.to_string(),
    );
    a.conf("spark.executor.cores", &executor.cores.to_string());
    if let Some(v) = executor.core_request {
        a.user_conf("spark.kubernetes.executor.request.cores", v);
    }
    if let Some(v) = executor.core_limit {
        a.user_conf("spark.kubernetes.executor.limit.cores", v);
    }
    a.user_conf("spark.executor.memory", executor.memory);
    if let Some(v) = executor.memory_overhead {
        a.user_conf("spark.executor.memoryOverhead", v);
    }

    for (role, pod, env_prefix, role_labels) in [
        (
            "driver",
            &driver,
            "spark.kubernetes.driverEnv.",
            driver_labels,
        ),
        ("executor", &executor, "spark.executorEnv.", executor_labels),
    ] {
        // The recommended labels and metadata.labels, then the role's own.
        let mut labels = role_labels.clone();
        labels.extend(pod.labels.clone());
        for (k, v) in &labels {
            a.user_conf(&format!("spark.kubernetes.{role}.label.{k}"), v);
        }
        for (k, v) in pod.annotations {
            a.user_conf(&format!("spark.kubernetes.{role}.annotation.{k}"), v);
        }
        for e in pod.env {
            a.conf(
                &format!("{env_prefix}{}", e.name),
                &escape_for_spark_pods(&e.value),
            );
        }
    }
    // Before Spark 3.0 there are no pod templates: one node selector for both roles (validated equal).
    if !uses_pod_templates(versions.spark) {
        for (k, v) in driver.node_selector {
            a.user_conf(&format!("spark.kubernetes.node.selector.{k}"), v);
        }
    }

    if let S3Credentials::Secret(secret) = &spec.s3.credentials {
        for role in ["driver", "executor"] {
            for (env, key) in [
                ("AWS_ACCESS_KEY_ID", &secret.access_key_id_key),
                ("AWS_SECRET_ACCESS_KEY", &secret.secret_access_key_key),
            ] {
                a.conf(
                    &format!("spark.kubernetes.{role}.secretKeyRef.{env}"),
                    &format!("{}:{}", var(ENV_SECRET), escape(key)),
                );
            }
        }
    }

    let s3 = &spec.s3;
    if let Some(endpoint) = &s3.endpoint {
        a.user_conf(
            "spark.hadoop.fs.s3a.endpoint",
            endpoint.trim_end_matches('/'),
        );
    }
    if let Some(region) = &s3.region
        && versions.hadoop >= MIN_HADOOP_REGION_CONF
    {
        a.user_conf("spark.hadoop.fs.s3a.endpoint.region", region);
    }
    if s3.path_style_access {
        a.conf("spark.hadoop.fs.s3a.path.style.access", "true");
    }
    let tls = s3
        .tls
        .or_else(|| s3.endpoint.as_deref().map(|e| e.starts_with("https://")))
        .unwrap_or(true);
    a.conf(
        "spark.hadoop.fs.s3a.connection.ssl.enabled",
        if tls { "true" } else { "false" },
    );
    a.conf(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        credentials_provider(job, versions.hadoop),
    );

    if spec.app_type == ApplicationType::Python && versions.spark.line() == (2, 4) {
        // Spark 2.4 runs Python 2 unless told otherwise; the conf is deprecated from 3.0.
        a.conf("spark.kubernetes.pyspark.pythonVersion", "3");
    }
    if !spec.spark_conf.contains_key("spark.jars.ivy") {
        // The submitter's root filesystem is read-only; --packages needs a writable Ivy cache.
        a.conf("spark.jars.ivy", &format!("{SCRATCH_DIR}/.ivy2"));
    }

    for (k, v) in &spec.spark_conf {
        a.user_conf(k, v);
    }
    for (k, v) in &spec.hadoop_conf {
        a.user_conf(&format!("spark.hadoop.{k}"), v);
    }

    a.0.push(escape_for_spark_pods(&spec.main_application_file));
    a.0.extend(spec.arguments.iter().map(|arg| escape_for_spark_pods(arg)));
    a.0
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
