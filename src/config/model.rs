//! The typed `spark-job.yaml` document. Field names follow the Kubeflow Spark Operator's
//! `SparkApplication` where the concept exists there. Every `///` comment becomes the field's
//! description in the JSON schema (`k8s-s3-spark schema`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, PodTemplateSpec};
use k8s_s3_spark_derive::Overridable;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::strict::Strict;

/// The most executors one job may ask for; more is a typo. The schema and the rules both use it.
pub const MAX_EXECUTORS: u32 = 10_000;
/// The most cores one driver or executor may ask for; more is a typo.
pub const MAX_CORES: u32 = 512;
/// The most retries of the Job's pod (each one runs the application again).
pub const MAX_BACKOFF_LIMIT: i32 = 100;

/// The service account annotation EKS reads for web identity; set from
/// `spec.s3.credentials.webIdentity.roleArn`.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";

/// The API version this build of the tool reads.
pub const API_VERSION: &str = "k8s-s3-spark/v1alpha1";

/// The kind of a config.
pub const KIND: &str = "SparkJob";

/// The fields of [`SparkJob`] as a config writes them (a test keeps this equal to the schema's).
pub const TOP_LEVEL_FIELDS: [&str; 4] = ["apiVersion", "kind", "metadata", "spec"];

/// A Spark batch job that reads S3, run on Kubernetes by a Job that calls `spark-submit`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "SparkJob")]
pub struct SparkJob {
    /// Version of this file's format. Always `k8s-s3-spark/v1alpha1`.
    pub api_version: ApiVersion,
    /// Kind of document. Always `SparkJob`.
    pub kind: Kind,
    /// Name, namespace, labels and annotations of the job.
    pub metadata: JobMetadata,
    /// What to run and how.
    pub spec: SparkJobSpec,
}

/// The only API version: `k8s-s3-spark/v1alpha1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ApiVersion {
    /// The first, alpha version of the format.
    #[serde(rename = "k8s-s3-spark/v1alpha1")]
    V1Alpha1,
}

/// The only kind: `SparkJob`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Kind {
    /// A Spark batch job.
    SparkJob,
}

/// Identity of the job.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JobMetadata {
    /// Name of the job: names the Kubernetes Job, the Role, the RoleBinding and the Spark
    /// application. A DNS-1123 label: lowercase letters, digits and '-', at most 63 characters.
    pub name: String,
    /// Namespace every object is created in. Secrets must live in the same namespace as the driver
    /// and executor pods, so this is also where the credentials Secret is looked up.
    pub namespace: String,
    /// Labels added to every generated object and to the driver and executor pods.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Annotations added to every generated object.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Version of the application: the `app.kubernetes.io/version` label of every object and
    /// the chart's `appVersion`. Defaults to the image's tag, so a new image is a new version;
    /// an image given by digest alone has no version label. A label value: up to 63 letters,
    /// digits, '-', '_' or '.', starting and ending with a letter or digit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// What to run and how.
// `#[derive(Overridable)]` makes `EnvironmentOverride` from this struct: a field added here is
// overridable per environment without being written again.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[overridable(name = EnvironmentOverride, extra {
    /// Namespace for this environment (replaces `metadata.namespace`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels merged over `metadata.labels`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The application's version in this environment (replaces `metadata.version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
})]
pub struct SparkJobSpec {
    /// Language of the application: `Python`, `Scala`, `Java` or `R`.
    // Not per environment: the language decides the submit command and the application file.
    #[overridable(skip)]
    #[serde(rename = "type")]
    pub app_type: ApplicationType,
    /// Spark version in the image, `MAJOR.MINOR.PATCH` (e.g. `3.5.3`). At least 2.4 (the driver
    /// runs in the Job's pod, in client mode).
    pub spark_version: String,
    /// Hadoop version of the image's Spark distribution (the version of its hadoop-aws jar).
    /// Defaults to the version the Spark release line is built with; at least 2.8.0 for S3A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hadoop_version: Option<String>,
    /// Set to true when the image carries a Spark distribution built with a Hadoop version its
    /// release line does not ship with (e.g. `make-distribution.sh -Dhadoop.version=2.9.2`).
    /// Without it a `hadoopVersion` that differs from the known ones is an error.
    #[serde(default, skip_serializing_if = "is_false")]
    pub custom_distribution: bool,
    /// Container image for the Job's pod (spark-submit and the driver) and the executors: the Spark distribution
    /// plus the application. Needs a tag or digest, not `latest`.
    pub image: String,
    /// When to pull the image: `Always` (default: every pod start checks the registry), `IfNotPresent`
    /// or `Never`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub image_pull_policy: PullPolicy,
    /// Names of Secrets in the namespace holding registry credentials for the image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<String>,
    /// The application: `local:///path/in/image.py` for a file inside the image, or an
    /// `s3a://`, `http://` or `https://` URL.
    pub main_application_file: String,
    /// Main class, required for `Java` and `Scala` applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_class: Option<String>,
    /// Arguments passed to the application, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// Extra Spark configuration (`spark.*` keys), passed as `--conf key=value` after the generated
    /// ones. Keys the tool sets itself are refused: set the matching field instead.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spark_conf: BTreeMap<String, String>,
    /// Extra Hadoop configuration (e.g. `fs.s3a.connection.maximum`), passed with the
    /// `spark.hadoop.` prefix added.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub hadoop_conf: BTreeMap<String, String>,
    /// The Spark driver: it runs in the Job's pod (spark-submit in client mode), so the Job's
    /// outcome is the application's.
    #[serde(default)]
    #[overridable(nested)]
    pub driver: DriverSpec,
    /// The Spark executor pods.
    #[serde(default)]
    #[overridable(nested)]
    pub executor: ExecutorSpec,
    /// What the application needs beside its main file: Maven packages resolved when spark-submit
    /// starts, jars, files, Python files and archives given to the driver and executors.
    #[serde(default, skip_serializing_if = "is_default")]
    #[overridable(nested)]
    pub deps: Dependencies,
    /// Dynamic allocation: Spark adds executors while tasks wait and removes idle ones, between
    /// `minExecutors` and `maxExecutors`, starting from `executor.instances`. On Kubernetes it
    /// tracks shuffle data itself (there is no external shuffle service), so it needs Spark 3.0+.
    #[serde(default, skip_serializing_if = "is_default")]
    #[overridable(nested)]
    pub dynamic_allocation: DynamicAllocationSpec,
    /// The service account the Job's pod (the driver) and the executors run as.
    #[serde(default)]
    #[overridable(nested)]
    pub service_account: ServiceAccountSpec,
    /// Whether to generate the Namespace object too (default false: the namespace exists).
    #[serde(default, skip_serializing_if = "is_false")]
    pub create_namespace: bool,
    /// Where the data is and how to authenticate to it.
    #[serde(default)]
    #[overridable(nested)]
    pub s3: S3Spec,
    /// The Kubernetes Job whose pod runs `spark-submit` in client mode: the Spark driver.
    #[serde(default)]
    #[overridable(nested)]
    pub submitter: SubmitterSpec,
    /// Run the job on a schedule: `render` and the Kustomize tree then make a CronJob (and the
    /// chart a CronJob with the schedule as a value), whose every run is the Job a config without
    /// a schedule gets; `render --once` still prints that one-off Job. Unset: a one-off Job. An
    /// environment's `schedule` replaces the base's as a whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<ScheduleSpec>,
    /// Named partial overrides (e.g. `dev`, `prod`), applied with `render --env NAME` and turned
    /// into Kustomize overlays. Names are DNS-1123 labels.
    // An environment has no environments of its own.
    #[overridable(skip)]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environments: BTreeMap<String, EnvironmentOverride>,
}

/// Language of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum ApplicationType {
    /// PySpark: `mainApplicationFile` is a `.py` file.
    Python,
    /// Scala: `mainApplicationFile` is a jar and `mainClass` is required.
    Scala,
    /// Java: `mainApplicationFile` is a jar and `mainClass` is required.
    Java,
    /// SparkR: `mainApplicationFile` is an `.R` file.
    R,
}

/// Kubernetes image pull policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum PullPolicy {
    /// Check the registry at every pod start.
    #[default]
    Always,
    /// Pull only when the node does not have the image.
    IfNotPresent,
    /// Never pull; the image must be on the node.
    Never,
}

impl PullPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "Always",
            Self::IfNotPresent => "IfNotPresent",
            Self::Never => "Never",
        }
    }
}

/// The application's dependencies. Files are URLs the driver (the Job's pod) can read:
/// `local:///path/in/the/image`, `s3a://`, `http://` or `https://`; Spark serves them to the
/// executors itself.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dependencies {
    /// Maven packages as `groupId:artifactId:version` (`spark.jars.packages`), resolved with
    /// their dependencies by Ivy when spark-submit starts (from Maven Central and
    /// `repositories`, into a cache on the pod's scratch volume, since its root filesystem is
    /// read-only): the Job's pod needs to reach them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    /// `groupId:artifactId` of packages' dependencies to leave out (`spark.jars.excludes`), e.g. a
    /// second hadoop-aws.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_packages: Vec<String>,
    /// More Maven repositories to resolve `packages` from (`spark.jars.repositories`), as
    /// `https://` URLs (or `http://`, e.g. a mirror inside the cluster); tried after Maven
    /// Central, so a cluster without Internet access resolves from its mirror.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repositories: Vec<String>,
    /// Jars added to the driver's and executors' classpath (`spark.jars`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jars: Vec<String>,
    /// Files placed in each executor's working directory (`spark.files`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// `.py`, `.zip` or `.egg` files put on the Python path (`spark.submit.pyFiles`); Python
    /// applications only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub py_files: Vec<String>,
    /// Archives unpacked into each executor's working directory (`spark.archives`, Spark 3.1+);
    /// `URL#name` names the folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub archives: Vec<String>,
}

/// Dynamic allocation of executors (`spark.dynamicAllocation.*`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DynamicAllocationSpec {
    /// Whether Spark scales the executors with the load (`spark.dynamicAllocation.enabled`, with
    /// `spark.dynamicAllocation.shuffleTracking.enabled`, since executors hold their own shuffle
    /// data). `executor.instances` is then the number it starts with.
    #[serde(default, skip_serializing_if = "is_false")]
    pub enabled: bool,
    /// Executors to start with when more than `executor.instances`
    /// (`spark.dynamicAllocation.initialExecutors`); between `minExecutors` and `maxExecutors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_EXECUTORS))]
    pub initial_executors: Option<u32>,
    /// Executors always kept (`spark.dynamicAllocation.minExecutors`, Spark's default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = MAX_EXECUTORS))]
    pub min_executors: Option<u32>,
    /// The most executors (`spark.dynamicAllocation.maxExecutors`). Required when enabled:
    /// Spark's default is unbounded, which a shared namespace's quota turns into pods that never
    /// schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = MAX_EXECUTORS))]
    pub max_executors: Option<u32>,
    /// How long an executor may idle before it is removed, as a Spark duration
    /// (`spark.dynamicAllocation.executorIdleTimeout`, Spark's default `60s`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_idle_timeout: Option<String>,
    /// How long an idle executor that holds shuffle data is kept, as a Spark duration
    /// (`spark.dynamicAllocation.shuffleTracking.timeout`; Spark's default: until its shuffle
    /// data is no longer needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shuffle_tracking_timeout: Option<String>,
}

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

impl SparkJob {
    /// Whether the executors have on-demand PersistentVolumeClaims (`onDemandClaim`), which the
    /// driver then creates, owns and deletes.
    pub fn uses_on_demand_claims(&self) -> bool {
        self.spec
            .executor
            .volumes
            .iter()
            .any(|v| v.on_demand_claim.is_some())
    }

    /// The credentials Secret's name, for secret credentials: `spec.s3.credentials.secret.name`,
    /// else `JOB-s3-credentials` when an ExternalSecret makes it, else `aws-secrets`.
    pub fn secret_name(&self) -> Option<String> {
        let S3Credentials::Secret(secret) = &self.spec.s3.credentials else {
            return None;
        };
        Some(match (&secret.name, &secret.external_secret) {
            (Some(name), _) => name.clone(),
            (None, Some(_)) => format!("{}-s3-credentials", self.metadata.name),
            (None, None) => DEFAULT_SECRET_NAME.to_owned(),
        })
    }

    /// The service account the pods run as: `spec.serviceAccount.name`, else the job's name.
    pub fn service_account_name(&self) -> &str {
        self.spec
            .service_account
            .name
            .as_deref()
            .unwrap_or(&self.metadata.name)
    }
}
fn default_true() -> bool {
    true
}

/// Where the data is and how Spark authenticates to it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct S3Spec {
    /// S3 endpoint as `http(s)://host[:port]`. Leave unset for AWS S3; set it for MinIO, Ceph,
    /// SeaweedFS or a regional or private-link AWS endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Signing region (`fs.s3a.endpoint.region`, Hadoop 3.3.1+), e.g. `us-east-1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Path-style requests (`http://host/bucket/key`), needed by most S3-compatible stores;
    /// without it the bucket becomes part of the host name.
    #[serde(default, skip_serializing_if = "is_false")]
    pub path_style_access: bool,
    /// Use TLS (`fs.s3a.connection.ssl.enabled`). Defaults to the endpoint's scheme, or true for AWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// How Spark authenticates to S3.
    #[serde(default)]
    pub credentials: S3Credentials,
    /// `s3a://bucket/key` URLs the job reads; `check-s3 --config` and the chart's test pod check them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// `s3a://bucket/prefix` locations the job writes (its inputs stay in `paths`). The job then
    /// commits its output with the S3A committer that `committer` names, never with the classic
    /// committer, whose rename is a copy on S3; `check-s3 --config` proves each can be written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// The S3A committer for `outputs` (default `magic: {}`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub committer: Committer,
    /// An `s3a://bucket/prefix` where Spark writes the job's event log
    /// (`spark.eventLog.enabled`, `spark.eventLog.dir`), for a Spark History Server reading that
    /// prefix. The folder must exist before the job starts (Spark refuses to start otherwise; on S3
    /// a folder exists once an object is under it, such as an empty `prefix/` marker):
    /// `check-s3 --config` checks that, and that it is writable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_log_dir: Option<String>,
}

/// The S3A committer that writes `s3.outputs`: exactly one of `magic`, `directory` or
/// `partitioned`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Committer {
    /// Tasks write straight to the destination as multipart uploads that only the job commit
    /// completes; nothing is staged anywhere else. Written `magic: {}`.
    Magic(MagicCommitter),
    /// A staging committer: tasks write to local disk and upload at task commit, the job commit
    /// completes the uploads; `conflictMode` applies to the whole destination directory.
    Directory(StagingCommitter),
    /// A staging committer for partitioned output (`partitionBy`): `conflictMode` applies to
    /// each partition written, so `replace` replaces only those partitions.
    Partitioned(StagingCommitter),
}

impl Default for Committer {
    fn default() -> Self {
        Self::Magic(MagicCommitter {})
    }
}

impl Committer {
    /// The committer's name for `fs.s3a.committer.name`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Magic(_) => "magic",
            Self::Directory(_) => "directory",
            Self::Partitioned(_) => "partitioned",
        }
    }
}

/// The magic committer has no options. Written `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicCommitter {}

/// A staging committer's options.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StagingCommitter {
    /// A folder on a filesystem that the driver and every executor share, e.g.
    /// `hdfs://namenode:8020/tmp/staging` (`fs.s3a.committer.staging.tmp.path`): tasks leave the
    /// list of their pending uploads there for the job commit. The pods' own disks are not
    /// shared, so there is no default.
    pub staging_path: String,
    /// What the job commit does when the destination (directory, or partition) already has
    /// data (`fs.s3a.committer.staging.conflict-mode`). Unset: Hadoop's default, `append`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_mode: Option<ConflictMode>,
}

/// What a staging committer does with existing data at the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ConflictMode {
    /// Fail the job.
    Fail,
    /// Add the new files beside the existing ones.
    Append,
    /// Delete the existing data first.
    Replace,
}

impl ConflictMode {
    /// The value of `fs.s3a.committer.staging.conflict-mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fail => "fail",
            Self::Append => "append",
            Self::Replace => "replace",
        }
    }
}

/// How Spark authenticates to S3: exactly one of `secret`, `webIdentity`, `podIdentity` or
/// `anonymous`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum S3Credentials {
    /// Access keys from a Kubernetes Secret, given to the driver and executors as the
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` environment variables.
    Secret(SecretCredentials),
    /// Web identity (IRSA on EKS): the service account is annotated with the role; no keys anywhere.
    WebIdentity(WebIdentityCredentials),
    /// EKS Pod Identity: an association of the job's service account with a role gives its pods
    /// container credentials; no keys anywhere, no annotation. Needs Spark 4 (AWS SDK v2).
    PodIdentity(PodIdentityCredentials),
    /// No credentials, for public buckets.
    Anonymous(AnonymousCredentials),
}

impl Default for S3Credentials {
    fn default() -> Self {
        Self::Secret(SecretCredentials::default())
    }
}

/// Access keys from a Kubernetes Secret in the job's namespace.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretCredentials {
    /// Name of the Secret. Default: `aws-secrets`; with `externalSecret`, `JOB-s3-credentials`
    /// (the Secret is then the job's own, named after it like everything else it owns).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Key in the Secret holding the access key id (default `AWS_ACCESS_KEY_ID`).
    #[serde(default = "default_access_key_key")]
    pub access_key_id_key: String,
    /// Key in the Secret holding the secret access key (default `AWS_SECRET_ACCESS_KEY`).
    #[serde(default = "default_secret_key_key")]
    pub secret_access_key_key: String,
    /// Local use only, for `kustomize`: make the Secret with a secretGenerator from an
    /// `aws-credentials.env` file beside each overlay, which the tree's `.gitignore` keeps out of
    /// git, so the tree does not build from a clone (Argo CD, Flux). False (default): the Secret
    /// exists, or comes from `externalSecret`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub generate: bool,
    /// Have the External Secrets Operator write the Secret from a secret store (AWS Secrets
    /// Manager, Vault...): every output form then carries an `ExternalSecret`
    /// (`external-secrets.io/v1`) and no key is in any file, so GitOps trees build from git.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_secret: Option<ExternalSecretSource>,
}

/// Where the External Secrets Operator reads the keys.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretSource {
    /// Name of the `SecretStore` (in the job's namespace) or `ClusterSecretStore` to read.
    pub store: String,
    /// `SecretStore` (default) or `ClusterSecretStore`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub store_kind: SecretStoreKind,
    /// Key (name or path) of the secret in the store, e.g. `prod/spark/s3`.
    pub remote_key: String,
    /// Property of that secret holding the access key id (default `AWS_ACCESS_KEY_ID`).
    #[serde(default = "default_access_key_key")]
    pub access_key_id_property: String,
    /// Property of that secret holding the secret access key (default `AWS_SECRET_ACCESS_KEY`).
    #[serde(default = "default_secret_key_key")]
    pub secret_access_key_property: String,
    /// How often the operator reads the store again, as a Go duration (default `1h`).
    #[serde(default = "default_refresh_interval")]
    pub refresh_interval: String,
}

/// The kind of secret store an `ExternalSecret` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum SecretStoreKind {
    /// A store in the job's namespace.
    #[default]
    SecretStore,
    /// A store shared by the whole cluster.
    ClusterSecretStore,
}

fn default_refresh_interval() -> String {
    "1h".into()
}

impl Default for SecretCredentials {
    fn default() -> Self {
        Self {
            name: None,
            access_key_id_key: default_access_key_key(),
            secret_access_key_key: default_secret_key_key(),
            generate: false,
            external_secret: None,
        }
    }
}

/// The Secret name when the config names none and the job does not make the Secret.
pub const DEFAULT_SECRET_NAME: &str = "aws-secrets";
fn default_access_key_key() -> String {
    "AWS_ACCESS_KEY_ID".into()
}
fn default_secret_key_key() -> String {
    "AWS_SECRET_ACCESS_KEY".into()
}

/// Web identity (IRSA on EKS).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebIdentityCredentials {
    /// IAM role to assume, e.g. `arn:aws:iam::123456789012:role/spark-reader`.
    pub role_arn: String,
}

/// EKS Pod Identity. Written as `podIdentity: {}`: the role is not in any Kubernetes object but
/// in the association (`aws eks create-pod-identity-association --namespace NAMESPACE
/// --service-account SERVICE_ACCOUNT --role-arn ARN`), and the EKS Pod Identity Agent's webhook
/// gives each pod of that service account `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PodIdentityCredentials {}

/// No credentials (public buckets). Written as `anonymous: {}`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnonymousCredentials {}

/// The Kubernetes Job whose pod runs `spark-submit` in client mode: the Spark driver.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitterSpec {
    /// Retries of the Job's pod (default 0): each retry runs the application again.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_BACKOFF_LIMIT))]
    pub backoff_limit: i32,
    /// Seconds after which a finished Job (and its pod and logs) is deleted; unset keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub ttl_seconds_after_finished: Option<i32>,
    /// Seconds the whole Job may run before Kubernetes stops it; unset means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub active_deadline_seconds: Option<i64>,
    /// User id the Job's pod (spark-submit and the driver) runs as (default 185, the user of the
    /// Apache Spark images).
    #[serde(default = "default_uid")]
    #[schemars(range(min = 1))]
    pub run_as_user: i64,
    /// CPU and memory of the Job's container, which runs the Spark driver (spark-submit in
    /// client mode). Unset (the default): from `spec.driver`: `coreRequest` (else `cores`) CPU
    /// requested and `coreLimit` (else `cores`) as the limit; `memory` plus `memoryOverhead`
    /// (default: 10% of `memory`, 40% for Python and R, at least 384Mi) requested and as the
    /// limit. Set both requests and limits to size the container yourself; the driver's heap
    /// stays `spec.driver.memory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

impl Default for SubmitterSpec {
    fn default() -> Self {
        Self {
            backoff_limit: 0,
            ttl_seconds_after_finished: None,
            active_deadline_seconds: None,
            run_as_user: default_uid(),
            resources: None,
        }
    }
}

fn default_uid() -> i64 {
    185
}

/// When and how a scheduled job runs: the fields of a Kubernetes CronJob.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleSpec {
    /// When to run, in cron syntax: five fields (minute, hour, day of month, month, day of week),
    /// e.g. `0 2 * * *` for 02:00 every day, or a descriptor such as `@daily` or `@every 6h`. No
    /// seconds field.
    pub cron: String,
    /// The IANA time zone of `cron`, e.g. `Europe/Paris`. Unset: the time zone of the
    /// kube-controller-manager (usually UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// What to do when a run is due while the previous one still runs: `Forbid` (default: skip
    /// this run, since two runs of one Spark job usually race on the same output), `Allow`, or
    /// `Replace` (stop the running one).
    #[serde(default, skip_serializing_if = "is_default")]
    pub concurrency_policy: ConcurrencyPolicy,
    /// Pause the schedule: no new runs start; a running one finishes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suspend: bool,
    /// Finished successful runs (Jobs, with their pods and logs) to keep (Kubernetes' default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = MAX_HISTORY))]
    pub successful_jobs_history_limit: Option<i32>,
    /// Failed runs to keep (Kubernetes' default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = MAX_HISTORY))]
    pub failed_jobs_history_limit: Option<i32>,
    /// Seconds after its time within which a missed run (the controller was down, or `Forbid`
    /// skipped it) may still start; unset: no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub starting_deadline_seconds: Option<i64>,
}

/// The most finished runs a schedule keeps of each outcome; more is a typo (each keeps a Job
/// and its pod).
pub const MAX_HISTORY: i32 = 100;

/// What a CronJob does when a run is due while the previous one still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Skip the new run.
    #[default]
    Forbid,
    /// Run both.
    Allow,
    /// Stop the running one and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forbid => "Forbid",
            Self::Allow => "Allow",
            Self::Replace => "Replace",
        }
    }
}

/// Requests and limits of a container.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    /// What the scheduler reserves.
    pub requests: ResourceAmounts,
    /// The most the container may use.
    pub limits: ResourceAmounts,
}

/// CPU and memory as Kubernetes quantities.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceAmounts {
    /// CPU, e.g. `250m` or `1`.
    pub cpu: String,
    /// Memory, e.g. `512Mi` or `1Gi`.
    pub memory: String,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}
