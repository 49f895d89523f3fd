//! A user's pod template (`driver.podTemplate`, `executor.podTemplate`) merged under the tool's
//! pod: theirs gives what ours leaves open (sidecars, init containers, extra volumes, DNS,
//! topology spread...), ours wins everywhere else. The fields the tool owns
//! ([`crate::config::pod_template`], which the validator warns from) are taken out of theirs
//! first, so a field the tool does not set this time (a pod deadline) is still never theirs; lists
//! with names (volumes, env, mounts, ports) are joined, ours first; every container of theirs gets
//! the security context of ours.

use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};

use crate::config::pod_template::{
    CARRIED_METADATA, OWNED_CONTAINER_FIELDS, OWNED_MAIN_CONTAINER_FIELDS, OWNED_POD_FIELDS,
};

/// Lists joined rather than replaced: theirs after ours (validation refuses a name or path of
/// theirs that ours has). The chart's Go merge (`k8s-s3-spark.over`) is given this list.
pub const JOINED: &[&str] = &["env", "envFrom", "ports", "volumeMounts", "volumes"];

/// `ours` (metadata and spec of a pod the tool describes) merged over `theirs`.
pub fn merge_under(
    theirs: &PodTemplateSpec,
    metadata: Option<ObjectMeta>,
    spec: PodSpec,
) -> (Option<ObjectMeta>, PodSpec) {
    let metadata = merge_metadata(theirs.metadata.as_ref(), metadata);
    let Some(their_spec) = &theirs.spec else {
        return (metadata, spec);
    };
    let mut theirs = object(their_spec);
    let mut ours = object(&spec);
    strip(&mut theirs, OWNED_POD_FIELDS);
    let mut their_containers = take_list(&mut theirs, "containers");
    let their_init = take_list(&mut theirs, "initContainers");
    let mut our_containers = take_list(&mut ours, "containers");
    // The security context every container gets: that of ours (the tool's one container).
    let hardened = our_containers
        .first()
        .and_then(|c| c.get("securityContext"))
        .cloned();
    let harden = |container: Value| {
        let mut container = into_object(container);
        strip(&mut container, OWNED_CONTAINER_FIELDS);
        if let Some(context) = &hardened {
            container.insert("securityContext".into(), context.clone());
        }
        Value::Object(container)
    };
    let mut containers = Vec::new();
    if !our_containers.is_empty() {
        let our_main = our_containers.remove(0);
        let main = if their_containers.is_empty() {
            our_main
        } else {
            let mut their_main = into_object(their_containers.remove(0));
            strip(&mut their_main, OWNED_CONTAINER_FIELDS);
            strip(&mut their_main, OWNED_MAIN_CONTAINER_FIELDS);
            their_main.remove("name");
            merge(Value::Object(their_main), our_main)
        };
        containers.push(main);
    }
    containers.extend(our_containers);
    containers.extend(their_containers.into_iter().map(harden));
    let mut merged = into_object(merge(Value::Object(theirs), Value::Object(ours)));
    merged.insert("containers".into(), Value::Array(containers));
    if !their_init.is_empty() {
        merged.insert(
            "initContainers".into(),
            Value::Array(their_init.into_iter().map(harden).collect()),
        );
    }
    let spec = serde_json::from_value(Value::Object(merged))
        .expect("two pod specs merged field by field are a pod spec");
    (metadata, spec)
}

/// Labels and annotations of theirs under ours (key by key, ours wins); nothing else of theirs.
fn merge_metadata(theirs: Option<&ObjectMeta>, ours: Option<ObjectMeta>) -> Option<ObjectMeta> {
    let Some(theirs) = theirs else {
        return ours;
    };
    let mut ours = ours.unwrap_or_default();
    for (field, _) in CARRIED_METADATA {
        let (mine, yours) = match *field {
            "labels" => (&mut ours.labels, &theirs.labels),
            _ => (&mut ours.annotations, &theirs.annotations),
        };
        if let Some(yours) = yours {
            let mut all = yours.clone();
            all.extend(mine.take().unwrap_or_default());
            *mine = Some(all);
        }
    }
    Some(ours)
}

/// `ours` over `theirs`: objects field by field, [`JOINED`] lists joined, anything else ours.
fn merge(theirs: Value, ours: Value) -> Value {
    match (theirs, ours) {
        (Value::Object(mut theirs), Value::Object(ours)) => {
            for (key, our_value) in ours {
                let value = match (theirs.remove(&key), our_value) {
                    (Some(Value::Array(their_items)), Value::Array(mut items))
                        if JOINED.contains(&key.as_str()) =>
                    {
                        items.extend(their_items);
                        Value::Array(items)
                    }
                    (Some(their_value), our_value) => merge(their_value, our_value),
                    (None, our_value) => our_value,
                };
                theirs.insert(key, value);
            }
            Value::Object(theirs)
        }
        (_, ours) => ours,
    }
}

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    into_object(serde_json::to_value(value).expect("Kubernetes objects serialize"))
}

fn into_object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn take_list(map: &mut Map<String, Value>, key: &str) -> Vec<Value> {
    match map.remove(key) {
        Some(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

fn strip(map: &mut Map<String, Value>, owned: &[(&str, &str)]) {
    for (field, _) in owned {
        map.remove(*field);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::config::pod_template::TYPED_POD_FIELDS;
    use crate::k8s::job;

    /// Every field the tool sets on a pod it describes is one the validator knows: owned (theirs
    /// is replaced, with a warning), typed (set in one place), or a joined list. A field the tool
    /// starts setting without a line in `config::pod_template` fails here.
    #[test]
    fn every_field_the_tool_sets_is_owned_typed_or_joined() {
        let config =
            crate::config::load(&crate::repo_root().join("examples/minio/spark-job.yaml")).unwrap();
        let resolved = config.resolve(Some("prod")).unwrap();
        let job = job::job(
            ObjectMeta::default(),
            Default::default(),
            resolved,
            true,
            vec![],
            Some("templates"),
        );
        let pod = job.spec.unwrap().template;
        let executor = job::executor_template(resolved, false);
        let driver = job::driver_template(resolved, true);
        let known = |field: &str, extra: &[&str], tables: &[&[(&str, &str)]]| {
            extra.contains(&field) || tables.iter().any(|t| t.iter().any(|(f, _)| *f == field))
        };
        let mut seen = BTreeSet::new();
        for spec in [
            pod.spec.unwrap(),
            executor.spec.unwrap(),
            driver.spec.unwrap(),
        ] {
            let spec = object(&spec);
            for key in spec.keys() {
                seen.insert(key.clone());
                assert!(
                    known(
                        key,
                        &["containers", "volumes"],
                        &[OWNED_POD_FIELDS, TYPED_POD_FIELDS]
                    ),
                    "the tool sets pod field {key}, which config::pod_template does not list"
                );
            }
            for container in spec["containers"].as_array().unwrap() {
                for key in container.as_object().unwrap().keys() {
                    assert!(
                        known(
                            key,
                            &["name", "env", "volumeMounts"],
                            &[OWNED_CONTAINER_FIELDS, OWNED_MAIN_CONTAINER_FIELDS]
                        ),
                        "the tool sets container field {key}, which config::pod_template does not list"
                    );
                }
            }
        }
        assert!(
            seen.contains("affinity") && seen.contains("securityContext"),
            "{seen:?}"
        );
    }

    #[test]
    fn theirs_fills_what_ours_leaves_open_and_ours_wins_the_rest() {
        let theirs: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"team": "ml", "app.kubernetes.io/name": "theirs"}},
            "spec": {
                "dnsPolicy": "None",
                "dnsConfig": {"nameservers": ["10.0.0.10"]},
                "hostNetwork": false,
                "serviceAccountName": "theirs",
                "securityContext": {"runAsUser": 1000},
                "volumes": [{"name": "shared", "emptyDir": {}}],
                "containers": [
                    {"name": "main", "image": "theirs", "ports": [{"containerPort": 4040}],
                     "volumeMounts": [{"name": "shared", "mountPath": "/shared"}]},
                    {"name": "log-shipper", "image": "fluent-bit:3",
                     "securityContext": {"runAsUser": 1000}},
                ],
                "initContainers": [{"name": "warm", "image": "busybox", "restartPolicy": "Always"}],
            }
        }))
        .unwrap();
        let ours_meta = ObjectMeta {
            labels: Some([("app.kubernetes.io/name".to_owned(), "ours".to_owned())].into()),
            ..Default::default()
        };
        let ours: PodSpec = serde_json::from_value(serde_json::json!({
            "serviceAccountName": "ours",
            "securityContext": {"runAsNonRoot": true},
            "volumes": [{"name": "tmp", "emptyDir": {}}],
            "containers": [{"name": "spark", "image": "ours",
                            "securityContext": {"allowPrivilegeEscalation": false},
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}]}],
        }))
        .unwrap();
        let (meta, spec) = merge_under(&theirs, Some(ours_meta), ours);
        let labels = meta.unwrap().labels.unwrap();
        assert_eq!(labels["app.kubernetes.io/name"], "ours");
        assert_eq!(labels["team"], "ml");
        let spec = serde_json::to_value(spec).unwrap();
        assert_eq!(spec["serviceAccountName"], "ours");
        assert_eq!(
            spec["securityContext"],
            serde_json::json!({"runAsNonRoot": true})
        );
        assert_eq!(spec["dnsPolicy"], "None");
        assert_eq!(spec["volumes"][0]["name"], "tmp");
        assert_eq!(spec["volumes"][1]["name"], "shared");
        let [main, sidecar] = spec["containers"].as_array().unwrap().as_slice() else {
            panic!("two containers: {spec}");
        };
        assert_eq!(main["name"], "spark");
        assert_eq!(main["image"], "ours");
        assert_eq!(main["ports"][0]["containerPort"], 4040);
        assert_eq!(main["volumeMounts"][1]["mountPath"], "/shared");
        assert_eq!(sidecar["image"], "fluent-bit:3");
        let hardened = serde_json::json!({"allowPrivilegeEscalation": false});
        assert_eq!(sidecar["securityContext"], hardened);
        assert_eq!(spec["initContainers"][0]["securityContext"], hardened);
        assert_eq!(spec["initContainers"][0]["restartPolicy"], "Always");
    }
}
