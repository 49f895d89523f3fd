//! What is wrong with a document: the rules of the job and of each environment (each problem
//! once, where its text is), and, for a document the types refuse, every problem at once (the
//! schema's, the whole numbers the types cannot take, then the rules on what can be read).

use super::*;

/// The most fields the typed reading sets aside one at a time (numbers out of their type's
/// range, which the schema passes): a bound on the work for a hostile document.
pub(super) const MAX_SET_ASIDE: usize = 100;

/// Every problem of a document the types refused: the schema's findings, each field the types
/// refuse although the schema passed it (a number out of its type's range), then the rules on
/// everything else, so one run shows every problem. A problem on a field already reported (or
/// inside it) is not repeated.
pub(super) fn every_problem(
    file: &Path,
    document: Value,
    spans: &SpanIndex,
    all: &mut Diagnostics,
) {
    let at = |field: &str| spans.position(field);
    let structural = schema::check(&document);
    let mut pruned = document;
    let mut reported = Vec::new();
    // Fields the rules say nothing more about: all reported but a number or boolean where text
    // belongs, which becomes its text and still gets the rules (a reserved sparkConf key with a
    // number as its value is two problems).
    let mut hidden = Vec::new();
    let mut missing = Vec::new();
    for p in &structural {
        // Text of the wrong form (a pattern) stays: the types take any text, and the rest of
        // the job still gets the rules. The schema has said what is wrong with it.
        let text = schema::takes_text(&p.field);
        let converted = match value_at(&pruned, &p.field) {
            Some(Value::String(_)) if text => false,
            Some(Value::Number(_) | Value::Bool(_)) if text => {
                set_aside(&mut pruned, &p.field, spans.scalar(&p.field))
            }
            _ => {
                set_aside(&mut pruned, &p.field, None);
                false
            }
        };
        if !converted {
            hidden.push(p.field.clone());
        }
        if p.message.starts_with("missing required field") {
            missing.push(p.field.clone());
        }
        reported.push(p.field.clone());
    }
    for p in structural {
        let d = Diagnostic::new(Code::Schema, p.field.clone(), p.message)
            .in_file(file)
            .at(at(&p.field));
        all.0.push(match p.help {
            Some(h) => d.help(h),
            None => d,
        });
    }
    // Whole numbers the schema passed and the types would refuse (a decimal `1.0`, a number
    // beyond the field's 32 or 64 bits), anywhere, before the typed reading stops at one.
    let mut numbers = Vec::new();
    numbers_in(&pruned, String::new(), &mut numbers);
    for (field, number) in numbers {
        if covered(&field, &reported) {
            continue;
        }
        if let Some(message) = schema::whole_number_problem(&field, &number) {
            all.0
                .push(number_finding(file, &field, message, at(&field)));
            set_aside(&mut pruned, &field, None);
            reported.push(field.clone());
            hidden.push(field);
        }
    }
    // The fields without which the job cannot be read, when it cannot.
    let mut blocking = Vec::new();
    let mut job = None;
    for _ in 0..MAX_SET_ASIDE {
        match typed(&pruned) {
            Ok(typed) => {
                job = Some(typed);
                break;
            }
            Err(e) => {
                // The types stop at the object holding a field the schema refused (a required
                // field left out, a value not allowed): already reported.
                // (Those the types name, e.g. "missing field `type`", and the other required
                // fields left out; not unknown fields beside them.)
                let named = |r: &str| {
                    crate::config::spans::segments(r)
                        .last()
                        .is_some_and(|last| match last {
                            crate::config::spans::Segment::Key(k) => {
                                e.message.contains(&format!("`{k}`"))
                            }
                            crate::config::spans::Segment::Index(_) => false,
                        })
                };
                let within =
                    |r: &&String| **r == e.field || crate::config::spans::is_within(r, &e.field);
                let gone = |r: &&String| value_at(&pruned, r).is_none_or(Value::is_null);
                blocking = reported
                    .iter()
                    .filter(within)
                    .filter(gone)
                    .filter(|r| named(r) || missing.contains(*r))
                    .map(|r| format!("`{r}`"))
                    .collect();
                if blocking.is_empty() {
                    // A list item set aside (null, so that the other items keep their places).
                    blocking = reported
                        .iter()
                        .filter(within)
                        .filter(|r| value_at(&pruned, r).is_some_and(Value::is_null))
                        .map(|r| format!("`{r}`"))
                        .collect();
                }
                let inside_reported = !blocking.is_empty() || covered(&e.field, &reported);
                if !inside_reported {
                    all.0.push(out_of_range(file, &pruned, &e, at(&e.field)));
                    reported.push(e.field.clone());
                    hidden.push(e.field.clone());
                }
                if inside_reported || !set_aside(&mut pruned, &e.field, None) {
                    if blocking.is_empty() {
                        blocking.push(format!("`{}`", e.field));
                    }
                    break;
                }
            }
        }
    }
    let Some(job) = job else {
        all.0.push(
            Diagnostic::new(
                Code::RulesNotRun,
                "",
                format!(
                    "the config rules (names, resources, settings, ...) did not run: the job cannot be read until {} {} fixed (see the findings there)",
                    blocking.join(", "),
                    if blocking.len() == 1 { "is" } else { "are" }
                ),
            )
            .in_file(file)
            .help("fix those findings and run validate again for the rest"),
        );
        return;
    };
    let mut more = Diagnostics::default();
    rules(file, &job, spans, &mut more);
    all.0
        .extend(more.0.into_iter().filter(|d| !covered(&d.field, &hidden)));
}

/// The finding for a field the types refuse although the schema passed it: what
/// [`schema::whole_number_problem`] says of its number, else the types' own reason.
pub(super) fn out_of_range(
    file: &Path,
    document: &Value,
    e: &TypeError,
    position: Option<Position>,
) -> Diagnostic {
    let message = match value_at(document, &e.field) {
        Some(Value::Number(n)) => schema::whole_number_problem(&e.field, n)
            .unwrap_or_else(|| format!("{n} is out of range for this field ({})", e.message)),
        _ => e.message.clone(),
    };
    number_finding(file, &e.field, message, position)
}

/// A whole number the types cannot take (KS005), with how to write one.
fn number_finding(
    file: &Path,
    field: &str,
    message: String,
    position: Option<Position>,
) -> Diagnostic {
    Diagnostic::new(Code::OutOfRange, field, message)
        .in_file(file)
        .at(position)
        .help(WHOLE_NUMBER_HELP)
}

/// The help of a whole number the types refuse.
const WHOLE_NUMBER_HELP: &str = "use a whole number in range (counts and seconds are 32-bit; cores and executors are at most a few thousand; user and group ids are 0 to 2147483647)";

/// Every number of `node` with its field path, in document order.
pub(super) fn numbers_in(node: &Value, field: String, out: &mut Vec<(String, serde_json::Number)>) {
    match node {
        Value::Number(n) => out.push((field, n.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                numbers_in(item, join_index(&field, i), out);
            }
        }
        Value::Object(map) => {
            for (key, value) in map {
                numbers_in(value, join_key(&field, key), out);
            }
        }
        _ => {}
    }
}

/// Whether `field` is one of `fields` or inside one: a problem already reported there (a refused
/// character, a schema error) is not reported again from inside.
pub(super) fn covered(field: &str, fields: &[String]) -> bool {
    fields
        .iter()
        .any(|f| field == f || crate::config::spans::is_within(field, f))
}

/// The semantic rules for the base job and every environment, each problem at its position.
pub(super) fn rules(file: &Path, job: &SparkJob, spans: &SpanIndex, all: &mut Diagnostics) {
    let at = |field: &str| spans.position(field);
    let place = |d: Diagnostic, field: String| Diagnostic {
        file: file.to_path_buf(),
        position: at(&field),
        field,
        ..d
    };
    let base_problems = rules::check(job);
    // The base's problems by rule and field: one of the same rule on a field an environment does
    // not set itself is the base's, even when its message names the environment's values.
    let inherited_rules: std::collections::HashSet<_> = base_problems
        .iter()
        .map(|b| (b.code, b.field.clone()))
        .collect();
    for d in base_problems {
        let field = d.field.clone();
        all.0.push(place(d, field));
    }
    let base = base_of(job);
    for (name, overlay) in &job.spec.environments {
        let env_field = join_key("spec.environments", name);
        for d in environment_rules(name, overlay, spans.contains("spec.executor.gpu")) {
            let field = d.field.clone();
            all.0.push(place(d, field));
        }
        // Problems the environment did not introduce are reported once, for the base: a field
        // it does not set, or one it sets through an ancestor that merges (its `executor` with
        // other fields), where the base has a problem of the same rule (whose message may name
        // the environment's values). A field it sets itself is its own.
        for d in rules::check(&apply(&base, overlay)) {
            let base_has_it = inherited_rules.contains(&(d.code, d.field.clone()));
            match override_field(spans, name, &d.field) {
                Some(field)
                    if !base_has_it
                        || override_path(name, &d.field).as_deref() == Some(field.as_str()) =>
                {
                    all.0.push(place(d, field));
                }
                Some(_) => {}
                // A field the environment does not set, wrong only with what it sets elsewhere
                // (its sparkVersion against the base's dynamicAllocation): said at the
                // environment, naming the field.
                None if !base_has_it => {
                    let message = format!("with this environment, `{}`: {}", d.field, d.message);
                    all.0
                        .push(place(Diagnostic { message, ..d }, env_field.clone()));
                }
                None => {}
            }
        }
    }
}

/// The rules of an environment itself, besides those of the job it makes: its name, and GPUs it
/// describes without their amount where the base writes none (`base_gpu`), which would be off by
/// omission (the base's amount, 0, applies).
pub(super) fn environment_rules(
    name: &str,
    overlay: &crate::config::model::EnvironmentOverride,
    base_gpu: bool,
) -> Vec<Diagnostic> {
    let env_field = join_key("spec.environments", name);
    let mut out = Vec::new();
    if let Err(reason) = crate::syntax::dns1123_label(name) {
        out.push(
            Diagnostic::new(Code::Name, env_field.clone(), format!("environment name {name:?} {reason}"))
                .help("environment names become overlay folders: use lowercase letters, digits and '-', e.g. prod"),
        );
    }
    let gpu = overlay.executor.as_ref().and_then(|e| e.gpu.as_ref());
    if gpu.is_some_and(|g| g.amount.is_none()) && !base_gpu {
        out.push(
            Diagnostic::new(
                Code::Gpu,
                format!("{env_field}.executor.gpu"),
                "describes GPUs without their amount, and the base has none: they would be off",
            )
            .help(
                "add `amount:` (GPUs per executor) here, or give the base executor's gpu an amount",
            ),
        );
    }
    out
}

/// Why the typed deserialization refused a document: the field and the parser's message.
pub(super) struct TypeError {
    pub(super) field: String,
    pub(super) message: String,
}

/// The typed job read from the document the schema judges: one reading of the text, so the
/// types and the schema see the same values (a quoted `"3"` is text for both, `1_000` and `007`
/// stay text, a plain `1.10` is a number that no text field takes).
pub(super) fn typed(document: &Value) -> Result<SparkJob, TypeError> {
    let mut field = String::new();
    let result = serde_path_to_error::deserialize::<_, SparkJob>(document).map_err(|e| {
        for segment in e.path().iter() {
            field = match segment {
                serde_path_to_error::Segment::Seq { index } => join_index(&field, *index),
                serde_path_to_error::Segment::Map { key } => join_key(&field, key),
                serde_path_to_error::Segment::Enum { variant } => join_key(&field, variant),
                serde_path_to_error::Segment::Unknown => std::mem::take(&mut field),
            };
        }
        e.into_inner()
    });
    result.map_err(|e| TypeError {
        field,
        message: e.to_string(),
    })
}

/// Takes the node at `field` (a path as [`super::spans`] writes it) out of the way of the
/// typed reading: a number or boolean where text belongs becomes `text`, its text as written
/// (the field itself is already reported), anything else (an unknown field, a value of the wrong
/// type) is removed. Returns whether the node was changed.
pub(super) fn set_aside(document: &mut Value, field: &str, text: Option<&str>) -> bool {
    let segments = crate::config::spans::segments(field);
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = document;
    for segment in parents {
        let next = match (node, segment) {
            (Value::Object(map), crate::config::spans::Segment::Key(k)) => map.get_mut(k.as_str()),
            (Value::Array(items), crate::config::spans::Segment::Index(i)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (node, last) {
        (Value::Object(map), crate::config::spans::Segment::Key(k)) => {
            match map.get_mut(k.as_str()) {
                Some(v @ (Value::Number(_) | Value::Bool(_))) if text.is_some() => {
                    *v = Value::String(text.unwrap_or_default().to_owned());
                    true
                }
                Some(_) => map.remove(k.as_str()).is_some(),
                None => false,
            }
        }
        // Keep the indexes of other list items: a refused item becomes null, which the types
        // refuse, so the typed reading gives up rather than shift the items.
        (Value::Array(items), crate::config::spans::Segment::Index(i)) => match items.get_mut(*i) {
            Some(v @ (Value::Number(_) | Value::Bool(_))) if text.is_some() => {
                *v = Value::String(text.unwrap_or_default().to_owned());
                true
            }
            Some(v) => {
                *v = Value::Null;
                true
            }
            None => false,
        },
        _ => false,
    }
}

/// The node at `field`, if there is one.
pub(super) fn value_at<'a>(document: &'a Value, field: &str) -> Option<&'a Value> {
    crate::config::spans::segments(field)
        .iter()
        .try_fold(document, |node, segment| match segment {
            crate::config::spans::Segment::Key(k) => node.get(k.as_str()),
            crate::config::spans::Segment::Index(i) => node.get(*i),
        })
}
