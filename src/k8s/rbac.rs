//! The namespace-scoped Role the submitter and the driver need, and its binding.
//!
//! Spark's driver creates and deletes executor pods (deleting them by label is a
//! `deletecollection`), a headless Service, a ConfigMap with `spark.properties`, and, with
//! on-demand volumes, PersistentVolumeClaims; spark-submit creates the driver pod and applies the
//! Service and ConfigMap with server-side apply (`patch`). Older Spark replaces objects (`update`).
//! Sources: the Spark docs' RBAC section, the Kubeflow Spark Operator chart and the Apache
//! spark-kubernetes-operator (see the RBAC table in the facts file). Secrets are not listed: Spark
//! only references them in pod specs, it never reads them.

use k8s_openapi::Resource;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::config::validate::JobVersions;
use crate::spark::versions::Version;

/// Spark 4 server-side-applies a NetworkPolicy for the driver (seen with spark-submit 4.3 against a
/// recording API server; the first 4.x release that does so is not confirmed, so all of 4.x).
pub const MIN_SPARK_NETWORK_POLICY: Version = Version::new(4, 0, 0);

const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// The rules of the job's Role.
pub fn rules(versions: JobVersions) -> Vec<PolicyRule> {
    let mut core: Vec<String> = [
        ConfigMap::URL_PATH_SEGMENT,
        PersistentVolumeClaim::URL_PATH_SEGMENT,
        Pod::URL_PATH_SEGMENT,
        Service::URL_PATH_SEGMENT,
    ]
    .map(str::to_owned)
    .to_vec();
    core.sort();
    let verbs: Vec<String> = VERBS.map(str::to_owned).to_vec();
    let mut rules = vec![PolicyRule {
        api_groups: Some(vec![Pod::GROUP.to_owned()]),
        resources: Some(core),
        verbs: verbs.clone(),
        ..Default::default()
    }];
    if versions.spark >= MIN_SPARK_NETWORK_POLICY {
        rules.push(PolicyRule {
            api_groups: Some(vec![NetworkPolicy::GROUP.to_owned()]),
            resources: Some(vec![NetworkPolicy::URL_PATH_SEGMENT.to_owned()]),
            verbs,
            ..Default::default()
        });
    }
    rules
}

/// The Role.
pub fn role(metadata: ObjectMeta, versions: JobVersions) -> Role {
    Role {
        metadata,
        rules: Some(rules(versions)),
    }
}

/// The RoleBinding of `role_name` to the service account in `namespace`.
pub fn role_binding(
    metadata: ObjectMeta,
    role_name: &str,
    service_account: &str,
    namespace: &str,
) -> RoleBinding {
    RoleBinding {
        metadata,
        role_ref: RoleRef {
            api_group: Role::GROUP.to_owned(),
            kind: Role::KIND.to_owned(),
            name: role_name.to_owned(),
        },
        subjects: Some(vec![Subject {
            kind: k8s_openapi::api::core::v1::ServiceAccount::KIND.to_owned(),
            name: service_account.to_owned(),
            namespace: Some(namespace.to_owned()),
            ..Default::default()
        }]),
    }
}
