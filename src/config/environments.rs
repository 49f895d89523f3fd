//! Environments: applying one named override (`dev`, `prod`, ...) to the base job, and mapping a
//! field of the merged job back to the override that set it, so problems point at the right line.

use super::model::{EnvironmentOverride, SparkJob};
use super::spans::{SpanIndex, join_key, parent};

/// Applies `overlay` to `base`: maps merge key by key, everything else replaces. The result has no
/// environments of its own.
pub fn apply(base: &SparkJob, overlay: &EnvironmentOverride) -> SparkJob {
    let mut job = base.clone();
    job.spec.environments.clear();
    let meta = &mut job.metadata;
    let spec = &mut job.spec;
    if let Some(ns) = &overlay.namespace {
        meta.namespace.clone_from(ns);
    }
    meta.labels.extend(overlay.labels.clone());
    if let Some(image) = &overlay.image {
        spec.image.clone_from(image);
    }
    if let Some(policy) = overlay.image_pull_policy {
        spec.image_pull_policy = policy;
    }
    if let Some(args) = &overlay.arguments {
        spec.arguments.clone_from(args);
    }
    spec.spark_conf.extend(overlay.spark_conf.clone());
    spec.hadoop_conf.extend(overlay.hadoop_conf.clone());
    if let Some(d) = &overlay.driver {
        let t = &mut spec.driver;
        set(&mut t.cores, d.cores);
        set_opt(&mut t.core_request, &d.core_request);
        set_opt(&mut t.core_limit, &d.core_limit);
        set(&mut t.memory, d.memory.clone());
        set_opt(&mut t.memory_overhead, &d.memory_overhead);
    }
    if let Some(e) = &overlay.executor {
        let t = &mut spec.executor;
        set(&mut t.instances, e.instances);
        set(&mut t.cores, e.cores);
        set_opt(&mut t.core_request, &e.core_request);
        set_opt(&mut t.core_limit, &e.core_limit);
        set(&mut t.memory, e.memory.clone());
        set_opt(&mut t.memory_overhead, &e.memory_overhead);
        set_opt(&mut t.delete_on_termination, &e.delete_on_termination);
    }
    if let Some(s) = &overlay.s3 {
        let t = &mut spec.s3;
        set_opt(&mut t.endpoint, &s.endpoint);
        set_opt(&mut t.region, &s.region);
        set(&mut t.path_style_access, s.path_style_access);
        set_opt(&mut t.tls, &s.tls);
        set(&mut t.credentials, s.credentials.clone());
        set(&mut t.paths, s.paths.clone());
    }
    if let Some(sa) = &overlay.service_account {
        spec.service_account
            .annotations
            .extend(sa.annotations.clone());
    }
    job
}

fn set<T>(target: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *target = v;
    }
}

fn set_opt<T: Clone>(target: &mut Option<T>, value: &Option<T>) {
    if value.is_some() {
        target.clone_from(value);
    }
}

/// The field of environment `env` that set `field` of the merged job, when the environment set it
/// (`metadata.namespace` of env `prod` is `spec.environments.prod.namespace`).
pub fn override_field(spans: &SpanIndex, env: &str, field: &str) -> Option<String> {
    let root = join_key("spec.environments", env);
    let relative = field
        .strip_prefix("metadata.")
        .filter(|r| r.starts_with("namespace") || r.starts_with("labels"))
        .or_else(|| field.strip_prefix("spec."))?;
    let mut candidate = format!("{root}.{relative}");
    // The override may replace a whole ancestor (e.g. `s3.credentials`), so walk up to the root.
    while candidate.len() > root.len() {
        if spans.contains(&candidate) {
            return Some(candidate);
        }
        candidate = parent(&candidate)?.to_owned();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

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
