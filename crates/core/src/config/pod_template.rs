//! Which fields of a user's pod template (`driver.podTemplate`, `executor.podTemplate`) the tool
//! owns, which have a typed field of their own, and which `restricted` forbids: the one list the
//! validator warns and refuses from, and that the merge ([`crate::k8s::pod_template`]) is tested
//! against, so a field the tool starts setting cannot be overridden without a warning. The
//! chart's Go copy of the merge (`k8s-s3-spark.mergeUnder`) is generated with these lists.

/// Pod fields the tool sets on every pod it describes: a template's value is replaced, with a
/// warning. Each with what decides it instead.
pub const OWNED_POD_FIELDS: &[(&str, &str)] = &[
    (
        "activeDeadlineSeconds",
        "spec.submitter.activeDeadlineSeconds decides it",
    ),
    (
        "automountServiceAccountToken",
        "the driver mounts the API token, executors never do",
    ),
    (
        "restartPolicy",
        "a run is never restarted in place: a retry is a new pod (spec.submitter.backoffLimit)",
    ),
    (
        "securityContext",
        "the pod's security context meets Pod Security restricted (spec.submitter.runAsUser sets the user)",
    ),
    (
        "serviceAccount",
        "the pods run as the job's service account, which its Role is bound to",
    ),
    (
        "serviceAccountName",
        "the pods run as the job's service account, which its Role is bound to",
    ),
];

/// Fields of every container (Spark's and sidecars, init containers too) the tool sets.
pub const OWNED_CONTAINER_FIELDS: &[(&str, &str)] = &[(
    "securityContext",
    "every container's security context meets Pod Security restricted",
)];

/// The container Spark makes the driver in (the Job's pod, and the one the Spark Operator's
/// driver template names): the tool names a driver template's first container so.
pub const DRIVER_CONTAINER: &str = "spark-kubernetes-driver";

/// Spark's default executor container name: the tool names an executor template's first
/// container so.
pub const EXECUTOR_CONTAINER: &str = "spark-kubernetes-executor";

/// Fields of Spark's container (the template's first) that the tool or Spark sets.
pub const OWNED_MAIN_CONTAINER_FIELDS: &[(&str, &str)] = &[
    ("args", "the tool and Spark give the arguments"),
    ("command", "the tool and Spark give the command"),
    ("image", "spec.image decides it"),
    ("imagePullPolicy", "spec.imagePullPolicy decides it"),
    (
        "resources",
        "cores, coreRequest, coreLimit, memory and memoryOverhead decide it",
    ),
    (
        "workingDir",
        "a cluster-mode driver (the operator form) copies its dependencies into it, so it is the writable scratch folder",
    ),
    (
        "terminationMessagePath",
        "the driver's failure is written there for `kubectl describe`",
    ),
    (
        "terminationMessagePolicy",
        "the driver's failure is written there for `kubectl describe`",
    ),
];

/// Pod fields with a typed field of the config (relative to `spec.driver`/`spec.executor`, or
/// absolute from `spec.`): set in one place or the other, never both.
pub const TYPED_POD_FIELDS: &[(&str, &str)] = &[
    ("affinity", "affinity"),
    ("imagePullSecrets", "spec.imagePullSecrets"),
    ("nodeSelector", "nodeSelector"),
    ("priorityClassName", "priorityClassName"),
    ("tolerations", "tolerations"),
];

/// Metadata of a template the tool carries; any other (name, namespace, owners) is refused.
pub const CARRIED_METADATA: &[(&str, &str)] =
    &[("annotations", "annotations"), ("labels", "labels")];

/// Pod fields Pod Security `restricted` refuses when true.
pub const HOST_NAMESPACES: &[&str] = &["hostIPC", "hostNetwork", "hostPID"];

/// The only capability `restricted` lets a container add.
pub const ALLOWED_ADDED_CAPABILITY: &str = "NET_BIND_SERVICE";

/// Why a template's field, relative to its pod spec, is the tool's: the reason, if it is.
pub fn owned_pod_field(field: &str) -> Option<&'static str> {
    lookup(OWNED_POD_FIELDS, field)
}

/// Why a container field is the tool's (`main`: the template's first container, Spark's).
pub fn owned_container_field(field: &str, main: bool) -> Option<&'static str> {
    lookup(OWNED_CONTAINER_FIELDS, field).or_else(|| {
        main.then(|| lookup(OWNED_MAIN_CONTAINER_FIELDS, field))
            .flatten()
    })
}

fn lookup(table: &[(&str, &'static str)], field: &str) -> Option<&'static str> {
    table.iter().find(|(f, _)| *f == field).map(|(_, why)| *why)
}
