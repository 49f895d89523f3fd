//! The report, as text or JSON, scrubbed of the key values in every form a server may echo them.

use super::*;

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
pub(super) fn scrub(text: &str, keys: Option<&AwsKeys>) -> String {
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
pub(super) fn encoded_forms(value: &str) -> Vec<String> {
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
