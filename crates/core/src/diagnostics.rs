//! Problems found in a user's input, each pointing at a file, line, column and field, with a fix.
//!
//! Every stage that judges input (YAML syntax, the JSON schema, the semantic rules, the checks on
//! generated objects) reports [`Diagnostic`]s, so the CLI prints them all the same way and the
//! exit code is decided in one place.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::redact::redact;

/// What comes between a message and its help, for findings and for errors alike.
pub const HELP_SEPARATOR: &str = "\n  help: ";

/// A position in a source file; both numbers start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column number, from 1.
    pub column: usize,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is refused (exit code 2, nothing written), or the checked thing will fail.
    #[default]
    Error,
    /// The input works as written but probably not as meant; shown, never fatal.
    Warning,
    /// Worth knowing; nothing fails because of it.
    Note,
}

impl Severity {
    /// The word printed before the message.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Note => "note",
        }
    }
}

/// Declares [`Code`]: each rule's stable code, severity and one-line summary, in one table.
macro_rules! codes {
    ($( $section:literal { $( $variant:ident = $code:literal, $severity:ident, $summary:literal; )* } )*) => {
        /// The stable code of a rule, printed as `error[KS101]`, so users, CI and editors can refer
        /// to a rule; `docs/codes.md` lists them all. A code is never reused for another rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($( #[doc = $summary] $variant, )*)*
        }

        impl Code {
            /// Every code, in order, with the section it belongs to.
            pub const ALL: &'static [(&'static str, Code)] = &[$($( ($section, Code::$variant), )*)*];

            /// The code as printed, e.g. `KS101`.
            pub fn as_str(self) -> &'static str {
                match self { $($( Self::$variant => $code, )*)* }
            }

            /// How bad a finding of this rule is.
            pub fn severity(self) -> Severity {
                match self { $($( Self::$variant => Severity::$severity, )*)* }
            }

            /// What the rule checks, in one line.
            pub fn summary(self) -> &'static str {
                match self { $($( Self::$variant => $summary, )*)* }
            }
        }
    };
}

/// A path as JSON text: a name that is not UTF-8 (which JSON cannot hold) with U+FFFD for the
/// bytes it cannot show, rather than no report at all.
pub fn lossy_path<S: serde::Serializer>(path: &std::path::Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// What every error of the tool says besides its message: whose it is to fix, and how. Each
/// error type implements it once; an error that wraps others asks the one it holds.
pub trait Failure: std::error::Error {
    /// Whether the user's input (a file, a flag, a folder) is at fault, so the exit code is 2,
    /// rather than the world or this tool (1).
    fn is_users_fault(&self) -> bool;

    /// How to fix it, when there is more to say than the message (findings carry their own).
    fn help(&self) -> Option<String> {
        None
    }
}

codes! {
    "Reading the config" {
        NotUtf8 = "KS001", Error, "The file is not UTF-8 text.";
        YamlSyntax = "KS002", Error, "The file is not valid YAML.";
        DocumentShape = "KS003", Error, "The file is not one plain YAML document: several documents, duplicate keys, anchors, aliases, merge keys or tags.";
        Schema = "KS004", Error, "A field does not fit the schema: unknown, missing, of the wrong type, or not an allowed value.";
        OutOfRange = "KS005", Error, "A number is out of its field's range.";
        Text = "KS006", Error, "A key or value holds a character no output form carries as written: NUL, a carriage return, a control character, or a YAML 1.1 line break (U+0085, U+2028, U+2029).";
        RulesNotRun = "KS007", Note, "The config rules did not run: fields the other rules need could not be read.";
    }
    "Config rules" {
        Name = "KS101", Error, "A name is not a valid Kubernetes name (DNS-1123 label or subdomain).";
        Label = "KS102", Error, "A label or annotation key or value is invalid, or is a label the tool sets itself.";
        Image = "KS103", Error, "The image reference is invalid, or has no tag or digest, or uses `latest`.";
        Application = "KS104", Error, "The application file, main class or arguments cannot run as written.";
        Setting = "KS105", Error, "A sparkConf or hadoopConf entry is not a setting, is in the wrong map, is set by the tool, or has a value that cannot be passed.";
        CredentialSetting = "KS106", Error, "A setting that carries a credential is written in plain text.";
        PastedKey = "KS107", Error, "A value looks like an AWS key.";
        Resources = "KS108", Error, "Cores, executors, CPU or memory are out of range or not valid quantities.";
        EnvVar = "KS109", Error, "An environment variable's name or value is invalid, or the tool sets it.";
        Placement = "KS110", Error, "A node selector, toleration, affinity or priority class is invalid.";
        Versions = "KS111", Error, "The Spark and Hadoop versions do not fit each other, Kubernetes, or the application's language, or a package is built for another Scala or Spark.";
        NeedsNewer = "KS112", Error, "A field needs a newer Spark or Hadoop than the config's.";
        Endpoint = "KS113", Error, "The S3 endpoint, TLS setting or region is invalid or contradicts itself.";
        PathStyle = "KS114", Warning, "An S3-compatible endpoint without path-style access: S3A would ask for BUCKET.HOST.";
        S3Path = "KS115", Error, "An s3a:// path is invalid.";
        Secret = "KS116", Error, "The credentials Secret's name or key names are invalid.";
        WebIdentity = "KS117", Error, "The web identity role ARN is invalid, or its service account annotation is set by hand.";
        ExternalSecret = "KS118", Error, "The ExternalSecret's source is invalid or conflicts with `generate`.";
        Submitter = "KS119", Error, "The submitter Job's retries, deadlines, user or resources are invalid.";
        Output = "KS120", Error, "An s3.outputs location or its committer is invalid.";
        RegionFallback = "KS121", Warning, "An S3-compatible endpoint without a region on the AWS SDK v2: S3A signs for us-east-2.";
        PodIdentity = "KS122", Error, "EKS Pod Identity with an AWS SDK too old to read its container credentials.";
        Schedule = "KS123", Error, "The schedule's cron expression or time zone is invalid, or the job's name is too long for a CronJob.";
        Volume = "KS124", Error, "A volume's name, mount path or source is invalid, clashes with the tool's own, or is a claim the driver cannot make.";
        Gpu = "KS125", Error, "The executors' GPUs are incomplete or invalid: no discovery script, a vendor that is no domain, a task amount Spark refuses.";
        PodTemplate = "KS126", Error, "A pod template weakens security (what Pod Security restricted forbids), sets a field that has a typed field too, or has a part the tool cannot carry.";
        PodTemplateOverride = "KS127", Warning, "A pod template sets a field the tool owns (security contexts, service account, token, Spark's container): the tool's value is used.";
        CreatesNamespace = "KS128", Warning, "The output creates the job's namespace: applying it sets the namespace's Pod Security level, and deleting the output with kubectl deletes the namespace and everything in it.";
    }
    "Spark distributions and images (doctor)" {
        DuplicateJar = "KS201", Error, "Several versions of one jar: the JVM loads whichever comes first.";
        NotSpark = "KS202", Error, "No spark-core jar: the folder is not a Spark distribution.";
        ScalaMismatch = "KS203", Error, "Jars built for different Scala versions.";
        NoKubernetes = "KS204", Error, "No spark-kubernetes jar: Spark was built without Kubernetes support.";
        HadoopJars = "KS205", Error, "The Hadoop jars disagree, or there are none.";
        NoS3a = "KS206", Error, "No hadoop-aws jar: S3A is missing.";
        S3aMismatch = "KS207", Error, "hadoop-aws or its AWS SDK does not match the distribution's Hadoop.";
        CloudMismatch = "KS208", Error, "spark-hadoop-cloud (the S3A committers' binding) does not match the Spark version.";
        CustomHadoop = "KS210", Note, "A Hadoop version the Spark line's published distributions do not carry (a custom build).";
        NoPySpark = "KS211", Note, "No PySpark: Python jobs cannot run on images built from this.";
        NoDockerfiles = "KS212", Note, "No Dockerfiles: base images cannot be built from this folder.";
        SdkV1BesideV2 = "KS214", Warning, "The AWS SDK v1 beside a hadoop-aws built on the SDK v2: S3A never loads it.";
        NoHadoopCloud = "KS213", Note, "No spark-hadoop-cloud jar: jobs cannot write to S3 through the S3A committers.";
    }
    "S3 access (check-s3)" {
        S3CannotConnect = "KS301", Error, "Nothing answers at the S3 endpoint.";
        S3Tls = "KS302", Error, "The TLS handshake with the S3 endpoint failed, or TLS and the endpoint disagree.";
        S3Timeout = "KS303", Error, "The S3 endpoint did not answer in time.";
        S3WrongRegion = "KS304", Error, "The bucket lives in another region.";
        S3BadCredentials = "KS305", Error, "The keys are wrong, unknown or expired.";
        S3NoSuchBucket = "KS306", Error, "The bucket does not exist.";
        S3NoSuchKey = "KS307", Error, "Nothing at the key or under the prefix.";
        S3AccessDenied = "KS308", Error, "The keys are valid but lack a permission.";
        S3Failed = "KS309", Error, "Any other failed S3 request.";
    }
    "The cluster (check-cluster)" {
        NamespaceMissing = "KS401", Error, "The job's namespace does not exist (and the config does not create it).";
        PodSecurityLevel = "KS402", Warning, "The namespace does not enforce Pod Security `restricted`.";
        Forbidden = "KS403", Error, "The caller may not create or update one of the objects.";
        ServerRefuses = "KS404", Error, "The API server refuses an object (server-side apply with dryRun=All).";
        SecretMissing = "KS405", Error, "The credentials Secret does not exist.";
        SecretKeys = "KS406", Error, "The credentials Secret lacks a key the pods read.";
        NoExternalSecrets = "KS407", Error, "An ExternalSecret makes the Secret, but the External Secrets Operator is not installed.";
        ServiceAccountAnnotation = "KS408", Error, "An existing ServiceAccount lacks the web identity role annotation.";
        CannotCheck = "KS409", Warning, "Something could not be read, so it was not checked.";
        PriorityClassMissing = "KS410", Error, "A PriorityClass the pods name does not exist: the API server refuses the pods.";
        StorageClassMissing = "KS411", Error, "The StorageClass of an on-demand claim does not exist: the claims, and the executors, stay Pending.";
        ClaimMissing = "KS412", Error, "A claim a volume names does not exist in the namespace: the pods stay Pending.";
        NoGpuNode = "KS413", Warning, "No node offers the executors' GPUs (VENDOR/gpu allocatable, as many as each asks for): they would stay Pending.";
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: what is wrong, where, how to fix it, how bad it is, and the rule's stable code.
/// Validation, `doctor`, `check-s3` and `versions` all report these, rendered one way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The rule.
    pub code: Code,
    /// Error, warning or note (the rule's, see [`Code::severity`]).
    pub severity: Severity,
    /// What the finding is about: the config file, the inspected folder, or the checked URL;
    /// empty until [`Diagnostic::in_file`] sets it.
    #[serde(serialize_with = "lossy_path")]
    pub file: PathBuf,
    /// Where in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// The field, as a dotted path (`spec.executor.instances`); empty for the whole document.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding of rule `code` about `field`, with the rule's severity. Key-shaped text in the
    /// field or message is redacted ([`crate::redact`]): a key pasted into the wrong field must
    /// not reach a terminal or a CI log.
    pub fn new(code: Code, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            file: PathBuf::new(),
            position: None,
            field: redact(&field.into()).into_owned(),
            message: redact(&message.into()).into_owned(),
            help: None,
        }
    }

    /// Sets what the finding is about (a file, a folder or a URL).
    #[must_use]
    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = file.into();
        self
    }

    /// Sets the position.
    #[must_use]
    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(redact(&help.into()).into_owned());
        self
    }
}

/// Text for a terminal: control characters (but line breaks) written as `\u{..}` escapes, so a
/// name taken from a file or a folder can never act as a terminal command.
fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(|c| c != '\n' && c.is_control()) {
        text.chars()
            .map(|c| {
                if c != '\n' && c.is_control() {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.as_os_str().is_empty() {
            write!(f, "{}", for_terminal(&self.file.display().to_string()))?;
            if let Some(Position { line, column }) = self.position {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        }
        write!(f, "{}[{}]", self.severity.as_str(), self.code)?;
        if !self.field.is_empty() {
            write!(f, " in `{}`", self.field)?;
        }
        write!(f, ": {}", for_terminal(&self.message))?;
        if let Some(help) = &self.help {
            write!(f, "{HELP_SEPARATOR}{}", for_terminal(help))?;
        }
        Ok(())
    }
}

/// Several problems, reported together; never empty when returned as an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Sorts by file, then position, then field, and drops exact repeats, so output is stable.
    pub fn normalize(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.file, a.position, &a.field, &a.message)
                .cmp(&(&b.file, b.position, &b.field, &b.message))
        });
        self.0.dedup();
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// The page of every code (`docs/codes.md`), generated so it cannot fall behind the table.
pub fn codes_page() -> String {
    let mut page = String::from(
        "# Finding codes\n\nEvery finding `k8s-s3-spark` reports carries a stable code (`error[KS101]`), so a\nCI log or an editor can refer to the rule; a code never changes meaning. Generated from `crates/core/src/diagnostics.rs`.\n",
    );
    let mut section = "";
    for (name, code) in Code::ALL {
        if *name != section {
            section = name;
            page.push_str(&format!(
                "\n## {name}\n\n| code | severity | rule |\n|---|---|---|\n"
            ));
        }
        page.push_str(&format!(
            "| `{code}` | {} | {} |\n",
            code.severity().as_str(),
            code.summary()
        ));
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_field_and_help() {
        let d = Diagnostic::new(
            Code::Resources,
            "spec.executor.instances",
            "must be at least 1",
        )
        .in_file("job.yaml")
        .at(Some(Position {
            line: 12,
            column: 16,
        }))
        .help("set a positive number of executors");
        assert_eq!(
            d.to_string(),
            "job.yaml:12:16: error[KS108] in `spec.executor.instances`: must be at least 1\n  help: set a positive number of executors"
        );
    }

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for (_, code) in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} is used twice");
            assert!(
                text.len() == 5
                    && text.starts_with("KS")
                    && text[2..].bytes().all(|b| b.is_ascii_digit()),
                "{text}"
            );
        }
    }
}
