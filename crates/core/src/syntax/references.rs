//! References to things outside the config: image references, S3 endpoints and `s3a://` URLs,
//! IAM role ARNs.

/// An image tag as [`image_ref`] reads it, for schemas (the chart's `values.schema.json`): up to
/// 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (a test keeps them agreeing).
pub const IMAGE_TAG_PATTERN: &str = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

/// An image digest as [`image_ref`] reads it (`sha256:` and at least 32 hex digits), for schemas.
pub const IMAGE_DIGEST_PATTERN: &str = "^[a-z0-9]+:[0-9a-fA-F]{32,}$";

/// The tag that names whatever was pushed last: refused without a digest, since every pull may
/// get a different image.
pub const MOVING_TAG: &str = "latest";

/// The parts of a container image reference: `[registry/]repository[:tag][@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and repository, e.g. `ghcr.io/acme/spark`.
    pub repository: &'a str,
    /// Tag, when given.
    pub tag: Option<&'a str>,
    /// Digest, when given (`sha256:...`).
    pub digest: Option<&'a str>,
}

/// Parses an image reference and checks its syntax (a subset of the distribution reference grammar:
/// lowercase path components, an optional registry host with port, tag, and digest).
pub fn image_ref(s: &str) -> Result<ImageRef<'_>, String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > 512 {
        return Err("is longer than 512 characters".into());
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let ok = d.split_once(':').is_some_and(|(alg, hex)| {
            !alg.is_empty()
                && alg
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                && hex.len() >= 32
                && hex.bytes().all(|b| b.is_ascii_hexdigit())
        });
        if !ok {
            return Err(format!(
                "has a malformed digest {d:?}; expected sha256:<64 hex digits>"
            ));
        }
    }
    // A tag follows the last ':' after the last '/', so a registry port is not taken for a tag.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
            && !t.starts_with(['.', '-']);
        if !ok {
            return Err(format!(
                "has an invalid tag {t:?}; tags are up to 128 letters, digits, '_', '.' or '-'"
            ));
        }
    }
    let mut components = repository.split('/').peekable();
    let mut first = true;
    while let Some(c) = components.next() {
        let is_registry = first
            && components.peek().is_some()
            && (c.contains('.') || c.contains(':') || c == "localhost");
        first = false;
        let ok = if is_registry {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
        } else {
            !c.is_empty()
                && c.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
                })
                && c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit())
        };
        if !ok {
            return Err(format!(
                "has an invalid path component {c:?}; use lowercase letters, digits, '.', '_' or '-'"
            ));
        }
    }
    Ok(ImageRef {
        repository,
        tag,
        digest,
    })
}

/// An `http://` or `https://` URL with a host, an optional port, and nothing after the authority
/// but an optional `/`. Returns whether it uses TLS.
pub fn endpoint_url(s: &str) -> Result<bool, String> {
    let (tls, rest) = if let Some(r) = s.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = s.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("must start with http:// or https://".into());
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#', '@']) {
        return Err("must be scheme://host[:port] with no path, query or credentials".into());
    }
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        match bracketed.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err("has an unterminated IPv6 address".into()),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
    {
        return Err("has an invalid host".into());
    }
    if let Some(p) = port {
        match p.parse::<u16>() {
            Ok(n) if n > 0 => {}
            _ => return Err(format!("has an invalid port {p:?}")),
        }
    }
    Ok(tls)
}

/// An IAM role ARN: `arn:<partition>:iam::<12-digit account>:role/<path/name>`.
pub fn iam_role_arn(s: &str) -> Result<(), String> {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| {
            !name.is_empty()
                && name.len() <= 512
                && name.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-' | b'/')
                })
        });
    if ok {
        Ok(())
    } else {
        Err("must be an IAM role ARN such as arn:aws:iam::123456789012:role/spark-reader".into())
    }
}

/// An `s3a://bucket[/key]` URL. Returns the bucket and key (possibly empty).
pub fn s3a_url(s: &str) -> Result<(&str, &str), String> {
    let Some(rest) = s.strip_prefix("s3a://") else {
        return Err("must start with s3a:// (Hadoop's S3A connector)".into());
    };
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if key.chars().any(char::is_control) {
        return Err(
            "has a line break or control character in its key, which S3A and Spark read as the end of the path"
                .into(),
        );
    }
    let ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-'))
        && !bucket.starts_with(['.', '-'])
        && !bucket.ends_with(['.', '-']);
    if ok {
        Ok((bucket, key))
    } else {
        Err(format!(
            "has an invalid bucket name {bucket:?}; buckets are 3-63 lowercase letters, digits, '.' or '-'"
        ))
    }
}
