//! The driver and the executors: the fields they share (cores, memory, labels, env, placement,
//! a pod template, volumes), the executors' count and GPUs, and the job's service account.

use super::*;

/// Declares the driver and executor structs, which share every field but `instances`, so that the
/// two cannot drift apart and the schema still refuses `driver.instances`.
macro_rules! spark_pod_spec {
    ($(#[$meta:meta])* $name:ident, $default_cores:expr, { $($(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Number of cores (`spark.{driver,executor}.cores`).
            #[serde(default = "default_cores")]
            #[schemars(range(min = 1, max = MAX_CORES))]
            pub cores: u32,
            /// CPU request of the pod as a Kubernetes quantity (`500m`, `1`); defaults to `cores`.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub core_request: Option<String>,
            /// CPU limit of the pod as a Kubernetes quantity (`1`, `1500m`); none by default for
            /// executors, `cores` for the driver (the Job's container).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub core_limit: Option<String>,
            /// JVM heap as a Spark size: a whole number and one unit, k, m, g or t (`512m`,
            /// `2g`; not `2gb`, which the driver's JVM refuses as `-Xmx2gb`).
            #[serde(default = "default_memory")]
            #[schemars(pattern(crate::syntax::SPARK_MEMORY_PATTERN))]
            pub memory: String,
            /// Memory beyond the heap as a Spark size; by default 10% of `memory` (40% for
            /// Python and R, whose interpreter shares the pod: the tool sets that factor, which
            /// Spark applies itself only in cluster mode), at least 384m.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            #[schemars(pattern(crate::syntax::SPARK_MEMORY_PATTERN))]
            pub memory_overhead: Option<String>,
            /// Labels added to these pods.
            #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
            pub labels: BTreeMap<String, String>,
            /// Annotations added to these pods.
            #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
            pub annotations: BTreeMap<String, String>,
            /// Environment variables set in these pods (plain values; credentials come from `s3`).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub env: Vec<EnvVar>,
            /// Node labels these pods must be scheduled on.
            #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
            pub node_selector: BTreeMap<String, String>,
            /// Taints these pods tolerate (for executors this needs Spark 3.0+: applied through a pod
            /// template).
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub tolerations: Vec<Toleration>,
            /// PriorityClass of these pods: the scheduler places pods of a higher class first and may
            /// evict lower ones to make room. The class must exist: the API server refuses pods that
            /// name one that does not (for executors, the driver then cannot start them).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub priority_class_name: Option<String>,
            /// Which nodes these pods prefer or require, next to which pods or away from which:
            /// a Kubernetes `Affinity` (`nodeAffinity`, `podAffinity`, `podAntiAffinity`), written
            /// as in a pod spec (for executors this needs Spark 3.0+: applied through a pod
            /// template).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub affinity: Option<Strict<Affinity>>,
            /// Your own pod template (`metadata` labels and annotations, `spec`), merged under
            /// ours: its one container is Spark's (the Job's container for the driver); sidecars
            /// are native ones, init containers with `restartPolicy: Always`, so the pod still
            /// ends with Spark's container. Lists with names (volumes, env, mounts, ports) are
            /// joined. Ours wins on the security fields
            /// (security contexts, service account, token) with a warning naming each of yours it
            /// overrides; what `restricted` forbids (host namespaces, hostPath, privileged,
            /// added capabilities) is refused, and so is a field set both here and in its typed
            /// field. For executors this needs Spark 3.0+.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub pod_template: Option<Strict<PodTemplateSpec>>,
            /// Volumes mounted in these pods: scratch space (`emptyDir`), a claim the driver makes
            /// for each executor (`onDemandClaim`, executors only) or an existing claim
            /// (`persistentVolumeClaim`). `hostPath` is not offered: Pod Security `restricted`
            /// forbids it.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            pub volumes: Vec<VolumeSpec>,
        }

        impl Default for $name {
            fn default() -> Self {
                Self {
                    $($field: $default,)*
                    cores: $default_cores,
                    core_request: None,
                    core_limit: None,
                    memory: default_memory(),
                    memory_overhead: None,
                    labels: BTreeMap::new(),
                    annotations: BTreeMap::new(),
                    env: Vec::new(),
                    node_selector: BTreeMap::new(),
                    tolerations: Vec::new(),
                    priority_class_name: None,
                    affinity: None,
                    pod_template: None,
                    volumes: Vec::new(),
                }
            }
        }
    };
}

spark_pod_spec!(
    /// The Spark driver: it runs in the Job's pod (spark-submit in client mode), so the Job's
    /// outcome is the application's.
    DriverSpec, 1, {}
);

spark_pod_spec!(
    /// The Spark executor pods.
    ExecutorSpec, 1, {
        /// Number of executors (`spark.executor.instances`).
        #[serde(default = "default_instances")]
        #[schemars(range(min = 1, max = MAX_EXECUTORS))]
        instances: u32 = default_instances(),
        /// Whether Spark deletes executor pods once they end (`spark.kubernetes.executor.deleteOnTermination`,
        /// Spark 3.0+; Spark's default is true). False keeps them, and their logs, for debugging.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delete_on_termination: Option<bool> = None,
        /// GPUs of each executor, which Spark requests from the device plugin of `vendor`
        /// (Spark 3.0+). None by default.
        #[serde(default)]
        #[overridable(nested)]
        gpu: GpuSpec = GpuSpec::default(),
    }
);

/// The fields the driver and the executors share, borrowed (for checks and for building).
pub struct PodView<'a> {
    /// Cores.
    pub cores: u32,
    /// CPU request.
    pub core_request: Option<&'a str>,
    /// CPU limit.
    pub core_limit: Option<&'a str>,
    /// Heap.
    pub memory: &'a str,
    /// Overhead.
    pub memory_overhead: Option<&'a str>,
    /// Labels.
    pub labels: &'a BTreeMap<String, String>,
    /// Annotations.
    pub annotations: &'a BTreeMap<String, String>,
    /// Environment.
    pub env: &'a [EnvVar],
    /// Node selector.
    pub node_selector: &'a BTreeMap<String, String>,
    /// Tolerations.
    pub tolerations: &'a [Toleration],
    /// PriorityClass.
    pub priority_class_name: Option<&'a str>,
    /// Affinity.
    pub affinity: Option<&'a Affinity>,
    /// The user's pod template.
    pub pod_template: Option<&'a PodTemplateSpec>,
    /// Volumes.
    pub volumes: &'a [VolumeSpec],
}

macro_rules! as_pod {
    ($t:ty) => {
        impl $t {
            /// The fields shared by driver and executors.
            pub fn as_pod(&self) -> PodView<'_> {
                PodView {
                    cores: self.cores,
                    core_request: self.core_request.as_deref(),
                    core_limit: self.core_limit.as_deref(),
                    memory: &self.memory,
                    memory_overhead: self.memory_overhead.as_deref(),
                    labels: &self.labels,
                    annotations: &self.annotations,
                    env: &self.env,
                    node_selector: &self.node_selector,
                    tolerations: &self.tolerations,
                    priority_class_name: self.priority_class_name.as_deref(),
                    affinity: self.affinity.as_deref(),
                    pod_template: self.pod_template.as_deref(),
                    volumes: &self.volumes,
                }
            }
        }
    };
}
as_pod!(DriverSpec);
as_pod!(ExecutorSpec);

fn default_cores() -> u32 {
    1
}
fn default_memory() -> String {
    "1g".into()
}
fn default_instances() -> u32 {
    2
}

/// One environment variable with a plain value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVar {
    /// Variable name (letters, digits and '_', not starting with a digit).
    pub name: String,
    /// Value.
    pub value: String,
}

/// A volume of the driver's or the executors' pods: a name, where it is mounted, and exactly one
/// source, as in a Kubernetes pod.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VolumeSpec {
    /// Name of the volume (a DNS-1123 label). A name starting with `spark-local-dir-` makes it
    /// Spark's scratch space for shuffle and spill files, instead of the emptyDir Spark adds.
    pub name: String,
    /// Where it is mounted in the container: an absolute path.
    pub mount_path: String,
    /// Mount it read-only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// Scratch space that lives as long as the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirSource>,
    /// A PersistentVolumeClaim the driver makes for each executor and deletes at the end (Spark's
    /// `OnDemand` claims, Spark 3.1+; executors only). The driver then needs the claims' verbs,
    /// which the Role gets only then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand_claim: Option<OnDemandClaimSource>,
    /// An existing PersistentVolumeClaim in the job's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<ClaimSource>,
}

/// What an `emptyDir` volume is kept in.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmptyDirSource {
    /// `Memory` for a tmpfs (it counts against the pod's memory); the node's disk when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<EmptyDirMedium>,
    /// The most it may hold, as a Kubernetes quantity (`10Gi`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<String>,
}

/// The medium of an `emptyDir`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum EmptyDirMedium {
    /// A tmpfs in the pod's memory.
    Memory,
}

/// A claim made for each executor.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OnDemandClaimSource {
    /// The size of each claim, as a Kubernetes quantity (`50Gi`).
    pub size: String,
    /// The StorageClass that provisions it. Required: Spark makes the claim only when it has
    /// both a class and a size (without them it mounts a claim it expects to exist).
    pub storage_class: String,
}

/// An existing claim.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimSource {
    /// The claim's name.
    pub claim_name: String,
}

impl VolumeSpec {
    /// How many sources are set (exactly one is valid).
    pub fn source_count(&self) -> usize {
        usize::from(self.empty_dir.is_some())
            + usize::from(self.on_demand_claim.is_some())
            + usize::from(self.persistent_volume_claim.is_some())
    }
}

/// GPUs of each executor: Spark asks Kubernetes for `amount` of the extended resource
/// `VENDOR/gpu` (the device plugin's), runs `discoveryScript` in each executor to learn their
/// addresses, and hands them to tasks by `taskAmount`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GpuSpec {
    /// GPUs per executor (`spark.executor.resource.gpu.amount`), written whenever `gpu` is:
    /// 0 asks for none, and the other fields are then unused (so an environment turns its
    /// base's GPUs off with `amount: 0` alone).
    #[schemars(range(max = MAX_GPUS))]
    pub amount: u32,
    /// The device plugin's domain: the pods ask for `VENDOR/gpu`
    /// (`spark.executor.resource.gpu.vendor`; `nvidia.com`, `amd.com`, `gpu.intel.com`).
    #[serde(default = "default_gpu_vendor")]
    pub vendor: String,
    /// Absolute path, in the image, of the script that prints the executor's GPUs as
    /// `{"name": "gpu", "addresses": [...]}` (`spark.executor.resource.gpu.discoveryScript`;
    /// Spark ships `examples/src/main/scripts/getGpusResources.sh` for NVIDIA). Needed with GPUs:
    /// an executor without one fails to start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery_script: Option<String>,
    /// GPUs each task takes (`spark.task.resource.gpu.amount`): a whole number, or a fraction
    /// up to 0.5 for tasks sharing one (0.25: four tasks per GPU). Unset, tasks get no GPU
    /// address (Spark warns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0))]
    pub task_amount: Option<f64>,
}

impl Default for GpuSpec {
    fn default() -> Self {
        Self {
            amount: 0,
            vendor: default_gpu_vendor(),
            discovery_script: None,
            task_amount: None,
        }
    }
}

/// The most GPUs an executor may ask for (more is no node anyone has).
pub const MAX_GPUS: u32 = 64;

fn default_gpu_vendor() -> String {
    "nvidia.com".into()
}

/// A Kubernetes toleration.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Toleration {
    /// Taint key; empty with operator `Exists` tolerates everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// `Equal` (default) or `Exists`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<TolerationOperator>,
    /// Taint value, for operator `Equal`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all effects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<TaintEffect>,
    /// For `NoExecute`: how long the pod stays bound after the taint appears.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub toleration_seconds: Option<i64>,
}

/// How a toleration matches a taint's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TolerationOperator {
    /// The values must be equal.
    Equal,
    /// Any value matches.
    Exists,
}

/// The effect of a taint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum TaintEffect {
    /// New pods are not scheduled.
    NoSchedule,
    /// New pods are avoided.
    PreferNoSchedule,
    /// Running pods are evicted.
    NoExecute,
}

/// The service account the Job's pod (the driver) and the executors run as, and its Role.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceAccountSpec {
    /// Name of the service account. Default: the job's name (the chart's release name), so two
    /// jobs or two Helm releases in one namespace never share or fight over one account. Set it
    /// (with `create: false`) to use an account that exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether to generate the ServiceAccount (default true). The Role and RoleBinding are always
    /// generated and bound to this name.
    #[serde(default = "default_true")]
    pub create: bool,
    /// Annotations on the ServiceAccount. Web identity adds `eks.amazonaws.com/role-arn` itself.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Default for ServiceAccountSpec {
    fn default() -> Self {
        Self {
            name: None,
            create: true,
            annotations: BTreeMap::new(),
        }
    }
}
