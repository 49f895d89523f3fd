//! The steps: for an input URL the bucket, a listing and the first bytes; for an output location
//! the writes the S3A committers make (put, read back, multipart uploads completed and aborted),
//! then the deletes.

use super::*;

/// How many lines of an object to show.
pub(super) const SHOW_LINES: usize = 3;

/// How many characters of a line to show.
pub(super) const SHOW_CHARS: usize = 160;

/// The bucket and the answer to listing at most `max_keys` keys under `prefix` in it; when no
/// answer comes, the failed `bucket` step.
pub(super) fn list(
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
pub(super) fn answers(bucket_name: &str) -> Step {
    Step {
        name: "bucket",
        outcome: Ok(format!("{bucket_name} answers")),
    }
}

/// Checks one `s3a://` URL, already split into bucket and key: bucket, list, read.
pub(super) fn check_url(client: &Client<'_>, url: &str, bucket_name: &str, key: &str) -> UrlReport {
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
pub(super) const PROBE: &str = "_k8s-s3-spark-check";

/// What a probe object holds.
pub(super) const PROBE_BODY: &[u8] = b"k8s-s3-spark check-s3 probe: safe to delete\n";

/// Checks one output location (`s3.outputs`) the way the S3A committers use it: list the
/// prefix, put an object, read it back, complete one multipart upload and abort another (the
/// committers upload that way, and abort a failed task's uploads), then delete what it made.
/// Each refusal names the permission missing.
///
/// An event log folder must also exist already: Spark refuses to start without it, and on S3 a
/// folder exists once something is under it.
pub(super) fn check_output(
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
pub(super) fn multipart(
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
pub(super) fn name_steps(url: &str, output: bool, steps: Vec<Step>) -> UrlReport {
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
pub(super) fn preview(key: &str, bytes: &[u8]) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
