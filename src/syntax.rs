//! Syntax rules for the strings people get wrong: Kubernetes names, Spark memory sizes,
//! environment variable names, image references, URLs and ARNs.
//!
//! Each rule returns `Err(reason)` with a short, user-facing reason; callers add the field and
//! the fix. Pure functions with no allocation on success, shared by the config validator and the
//! checks on generated objects.

/// The prefix of Kubernetes' recommended labels (`app.kubernetes.io/name`, ...), which the tool
/// sets itself.
pub const RECOMMENDED_LABEL_PREFIX: &str = "app.kubernetes.io/";

/// A Go duration as `time.ParseDuration` reads it (External Secrets' `refreshInterval`): numbers,
/// each with a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), such as `1h30m` or `.5h`, or `0`;
/// at most an int64 of nanoseconds (about 292 years). A negative one is refused: no setting the
/// tool writes takes one.
pub fn go_duration(s: &str) -> Result<(), String> {
    let mut rest = s;
    if rest.is_empty() {
        return Err("is empty".into());
    }
    if rest == "0" {
        return Ok(());
    }
    let too_long = || "is longer than a Go duration can be (about 292 years)".to_string();
    // Nanoseconds summed in integers, each part checked, as Go does.
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        // Go wants digits before or after the point (`1.h` and `.5h` are durations).
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return Err("is not a duration such as 1h or 30m".into());
        }
        rest = &rest[digits..];
        let (unit, nanos) = [
            ("ns", 1u64),
            ("us", 1_000),
            ("\u{b5}s", 1_000),
            ("\u{3bc}s", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
            ("m", 60_000_000_000),
            ("h", 3_600_000_000_000),
        ]
        .into_iter()
        .find(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms")))
        .ok_or_else(|| "needs a unit after each number: ns, us, ms, s, m or h".to_string())?;
        rest = &rest[unit.len()..];
        // Go reads the whole part as a uint64 and refuses more.
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| too_long())?
        };
        // The fraction as Go adds it: scaled in floating point, then truncated.
        let fraction = format!("0.{fraction}0").parse::<f64>().unwrap_or(0.0) * nanos as f64;
        total += u128::from(whole) * u128::from(nanos) + fraction as u128;
        if total > i64::MAX as u128 {
            return Err(too_long());
        }
    }
    Ok(())
}

/// A Spark duration (`spark.network.timeout`-style): a whole number and a unit, `us`, `ms`, `s`,
/// `m` or `min`, `h` or `d` (e.g. `60s`, `5min`, `2h`). Spark reads a number without a unit in
/// the setting's own unit, which differs per setting, so the unit is required here.
pub fn spark_duration(s: &str) -> Result<(), String> {
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if digits == 0 {
        return Err("is not a duration such as 60s or 5min".into());
    }
    const UNITS: [&str; 7] = ["us", "ms", "s", "m", "min", "h", "d"];
    if !UNITS.contains(&&s[digits..]) {
        return Err("needs a unit after the number: us, ms, s, m (or min), h or d".into());
    }
    // Spark reads the number as a Java long (`JavaUtils.timeStringAs`), then converts it to the
    // setting's unit, saturating rather than failing.
    s[..digits]
        .parse::<i64>()
        .map(|_| ())
        .map_err(|_| "is too long for Spark, which reads the number as a 64-bit integer".into())
}

/// A DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric.
/// Namespaces, Job names and Spark application names use it.
pub fn dns1123_label(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > 63 {
        return Err(format!(
            "is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    dns_chars(s)
}

/// A DNS-1123 subdomain: at most 253 characters of dot-separated DNS-1123 labels (ServiceAccount,
/// Secret, ConfigMap, Role names).
pub fn dns1123_subdomain(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".into());
    }
    if s.len() > 253 {
        return Err(format!(
            "is {} characters long; at most 253 are allowed",
            s.len()
        ));
    }
    let parts_ok = s.as_bytes().split(|b| *b == b'.').all(|part| {
        matches!((part.first(), part.last()), (Some(first), Some(last)) if *first != b'-' && *last != b'-')
            && part.iter().all(|b| dns_byte(*b))
    });
    if parts_ok {
        return Ok(());
    }
    s.split('.').try_for_each(|part| {
        if part.is_empty() {
            Err("must not contain empty parts between dots".into())
        } else {
            dns_chars(part)
        }
    })
}

/// A byte DNS-1123 names allow: a-z, 0-9, '-'.
fn dns_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

fn dns_chars(s: &str) -> Result<(), String> {
    if !s.bytes().all(dns_byte)
        && let Some(c) = s.chars().find(|c| !c.is_ascii() || !dns_byte(*c as u8))
    {
        return Err(format!(
            "contains {c:?}; only lowercase letters a-z, digits and '-' are allowed"
        ));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err("must start and end with a lowercase letter or digit".into());
    }
    Ok(())
}

/// A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63
/// alphanumerics, '-', '_' or '.', starting and ending alphanumeric.
pub fn qualified_name(s: &str) -> Result<(), String> {
    let (prefix, name) = match s.bytes().rposition(|b| b == b'/') {
        Some(slash) => (Some(&s[..slash]), &s[slash + 1..]),
        None => (None, s),
    };
    if let Some(prefix) = prefix {
        dns1123_subdomain(prefix).map_err(|e| format!("prefix {prefix:?} {e}"))?;
    }
    label_value(name).and_then(|()| {
        if name.is_empty() {
            Err("name part must not be empty".into())
        } else {
            Ok(())
        }
    })
}

/// A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending
/// alphanumeric.
pub fn label_value(s: &str) -> Result<(), String> {
    if s.len() > 63 {
        return Err(format!(
            "is {} characters long; at most 63 are allowed",
            s.len()
        ));
    }
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    if !s.bytes().all(allowed)
        && let Some(c) = s.chars().find(|c| !c.is_ascii() || !allowed(*c as u8))
    {
        return Err(format!(
            "contains {c:?}; only letters, digits, '-', '_' and '.' are allowed"
        ));
    }
    let edge_ok = |b: Option<&u8>| b.is_none_or(u8::is_ascii_alphanumeric);
    if !edge_ok(s.as_bytes().first()) || !edge_ok(s.as_bytes().last()) {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A [`label_value`] that is not empty: a version or another value that must say something.
pub fn nonempty_label_value(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("is empty".into());
    }
    label_value(s)
}

/// An IANA time zone name as a CronJob's `timeZone` takes it (`Europe/Paris`, `UTC`,
/// `Etc/GMT+2`): not `Local`, which Kubernetes refuses. The API server checks that the zone
/// exists in its time zone database.
pub fn time_zone(s: &str) -> Result<(), String> {
    if s.eq_ignore_ascii_case("local") {
        return Err("is the controller's own time zone, which Kubernetes refuses".into());
    }
    let part_ok = |part: &str| {
        part.starts_with(|c: char| c.is_ascii_alphabetic())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'))
    };
    if s.is_empty() || !s.split('/').all(part_ok) {
        return Err(
            "is not a time zone name (Area/Location, letters, digits, '_', '-', '+')".into(),
        );
    }
    Ok(())
}

/// An environment variable name as Kubernetes accepts it (C identifier; we are stricter than the
/// API server so that `$(NAME)` references always work).
pub fn env_var_name(s: &str) -> Result<(), String> {
    let mut chars = s.chars();
    match chars.next() {
        None => Err("must not be empty".into()),
        Some(c) if !(c.is_ascii_alphabetic() || c == '_') => {
            Err("must start with a letter or '_'".into())
        }
        _ if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') => {
            Err("may contain only letters, digits and '_'".into())
        }
        _ => Ok(()),
    }
}

/// Size units of the Spark sizes the tool writes, with their multiplier in MiB. Spark also takes
/// `p` and a trailing `b` (`2gb`), but the driver's heap reaches the JVM as `-Xmx2gb`, which the
/// JVM refuses ("Invalid maximum heap size"): one form for every size, the one both read.
pub const SPARK_MEMORY_UNITS: [(char, u64); 4] =
    [('k', 0), ('m', 1), ('g', 1 << 10), ('t', 1 << 20)];

/// A SemVer 2 version (semver.org): `MAJOR.MINOR.PATCH`, then optionally `-` and dot-separated
/// pre-release identifiers and `+` and build identifiers, all of ASCII letters, digits and '-';
/// numbers (the three and numeric pre-release identifiers) without leading zeros.
pub fn semver(text: &str) -> Result<(), String> {
    let fail = |why: &str| {
        Err(format!(
            "{text:?} is not a SemVer 2 version ({why}); write e.g. 1.4.0 or 1.4.0-rc.1"
        ))
    };
    let (rest, build) = match text.split_once('+') {
        Some((rest, build)) => (rest, Some(build)),
        None => (text, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (rest, None),
    };
    let number = |n: &str| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
    };
    let identifier =
        |i: &str| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| number(p)) {
        return fail("MAJOR.MINOR.PATCH, numbers without leading zeros");
    }
    if let Some(pre) = pre {
        let ok = pre
            .split('.')
            .all(|i| identifier(i) && (!i.bytes().all(|b| b.is_ascii_digit()) || number(i)));
        if !ok {
            return fail(
                "pre-release identifiers are letters, digits and '-', numbers without leading zeros",
            );
        }
    }
    if let Some(build) = build
        && !build.split('.').all(identifier)
    {
        return fail("build identifiers are letters, digits and '-'");
    }
    Ok(())
}

/// A file name as generated files and printed plans name it: as it is when it is plain text,
/// else JSON-quoted, so a line break or control character in a name can never start a line of
/// YAML, a Dockerfile or a shell script, or reach a terminal.
pub fn shown_file_name(name: &str) -> String {
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))
    {
        serde_json::Value::from(name).to_string()
    } else {
        name.to_owned()
    }
}

/// An image tag as [`image_ref`] reads it, for schemas (the chart's `values.schema.json`): up to
/// 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (a test keeps them agreeing).
pub const IMAGE_TAG_PATTERN: &str = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";

/// An image digest as [`image_ref`] reads it (`sha256:` and at least 32 hex digits), for schemas.
pub const IMAGE_DIGEST_PATTERN: &str = "^[a-z0-9]+:[0-9a-fA-F]{32,}$";

/// The tag that names whatever was pushed last: refused without a digest, since every pull may
/// get a different image.
pub const MOVING_TAG: &str = "latest";

/// The JSON-schema pattern of a Spark size (the config's schema and the chart's
/// `values.schema.json`): what [`spark_memory_mib`] accepts matches it (a test keeps it so).
pub const SPARK_MEMORY_PATTERN: &str = "^[1-9][0-9]*[kKmMgGtT]$";

/// The largest memory setting we accept, in MiB (64 TiB): anything above is a typo.
pub const MAX_SPARK_MEMORY_MIB: u64 = 64 << 20;

/// Parses a Spark memory string (`512m`, `2g`, `1024k`; the unit is required, either case) to
/// whole MiB.
pub fn spark_memory_mib(s: &str) -> Result<u64, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(without) = lower
        .strip_suffix('b')
        .filter(|t| t.ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        // `2GiB` and `2GB` are both `2g` to Spark, which counts in powers of 1024.
        let without = without.strip_suffix('i').unwrap_or(without);
        return Err(format!(
            "has a trailing 'b', which the JVM refuses as a heap size (-Xmx{s}); write {without}, the form Spark and the JVM both read"
        ));
    }
    let Some(unit) = lower.chars().last().filter(|c| c.is_ascii_alphabetic()) else {
        return Err("needs a unit: k, m, g or t (e.g. 512m, 2g)".into());
    };
    let Some(&(_, mib)) = SPARK_MEMORY_UNITS.iter().find(|(u, _)| *u == unit) else {
        return Err(format!(
            "has unknown unit {unit:?}; use k, m, g or t (e.g. 512m, 2g)"
        ));
    };
    let digits = &lower[..lower.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a whole number followed by a unit (e.g. 512m, 2g)".into());
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err("must not start with 0 (e.g. 512m, 2g)".into());
    }
    let n: u64 = digits.parse().map_err(|_| "is too large".to_string())?;
    let total = if unit == 'k' {
        n / 1024
    } else {
        n.checked_mul(mib).ok_or("is too large")?
    };
    if total == 0 {
        return Err("must be at least 1m".into());
    }
    if total > MAX_SPARK_MEMORY_MIB {
        return Err("is larger than 64t; check the unit".into());
    }
    Ok(total)
}

/// A Kubernetes CPU quantity as Spark's `request.cores`/`limit.cores` take it: `500m`, `1`, `1.5`.
/// Its value in millicores (rounded up, as Kubernetes does), to compare a limit with a request.
pub fn cpu_quantity(s: &str) -> Result<u64, String> {
    let digits = s.strip_suffix('m').unwrap_or(s);
    let valid = !digits.is_empty()
        && digits.bytes().filter(|b| *b == b'.').count() <= 1
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !digits.starts_with('.')
        && !digits.ends_with('.')
        && (!s.ends_with('m') || !digits.contains('.'));
    if !valid {
        return Err("must be a CPU quantity such as 500m, 1 or 1.5".into());
    }
    if digits.bytes().all(|b| b == b'0' || b == b'.') {
        return Err("must be more than 0".into());
    }
    let too_large = || "is too large for a CPU quantity".to_string();
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole: u64 = whole.parse().map_err(|_| too_large())?;
    if s.ends_with('m') {
        return Ok(whole);
    }
    let thousandths: u64 = format!("{:0<3}", &fraction[..fraction.len().min(3)])
        .parse()
        .unwrap_or(0);
    let rounded_up = u64::from(fraction.len() > 3 && fraction[3..].bytes().any(|b| b != b'0'));
    whole
        .checked_mul(1000)
        .and_then(|m| m.checked_add(thousandths + rounded_up))
        .ok_or_else(too_large)
}

/// A Kubernetes memory quantity for container resources: `512Mi`, `1Gi`, `1G`, `1000000`. Its
/// value in bytes, to compare a limit with a request.
pub fn memory_quantity(s: &str) -> Result<u128, String> {
    const SUFFIXES: [(&str, u128); 12] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("Ei", 1 << 60),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
        ("E", 1_000_000_000_000_000_000),
    ];
    let (digits, unit) = SUFFIXES
        .iter()
        .find_map(|(suffix, unit)| s.strip_suffix(suffix).map(|d| (d, *unit)))
        .unwrap_or((s, 1));
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must be a memory quantity such as 512Mi or 1Gi".into());
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err("must be more than 0".into());
    }
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| u128::from(n).checked_mul(unit))
        .filter(|bytes| *bytes <= u128::from(u64::MAX))
        .ok_or_else(|| "is too large for a memory quantity".into())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_2_only() {
        for ok in [
            "0.1.0",
            "1.4.0",
            "10.20.30",
            "1.0.0-rc.1",
            "1.0.0-0.3.7",
            "1.0.0-x-y.z",
            "1.0.0+build.5",
            "1.0.0-a+001",
        ] {
            assert!(semver(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1.0",
            "v1.0.0",
            "01.0.0",
            "1.0.0-01",
            "1.0.0-",
            "1.0.0+",
            "1.0.0\nfoo: bar",
            "{{",
            "1.0.0-a..b",
            "1.0.0 ",
        ] {
            assert!(semver(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn s3a_urls_are_one_line() {
        assert!(s3a_url("s3a://bucket/a b/c.csv").is_ok());
        assert!(s3a_url("s3a://bucket/a\nb").is_err());
        assert!(s3a_url("s3a://bucket/a\tb").is_err());
    }

    #[test]
    fn dns_labels() {
        assert!(dns1123_label("simple-read").is_ok());
        assert!(dns1123_label("Simple").is_err());
        assert!(dns1123_label("-a").is_err());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
        assert!(dns1123_label("café").is_err());
        assert!(dns1123_subdomain("aws.secrets").is_ok());
        assert!(dns1123_subdomain("aws..secrets").is_err());
    }

    #[test]
    fn spark_memory() {
        assert_eq!(spark_memory_mib("512m"), Ok(512));
        assert_eq!(spark_memory_mib("2g"), Ok(2048));
        assert_eq!(spark_memory_mib("2G"), Ok(2048));
        // The JVM refuses -Xmx512mb, so no size takes a trailing b (it says what to write).
        assert!(
            spark_memory_mib("512mb")
                .unwrap_err()
                .contains("write 512m")
        );
        assert!(spark_memory_mib("4GB").unwrap_err().contains("write 4g"));
        assert!(spark_memory_mib("1p").is_err());
        assert!(spark_memory_mib("0512m").is_err());
        assert_eq!(spark_memory_mib("2048k"), Ok(2));
        assert!(spark_memory_mib("512").is_err());
        assert!(spark_memory_mib("0").is_err());
        assert!(spark_memory_mib("0g").is_err());
        assert!(spark_memory_mib("-1g").is_err());
        assert!(spark_memory_mib("99999t").is_err());
        assert!(spark_memory_mib("1.5g").is_err());
        assert!(spark_memory_mib("99999999999999999999999g").is_err());
    }

    #[test]
    fn the_schema_pattern_of_sizes_agrees_with_the_rule() {
        let pattern =
            jsonschema::validator_for(&serde_json::json!({"pattern": SPARK_MEMORY_PATTERN}))
                .unwrap();
        for text in [
            "512m", "2g", "2G", "4t", "2048k", "1k", "512mb", "4GB", "1p", "0512m", "0g", "2", "g",
            "1.5g", "2 g", "-1g", "99999t",
        ] {
            let matches = pattern.is_valid(&serde_json::json!(text));
            if spark_memory_mib(text).is_ok() {
                assert!(matches, "{text}: the rule accepts it, the schema must too");
            }
            if text.ends_with(['b', 'B', 'p']) || text.starts_with('0') {
                assert!(!matches, "{text}: the schema refuses it as the rule does");
            }
        }
    }

    /// Asserts that a schema `pattern` accepts exactly what the rule accepts, over `cases`.
    fn pattern_agrees(pattern: &str, cases: &[String], rule: impl Fn(&str) -> bool) {
        let schema = jsonschema::validator_for(&serde_json::json!({ "pattern": pattern })).unwrap();
        for case in cases {
            assert_eq!(
                schema.is_valid(&serde_json::json!(case)),
                rule(case),
                "{case:?}: the schema and the rule disagree"
            );
        }
    }

    #[test]
    fn the_schema_pattern_of_tags_agrees_with_the_rule() {
        let cases = [
            "3.5.3-1",
            "v1",
            "_x",
            "A.b-c_d",
            &"a".repeat(128),
            &"a".repeat(129),
            "",
            ".x",
            "-x",
            "a b",
            "é",
        ]
        .map(str::to_owned);
        pattern_agrees(IMAGE_TAG_PATTERN, &cases, |tag| {
            image_ref(&format!("repo:{tag}")).is_ok()
        });
    }

    #[test]
    fn the_schema_pattern_of_digests_agrees_with_the_rule() {
        let hex = "0123456789abcdef".repeat(4);
        let cases = [
            format!("sha256:{hex}"),
            format!("sha256:{}", hex.to_uppercase()),
            format!("sha512:{hex}{hex}"),
            format!("sha256:{}", &hex[..31]),
            format!("SHA256:{hex}"),
            format!(":{hex}"),
            format!("sha256:{hex}g"),
            "sha256".to_owned(),
        ];
        pattern_agrees(IMAGE_DIGEST_PATTERN, &cases, |digest| {
            image_ref(&format!("repo@{digest}")).is_ok()
        });
    }

    #[test]
    fn quantities() {
        assert_eq!(cpu_quantity("500m"), Ok(500));
        assert_eq!(cpu_quantity("1.5"), Ok(1500));
        assert_eq!(
            cpu_quantity("0.0001"),
            Ok(1),
            "rounded up, as Kubernetes does"
        );
        assert_eq!(cpu_quantity("2"), Ok(2000));
        assert!(cpu_quantity("99999999999999999999").is_err());
        assert_eq!(memory_quantity("1Gi"), Ok(1 << 30));
        assert_eq!(memory_quantity("1G"), Ok(1_000_000_000));
        assert!(memory_quantity("99999999999E").is_err());
        assert!(cpu_quantity("0").is_err());
        assert!(cpu_quantity("1.5m").is_err());
        assert!(memory_quantity("512Mi").is_ok());
        assert!(memory_quantity("512MB").is_err());
    }

    #[test]
    fn images() {
        let i = image_ref("alexmilowski/s3-spark-amazon-reviews:3.5.3-3.3.4-1").unwrap();
        assert_eq!(i.repository, "alexmilowski/s3-spark-amazon-reviews");
        assert_eq!(i.tag, Some("3.5.3-3.3.4-1"));
        let i = image_ref("registry.local:5000/spark").unwrap();
        assert_eq!((i.repository, i.tag), ("registry.local:5000/spark", None));
        assert!(image_ref("Spark:1").is_err());
        assert!(image_ref("spark:").is_err());
        assert!(image_ref("spark@sha256:abc").is_err());
    }

    #[test]
    fn go_durations() {
        for ok in [
            "1h",
            "30m",
            "1h30m",
            "1.5h",
            "15s",
            "500ms",
            "0",
            ".5h",
            "1.h",
            "1\u{b5}s",
            "1\u{3bc}s",
        ] {
            assert!(go_duration(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1",
            "h",
            "1d",
            ".h",
            "-1h",
            "1 h",
            "2562048h",
            "99999999999999999999s",
        ] {
            assert!(go_duration(bad).is_err(), "{bad}");
        }
        assert!(go_duration("2562047h").is_ok(), "just under Go's limit");
        // Exactly at Go's limit (int64 nanoseconds), where a floating-point sum cannot tell.
        assert!(go_duration("9223372036854775807ns").is_ok());
        assert!(go_duration("9223372036854775808ns").is_err());
        assert!(go_duration("2562047h47m16s854775807ns").is_ok());
        assert!(go_duration("2562047h47m16s854775808ns").is_err());
        assert!(go_duration("0.5s").is_ok());
    }

    #[test]
    fn spark_durations() {
        for ok in ["60s", "5min", "2h", "1d", "9223372036854775807us"] {
            assert!(spark_duration(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "60",
            "s",
            "1.5h",
            "9223372036854775808us",
            "99999999999999999999s",
        ] {
            assert!(spark_duration(bad).is_err(), "{bad}");
        }
        // Spark converts to the setting's unit saturating: a long count of days is accepted.
        assert!(spark_duration("106751992d").is_ok());
    }

    #[test]
    fn urls_and_arns() {
        assert_eq!(endpoint_url("http://minio.storage:9000"), Ok(false));
        assert_eq!(
            endpoint_url("https://s3.eu-west-1.amazonaws.com/"),
            Ok(true)
        );
        assert!(endpoint_url("minio:9000").is_err());
        assert!(endpoint_url("http://minio:0").is_err());
        assert!(endpoint_url("http://user@minio").is_err());
        assert!(iam_role_arn("arn:aws:iam::123456789012:role/spark").is_ok());
        assert!(iam_role_arn("arn:aws:iam::1234:role/spark").is_err());
        assert_eq!(
            s3a_url("s3a://my-bucket/a/b.gz"),
            Ok(("my-bucket", "a/b.gz"))
        );
        assert!(s3a_url("s3://bucket/x").is_err());
        assert!(env_var_name("AWS_ACCESS_KEY_ID").is_ok());
        assert!(env_var_name("1X").is_err());
        assert!(qualified_name("app.kubernetes.io/name").is_ok());
        assert!(label_value("-x").is_err());
    }
}
