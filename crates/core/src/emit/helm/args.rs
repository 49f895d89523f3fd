//! The chart's spark-submit argument block, generated from the settings table
//! ([`crate::spark::settings`]): the same rows `render` evaluates, written as Go template so that
//! every tunable part reads its chart value. Nothing about Spark is written here.

use serde_json::Value;

use crate::spark::settings::{
    CLAIM_KIND, EMPTY_DIR_KIND, Escape, Range, Row, Text, VOLUME_SETTINGS, When,
};

/// Indentation of the Job container's `args:` items in `templates/job.yaml`.
pub const JOB_INDENT: &str = "      ";
/// Indentation of the test pod's `args:` items in `templates/tests/test-s3-access.yaml`.
pub const TEST_POD_INDENT: &str = "    ";

/// A Go template string literal (JSON's quoting is valid Go syntax).
fn literal(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// `.Values` at a dotted path, from the template's root.
fn values(path: &str) -> String {
    format!("$.Values.{path}")
}

fn escaped(expr: &str, escape: Escape) -> String {
    match escape {
        Escape::Raw => format!("({expr} | toString)"),
        Escape::Once => format!("({expr} | include \"k8s-s3-spark.escape\")"),
        Escape::Twice => format!("({expr} | include \"k8s-s3-spark.escapeTwice\")"),
    }
}

/// A Go expression giving `text` as the chart computes it.
fn expression(text: &Text) -> String {
    match text {
        Text::Lit(s) => literal(s),
        Text::Value { path, escape, .. } => escaped(&values(path), *escape),
        Text::Joined { path, .. } => escaped(&format!("join \",\" {}", values(path)), Escape::Once),
        Text::Helper { name, escape, .. } => {
            escaped(&format!("include \"k8s-s3-spark.{name}\" $"), *escape)
        }
        Text::Concat(a, b) => format!("(print {} {})", expression(a), expression(b)),
    }
}

fn condition(when: &When) -> Option<String> {
    match when {
        When::Always => None,
        When::Set { path, .. } => Some(values(path)),
        When::SetWith { path, with, .. } => Some(format!("and {} {}", values(path), values(with))),
        When::Bool { path, .. } => Some(format!("kindIs \"bool\" {}", values(path))),
        When::NoKey { path, key, .. } => {
            Some(format!("not (hasKey {} {})", values(path), literal(key)))
        }
    }
}

/// The rows that configure S3A (`spark.hadoop.*`), for a pod that reads S3 with the job's
/// settings without running the job (the chart's `helm test` pod).
pub fn s3a_rows(rows: &[Row]) -> Vec<Row> {
    rows.iter()
        .filter(|row| match row {
            Row::Conf {
                key: Text::Lit(k), ..
            } => k.starts_with("spark.hadoop."),
            Row::Each { prefix, .. } => prefix.starts_with("spark.hadoop."),
            _ => false,
        })
        .cloned()
        .collect()
}

struct Lines<'a> {
    out: String,
    indent: &'a str,
}

impl Lines<'_> {
    fn line(&mut self, text: &str) {
        self.out.push_str(self.indent);
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn conf(&mut self, key: &str, value: &str) {
        self.line("- --conf");
        self.line(&format!(
            "- {{{{ printf \"%s=%s\" {key} {value} | toJson }}}}"
        ));
    }
}

/// The rows as `args:` items, one per line at `indent`.
/// The settings of each volume in the list at `path`, from [`VOLUME_SETTINGS`]: the chart's twin
/// of `settings::executor_volumes`, made from the same table.
fn volumes(out: &mut Lines<'_>, prefix: &str, path: &str, escape: Escape) {
    out.line(&format!("{{{{- range $volume := {} }}}}", values(path)));
    out.line(&format!(
        "{{{{- $p := printf \"%s%s.%s.\" {} (ternary {} {} (hasKey $volume {})) $volume.name }}}}",
        literal(prefix),
        literal(EMPTY_DIR_KIND),
        literal(CLAIM_KIND),
        literal(EMPTY_DIR_KIND),
    ));
    for (field, suffix, constant) in VOLUME_SETTINGS {
        let keys: Vec<String> = field.split('.').map(literal).collect();
        out.line(&format!(
            "{{{{- with dig {} \"\" $volume }}}}",
            keys.join(" ")
        ));
        let value = constant.map_or_else(|| escaped(". | toString", escape), literal);
        out.conf(&format!("(print $p {})", literal(suffix)), &value);
        out.line("{{- end }}");
    }
    out.line("{{- end }}");
}

pub fn block(rows: &[Row], indent: &str) -> String {
    let mut out = Lines {
        out: String::new(),
        indent,
    };
    for row in rows {
        match row {
            // Plain JSON text, unless it holds what Helm would read as a template action.
            Row::Arg(Text::Lit(s)) if !s.contains("{{") => {
                out.line(&format!("- {}", Value::from(s.as_str())));
            }
            Row::Arg(text) => out.line(&format!("- {{{{ {} | toJson }}}}", expression(text))),
            Row::Args { path, escape, .. } => {
                out.line(&format!("{{{{- range {} }}}}", values(path)));
                out.line(&format!("- {{{{ {} | toJson }}}}", escaped(".", *escape)));
                out.line("{{- end }}");
            }
            Row::Conf { key, value, when } => {
                let key = match key {
                    Text::Lit(k) => literal(&crate::spark::submit::escape(k)),
                    other => escaped(&expression(other), Escape::Once),
                };
                let condition = condition(when);
                if let Some(c) = &condition {
                    out.line(&format!("{{{{- if {c} }}}}"));
                }
                out.conf(&key, &expression(value));
                if condition.is_some() {
                    out.line("{{- end }}");
                }
            }
            Row::Each {
                prefix,
                range: Range::Volumes(path),
                escape,
                ..
            } => volumes(&mut out, prefix, path, *escape),
            Row::Each {
                prefix,
                range,
                escape,
                ..
            } => {
                let (header, key, value) = match range {
                    Range::Map(path) => (format!("range $k, $v := {}", values(path)), "$k", "$v"),
                    Range::NamedList(path) => {
                        (format!("range {}", values(path)), ".name", ".value")
                    }
                    Range::Volumes(_) => unreachable!("matched above"),
                    Range::PodLabels(role) => (
                        format!(
                            "range $k, $v := mustMergeOverwrite (include \"k8s-s3-spark.podLabels\" (list $ {}) | fromYaml) ({} | default dict)",
                            literal(role),
                            values(&format!("{role}.labels"))
                        ),
                        "$k",
                        "$v",
                    ),
                };
                out.line(&format!("{{{{- {header} }}}}"));
                out.conf(
                    &escaped(&format!("print {} {key}", literal(prefix)), Escape::Once),
                    &escaped(value, *escape),
                );
                out.line("{{- end }}");
            }
        }
    }
    out.out.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::helm::ChartValues;
    use crate::k8s::labels::{Component, spark_pod_labels};
    use crate::spark::settings::table;

    /// Every chart value a row reads, with what it holds in this job (text, or a list of texts):
    /// what the chart's default values hold at that path must be the same, or `render` and the chart
    /// would pass different settings.
    pub fn value_uses(rows: &[Row]) -> Vec<(&'static str, Value)> {
        fn walk(text: &Text, out: &mut Vec<(&'static str, Value)>) {
            match text {
                Text::Value { path, value, .. } => out.push((path, Value::from(value.as_str()))),
                Text::Joined { path, items } => out.push((path, Value::from(items.clone()))),
                Text::Concat(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Text::Lit(_) | Text::Helper { .. } => {}
            }
        }
        let mut out = Vec::new();
        for row in rows {
            match row {
                Row::Arg(text) => walk(text, &mut out),
                Row::Conf { key, value, .. } => {
                    walk(key, &mut out);
                    walk(value, &mut out);
                }
                Row::Args { path, items, .. } => out.push((path, Value::from(items.clone()))),
                Row::Each { .. } => {}
            }
        }
        out
    }

    /// A chart value as the rows hold it: scalars as text, absent as empty text.
    fn as_text(value: Option<&Value>) -> Value {
        match value {
            None | Some(Value::Null) => Value::from(""),
            Some(Value::String(s)) => Value::from(s.as_str()),
            Some(Value::Array(items)) => {
                Value::Array(items.iter().map(|i| as_text(Some(i))).collect())
            }
            Some(other) => Value::from(other.to_string()),
        }
    }

    #[test]
    fn every_value_a_row_reads_is_the_charts_default_for_that_value() {
        for example in ["amazon-reviews", "minio", "irsa"] {
            let config = crate::config::load(
                &crate::repo_root().join(format!("examples/{example}/spark-job.yaml")),
            )
            .unwrap();
            for env in std::iter::once(None).chain(config.environment_names().map(Some)) {
                let job = config.resolve(env).unwrap();
                let rows = table(job, &spark_pod_labels(job, Component::Executor));
                let values = serde_json::to_value(ChartValues::from_job(job)).unwrap();
                let uses = value_uses(&rows);
                assert!(uses.len() > 10, "{example}");
                for (path, expected) in uses {
                    let pointer = format!("/{}", path.replace('.', "/"));
                    let value = values.pointer(&pointer);
                    // An empty list may be left out of the values: the chart reads it as empty.
                    if value.is_none() && expected == Value::Array(Vec::new()) {
                        continue;
                    }
                    assert_eq!(
                        as_text(value),
                        expected,
                        "{example} {env:?}: .Values.{path}"
                    );
                }
            }
        }
    }
}
