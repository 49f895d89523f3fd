//! Reading a `spark-job.yaml`: bounded size, UTF-8, YAML syntax (with budgets against alias bombs
//! and deep nesting), the JSON schema, the typed structs, then the semantic rules for the base and
//! every environment. Every problem found is reported at once with file:line:column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::environments::{apply, base_of, override_field, override_path};
use super::model::SparkJob;
use super::resolved::ResolvedJob;
use super::spans::{SpanIndex, join_index, join_key};
use super::{ConfigError, rules, schema};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position, Severity};

/// How many refused YAML features (anchors, aliases...) are listed one by one.
const MAX_REFUSALS_SHOWN: usize = 5;

/// The largest config file read, in bytes. A real one is a few KiB.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A config that passed every check, for the base and for every environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from, as given.
    pub file: PathBuf,
    /// What the rules warn about: accepted, but probably not meant. Shown by every command.
    pub warnings: Diagnostics,
    /// The base job, resolved.
    base: ResolvedJob,
    /// Each environment applied to the base, resolved, by name.
    environments: BTreeMap<String, ResolvedJob>,
    /// The file's text, to locate findings made after loading (the span index is built only
    /// then: the fast path of a clean config never needs it).
    source: String,
}

impl Config {
    /// Resolves the base and every environment (`environments`: each already applied to the
    /// base) of a job the rules accepted.
    fn new(
        file: &Path,
        job: SparkJob,
        environments: BTreeMap<String, SparkJob>,
        warnings: Diagnostics,
        source: &str,
    ) -> Result<Self, ConfigError> {
        let unresolved = || ConfigError::Unresolved {
            file: file.to_path_buf(),
        };
        let mut base_job = job;
        base_job.spec.environments.clear();
        let base = ResolvedJob::new(base_job).ok_or_else(unresolved)?;
        let environments = environments
            .into_iter()
            .map(|(name, applied)| {
                ResolvedJob::new(applied)
                    .map(|resolved| (name, resolved))
                    .ok_or_else(unresolved)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            file: file.to_path_buf(),
            warnings,
            base,
            environments,
            source: source.to_owned(),
        })
    }

    /// A finding about `field` of the job for `env` (the environment's override of it when it
    /// has one), located in the file: for what a command judges after loading.
    pub fn finding(&self, env: Option<&str>, code: Code, field: &str, message: &str) -> Diagnostic {
        let spans = SpanIndex::build(&self.source);
        let field = env
            .and_then(|env| override_field(&spans, env, field))
            .unwrap_or_else(|| field.to_owned());
        Diagnostic::new(code, field.as_str(), message)
            .in_file(&self.file)
            .at(spans.position(&field))
    }

    /// The names of the environments, sorted.
    pub fn environment_names(&self) -> impl Iterator<Item = &str> {
        self.environments.keys().map(String::as_str)
    }

    /// The job for one environment, or the base job for `None`.
    pub fn resolve(&self, env: Option<&str>) -> Result<&ResolvedJob, ConfigError> {
        match env {
            None => Ok(&self.base),
            Some(name) => {
                self.environments
                    .get(name)
                    .ok_or_else(|| ConfigError::UnknownEnvironment {
                        file: self.file.clone(),
                        name: name.to_owned(),
                        known: self.environment_names().map(str::to_owned).collect(),
                    })
            }
        }
    }
}

/// Reads and checks a config file.
pub fn load(file: &Path) -> Result<Config, ConfigError> {
    let read_error = |source| ConfigError::Read {
        file: file.to_path_buf(),
        source,
    };
    let bytes = crate::files::read_waiting(file, MAX_CONFIG_BYTES, crate::files::FIFO_WAIT)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(ConfigError::TooLarge {
            file: file.to_path_buf(),
            limit: MAX_CONFIG_BYTES,
        });
    }
    parse(file, &bytes)
}

/// Checks the bytes of a config; `file` names it in messages.
pub fn parse(file: &Path, bytes: &[u8]) -> Result<Config, ConfigError> {
    let fail = |d: Diagnostic| ConfigError::Invalid(Diagnostics(vec![d]));
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        fail(
            Diagnostic::new(Code::NotUtf8, "", "the file is not UTF-8 text")
                .in_file(file)
                .at(Some(Position { line, column }))
                .help("save the file as UTF-8"),
        )
    })?;

    match parse_clean(file, text) {
        Some(config) => Ok(config),
        None => parse_full(file, text),
    }
}

/// The full path: every problem of the file, each with its position.
fn parse_full(file: &Path, text: &str) -> Result<Config, ConfigError> {
    let fail = |d: Diagnostic| ConfigError::Invalid(Diagnostics(vec![d]));
    let spans = SpanIndex::build(text);
    if !spans.refused.is_empty() {
        let mut all = Diagnostics(
            spans
                .refused
                .iter()
                .take(MAX_REFUSALS_SHOWN)
                .map(|r| {
                    let help = if r.what.starts_with("a duplicate") {
                        "remove one of the two; YAML keeps only one and which one is not obvious"
                    } else if r.what.starts_with("a second") {
                        "keep one SparkJob per file; put variations under spec.environments"
                    } else {
                        "write values out in full: anchors, aliases, merge keys and tags hide where a value comes from; use `environments` for variations"
                    };
                    Diagnostic::new(Code::DocumentShape, r.field.clone(), format!("the file has {}", r.what))
                        .in_file(file)
                        .at(Some(r.position))
                        .help(help)
                })
                .collect(),
        );
        all.normalize();
        if spans.refused.len() > MAX_REFUSALS_SHOWN {
            let more = spans.refused.len() - MAX_REFUSALS_SHOWN;
            all.0.push(
                Diagnostic::new(
                    Code::DocumentShape,
                    "",
                    format!("and {more} more anchors, aliases, merge keys, tags or duplicate keys"),
                )
                .in_file(file),
            );
        }
        return Err(ConfigError::Invalid(all));
    }

    let document: Value =
        serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| {
            let position = e.location().map(|l| Position {
                line: usize::try_from(l.line()).unwrap_or(usize::MAX),
                column: usize::try_from(l.column()).unwrap_or(usize::MAX),
            });
            let message = yaml_message(&e);
            let (message, help) = match key_problem(&message) {
                Some(what) => (
                    format!("a mapping key is {what}; every key of a config is text"),
                    "write the key as text (quote it, e.g. \"null\" or \"true\", if you mean the word), or remove the entry",
                ),
                None => (message, "fix the YAML syntax; `yamllint` shows more detail"),
            };
            fail(
                Diagnostic::new(Code::YamlSyntax, "", message)
                    .in_file(file)
                    .at(position)
                    .help(help),
            )
        })?;
    if !document.is_object() {
        let what = if document.is_null() {
            "the file has no content"
        } else {
            "the file is not a YAML mapping"
        };
        return Err(fail(
            Diagnostic::new(Code::DocumentShape, "", what)
                .in_file(file)
                .at(Some(Position { line: 1, column: 1 }))
                .help("start from `k8s-s3-spark init`, which writes a complete example"),
        ));
    }

    let at = |field: &str| spans.position(field);
    // A field that holds refused text is reported for that alone.
    let refusals = super::text::check(&document);
    let refused: Vec<String> = refusals.iter().map(|r| r.field.clone()).collect();
    let unrefused = |d: &Diagnostic| {
        matches!(d.code, Code::Text | Code::PastedKey) || !covered(&d.field, &refused)
    };
    let mut all = Diagnostics::default();
    for refusal in &refusals {
        let code = match refusal.what {
            super::text::Refused::Key => Code::PastedKey,
            super::text::Refused::Character(_) => Code::Text,
        };
        all.0.push(
            Diagnostic::new(code, refusal.field.clone(), refusal.message())
                .in_file(file)
                .at(at(&refusal.field))
                .help(refusal.help()),
        );
    }
    // A pasted key stops here: another rule's message could quote a part of it that does not
    // look like a key on its own (a URL's host up to the key's first '/').
    if all.0.iter().any(|d| d.code == Code::PastedKey) {
        all.normalize();
        return Err(ConfigError::Invalid(all));
    }
    // Another kind of object (a Kubernetes Job, a SparkApplication) is said to be that, once,
    // instead of listing every SparkJob field it lacks.
    let kind = document.get("kind").and_then(Value::as_str);
    let api_version = document.get("apiVersion").and_then(Value::as_str);
    if let Some(kind) = kind.filter(|&k| k != super::model::KIND)
        && api_version != Some(super::model::API_VERSION)
    {
        let what = match api_version {
            Some(api_version) => format!("{api_version} {kind}"),
            None => kind.to_owned(),
        };
        return Err(fail(
            Diagnostic::new(
                Code::DocumentShape,
                "kind",
                format!("this file is a {what}, not a k8s-s3-spark SparkJob config"),
            )
            .in_file(file)
            .at(at("kind"))
            .help(format!(
                "k8s-s3-spark reads `apiVersion: {}` `kind: {}` files that describe a Spark job and generates the Kubernetes objects; `k8s-s3-spark init` writes one",
                super::model::API_VERSION,
                super::model::KIND
            )),
        ));
    }
    // A mapping with none of a config's top-level fields is some other file (a link to the
    // wrong file, a password file): its keys are not listed as unknown fields, so nothing of
    // it is repeated.
    if let Some(map) = document.as_object()
        && !super::model::TOP_LEVEL_FIELDS
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return Err(fail(
            Diagnostic::new(
                Code::DocumentShape,
                "",
                format!(
                    "the file is not a k8s-s3-spark SparkJob config: it has none of its fields ({})",
                    super::model::TOP_LEVEL_FIELDS.join(", ")
                ),
            )
            .in_file(file)
            .at(Some(Position { line: 1, column: 1 }))
            .help(format!(
                "check the file's name; a config starts with `apiVersion: {}` and `kind: {}` (`k8s-s3-spark init` writes one)",
                super::model::API_VERSION,
                super::model::KIND
            )),
        ));
    }
    // Types first: the schema is generated from them, so a document they accept passes it too
    // (a test keeps that true over every fixture). Only a rejected document pays for compiling
    // the schema, which then reports every structural problem at once.
    let job = match typed(&document) {
        Ok(job) => job,
        Err(_) => {
            every_problem(file, document, &spans, &mut all);
            all.0.retain(unrefused);
            all.normalize();
            return Err(ConfigError::Invalid(all));
        }
    };

    rules(file, &job, &spans, &mut all);
    let (warnings, errors): (Vec<_>, Vec<_>) = all
        .0
        .into_iter()
        .filter(unrefused)
        .partition(|d| d.severity == Severity::Warning);
    let mut warnings = Diagnostics(warnings);
    warnings.normalize();
    if errors.is_empty() {
        let base = base_of(&job);
        let environments = job
            .spec
            .environments
            .iter()
            .map(|(name, overlay)| (name.clone(), apply(&base, overlay)))
            .collect();
        Config::new(file, job, environments, warnings, text)
    } else {
        let mut errors = Diagnostics(errors);
        errors.0.extend(warnings.0);
        errors.normalize();
        Err(ConfigError::Invalid(errors))
    }
}

/// The most fields the typed reading sets aside one at a time (numbers out of their type's
/// range, which the schema passes): a bound on the work for a hostile document.
const MAX_SET_ASIDE: usize = 100;

/// Every problem of a document the types refused: the schema's findings, each field the types
/// refuse although the schema passed it (a number out of its type's range), then the rules on
/// everything else, so one run shows every problem. A problem on a field already reported (or
/// inside it) is not repeated.
fn every_problem(file: &Path, document: Value, spans: &SpanIndex, all: &mut Diagnostics) {
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
            all.0.push(
                Diagnostic::new(Code::OutOfRange, field.clone(), message)
                    .in_file(file)
                    .at(at(&field))
                    .help(WHOLE_NUMBER_HELP),
            );
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
                    super::spans::segments(r)
                        .last()
                        .is_some_and(|last| match last {
                            super::spans::Segment::Key(k) => e.message.contains(&format!("`{k}`")),
                            super::spans::Segment::Index(_) => false,
                        })
                };
                let within = |r: &&String| **r == e.field || super::spans::is_within(r, &e.field);
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
                    "the config rules (names, resources, settings, ...) did not run: the job cannot be read without {}",
                    blocking.join(", ")
                ),
            )
            .in_file(file)
            .help("fix that and run validate again for the rest"),
        );
        return;
    };
    let mut more = Diagnostics::default();
    rules(file, &job, spans, &mut more);
    all.0
        .extend(more.0.into_iter().filter(|d| !covered(&d.field, &hidden)));
}

/// The finding for a field the types refuse although the schema passed it: a number out of
/// its type's range (e.g. 1e10 cores), or a decimal number where a count belongs.
fn out_of_range(
    file: &Path,
    document: &Value,
    e: &TypeError,
    position: Option<Position>,
) -> Diagnostic {
    let message = match value_at(document, &e.field) {
        // `1.0` and `1e3` are whole numbers to the schema, not to a count.
        Some(Value::Number(n))
            if n.is_f64()
                && n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15) =>
        {
            format!(
                "{n} is a decimal number where a whole number belongs: write {}",
                n.as_f64().unwrap_or_default()
            )
        }
        Some(value @ Value::Number(_)) => {
            format!("{value} is out of range for this field ({})", e.message)
        }
        _ => e.message.clone(),
    };
    Diagnostic::new(Code::OutOfRange, e.field.clone(), message)
        .in_file(file)
        .at(position)
        .help(WHOLE_NUMBER_HELP)
}

/// The help of a whole number the types refuse.
const WHOLE_NUMBER_HELP: &str = "use a whole number in range (counts and seconds are 32-bit; cores and executors are at most a few thousand; user and group ids are 0 to 2147483647)";

/// Every number of `node` with its field path, in document order.
fn numbers_in(node: &Value, field: String, out: &mut Vec<(String, serde_json::Number)>) {
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
fn covered(field: &str, fields: &[String]) -> bool {
    fields
        .iter()
        .any(|f| field == f || super::spans::is_within(field, f))
}

/// The semantic rules for the base job and every environment, each problem at its position.
fn rules(file: &Path, job: &SparkJob, spans: &SpanIndex, all: &mut Diagnostics) {
    let at = |field: &str| spans.position(field);
    let place = |d: Diagnostic, field: String| Diagnostic {
        file: file.to_path_buf(),
        position: at(&field),
        field,
        ..d
    };
    let base_problems = rules::check(job);
    let inherited: std::collections::HashSet<_> = base_problems
        .iter()
        .map(|b| (b.code, b.field.clone(), b.message.clone()))
        .collect();
    // The base's rules by field: a problem of the same rule on a field an environment does not
    // set is the base's, even when its message names the environment's values.
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
        // other fields) and has the same problem as in the base.
        for d in rules::check(&apply(&base, overlay)) {
            let same_as_base = inherited.contains(&(d.code, d.field.clone(), d.message.clone()));
            match override_field(spans, name, &d.field) {
                Some(field)
                    if !same_as_base
                        || override_path(name, &d.field).as_deref() == Some(field.as_str()) =>
                {
                    all.0.push(place(d, field));
                }
                Some(_) => {}
                // A field the environment does not set, wrong only with what it sets elsewhere
                // (its sparkVersion against the base's dynamicAllocation): said at the
                // environment, naming the field.
                None if !inherited_rules.contains(&(d.code, d.field.clone())) => {
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
fn environment_rules(
    name: &str,
    overlay: &super::model::EnvironmentOverride,
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
struct TypeError {
    field: String,
    message: String,
}

/// The typed job read from the document the schema judges: one reading of the text, so the
/// types and the schema see the same values (a quoted `"3"` is text for both, `1_000` and `007`
/// stay text, a plain `1.10` is a number that no text field takes).
fn typed(document: &Value) -> Result<SparkJob, TypeError> {
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
fn set_aside(document: &mut Value, field: &str, text: Option<&str>) -> bool {
    let segments = super::spans::segments(field);
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut node = document;
    for segment in parents {
        let next = match (node, segment) {
            (Value::Object(map), super::spans::Segment::Key(k)) => map.get_mut(k.as_str()),
            (Value::Array(items), super::spans::Segment::Index(i)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    match (node, last) {
        (Value::Object(map), super::spans::Segment::Key(k)) => match map.get_mut(k.as_str()) {
            Some(v @ (Value::Number(_) | Value::Bool(_))) if text.is_some() => {
                *v = Value::String(text.unwrap_or_default().to_owned());
                true
            }
            Some(_) => map.remove(k.as_str()).is_some(),
            None => false,
        },
        // Keep the indexes of other list items: a refused item becomes null, which the types
        // refuse, so the typed reading gives up rather than shift the items.
        (Value::Array(items), super::spans::Segment::Index(i)) => match items.get_mut(*i) {
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
fn value_at<'a>(document: &'a Value, field: &str) -> Option<&'a Value> {
    super::spans::segments(field)
        .iter()
        .try_fold(document, |node, segment| match segment {
            super::spans::Segment::Key(k) => node.get(k.as_str()),
            super::spans::Segment::Index(i) => node.get(*i),
        })
}

/// The fast path for a config with no problems: one YAML parse, the types, the rules; no span
/// index (positions are only needed to report problems). `None` whenever anything is off,
/// including features [`SpanIndex`] refuses (the parser is set to stop at anchors, aliases,
/// merge keys, duplicate keys and a second document, and text with `!` may hold a tag), so the
/// full path then reports exactly what it always did. On success both paths agree: the schema
/// is generated from the types, so the types accepting a document means the schema does too.
fn parse_clean(file: &Path, text: &str) -> Option<Config> {
    if text.contains('!') || super::text::may_hold_refused(text) {
        return None;
    }
    let mut options = yaml_options();
    options.merge_keys = serde_saphyr::MergeKeyPolicy::Error;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    let document: Value = serde_saphyr::from_str_with_options(text, options).ok()?;
    let job = typed(&document).ok()?;
    if !rules::check(&job).is_empty() {
        return None;
    }
    let mut environments = BTreeMap::new();
    let base = base_of(&job);
    for (name, overlay) in &job.spec.environments {
        let base_gpu = document.pointer("/spec/executor/gpu").is_some();
        if !environment_rules(name, overlay, base_gpu).is_empty() {
            return None;
        }
        let applied = apply(&base, overlay);
        if !rules::check(&applied).is_empty() {
            return None;
        }
        environments.insert(name.clone(), applied);
    }
    Config::new(file, job, environments, Diagnostics::default(), text).ok()
}

fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // YAML 1.2 booleans: only true and false. `yes`, `no`, `on`, `n` are text, as written.
    options.strict_booleans = true;
    // `007` and `1_000` are text, as written: neither is a number in JSON or to Kubernetes.
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    if let Some(budget) = options.budget.as_mut() {
        budget.max_depth = 64;
        budget.max_aliases = 0;
        budget.max_anchors = 0;
        budget.max_documents = 1;
        budget.max_nodes = 100_000;
    }
    options
}

/// What is wrong with a mapping key, when the parser's message says a key could not be read as
/// text (its own words name Rust types, which mean nothing to the config's author).
fn key_problem(message: &str) -> Option<&'static str> {
    if message.starts_with("cannot deserialize null into string") {
        Some("empty or null (`~`)")
    } else if message == "expected string scalar" {
        Some("a mapping or a list")
    } else {
        None
    }
}

/// The parser's message without its location suffix (we print the location ourselves).
fn yaml_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid YAML");
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Every config file the repository holds: examples, bad configs, fuzz seeds and regressions.
    fn fixtures() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "examples",
            "tests/invalid",
            "fuzz/seeds",
            "fuzz/regressions",
        ] {
            let mut pending = vec![root.join(dir)];
            while let Some(d) = pending.pop() {
                for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
                    let p = entry.path();
                    if p.is_dir() {
                        pending.push(p);
                    } else if p.extension().is_none_or(|e| e != "py" && e != "md") {
                        files.push(p);
                    }
                }
            }
        }
        files.sort();
        assert!(files.len() > 80, "fixtures found: {}", files.len());
        files
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_path() {
        let mut fast = 0;
        for file in fixtures() {
            let bytes = fs::read(&file).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else {
                continue;
            };
            let full = parse_full(&file, text);
            if let Some(config) = parse_clean(&file, text) {
                fast += 1;
                let full = full.unwrap_or_else(|e| {
                    panic!("{}: fast path accepted, full path: {e}", file.display())
                });
                assert_eq!(config.base, full.base, "{}", file.display());
                assert_eq!(config.environments, full.environments, "{}", file.display());
            }
        }
        assert!(fast >= 3, "the examples take the fast path");
    }

    #[test]
    fn what_the_types_and_rules_accept_the_schema_accepts() {
        for file in fixtures() {
            let Ok(text) = fs::read_to_string(&file) else {
                continue;
            };
            let Ok(document) = serde_saphyr::from_str_with_options::<Value>(&text, yaml_options())
            else {
                continue;
            };
            if parse_clean(&file, &text).is_some() {
                let problems = schema::check(&document);
                assert!(problems.is_empty(), "{}: {problems:?}", file.display());
            }
        }
    }
}
