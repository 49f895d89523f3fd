//! Kubernetes objects: building them typed from a checked job (k8s-openapi, Kubernetes 1.33 API),
//! the labels and RBAC rules they carry, and checking them before anything is written.

mod bundle;
pub mod check;
mod custom_resource;
pub mod external_secret;
pub mod job;
pub mod labels;
pub mod pod_template;
pub mod policy;
pub mod rbac;
pub mod shape;
pub mod spark_application;

pub use bundle::{Builder, Bundle, Manifest, build};
pub use external_secret::ExternalSecret;

use k8s_openapi::Resource;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

/// A kind the tool generates, as its k8s-openapi type states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedKind {
    /// `kind`.
    pub kind: &'static str,
    /// The API group (`""` for the core group).
    pub group: &'static str,
    /// The API version within the group.
    pub version: &'static str,
    /// The plural resource name of its URLs (`rolebindings`).
    pub plural: &'static str,
}

const fn generated<T: Resource>() -> GeneratedKind {
    GeneratedKind {
        kind: T::KIND,
        group: T::GROUP,
        version: T::VERSION,
        plural: T::URL_PATH_SEGMENT,
    }
}

/// The kinds the tool generates, in the order they are emitted and applied.
pub const KINDS: [GeneratedKind; 9] = [
    generated::<Namespace>(),
    generated::<ServiceAccount>(),
    generated::<Role>(),
    generated::<RoleBinding>(),
    generated::<Secret>(),
    generated::<ExternalSecret>(),
    generated::<ConfigMap>(),
    generated::<Job>(),
    generated::<CronJob>(),
];

/// A kind's place in [`KINDS`]; unknown kinds come last.
pub fn kind_rank(kind: &str) -> usize {
    KINDS
        .iter()
        .position(|k| k.kind == kind)
        .unwrap_or(KINDS.len())
}

/// The generated kind named `kind`.
pub fn generated_kind(kind: &str) -> Option<&'static GeneratedKind> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// Where the pod spec is in an object of a generated kind that runs the submitter (the Job, or
/// the CronJob whose runs it is), as a JSON pointer.
pub fn pod_spec_pointer(kind: &str) -> Option<&'static str> {
    match kind {
        k if k == Job::KIND => Some("/spec/template/spec"),
        k if k == CronJob::KIND => Some("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

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

impl crate::diagnostics::Failure for K8sError {
    /// The user's flags are at fault; an object failing its checks is this tool's.
    fn is_users_fault(&self) -> bool {
        matches!(self, Self::KeysWithoutSecret | Self::KeysWithExternalSecret)
    }

    fn help(&self) -> Option<String> {
        match self {
            Self::KeysWithoutSecret => Some("drop the flag, or switch spec.s3.credentials to `secret: {}`".into()),
            Self::KeysWithExternalSecret => Some("drop the flag (the External Secrets Operator writes the Secret), or remove externalSecret".into()),
            Self::Invalid(_) => None,
        }
    }
}
