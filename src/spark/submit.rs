//! The `spark-submit` command line of the submitter Job, built by one pure function in a fixed
//! order, plus the names it shares with the Job (environment variables, pod template paths).
//!
//! Names that Helm or Kustomize may rewrite after generation (namespace, service account, image,
//! Secret name) are not frozen into the arguments: the submitter container gets them as
//! environment variables (from the downward API, or from one literal value other tools can patch)
//! and the arguments refer to them as `$(VAR)`, which the kubelet expands. Every piece of user
//! text is escaped (`$` becomes `$$`) so the kubelet never expands anything the user wrote; text
//! Spark copies into its own pods' args and env is escaped twice, once per kubelet.

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
}
