//! Text no field of a config may hold, whatever the field: checked once over every key and value
//! of the document (environments included, so each is reported once, where it is written),
//! before the field-by-field rules. A refused character would be lost or changed on its way to
//! Spark in at least one output form, or would reach a terminal as a control sequence; a pasted
//! AWS key ([`crate::redact::key_runs`]) would be written in plain text into every output form.

use serde_json::Value;

use super::spans::{join_index, join_key};
use crate::redact;

/// Why `c` cannot be carried, or `None` when it can. Tabs and line feeds are ordinary text here
/// (the field rules refuse line breaks where a value is one line).
pub fn refused(c: char) -> Option<&'static str> {
    match c {
        '\t' | '\n' => None,
        '\0' => {
            Some("a NUL, which no process argument, environment variable or file name can hold")
        }
        '\r' => Some(
            "a carriage return, which Spark's launcher (bin/spark-class) strips from every argument, so the value would not reach Spark as written",
        ),
        '\u{85}' | '\u{2028}' | '\u{2029}' => Some(
            "a character that YAML 1.1 tools such as kustomize read as a line break and write back as a space",
        ),
        c if c.is_control() => Some("a control character, which terminals read as a command"),
        _ => None,
    }
}

/// Whether `text` may hold refused text once parsed: a refused character written as it is, a
/// backslash (a double-quoted YAML string's escape), or key-shaped text. `false` means it holds
/// none (without escapes, a YAML scalar's text is the file's text, or lines of it joined).
pub fn may_hold_refused(text: &str) -> bool {
    text.chars().any(|c| c == '\\' || refused(c).is_some()) || redact::holds_key_text(text)
}

/// What a refused text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A character no field may hold, and why.
    Character(&'static str),
    /// Text shaped like an AWS access key id or secret key.
    Key,
}

/// One refused text: the field (a key's own path when the key holds it), whether it is in the
/// key, where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The field path.
    pub field: String,
    /// Whether the text is in the key of the map entry at `field` (else in its value).
    pub in_key: bool,
    /// Where it starts (1-based, counted in characters).
    pub index: usize,
    /// What it is.
    pub what: Refused,
}

impl Refusal {
    /// The finding's message (the value itself is never repeated: it may be a key).
    pub fn message(&self) -> String {
        let holds = if self.in_key {
            "its key holds"
        } else {
            "holds"
        };
        match self.what {
            Refused::Character(reason) => format!("{holds} {reason} (character {})", self.index),
            Refused::Key => format!(
                "{holds} what looks like an AWS key (from character {}); it would be written in plain text into every generated file",
                self.index
            ),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match (self.what, self.in_key) {
            (Refused::Key, _) => {
                "remove it, and rotate the key if this file was shared: the driver and executors get their credentials only from spec.s3.credentials (keys in a Secret, `secret: {name: ...}`, which Kubernetes hands them as AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; or a role, `webIdentity` or `podIdentity`)"
            }
            (Refused::Character(_), true) => {
                "write the key with letters, digits and punctuation only"
            }
            (Refused::Character(_), false) => {
                "remove it: write line breaks as real line breaks (a `|` block), and other characters as plain text"
            }
        }
    }
}

/// Every key and string value of `document` that holds a refused character, in document order.
pub fn check(document: &Value) -> Vec<Refusal> {
    let mut out = Vec::new();
    walk(document, String::new(), &mut out);
    out
}

/// The first refused text of `text`: key-shaped text (what matters most), else a refused
/// character.
fn first_refused(text: &str) -> Option<(usize, Refused)> {
    let key = redact::key_runs(text)
        .first()
        .map(|run| (text[..run.start].chars().count() + 1, Refused::Key));
    key.or_else(|| {
        text.chars()
            .enumerate()
            .find_map(|(i, c)| refused(c).map(|reason| (i + 1, Refused::Character(reason))))
    })
}

fn walk(node: &Value, field: String, out: &mut Vec<Refusal>) {
    match node {
        Value::String(s) => {
            if let Some((index, what)) = first_refused(s) {
                out.push(Refusal {
                    field,
                    in_key: false,
                    index,
                    what,
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, join_index(&field, i), out);
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                let at = join_key(&field, key);
                if let Some((index, what)) = first_refused(key) {
                    out.push(Refusal {
                        field: at.clone(),
                        in_key: true,
                        index,
                        what,
                    });
                }
                walk(value, at, out);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_character_is_found_in_keys_and_values() {
        for c in [
            '\0', '\r', '\u{1b}', '\u{7f}', '\u{85}', '\u{2028}', '\u{2029}',
        ] {
            assert!(refused(c).is_some(), "{c:?}");
            assert!(may_hold_refused(&format!("a{c}b")));
            let doc = serde_json::json!({"spec": {"arguments": ["ok", format!("x{c}")], "sparkConf": {format!("k{c}"): "v"}}});
            let found = check(&doc);
            assert_eq!(found.len(), 2, "{c:?}: {found:?}");
            assert_eq!(found[0].field, "spec.arguments[1]");
            assert_eq!((found[0].in_key, found[0].index), (false, 2));
            assert!(found[1].in_key);
        }
        for c in ['\t', '\n', 'é', '€', '$', '{'] {
            assert_eq!(refused(c), None, "{c:?}");
        }
        assert!(!may_hold_refused("plain: text\n  more: 1\n"));
        assert!(may_hold_refused("a: \"x\\ty\"\n"), "an escape may hide one");
    }
}
