//! Hostile input, crashes mid-write, concurrent writers, symbolic links and secret hygiene, on the
//! real binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use k8s_s3_spark::emit::FileTree;
use k8s_s3_spark::{config, emit, pipeline, write};

use crate::harness::{EXAMPLE, all, run_bounded, text, tool};

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir("tests/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn every_bad_config_exits_2_with_file_position_and_fix_in_bounded_resources() {
    let files = corpus();
    assert!(files.len() >= 60, "the corpus has {} files", files.len());
    let dir = tempfile::tempdir().unwrap();
    for file in &files {
        let f = file.to_str().unwrap();
        let out = dir.path().join("out");
        let o = run_bounded(&["render", f, "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{f}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.starts_with(&format!("{f}:")),
            "{f}: names the file: {err}"
        );
        assert!(
            err.contains("help: ") || err.contains("more anchors"),
            "{f}: says how to fix it: {err}"
        );
        assert!(!out.exists(), "{f}: nothing written");
        assert!(o.stdout.is_empty());
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.yaml");
    let mut text = String::from(
        "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: x\n  namespace: y\n#",
    );
    text.push_str(&"x".repeat(50 << 20));
    fs::write(&file, text).unwrap();
    let o = run_bounded(&["validate", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        all(&o).contains("is larger than 1048576 bytes"),
        "{}",
        all(&o)
    );
}

/// The files `render --out` writes for the example with or without `--env prod`.
fn plain_tree(env: Option<&str>) -> FileTree {
    let config = config::load(Path::new(EXAMPLE)).unwrap();
    let job = config.resolve(env).unwrap();
    emit::plain::tree(&pipeline::manifests(job, None).unwrap())
}

fn is_exactly(tree: &FileTree, dir: &Path) -> bool {
    write::check(tree, dir).unwrap().is_empty()
        && fs::read_dir(dir).unwrap().count() == tree.len() + 1 // plus the ownership marker
}

#[test]
fn a_write_killed_at_any_point_leaves_the_old_tree_or_the_new_one() {
    let (base, prod) = (plain_tree(None), plain_tree(Some("prod")));
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("manifests");
    let out_s = out.to_str().unwrap();
    let mut kills = 0;
    for i in 0..60u64 {
        let mut args = vec!["render", EXAMPLE, "--out", out_s];
        if i % 2 == 1 {
            args.extend(["--env", "prod"]);
        }
        let mut child = tool()
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Spread the kill over the write: 0 to 12 ms after the start, in 0.2 ms steps.
        std::thread::sleep(Duration::from_micros((i * 1_237) % 12_000));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        if out.exists() {
            assert!(
                is_exactly(&base, &out) || is_exactly(&prod, &out),
                "mixed tree after kill {i}"
            );
        }
    }
    assert!(kills >= 5, "only {kills} runs were killed before finishing");
    // The next write cleans up the staging folders the killed runs left behind.
    let o = tool()
        .args(["render", EXAMPLE, "--out", out_s])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(is_exactly(&base, &out));
    let left: Vec<_> = fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["manifests"], "staging folders are cleaned up");
}

#[test]
fn concurrent_writers_wait_for_each_other() {
    let (base, prod) = (plain_tree(None), plain_tree(Some("prod")));
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("manifests");
    let out_s = out.to_str().unwrap();
    let children: Vec<_> = (0..8)
        .map(|i| {
            let mut args = vec!["render", EXAMPLE, "--out", out_s];
            if i % 2 == 1 {
                args.extend(["--env", "prod"]);
            }
            tool()
                .args(&args)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }
    assert!(is_exactly(&base, &out) || is_exactly(&prod, &out));
    assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn symbolic_links_are_never_followed() {
    let root = tempfile::tempdir().unwrap();
    let secret = root.path().join("outside-secret.txt");
    fs::write(&secret, "TOP-SECRET-CONTENT").unwrap();
    let out = root.path().join("manifests");
    let out_s = out.to_str().unwrap();
    assert_eq!(
        tool()
            .args(["render", EXAMPLE, "--out", out_s])
            .status()
            .unwrap()
            .code(),
        Some(0)
    );
    // A generated file replaced by a link to something outside the folder.
    fs::remove_file(out.join("07-job.yaml")).unwrap();
    std::os::unix::fs::symlink(&secret, out.join("07-job.yaml")).unwrap();
    let check = tool()
        .args(["render", EXAMPLE, "--out", out_s, "--check"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    assert!(!all(&check).contains("TOP-SECRET"), "{}", all(&check));
    assert!(text(&check.stdout).contains("not a regular file"));
    assert_eq!(
        tool()
            .args(["render", EXAMPLE, "--out", out_s])
            .status()
            .unwrap()
            .code(),
        Some(0)
    );
    assert!(
        !fs::symlink_metadata(out.join("07-job.yaml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_to_string(&secret).unwrap(), "TOP-SECRET-CONTENT");
    // An output path that is itself a link is refused.
    let link = root.path().join("link");
    std::os::unix::fs::symlink(root.path(), &link).unwrap();
    let o = tool()
        .args(["render", EXAMPLE, "--out", link.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("symbolic link"));
}

/// Every command, on a config and credentials holding unique canary values: the values appear
/// only in the Secret the user asked for.
#[test]
fn canary_secret_values_appear_only_where_asked_for() {
    let id = "AKIACANARYID00000042";
    let secret = "canary-SECRET-value-7f3e9b";
    use base64::Engine as _;
    let encoded: Vec<String> = [id, secret]
        .iter()
        .map(|v| base64::engine::general_purpose::STANDARD.encode(v))
        .collect();
    let needles: Vec<&str> = [id, secret]
        .into_iter()
        .chain(encoded.iter().map(String::as_str))
        .collect();

    let root = tempfile::tempdir().unwrap();
    let creds = root.path().join("credentials");
    fs::write(
        &creds,
        format!("[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let creds_s = creds.to_str().unwrap();
    // The canary also sits in the environment of every run, where a careless tool might pick it up.
    let with_env = |args: &[&str]| {
        tool()
            .args(args)
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret)
            .output()
            .unwrap()
    };
    let d = |name: &str| root.path().join(name).to_str().unwrap().to_owned();
    let (chart, kz, plain, init, app) = (d("chart"), d("kz"), d("plain"), d("init"), d("app"));
    let runs: Vec<(Vec<String>, Output)> = [
        vec!["render", EXAMPLE],
        vec!["render", EXAMPLE, "--env", "prod", "--out", &plain],
        vec!["render", EXAMPLE, "--out", &plain, "--check"],
        vec![
            "render",
            EXAMPLE,
            "--aws-profile",
            "missing",
            "--aws-credentials",
            creds_s,
        ],
        vec!["render", "examples/irsa/spark-job.yaml", "--aws-env"],
        vec!["render", "tests/invalid/reserved-confs.yaml", "--aws-env"],
        vec!["chart", EXAMPLE, "--out", &chart],
        vec!["chart", EXAMPLE, "--out", &chart, "--check"],
        vec!["kustomize", EXAMPLE, "--out", &kz],
        vec!["kustomize", EXAMPLE, "--out", &kz, "--check"],
        vec!["operator", EXAMPLE],
        vec!["operator", EXAMPLE, "--env", "prod", "--out", &app],
        vec!["operator", EXAMPLE, "--out", &app, "--check"],
        vec!["operator", "examples/irsa/spark-job.yaml", "--aws-env"],
        vec![
            "validate",
            "examples",
            "tests/invalid/web-identity-old-hadoop.yaml",
        ],
        vec!["schema"],
        vec!["init", &init],
    ]
    .into_iter()
    .map(|args| {
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = with_env(&refs);
        (args, o)
    })
    .collect();
    for (args, o) in &runs {
        let all = all(o);
        for needle in &needles {
            assert!(!all.contains(needle), "{args:?} printed a secret value");
        }
    }
    // Configs that carry the canaries themselves, where a user might paste them: credential
    // settings (per-bucket keys, an encryption key, a password) and fields that take names or
    // text. Every command refuses them (exit 2) without repeating them, and writes nothing.
    let key_shaped = "wJalrCANARYUtnFEMI/K7MDENG/bPxRfiCY42424";
    assert_eq!(key_shaped.len(), 40);
    let example = fs::read_to_string(EXAMPLE).unwrap();
    let carriers = [
        format!(
            "  hadoopConf:\n    fs.s3a.bucket.raw.access.key: {id}\n    fs.s3a.bucket.raw.secret.key: {secret}\n"
        ),
        format!(
            "  hadoopConf:\n    fs.s3a.encryption.key: {secret}\n    fs.s3a.bucket.raw.session.token: {secret}\n"
        ),
        format!(
            "  sparkConf:\n    spark.hadoop.fs.s3a.bucket.raw.secret.key: {secret}\n    spark.ssl.keyStorePassword: {secret}\n"
        ),
    ];
    let pasted = example.replace(
        "        name: aws-secrets\n",
        &format!("        name: aws-secrets\n        accessKeyIdKey: {id}\n        secretAccessKeyKey: {key_shaped}\n"),
    );
    assert_ne!(pasted, example);
    let in_arguments = example.replacen(
        "  arguments:\n",
        &format!("  arguments:\n    - {id}\n    - {key_shaped}\n"),
        1,
    );
    let configs: Vec<String> = carriers
        .iter()
        .map(|c| example.replacen("  driver:\n", &format!("{c}  driver:\n"), 1))
        .chain([
            pasted,
            in_arguments,
            example.replacen(
                "  driver:\n",
                &format!("  driver:\n    env:\n      - name: KEY\n        value: {key_shaped}\n"),
                1,
            ),
        ])
        .collect();
    // The configs hold the canaries on purpose: keep them out of the folder scanned below.
    let carriers_dir = tempfile::tempdir().unwrap();
    for (i, config) in configs.iter().enumerate() {
        let file = carriers_dir.path().join(format!("carrier-{i}.yaml"));
        fs::write(&file, config).unwrap();
        let file_s = file.to_str().unwrap();
        let out = d(&format!("carrier-out-{i}"));
        // Refused for the credential, not for anything else about the file.
        let v = with_env(&["validate", file_s]);
        assert!(
            !text(&v.stderr).contains("duplicate key"),
            "{}",
            text(&v.stderr)
        );
        for args in [
            vec!["validate", file_s],
            vec!["render", file_s],
            vec!["chart", file_s, "--out", &out],
            vec!["kustomize", file_s, "--out", &out],
            vec!["operator", file_s, "--out", &out],
        ] {
            let o = with_env(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", all(&o));
            let all = all(&o);
            for needle in needles.iter().chain([&key_shaped]) {
                assert!(
                    !all.contains(needle),
                    "{args:?} printed a secret value:\n{all}"
                );
            }
            assert!(!Path::new(&out).exists(), "{args:?} wrote output");
        }
    }
    // The one place values may appear: the Secret asked for with --aws-profile / --aws-env.
    let asked = with_env(&[
        "render",
        EXAMPLE,
        "--aws-profile",
        "default",
        "--aws-credentials",
        creds_s,
    ]);
    assert!(text(&asked.stdout).contains(&encoded[1]) && asked.stderr.is_empty());
    // ...and drift checks against a tree holding it never show it.
    let secret_tree = d("secret-tree");
    assert_eq!(
        with_env(&["render", EXAMPLE, "--aws-env", "--out", &secret_tree])
            .status
            .code(),
        Some(0)
    );
    let drift = with_env(&[
        "render",
        EXAMPLE,
        "--env",
        "prod",
        "--aws-env",
        "--out",
        &secret_tree,
        "--check",
    ]);
    assert!(!needles.iter().any(|n| all(&drift).contains(n)));
    // No generated file outside the asked-for Secret holds a value.
    let mut pending = vec![root.path().to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path != creds && !path.ends_with("secret-tree/04-secret.yaml") {
                let content = fs::read_to_string(&path).unwrap_or_default();
                assert!(
                    !needles.iter().any(|n| content.contains(n)),
                    "{} holds a secret value",
                    path.display()
                );
            }
        }
    }
}

/// A config whose `path` (a JSON pointer) in the example is set to `value`, as YAML text.
fn example_with(path: &str, value: serde_json::Value) -> String {
    let text = fs::read_to_string(EXAMPLE).unwrap();
    let mut doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let (parent, key) = path.rsplit_once('/').unwrap();
    let mut node = &mut doc;
    for segment in parent.split('/').skip(1) {
        node = node
            .as_object_mut()
            .unwrap()
            .entry(segment)
            .or_insert_with(|| serde_json::json!({}));
    }
    node[key] = value;
    serde_saphyr::to_string(&doc).unwrap()
}

/// The API server refuses an object whose annotations total over 256 KiB: so does the tool,
/// counting `metadata.annotations` (on every object) with each pod's own.
#[test]
fn annotations_the_api_server_would_refuse_are_refused() {
    let big = "x".repeat(140 * 1024);
    let refused = |path: &str, annotations: serde_json::Value| {
        let text = example_with(path, annotations);
        match config::parse(Path::new("big.yaml"), text.as_bytes()) {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        }
    };
    let one = serde_json::json!({"example.com/a": big});
    assert_eq!(refused("/metadata/annotations", one.clone()), None);
    assert_eq!(refused("/spec/driver/annotations", one.clone()), None);
    let two = serde_json::json!({"example.com/a": big, "example.com/b": big});
    let e = refused("/metadata/annotations", two.clone()).expect("refused");
    assert!(
        e.contains("`metadata.annotations`") && e.contains("256 KiB"),
        "{e}"
    );
    // Each within the limit, together over it on the driver's pod.
    let text = example_with("/metadata/annotations", one.clone());
    let mut doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    doc["spec"]["driver"]["annotations"] = one;
    let e = config::parse(
        Path::new("big.yaml"),
        serde_saphyr::to_string(&doc).unwrap().as_bytes(),
    )
    .map(|_| ())
    .expect_err("refused");
    assert!(e.to_string().contains("`spec.driver.annotations`"), "{e}");
    // The executor's pod template carries its annotations onto the pods too.
    doc["spec"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("annotations");
    doc["spec"]["executor"]["podTemplate"] =
        serde_json::json!({"metadata": {"annotations": {"example.com/t": big}}});
    let e = config::parse(
        Path::new("big.yaml"),
        serde_saphyr::to_string(&doc).unwrap().as_bytes(),
    )
    .map(|_| ())
    .expect_err("refused");
    assert!(
        e.to_string()
            .contains("`spec.executor.podTemplate.metadata.annotations`"),
        "{e}"
    );
}

#[test]
fn keys_typed_on_the_command_line_are_never_repeated() {
    let id = "AKIAIOSFODNN7EXAMPLE";
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let encoded = secret.replace('/', "%2F");
    let in_path = format!("/nonexistent/{secret}");
    let url = format!("s3a://b/{secret}/part-0");
    let encoded_url = format!("s3a://data-bucket/{encoded}/x");
    let flag = format!("--{id}");
    let version = format!("1.0.0-{id}");
    let runs: [&[&str]; 12] = [
        &[
            "chart",
            EXAMPLE,
            "--out",
            "/nonexistent/chart",
            "--chart-version",
            &version,
        ],
        // Refused by the command-line parser, which quotes what it refuses.
        &["validate", "--jobs", secret, "x.yaml"],
        &["render", EXAMPLE, &flag],
        &[id],
        &["versions", "--spark", id],
        &["versions", "--spark", secret],
        &["doctor", &in_path],
        &["build-plan", &format!("/nonexistent/{id}.yaml")],
        &["render", EXAMPLE, "--env", id],
        &["validate", &in_path],
        &["check-s3", "--anonymous", &url],
        &[
            "check-s3",
            "--anonymous",
            &encoded_url,
            "--endpoint",
            "http://127.0.0.1:9",
        ],
    ];
    for args in runs {
        let o = run_bounded(args);
        let all = format!("{}{}", text(&o.stdout), text(&o.stderr));
        assert_ne!(o.status.code(), Some(0), "{args:?}: {all}");
        for needle in [id, secret, &encoded, "EXAMPLEKEY", "wJalrXUtnFEMI"] {
            assert!(!all.contains(needle), "{args:?} repeats a key: {all}");
        }
        assert!(
            all.contains(k8s_s3_spark::redact::REDACTED),
            "{args:?}: {all}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_key_in_a_file_name_is_hidden_also_after_escaping() {
    let dir = tempfile::tempdir().unwrap();
    let name = "\u{1}AKIAIOSFODNN7EXAMPLE.yaml";
    fs::copy("examples/minio/spark-job.yaml", dir.path().join(name)).unwrap();
    let path = dir.path().to_str().unwrap();
    for format in ["text", "json", "sarif"] {
        let o = run_bounded(&["validate", "--format", format, path]);
        assert_eq!(o.status.code(), Some(0), "{}", all(&o));
        assert!(
            !all(&o).contains("AKIAIOSFODNN7EXAMPLE"),
            "{format}: {}",
            all(&o)
        );
    }
}
