//! The config reference (`docs/config-reference.md`), generated from the JSON schema, which is
//! generated from the model's doc comments: one source for the schema, the editor hints and the
//! docs. A test keeps the committed page current.

use std::collections::{BTreeSet, VecDeque};
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::schema::{json_schema, reference_of};

/// Where the generated page is committed.
pub const REFERENCE_FILE: &str = "docs/config-reference.md";

/// The whole reference page.
pub fn markdown() -> String {
    let schema = json_schema();
    let empty = Map::new();
    let defs = schema
        .get("definitions")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut out = String::from(
        "# spark-job.yaml reference\n\n\
         Generated from the JSON schema (`k8s-s3-spark schema`, committed as \
         `schema/spark-job.schema.json`), which is generated from the config types' doc comments. \
         Do not edit: run `K8S_S3_SPARK_UPDATE_DOCS=1 cargo test --test it golden` after changing the types.\n",
    );
    let mut queue = VecDeque::from([("SparkJob".to_owned(), &schema)]);
    let mut seen = BTreeSet::from(["SparkJob".to_owned()]);
    while let Some((name, def)) = queue.pop_front() {
        let _ = write!(
            out,
            "\n## `{name}`\n\n{}\n",
            one_line(def.get("description"))
        );
        if let Some(options) = def
            .get("oneOf")
            .and_then(Value::as_array)
            .filter(|o| o.iter().all(|v| v.get("properties").is_some()))
        {
            out.push_str("\nExactly one of:\n\n| Field | Type | Description |\n|---|---|---|\n");
            for option in options {
                for (field, prop) in option["properties"].as_object().into_iter().flatten() {
                    let ty = type_of(prop, defs, &mut seen, &mut queue);
                    let _ = writeln!(
                        out,
                        "| `{field}` | {ty} | {} |",
                        one_line(option.get("description"))
                    );
                }
            }
            continue;
        }
        let Some(props) = def.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let required: BTreeSet<&str> = def
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out.push_str("\n| Field | Type | Default | Description |\n|---|---|---|---|\n");
        for (field, prop) in props {
            let ty = type_of(prop, defs, &mut seen, &mut queue);
            let default = if required.contains(field.as_str()) {
                "required".to_owned()
            } else {
                prop.get("default")
                    .map_or_else(|| "-".to_owned(), |d| format!("`{}`", compact(d)))
            };
            let _ = writeln!(
                out,
                "| `{field}` | {ty} | {default} | {} |",
                one_line(prop.get("description"))
            );
        }
    }
    out
}

fn one_line(description: Option<&Value>) -> String {
    description
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

fn compact(value: &Value) -> String {
    match value {
        Value::Object(o) if o.is_empty() => "{}".into(),
        Value::Array(a) if a.is_empty() => "[]".into(),
        other => other.to_string().replace('|', "\\|"),
    }
}

/// A short type description; named object types are linked and queued for their own section.
fn type_of<'a>(
    prop: &'a Value,
    defs: &'a Map<String, Value>,
    seen: &mut BTreeSet<String>,
    queue: &mut VecDeque<(String, &'a Value)>,
) -> String {
    if let Some(name) = reference_of(prop).and_then(|r| r.rsplit('/').next()) {
        if let Some(link) = kubernetes_link(name) {
            return link;
        }
        let Some(def) = defs.get(name) else {
            return format!("`{name}`");
        };
        if let Some(values) = constants(def) {
            return values;
        }
        if def.get("properties").is_none() && def.get("oneOf").is_none() {
            return type_of(def, defs, seen, queue);
        }
        if seen.insert(name.to_owned()) {
            queue.push_back((name.to_owned(), def));
        }
        return format!("[`{name}`](#{})", name.to_ascii_lowercase());
    }
    if let Some(values) = constants(prop) {
        return values;
    }
    if let Some(any) = prop.get("anyOf").and_then(Value::as_array) {
        // Option<T>: anyOf [T, null].
        if let Some(inner) = any
            .iter()
            .find(|v| v.get("type") != Some(&Value::from("null")))
        {
            return type_of(inner, defs, seen, queue);
        }
    }
    let types: Vec<&str> = match prop.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => vec![],
    };
    match types.as_slice() {
        ["array"] => format!(
            "list of {}",
            prop.get("items")
                .map_or_else(|| "values".into(), |i| type_of(i, defs, seen, queue))
        ),
        ["object"] => format!(
            "map of string to {}",
            prop.get("additionalProperties")
                .map_or_else(|| "values".into(), |v| type_of(v, defs, seen, queue))
        ),
        [] => "value".into(),
        ts => ts.join(" or "),
    }
}

/// The Kubernetes API reference of the API version k8s-openapi is built for (its `v1_33`
/// feature in `Cargo.toml`).
const KUBERNETES_API_REFERENCE: &str =
    "https://kubernetes.io/docs/reference/generated/kubernetes-api/v1.33/";

/// A Kubernetes type (`io.k8s.api.core.v1.Affinity`) links to its section of the Kubernetes API
/// reference (`#affinity-v1-core`) instead of being copied here.
fn kubernetes_link(name: &str) -> Option<String> {
    let mut parts = name.strip_prefix("io.k8s.")?.rsplit('.');
    let (kind, version, group) = (parts.next()?, parts.next()?, parts.next()?);
    Some(format!(
        "Kubernetes [`{kind}`]({KUBERNETES_API_REFERENCE}#{}-{version}-{group})",
        kind.to_ascii_lowercase()
    ))
}

/// `` `A` \| `B` `` when the schema is a set of constants.
fn constants(def: &Value) -> Option<String> {
    let options = def.get("oneOf").and_then(Value::as_array)?;
    let values: Option<Vec<String>> = options
        .iter()
        .map(|o| {
            o.get("const")
                .and_then(Value::as_str)
                .map(|c| format!("`{c}`"))
        })
        .collect();
    values.map(|v| v.join(" \\| "))
}
