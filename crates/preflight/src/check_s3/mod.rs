//! `check-s3`: the seed's `test_access.py` without Spark. For each `s3a://bucket/key` it checks
//! the bucket, lists the key as a prefix and reads the first bytes (the first lines of a `.gz`),
//! with the endpoint, region, addressing style and credentials the generated Job would use. For
//! each output location it writes as the S3A committers do (put, read back, multipart uploads
//! completed and aborted) and deletes what it wrote. Every failure is classified with a fix that
//! names the permission missing.
//!
//! Requests are signed with `rusty-s3` (presigned SigV4 URLs, no SDK runtime) and sent with
//! `ureq`, so status codes, headers and S3 error codes reach the classifier untouched. Key
//! values are never printed: errors keep only S3's `Code`, `Message` and `Region`, and every
//! line of the report is scrubbed of the key id, secret and token before it is returned.

use std::fmt::{self, Write as _};
use std::io::Read as _;
use std::time::Duration;

use rusty_s3::actions::{
    AbortMultipartUpload, CompleteMultipartUpload, CreateMultipartUpload, DeleteObject, GetObject,
    ListObjectsV2, PutObject, UploadPart,
};
use rusty_s3::{Bucket, Credentials, Method, S3Action, UrlStyle};
use url::Url;

use crate::config::ResolvedJob;
use crate::config::model::S3Credentials;
use crate::credentials::{AwsKeys, SecretValue};
use crate::diagnostics::{Code, Diagnostic};
use crate::progress::Progress;
use crate::report::plural;
use crate::syntax;

mod classify;
mod client;
mod probe;
mod report;
mod target;

use classify::*;
use client::*;
use probe::*;

pub use crate::credentials::Ambient;
pub use report::{Step, UrlReport, all_ok, json, text};
pub use target::{Flags, Target, resolve};

/// Why `check-s3` could not start (bad input: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckS3Error {
    /// A URL is not `s3a://bucket[/key]`.
    #[error("{url}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The endpoint is not an `http(s)://host[:port]` URL.
    #[error("endpoint {endpoint:?} {reason}")]
    BadEndpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong.
        reason: String,
    },
    /// Neither URLs nor a config with `spec.s3.paths`.
    #[error("nothing to check")]
    NoUrls,
    /// No keys anywhere and the bucket is not declared public.
    #[error(
        "no AWS credentials: not --profile, not $AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY, not $AWS_PROFILE, and no [default] profile in {file}"
    )]
    NoCredentials {
        /// The credentials file looked at.
        file: String,
    },
}

/// `check-s3` could not start with what it was given.
impl crate::diagnostics::Failure for CheckS3Error {
    fn is_users_fault(&self) -> bool {
        true
    }

    fn help(&self) -> Option<String> {
        Some(match self {
            Self::BadUrl { .. } => "pass URLs like s3a://my-bucket/path/to/data.csv",
            Self::BadEndpoint { .. } => {
                "pass --endpoint http(s)://host[:port], e.g. http://127.0.0.1:8333"
            }
            Self::NoUrls => "pass s3a:// URLs (--write URL for outputs), or --config with spec.s3.paths or spec.s3.outputs",
            Self::NoCredentials { .. } => {
                "pass --profile NAME, export the two variables, or --anonymous for a public bucket"
            }
        }
        .into())
    }
}

/// What to check at one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Read (an input).
    Read,
    /// Written through the S3A committers (an output).
    Write,
    /// Spark's event log folder: written, and it must exist already.
    EventLog,
}

/// Checks every URL, in order. URLs are checked for syntax first, so bad input sends nothing.
/// Checks each URL in order; `progress` hears of each one as it starts.
pub fn check(
    target: &Target,
    urls: &[(String, Use)],
    progress: &Progress,
) -> Result<Vec<UrlReport>, CheckS3Error> {
    if urls.is_empty() {
        return Err(CheckS3Error::NoUrls);
    }
    let parsed = urls
        .iter()
        .map(|(url, use_)| {
            syntax::s3a_url(url)
                .map(|(bucket, key)| (url, *use_, bucket, key))
                .map_err(|reason| CheckS3Error::BadUrl {
                    url: url.clone(),
                    reason,
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client = Client::new(target);
    let total = parsed.len();
    Ok(parsed
        .into_iter()
        .enumerate()
        .map(|(i, (url, use_, bucket, key))| {
            progress.step("checking", i + 1, total, url);
            match use_ {
                Use::Read => check_url(&client, url, bucket, key),
                Use::Write => check_output(&client, url, bucket, key, false),
                Use::EventLog => check_output(&client, url, bucket, key, true),
            }
        })
        .collect())
}
