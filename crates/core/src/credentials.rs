//! AWS access keys, read only when the user asks for a Secret with values (`render --aws-profile`
//! or `--aws-env`). Values live in [`SecretValue`], whose `Debug` and `Display` never show them, and
//! errors never quote the file's content.

use std::fmt;
use std::path::{Path, PathBuf};

/// A secret string. Only [`SecretValue::expose`] gives the text.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text, for the one place that must write it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

/// An access key pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsKeys {
    /// `aws_access_key_id`.
    pub access_key_id: SecretValue,
    /// `aws_secret_access_key`.
    pub secret_access_key: SecretValue,
    /// `aws_session_token` of temporary credentials. `check-s3` signs with it; the generated
    /// Secret holds the two keys only.
    pub session_token: Option<SecretValue>,
}

/// Why keys could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// The credentials file could not be read.
    #[error("cannot read AWS credentials file {}: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The profile is not in the file.
    #[error("{}: no profile [{profile}]", file.display())]
    NoProfile {
        /// The file.
        file: PathBuf,
        /// The profile asked for.
        profile: String,
        /// The profiles in the file.
        known: Vec<String>,
    },
    /// The profile lacks a key.
    #[error("{}:{line}: profile [{profile}] has no {key}", file.display())]
    MissingKey {
        /// The file.
        file: PathBuf,
        /// Line of the profile header.
        line: usize,
        /// The profile.
        profile: String,
        /// The missing key.
        key: &'static str,
    },
    /// The environment lacks a variable.
    #[error("--aws-env: {0} is not set")]
    MissingEnv(&'static str),
}

/// Keys that cannot be read come from the user's flags and files.
impl crate::diagnostics::Failure for CredentialsError {
    fn is_users_fault(&self) -> bool {
        true
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Self::Read { .. } => "run `aws configure`, or pass --aws-credentials FILE".into(),
            Self::NoProfile { known, .. } if known.is_empty() => {
                "this file has no profiles; run `aws configure --profile NAME`".into()
            }
            Self::NoProfile { known, .. } => format!("profiles in this file: {}", known.join(", ")),
            Self::MissingKey { key, .. } => format!("add `{key} = ...` to the profile"),
            Self::MissingEnv(_) => {
                "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --aws-profile".into()
            }
        })
    }
}

/// The default credentials file: `$AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn default_credentials_file() -> PathBuf {
    if let Some(file) = std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
        return PathBuf::from(file);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".aws").join("credentials")
}

/// Reads a profile's keys from an AWS shared credentials file (INI: `[profile]`, `key = value`).
pub fn from_profile(file: &Path, profile: &str) -> Result<AwsKeys, CredentialsError> {
    // A credentials file is a few profiles: a link to a device or a FIFO is refused, not read.
    let text = crate::files::read_regular_text(file, 1 << 20).map_err(|source| {
        CredentialsError::Read {
            file: file.to_path_buf(),
            source,
        }
    })?;
    let mut known = Vec::new();
    let mut header_line = None;
    let (mut id, mut secret, mut token) = (None, None, None);
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim();
            known.push(name.to_owned());
            if header_line.is_some() {
                break;
            }
            if name == profile {
                header_line = Some(i + 1);
            }
            continue;
        }
        if header_line.is_none() {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let value = value.trim();
            match key.trim() {
                "aws_access_key_id" => id = Some(SecretValue::new(value)),
                "aws_secret_access_key" => secret = Some(SecretValue::new(value)),
                "aws_session_token" => token = Some(SecretValue::new(value)),
                _ => {}
            }
        }
    }
    let Some(line) = header_line else {
        return Err(CredentialsError::NoProfile {
            file: file.to_path_buf(),
            profile: profile.to_owned(),
            known,
        });
    };
    let missing = |key| CredentialsError::MissingKey {
        file: file.to_path_buf(),
        line,
        profile: profile.to_owned(),
        key,
    };
    Ok(AwsKeys {
        access_key_id: id
            .filter(|v| !v.0.is_empty())
            .ok_or_else(|| missing("aws_access_key_id"))?,
        secret_access_key: secret
            .filter(|v| !v.0.is_empty())
            .ok_or_else(|| missing("aws_secret_access_key"))?,
        session_token: token.filter(|v| !v.0.is_empty()),
    })
}

/// Reads `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` from the environment.
pub fn from_env() -> Result<AwsKeys, CredentialsError> {
    let get = |name: &'static str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(SecretValue::new)
            .ok_or(CredentialsError::MissingEnv(name))
    };
    Ok(AwsKeys {
        access_key_id: get("AWS_ACCESS_KEY_ID")?,
        secret_access_key: get("AWS_SECRET_ACCESS_KEY")?,
        session_token: get("AWS_SESSION_TOKEN").ok(),
    })
}

/// Where keys come from when no flag names them, as in the AWS SDKs: `$AWS_ACCESS_KEY_ID`/
/// `$AWS_SECRET_ACCESS_KEY` (the variables the Job's pods get from the Secret), then a profile
/// (`$AWS_PROFILE` or `default`) of the credentials file; read by [`ambient`].
#[derive(Debug, Clone, Default)]
pub struct Ambient {
    /// Keys from the environment, if both variables are set.
    pub env_keys: Option<AwsKeys>,
    /// Keys and a description of the profile, if one was found.
    pub profile_keys: Option<(String, AwsKeys)>,
    /// `$AWS_REGION` or `$AWS_DEFAULT_REGION`.
    pub region: Option<String>,
    /// The credentials file, for the error when nothing is found.
    pub credentials_file: String,
}

/// Reads the [`Ambient`] keys and region. The environment's keys come first; a profile is read
/// only without them, and not at all when `profile_named` (a flag names one, read by the caller).
pub fn ambient(file: &Path, profile_named: bool) -> Result<Ambient, CredentialsError> {
    let env_keys = from_env().ok();
    let profile_keys = match std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()) {
        _ if env_keys.is_some() || profile_named => None,
        Some(p) => Some((
            format!("profile [{p}] ($AWS_PROFILE) of {}", file.display()),
            from_profile(file, &p)?,
        )),
        None => from_profile(file, "default")
            .ok()
            .map(|k| (format!("profile [default] of {}", file.display()), k)),
    };
    Ok(Ambient {
        env_keys,
        profile_keys,
        region: ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty())),
        credentials_file: file.display().to_string(),
    })
}

/// The keys of a Secret with values, when a flag asks for them: `profile` of `file` (the
/// default credentials file when `None`), or the environment's (`from_env`).
pub fn for_secret(
    profile: Option<&str>,
    file: Option<&Path>,
    from_env_asked: bool,
) -> Result<Option<AwsKeys>, CredentialsError> {
    if let Some(profile) = profile {
        let file = file.map_or_else(default_credentials_file, Path::to_path_buf);
        return from_profile(&file, profile).map(Some);
    }
    if from_env_asked {
        return from_env().map(Some);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Failure as _;

    #[test]
    fn reads_the_named_profile_only_and_never_prints_values() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(
            &file,
            "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n[ci]\naws_access_key_id=AKIACI\naws_secret_access_key = s2\n",
        )
        .unwrap();
        let keys = from_profile(&file, "ci").unwrap();
        assert_eq!(keys.access_key_id.expose(), "AKIACI");
        assert_eq!(keys.secret_access_key.expose(), "s2");
        assert!(!format!("{keys:?}").contains("s2"));
        let err = from_profile(&file, "prod").unwrap_err();
        let err = format!("{err} {}", err.help().unwrap_or_default());
        assert!(err.contains("default, ci"), "{err}");
        assert!(!err.contains("s1") && !err.contains("AKIA"), "{err}");
    }
}
