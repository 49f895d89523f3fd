//! Where the data is and how Spark reaches it: the S3 target, the committers for outputs, and
//! the credentials (a Secret, an ExternalSecret, web identity, EKS Pod Identity, none).

use super::*;

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
