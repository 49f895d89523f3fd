//! `validate`'s findings for machines: `--format json` (this crate's own shape) and
//! `--format sarif` (SARIF 2.1.0, which GitHub code scanning and other CI read to annotate the
//! exact line). Pure: the command gathers the outcomes, this module only shapes them.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::{Value, json};

use crate::diagnostics::{Code, Diagnostic, HELP_SEPARATOR};

/// `n` and a noun, plural unless `n` is 1: "1 object", "2 objects".
pub fn plural(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The first `shown` of `names`, joined with commas, and how many more there are.
pub fn first_few(names: &[String], shown: usize) -> String {
    let mut text = names[..names.len().min(shown)].join(", ");
    if names.len() > shown {
        text.push_str(&format!(" and {} more", names.len() - shown));
    }
    text
}

/// The SARIF version written, and the schema that defines it.
pub const SARIF_VERSION: &str = "2.1.0";
/// The tool, as SARIF names it.
pub const TOOL_NAME: &str = "k8s-s3-spark";
/// The `$schema` of the SARIF logs written (SchemaStore's copy of the OASIS schema).
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What `validate` found in one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileReport {
    /// The config file, as given or found.
    #[serde(serialize_with = "crate::diagnostics::lossy_path")]
    pub file: PathBuf,
    /// Whether the config is accepted (warnings do not refuse it).
    pub valid: bool,
    /// Its environments, when valid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// How many objects its base and environments render, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objects: Option<usize>,
    /// Every finding: the errors that refuse it, or the warnings of an accepted config.
    pub findings: Vec<Diagnostic>,
    /// Why the file could not be judged at all (unreadable, too large), with no finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `validate --format json`: one entry per file, in the order of the text output.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidationReport {
    /// The files, in order.
    pub files: Vec<FileReport>,
    /// How many are valid.
    pub valid: usize,
    /// How many are not.
    pub invalid: usize,
}

impl ValidationReport {
    /// The report of these files.
    pub fn new(files: Vec<FileReport>) -> Self {
        let valid = files.iter().filter(|f| f.valid).count();
        Self {
            invalid: files.len() - valid,
            valid,
            files,
        }
    }

    /// The report as a SARIF 2.1.0 log: one run of this tool, every rule it has (so a reader
    /// can show a rule's summary without a result), one result per finding, and the files that
    /// could not be judged as tool notifications.
    pub fn sarif(&self, tool_version: &str) -> Value {
        let rules: Vec<Value> = Code::ALL
            .iter()
            .map(|(section, code)| {
                json!({
                    "id": code.as_str(),
                    "name": format!("{code:?}"),
                    "shortDescription": {"text": code.summary()},
                    "defaultConfiguration": {"level": code.severity().as_str()},
                    "properties": {"tags": [section]},
                })
            })
            .collect();
        let results: Vec<Value> = self
            .files
            .iter()
            .flat_map(|f| &f.findings)
            .map(result)
            .collect();
        let notifications: Vec<Value> = self
            .files
            .iter()
            .filter_map(|f| {
                f.error.as_ref().map(|e| {
                    json!({
                        "level": "error",
                        "message": {"text": e},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri(&f.file)}}}],
                    })
                })
            })
            .collect();
        json!({
            "$schema": SARIF_SCHEMA,
            "version": SARIF_VERSION,
            "runs": [{
                "tool": {"driver": {
                    "name": TOOL_NAME,
                    "version": tool_version,
                    "rules": rules,
                }},
                "invocations": [{
                    "executionSuccessful": notifications.is_empty(),
                    "toolExecutionNotifications": notifications,
                }],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        })
    }
}

/// One finding as a SARIF result: the rule, its level, the message with its fix, and where.
fn result(d: &Diagnostic) -> Value {
    let index = Code::ALL
        .iter()
        .position(|(_, c)| *c == d.code)
        .unwrap_or_default();
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str(HELP_SEPARATOR);
        text.push_str(help);
    }
    let mut physical = json!({"artifactLocation": {"uri": uri(&d.file)}});
    if let Some(p) = d.position {
        physical["region"] = json!({"startLine": p.line, "startColumn": p.column});
    }
    let mut location = json!({"physicalLocation": physical});
    if !d.field.is_empty() {
        location["logicalLocations"] = json!([{"fullyQualifiedName": d.field, "kind": "member"}]);
    }
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": index,
        "level": d.severity.as_str(),
        "message": {"text": text},
        "locations": [location],
    })
}

/// A path as a URI reference: `/` between segments, every byte outside RFC 3986's unreserved
/// set percent-encoded, absolute paths as `file://` URIs.
fn uri(path: &Path) -> String {
    // The name's own bytes (a name that is not UTF-8 keeps them, so the URI finds the file).
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut out = String::with_capacity(bytes.len());
    if bytes.starts_with(b"/") {
        out.push_str("file://");
    }
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Position;

    fn finding() -> Diagnostic {
        Diagnostic::new(
            Code::Resources,
            "spec.executor.instances",
            "must be at least 1",
        )
        .in_file("my jobs/spark-job.yaml")
        .at(Some(Position {
            line: 12,
            column: 16,
        }))
        .help("set a positive number of executors")
    }

    #[test]
    fn a_finding_becomes_a_result_at_its_line_with_its_rule() {
        let report = ValidationReport::new(vec![FileReport {
            file: "my jobs/spark-job.yaml".into(),
            valid: false,
            environments: Vec::new(),
            objects: None,
            findings: vec![finding()],
            error: None,
        }]);
        let log = report.sarif("1.2.3");
        let run = &log["runs"][0];
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "KS108");
        let rule = &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "KS108");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"],
            "my%20jobs/spark-job.yaml"
        );
        assert_eq!(location["physicalLocation"]["region"]["startLine"], 12);
        assert_eq!(location["physicalLocation"]["region"]["startColumn"], 16);
        assert_eq!(
            location["logicalLocations"][0]["fullyQualifiedName"],
            "spec.executor.instances"
        );
        assert_eq!(
            result["message"]["text"],
            "must be at least 1\n  help: set a positive number of executors"
        );
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(report.invalid, 1);
    }

    #[test]
    fn every_rule_is_listed_once_and_a_file_that_cannot_be_read_is_a_notification() {
        let report = ValidationReport::new(vec![FileReport {
            file: "/srv/a.yaml".into(),
            valid: false,
            environments: Vec::new(),
            objects: None,
            findings: Vec::new(),
            error: Some("cannot read /srv/a.yaml: permission denied".into()),
        }]);
        let log = report.sarif("1.2.3");
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        let notification = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "file:///srv/a.yaml"
        );
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            false
        );
    }

    #[cfg(unix)]
    #[test]
    fn uris_keep_the_bytes_of_a_name_that_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"d/sp ace/bad\xe9.yml");
        assert_eq!(uri(Path::new(name)), "d/sp%20ace/bad%E9.yml");
        assert_eq!(uri(Path::new("/abs/x.yaml")), "file:///abs/x.yaml");
    }
}
