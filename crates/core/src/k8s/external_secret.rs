//! The External Secrets Operator's `ExternalSecret` (`external-secrets.io/v1`): the way to get the
//! credentials Secret into a cluster from a GitOps repository without a key in the repository.
//! The operator reads the keys from a secret store (AWS Secrets Manager, Vault, ...) and writes
//! the Secret the driver and executors reference. k8s-openapi has no type for this custom
//! resource, so it is typed here, with `k8s_openapi::Resource` giving its apiVersion and kind as for the
//! built-in kinds.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::config::model::{ExternalSecretSource, SecretCredentials, SecretStoreKind};

/// An `ExternalSecret`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalSecret {
    /// Name, namespace, labels.
    pub metadata: ObjectMeta,
    /// What to fetch and the Secret to write.
    pub spec: ExternalSecretSpec,
}

super::custom_resource::custom_resource!(
    ExternalSecret,
    group: "external-secrets.io",
    version: "v1",
    kind: "ExternalSecret",
    plural: "externalsecrets"
);

/// `spec` of an `ExternalSecret`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// How often the operator reads the store again.
    pub refresh_interval: String,
    /// The store to read.
    pub secret_store_ref: SecretStoreRef,
    /// The Secret to write.
    pub target: Target,
    /// Which Secret key comes from which property of which remote secret.
    pub data: Vec<SecretData>,
}

/// A reference to a `SecretStore` or `ClusterSecretStore`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SecretStoreRef {
    /// `SecretStore` or `ClusterSecretStore`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
}

/// The Secret the operator writes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// The Secret's name: the one the Job references.
    pub name: String,
    /// `Owner`: the Secret is deleted with the ExternalSecret.
    pub creation_policy: &'static str,
}

/// One key of the Secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretData {
    /// The key in the Secret.
    pub secret_key: String,
    /// Where its value is in the store.
    pub remote_ref: RemoteRef,
}

/// A value in the store: a secret and one property of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteRef {
    /// The secret's key (name or path) in the store.
    pub key: String,
    /// The property (JSON field) of that secret.
    pub property: String,
}

/// The store kind as the operator spells it.
pub fn store_kind(kind: SecretStoreKind) -> &'static str {
    match kind {
        SecretStoreKind::SecretStore => "SecretStore",
        SecretStoreKind::ClusterSecretStore => "ClusterSecretStore",
    }
}

/// The `ExternalSecret` that writes the job's credentials Secret `name` from `source`.
pub fn external_secret(
    metadata: ObjectMeta,
    name: &str,
    secret: &SecretCredentials,
    source: &ExternalSecretSource,
) -> ExternalSecret {
    let data = |secret_key: &str, property: &str| SecretData {
        secret_key: secret_key.to_owned(),
        remote_ref: RemoteRef {
            key: source.remote_key.clone(),
            property: property.to_owned(),
        },
    };
    ExternalSecret {
        metadata,
        spec: ExternalSecretSpec {
            refresh_interval: source.refresh_interval.clone(),
            secret_store_ref: SecretStoreRef {
                kind: store_kind(source.store_kind),
                name: source.store.clone(),
            },
            target: Target {
                name: name.to_owned(),
                creation_policy: "Owner",
            },
            data: vec![
                data(&secret.access_key_id_key, &source.access_key_id_property),
                data(
                    &secret.secret_access_key_key,
                    &source.secret_access_key_property,
                ),
            ],
        },
    }
}
