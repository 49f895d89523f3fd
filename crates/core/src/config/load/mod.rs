//! Reading a `spark-job.yaml`: bounded size, UTF-8, YAML syntax (with budgets against alias bombs
//! and deep nesting), the JSON schema, the typed structs, then the semantic rules for the base and
//! every environment. Every problem found is reported at once with file:line:column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::environments::{apply, base_of, override_field, override_path};
use super::resolved::ResolvedJob;
use super::{ConfigError, rules, schema};
use crate::config::model::SparkJob;
use crate::config::spans::{SpanIndex, join_index, join_key};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Position, Severity};

mod problems;

use problems::*;

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
    let refusals = crate::config::text::check(&document);
    let refused: Vec<String> = refusals.iter().map(|r| r.field.clone()).collect();
    let unrefused = |d: &Diagnostic| {
        matches!(d.code, Code::Text | Code::PastedKey) || !covered(&d.field, &refused)
    };
    let mut all = Diagnostics::default();
    for refusal in &refusals {
        let code = match refusal.what {
            crate::config::text::Refused::Key => Code::PastedKey,
            crate::config::text::Refused::Character(_) => Code::Text,
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
    if let Some(kind) = kind.filter(|&k| k != crate::config::model::KIND)
        && api_version != Some(crate::config::model::API_VERSION)
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
                crate::config::model::API_VERSION,
                crate::config::model::KIND
            )),
        ));
    }
    // A mapping with none of a config's top-level fields is some other file (a link to the
    // wrong file, a password file): its keys are not listed as unknown fields, so nothing of
    // it is repeated.
    if let Some(map) = document.as_object()
        && !crate::config::model::TOP_LEVEL_FIELDS
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return Err(fail(
            Diagnostic::new(
                Code::DocumentShape,
                "",
                format!(
                    "the file is not a k8s-s3-spark SparkJob config: it has none of its fields ({})",
                    crate::config::model::TOP_LEVEL_FIELDS.join(", ")
                ),
            )
            .in_file(file)
            .at(Some(Position { line: 1, column: 1 }))
            .help(format!(
                "check the file's name; a config starts with `apiVersion: {}` and `kind: {}` (`k8s-s3-spark init` writes one)",
                crate::config::model::API_VERSION,
                crate::config::model::KIND
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

/// The fast path for a config with no problems: one YAML parse, the types, the rules; no span
/// index (positions are only needed to report problems). `None` whenever anything is off,
/// including features [`SpanIndex`] refuses (the parser is set to stop at anchors, aliases,
/// merge keys, duplicate keys and a second document, and text with `!` may hold a tag), so the
/// full path then reports exactly what it always did. On success both paths agree: the schema
/// is generated from the types, so the types accepting a document means the schema does too.
fn parse_clean(file: &Path, text: &str) -> Option<Config> {
    if text.contains('!') || crate::config::text::may_hold_refused(text) {
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
    // `.inf` and `.nan` are text too (no JSON number or Kubernetes field holds them): the schema
    // then says where a number belongs, with every other problem, instead of the parser stopping.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
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
        let root = crate::repo_root();
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
