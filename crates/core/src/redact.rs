//! What counts as a credential, so that none is ever shown or written by accident: values shaped
//! like AWS keys, and Spark or Hadoop settings whose value is a credential.
//!
//! Two uses: the validator refuses credential-carrying settings (their values would land in plain
//! text in the Job, the chart's values and the Kustomize base), and every message shown to a user
//! passes through [`redact`], so a key pasted into the wrong field never reaches a terminal or a
//! CI log.

use std::borrow::Cow;

/// What [`redact`] puts in place of a key-shaped value.
pub const REDACTED: &str = "[redacted: looks like an AWS key]";

/// An AWS access key id: `AKIA` (long-term) or `ASIA` (temporary) and 16 more capitals or digits.
pub fn looks_like_access_key_id(s: &str) -> bool {
    s.len() == 20
        && (s.starts_with("AKIA") || s.starts_with("ASIA"))
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The fewest upper-case and lower-case letters each a secret key holds. A real one is 40
/// random characters of 64 (about 16 of each, fewer than 8 in under 1% of keys); a CamelCase
/// name or a mixed-case path of that length (`role/DataPlatformSparkExecutionRoleProd01`) has
/// far fewer capitals.
const MIN_SECRET_CASE_LETTERS: usize = 8;

/// An AWS secret access key: 40 characters of `[A-Za-z0-9/+]` with digits and at least
/// [`MIN_SECRET_CASE_LETTERS`] upper-case and lower-case letters each (a hex digest, all lower
/// case, does not match).
pub fn looks_like_secret_key(s: &str) -> bool {
    let count = |f: fn(&u8) -> bool| s.bytes().filter(&f).count();
    s.len() == 40
        && s.bytes().all(is_key_byte)
        && count(u8::is_ascii_uppercase) >= MIN_SECRET_CASE_LETTERS
        && count(u8::is_ascii_lowercase) >= MIN_SECRET_CASE_LETTERS
        && count(u8::is_ascii_digit) >= 1
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/' || b == b'+'
}

/// The most characters a key may be glued to and still be found: a 40-character secret key
/// pasted with a stray character or two (`Zq8v...B4nXy`, `--secret=KEYx`). More would take a
/// base64 digest (43 characters and `=`) for a key.
const MAX_GLUED: usize = 2;

/// The most `/` a secret key glued to other characters may hold. A real key has about one (each
/// character is one of 64); a path of the same length has one per segment.
const MAX_GLUED_SLASHES: usize = 2;

/// How far back from a run of key characters an ARN's `arn:` is looked for.
const ARN_PREFIX_BYTES: usize = 256;

/// Words of the names people give roles, buckets, tables and paths. Text of a key's shape that
/// holds two of them (case aside) is a name (`role/EKSPodIdentityRoleForSparkS3AccessV2`), not a
/// key: a random key holds one of them about once in 1,000, two in none of 200,000 tried.
const NAME_WORDS: &[&str] = &[
    "access",
    "account",
    "action",
    "admin",
    "analytics",
    "apac",
    "apply",
    "archive",
    "audit",
    "backup",
    "batch",
    "bronze",
    "bucket",
    "build",
    "cache",
    "cluster",
    "config",
    "container",
    "customer",
    "daily",
    "data",
    "default",
    "delta",
    "deploy",
    "detail",
    "driver",
    "east",
    "engine",
    "europe",
    "event",
    "exec",
    "export",
    "extract",
    "fact",
    "file",
    "final",
    "flow",
    "from",
    "github",
    "glue",
    "gold",
    "group",
    "history",
    "hive",
    "hourly",
    "iceberg",
    "identity",
    "import",
    "incremental",
    "input",
    "irsa",
    "item",
    "lake",
    "layer",
    "lifetime",
    "load",
    "local",
    "main",
    "manager",
    "master",
    "material",
    "merge",
    "metric",
    "model",
    "month",
    "north",
    "oidc",
    "order",
    "output",
    "partition",
    "pipeline",
    "platform",
    "policy",
    "pool",
    "prod",
    "project",
    "public",
    "query",
    "queue",
    "read",
    "record",
    "region",
    "report",
    "role",
    "runtime",
    "sales",
    "sample",
    "schema",
    "service",
    "session",
    "shard",
    "silver",
    "sink",
    "snapshot",
    "source",
    "south",
    "spark",
    "stage",
    "storage",
    "store",
    "stream",
    "summary",
    "system",
    "table",
    "task",
    "team",
    "temp",
    "terraform",
    "test",
    "total",
    "transform",
    "user",
    "value",
    "view",
    "warehouse",
    "week",
    "west",
    "with",
    "write",
    "year",
];

/// Whether key-shaped text is something else: a name (two [`NAME_WORDS`], or one in text whose
/// letters are at least a third vowels, as words' are and a key's, about a fifth, are not), or
/// base64 of text (a key decodes to random bytes). A random key passes for one of these about
/// once in 20,000.
fn is_not_a_key(window: &str) -> bool {
    let lower = window.to_ascii_lowercase();
    let words = NAME_WORDS
        .iter()
        .filter(|w| lower.contains(**w))
        .take(2)
        .count();
    let letters = lower.bytes().filter(u8::is_ascii_alphabetic).count();
    let vowels = lower.bytes().filter(|b| b"aeiou".contains(b)).count();
    words == 2 || (words == 1 && 3 * vowels >= letters) || is_base64_of_text(window)
}

/// Whether 40 characters of base64 decode to text: at most 2 of the 30 bytes outside printable
/// ASCII and line breaks.
fn is_base64_of_text(window: &str) -> bool {
    let value = |b: u8| -> Option<u32> {
        Some(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut unprintable = 0;
    for quad in window.as_bytes().chunks(4) {
        let Some(bits) = quad
            .iter()
            .try_fold(0u32, |acc, &b| Some(acc << 6 | value(b)?))
        else {
            return false;
        };
        for byte in [bits >> 16, bits >> 8, bits].map(|b| (b & 0xff) as u8) {
            if !(byte.is_ascii_graphic() || matches!(byte, b' ' | b'\t' | b'\n' | b'\r')) {
                unprintable += 1;
            }
        }
    }
    unprintable <= 2
}

/// Where key-shaped text stands in `text`: the byte ranges of the maximal runs of `[A-Za-z0-9/+]`
/// that hold an access key id (standing alone, or followed by a secret key), or a secret key
/// bounded on each side by a `/` or the run's end (`s3a://bucket/KEY/part`) or glued to at most
/// [`MAX_GLUED`] characters of its path segment (then with at most [`MAX_GLUED_SLASHES`] slashes
/// of its own). Not taken for a secret key: a PEM block's lines, an ARN's name, a long base64
/// value, and text [`is_not_a_key`] (names, base64 of text). Escapes are decoded first (`%XX` up
/// to three layers, JSON's `\/` and `\uXXXX`). Linear in the length of `text`. The one rule for
/// what counts as a pasted key: the config's text check refuses it and [`redact`] hides it.
pub fn key_runs(text: &str) -> Vec<std::ops::Range<usize>> {
    if !text.contains(['%', '\\']) {
        return plain_key_runs(text).collect();
    }
    // Decode escapes, up to three layers deep (`%25252F`), remembering where each decoded byte
    // came from in `text` (and, last, the end of `text`), so that a run found in the decoded
    // text maps back to `text`.
    let mut decoded = text.to_owned();
    let mut origin: Vec<usize> = (0..=text.len()).collect();
    for _ in 0..3 {
        let Some((next, next_origin)) = decode_once(&decoded) else {
            break;
        };
        origin = next_origin.iter().map(|&at| origin[at]).collect();
        decoded = next;
    }
    plain_key_runs(&decoded)
        .map(|run| origin[run.start]..origin[run.end])
        .collect()
}

/// `text` with one layer of escapes decoded (`%XX`, JSON's `\/` and `\uXXXX`, ASCII only), and
/// where each decoded byte (and, last, the end) starts in `text`; `None` when there is none.
fn decode_once(text: &str) -> Option<(String, Vec<usize>)> {
    let bytes = text.as_bytes();
    let hex = |b: &u8| (*b as char).to_digit(16);
    let escape = |at: usize| -> Option<(char, usize)> {
        let (code, width) = match bytes.get(at..)? {
            [b'\\', b'/', ..] => (u32::from(b'/'), 2),
            [b'\\', b'u', a, b, c, d, ..] => {
                (((hex(a)? * 16 + hex(b)?) * 16 + hex(c)?) * 16 + hex(d)?, 6)
            }
            [b'%', h, l, ..] => (hex(h)? * 16 + hex(l)?, 3),
            _ => return None,
        };
        char::from_u32(code)
            .filter(char::is_ascii)
            .map(|c| (c, width))
    };
    let mut decoded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    let mut found = false;
    let mut i = 0;
    while i < bytes.len() {
        origin.push(i);
        if let Some((c, width)) = escape(i) {
            decoded.push(c);
            found = true;
            i += width;
        } else {
            // Only ASCII escapes are replaced: copy one character whole.
            let width = text[i..].chars().next().map_or(1, char::len_utf8);
            decoded.push_str(&text[i..i + width]);
            origin.extend(std::iter::repeat_n(i, width - 1));
            i += width;
        }
    }
    origin.push(text.len());
    found.then_some((decoded, origin))
}

/// The byte ranges of the PEM blocks of `text`, a `-----BEGIN ...-----` line to the end of its
/// `-----END ...-----` line: their base64 lines look like secret keys. A `BEGIN` without its `END`,
/// or not on a line of its own, makes no block.
fn pem_blocks(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(begin) = text[from..].find("-----BEGIN ").map(|b| b + from) {
        // `-----BEGIN LABEL-----` alone on its line, then the base64 lines, then the END line.
        let header_end = text[begin + "-----BEGIN ".len()..]
            .find("-----")
            .map(|d| begin + "-----BEGIN ".len() + d + "-----".len());
        let on_its_line = header_end.filter(|&h| text[h..].starts_with(['\n', '\r']));
        let end = on_its_line.and_then(|h| {
            let e = h + text[h..].find("\n-----END ")? + "\n-----END ".len();
            text[e..].find("-----").map(|d| e + d + "-----".len())
        });
        match end {
            Some(end) => {
                blocks.push(begin..end);
                from = end;
            }
            None => from = begin + "-----BEGIN ".len(),
        }
    }
    blocks
}

/// [`key_runs`] of text taken as it is (no decoding).
fn plain_key_runs(text: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let bytes = text.as_bytes();
    let pem = pem_blocks(text);
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !is_key_byte(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && is_key_byte(bytes[i]) {
                i += 1;
            }
            let in_pem = pem.iter().any(|b| b.start <= start && i <= b.end);
            // An ARN names a role or key by its name (`arn:aws:iam::...:role/NAME`); looked for
            // only before runs long enough for a secret, back to the word's start, at most
            // ARN_PREFIX_BYTES back (so that a long text stays linear).
            let in_arn = i - start >= 40 && {
                let from = (start.saturating_sub(ARN_PREFIX_BYTES)..=start)
                    .find(|&k| text.is_char_boundary(k))
                    .unwrap_or(start);
                let before = &text[from..start];
                let word_start = before
                    .rfind(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '=' | ','))
                    .map_or(0, |at| at + 1);
                before[word_start..].starts_with("arn:")
            };
            if holds_key(&text[start..i], in_pem || in_arn) {
                return Some(start..i);
            }
        }
        None
    })
}

/// Whether a run of key characters is, or holds, a key (see [`key_runs`]); `no_secret`: the run
/// is a line of a PEM block or part of an ARN, which is not taken for a secret key.
fn holds_key(run: &str, no_secret: bool) -> bool {
    let bytes = run.as_bytes();
    // An access key id stands alone: not after a capital or before a capital or digit (inside
    // longer upper-case text: `ASIAPACIFIC2024...`), unless a secret key follows it.
    let caps = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let id = run
        .match_indices("AKIA")
        .chain(run.match_indices("ASIA"))
        .any(|(at, _)| {
            run.get(at..at + 20).is_some_and(looks_like_access_key_id)
                && !at
                    .checked_sub(1)
                    .and_then(|b| bytes.get(b))
                    .is_some_and(u8::is_ascii_uppercase)
                && (!caps(bytes.get(at + 20)) || (!no_secret && holds_secret(&run[at + 20..])))
        });
    id || (!no_secret && holds_secret(run))
}

/// Whether a run of key characters holds a secret key (see [`key_runs`]).
fn holds_secret(run: &str) -> bool {
    if run.len() < 40 {
        return false;
    }
    if looks_like_secret_key(run) {
        return !is_not_a_key(run);
    }
    let slashes: Vec<usize> = run.match_indices('/').map(|(at, _)| at).collect();
    // A long run with few slashes is a base64 blob (a certificate's body, a value), not a path
    // with a key for a segment: one `/` in 64 characters against one in ten.
    if run.len() > 100 && slashes.len() * 16 < run.len() {
        return false;
    }
    (0..=run.len() - 40).any(|at| {
        let window = &run[at..at + 40];
        // The slashes before the window and after it (binary search: a long run is linear).
        let before = slashes.partition_point(|&slash| slash < at);
        let after = slashes.partition_point(|&slash| slash < at + 40);
        let left = at - before.checked_sub(1).map_or(0, |i| slashes[i] + 1);
        let right = slashes.get(after).copied().unwrap_or(run.len()) - (at + 40);
        // Whole path segments (glued to nothing) may hold any number of slashes.
        let glued = left + right;
        (glued == 0 || (glued <= MAX_GLUED && after - before <= MAX_GLUED_SLASHES))
            && looks_like_secret_key(window)
            && !is_not_a_key(window)
    })
}

/// Whether `text` holds key-shaped text anywhere (see [`key_runs`]).
pub fn holds_key_text(text: &str) -> bool {
    !key_runs(text).is_empty()
}

/// `text` with every key-shaped run of characters ([`key_runs`]) replaced by [`REDACTED`], so a
/// key inside quotes, after `=` or in a path segment is hidden.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    for run in key_runs(text) {
        out.push_str(&text[copied..run.start]);
        out.push_str(REDACTED);
        copied = run.end;
    }
    if copied == 0 {
        Cow::Borrowed(text)
    } else {
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }
}

/// A writer that hides key-shaped text ([`redact`]) in what passes through it, a line at a time
/// (a key holds no line break): for output that never carries a credential, such as messages and
/// reports, which may quote what a user typed (a key pasted as an environment's name or a path).
/// Left [`Redacting::passing`], it writes what it is given unchanged.
pub struct Redacting<W: std::io::Write> {
    inner: W,
    /// Bytes of the line not yet ended.
    pending: Vec<u8>,
    on: bool,
}

impl<W: std::io::Write> Redacting<W> {
    /// Hides keys in what is written through it.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            on: true,
        }
    }

    /// Writes through unchanged: output that is asked to hold credentials (a Secret with values).
    pub fn passing(inner: W) -> Self {
        Self {
            on: false,
            ..Self::new(inner)
        }
    }

    fn write_redacted(&mut self, upto: usize) -> std::io::Result<()> {
        let line: Vec<u8> = self.pending.drain(..upto).collect();
        let text = String::from_utf8_lossy(&line);
        if holds_key_text(&text) {
            self.inner.write_all(redact(&text).as_bytes())
        } else {
            self.inner.write_all(&line)
        }
    }
}

impl<W: std::io::Write> std::io::Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.on {
            return self.inner.write(buf);
        }
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.write_redacted(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            self.write_redacted(self.pending.len())?;
        }
        self.inner.flush()
    }
}

/// Setting names (Hadoop keys, also under `spark.hadoop.`) that carry a credential whatever the
/// words in them: S3A per-bucket keys end the same way as the global ones.
const CREDENTIAL_SUFFIXES: &[&str] = &[
    "access.key",
    "secret.key",
    "session.token",
    "encryption.key",
    "server-side-encryption.key",
];

/// Setting names that carry a credential wherever this stands in them (Azure's
/// `fs.azure.account.key.ACCOUNT.dfs.core.windows.net`).
const CREDENTIAL_INFIXES: &[&str] = &[".account.key"];

/// Words that make a setting's value a credential.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "credential",
    "credentials",
];

/// Last words of settings that name where a credential is, or how to get one, not the credential
/// itself (`oauthTokenFile`, `credentials.provider`, `credential.provider.path`, a Secret's name).
const POINTER_WORDS: &[&str] = &[
    "provider",
    "providers",
    "path",
    "file",
    "mapping",
    "class",
    "enabled",
    "name",
];

/// Prefixes whose keys name Kubernetes Secrets or Spark's delegation-token machinery, never hold
/// a credential: `spark.kubernetes.driver.secrets.NAME=/mount/path` is the way to bring a Secret
/// in as files.
const NON_CREDENTIAL_PREFIXES: &[&str] = &[
    "spark.kubernetes.driver.secrets.",
    "spark.kubernetes.executor.secrets.",
    "spark.security.credentials.",
    "spark.kubernetes.kerberos.",
];

/// Whether a Spark or Hadoop setting's value is a credential (a per-bucket S3A key, an encryption
/// key, a password, a token...). Such values would be written in plain text into the Job's
/// arguments, the chart's values and the Kustomize base.
pub fn is_credential_setting(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if NON_CREDENTIAL_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    let ends_with_setting = |s: &str| {
        lower
            .strip_suffix(s)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
    };
    if CREDENTIAL_SUFFIXES.iter().any(|s| ends_with_setting(s))
        || CREDENTIAL_INFIXES.iter().any(|i| lower.contains(i))
    {
        return true;
    }
    // Most settings name none of the words: skip splitting them.
    if !CREDENTIAL_WORDS.iter().any(|w| lower.contains(w)) {
        return false;
    }
    let words = words(key);
    let last = words.last().map(String::as_str).unwrap_or_default();
    words.iter().any(|w| CREDENTIAL_WORDS.contains(&w.as_str())) && !POINTER_WORDS.contains(&last)
}

/// Lower-case words of a setting name, split at `.`, `-`, `_` and camelCase humps.
fn words(key: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in key.chars() {
        if matches!(c, '.' | '-' | '_') {
            words.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    words.extend((!current.is_empty()).then_some(current));
    words
}

/// How to pass a credential without writing it into a setting: the help of every refusal of a
/// credential-carrying setting, and it leads to a config the validator accepts.
pub const CREDENTIAL_SETTING_HELP: &str = "remove it: a setting's value is written in plain text into the Job, the chart's values and the Kustomize base. Put the keys in the Secret of spec.s3.credentials.secret (they serve every bucket), or keep per-bucket keys in a Hadoop credential file stored in a Secret: mount it with sparkConf `spark.kubernetes.driver.secrets.NAME: /etc/hadoop-credentials` (and the executor's twin) and set hadoopConf `hadoop.security.credential.provider.path: jceks://file/etc/hadoop-credentials/s3.jceks`";

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn key_shapes() {
        assert!(looks_like_access_key_id(KEY_ID));
        assert!(looks_like_access_key_id("ASIAIOSFODNN7EXAMPLE"));
        assert!(!looks_like_access_key_id("AWS_ACCESS_KEY_ID"));
        assert!(looks_like_secret_key(SECRET));
        assert!(!looks_like_secret_key(
            "0123456789abcdef0123456789abcdef01234567"
        ));
        assert!(!looks_like_secret_key("AWS_SECRET_ACCESS_KEY"));
    }

    #[test]
    fn redacts_keys_wherever_they_stand() {
        let text = format!("\"{SECRET}\" is not a valid Secret key; id={KEY_ID}, x{KEY_ID}y");
        let shown = redact(&text);
        assert!(
            !shown.contains(SECRET) && !shown.contains(KEY_ID),
            "{shown}"
        );
        assert_eq!(shown.matches(REDACTED).count(), 3, "{shown}");
        // Glued to a few characters, a secret key is still found; a mixed-case path of the same
        // length is not.
        for glued in [
            format!("Z{SECRET}"),
            format!("{SECRET}xy"),
            format!("--k={SECRET}X"),
        ] {
            assert!(holds_key_text(&glued), "{glued}");
            assert!(!redact(&glued).contains("EXAMPLEKEY"), "{glued}");
        }
        assert!(!holds_key_text(
            "/Data/Year2024/Month01/Day05/Hourly/Events9"
        ));
        assert!(
            !holds_key_text(&format!("{SECRET}abcdef")),
            "longer runs are other text"
        );
        assert!(matches!(
            redact("spec.image: \"acme/job:latest\""),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn finds_keys_in_paths_and_url_encoding() {
        for text in [
            format!("s3a://bucket/{SECRET}/part-0000"),
            format!("/nonexist/{SECRET}"),
            format!("s3a://bucket/data/{SECRET}"),
            format!("http://minio:90{SECRET}/part"),
            format!("s3a://bucket/x{SECRET}y/part"),
            // A key with three slashes of its own, as a path segment.
            "s3a://events/wJalrXUtn/FEMI/K7MDENG/bPxRfiCYEXAMPLEKE/part".to_owned(),
            // JSON's escaped slash, twice percent-encoded, an id before a space written %20.
            SECRET.replace('/', "\\/"),
            format!("c={}", SECRET.replace('/', "%252F")),
            format!("sp/old%20{KEY_ID}.yaml"),
            // An id glued to a secret.
            format!("{KEY_ID}K7MDENGbPxRfiCYEXAMPLEKEYwJalrXUtnFEMI/a"),
            // JSON's \u escapes, three layers of percent-encoding, an id after a digit.
            SECRET.replace('/', "\\u002f"),
            format!("c={}", SECRET.replace('/', "%25252F")),
            format!("s3a://bucket/run1{KEY_ID}"),
            // Between PEM-looking markers on one line, which make no block.
            format!("-----BEGIN NOTE----- {SECRET} -----END NOTE-----"),
            // Outside a PEM block, even when the text has one.
            format!("# -----BEGIN CERTIFICATE----- aside\n--secret={SECRET}"),
            // As a presigned URL or a form encodes it.
            format!("X-Amz-Credential={}", SECRET.replace('/', "%2F")),
            format!("k={}&x", SECRET.replace('/', "%2f")),
        ] {
            assert!(holds_key_text(&text), "{text}");
            let shown = redact(&text);
            assert!(
                !shown.contains("EXAMPLEKEY") && !shown.contains("wJalrXUtnFEMI"),
                "{shown}"
            );
        }
        // The run of key characters holding the key is replaced, the text around it kept, also
        // when encoded.
        assert_eq!(
            redact(&format!("x=a%2F{}%2Fb é", SECRET.replace('/', "%2F"))),
            format!("x={REDACTED} é")
        );
        // Names, digests and paths of the same alphabet that are not keys.
        for path in [
            "arn:aws:iam::123456789012:role/EKSPodIdentityRoleForSparkS3AccessV2",
            "arn:aws:iam::123456789012:role/SparkOnEKSIRSARoleForDataLakeProdUSE1",
            "arn:aws:iam::123456789012:role/EMRContainersJobExecutionRoleForETL2024",
            "s3a://lake/raw/SAPECCMaterialMasterMARAExtract/2024/",
            "s3a://bucket/tables/CustomerLifetimeValueByRegionAPACv2/data",
            "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "arn:aws:iam::123456789012:role/GitHubActionsOIDCTerraformApplyEKSUSE1V2",
            "s3a://lake/raw/SAPS4HANAMaterialDocMSEGIncrementalQ4FY24X/",
            // Base64 of text (`SELECT * FROM orders LIMIT 10;`), and a long base64 value.
            "U0VMRUNUICogRlJPTSBvcmRlcnMgTElNSVQgMTA7",
            "sWl3nt+1uTQkBRV/VLEurmLRHoh+sHZtGHf4xu/ya1AQrzF30WHnlYenZuww5AN0WKmQXK2HvUx34pg/J3Rcy5oxBS6UTPGyIOqix/sbfT4/c/QUr24Nk91M",
            "sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
            "s3a://lake/warehouse/Sales/Europe/Quarterly/Reports2024/RegionNorthWestAndSouth",
            "/data/CustomerOrders/EuropeanRegionSales2024Q3/part-00000",
            "100%25 of s3a://b/x%2Fy",
        ] {
            assert!(!holds_key_text(path), "{path}");
        }
    }

    #[test]
    fn pem_blocks_are_not_keys_and_hide_none_outside() {
        let line = "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUF";
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{line}\n{}\n-----END CERTIFICATE-----\n",
            &line[..40]
        );
        assert!(!holds_key_text(&pem), "{pem}");
        let after = format!("{pem}--secret={SECRET}");
        assert_eq!(redact(&after), format!("{pem}--secret={REDACTED}"));
    }

    #[test]
    fn redacting_writer_hides_keys_split_across_writes() {
        use std::io::Write as _;
        let mut out = Vec::new();
        let mut w = Redacting::new(&mut out);
        let text = format!("no environment \"{KEY_ID}\"\nkey {SECRET} end");
        for piece in text.as_bytes().chunks(7) {
            w.write_all(piece).unwrap();
        }
        w.flush().unwrap();
        drop(w);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("no environment \"{REDACTED}\"\nkey {REDACTED} end")
        );
        let mut out = Vec::new();
        let mut w = Redacting::passing(&mut out);
        w.write_all(SECRET.as_bytes()).unwrap();
        drop(w);
        assert_eq!(out, SECRET.as_bytes());
    }

    #[test]
    fn credential_settings() {
        for key in [
            "fs.s3a.bucket.raw.secret.key",
            "fs.s3a.bucket.raw.access.key",
            "fs.s3a.bucket.raw.session.token",
            "fs.s3a.encryption.key",
            "fs.s3a.server-side-encryption.key",
            "spark.hadoop.fs.s3a.bucket.raw.secret.key",
            "spark.ssl.keyStorePassword",
            "spark.authenticate.secret",
            "spark.kubernetes.authenticate.submission.oauthToken",
            "fs.azure.account.key.acct.dfs.core.windows.net",
            "my.db.credentials",
        ] {
            assert!(is_credential_setting(key), "{key}");
        }
        for key in [
            "fs.s3a.connection.maximum",
            "fs.s3a.bucket.raw.aws.credentials.provider",
            "hadoop.security.credential.provider.path",
            "spark.kubernetes.authenticate.driver.oauthTokenFile",
            "spark.authenticate.secret.file",
            "spark.kubernetes.driver.secrets.hadoop-password",
            "spark.kubernetes.kerberos.tokenSecret.name",
            "spark.security.credentials.renewalRatio",
            "fs.s3a.encryption.algorithm",
            "spark.sql.shuffle.partitions",
        ] {
            assert!(!is_credential_setting(key), "{key}");
        }
    }
}
