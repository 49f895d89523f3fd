//! Checking generated objects before they are written. [`check`] runs the rules a schema misses
//! on every command: RoleBinding `roleRef.apiGroup`, the Job's restart policy, container images,
//! names and labels, one namespace, and every `$(VAR)` in the arguments defined in the
//! container's env. [`check_schemas`] adds each object against the Kubernetes 1.33 OpenAPI schema
//! of its type (from k8s-openapi's schemars support); `validate` runs it.
//!
//! The schemas are generated from the very types the objects are built from, so they confirm the
//! construction rather than catch user input, and compiling them costs about 8 ms, three
//! quarters of a whole `render`. They are compiled lazily, once per kind and process, only by
//! the command whose job is to check. This is the fast first line; the conformance stage runs
//! the real validators.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use k8s_openapi::Resource;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{Bundle, ExternalSecret, K8sError, Manifest};
use crate::syntax;

fn schema<T: schemars::JsonSchema>() -> serde_json::Value {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    serde_json::to_value(schema).expect("a schema is JSON")
}

fn compile<T: schemars::JsonSchema>() -> jsonschema::Validator {
    // Formats are annotations here, as the Kubernetes API server treats most of them; `shape`
    // relies on no schema constraining a string's content.
    jsonschema::draft202012::options()
        .should_validate_formats(false)
        .build(&schema::<T>())
        .expect("k8s-openapi schemas compile")
}

/// Calls `$m!(kind, T...)` with every kind that has a k8s-openapi schema.
macro_rules! schema_kinds {
    ($m:ident!($kind:expr)) => {
        $m!(
            $kind,
            Namespace,
            ServiceAccount,
            Role,
            RoleBinding,
            Secret,
            ConfigMap,
            Job,
            CronJob
        )
    };
}

macro_rules! validator_for {
    ($kind:expr, $($t:ty),*) => {{
        let kind: &str = $kind;
        $(
            if kind == <$t as Resource>::KIND {
                static V: OnceLock<jsonschema::Validator> = OnceLock::new();
                return Some(V.get_or_init(compile::<$t>));
            }
        )*
        None
    }};
}

fn validator(kind: &str) -> Option<&'static jsonschema::Validator> {
    schema_kinds!(validator_for!(kind))
}

/// Checks the rules on every object of a bundle, on its typed objects; returns how many objects
/// it has, or all failures at once.
pub fn check(bundle: &Bundle) -> Result<usize, K8sError> {
    let mut errors = Vec::new();
    let metadata = bundle.metadata();
    // The objects of a job share most of their labels: each pair is checked once.
    let mut labels = Vec::new();
    for (kind, meta) in &metadata {
        check_metadata(kind, meta, &mut labels, &mut errors);
    }
    check_rules(bundle, &metadata, &mut errors);
    if errors.is_empty() {
        Ok(metadata.len())
    } else {
        Err(K8sError::Invalid(errors))
    }
}

/// Checks objects against the Kubernetes OpenAPI schemas of their types; all failures at once.
/// `validate` passes one object of each [shape](super::shape) (`Bundle::manifests_of_new_shapes`).
pub fn check_schemas(manifests: &[Manifest]) -> Result<(), K8sError> {
    let mut errors = Vec::new();
    for m in manifests {
        check_schema(m, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(K8sError::Invalid(errors))
    }
}

fn check_schema(m: &Manifest, errors: &mut Vec<String>) {
    if m.kind == ExternalSecret::KIND {
        // A custom resource: k8s-openapi has no schema for it; its fields are typed in
        // `external_secret.rs`, and the real judge is the operator's CRD on an API server.
        return;
    }
    let Some(v) = validator(m.kind) else {
        errors.push(format!("{}/{}: no schema for kind", m.kind, m.name));
        return;
    };
    for e in v.iter_errors(&m.value) {
        errors.push(format!(
            "{}/{}: {} at {}",
            m.kind,
            m.name,
            e,
            e.instance_path()
        ));
    }
}

fn check_metadata<'a>(
    kind: &str,
    meta: &'a ObjectMeta,
    checked_labels: &mut Vec<(&'a str, &'a str)>,
    errors: &mut Vec<String>,
) {
    let name = meta.name.as_deref().unwrap_or_default();
    let name_rule = if [Namespace::KIND, Job::KIND, CronJob::KIND].contains(&kind) {
        syntax::dns1123_label
    } else {
        syntax::dns1123_subdomain
    };
    if let Err(e) = name_rule(name) {
        errors.push(format!("{kind}/{name}: metadata.name {e}"));
    }
    for (k, v) in meta.labels.iter().flatten() {
        if checked_labels.contains(&(k, v)) {
            continue;
        }
        checked_labels.push((k, v));
        if let Err(e) = syntax::qualified_name(k).and_then(|()| syntax::label_value(v)) {
            errors.push(format!("{kind}/{name}: label {k}: {e}"));
        }
    }
}

fn check_rules(bundle: &Bundle, metadata: &[(&str, &ObjectMeta)], errors: &mut Vec<String>) {
    let namespace = bundle.job.metadata.namespace.as_deref().unwrap_or_default();
    for (kind, meta) in metadata {
        if *kind != Namespace::KIND && meta.namespace.as_deref() != Some(namespace) {
            let name = meta.name.as_deref().unwrap_or_default();
            errors.push(format!("{kind}/{name}: not in namespace {namespace}"));
        }
    }
    let binding = &bundle.role_binding;
    if binding.role_ref.api_group != Role::GROUP || binding.role_ref.kind != Role::KIND {
        errors.push(format!(
            "RoleBinding: roleRef must be {}/{}",
            Role::GROUP,
            Role::KIND
        ));
    }
    if Some(binding.role_ref.name.as_str()) != bundle.role.metadata.name.as_deref() {
        errors.push("RoleBinding: roleRef.name does not name the Role".into());
    }
    let Some(pod) = bundle
        .job
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
    else {
        errors.push("Job: no pod spec".into());
        return;
    };
    if !matches!(pod.restart_policy.as_deref(), Some("Never" | "OnFailure")) {
        errors.push("Job: restartPolicy must be Never or OnFailure".into());
    }
    let sa = pod.service_account_name.as_deref().unwrap_or_default();
    let bound = binding
        .subjects
        .iter()
        .flatten()
        .any(|s| s.name == sa && s.namespace.as_deref() == Some(namespace));
    if !bound {
        errors.push(format!(
            "Job: service account {sa} is not bound to the Role"
        ));
    }
    for c in &pod.containers {
        if c.image.as_deref().is_none_or(str::is_empty) {
            errors.push(format!("Job: container {} has no image", c.name));
        }
        let defined: BTreeSet<&str> = c.env.iter().flatten().map(|e| e.name.as_str()).collect();
        for text in c.command.iter().flatten().chain(c.args.iter().flatten()) {
            for var in references(text) {
                if !defined.contains(var) {
                    errors.push(format!(
                        "Job: container {} refers to $({var}), which its env does not define",
                        c.name
                    ));
                }
            }
        }
    }
    let config_maps: BTreeSet<&str> = bundle
        .pod_templates
        .iter()
        .filter_map(|c| c.metadata.name.as_deref())
        .collect();
    // The pod templates' volume mounts the tool's ConfigMap; a user's pod template may mount
    // ConfigMaps of the cluster.
    for v in pod.volumes.iter().flatten() {
        if let Some(cm) = &v.config_map
            && v.name == crate::spark::submit::TEMPLATES_VOLUME
            && !config_maps.contains(cm.name.as_str())
        {
            errors.push(format!(
                "Job: volume {} mounts ConfigMap {}, which is not generated",
                v.name, cm.name
            ));
        }
    }
}

/// The `$(VAR)` references Kubernetes would expand in `text` (`$$` escapes).
pub fn references(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(at) = text.get(i..).and_then(|rest| rest.find('$')) {
        i += at;
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'(') => match text[i + 2..].find(')') {
                Some(end) => {
                    out.push(&text[i + 2..i + 2 + end]);
                    i += end + 3;
                }
                None => i += 2,
            },
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::{ConfigMap, CronJob, Job, Resource, Role, RoleBinding, Secret, ServiceAccount};
    use super::{Namespace, references};
    use crate::k8s::{ExternalSecret, KINDS};

    /// The schema keywords that look at an object's structure only, or at nothing (annotations,
    /// and `format`, which [`super::compile`] does not assert).
    const STRUCTURAL: [&str; 12] = [
        "$schema",
        "$ref",
        "$defs",
        "type",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "description",
        "title",
        "format",
        "x-kubernetes-int-or-string",
    ];

    /// The keywords of `schema` that could look at a string's content.
    fn content_keywords(schema: &Value, at: &str, out: &mut Vec<String>) {
        let Value::Object(keywords) = schema else {
            return;
        };
        for (keyword, value) in keywords {
            match keyword.as_str() {
                "properties" | "$defs" => {
                    for (name, sub) in value.as_object().into_iter().flatten() {
                        content_keywords(sub, &format!("{at}/{keyword}/{name}"), out);
                    }
                }
                "items" | "additionalProperties" => {
                    content_keywords(value, &format!("{at}/{keyword}"), out);
                }
                k if STRUCTURAL.contains(&k) => {}
                k => out.push(format!("{at}/{k}")),
            }
        }
    }

    macro_rules! schema_for {
        ($kind:expr, $($t:ty),*) => {{
            let kind: &str = $kind;
            $(
                if kind == <$t as Resource>::KIND {
                    return Some(super::schema::<$t>());
                }
            )*
            None
        }};
    }

    fn schema(kind: &str) -> Option<Value> {
        schema_kinds!(schema_for!(kind))
    }

    #[test]
    fn no_schema_constrains_the_content_of_a_string() {
        let mut found = Vec::new();
        let probe = serde_json::json!({"properties": {"pattern": {"type": "string", "pattern": "^a"}},
            "items": {"enum": ["a"]}});
        content_keywords(&probe, "", &mut found);
        found.sort();
        assert_eq!(found, ["/items/enum", "/properties/pattern/pattern"]);
        for kind in KINDS.iter().filter(|k| k.kind != ExternalSecret::KIND) {
            let schema = schema(kind.kind).expect("every built-in kind has a schema");
            found.clear();
            content_keywords(&schema, kind.kind, &mut found);
            assert!(
                found.is_empty(),
                "k8s::shape leaves string contents out, but these keywords may look at them: {found:?}"
            );
        }
    }

    #[test]
    fn finds_unescaped_references_only() {
        assert_eq!(references("a=$(X):$(Y)"), ["X", "Y"]);
        assert!(references("$$(X) and $$$$(Y)").is_empty());
        assert_eq!(references("$$$(X)"), ["X"]);
    }
}
