//! What a failed answer means (pure): S3's status and error code, or the transport's failure,
//! turned into a finding with a fix that names the permission or setting missing.

use super::*;

/// The words that name a failed check in its message ("access denied: ...").
pub(super) fn label(code: Code) -> &'static str {
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
pub(super) fn failure(code: Code, detail: impl fmt::Display, fix: String) -> Diagnostic {
    Diagnostic::new(code, "", format!("{}: {detail}", label(code))).help(fix)
}

/// One field of an S3 XML error body.
pub(super) fn xml_field(body: &str, name: &str) -> Option<String> {
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
pub(super) fn classify(answer: &Answer, target: &Target, bucket: &str, key: &str) -> Diagnostic {
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
pub(super) fn transport_failure(error: &ureq::Error, target: &Target) -> Diagnostic {
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
}
