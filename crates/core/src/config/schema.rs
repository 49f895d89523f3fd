//! The JSON schema of `spark-job.yaml`, generated from the typed config, and the structural check
//! of a parsed document against it (every problem at once, each with its field path).

use std::sync::OnceLock;

use jsonschema::JsonType;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::Value;

use super::model::SparkJob;
use super::spans::{join_index, join_key};

/// Where the schema is committed, for editors' `yaml-language-server` comments.
pub const SCHEMA_FILE: &str = "schema/spark-job.schema.json";

/// The schema's `$id`: a name, not an address (the project publishes none), stable for as long
/// as the config's `apiVersion` is, so a catalogue entry or a `$ref` from another schema names
/// this version of the format whatever URL serves the file.
pub fn schema_id() -> String {
    format!(
        "urn:{}:SparkJob",
        super::model::API_VERSION.replace('/', ":")
    )
}

/// The JSON schema of the config, as `k8s-s3-spark schema` prints it.
pub fn json_schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<SparkJob>();
    let mut schema = serde_json::to_value(schema).expect("a generated schema is always valid JSON");
    super::strict::strict_definitions(&mut schema);
    if let Value::Object(root) = &mut schema {
        // After `$schema`, as schema authors write it.
        let rest = std::mem::take(root);
        for (key, value) in rest {
            let schema_key = key == "$schema";
            root.insert(key, value);
            if schema_key {
                root.insert("$id".into(), schema_id().into());
            }
        }
    }
    schema
}

/// Removes the definitions nothing reachable from the root refers to (after a property was
/// taken out of a schema, the types only it used).
pub fn prune_definitions(schema: &mut Value) {
    fn refs<'a>(node: &'a Value, out: &mut Vec<&'a str>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.trim_start_matches("#/definitions/"));
                }
                map.iter()
                    .filter(|(k, _)| *k != "definitions")
                    .for_each(|(_, v)| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let Some(definitions) = schema.get("definitions").and_then(Value::as_object) else {
        return;
    };
    let mut reached = std::collections::BTreeSet::new();
    let mut queue = Vec::new();
    refs(schema, &mut queue);
    while let Some(name) = queue.pop() {
        if reached.insert(name.to_owned())
            && let Some(definition) = definitions.get(name)
        {
            refs(definition, &mut queue);
        }
    }
    if let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) {
        definitions.retain(|name, _| reached.contains(name));
    }
}

/// The schema as pretty JSON with a trailing newline, the exact bytes of the committed copy.
pub fn json_schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(&json_schema()).expect("a JSON value always serializes");
    text.push('\n');
    text
}

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft7::new(&json_schema()).expect("the generated schema compiles")
    })
}

/// One structural problem: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaProblem {
    /// Field path in the config (see [`super::spans`]).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// The `$ref` of a schema node, written directly or wrapped as `allOf: [{$ref}]` (how schemars
/// attaches a description to a reference).
pub fn reference_of(node: &Value) -> Option<&str> {
    node.get("$ref")
        .or_else(|| node.get("allOf")?.get(0)?.get("$ref"))
        .and_then(Value::as_str)
}

fn schema_value() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(json_schema)
}

/// Checks a parsed document against the schema; returns every problem found.
pub fn check(document: &Value) -> Vec<SchemaProblem> {
    let mut problems = Vec::new();
    for error in validator().iter_errors(document) {
        explain(&error, &mut problems);
    }
    problems.sort_by(|a, b| a.field.cmp(&b.field).then(a.message.cmp(&b.message)));
    problems.dedup();
    problems
}

/// Turns one validation error into problems. An optional field is `anyOf: [{$ref}, {type:
/// null}]` in the schema; when a value there fails, the reason is inside the `$ref` branch, so
/// that branch's own errors are reported (an unknown field in an environment override reads as
/// it does in the base, at the same line), not the `anyOf` summary.
fn explain(error: &jsonschema::ValidationError<'_>, out: &mut Vec<SchemaProblem>) {
    let mut field = String::new();
    for segment in error.instance_path().segments() {
        field = match segment {
            LocationSegment::Property(key) => join_key(&field, &key),
            LocationSegment::Index(i) => join_index(&field, i),
        };
    }
    if let ValidationErrorKind::AnyOf { context } = error.kind()
        && !error.instance().is_null()
    {
        let mut branches = context.iter().filter(|branch| !only_not_null(branch));
        if let (Some(branch), None) = (branches.next(), branches.next()) {
            for inner in branch {
                explain(inner, out);
            }
            return;
        }
    }
    // Every unknown field of the object, not only the first.
    if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
        out.extend(unexpected.iter().map(|name| unknown_field(&field, name)));
        return;
    }
    // The subschema that failed, to list allowed values.
    let keyword = schema_value().pointer(error.schema_path().as_str());
    out.push(describe(
        field,
        error.kind(),
        error.instance(),
        &error.to_string(),
        keyword,
    ));
}

/// Whether a branch of an `anyOf` failed only because the value is not null (the `{type: null}`
/// branch of an optional field).
fn only_not_null(branch: &[jsonschema::ValidationError<'_>]) -> bool {
    matches!(branch, [e] if matches!(e.kind(), ValidationErrorKind::Type { kind: TypeKind::Single(JsonType::Null) }))
}

/// Whether a type error's expected types are text only.
fn expects_text(kind: &TypeKind) -> bool {
    match kind {
        TypeKind::Single(t) => *t == JsonType::String,
        TypeKind::Multiple(set) => {
            set.contains(JsonType::String)
                && !set.contains(JsonType::Number)
                && !set.contains(JsonType::Boolean)
        }
    }
}

/// Whether the schema takes text at `field` (a string, or nothing): a string refused there is of
/// the right type and only of the wrong form (a pattern), so the typed reading takes it.
pub fn takes_text(field: &str) -> bool {
    let types: Vec<&str> = match schema_at(field).and_then(|node| node.get("type")) {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    types.contains(&"string") && types.iter().all(|t| matches!(*t, "string" | "null"))
}

/// Why the whole number the schema asks for at `field` cannot be `number` although the schema's
/// type check passes it: written as a decimal (`1.0`, `1e3`, which JSON Schema counts as
/// integers), or outside the range of the field's `format` (`int32`, `uint32`, `int64`).
/// `None` when it can, or when the field takes no whole number.
pub fn whole_number_problem(field: &str, number: &serde_json::Number) -> Option<String> {
    let node = schema_at(field)?;
    let integer = match node.get("type")? {
        Value::String(t) => t == "integer",
        Value::Array(ts) => ts.iter().any(|t| t == "integer"),
        _ => false,
    };
    if !integer {
        return None;
    }
    let (min, max): (i128, i128) = match node.get("format").and_then(Value::as_str)? {
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "uint32" => (0, u32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "uint64" => (0, u64::MAX.into()),
        _ => return None,
    };
    let value = number
        .as_i64()
        .map(i128::from)
        .or_else(|| number.as_u64().map(i128::from));
    match value {
        Some(v) if (min..=max).contains(&v) => None,
        Some(_) => Some(format!(
            "{number} is out of range: this field takes {min} to {max}"
        )),
        None => {
            let f = number.as_f64()?;
            // A fraction is the schema's to refuse (not an integer).
            if f.fract() != 0.0 {
                return None;
            }
            Some(
                if (min as f64..=max as f64).contains(&f) && f.abs() < 1e15 {
                    format!("{number} is a decimal number where a whole number belongs: write {f}")
                } else {
                    format!("{number} is out of range: this field takes {min} to {max}")
                },
            )
        }
    }
}

/// The schema node describing the value at `field`, found by walking the schema from the root
/// (through `$ref`, optional `anyOf`, maps and lists).
fn schema_at(field: &str) -> Option<&'static Value> {
    let mut node = resolve(schema_value())?;
    for segment in super::spans::segments(field) {
        node = match segment {
            super::spans::Segment::Key(key) => node
                .get("properties")
                .and_then(|p| p.get(key.as_str()))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))?,
            super::spans::Segment::Index(_) => node.get("items")?,
        };
        node = resolve(node)?;
    }
    Some(node)
}

/// Follows `$ref`s and the non-null branch of an optional field's `anyOf`.
fn resolve(mut node: &'static Value) -> Option<&'static Value> {
    for _ in 0..16 {
        if let Some(target) = reference_of(node) {
            node = schema_value().pointer(target.strip_prefix('#')?)?;
        } else if let Some(options) = node.get("anyOf").and_then(Value::as_array) {
            let mut real = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"));
            match (real.next(), real.next()) {
                (Some(only), None) => node = only,
                _ => return Some(node),
            }
        } else {
            return Some(node);
        }
    }
    Some(node)
}

/// An unknown field `name` in the object at `field`, with the field it may be a misspelling of.
fn unknown_field(field: &str, name: &str) -> SchemaProblem {
    let known: Vec<&str> = schema_at(field)
        .and_then(|p| p.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect())
        .unwrap_or_default();
    // A spec field environments may not set: say so, rather than guess a spelling.
    let in_environment = super::spans::parent(field) == Some("spec.environments");
    let fixed = match name {
        "type" => Some(
            "the language is the job's, the same in every environment: set `spec.type` once, and give a job in another language its own config file",
        ),
        "environments" => {
            Some("environments do not nest: declare each one directly under `spec.environments`")
        }
        _ => None,
    };
    if let Some(help) = fixed.filter(|_| in_environment) {
        return SchemaProblem {
            field: join_key(field, name),
            message: format!("`{name}` cannot vary per environment"),
            help: Some(help.into()),
        };
    }
    let help = match closest(name, &known) {
        Some(k) => {
            format!("did you mean `{k}`? Fields are camelCase; see `k8s-s3-spark schema`")
        }
        None if !known.is_empty() => format!("fields here are: {}", known.join(", ")),
        None => "see `k8s-s3-spark schema` for the fields".into(),
    };
    SchemaProblem {
        field: join_key(field, name),
        message: format!("unknown field `{name}`"),
        help: Some(help),
    }
}

fn describe(
    field: String,
    kind: &ValidationErrorKind,
    instance: &Value,
    fallback: &str,
    keyword: Option<&Value>,
) -> SchemaProblem {
    let plain = fallback.replace('"', "'");
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            unknown_field(&field, unexpected.first().map_or("", String::as_str))
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            SchemaProblem {
                field: join_key(&field, name),
                message: format!("missing required field `{name}`"),
                help: Some(format!(
                    "add `{name}:` (see `k8s-s3-spark init` for a complete example)"
                )),
            }
        }
        ValidationErrorKind::Type { .. } if instance.is_null() => SchemaProblem {
            field,
            message: "has no value".into(),
            help: Some(
                "write the value after the colon, or remove the line to take the default".into(),
            ),
        },
        ValidationErrorKind::Type { kind }
            if expects_text(kind) && !instance.is_object() && !instance.is_array() =>
        {
            let read_as = if instance.is_boolean() {
                "a boolean"
            } else {
                "a number"
            };
            SchemaProblem {
                field,
                message: format!("YAML reads this value as {read_as}, but the field takes text"),
                help: Some("put the value in quotes, e.g. \"1.10\", so it stays exactly as written (unquoted, 1.10 would become 1.1 and 1e3 would become 1000)".into()),
            }
        }
        ValidationErrorKind::Type { .. } => SchemaProblem {
            field,
            message: plain,
            help: Some(
                "quote strings, write numbers without quotes, and use true/false for switches"
                    .into(),
            ),
        },
        ValidationErrorKind::Pattern { pattern }
            if pattern == crate::syntax::SPARK_MEMORY_PATTERN =>
        {
            let text = instance.as_str().unwrap_or_default();
            let reason = crate::syntax::spark_memory_mib(text)
                .err()
                .unwrap_or_else(|| "is not a Spark size".into());
            SchemaProblem {
                field,
                message: format!("{text:?} {reason}"),
                help: Some("write a Spark size such as 512m or 4g".into()),
            }
        }
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. } => {
            SchemaProblem {
                field,
                message: plain,
                help: Some("use a whole number in range".into()),
            }
        }
        ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. }
            if let Some(mut forms) = keyword.map(variants).filter(|f| !f.is_empty()) =>
        {
            let last = forms.pop().unwrap_or_default();
            let kind = field.rsplit('.').next().unwrap_or("field").to_owned();
            SchemaProblem {
                message: if forms.is_empty() {
                    format!("must be `{last}`")
                } else {
                    format!(
                        "must be exactly one of {} or `{last}`",
                        forms
                            .iter()
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                help: Some(format!("keep one {kind} kind and check its fields")),
                field,
            }
        }
        _ => {
            let allowed = keyword.map(allowed_values).unwrap_or_default();
            if allowed.is_empty() {
                SchemaProblem {
                    field,
                    message: plain,
                    help: Some("see docs/config-reference.md or `k8s-s3-spark schema` for what this field takes".into()),
                }
            } else {
                SchemaProblem {
                    field,
                    message: format!("{} is not an allowed value", instance_text(fallback)),
                    help: Some(format!("use one of: {}", allowed.join(", "))),
                }
            }
        }
    }
}

/// The forms of an externally tagged enum (a `oneOf` of objects with one required key), e.g.
/// `webIdentity: {roleArn: ...}`: `{}` for a variant without fields, its required fields, or
/// `{...}`. Empty when the `oneOf` is anything else.
fn variants(keyword: &Value) -> Vec<String> {
    let options = match keyword {
        Value::Array(items) => items,
        Value::Object(o) => match o.get("oneOf") {
            Some(Value::Array(items)) => items,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut forms = Vec::new();
    for option in options {
        let (Some([Value::String(key)]), Some(properties)) = (
            option
                .get("required")
                .and_then(Value::as_array)
                .map(Vec::as_slice),
            option.get("properties"),
        ) else {
            return Vec::new();
        };
        let Some(body) = properties.get(key.as_str()).and_then(resolve_value) else {
            return Vec::new();
        };
        let required: Vec<&str> = body
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let has_fields = body
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        forms.push(if !required.is_empty() {
            format!(
                "{key}: {{{}}}",
                required
                    .iter()
                    .map(|r| format!("{r}: ..."))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else if has_fields {
            format!("{key}: {{...}}")
        } else {
            format!("{key}: {{}}")
        });
    }
    forms
}

/// Follows `$ref`s from a node that need not live in the schema itself.
fn resolve_value(node: &Value) -> Option<&Value> {
    match reference_of(node) {
        Some(target) => resolve(schema_value().pointer(target.strip_prefix('#')?)?),
        None => Some(node),
    }
}

/// The constant values a `oneOf`/`anyOf`/`enum`/`const` subschema allows, following `$ref`s.
fn allowed_values(keyword: &Value) -> Vec<String> {
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    match keyword {
        Value::Array(items) => items.iter().flat_map(allowed_values).collect(),
        Value::Object(o) => {
            if let Some(c) = o.get("const") {
                vec![text(c)]
            } else if let Some(e) = o.get("enum").and_then(Value::as_array) {
                e.iter().map(text).collect()
            } else if let Some(target) = reference_of(keyword)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| schema_value().pointer(p))
            {
                allowed_values(target)
            } else if let Some(options) = o.get("oneOf").or_else(|| o.get("anyOf")) {
                allowed_values(options)
            } else {
                Vec::new()
            }
        }
        other => vec![text(other)],
    }
}

/// The offending value at the start of a jsonschema message (`"x" is not ...`).
fn instance_text(message: &str) -> String {
    message
        .split(" is not")
        .next()
        .unwrap_or(message)
        .replace('"', "'")
}

/// The known name nearest to a misspelt one, if it is close.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for j in 0..b.len() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != b[j]))
                .min(row[j] + 1)
                .min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_level_fields_are_the_schemas() {
        let schema = json_schema();
        let fields: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut named = super::super::model::TOP_LEVEL_FIELDS.to_vec();
        named.sort_unstable();
        assert_eq!(fields, named);
    }

    #[test]
    fn reports_every_problem_with_its_field() {
        let doc = serde_json::json!({
            "apiVersion": "k8s-s3-spark/v1alpha1",
            "kind": "SparkJob",
            "metadata": {"name": "x", "namespce": "y"},
            "spec": {"type": "Python", "sparkVersion": "3.5.3", "image": "a:1",
                     "mainApplicationFile": "local:///a.py", "executor": {"instances": "two"}}
        });
        let fields: Vec<_> = check(&doc).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "metadata.namespace",
                "metadata.namespce",
                "spec.executor.instances"
            ]
        );
        let typo = check(&doc)
            .into_iter()
            .find(|p| p.field == "metadata.namespce")
            .unwrap();
        assert!(typo.help.unwrap().contains("did you mean `namespace`"));
    }

    #[test]
    fn lists_allowed_values() {
        let doc = serde_json::json!({"apiVersion": "v1", "kind": "SparkJob",
            "metadata": {"name": "x", "namespace": "y"},
            "spec": {"type": "Go", "sparkVersion": "3.5.3", "image": "a:1", "mainApplicationFile": "local:///a"}});
        let problems = check(&doc);
        let api = problems.iter().find(|p| p.field == "apiVersion").unwrap();
        assert_eq!(
            api.help.as_deref(),
            Some("use one of: k8s-s3-spark/v1alpha1")
        );
        let ty = problems.iter().find(|p| p.field == "spec.type").unwrap();
        assert_eq!(
            ty.help.as_deref(),
            Some("use one of: Python, Scala, Java, R")
        );
    }
}
