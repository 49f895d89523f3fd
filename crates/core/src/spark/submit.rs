//! The names the `spark-submit` command line of the Job shares with the Job's pod (environment
//! variables, pod template paths) and the escaping of user text in it.
//!
//! spark-submit runs in client mode: the Job's pod is the Spark driver, so the Job succeeds
//! exactly when the application does (in cluster mode spark-submit exits 0 when the driver fails,
//! SPARK-26365), `kubectl logs job/NAME` is the driver's log, and the executors are owned by the
//! Job's pod, so deleting the Job deletes them.
//!
//! Names that Helm or Kustomize may rewrite after generation (namespace, service account, image,
//! Secret name) are not frozen into the arguments: the submitter container gets them as
//! environment variables (from the downward API, or from one literal value other tools can patch)
//! and the arguments refer to them as `$(VAR)`, which the kubelet expands. Every piece of user
//! text is escaped (`$` becomes `$$`) so the kubelet never expands anything the user wrote; text
//! Spark copies into the executor pods' env is escaped twice, once per kubelet.

/// The API server as seen from inside a pod; Spark needs the port even for 443.
pub const MASTER: &str = "k8s://https://kubernetes.default.svc:443";
/// spark-submit in the Apache Spark images.
pub const SPARK_SUBMIT: &str = "/opt/spark/bin/spark-submit";
/// `--deploy-mode`: the driver runs in the Job's own pod.
pub const DEPLOY_MODE: &str = "client";
/// Env var with the pod's name (downward API `metadata.name`): the driver pod Spark names as the
/// executors' owner.
pub const ENV_POD_NAME: &str = "K8S_S3_SPARK_POD_NAME";
/// Env var with the pod's IP (downward API `status.podIP`): where executors reach the driver.
pub const ENV_POD_IP: &str = "K8S_S3_SPARK_POD_IP";
/// The env vars S3A's `EnvironmentVariableCredentialsProvider` reads: the access key id, then the
/// secret key. The driver (the Job's pod) gets them from the Secret as env, the executors through
/// `spark.kubernetes.executor.secretKeyRef.*`.
pub const KEY_ENV: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
/// Env var with the pod's namespace (downward API `metadata.namespace`).
pub const ENV_NAMESPACE: &str = "K8S_S3_SPARK_NAMESPACE";
/// Env var with the pod's service account (downward API `spec.serviceAccountName`).
pub const ENV_SERVICE_ACCOUNT: &str = "K8S_S3_SPARK_SERVICE_ACCOUNT";
/// Env var with the image for the executors (the Job pod's own image), read from the pod's
/// [`ANNOTATION_IMAGE`].
pub const ENV_IMAGE: &str = "K8S_S3_SPARK_IMAGE";
/// Env var with the name of the credentials Secret, read from the pod's [`ANNOTATION_SECRET`].
pub const ENV_SECRET: &str = "K8S_S3_SPARK_SECRET";
/// The annotations of the tool's own, under this prefix; users may not set them.
pub const ANNOTATION_PREFIX: &str = "k8s-s3-spark/";
/// The Job pod's annotation holding the executors' image (the pod's own), which [`ENV_IMAGE`]
/// reads through the downward API. An annotation of its own, not an env value, so that
/// Kustomize's `images:` transformer can be told to update exactly it (and no env value of the
/// user's that happens to equal the image).
pub const ANNOTATION_IMAGE: &str = "k8s-s3-spark/image";
/// The Job pod's annotation holding the credentials Secret's name, which [`ENV_SECRET`] reads;
/// Kustomize renames it with the Secret (`namePrefix`, generator hashes) and nothing else.
pub const ANNOTATION_SECRET: &str = "k8s-s3-spark/secret";

/// The downward API path of one of the pod's annotations.
pub fn annotation_field(key: &str) -> String {
    format!("metadata.annotations['{key}']")
}
/// Where the pod templates are mounted in the submitter.
pub const POD_TEMPLATE_DIR: &str = "/opt/k8s-s3-spark/pod-templates";
/// File name of the executor pod template.
pub const EXECUTOR_TEMPLATE: &str = "executor.yaml";
/// Writable scratch space of the submitter (its root filesystem is read-only).
pub const SCRATCH_DIR: &str = "/tmp";
/// The volume mounted at [`SCRATCH_DIR`].
pub const SCRATCH_VOLUME: &str = "tmp";
/// The volume mounted at [`POD_TEMPLATE_DIR`].
pub const TEMPLATES_VOLUME: &str = "pod-templates";
/// The volumes the Job's pod (the driver) has of its own, by name and mount path: the user's
/// driver volumes may take neither.
pub const DRIVER_OWN_VOLUMES: [(&str, &str); 2] = [
    (SCRATCH_VOLUME, SCRATCH_DIR),
    (TEMPLATES_VOLUME, POD_TEMPLATE_DIR),
];

/// Escapes user text for Kubernetes `$(VAR)` expansion in `command`, `args` and env values.
pub fn escape(text: &str) -> String {
    text.replace('$', "$$")
}

/// What the kubelet makes of `text` in `command`, `args` or an env value: `$$` is `$`, `$(VAR)`
/// is `var(VAR)` when that is known and stays as written when not, any other `$` stays. The
/// inverse of [`escape`] for user text; used to read the Job's arguments as spark-submit sees
/// them.
pub fn expand(text: &str, var: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some((name, tail)) = after
            .strip_prefix('(')
            .and_then(|inner| inner.split_once(')'))
            && let Some(value) = var(name)
        {
            out.push_str(&value);
            rest = tail;
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_undoes_escape_and_fills_known_variables() {
        let var = |name: &str| (name == "A").then(|| "x".to_owned());
        for text in ["plain", "$(A)", "a$b", "$$(A)", "$", "$$", "p$(A"] {
            assert_eq!(expand(&escape(text), var), text, "{text}");
        }
        assert_eq!(expand("$(A):$(B)", var), "x:$(B)");
        assert_eq!(expand("$$$$(A)", var), "$$(A)");
    }

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
