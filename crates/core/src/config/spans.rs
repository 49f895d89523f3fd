//! Where each field of a YAML document is: an index from field path to line and column, built
//! from the parser's events, so that schema errors and semantic rules, which only know a field's
//! path, can point at the right place in the user's file.
//!
//! Paths are dotted (`spec.executor.instances`), sequence items are `[i]`, and keys that contain
//! characters other than letters, digits, `_` and `-` are quoted (`spec.sparkConf["spark.a.b"]`),
//! so every path names exactly one node.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde_saphyr::granit_parser::{Event, Parser, Span};

use crate::diagnostics::Position;

/// Appends a mapping key to a field path.
pub fn join_key(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// Appends a sequence index to a field path.
pub fn join_index(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// Something in the document the loader refuses before looking at its meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Where it is.
    pub position: Position,
    /// The field it is in.
    pub field: String,
    /// What it is.
    pub what: &'static str,
}

/// The position of every field in the first document of a YAML text.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    keys: HashMap<String, Position>,
    values: HashMap<String, Position>,
    /// Each scalar value as written (`1e3`, `1.10`, `yes`), before YAML reads it as a number or
    /// a boolean.
    scalars: HashMap<String, String>,
    /// Anchors, aliases, merge keys and tags found, which the loader refuses.
    pub refused: Vec<Refused>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

impl SpanIndex {
    /// Indexes `text`. Syntax errors stop the indexing silently: the deserializer reports them.
    pub fn build(text: &str) -> Self {
        let mut index = Self::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut events = Parser::new_from_str(text);
        while let Some(event) = events.next() {
            let Ok((event, span)) = event else { break };
            match event {
                Event::DocumentEnd => {
                    if let Some(Ok((Event::DocumentStart(..), span))) = events.next() {
                        index.refused.push(Refused {
                            position: position(&span),
                            field: String::new(),
                            what: "a second document (---); a config file holds one",
                        });
                    }
                    break;
                }
                Event::Scalar(value, _, anchor, tag) => {
                    index.note_properties(&stack, &span, anchor, tag.is_some());
                    if let Some(path) = index.node(&mut stack, &span, Some(&value)) {
                        index.values.entry(path.clone()).or_insert(position(&span));
                        index
                            .scalars
                            .entry(path)
                            .or_insert_with(|| value.into_owned());
                    }
                }
                Event::MappingStart(_, anchor, ref tag)
                | Event::SequenceStart(_, anchor, ref tag) => {
                    index.note_properties(&stack, &span, anchor, tag.is_some());
                    let is_map = matches!(event, Event::MappingStart(..));
                    let path = index
                        .node(&mut stack, &span, None)
                        .unwrap_or_else(|| "<complex key>".into());
                    index.values.entry(path.clone()).or_insert(position(&span));
                    stack.push(if is_map {
                        Frame::Map { path, key: None }
                    } else {
                        Frame::Seq { path, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Alias(_) => {
                    let field = current_path(&stack);
                    index.refused.push(Refused {
                        position: position(&span),
                        field,
                        what: "an alias (*name)",
                    });
                    index.node(&mut stack, &span, None);
                }
                _ => {}
            }
        }
        index
    }

    fn note_properties(&mut self, stack: &[Frame], span: &Span, anchor: usize, tagged: bool) {
        if anchor > 0 {
            self.refused.push(Refused {
                position: position(span),
                field: current_path(stack),
                what: "an anchor (&name)",
            });
        }
        if tagged {
            self.refused.push(Refused {
                position: position(span),
                field: current_path(stack),
                what: "a tag (!name)",
            });
        }
    }

    /// Records a node at the current place; returns the path of a value node, or None for a key.
    fn node(&mut self, stack: &mut [Frame], span: &Span, scalar: Option<&str>) -> Option<String> {
        match stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = join_index(path, *next);
                *next += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => Some(join_key(path, &k)),
                None => {
                    let k = scalar.unwrap_or("<complex key>").to_owned();
                    let key_path = join_key(path, &k);
                    if k == "<<" {
                        self.refused.push(Refused {
                            position: position(span),
                            field: path.clone(),
                            what: "a merge key (<<)",
                        });
                    }
                    match self.keys.entry(key_path) {
                        Entry::Occupied(seen) => self.refused.push(Refused {
                            position: position(span),
                            field: seen.key().clone(),
                            what: "a duplicate key (the same key twice in one mapping)",
                        }),
                        Entry::Vacant(new) => {
                            new.insert(position(span));
                        }
                    }
                    *key = Some(k);
                    None
                }
            },
        }
    }

    /// Where the value of `path` starts, or where its key is, or the nearest ancestor's position.
    pub fn position(&self, path: &str) -> Option<Position> {
        let mut p = path;
        loop {
            if let Some(pos) = self.keys.get(p).or_else(|| self.values.get(p)) {
                return Some(*pos);
            }
            p = parent(p)?;
        }
    }

    /// Where the value of `path` is, when the document has that exact field.
    pub fn value_position(&self, path: &str) -> Option<Position> {
        self.values.get(path).copied()
    }

    /// The scalar value of `path` as written in the text.
    pub fn scalar(&self, path: &str) -> Option<&str> {
        self.scalars.get(path).map(String::as_str)
    }

    /// Whether the document has this exact field.
    pub fn contains(&self, path: &str) -> bool {
        self.values.contains_key(path)
    }
}

fn current_path(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Map { path, key }) => key
            .as_deref()
            .map_or_else(|| path.clone(), |k| join_key(path, k)),
        Some(Frame::Seq { path, next }) => join_index(path, *next),
    }
}

/// Whether `path` names a node inside `ancestor` (not the node itself).
pub fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor.is_empty() && !path.is_empty()
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// The steps of a field path as [`join_key`] and [`join_index`] write it.
pub fn segments(path: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut chars = path.chars().peekable();
    let mut plain = String::new();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !plain.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut plain)));
                }
            }
            '[' => {
                if !plain.is_empty() {
                    out.push(Segment::Key(std::mem::take(&mut plain)));
                }
                if chars.peek() == Some(&'"') {
                    chars.next();
                    let mut key = String::new();
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some('n') => key.push('\n'),
                                Some('r') => key.push('\r'),
                                Some('t') => key.push('\t'),
                                Some('0') => key.push('\0'),
                                Some('u') => {
                                    let code: String = chars
                                        .by_ref()
                                        .skip_while(|c| *c == '{')
                                        .take_while(|c| *c != '}')
                                        .collect();
                                    if let Some(c) =
                                        u32::from_str_radix(&code, 16).ok().and_then(char::from_u32)
                                    {
                                        key.push(c);
                                    }
                                }
                                Some(other) => key.push(other),
                                None => {}
                            },
                            other => key.push(other),
                        }
                    }
                    out.push(Segment::Key(key));
                    chars.next(); // ']'
                } else {
                    let digits: String = chars.by_ref().take_while(|c| *c != ']').collect();
                    if let Ok(i) = digits.parse() {
                        out.push(Segment::Index(i));
                    }
                }
            }
            other => plain.push(other),
        }
    }
    if !plain.is_empty() {
        out.push(Segment::Key(plain));
    }
    out
}

/// The path of the enclosing field, or None at the root.
pub fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    // The last segment starts at the last '.' or '[' that is not inside a quoted key.
    let mut cut = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, c) in path.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            '.' | '[' if !in_quotes => cut = i,
            _ => {}
        }
    }
    Some(&path[..cut])
}

fn position(span: &Span) -> Position {
    Position {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_back_into_their_segments() {
        let path = join_key(
            &join_index(&join_key("spec.sparkConf", "spark.a\"b\nc"), 3),
            "x",
        );
        assert_eq!(
            segments(&path),
            vec![
                Segment::Key("spec".into()),
                Segment::Key("sparkConf".into()),
                Segment::Key("spark.a\"b\nc".into()),
                Segment::Index(3),
                Segment::Key("x".into()),
            ]
        );
        assert!(is_within("spec.executor.cores", "spec.executor"));
        assert!(is_within("spec.sparkConf[\"a\"]", "spec.sparkConf"));
        assert!(!is_within("spec.executorX", "spec.executor"));
        assert!(!is_within("spec.executor", "spec.executor"));
    }

    const DOC: &str = "\
metadata:
  name: x
spec:
  sparkConf:
    spark.a.b: \"1\"
  arguments:
    - one
    - two
";

    #[test]
    fn indexes_keys_values_and_items() {
        let index = SpanIndex::build(DOC);
        assert_eq!(
            index.position("metadata.name"),
            Some(Position { line: 2, column: 3 })
        );
        assert_eq!(
            index.value_position("metadata.name"),
            Some(Position { line: 2, column: 9 })
        );
        assert_eq!(
            index.position(r#"spec.sparkConf["spark.a.b"]"#),
            Some(Position { line: 5, column: 5 })
        );
        assert_eq!(
            index.position("spec.arguments[1]"),
            Some(Position { line: 8, column: 7 })
        );
        // An unknown path falls back to its nearest ancestor.
        assert_eq!(
            index.position("spec.arguments[1].x"),
            Some(Position { line: 8, column: 7 })
        );
        assert!(index.refused.is_empty());
    }

    #[test]
    fn parents() {
        assert_eq!(parent(r#"spec.sparkConf["a.b"]"#), Some("spec.sparkConf"));
        assert_eq!(parent("spec.arguments[3]"), Some("spec.arguments"));
        assert_eq!(parent("spec"), Some(""));
        assert_eq!(parent(""), None);
    }

    #[test]
    fn refuses_anchors_aliases_merge_keys_and_tags() {
        let index = SpanIndex::build("a: &x 1\nb: *x\nc:\n  <<: {d: 1}\ne: !!str 5\n");
        let what: Vec<_> = index.refused.iter().map(|r| r.what).collect();
        assert_eq!(
            what,
            [
                "an anchor (&name)",
                "an alias (*name)",
                "a merge key (<<)",
                "a tag (!name)"
            ]
        );
    }
}
