//! Who calls the API server, with which verbs: one table, per pod of the job. The Role is the
//! union of the rows of the pods that run under the job's service account, and a pod gets an API
//! token exactly when its row is not empty (see [`needs_token`]).
//!
//! | pod | calls | why |
//! |---|---|---|
//! | driver (the Job's pod: spark-submit in client mode) | pods: create, get, list, watch, patch, delete, deletecollection | reads its own pod (the executors' owner), allocates executor pods, watches and polls them, labels them with their executor id, kills them and deletes them by label at the end |
//! | | configmaps: create, get, list, delete, deletecollection | the executors' ConfigMap, deleted by label at the end |
//! | | persistentvolumeclaims (only with `OnDemand` claims): create, get, list, delete, deletecollection | on-demand volumes it owns |
//! | executor | nothing | executors talk to the driver, never to the API server |
//!
//! No NetworkPolicies: Spark 4.2's `NetworkPolicyFeatureStep` (SPARK-55653) is a step of
//! `KubernetesDriverBuilder`, which only cluster-mode submission runs (`KubernetesClientApplication`,
//! read from pyspark 4.2.0's spark-kubernetes jar); a driver started in client mode, as ours is,
//! never applies one (the e2e run on Spark 4.2.0 completes with this Role).
//!
//! No Services: in client mode no submission client makes the driver a Service (executors reach
//! the driver's pod IP), and from Spark 3.2 `spark.kubernetes.driver.service.deleteOnTermination`
//! is set false so the driver does not try to delete one at the end (before 3.2 it tries, is
//! refused, and logs it). Nothing creates a driver pod: the Job's controller does.
//!
//! Sources: Spark's `KubernetesClusterSchedulerBackend`, `ExecutorPodsAllocator` and the snapshot
//! sources; the Spark docs' RBAC and client-mode sections; the RBAC table in the facts file.
//! Secrets are not listed: Spark only references them in pod specs.

use std::collections::BTreeMap;

use k8s_openapi::Resource;
use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::config::ResolvedJob;

/// A pod of the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PodRole {
    /// The Spark driver: the Job's pod, running spark-submit in client mode.
    Driver,
    /// The Spark executors, created by the driver.
    Executor,
}

impl PodRole {
    /// Every pod of a job.
    pub const ALL: [Self; 2] = [Self::Driver, Self::Executor];
}

/// One row of the table: a pod may call `verbs` on `resource` of API group `group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCall {
    /// API group (`""` for the core group).
    pub group: &'static str,
    /// Resource, as in the API path (`pods`).
    pub resource: &'static str,
    /// Verbs, sorted.
    pub verbs: &'static [&'static str],
}

fn call<R: Resource>(verbs: &'static [&'static str]) -> ApiCall {
    ApiCall {
        group: R::GROUP,
        resource: R::URL_PATH_SEGMENT,
        verbs,
    }
}

/// Executor pods: allocated, watched and polled, labelled, deleted one by one and by label.
const EXECUTORS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "watch",
];
/// Objects the driver makes and deletes by label at the end.
const OWN_BY_LABEL: &[&str] = &["create", "delete", "deletecollection", "get", "list"];

/// What `role` calls on the API server, for this job.
pub fn api_calls(role: PodRole, job: &ResolvedJob) -> Vec<ApiCall> {
    let mut calls = match role {
        PodRole::Driver => vec![call::<Pod>(EXECUTORS), call::<ConfigMap>(OWN_BY_LABEL)],
        PodRole::Executor => return Vec::new(),
    };
    if job.uses_on_demand_claims() {
        calls.push(call::<PersistentVolumeClaim>(OWN_BY_LABEL));
    }
    calls
}

/// Whether `role` gets an API token mounted: exactly when it calls the API server.
pub fn needs_token(role: PodRole, job: &ResolvedJob) -> bool {
    !api_calls(role, job).is_empty()
}

/// The rules of the job's Role: the union of every pod's calls, one rule per API group and set
/// of verbs, resources and verbs sorted, so the output is stable.
pub fn rules(job: &ResolvedJob) -> Vec<PolicyRule> {
    let mut by_resource: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for role in PodRole::ALL {
        for c in api_calls(role, job) {
            let verbs = by_resource.entry((c.group, c.resource)).or_default();
            verbs.extend(c.verbs);
            verbs.sort_unstable();
            verbs.dedup();
        }
    }
    let mut grouped: BTreeMap<(&str, Vec<&str>), Vec<&str>> = BTreeMap::new();
    for ((group, resource), verbs) in by_resource {
        grouped.entry((group, verbs)).or_default().push(resource);
    }
    grouped
        .into_iter()
        .map(|((group, verbs), resources)| PolicyRule {
            api_groups: Some(vec![group.to_owned()]),
            resources: Some(resources.into_iter().map(str::to_owned).collect()),
            verbs: verbs.into_iter().map(str::to_owned).collect(),
            ..Default::default()
        })
        .collect()
}

/// The Role.
pub fn role(metadata: ObjectMeta, job: &ResolvedJob) -> Role {
    Role {
        metadata,
        rules: Some(rules(job)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A job of Spark `spark` whose spec also has the lines `extra`.
    fn job_of(spark: &str, extra: &str) -> ResolvedJob {
        let text = format!(
            "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata: {{name: j, namespace: n}}\nspec:\n  type: Python\n  sparkVersion: {spark}\n  image: a/b:1\n  mainApplicationFile: local:///a.py\n{extra}"
        );
        let config = crate::config::parse(std::path::Path::new("t.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        config.resolve(None).unwrap().clone()
    }

    #[test]
    fn tokens_follow_the_table() {
        let job = job_of("3.5.3", "");
        assert!(needs_token(PodRole::Driver, &job));
        assert!(!needs_token(PodRole::Executor, &job));
    }

    #[test]
    fn the_role_is_the_union_of_the_table() {
        let job = job_of("3.5.3", "");
        let rules = super::rules(&job);
        let find = |resource: &str| {
            rules
                .iter()
                .find(|r| r.resources.as_ref().unwrap().iter().any(|x| x == resource))
                .map(|r| r.verbs.join(","))
        };
        assert_eq!(
            find("pods").as_deref(),
            Some("create,delete,deletecollection,get,list,patch,watch")
        );
        assert_eq!(
            find("configmaps").as_deref(),
            Some("create,delete,deletecollection,get,list")
        );
        assert_eq!(find("services"), None);
        assert_eq!(find("persistentvolumeclaims"), None);
        assert_eq!(find("networkpolicies"), None);

        // A client-mode driver applies no NetworkPolicy, on any line (Spark 4.2's step is
        // cluster-mode submission's).
        for spark in ["4.0.1", "4.1.1", "4.2.0"] {
            assert!(
                super::rules(&job_of(spark, ""))
                    .iter()
                    .all(|r| r.api_groups.as_deref() == Some(&[String::new()][..])),
                "{spark}"
            );
        }

        let job = job_of(
            "4.2.0",
            "  executor:\n    volumes:\n      - {name: spill, mountPath: /spill, onDemandClaim: {size: 1Gi, storageClass: gp3}}\n",
        );
        let rules = super::rules(&job);
        assert!(rules.iter().any(|r| {
            r.resources
                .as_ref()
                .unwrap()
                .contains(&"persistentvolumeclaims".to_owned())
        }));
    }
}
