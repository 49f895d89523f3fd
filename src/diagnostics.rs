//! Problems found in a user's input, each pointing at a file, line, column and field, with a fix.
//!
//! Every stage that judges input (YAML syntax, the JSON schema, the semantic rules, the checks on
//! generated objects) reports [`Diagnostic`]s, so the CLI prints them all the same way and the
//! exit code is decided in one place.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::redact::redact;

/// A position in a source file; both numbers start at 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// Line number, from 1.
    pub line: usize,
    /// Column number, from 1.
    pub column: usize,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    /// The input is refused: exit code 2, nothing written.
    #[default]
    Error,
    /// The input works as written but probably not as meant; shown, never fatal.
    Warning,
}

impl Severity {
    /// The word printed before the message.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
        }
    }
}

/// One problem with the input, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in.
    pub file: PathBuf,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The field, as a dotted path (`spec.executor.instances`); empty for the whole document.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with `field` in `file`, position unknown until [`Diagnostic::at`] sets it.
    /// Key-shaped text in the field or message is redacted ([`crate::redact`]): a key pasted into
    /// the wrong field must not reach a terminal or a CI log.
    pub fn new(file: &Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            file: file.to_path_buf(),
            position: None,
            field: redact(&field.into()).into_owned(),
            message: redact(&message.into()).into_owned(),
            help: None,
        }
    }

    /// Sets the position.
    #[must_use]
    pub fn at(mut self, position: Option<Position>) -> Self {
        self.position = position;
        self
    }

    /// Sets the severity.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets the help text.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(redact(&help.into()).into_owned());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(Position { line, column }) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.severity.as_str())?;
        if !self.field.is_empty() {
            write!(f, " in `{}`", self.field)?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_file_line_column_field_and_help() {
        let d = Diagnostic::new(
            Path::new("job.yaml"),
            "spec.executor.instances",
            "must be at least 1",
        )
        .at(Some(Position {
            line: 12,
            column: 16,
        }))
        .help("set a positive number of executors");
        assert_eq!(
            d.to_string(),
            "job.yaml:12:16: error in `spec.executor.instances`: must be at least 1\n  help: set a positive number of executors"
        );
    }
}
