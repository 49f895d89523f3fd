//! Kubernetes objects: building them typed from a checked job (k8s-openapi, Kubernetes 1.33 API),
//! the labels and RBAC rules they carry, and checking them before anything is written.

mod bundle;
pub mod check;
pub mod external_secret;
pub mod job;
pub mod labels;
pub mod policy;
pub mod rbac;

pub use bundle::{Builder, Bundle, Manifest, build};
pub use external_secret::ExternalSecret;

use k8s_openapi::Resource;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

/// The kinds in the order they are emitted and applied.
pub const KIND_ORDER: [&str; 8] = [
    Namespace::KIND,
    ServiceAccount::KIND,
    Role::KIND,
    RoleBinding::KIND,
    Secret::KIND,
    ExternalSecret::KIND,
    ConfigMap::KIND,
    Job::KIND,
];

/// The kind whose files hold secret values.
pub const SECRET_KIND: &str = Secret::KIND;

/// Why objects could not be built or failed their checks.
#[derive(Debug, thiserror::Error)]
pub enum K8sError {
    /// Key values were supplied but the config does not use Secret credentials.
    #[error(
        "--aws-profile/--aws-env supply keys for a Secret, but spec.s3.credentials is not `secret`"
    )]
    KeysWithoutSecret,
    /// Key values were supplied but the Secret comes from an ExternalSecret.
    #[error(
        "--aws-profile/--aws-env supply keys for a Secret that spec.s3.credentials.secret.externalSecret makes from a secret store"
    )]
    KeysWithExternalSecret,
    /// A generated object failed the Kubernetes schema or a rule (a bug in this tool).
    #[error("internal error: a generated object failed its checks; please report this with your config:\n{}", .0.join("\n"))]
    Invalid(Vec<String>),
}

impl K8sError {
    /// Whether the user's flags are at fault, rather than this tool.
    pub fn is_users_fault(&self) -> bool {
        matches!(self, Self::KeysWithoutSecret | Self::KeysWithExternalSecret)
    }

    /// How to fix it, when the user can.
    pub fn help(&self) -> Option<String> {
        match self {
            Self::KeysWithoutSecret => Some("drop the flag, or switch spec.s3.credentials to `secret: {}`".into()),
            Self::KeysWithExternalSecret => Some("drop the flag (the External Secrets Operator writes the Secret), or remove externalSecret".into()),
            Self::Invalid(_) => None,
        }
    }
}
