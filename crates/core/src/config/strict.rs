//! [`Strict`]: a Kubernetes type embedded in the config as the user would write it in a manifest
//! (an affinity, a pod template), with the strictness the config's own types have.
//!
//! k8s-openapi's types skip fields they do not know, as the API server's lenient decoding does, so
//! a misspelt `requiredDuringSchedulingIgnoredDuringExecutin` would pass and be lost. `Strict`
//! reads the value, then writes it back: a key the type dropped is one it does not have, and is
//! refused. The schema side is [`strict_definitions`], which closes the objects of these types'
//! schemas so editors and the structural check name the same field.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A Kubernetes value that refuses fields its type does not have. Serializes as the value. Boxed:
/// a pod template is kilobytes inline, and every resolved job would carry that much room for an
/// absent one.
#[derive(Clone, PartialEq)]
pub struct Strict<T>(pub Box<T>);

impl<T: fmt::Debug> fmt::Debug for Strict<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> std::ops::Deref for Strict<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Serialize> Serialize for Strict<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Serialize + DeserializeOwned> Deserialize<'de> for Strict<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = Value::deserialize(deserializer)?;
        let typed = T::deserialize(&written).map_err(D::Error::custom)?;
        let kept = serde_json::to_value(&typed).map_err(D::Error::custom)?;
        match dropped(&written, &kept, String::new()) {
            None => Ok(Self(Box::new(typed))),
            Some(field) => Err(D::Error::custom(format_args!(
                "unknown field `{field}`: Kubernetes has no such field here"
            ))),
        }
    }
}

impl<T: JsonSchema> JsonSchema for Strict<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

/// The first key of `written` (a dotted path below it) that is not in `kept`, the same value read
/// and written back. A key written as `null` is the same as an absent one.
fn dropped(written: &Value, kept: &Value, at: String) -> Option<String> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match (written, kept) {
        (Value::Object(written), Value::Object(kept)) => {
            written.iter().find_map(|(key, value)| match kept.get(key) {
                Some(kept_value) => dropped(value, kept_value, join(key)),
                None if value.is_null() => None,
                None => Some(join(key)),
            })
        }
        (Value::Array(written), Value::Array(kept)) => written
            .iter()
            .zip(kept)
            .enumerate()
            .find_map(|(i, (w, k))| dropped(w, k, format!("{at}[{i}]"))),
        _ => None,
    }
}

/// Closes the object schemas of the embedded Kubernetes types (`io.k8s.*` definitions) with
/// `additionalProperties: false`, as `deny_unknown_fields` closes the config's own.
pub fn strict_definitions(schema: &mut Value) {
    let Some(definitions) = schema.get_mut("definitions").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, definition) in definitions.iter_mut() {
        if name.starts_with("io.k8s.") {
            close(definition);
        }
    }
    // A pod spec appears only in a pod template, whose Spark container the tool supplies: the
    // template may have no `containers` (the types read it as none), so the schema does not
    // require them either.
    if let Some(Value::Object(pod_spec)) = definitions.get_mut("io.k8s.api.core.v1.PodSpec") {
        if let Some(Value::Array(required)) = pod_spec.get_mut("required") {
            required.retain(|field| field != "containers");
        }
        if pod_spec
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            pod_spec.remove("required");
        }
    }
}

fn close(node: &mut Value) {
    if let Value::Object(map) = node {
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        for key in ["properties", "items", "anyOf", "allOf", "oneOf"] {
            match map.get_mut(key) {
                Some(Value::Object(children)) if key == "properties" => {
                    children.values_mut().for_each(close);
                }
                Some(child @ Value::Object(_)) => close(child),
                Some(Value::Array(children)) => children.iter_mut().for_each(close),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::Affinity;

    use super::*;

    fn read(yaml: &str) -> Result<Strict<Affinity>, String> {
        serde_saphyr::from_str(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn keeps_what_the_type_has_and_names_the_first_field_it_does_not() {
        let ok = read(
            "nodeAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n    nodeSelectorTerms:\n    - matchExpressions:\n      - {key: disk, operator: In, values: [ssd]}\n",
        )
        .unwrap();
        assert!(ok.node_affinity.is_some());
        let error = read(
            "nodeAffinity:\n  requiredDuringSchedulingIgnoredDuringExecution:\n    nodeSelectorTerms:\n    - matchExpressions:\n      - {key: disk, operator: In, valuez: [ssd]}\n",
        )
        .unwrap_err();
        assert!(
            error.contains(
                "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].valuez"
            ),
            "{error}"
        );
        assert!(read("podAffinity: null\n").is_ok());
    }
}
