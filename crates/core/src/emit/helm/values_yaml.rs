//! `values.yaml` with a comment on every key, and the chart README's values table, both walked
//! from the values and their schema, so every description comes from a doc comment.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::schema::reference_of;
use crate::yaml;

/// Resolves `$ref`, `allOf: [$ref]` and `anyOf: [T, null]` to the schema of the value itself.
fn resolve<'a>(node: &'a Value, root: &'a Value) -> &'a Value {
    if let Some(target) = reference_of(node)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|p| root.pointer(p))
    {
        return resolve(target, root);
    }
    if let Some(inner) = node.get("anyOf").and_then(Value::as_array).and_then(|a| {
        a.iter()
            .find(|v| v.get("type") != Some(&Value::from("null")))
    }) {
        return resolve(inner, root);
    }
    node
}

/// Whether a key is a section of its own (a struct of the config) rather than one value. An
/// embedded Kubernetes type (an affinity) is one value, documented by Kubernetes, as in a pod spec.
fn is_section(node: &Value, root: &Value) -> bool {
    let kubernetes =
        |n: &Value| reference_of(n).is_some_and(|r| r.starts_with("#/definitions/io.k8s."));
    let optional_kubernetes = node
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(kubernetes));
    !kubernetes(node) && !optional_kubernetes && resolve(node, root).get("properties").is_some()
}

fn description(node: &Value, root: &Value) -> String {
    node.get("description")
        .or_else(|| resolve(node, root).get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One value on the line of its key, at any depth: YAML's own form when it fits on one line,
/// else JSON's (a double-quoted scalar YAML reads as the same string). A block scalar (`|-`)
/// would be indented for the top level, and its lines would become keys of the mapping around it.
fn scalar(value: &Value) -> String {
    let text = yaml::to_yaml(value);
    let text = text.trim_end();
    if text.contains('\n') {
        serde_json::to_string(value).expect("values are JSON")
    } else {
        text.to_owned()
    }
}

fn comment(out: &mut String, indent: usize, text: &str) {
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && indent + 2 + line.len() + word.len() > 98 {
            let _ = writeln!(out, "{:indent$}# {line}", "");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{:indent$}# {line}", "");
    }
}

fn write_object(
    out: &mut String,
    object: &Map<String, Value>,
    schema: &Value,
    root: &Value,
    indent: usize,
) {
    let props = resolve(schema, root)
        .get("properties")
        .and_then(Value::as_object);
    for (i, (key, value)) in object.iter().enumerate() {
        if indent == 0 && i > 0 {
            out.push('\n');
        }
        let prop = props.and_then(|p| p.get(key));
        if let Some(prop) = prop {
            comment(out, indent, &description(prop, root));
        }
        let key_text = scalar(&Value::from(key.as_str()));
        let pad = "";
        match value {
            Value::Object(map) if map.is_empty() => {
                let _ = writeln!(out, "{pad:indent$}{key_text}: {{}}");
            }
            Value::Array(items) if items.is_empty() => {
                let _ = writeln!(out, "{pad:indent$}{key_text}: []");
            }
            Value::Object(map) => {
                let _ = writeln!(out, "{pad:indent$}{key_text}:");
                let section = prop.filter(|p| is_section(p, root));
                let kubernetes = prop.is_some_and(|p| resolve(p, root).get("properties").is_some());
                if let Some(section) = section {
                    write_object(out, map, section, root, indent + 2);
                } else if kubernetes {
                    for line in yaml::to_yaml(value).lines() {
                        let _ = writeln!(out, "{pad:w$}{line}", w = indent + 2);
                    }
                } else {
                    for (k, v) in map {
                        let _ = writeln!(
                            out,
                            "{pad:w$}{}: {}",
                            scalar(&Value::from(k.as_str())),
                            scalar(v),
                            w = indent + 2
                        );
                    }
                }
            }
            Value::Array(items) => {
                let _ = writeln!(out, "{pad:indent$}{key_text}:");
                for line in yaml::to_yaml(items).lines() {
                    let _ = writeln!(out, "{pad:w$}{line}", w = indent + 2);
                }
            }
            other => {
                let _ = writeln!(out, "{pad:indent$}{key_text}: {}", scalar(other));
            }
        }
    }
}

/// `values.yaml`: the values with each key's description as a comment above it.
pub fn commented<T: Serialize>(values: &T, schema: &Value) -> String {
    let value = serde_json::to_value(values).expect("values are JSON");
    with_header(
        "# Values of this chart, generated by k8s-s3-spark. Helm checks them against values.schema.json.\n\n",
        &value,
        schema,
    )
}

/// `values-ENV.yaml`: what environment `name` changes in `values.yaml` (`overlay`, where `null`
/// removes a key, as Helm reads it), commented like `values.yaml`; `release` and `namespace` are
/// the ones `render --env` names its objects after.
pub fn environment(
    name: &str,
    release: &str,
    namespace: &str,
    overlay: &Value,
    schema: &Value,
) -> String {
    let header = format!(
        "# Values of environment `{name}`, generated by k8s-s3-spark: over values.yaml they give the objects\n\
         # `k8s-s3-spark render --env {name}` gives.\n\
         #   helm install {release} . -n {namespace} -f values-{name}.yaml\n\n"
    );
    with_header(&header, overlay, schema)
}

fn with_header(header: &str, value: &Value, schema: &Value) -> String {
    let mut out = String::from(header);
    match value {
        Value::Object(map) if !map.is_empty() => write_object(&mut out, map, schema, schema, 0),
        _ => out.push_str("{}\n"),
    }
    out
}

/// What `values` changes in `base` as a Helm values file: maps merge key by key (a key `base` has
/// and `values` lacks becomes `null`, which Helm reads as "remove"), anything else replaces;
/// `None` when nothing changes.
pub fn overlay(base: &Value, values: &Value) -> Option<Value> {
    match (base, values) {
        (Value::Object(base), Value::Object(values)) => {
            let mut out = Map::new();
            for (key, value) in values {
                let changed = match base.get(key) {
                    Some(old) => overlay(old, value),
                    None => Some(value.clone()),
                };
                if let Some(changed) = changed {
                    out.insert(key.clone(), changed);
                }
            }
            for key in base.keys().filter(|k| !values.contains_key(*k)) {
                out.insert(key.clone(), Value::Null);
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ if base == values => None,
        _ => Some(values.clone()),
    }
}

fn type_name(node: &Value, root: &Value) -> String {
    let node = resolve(node, root);
    if let Some(options) = node.get("oneOf").and_then(Value::as_array) {
        let consts: Vec<String> = options
            .iter()
            .filter_map(|o| o.get("const"))
            .map(|c| format!("`{}`", c.as_str().unwrap_or_default()))
            .collect();
        if !consts.is_empty() {
            return consts.join(" \\| ");
        }
    }
    match node.get("type") {
        Some(Value::String(t)) if t == "object" && node.get("properties").is_none() => "map".into(),
        Some(Value::String(t)) if t == "object" => "object".into(),
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "value".into(),
    }
}

fn rows(out: &mut String, prefix: &str, schema: &Value, value: Option<&Value>, root: &Value) {
    let Some(props) = resolve(schema, root)
        .get("properties")
        .and_then(Value::as_object)
    else {
        return;
    };
    for (key, prop) in props {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let current = value.and_then(|v| v.get(key));
        if is_section(prop, root) {
            rows(out, &path, prop, current, root);
            continue;
        }
        let default = current.map_or_else(
            || "-".to_owned(),
            |v| format!("`{}`", v.to_string().replace('|', "\\|")),
        );
        let _ = writeln!(
            out,
            "| `{path}` | {} | {default} | {} |",
            type_name(prop, root),
            description(prop, root).replace('|', "\\|")
        );
    }
}

/// The README's values table: every key (leaves of nested objects), its type, default and description.
pub fn table<T: Serialize>(values: &T, schema: &Value) -> String {
    let value = serde_json::to_value(values).expect("values are JSON");
    let mut out = String::new();
    rows(&mut out, "", schema, Some(&value), schema);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hostile_text_at_any_depth_reads_back_as_written() {
        let hostile = "x\nexecutor:\n  instances: 99\n  hostNetwork: true";
        let values = json!({
            "metadata": {"annotations": {"a": hostile, "b": "one line", "c": "{{ .Values }}"}},
            "serviceAccount": {"annotations": {hostile: hostile}},
            "driver": {"env": [{"name": "X", "value": hostile}], "cores": 1},
            "note": hostile,
        });
        let text = commented(&values, &json!({}));
        let read: Value = serde_saphyr::from_str(&text).expect("valid YAML");
        assert_eq!(read, values, "{text}");
    }

    #[test]
    fn an_overlay_holds_only_what_changes_and_nulls_what_goes() {
        let base = json!({"image": {"tag": "1", "repository": "r"}, "sparkConf": {"a": "1"}, "tls": true, "args": ["x"]});
        let env = json!({"image": {"tag": "2", "repository": "r"}, "sparkConf": {"a": "1", "b": "2"}, "args": ["y"]});
        assert_eq!(
            overlay(&base, &env),
            Some(
                json!({"image": {"tag": "2"}, "sparkConf": {"b": "2"}, "args": ["y"], "tls": null})
            )
        );
        assert_eq!(overlay(&base, &base), None);
    }
}
