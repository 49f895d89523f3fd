//! Strategic-merge patches from the difference of two objects, for Kustomize overlays: what an
//! environment changes, addressed by name (a map key, a container or env var by its name, a mount
//! by its path) instead of by list position, so a reviewer reads what changes and a base whose
//! lists shift still takes the patch.
//!
//! Written for what Kustomize (kyaml) does with them, learned by running it:
//! - A list with a merge key is merged item by item, and the items the patch names come first,
//!   in the patch's order, then the others in their old order. So the patch names every item up to
//!   the last one that changes (unchanged ones by their key alone), and the order stays right.
//! - Other lists (spark-submit's arguments, tolerations, RBAC rules) are replaced whole.
//! - `key: null` deletes a field, but in a map of strings (labels, annotations, a ConfigMap's
//!   data) Kustomize writes the string "null": such a map losing a key is replaced whole
//!   (`$patch: replace`).
//! - Objects Kustomize has no schema for (custom resources) take lists whole too.

use serde_json::{Map, Value, json};

/// The directive key of strategic-merge patches.
const DIRECTIVE: &str = "$patch";

/// The merge key of the lists of Kubernetes' own objects this tool writes that merge by key
/// (`x-kubernetes-patch-merge-key` in the Kubernetes OpenAPI); every other list is atomic.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates"
        | "secrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ports" => "containerPort",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        "ownerReferences" => "uid",
        _ => return None,
    })
}

/// The patch that turns `old` into `new` (both objects of the same kind and name), without its
/// identity: `None` when nothing differs.
pub fn diff(old: &Value, new: &Value) -> Option<Map<String, Value>> {
    diff_objects(
        old,
        new,
        is_builtin(new["apiVersion"].as_str().unwrap_or_default()),
    )
}

/// Whether an apiVersion is one of Kubernetes' own groups (the core group, the unqualified ones
/// and `*.k8s.io`), whose merge keys Kustomize knows; custom resources' groups are domains of
/// their own.
fn is_builtin(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    !group.contains('.') || group.ends_with(".k8s.io")
}

/// [`diff`] of two objects, `builtin` saying whether their lists merge by key.
fn diff_objects(old: &Value, new: &Value, builtin: bool) -> Option<Map<String, Value>> {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => diff_map(old, new, builtin),
        _ => None,
    }
}

fn is_string_map(map: &Map<String, Value>) -> bool {
    map.values().all(Value::is_string)
}

fn diff_map(
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    builtin: bool,
) -> Option<Map<String, Value>> {
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    if !removed.is_empty() && is_string_map(old) && is_string_map(new) {
        let mut whole = new.clone();
        whole.insert(DIRECTIVE.into(), json!("replace"));
        return Some(whole);
    }
    let mut patch = Map::new();
    for key in removed {
        patch.insert(key.clone(), Value::Null);
    }
    for (key, value) in new {
        match old.get(key) {
            Some(before) if before == value => {}
            Some(before) => {
                patch.insert(key.clone(), diff_value(key, before, value, builtin));
            }
            None => {
                patch.insert(key.clone(), value.clone());
            }
        }
    }
    (!patch.is_empty()).then_some(patch)
}

/// The patch of one field that differs.
fn diff_value(field: &str, old: &Value, new: &Value, builtin: bool) -> Value {
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            diff_map(o, n, builtin).map_or_else(|| new.clone(), Value::Object)
        }
        (Value::Array(o), Value::Array(n)) => match merge_key(field).filter(|_| builtin) {
            Some(key) => diff_list(key, o, n, builtin),
            None => new.clone(),
        },
        _ => new.clone(),
    }
}

/// The key of a list item, when it has one (a string or number under `key`).
fn key_of<'v>(item: &'v Value, key: &str) -> Option<&'v Value> {
    item.get(key).filter(|k| k.is_string() || k.is_number())
}

/// The keys of a list's items, when every item has one and no two share it.
fn distinct_keys<'v>(items: &'v [Value], key: &str) -> Option<Vec<&'v Value>> {
    let keys: Vec<&Value> = items
        .iter()
        .map(|i| key_of(i, key))
        .collect::<Option<_>>()?;
    let distinct = keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k));
    distinct.then_some(keys)
}

/// A merged list: items up to the last that changes, in the new order (unchanged ones by key
/// alone), then deletions; or the whole list replaced when items lack distinct keys.
fn diff_list(key: &str, old: &[Value], new: &[Value], builtin: bool) -> Value {
    let (Some(old_keys), Some(new_keys)) = (distinct_keys(old, key), distinct_keys(new, key))
    else {
        let mut whole = vec![json!({ DIRECTIVE: "replace" })];
        whole.extend(new.iter().cloned());
        return Value::Array(whole);
    };
    let old_item = |k: &Value| old_keys.iter().position(|o| *o == k).map(|i| &old[i]);
    // The shortest prefix of the new list after which Kustomize's order (the named items, then
    // the rest in their old order) is the new order, the rest unchanged.
    let named = (0..=new.len())
        .find(|&n| {
            let rest: Vec<&Value> = old_keys
                .iter()
                .copied()
                .filter(|k| new_keys.contains(k) && !new_keys[..n].contains(k))
                .collect();
            rest == new_keys[n..]
                && new[n..]
                    .iter()
                    .zip(&new_keys[n..])
                    .all(|(item, k)| old_item(k) == Some(item))
        })
        .unwrap_or(new.len());
    let mut items: Vec<Value> = new[..named]
        .iter()
        .zip(&new_keys[..named])
        .map(|(item, k)| {
            let mut entry = Map::new();
            entry.insert(key.to_owned(), (*k).clone());
            match old_item(k) {
                Some(before) => {
                    if let Some(changes) = diff_objects(before, item, builtin) {
                        entry.extend(changes);
                    }
                    Value::Object(entry)
                }
                None => item.clone(),
            }
        })
        .collect();
    for k in old_keys.iter().filter(|k| !new_keys.contains(k)) {
        items.push(json!({ key: k, DIRECTIVE: "delete" }));
    }
    Value::Array(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(old: Value, new: Value) -> Value {
        diff_objects(&old, &new, true).map_or(Value::Null, Value::Object)
    }

    #[test]
    fn nothing_differs_nothing_to_patch() {
        let v = json!({"a": [1, 2], "b": {"c": "d"}});
        assert_eq!(patch(v.clone(), v), Value::Null);
    }

    #[test]
    fn maps_by_key_and_removed_fields_as_null() {
        assert_eq!(
            patch(
                json!({"a": 1, "b": {"c": 1, "d": 2}, "e": {"x": 1}}),
                json!({"a": 2, "b": {"c": 1, "d": 3}})
            ),
            json!({"a": 2, "b": {"d": 3}, "e": null})
        );
    }

    #[test]
    fn a_map_of_strings_losing_a_key_is_replaced_whole() {
        assert_eq!(
            patch(
                json!({"labels": {"a": "1", "b": "2"}}),
                json!({"labels": {"b": "3"}})
            ),
            json!({"labels": {"$patch": "replace", "b": "3"}})
        );
        // Without a removal it merges key by key.
        assert_eq!(
            patch(
                json!({"labels": {"a": "1", "b": "2"}}),
                json!({"labels": {"a": "1", "b": "3"}})
            ),
            json!({"labels": {"b": "3"}})
        );
    }

    #[test]
    fn atomic_lists_are_given_whole() {
        assert_eq!(
            patch(
                json!({"args": ["a", "b", "c"]}),
                json!({"args": ["a", "c"]})
            ),
            json!({"args": ["a", "c"]})
        );
    }

    #[test]
    fn merged_lists_name_items_up_to_the_last_change_and_delete_by_key() {
        let env = |items: Value| json!({"env": items});
        let old = env(json!([
            {"name": "A", "value": "1"},
            {"name": "B", "value": "2"},
            {"name": "C", "value": "3"},
            {"name": "D", "value": "4"}
        ]));
        // B changes: A is named to keep its place, C and D follow in their old order.
        let new = env(json!([
            {"name": "A", "value": "1"},
            {"name": "B", "value": "22"},
            {"name": "C", "value": "3"},
            {"name": "D", "value": "4"}
        ]));
        assert_eq!(
            patch(old.clone(), new),
            env(json!([{"name": "A"}, {"name": "B", "value": "22"}]))
        );
        // C goes, E comes after D: the whole list is named, C deleted.
        let new = env(json!([
            {"name": "A", "value": "1"},
            {"name": "B", "value": "2"},
            {"name": "D", "value": "4"},
            {"name": "E", "valueFrom": {"fieldRef": {"fieldPath": "x"}}}
        ]));
        assert_eq!(
            patch(old, new),
            env(json!([
                {"name": "A"},
                {"name": "B"},
                {"name": "D"},
                {"name": "E", "valueFrom": {"fieldRef": {"fieldPath": "x"}}},
                {"name": "C", "$patch": "delete"}
            ]))
        );
    }

    #[test]
    fn items_without_distinct_keys_replace_the_list() {
        assert_eq!(
            patch(
                json!({"env": [{"name": "A"}, {"value": "x"}]}),
                json!({"env": [{"name": "A"}]})
            ),
            json!({"env": [{"$patch": "replace"}, {"name": "A"}]})
        );
    }

    #[test]
    fn custom_resources_take_lists_whole() {
        let old = json!({"spec": {"volumes": [{"name": "a"}, {"name": "b"}]}});
        let new = json!({"spec": {"volumes": [{"name": "b"}]}});
        assert_eq!(
            diff_objects(&old, &new, false).map(Value::Object),
            Some(json!({"spec": {"volumes": [{"name": "b"}]}}))
        );
        assert!(
            is_builtin("v1")
                && is_builtin("batch/v1")
                && is_builtin("rbac.authorization.k8s.io/v1")
        );
        assert!(!is_builtin("external-secrets.io/v1"));
    }
}
