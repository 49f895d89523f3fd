//! Golden snapshots (stored under `golden/`): the rendered manifests of every example in every
//! environment, and the messages for every invalid-input fixture. A test below also fails when a
//! snapshot no longer belongs to any input, so stale files cannot pile up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use k8s_s3_spark::config;
use k8s_s3_spark::emit::plain;
use k8s_s3_spark::pipeline::manifests;

fn golden() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../golden");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

fn example_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("spark-job.yaml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn name(dir: &Path) -> String {
    dir.file_name().unwrap().to_string_lossy().into_owned()
}

/// `render-<example>-<env>` for the base (`base`) and every environment.
fn render_snapshots() -> Vec<(String, PathBuf, Option<String>)> {
    let mut out = Vec::new();
    for dir in example_dirs() {
        let file = dir.join("spark-job.yaml");
        let config = config::load(&file).unwrap();
        out.push((format!("render-{}-base", name(&dir)), file.clone(), None));
        for env in config.environment_names() {
            out.push((
                format!("render-{}-{env}", name(&dir)),
                file.clone(),
                Some(env.to_owned()),
            ));
        }
    }
    out
}

#[test]
fn every_example_renders_as_snapshotted() {
    assert!(example_dirs().len() >= 3, "examples/ lost an example");
    for (snapshot, file, env) in render_snapshots() {
        let config = config::load(&file).unwrap();
        assert!(
            config.environment_names().count() >= 2,
            "{}: every example declares two environments",
            file.display()
        );
        let job = config.resolve(env.as_deref()).unwrap();
        let text = plain::stream(&manifests(job, None).unwrap());
        golden().bind(|| insta::assert_snapshot!(snapshot, text));
    }
}

/// `operator-<example>-<env>`: the Spark Operator form of the base and every environment, and
/// the warnings of what it does not carry.
fn operator_snapshots() -> Vec<(String, PathBuf, Option<String>)> {
    render_snapshots()
        .into_iter()
        .map(|(s, file, env)| (s.replacen("render-", "operator-", 1), file, env))
        .collect()
}

#[test]
fn every_example_operator_form_is_as_snapshotted() {
    for (snapshot, file, env) in operator_snapshots() {
        let config = config::load(&file).unwrap();
        let job = config.resolve(env.as_deref()).unwrap();
        let form =
            k8s_s3_spark::pipeline::operator_form(&config, env.as_deref(), job, None).unwrap();
        let mut text = plain::stream(&form.manifests);
        for line in &form.not_carried {
            text.push_str(&format!("# not carried: {line}\n"));
        }
        golden().bind(|| insta::assert_snapshot!(snapshot, text));
    }
}

/// A job with its own pod templates (a fixture, not an example: its images and sidecars are made
/// up, and the examples stay readable without them).
const POD_TEMPLATE_JOB: &str = "tests/pod-template/spark-job.yaml";

/// `pod-template-<form>-<env>`: its plain and operator forms for the base and `prod` (which adds
/// executor GPUs), each with the config's warnings (the fields of the templates the tool
/// overrides); `pod-template-kustomize` its Kustomize tree and `pod-template-chart` its chart.
fn pod_template_snapshots() -> Vec<(String, Option<&'static str>, bool)> {
    let mut out = Vec::new();
    for env in [None, Some("prod")] {
        for operator in [false, true] {
            let form = if operator { "operator" } else { "render" };
            out.push((
                format!("pod-template-{form}-{}", env.unwrap_or("base")),
                env,
                operator,
            ));
        }
    }
    out
}

#[test]
fn the_pod_template_job_is_as_snapshotted() {
    let config = config::load(Path::new(POD_TEMPLATE_JOB)).unwrap();
    for (snapshot, env, operator) in pod_template_snapshots() {
        let job = config.resolve(env).unwrap();
        let mut text = if operator {
            let form = k8s_s3_spark::pipeline::operator_form(&config, env, job, None).unwrap();
            plain::stream(&form.manifests)
        } else {
            plain::stream(&manifests(job, None).unwrap())
        };
        for warning in &config.warnings.0 {
            text.push_str(&format!("# warning: {warning}\n"));
        }
        golden().bind(|| insta::assert_snapshot!(snapshot, text));
    }
    let tree =
        k8s_s3_spark::pipeline::kustomize_tree(&config, Path::new(POD_TEMPLATE_JOB)).unwrap();
    golden().bind(|| insta::assert_snapshot!("pod-template-kustomize", joined(&tree)));
    let chart = k8s_s3_spark::pipeline::chart(&config, "spark-job.yaml", "0.1.0").unwrap();
    golden().bind(|| insta::assert_snapshot!("pod-template-chart", joined(&chart)));
}

/// A file tree as one text: each file under a `=== path ===` header.
fn joined(tree: &k8s_s3_spark::emit::FileTree) -> String {
    let mut out = String::new();
    for (path, file) in tree.iter() {
        out.push_str(&format!("=== {} ===\n", path.display()));
        out.push_str(&String::from_utf8_lossy(&file.contents));
    }
    out
}

#[test]
fn every_example_chart_is_as_snapshotted() {
    for dir in example_dirs() {
        let config = config::load(&dir.join("spark-job.yaml")).unwrap();
        let tree = k8s_s3_spark::pipeline::chart(&config, "spark-job.yaml", "0.1.0").unwrap();
        golden().bind(|| insta::assert_snapshot!(format!("chart-{}", name(&dir)), joined(&tree)));
    }
}

#[test]
fn every_example_kustomize_tree_is_as_snapshotted() {
    for dir in example_dirs() {
        let file = dir.join("spark-job.yaml");
        let config = config::load(&file).unwrap();
        let tree = k8s_s3_spark::pipeline::kustomize_tree(&config, &file).unwrap();
        golden()
            .bind(|| insta::assert_snapshot!(format!("kustomize-{}", name(&dir)), joined(&tree)));
    }
}

/// The repository's `overlays/` folder holds the examples' generated trees; they must be current.
#[test]
fn committed_overlays_are_current() {
    for dir in example_dirs() {
        let file = dir.join("spark-job.yaml");
        let config = config::load(&file).unwrap();
        let tree = k8s_s3_spark::pipeline::kustomize_tree(&config, &file).unwrap();
        let target = Path::new("overlays").join(name(&dir));
        let drift = k8s_s3_spark::write::check(&tree, &target).unwrap();
        assert!(
            drift.is_empty(),
            "{} is stale; run `cargo run -- kustomize {} --out {}`:\n{}",
            target.display(),
            file.display(),
            target.display(),
            k8s_s3_spark::write::describe(&target, &drift)
        );
    }
}

fn invalid_fixtures() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/invalid")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_invalid_fixture_is_refused_with_its_message() {
    assert!(invalid_fixtures().len() >= 20);
    for file in invalid_fixtures() {
        let error = match config::load(&file) {
            Ok(config) => {
                // Fixtures that pass the config checks must fail on the environment they name.
                panic!(
                    "{} was accepted: {:?}",
                    file.display(),
                    config.environment_names().collect::<Vec<_>>()
                )
            }
            Err(e) => e.to_string(),
        };
        let snapshot = format!("invalid-{}", file.file_stem().unwrap().to_string_lossy());
        golden().bind(|| insta::assert_snapshot!(snapshot, error));
    }
}

#[test]
fn no_orphaned_snapshots() {
    let expected: BTreeSet<String> = render_snapshots()
        .into_iter()
        .chain(operator_snapshots())
        .map(|(s, ..)| s)
        .chain(
            invalid_fixtures()
                .iter()
                .map(|f| format!("invalid-{}", f.file_stem().unwrap().to_string_lossy())),
        )
        .chain(pod_template_snapshots().into_iter().map(|(s, ..)| s))
        .chain([
            "pod-template-kustomize".to_owned(),
            "pod-template-chart".to_owned(),
        ])
        .chain(example_dirs().iter().map(|d| format!("chart-{}", name(d))))
        .chain(
            example_dirs()
                .iter()
                .map(|d| format!("kustomize-{}", name(d))),
        )
        .map(|s| format!("{s}.snap"))
        .collect();
    let actual: BTreeSet<String> = std::fs::read_dir("golden")
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .collect();
    let orphans: Vec<_> = actual.difference(&expected).collect();
    assert!(
        orphans.is_empty(),
        "snapshots without an input (delete them): {orphans:?}"
    );
}

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(config::schema::SCHEMA_FILE).unwrap();
    assert!(
        committed == config::schema::json_schema_text(),
        "{} is stale: run `cargo run -- schema > {}`",
        config::schema::SCHEMA_FILE,
        config::schema::SCHEMA_FILE
    );
}

/// A generated page must equal its committed copy; `K8S_S3_SPARK_UPDATE_DOCS=1` rewrites it.
fn assert_committed_page(path: &str, generated: &str) {
    if std::env::var_os("K8S_S3_SPARK_UPDATE_DOCS").is_some() {
        std::fs::write(path, generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "{path} is stale: run `K8S_S3_SPARK_UPDATE_DOCS=1 cargo test --test it golden`"
    );
}

#[test]
fn committed_config_reference_is_current() {
    assert_committed_page(
        config::reference::REFERENCE_FILE,
        &config::reference::markdown(),
    );
}

#[test]
fn committed_operator_mapping_is_current() {
    assert_committed_page(
        "docs/operator-mapping.md",
        &k8s_s3_spark::emit::operator::mapping_doc(),
    );
}

#[test]
fn committed_codes_page_is_current() {
    assert_committed_page("docs/codes.md", &k8s_s3_spark::diagnostics::codes_page());
}

#[test]
fn a_shared_builder_gives_the_objects_each_job_gets_alone() {
    for example in ["amazon-reviews", "minio", "irsa"] {
        let config =
            config::load(Path::new(&format!("examples/{example}/spark-job.yaml"))).unwrap();
        let mut shared = k8s_s3_spark::k8s::Builder::default();
        for env in std::iter::once(None).chain(config.environment_names().map(Some)) {
            let job = config.resolve(env).unwrap();
            assert_eq!(
                shared.build(job, None).unwrap(),
                k8s_s3_spark::k8s::build(job, None).unwrap(),
                "{example} {env:?}"
            );
        }
    }
}
