//! The chart sources' own small template language, a subset of Tera's syntax (the `.tera` files
//! were written for Tera, which cost the build a parser generator, a glob walker and a regex
//! engine for five constructs):
//!
//! - `{% raw %}...{% endraw %}`: text copied as is (the chart's Go templates live in these);
//! - `{{ name }}`, `{{ name.0 }}` (an array element), `{{ name | json_encode() }}`: a value of
//!   the context, strings as they are, other values as JSON;
//! - `{% if name %}...{% endif %}`: kept when the value is true, a non-empty string or array, or a
//!   non-zero number;
//! - `-` inside any tag's delimiter (`{%-`, `-%}`, `{{-`, `-}}`) removes the whitespace (line
//!   breaks included) on that side of the tag, as in Tera.

use serde_json::Value;

/// Why a template could not be parsed or rendered (a bug in the chart sources).
#[derive(Debug, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct TemplateError {
    /// What is wrong.
    pub message: String,
    /// Where in the source.
    pub offset: usize,
}

fn error(message: impl Into<String>, offset: usize) -> TemplateError {
    TemplateError {
        message: message.into(),
        offset,
    }
}

/// One parsed piece of a template.
#[derive(Debug, PartialEq)]
enum Node<'a> {
    /// Literal text (also the inside of a raw block).
    Text(&'a str),
    /// A value: the path and whether to JSON-encode it.
    Value(&'a str, bool, usize),
    /// A conditional block.
    If(&'a str, Vec<Node<'a>>, usize),
}

/// What a tag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `{{ ... }}`.
    Value,
    /// `{% ... %}`.
    Statement,
    /// `{# ... #}`.
    Comment,
}

/// A tag found in the source: its inside, where it starts and ends, and its trim marks.
struct Tag<'a> {
    kind: Kind,
    inside: &'a str,
    start: usize,
    end: usize,
    trim_before: bool,
    trim_after: bool,
}

fn next_tag<'s>(
    source: &'s str,
    from: usize,
    kinds: &[Kind],
) -> Result<Option<Tag<'s>>, TemplateError> {
    let rest = &source[from..];
    let found = kinds
        .iter()
        .filter_map(|kind| {
            let open = match kind {
                Kind::Value => "{{",
                Kind::Statement => "{%",
                Kind::Comment => "{#",
            };
            rest.find(open).map(|i| (i, *kind))
        })
        .min_by_key(|(i, _)| *i);
    let Some((found, kind)) = found else {
        return Ok(None);
    };
    let start = from + found;
    let close = match kind {
        Kind::Value => "}}",
        Kind::Statement => "%}",
        Kind::Comment => "#}",
    };
    let body_start = start + 2;
    let Some(length) = source[body_start..].find(close) else {
        return Err(error("a tag is not closed", start));
    };
    let mut inside = &source[body_start..body_start + length];
    let trim_before = inside.starts_with('-');
    let trim_after = inside.ends_with('-');
    if trim_before {
        inside = &inside[1..];
    }
    if trim_after && !inside.is_empty() {
        inside = &inside[..inside.len() - 1];
    }
    Ok(Some(Tag {
        kind,
        inside: inside.trim(),
        start,
        end: body_start + length + 2,
        trim_before,
        trim_after,
    }))
}

const ALL: &[Kind] = &[Kind::Value, Kind::Statement, Kind::Comment];

fn push_text<'a>(nodes: &mut Vec<Node<'a>>, text: &'a str) {
    if !text.is_empty() {
        nodes.push(Node::Text(text));
    }
}

/// Parses a whole template.
fn parse(source: &str) -> Result<Vec<Node<'_>>, TemplateError> {
    // Each open block: its condition, its offset, and the nodes before it.
    let mut stack: Vec<(&str, usize, Vec<Node<'_>>)> = Vec::new();
    let mut nodes = Vec::new();
    let mut at = 0;
    let mut trim_next = false;
    while let Some(tag) = next_tag(source, at, ALL)? {
        let mut text = &source[at..tag.start];
        if trim_next {
            text = text.trim_start();
        }
        if tag.trim_before {
            text = text.trim_end();
        }
        push_text(&mut nodes, text);
        trim_next = tag.trim_after;
        at = tag.end;
        if tag.kind == Kind::Comment {
            continue;
        }
        if tag.kind == Kind::Value {
            let (path, json) = match tag.inside.split_once('|') {
                Some((path, filter)) if filter.trim() == "json_encode()" => (path.trim(), true),
                Some((_, filter)) => {
                    return Err(error(format!("unknown filter {filter:?}"), tag.start));
                }
                None => (tag.inside, false),
            };
            nodes.push(Node::Value(path, json, tag.start));
            continue;
        }
        match tag.inside.split_once(' ').unwrap_or((tag.inside, "")) {
            ("raw", "") => {
                let Some(end) = find_endraw(source, at)? else {
                    return Err(error("raw is not closed", tag.start));
                };
                let mut body = &source[at..end.start];
                if tag.trim_after {
                    body = body.trim_start();
                }
                if end.trim_before {
                    body = body.trim_end();
                }
                push_text(&mut nodes, body);
                trim_next = end.trim_after;
                at = end.end;
            }
            ("if", condition) if !condition.is_empty() => {
                stack.push((condition.trim(), tag.start, std::mem::take(&mut nodes)));
            }
            ("endif", "") => {
                let Some((condition, offset, before)) = stack.pop() else {
                    return Err(error("endif without if", tag.start));
                };
                let body = std::mem::replace(&mut nodes, before);
                nodes.push(Node::If(condition, body, offset));
            }
            _ => return Err(error(format!("unknown tag {:?}", tag.inside), tag.start)),
        }
    }
    let mut text = &source[at..];
    if trim_next {
        text = text.trim_start();
    }
    push_text(&mut nodes, text);
    if let Some((_, offset, _)) = stack.last() {
        return Err(error("if is not closed", *offset));
    }
    Ok(nodes)
}

fn find_endraw(source: &str, from: usize) -> Result<Option<Tag<'_>>, TemplateError> {
    // Only statements: a raw block's Go templates may hold `{{` and `}}` around the end.
    let mut at = from;
    while let Some(tag) = next_tag(source, at, &[Kind::Statement])? {
        if tag.inside == "endraw" {
            return Ok(Some(tag));
        }
        at = tag.end;
    }
    Ok(None)
}

fn lookup<'v>(context: &'v Value, path: &str, offset: usize) -> Result<&'v Value, TemplateError> {
    let mut value = context;
    for part in path.split('.') {
        value = match part.parse::<usize>() {
            Ok(i) => value.get(i),
            Err(_) => value.get(part),
        }
        .ok_or_else(|| error(format!("{path} is not in the context"), offset))?;
    }
    Ok(value)
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn render_nodes(
    nodes: &[Node<'_>],
    context: &Value,
    out: &mut String,
) -> Result<(), TemplateError> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Value(path, json, offset) => {
                let value = lookup(context, path, *offset)?;
                match (value, json) {
                    (Value::String(s), false) => out.push_str(s),
                    (other, _) => out.push_str(&other.to_string()),
                }
            }
            Node::If(condition, body, offset) => {
                if truthy(lookup(context, condition, *offset)?) {
                    render_nodes(body, context, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Renders `source` with the values of `context` (a JSON object).
pub fn render(source: &str, context: &Value) -> Result<String, TemplateError> {
    let nodes = parse(source)?;
    let mut out = String::with_capacity(source.len());
    render_nodes(&nodes, context, &mut out)?;
    Ok(out)
}

/// Parses `source` without rendering it, to find mistakes in the chart sources early.
pub fn check(source: &str) -> Result<(), TemplateError> {
    parse(source).map(|_| ())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_conditions_raw_blocks_and_trimming() {
        let context = json!({"name": "job", "on": true, "off": false, "list": ["a", "b"], "n": 3});
        let out = |s: &str| render(s, &context).unwrap();
        assert_eq!(out("x {{ name }} y"), "x job y");
        assert_eq!(
            out("{{ name | json_encode() }} {{ n }} {{ list.1 }}"),
            "\"job\" 3 b"
        );
        assert_eq!(
            out("a{% if on %}[on]{% endif %}{% if off %}[off]{% endif %}b"),
            "a[on]b"
        );
        assert_eq!(out("a\n  {%- if on %}\nb{% endif -%}\n  c"), "a\nbc");
        assert_eq!(
            out("{% raw %}{{ .Values.x }}{% endraw %}"),
            "{{ .Values.x }}"
        );
        assert_eq!(
            out("a\n{% raw -%}\n  {{ .X }}\n{%- endraw %}\nb"),
            "a\n{{ .X }}\nb"
        );
        assert_eq!(out("{{- name -}}\n"), "job");
        assert_eq!(out("a\n{#- a comment -#}\nb"), "ab");
        assert_eq!(
            out("{% raw %}{{ if le 1 {% endraw %}{{ n }}{% raw %} }}{% endraw %}"),
            "{{ if le 1 3 }}"
        );
    }

    #[test]
    fn mistakes_are_errors_not_output() {
        let context = json!({});
        assert!(render("{{ missing }}", &context).is_err());
        assert!(render("{% if x %}", &context).is_err());
        assert!(render("{% endif %}", &context).is_err());
        assert!(render("{% raw %}", &context).is_err());
        assert!(render("{{ x | upper }}", &json!({"x": "a"})).is_err());
        assert!(render("{% for x in y %}", &context).is_err());
    }
}
