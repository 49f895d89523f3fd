//! Syntax rules for the strings people get wrong: Kubernetes names, Spark memory sizes,
//! environment variable names, image references, URLs and ARNs.
//!
//! Each rule returns `Err(reason)` with a short, user-facing reason; callers add the field and
//! the fix. Pure functions with no allocation on success, shared by the config validator and the
//! checks on generated objects.

mod quantities;
mod references;

pub use quantities::*;
pub use references::*;

/// The prefix of Kubernetes' recommended labels (`app.kubernetes.io/name`, ...), which the tool
/// sets itself.
pub const RECOMMENDED_LABEL_PREFIX: &str = "app.kubernetes.io/";

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
