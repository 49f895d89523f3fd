//! The typed config file (`spark-job.yaml`): its model and JSON schema, loading with positions,
//! the semantic rules, and environments. Kubernetes object types appear only where the config
//! embeds one as a manifest would write it (affinity, pod templates), each read through [`strict::Strict`].

pub mod environments;
mod load;
pub mod model;
pub mod pod_template;
pub mod reference;
pub mod reserved;
pub mod resolved;
pub mod rules;
pub mod schema;
pub mod spans;
pub mod strict;
pub mod text;

use std::path::PathBuf;

pub use load::{Config, MAX_CONFIG_BYTES, load, parse};
pub use model::SparkJob;
pub use resolved::ResolvedJob;

use crate::diagnostics::Diagnostics;

impl crate::diagnostics::Failure for ConfigError {
    /// The file is at fault (the user can fix it), unless a checked job could not be resolved.
    fn is_users_fault(&self) -> bool {
        match self {
            Self::Invalid(_) | Self::TooLarge { .. } | Self::UnknownEnvironment { .. } => true,
            // A file that cannot be read is named by the user: theirs to fix, as before.
            Self::Read { .. } => true,
            Self::Unresolved { .. } => false,
        }
    }

    /// How to fix it; findings ([`ConfigError::Invalid`]) carry their own.
    fn help(&self) -> Option<String> {
        match self {
            Self::TooLarge { .. } => Some("check that this is the right file".into()),
            Self::UnknownEnvironment { known, .. } if known.is_empty() => {
                Some("this file declares no environments; add one under spec.environments".into())
            }
            Self::UnknownEnvironment { known, .. } => {
                Some(format!("use one of: {}", known.join(", ")))
            }
            Self::Read { .. } | Self::Invalid(_) | Self::Unresolved { .. } => None,
        }
    }
}

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file is larger than any config could be.
    #[error("{} is larger than {limit} bytes; a spark-job.yaml is a few KiB", file.display())]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file has problems: syntax, schema or rules.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// A config the rules accepted could not be resolved (a bug in this tool).
    #[error("internal error: {} passed every check but could not be resolved; please report this with the file", file.display())]
    Unresolved {
        /// The file.
        file: PathBuf,
    },
    /// `--env` named an environment the file does not declare.
    #[error("{}: no environment {name:?} in spec.environments", file.display())]
    UnknownEnvironment {
        /// The file.
        file: PathBuf,
        /// The name asked for.
        name: String,
        /// The names declared.
        known: Vec<String>,
    },
}
