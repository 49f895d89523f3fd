//! The typed `spark-job.yaml` document. Field names follow the Kubeflow Spark Operator's
//! `SparkApplication` where the concept exists there. Every `///` comment becomes the field's
//! description in the JSON schema (`k8s-s3-spark schema`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Affinity, PodTemplateSpec};
use k8s_s3_spark_derive::Overridable;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::strict::Strict;

mod pods;
mod s3;
mod submitter;

pub use pods::*;
pub use s3::*;
pub use submitter::*;

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
