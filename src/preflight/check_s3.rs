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

/// How long a presigned request stays valid.
const SIGNATURE_LIFETIME: Duration = Duration::from_secs(300);
/// How many bytes of an object to fetch.
const READ_BYTES: u64 = 64 * 1024;
/// How many lines of an object to show.
const SHOW_LINES: usize = 3;
/// How many characters of a line to show.
const SHOW_CHARS: usize = 160;

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

impl CheckS3Error {
    /// How to fix it.
    pub fn help(&self) -> Option<String> {
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

/// Where keys come from when no flag names them: `$AWS_ACCESS_KEY_ID`/`$AWS_SECRET_ACCESS_KEY`
/// (the variables the Job's pods get from the Secret), then a profile (`$AWS_PROFILE` or
/// `default`) of the credentials file. The caller reads those, so this stays pure.
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

/// Resolves the target the way the generated Job would reach S3.
pub fn resolve(
    job: Option<&ResolvedJob>,
    flags: Flags,
    ambient: Ambient,
) -> Result<Target, CheckS3Error> {
    let s3 = job.map(|j| &j.spec.s3);
    let region = flags
        .region
        .or_else(|| s3.and_then(|s| s.region.clone()))
        .or(ambient.region)
        .unwrap_or_else(|| "us-east-1".into());
    let endpoint_text = flags
        .endpoint
        .or_else(|| s3.and_then(|s| s.endpoint.clone()))
        .unwrap_or_else(|| {
            let scheme = if s3.and_then(|s| s.tls) == Some(false) {
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
    let path_style = flags.path_style || s3.is_some_and(|s| s.path_style_access);

    let mut notes = Vec::new();
    let config_credentials = s3.map(|s| &s.credentials);
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

/// The words that name a failed check in its message ("access denied: ...").
fn label(code: Code) -> &'static str {
    match code {
        Code::S3CannotConnect => "cannot connect",
        Code::S3Tls => "TLS failed",
        Code::S3Timeout => "timed out",
        Code::S3WrongRegion => "wrong region",
        Code::S3BadCredentials => "bad credentials",
        Code::S3NoSuchBucket => "no such bucket",
        Code::S3NoSuchKey => "no such key",
        Code::S3AccessDenied => "access denied",
        _ => "failed",
    }
}

/// A failed check of rule `code`: what happened (S3's code and message, or the transport
/// error) and how to fix it. The URL and the step are added when the step is recorded.
fn failure(code: Code, detail: impl fmt::Display, fix: String) -> Diagnostic {
    Diagnostic::new(code, "", format!("{}: {detail}", label(code))).help(fix)
}

/// The result of one step (bucket, list, read) of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// `bucket`, `list` or `read`.
    pub name: &'static str,
    /// What was seen, or why it failed (the finding names the URL and the step).
    pub outcome: Result<String, Diagnostic>,
}

/// All steps of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlReport {
    /// The URL.
    pub url: String,
    /// Whether it was checked as an output (written), else as an input (read).
    pub output: bool,
    /// The steps run, in order.
    pub steps: Vec<Step>,
}

/// The answer to one request.
struct Answer {
    status: u16,
    bucket_region: Option<String>,
    /// The `ETag` header (an uploaded part's, for completing a multipart upload).
    etag: Option<String>,
    body: Vec<u8>,
}

/// One field of an S3 XML error body.
fn xml_field(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    Some(
        body[start..end]
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Classifies an S3 error answer to a request for `key` (empty for bucket-level requests).
fn classify(answer: &Answer, target: &Target, bucket: &str, key: &str) -> Diagnostic {
    let body = String::from_utf8_lossy(&answer.body);
    let code = xml_field(&body, "Code").unwrap_or_default();
    let message = xml_field(&body, "Message").unwrap_or_default();
    let region = answer
        .bucket_region
        .clone()
        .or_else(|| xml_field(&body, "Region"));
    let detail = if code.is_empty() {
        format!("HTTP {}", answer.status)
    } else if message.is_empty() {
        format!("{code} (HTTP {})", answer.status)
    } else {
        format!("{code}: {message} (HTTP {})", answer.status)
    };
    let wrong_region = matches!(
        code.as_str(),
        "PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException"
    ) || matches!(answer.status, 301 | 307)
        || region
            .as_deref()
            .is_some_and(|r| r != target.region && code != "AccessDenied");
    let (kind, fix) = if wrong_region {
        (
            Code::S3WrongRegion,
            match region {
                Some(r) => format!(
                    "the bucket is in {r}, not {}: set spec.s3.region: {r} (or --region {r}){}",
                    target.region,
                    if target
                        .endpoint
                        .host_str()
                        .is_some_and(|h| h.ends_with("amazonaws.com"))
                    {
                        format!(" and leave the endpoint unset or use https://s3.{r}.amazonaws.com")
                    } else {
                        String::new()
                    }
                ),
                None => "set spec.s3.region to the bucket's region (aws s3api get-bucket-location)"
                    .into(),
            },
        )
    } else {
        match code.as_str() {
            "SignatureDoesNotMatch" => (
                Code::S3BadCredentials,
                "the secret access key does not match the key id: check the Secret's or profile's aws_secret_access_key (no stray spaces or newlines)".into(),
            ),
            "InvalidAccessKeyId" => (
                Code::S3BadCredentials,
                "the access key id is unknown to this endpoint: check the key id, and that the endpoint is the store that issued it".into(),
            ),
            "ExpiredToken" | "InvalidToken" | "TokenRefreshRequired" => (
                Code::S3BadCredentials,
                "the session token is expired or invalid: get fresh temporary credentials".into(),
            ),
            "NoSuchBucket" => (
                Code::S3NoSuchBucket,
                format!("there is no bucket {bucket:?} at {}: check the name and the endpoint", target.endpoint),
            ),
            "NoSuchKey" => (
                Code::S3NoSuchKey,
                format!("there is no object {key:?} in {bucket}: check the path (keys are case-sensitive)"),
            ),
            "AccessDenied" | "AllAccessDisabled" | "AccountProblem" => (
                Code::S3AccessDenied,
                "the keys are valid but lack the permission: grant s3:ListBucket on the bucket and s3:GetObject on its keys".into(),
            ),
            _ => match answer.status {
                404 if key.is_empty() => (
                    Code::S3NoSuchBucket,
                    format!("there is no bucket {bucket:?}: check the name and the endpoint"),
                ),
                404 => (
                    Code::S3NoSuchKey,
                    format!("there is no object {key:?} in {bucket}: check the path"),
                ),
                403 => (
                    Code::S3AccessDenied,
                    "access denied: check the keys and the bucket policy".into(),
                ),
                400 if !target.path_style => (
                    Code::S3Failed,
                    "S3-compatible stores usually need path-style requests: set spec.s3.pathStyleAccess: true (or --path-style)".into(),
                ),
                _ => (
                    Code::S3Failed,
                    "see the store's documentation for this answer".into(),
                ),
            },
        }
    };
    failure(kind, detail, fix)
}

/// Classifies a transport error.
fn transport_failure(error: &ureq::Error, target: &Target) -> Diagnostic {
    let host = target.endpoint.host_str().unwrap_or_default();
    let virtual_hosted_custom = !target.path_style && !host.ends_with("amazonaws.com");
    match error {
        ureq::Error::HostNotFound => failure(Code::S3CannotConnect, "host name not found", if virtual_hosted_custom {
                "the bucket name was put in front of the endpoint's host (virtual-hosted style); S3-compatible stores need spec.s3.pathStyleAccess: true (or --path-style)".into()
            } else {
                "check the endpoint's host name and your DNS".into()
            }),
        ureq::Error::Timeout(_) => failure(Code::S3Timeout, error.to_string(), "the endpoint did not answer in time: check the host, port and any firewall or proxy".into()),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => failure(Code::S3Tls, error.to_string(), "if the store speaks plain HTTP, use an http:// endpoint (and tls: false); if it uses a private CA, its certificate is not trusted here".into()),
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData || e.to_string().contains("tls") || e.to_string().contains("certificate") => failure(Code::S3Tls, e.to_string(), "if the store speaks plain HTTP, use an http:// endpoint (and tls: false); if it uses a private CA, its certificate is not trusted here".into()),
        ureq::Error::Protocol(_) if target.endpoint.scheme() == "http" => failure(Code::S3Tls, error.to_string(), "the endpoint did not answer in HTTP: if it speaks HTTPS, use an https:// endpoint".into()),
        _ => failure(Code::S3CannotConnect, error.to_string(), format!(
                "nothing answers at {}: check the endpoint's host and port and that the store is running",
                target.endpoint
            )),
    }
}

/// Sends requests for one target.
struct Client<'a> {
    target: &'a Target,
    credentials: Option<Credentials>,
    agent: ureq::Agent,
}

impl<'a> Client<'a> {
    fn new(target: &'a Target) -> Self {
        let credentials = target.keys.as_ref().map(|k| match &k.session_token {
            Some(token) => Credentials::new_with_token(
                k.access_key_id.expose(),
                k.secret_access_key.expose(),
                token.expose(),
            ),
            None => Credentials::new(k.access_key_id.expose(), k.secret_access_key.expose()),
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("k8s-s3-spark/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            target,
            credentials,
            agent,
        }
    }

    fn bucket(&self, name: &str) -> Result<Bucket, Box<Diagnostic>> {
        let style = if self.target.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        Bucket::new(
            self.target.endpoint.clone(),
            style,
            name.to_string(),
            self.target.region.clone(),
        )
        .map_err(|e| Box::new(failure(Code::S3Failed, e.to_string(), "virtual-hosted style needs a DNS host name and a bucket name without dots: set spec.s3.pathStyleAccess: true (or --path-style)".into())))
    }

    fn send(&self, url: &Url, range: Option<u64>) -> Result<Answer, Box<Diagnostic>> {
        let mut request = self.agent.get(url.as_str());
        if let Some(last) = range {
            request = request.header("Range", format!("bytes=0-{last}"));
        }
        self.answer(request.call())
    }

    /// Signs and sends `action` with `body` (for PUT and POST).
    fn act<'b, A: S3Action<'b>>(&self, action: &A, body: &[u8]) -> Result<Answer, Box<Diagnostic>> {
        let url = action.sign(SIGNATURE_LIFETIME);
        let url = url.as_str();
        self.answer(match A::METHOD {
            Method::Put => self.agent.put(url).send(body),
            Method::Post => self.agent.post(url).send(body),
            Method::Delete => self.agent.delete(url).call(),
            Method::Head => self.agent.head(url).call(),
            Method::Get => self.agent.get(url).call(),
        })
    }

    fn answer(
        &self,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, Box<Diagnostic>> {
        let mut response = result.map_err(|e| Box::new(transport_failure(&e, self.target)))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let bucket_region = header("x-amz-bucket-region");
        let etag = header("etag");
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(READ_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(|e| Box::new(transport_failure(&ureq::Error::Io(e), self.target)))?;
        Ok(Answer {
            status,
            bucket_region,
            etag,
            body,
        })
    }
}

/// The bucket and the answer to listing at most `max_keys` keys under `prefix` in it; when no
/// answer comes, the failed `bucket` step.
fn list(
    client: &Client<'_>,
    bucket_name: &str,
    prefix: &str,
    max_keys: usize,
) -> Result<(Bucket, Answer), Box<Step>> {
    let listed = || -> Result<(Bucket, Answer), Box<Diagnostic>> {
        let bucket = client.bucket(bucket_name)?;
        let mut list = ListObjectsV2::new(&bucket, client.credentials.as_ref());
        if !prefix.is_empty() {
            list.with_prefix(prefix);
        }
        list.with_max_keys(max_keys);
        let answer = client.send(&list.sign(SIGNATURE_LIFETIME), None)?;
        Ok((bucket, answer))
    };
    listed().map_err(|f| {
        Box::new(Step {
            name: "bucket",
            outcome: Err(*f),
        })
    })
}

/// The step of a bucket that answered a listing.
fn answers(bucket_name: &str) -> Step {
    Step {
        name: "bucket",
        outcome: Ok(format!("{bucket_name} answers")),
    }
}

/// Checks one `s3a://` URL, already split into bucket and key: bucket, list, read.
fn check_url(client: &Client<'_>, url: &str, bucket_name: &str, key: &str) -> UrlReport {
    let mut steps = Vec::new();
    let report = |steps: Vec<Step>| name_steps(url, false, steps);
    let (bucket, listing) = match list(client, bucket_name, key, 5) {
        Ok(both) => both,
        Err(step) => return report(vec![*step]),
    };
    let listed = match listing {
        answer if answer.status == 200 => {
            steps.push(answers(bucket_name));
            let text = String::from_utf8_lossy(&answer.body);
            match ListObjectsV2::parse_response(&text) {
                Ok(listing) => Some(listing.contents),
                Err(e) => {
                    steps.push(Step {
                        name: "list",
                        outcome: Err(failure(Code::S3Failed, format!("unreadable listing: {e}"), "the endpoint does not answer like S3: check that it is the S3 API port".into())),
                    });
                    return report(steps);
                }
            }
        }
        answer => {
            let failure = classify(&answer, client.target, bucket_name, "");
            if failure.code == Code::S3AccessDenied {
                steps.push(Step {
                    name: "bucket",
                    outcome: Ok(format!("{bucket_name} exists")),
                });
                steps.push(Step {
                    name: "list",
                    outcome: Err(failure.help("grant s3:ListBucket on the bucket: Spark lists prefixes and checks that paths exist before it reads")),
                });
                None
            } else {
                steps.push(Step {
                    name: "bucket",
                    outcome: Err(failure),
                });
                return report(steps);
            }
        }
    };

    // Which object to read: the key itself, else the first object under it as a prefix.
    let object = match &listed {
        Some(contents) => {
            if contents.is_empty() {
                steps.push(Step {
                    name: "list",
                    outcome: Err(failure(Code::S3NoSuchKey, format!("no objects under {key:?}"), if key.is_empty() {
                            "the bucket is empty: upload the data first".into()
                        } else {
                            format!("nothing in {bucket_name} starts with {key:?}: check the path (keys are case-sensitive)")
                        })),
                });
                return report(steps);
            }
            let exact = contents.iter().find(|c| c.key == key);
            let first = exact.unwrap_or(&contents[0]);
            steps.push(Step {
                name: "list",
                outcome: Ok(if exact.is_some() {
                    format!("{} ({} bytes)", first.key, first.size.unwrap_or(0))
                } else {
                    format!(
                        "{}{} under {key:?}, first {} ({} bytes)",
                        plural(contents.len(), "object"),
                        if contents.len() == 5 { " or more" } else { "" },
                        first.key,
                        first.size.unwrap_or(0)
                    )
                }),
            });
            first.key.clone()
        }
        None if key.is_empty() || key.ends_with('/') => return report(steps),
        None => key.to_string(),
    };

    let get = GetObject::new(&bucket, client.credentials.as_ref(), &object);
    let outcome = match client.send(&get.sign(SIGNATURE_LIFETIME), Some(READ_BYTES - 1)) {
        Err(f) => Err(*f),
        Ok(answer) if matches!(answer.status, 200 | 206) => Ok(preview(&object, &answer.body)),
        Ok(answer) => {
            let failure = classify(&answer, client.target, bucket_name, &object);
            Err(if failure.code != Code::S3AccessDenied {
                failure
            } else if listed.is_none() {
                failure.help("grant s3:GetObject on the keys; without s3:ListBucket S3 also answers AccessDenied for keys that do not exist")
            } else {
                failure.help("grant s3:GetObject on the bucket's keys (arn:aws:s3:::BUCKET/*)")
            })
        }
    };
    steps.push(Step {
        name: "read",
        outcome,
    });
    report(steps)
}

/// The name of an output check's probe objects: a leading `_`, so that Spark's readers skip one
/// left behind.
const PROBE: &str = "_k8s-s3-spark-check";
/// What a probe object holds.
const PROBE_BODY: &[u8] = b"k8s-s3-spark check-s3 probe: safe to delete\n";

/// Checks one output location (`s3.outputs`) the way the S3A committers use it: list the
/// prefix, put an object, read it back, complete one multipart upload and abort another (the
/// committers upload that way, and abort a failed task's uploads), then delete what it made.
/// Each refusal names the permission missing.
///
/// An event log folder must also exist already: Spark refuses to start without it, and on S3 a
/// folder exists once something is under it.
fn check_output(
    client: &Client<'_>,
    url: &str,
    bucket_name: &str,
    prefix: &str,
    event_log: bool,
) -> UrlReport {
    let mut steps = Vec::new();
    let done = |steps: Vec<Step>| name_steps(url, true, steps);
    let folder = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    let (bucket, listing) = match list(client, bucket_name, &folder, 1) {
        Ok(both) => both,
        Err(step) => return done(vec![*step]),
    };
    match listing {
        answer if answer.status == 200 => {
            steps.push(answers(bucket_name));
            let empty = ListObjectsV2::parse_response(&String::from_utf8_lossy(&answer.body))
                .is_ok_and(|listing| listing.contents.is_empty());
            if event_log && empty && !folder.is_empty() {
                steps.push(Step {
                    name: "folder",
                    outcome: Err(failure(
                        Code::S3NoSuchKey,
                        format!("nothing under {folder:?}: Spark refuses to start when its event log folder does not exist (\"No such file or directory\")"),
                        format!("create the folder as S3A does, with an empty object named {folder:?} (aws s3api put-object --bucket {bucket_name} --key {folder})"),
                    )),
                });
            }
        }
        answer => {
            let failure = classify(&answer, client.target, bucket_name, "");
            if failure.code != Code::S3AccessDenied {
                steps.push(Step {
                    name: "bucket",
                    outcome: Err(failure),
                });
                return done(steps);
            }
            steps.push(Step {
                name: "list",
                outcome: Err(failure.help(format!("grant s3:ListBucket on arn:aws:s3:::{bucket_name}: the committers list the output folder and what they left in it"))),
            });
        }
    }

    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let key = format!("{folder}{PROBE}-{stamp:x}-{}", std::process::id());
    let resource = format!("arn:aws:s3:::{bucket_name}/{folder}*");
    let refused = |answer: &Answer, key: &str, permission: &str, why: &str| {
        let failure = classify(answer, client.target, bucket_name, key);
        if failure.code == Code::S3AccessDenied {
            failure.help(format!("grant {permission} on {resource}: {why}"))
        } else {
            failure
        }
    };

    let put = PutObject::new(&bucket, client.credentials.as_ref(), &key);
    match client.act(&put, PROBE_BODY) {
        Err(f) => {
            steps.push(Step {
                name: "write",
                outcome: Err(*f),
            });
            return done(steps);
        }
        Ok(answer) if answer.status == 200 => steps.push(Step {
            name: "write",
            outcome: Ok(format!("put a {}-byte probe object", PROBE_BODY.len())),
        }),
        Ok(answer) => {
            steps.push(Step {
                name: "write",
                outcome: Err(refused(
                    &answer,
                    &key,
                    "s3:PutObject",
                    "the committers upload the output there",
                )),
            });
            return done(steps);
        }
    }
    let get = GetObject::new(&bucket, client.credentials.as_ref(), &key);
    steps.push(Step {
        name: "read",
        outcome: match client.send(&get.sign(SIGNATURE_LIFETIME), None) {
            Err(f) => Err(*f),
            Ok(answer) if answer.status == 200 && answer.body == PROBE_BODY => {
                Ok("read it back unchanged".into())
            }
            Ok(answer) if answer.status == 200 => Err(failure(
                Code::S3Failed,
                format!("read back {} bytes that differ from the {} written", answer.body.len(), PROBE_BODY.len()),
                "the store does not return what was written: check for a proxy or a transforming gateway".into(),
            )),
            Ok(answer) => Err(refused(&answer, &key, "s3:GetObject", "the job commit reads back what the tasks wrote (the magic committer's .pending files)")),
        },
    });
    let multipart_key = format!("{key}-multipart");
    steps.push(Step {
        name: "upload",
        outcome: multipart(client, &bucket, &multipart_key, &refused).map_err(|f| *f),
    });
    // Delete what was made, even after a failed step; a leftover is named so it can be removed.
    let mut leftovers = Vec::new();
    let mut delete_failure = None;
    for object in [&key, &multipart_key] {
        let delete = DeleteObject::new(&bucket, client.credentials.as_ref(), object);
        match client.act(&delete, &[]) {
            Ok(answer) if matches!(answer.status, 200 | 204) => {}
            Ok(answer) => {
                leftovers.push(object.clone());
                delete_failure.get_or_insert_with(|| refused(&answer, object, "s3:DeleteObject", "the committers delete their temporary files, and overwrite mode deletes the old output"));
            }
            Err(f) => {
                leftovers.push(object.clone());
                delete_failure.get_or_insert(*f);
            }
        }
    }
    steps.push(Step {
        name: "delete",
        outcome: match delete_failure {
            None => Ok("deleted the probe objects".into()),
            Some(f) => {
                let help = f.help.clone().unwrap_or_default();
                Err(f.help(format!(
                    "{help}; then remove {} by hand",
                    leftovers.join(" and ")
                )))
            }
        },
    });
    done(steps)
}

/// One multipart upload completed and one aborted, as the committers do.
fn multipart(
    client: &Client<'_>,
    bucket: &Bucket,
    key: &str,
    refused: &dyn Fn(&Answer, &str, &str, &str) -> Diagnostic,
) -> Result<String, Box<Diagnostic>> {
    const UPLOADS: &str = "the committers write every file as a multipart upload";
    let credentials = client.credentials.as_ref();
    let start = || -> Result<String, Box<Diagnostic>> {
        let create = CreateMultipartUpload::new(bucket, credentials, key);
        let answer = client.act(&create, &[])?;
        if answer.status != 200 {
            return Err(Box::new(refused(&answer, key, "s3:PutObject", UPLOADS)));
        }
        CreateMultipartUpload::parse_response(&String::from_utf8_lossy(&answer.body))
            .map(|r| r.upload_id().to_string())
            .map_err(|e| {
                Box::new(failure(
                    Code::S3Failed,
                    format!("unreadable answer to CreateMultipartUpload: {e}"),
                    "the endpoint does not answer like S3: check that it is the S3 API port".into(),
                ))
            })
    };
    let completed = start()?;
    let finish = || -> Result<(), Box<Diagnostic>> {
        let part = UploadPart::new(bucket, credentials, key, 1, &completed);
        let answer = client.act(&part, PROBE_BODY)?;
        let Some(etag) = answer.etag.clone().filter(|_| answer.status == 200) else {
            return Err(Box::new(refused(&answer, key, "s3:PutObject", UPLOADS)));
        };
        let complete = |etag| {
            CompleteMultipartUpload::new(
                bucket,
                credentials,
                key,
                &completed,
                std::iter::once(etag),
            )
        };
        let body = complete(etag.as_str()).body();
        let answer = client.act(&complete(etag.as_str()), body.as_bytes())?;
        // S3 may answer 200 with an error in the body when completing.
        if answer.status != 200 || String::from_utf8_lossy(&answer.body).contains("<Error>") {
            return Err(Box::new(refused(
                &answer,
                key,
                "s3:PutObject",
                "the job commit completes the tasks' multipart uploads",
            )));
        }
        Ok(())
    };
    if let Err(failure) = finish() {
        // Leave no pending upload behind (they are billed until aborted): abort it, if allowed.
        let abort = AbortMultipartUpload::new(bucket, credentials, key, &completed);
        let _ = client.act(&abort, &[]);
        return Err(failure);
    }
    let aborted = start()?;
    let abort = AbortMultipartUpload::new(bucket, credentials, key, &aborted);
    let answer = client.act(&abort, &[])?;
    if !matches!(answer.status, 200 | 204) {
        return Err(Box::new(refused(
            &answer,
            key,
            "s3:AbortMultipartUpload",
            "the committers abort the uploads of failed tasks and jobs, and unfinished uploads are billed until aborted",
        )));
    }
    Ok("completed one multipart upload and aborted another".into())
}

/// The steps of one URL, each failure naming the URL and its step, so it stands on its own
/// (JSON, CI logs).
fn name_steps(url: &str, output: bool, steps: Vec<Step>) -> UrlReport {
    UrlReport {
        url: url.to_string(),
        output,
        steps: steps
            .into_iter()
            .map(|step| Step {
                outcome: step.outcome.map_err(|d| Diagnostic {
                    field: step.name.into(),
                    ..d.in_file(url)
                }),
                ..step
            })
            .collect(),
    }
}

/// The first lines of what was read, decompressed for `.gz`.
fn preview(key: &str, bytes: &[u8]) -> String {
    let (data, what) = if key.ends_with(".gz") || bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let mut decoder = flate2::read::MultiGzDecoder::new(bytes);
        // A partial stream ends in an error after the bytes that did decode; keep those.
        let mut buffer = [0u8; 8192];
        while let Ok(n) = decoder.read(&mut buffer) {
            if n == 0 || out.len() > 4 * READ_BYTES as usize {
                break;
            }
            out.extend_from_slice(&buffer[..n]);
        }
        (out, "gzip, decompressed")
    } else {
        (bytes.to_vec(), "")
    };
    if data.starts_with(b"PAR1") {
        return format!("read {} bytes: a Parquet file", bytes.len());
    }
    let text = String::from_utf8_lossy(&data);
    let printable = text
        .chars()
        .take(512)
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count()
        == 0;
    let mut s = format!(
        "read {} bytes{}",
        bytes.len(),
        if what.is_empty() {
            String::new()
        } else {
            format!(" ({what})")
        }
    );
    if !printable {
        s.push_str(": binary data");
        return s;
    }
    s.push_str(", first lines:");
    for line in text.lines().take(SHOW_LINES) {
        let shown: String = line
            .chars()
            .take(SHOW_CHARS)
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let _ = write!(
            s,
            "\n| {shown}{}",
            if line.chars().count() > SHOW_CHARS {
                "..."
            } else {
                ""
            }
        );
    }
    s
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

/// The report for people, scrubbed of key values.
pub fn text(target: &Target, reports: &[UrlReport]) -> String {
    let mut s = format!(
        "endpoint {} ({}), region {}, credentials: {}\n",
        target.endpoint.as_str().trim_end_matches('/'),
        if target.path_style {
            "path style"
        } else {
            "virtual-hosted style"
        },
        target.region,
        target.credentials_source
    );
    for note in &target.notes {
        let _ = writeln!(s, "note: {note}");
    }
    let mut failed = 0;
    for r in reports {
        let _ = writeln!(s, "{}{}", r.url, if r.output { " (output)" } else { "" });
        for step in &r.steps {
            match &step.outcome {
                Ok(seen) => {
                    let seen = seen.replace('\n', "\n             ");
                    let _ = writeln!(s, "  ok      {:<6} {seen}", step.name);
                }
                Err(finding) => {
                    let _ = writeln!(s, "{finding}");
                }
            }
        }
        if r.steps.iter().any(|st| st.outcome.is_err()) {
            failed += 1;
        }
    }
    let _ = writeln!(
        s,
        "{}",
        if failed == 0 {
            let outputs = reports.iter().filter(|r| r.output).count();
            match (reports.len() - outputs, outputs) {
                (_, 0) => format!("all {} readable", plural(reports.len(), "URL")),
                (0, w) => format!("all {} writable", plural(w, "URL")),
                (r, w) => format!(
                    "all {} readable, {} writable",
                    plural(r, "URL"),
                    plural(w, "URL")
                ),
            }
        } else {
            format!("{failed} of {} failed", plural(reports.len(), "URL"))
        }
    );
    scrub(&s, target.keys.as_ref())
}

/// The report for scripts and CI (`--format json`), scrubbed of key values like the text: the
/// target, and per URL each step with what was seen or the finding.
pub fn json(target: &Target, reports: &[UrlReport]) -> String {
    let urls: Vec<serde_json::Value> = reports
        .iter()
        .map(|r| {
            let steps: Vec<serde_json::Value> = r
                .steps
                .iter()
                .map(|st| match &st.outcome {
                    Ok(seen) => serde_json::json!({"name": st.name, "ok": true, "seen": seen}),
                    Err(finding) => {
                        serde_json::json!({"name": st.name, "ok": false, "finding": finding})
                    }
                })
                .collect();
            serde_json::json!({
                "url": r.url,
                "output": r.output,
                "ok": r.steps.iter().all(|st| st.outcome.is_ok()),
                "steps": steps,
            })
        })
        .collect();
    let value = serde_json::json!({
        "endpoint": target.endpoint.as_str().trim_end_matches('/'),
        "pathStyle": target.path_style,
        "region": target.region,
        "credentials": target.credentials_source,
        "notes": target.notes,
        "ok": all_ok(reports),
        "urls": urls,
    });
    let text = serde_json::to_string_pretty(&value).unwrap_or_default();
    scrub(&format!("{text}\n"), target.keys.as_ref())
}

/// Removes key values from text, in case a store echoes them in a message.
fn scrub(text: &str, keys: Option<&AwsKeys>) -> String {
    let Some(k) = keys else {
        return text.to_string();
    };
    let mut out = text.to_string();
    let values: [Option<&SecretValue>; 3] = [
        Some(&k.secret_access_key),
        k.session_token.as_ref(),
        Some(&k.access_key_id),
    ];
    for v in values.into_iter().flatten() {
        if v.expose().len() >= 4 {
            for form in encoded_forms(v.expose()) {
                out = out.replace(&form, "<redacted>");
            }
        }
    }
    out
}

/// A value as a server may echo it back: as it is, percent-encoded (upper- and lower-case hex,
/// as in a presigned URL's `X-Amz-Security-Token=`), and XML-escaped.
fn encoded_forms(value: &str) -> Vec<String> {
    let percent = |upper: bool| -> String {
        value
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                    char::from(b).to_string()
                } else if upper {
                    format!("%{b:02X}")
                } else {
                    format!("%{b:02x}")
                }
            })
            .collect()
    };
    let xml = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;");
    let mut forms = vec![value.to_owned(), percent(true), percent(false), xml];
    forms.sort();
    forms.dedup();
    // Longest first, so no form is cut by a shorter one it contains.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms
}

/// Whether every check of every URL passed.
pub fn all_ok(reports: &[UrlReport]) -> bool {
    reports
        .iter()
        .all(|r| r.steps.iter().all(|s| s.outcome.is_ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path_style: bool) -> Target {
        resolve(
            None,
            Flags {
                endpoint: Some("http://127.0.0.1:9".into()),
                region: Some("us-east-1".into()),
                path_style,
                anonymous: true,
                ..Flags::default()
            },
            Ambient::default(),
        )
        .unwrap()
    }

    fn answer(status: u16, body: &str, region: Option<&str>) -> Answer {
        Answer {
            status,
            bucket_region: region.map(str::to_string),
            etag: None,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn classifies_s3_error_answers() {
        let t = target(true);
        let kind = |a: Answer, key: &str| classify(&a, &t, "b", key).code;
        let xml = |code: &str| {
            format!(
                "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>m &amp; n</Message><AWSAccessKeyId>AKIASECRET</AWSAccessKeyId></Error>"
            )
        };
        assert_eq!(
            kind(answer(403, &xml("SignatureDoesNotMatch"), None), ""),
            Code::S3BadCredentials
        );
        assert_eq!(
            kind(answer(403, &xml("InvalidAccessKeyId"), None), ""),
            Code::S3BadCredentials
        );
        assert_eq!(
            kind(answer(404, &xml("NoSuchBucket"), None), ""),
            Code::S3NoSuchBucket
        );
        assert_eq!(
            kind(answer(404, &xml("NoSuchKey"), None), "k"),
            Code::S3NoSuchKey
        );
        assert_eq!(
            kind(answer(403, &xml("AccessDenied"), None), "k"),
            Code::S3AccessDenied
        );
        assert_eq!(
            kind(
                answer(301, &xml("PermanentRedirect"), Some("eu-west-1")),
                ""
            ),
            Code::S3WrongRegion
        );
        let f = classify(
            &answer(
                400,
                "<Error><Code>AuthorizationHeaderMalformed</Code><Region>eu-west-1</Region></Error>",
                None,
            ),
            &t,
            "b",
            "",
        );
        assert_eq!(f.code, Code::S3WrongRegion);
        let help = f.help.unwrap_or_default();
        assert!(help.contains("eu-west-1"), "{help}");
        let message = classify(
            &answer(403, &xml("SignatureDoesNotMatch"), None),
            &t,
            "b",
            "",
        )
        .message;
        assert_eq!(
            message,
            "bad credentials: SignatureDoesNotMatch: m & n (HTTP 403)"
        );
    }

    #[test]
    fn previews_text_and_partial_gzip() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..5000 {
            writeln!(gz, "row\t{i}").unwrap();
        }
        let bytes = gz.finish().unwrap();
        let partial = &bytes[..bytes.len() / 2];
        let p = preview("data.tsv.gz", partial);
        assert!(p.contains("gzip, decompressed"), "{p}");
        assert!(p.contains("| row 0\n| row 1\n| row 2"), "{p}");
        assert!(preview("x.parquet", b"PAR1\x15\x04").contains("Parquet"));
        assert!(preview("x.bin", b"\x00\x01\x02").contains("binary"));
    }

    #[test]
    fn scrubs_key_values() {
        let keys = AwsKeys {
            access_key_id: SecretValue::new("AKIAEXAMPLE"),
            secret_access_key: SecretValue::new("s3cr3t/value"),
            session_token: None,
        };
        assert_eq!(
            scrub("id AKIAEXAMPLE key s3cr3t/value", Some(&keys)),
            "id <redacted> key <redacted>"
        );
        // As a server echoes them: in a URL's query, and in an XML error body.
        let keys = AwsKeys {
            session_token: Some(SecretValue::new("tok/en+va=lue&x")),
            ..keys
        };
        assert_eq!(
            scrub(
                "X-Amz-Security-Token=tok%2Fen%2Bva%3Dlue%26x <T>tok/en+va=lue&amp;x</T> tok%2fen%2bva%3dlue%26x",
                Some(&keys)
            ),
            "X-Amz-Security-Token=<redacted> <T><redacted></T> <redacted>"
        );
    }
}
