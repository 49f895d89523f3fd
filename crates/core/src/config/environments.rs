//! Environments: applying one named override (`dev`, `prod`, ...) to the base job, and mapping a
//! field of the merged job back to the override that set it, so problems point at the right line.

use super::model::{EnvironmentOverride, SparkJob};
use super::spans::{SpanIndex, join_key, parent};

/// `job` without its environments: the base every environment applies to, copied once for all
/// of them (a copy per environment would copy every environment each time).
pub fn base_of(job: &SparkJob) -> SparkJob {
    let mut base = job.clone();
    base.spec.environments.clear();
    base
}

/// Applies `overlay` to `base` (a job without environments, [`base_of`]): maps merge key by key,
/// nested settings field by field, everything else replaces (the rule of
/// [`EnvironmentOverride::apply_to`], derived from the spec). The result has no environments.
pub fn apply(base: &SparkJob, overlay: &EnvironmentOverride) -> SparkJob {
    debug_assert!(base.spec.environments.is_empty(), "apply to base_of(job)");
    let mut job = base.clone();
    if let Some(ns) = &overlay.namespace {
        job.metadata.namespace.clone_from(ns);
    }
    job.metadata.labels.extend(overlay.labels.clone());
    if let Some(version) = &overlay.version {
        job.metadata.version = Some(version.clone());
    }
    overlay.apply_to(&mut job.spec);
    job
}

/// The field of environment `env` that set `field` of the merged job, when the environment set it
/// (`metadata.namespace` of env `prod` is `spec.environments.prod.namespace`).
pub fn override_field(spans: &SpanIndex, env: &str, field: &str) -> Option<String> {
    let root = join_key("spec.environments", env);
    let mut candidate = override_path(env, field)?;
    // The override may replace a whole ancestor (e.g. `s3.credentials`), so walk up to the root.
    while candidate.len() > root.len() {
        if spans.contains(&candidate) {
            return Some(candidate);
        }
        candidate = parent(&candidate)?.to_owned();
    }
    None
}

/// Where environment `env` would set `field` of the merged job itself (not through an ancestor
/// it replaces), whether or not it does.
pub fn override_path(env: &str, field: &str) -> Option<String> {
    let relative = field
        .strip_prefix("metadata.")
        .filter(|r| {
            ["namespace", "labels", "version"]
                .iter()
                .any(|f| r.starts_with(f))
        })
        .or_else(|| field.strip_prefix("spec."))?;
    Some(format!("{}.{relative}", join_key("spec.environments", env)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::model::{DriverSpec, SparkJobSpec};

    fn properties<T: schemars::JsonSchema>() -> Vec<String> {
        let schema = serde_json::to_value(schemars::schema_for!(T)).expect("json");
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_spec_field_is_overridable_but_the_language_and_the_environments() {
        let mut expected: Vec<String> = properties::<SparkJobSpec>()
            .into_iter()
            .filter(|p| p != "type" && p != "environments")
            .chain(["namespace", "labels", "version"].map(str::to_owned))
            .collect();
        expected.sort();
        assert_eq!(properties::<EnvironmentOverride>(), expected);
        assert_eq!(
            properties::<crate::config::model::DriverSpecOverride>(),
            properties::<DriverSpec>()
        );
    }

    #[test]
    fn maps_merge_nested_settings_apply_field_by_field_the_rest_replaces() {
        let base: SparkJob = serde_saphyr::from_str(
            "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata: {name: j, namespace: a, labels: {team: x}}\nspec:\n  type: Python\n  sparkVersion: 3.5.3\n  image: i:1\n  mainApplicationFile: local:///a.py\n  arguments: [a, b]\n  driver: {memory: 2g, nodeSelector: {disk: ssd}}\n  submitter: {backoffLimit: 1}\n  environments:\n    prod:\n      namespace: p\n      labels: {tier: prod}\n      arguments: [c]\n      driver: {cores: 2, nodeSelector: {zone: z}}\n      serviceAccount: {name: runner, create: false}\n      submitter: {ttlSecondsAfterFinished: 60}\n",
        )
        .expect("valid");
        let job = apply(&base_of(&base), &base.spec.environments["prod"]);
        assert!(job.spec.environments.is_empty());
        assert_eq!(job.metadata.namespace, "p");
        assert_eq!(job.metadata.labels.len(), 2);
        assert_eq!(job.spec.arguments, ["c"]);
        assert_eq!(
            (job.spec.driver.cores, job.spec.driver.memory.as_str()),
            (2, "2g")
        );
        assert_eq!(job.spec.driver.node_selector.len(), 2);
        assert_eq!(job.service_account_name(), "runner");
        assert!(!job.spec.service_account.create);
        assert_eq!(job.spec.submitter.backoff_limit, 1);
        assert_eq!(job.spec.submitter.ttl_seconds_after_finished, Some(60));
    }

    #[test]
    fn maps_fields_to_the_override_that_set_them() {
        let spans = SpanIndex::build(
            "spec:\n  environments:\n    prod:\n      namespace: p\n      s3:\n        credentials:\n          anonymous: {}\n",
        );
        assert_eq!(
            override_field(&spans, "prod", "metadata.namespace").as_deref(),
            Some("spec.environments.prod.namespace")
        );
        assert_eq!(
            override_field(&spans, "prod", "spec.s3.credentials.webIdentity.roleArn").as_deref(),
            Some("spec.environments.prod.s3.credentials")
        );
        assert_eq!(override_field(&spans, "prod", "spec.image"), None);
        assert_eq!(override_field(&spans, "dev", "metadata.namespace"), None);
    }
}
