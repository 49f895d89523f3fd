//! What is checked and how: the endpoint, region, addressing style and credentials, from the
//! config (as the generated Job uses them), the flags and the AWS environment.

use super::*;

/// Where and how to reach S3, resolved from flags, the config, and the environment.
#[derive(Debug, Clone)]
pub struct Target {
    /// Endpoint URL (scheme, host, port).
    pub endpoint: Url,
    /// Signing region.
    pub region: String,
    /// Path-style addressing.
    pub path_style: bool,
    /// Keys, or `None` for unsigned (anonymous) requests.
    pub keys: Option<AwsKeys>,
    /// Where the keys came from (never the values), for the report.
    pub credentials_source: String,
    /// Notes on how the Job's access differs from this check.
    pub notes: Vec<String>,
}

/// What the flags say; anything unset comes from the config, then the environment.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--endpoint`.
    pub endpoint: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--path-style`.
    pub path_style: bool,
    /// Keys from `--profile` (read by the caller).
    pub profile_keys: Option<(String, AwsKeys)>,
    /// `--anonymous`.
    pub anonymous: bool,
}

/// Resolves the target the way the generated Job would reach S3.
pub fn resolve(
    job: Option<&ResolvedJob>,
    flags: Flags,
    ambient: Ambient,
) -> Result<Target, CheckS3Error> {
    // The endpoint, TLS and addressing the job's facts hold (what the Job's S3A uses); the
    // region as written, to sign with even where the Hadoop line cannot be told it.
    let s3 = job.map(|j| &j.s3);
    let region = flags
        .region
        .or_else(|| job.and_then(|j| j.spec.s3.region.clone()))
        .or(ambient.region)
        .unwrap_or_else(|| "us-east-1".into());
    let endpoint_text = flags
        .endpoint
        .or_else(|| s3.and_then(|s| s.endpoint.clone()))
        .unwrap_or_else(|| {
            let scheme = if s3.is_some_and(|s| !s.tls) {
                "http"
            } else {
                "https"
            };
            format!("{scheme}://s3.{region}.amazonaws.com")
        });
    syntax::endpoint_url(&endpoint_text).map_err(|reason| CheckS3Error::BadEndpoint {
        endpoint: endpoint_text.clone(),
        reason,
    })?;
    let endpoint = Url::parse(&endpoint_text).map_err(|e| CheckS3Error::BadEndpoint {
        endpoint: endpoint_text.clone(),
        reason: e.to_string(),
    })?;
    let path_style = flags.path_style || s3.is_some_and(|s| s.path_style);

    let mut notes = Vec::new();
    let config_credentials = job.map(|j| &j.spec.s3.credentials);
    let (keys, source) = if flags.anonymous {
        (None, "none (--anonymous)".to_string())
    } else if let Some((source, keys)) = flags.profile_keys {
        (Some(keys), source)
    } else if matches!(config_credentials, Some(S3Credentials::Anonymous(_))) {
        (None, "none (the config's credentials are anonymous)".into())
    } else if let Some(keys) = ambient.env_keys {
        (
            Some(keys),
            "$AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY".into(),
        )
    } else if let Some((source, keys)) = ambient.profile_keys {
        (Some(keys), source)
    } else {
        return Err(CheckS3Error::NoCredentials {
            file: ambient.credentials_file,
        });
    };
    match config_credentials {
        Some(S3Credentials::WebIdentity(w)) if keys.is_some() => notes.push(format!(
            "the Job assumes {} by web identity; this check uses your keys instead, which may have other permissions",
            w.role_arn
        )),
        Some(S3Credentials::PodIdentity(_)) if keys.is_some() => notes.push(
            "the Job gets its role through EKS Pod Identity; this check uses your keys instead, which may have other permissions".into(),
        ),
        Some(S3Credentials::Secret(_)) if keys.is_some() => notes.push(format!(
            "the Job reads its keys from Secret {}; make sure it holds the keys checked here",
            job.and_then(|j| j.secret_name()).unwrap_or_default()
        )),
        _ => {}
    }
    Ok(Target {
        endpoint,
        region,
        path_style,
        keys,
        credentials_source: source,
        notes,
    })
}
