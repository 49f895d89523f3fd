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
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};

use serde_json::Value;

use super::{Bundle, ExternalSecret, K8sError, Manifest};
use crate::syntax;

fn compile<T: schemars::JsonSchema>() -> jsonschema::Validator {
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<T>();
    let value = serde_json::to_value(schema).expect("a schema is JSON");
    jsonschema::draft202012::new(&value).expect("k8s-openapi schemas compile")
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
    validator_for!(
        kind,
        Namespace,
        ServiceAccount,
        Role,
        RoleBinding,
        Secret,
        ConfigMap,
        Job
    )
}

/// Checks the rules on every object of a bundle (`manifests` are its objects, serialized once by
/// the caller); returns all failures at once.
pub fn check(bundle: &Bundle, manifests: &[Manifest]) -> Result<(), K8sError> {
    let mut errors = Vec::new();
    for m in manifests {
        check_metadata(m, &mut errors);
    }
    check_rules(bundle, manifests, &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(K8sError::Invalid(errors))
    }
}

/// Checks objects against the Kubernetes OpenAPI schemas of their types; all failures at once.
///
/// `manifests` may hold the objects of several environments of one config, which mostly differ
/// in their namespace only: an object equal to one already checked but for the values of its
/// `namespace` fields is not checked again. No Kubernetes schema constrains a namespace beyond
/// being a string (the config rules check its syntax, [`check`] that every object has the job's),
/// so checking it again could only give the same answer.
pub fn check_schemas(manifests: &[Manifest]) -> Result<(), K8sError> {
    let mut errors = Vec::new();
    let mut checked: Vec<&Manifest> = Vec::new();
    for m in manifests {
        let seen = checked
            .iter()
            .any(|c| c.kind == m.kind && same_but_namespace(&c.value, &m.value));
        if !seen {
            check_schema(m, &mut errors);
            checked.push(m);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(K8sError::Invalid(errors))
    }
}

/// Whether two objects are equal but for the string values of `namespace` keys.
fn same_but_namespace(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|((ka, va), (kb, vb))| {
                    ka == kb
                        && ((ka == "namespace" && va.is_string() && vb.is_string())
                            || same_but_namespace(va, vb))
                })
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_but_namespace(x, y))
        }
        _ => a == b,
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

fn check_metadata(m: &Manifest, errors: &mut Vec<String>) {
    let meta = &m.value["metadata"];
    let name = meta["name"].as_str().unwrap_or_default();
    let name_rule = if m.kind == Namespace::KIND || m.kind == Job::KIND {
        syntax::dns1123_label
    } else {
        syntax::dns1123_subdomain
    };
    if let Err(e) = name_rule(name) {
        errors.push(format!("{}/{name}: metadata.name {e}", m.kind));
    }
    if let Some(labels) = meta["labels"].as_object() {
        for (k, v) in labels {
            if let Err(e) = syntax::qualified_name(k)
                .and_then(|()| syntax::label_value(v.as_str().unwrap_or("\u{0}")))
            {
                errors.push(format!("{}/{name}: label {k}: {e}", m.kind));
            }
        }
    }
}

fn check_rules(bundle: &Bundle, manifests: &[Manifest], errors: &mut Vec<String>) {
    let namespace = bundle.job.metadata.namespace.as_deref().unwrap_or_default();
    for m in manifests {
        if m.kind != Namespace::KIND && m.value["metadata"]["namespace"].as_str() != Some(namespace)
        {
            errors.push(format!(
                "{}/{}: not in namespace {namespace}",
                m.kind, m.name
            ));
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
    for v in pod.volumes.iter().flatten() {
        if let Some(cm) = &v.config_map
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
    while i < bytes.len() {
        if bytes[i] == b'$' {
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
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{references, same_but_namespace};

    #[test]
    fn objects_that_differ_in_namespace_only_are_the_same_for_the_schema() {
        let a =
            json!({"metadata": {"name": "j", "namespace": "a"}, "subjects": [{"namespace": "a"}]});
        let b =
            json!({"metadata": {"name": "j", "namespace": "b"}, "subjects": [{"namespace": "b"}]});
        assert!(same_but_namespace(&a, &b));
        let other_name =
            json!({"metadata": {"name": "k", "namespace": "b"}, "subjects": [{"namespace": "b"}]});
        assert!(!same_but_namespace(&a, &other_name));
        let not_a_string =
            json!({"metadata": {"name": "j", "namespace": 1}, "subjects": [{"namespace": "b"}]});
        assert!(!same_but_namespace(&a, &not_a_string));
        let longer = json!({"metadata": {"name": "j", "namespace": "b"}, "subjects": [{"namespace": "b"}, {}]});
        assert!(!same_but_namespace(&a, &longer));
    }

    #[test]
    fn finds_unescaped_references_only() {
        assert_eq!(references("a=$(X):$(Y)"), ["X", "Y"]);
        assert!(references("$$(X) and $$$$(Y)").is_empty());
        assert_eq!(references("$$$(X)"), ["X"]);
    }
}
