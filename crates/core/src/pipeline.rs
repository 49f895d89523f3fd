//! The library pipeline: a checked config in, checked objects and file trees out. What the
//! commands, tests, fuzz targets and benches call; `commands` only adapts the command line to it
//! (arguments in, text and exit codes out).

use std::path::Path;

use crate::config::{self, Config, ConfigError, ResolvedJob};
use crate::credentials::AwsKeys;
use crate::diagnostics::{Code, Diagnostics, Failure};
use crate::emit::helm::{self, HelmError};
use crate::emit::operator::{self, OperatorError, OperatorForm};
use crate::emit::{FileTree, kustomize};
use crate::k8s::shape::Shapes;
use crate::k8s::{self, K8sError};

/// Why the pipeline stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The config could not be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Objects could not be built or failed their checks.
    #[error(transparent)]
    K8s(#[from] K8sError),
    /// The chart could not be generated.
    #[error(transparent)]
    Helm(#[from] HelmError),
    /// The job has no Spark Operator form.
    #[error(transparent)]
    Operator(#[from] OperatorError),
}

impl PipelineError {
    /// The error this one holds.
    fn cause(&self) -> &dyn Failure {
        match self {
            Self::Config(e) => e,
            Self::K8s(e) => e,
            Self::Helm(e) => e,
            Self::Operator(e) => e,
        }
    }
}

impl Failure for PipelineError {
    fn is_users_fault(&self) -> bool {
        self.cause().is_users_fault()
    }

    fn help(&self) -> Option<String> {
        self.cause().help()
    }
}

/// Builds and checks the manifests of one job.
pub fn manifests(
    job: &ResolvedJob,
    keys: Option<&AwsKeys>,
) -> Result<Vec<k8s::Manifest>, K8sError> {
    manifests_with(&mut k8s::Builder::default(), job, keys)
}

/// [`manifests`] with a builder shared by the jobs of one config.
fn manifests_with(
    builder: &mut k8s::Builder,
    job: &ResolvedJob,
    keys: Option<&AwsKeys>,
) -> Result<Vec<k8s::Manifest>, K8sError> {
    let bundle = builder.build(job, keys)?;
    k8s::check::check(&bundle)?;
    Ok(bundle.manifests())
}

/// The Spark Operator form of `job` (the base of `config`, or its environment `env`), its
/// objects built and checked as for [`manifests`]. A job it cannot take is a finding on the
/// config's `spec.sparkVersion`.
pub fn operator_form(
    config: &Config,
    env: Option<&str>,
    job: &ResolvedJob,
    keys: Option<&AwsKeys>,
) -> Result<OperatorForm, PipelineError> {
    let bundle = k8s::build(job, keys)?;
    match operator::form(job, &bundle) {
        Err(e @ OperatorError::NoPodTemplates(_)) => {
            let mut finding =
                config.finding(env, Code::NeedsNewer, "spec.sparkVersion", &e.to_string());
            if let Some(help) = e.help() {
                finding = finding.help(help);
            }
            Err(ConfigError::Invalid(Diagnostics(vec![finding])).into())
        }
        other => Ok(other?),
    }
}

/// The Kustomize tree of a config: the base and every environment, each built and checked.
pub fn kustomize_tree(config: &Config, file: &Path) -> Result<FileTree, PipelineError> {
    let mut builder = k8s::Builder::default();
    let base_job = config.resolve(None)?;
    let base_manifests = manifests_with(&mut builder, base_job, None)?;
    let mut envs = Vec::new();
    for name in config.environment_names() {
        let job = config.resolve(Some(name))?;
        let m = manifests_with(&mut builder, job, None)?;
        envs.push((name, job, m));
    }
    let file = file.file_name().map_or_else(
        || "spark-job.yaml".into(),
        |f| crate::syntax::shown_file_name(&f.to_string_lossy()),
    );
    let base = kustomize::Rendered {
        job: base_job,
        manifests: &base_manifests,
    };
    let rendered: Vec<(&str, kustomize::Rendered<'_>)> = envs
        .iter()
        .map(|(n, j, m)| {
            (
                *n,
                kustomize::Rendered {
                    job: j,
                    manifests: m,
                },
            )
        })
        .collect();
    Ok(kustomize::tree(&base, &rendered, &file))
}

/// Checks one config fully: every environment builds, and its objects pass the rules and the
/// Kubernetes schemas.
pub fn check_config(file: &Path) -> Result<(Config, usize), PipelineError> {
    Validator::default().check_config(file)
}

/// Checks configs one after another (what `validate` does per worker), sharing the schema check
/// of objects shaped alike across them: the schemas constrain no string's content (see
/// `k8s::shape`), so an object shaped like one that passed gets the same verdict. Every config
/// still gets every other check; the verdicts are those of [`check_config`] on each alone.
#[derive(Debug, Default)]
pub struct Validator {
    shapes: Shapes,
}

impl Validator {
    /// [`check_config`], skipping the schema check of shapes that passed in earlier configs.
    /// Returns the config and how many objects its environments have.
    pub fn check_config(&mut self, file: &Path) -> Result<(Config, usize), PipelineError> {
        let checked = self.check(file);
        if checked.is_ok() {
            self.shapes.commit();
        } else {
            self.shapes.discard();
        }
        checked
    }

    fn check(&mut self, file: &Path) -> Result<(Config, usize), PipelineError> {
        let config = config::load(file)?;
        let mut builder = k8s::Builder::default();
        let mut unchecked = Vec::new();
        let mut objects = 0;
        for env in std::iter::once(None).chain(config.environment_names().map(Some)) {
            let bundle = builder.build(config.resolve(env)?, None)?;
            objects += k8s::check::check(&bundle)?;
            unchecked.extend(bundle.manifests_of_new_shapes(&mut self.shapes));
        }
        k8s::check::check_schemas(&unchecked)?;
        Ok((config, objects))
    }
}

/// The Helm chart of a config's base job with a values file per environment; every environment's
/// objects are checked first as `render`'s are. `config_file` is named in Chart.yaml.
pub fn chart(
    config: &Config,
    config_file: &str,
    chart_version: &str,
) -> Result<FileTree, PipelineError> {
    let job = config.resolve(None)?;
    manifests(job, None)?;
    let mut environments = Vec::new();
    for name in config.environment_names() {
        let env = config.resolve(Some(name))?;
        manifests(env, None)?;
        environments.push((name, env));
    }
    Ok(helm::chart(job, &environments, config_file, chart_version)?)
}

#[cfg(test)]
mod tests {

    use super::{Validator, check_config};
    use crate::config;
    use crate::k8s::shape::Shapes;
    use crate::k8s::{self, check};

    /// One validator over many configs gives each the verdict and object count that
    /// `check_config` gives it alone, whatever came before: valid configs, an unknown field and
    /// a bad name (both refused before any object is built), each twice. What a failing config
    /// leaves behind is `Shapes`' own test (`only_committed_shapes_skip_the_check`).
    #[test]
    fn a_validator_gives_each_config_its_own_verdict() {
        let root = crate::repo_root();
        let dir = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for example in ["amazon-reviews", "minio", "irsa"] {
            files.push(root.join("examples").join(example).join("spark-job.yaml"));
        }
        let text = std::fs::read_to_string(&files[0]).unwrap();
        for (name, broken) in [
            (
                "bad-field.yaml",
                text.replace("  executor:\n", "  executer:\n"),
            ),
            (
                "bad-label.yaml",
                text.replace("name: simple-read", "name: Simple_Read"),
            ),
        ] {
            assert_ne!(broken, text);
            std::fs::write(dir.path().join(name), broken).unwrap();
            files.insert(1, dir.path().join(name));
        }
        files.extend(files.clone());
        let mut validator = Validator::default();
        for file in &files {
            let alone = check_config(file)
                .map(|(_, n)| n)
                .map_err(|e| e.to_string());
            let shared = validator
                .check_config(file)
                .map(|(_, n)| n)
                .map_err(|e| e.to_string());
            assert_eq!(shared, alone, "{}", file.display());
            let bad = file.to_string_lossy().contains("bad-");
            assert_eq!(shared.is_err(), bad, "{}: {shared:?}", file.display());
        }
    }

    /// `validate` checks one object of each shape: environments that change only strings (the
    /// namespace, the image, sizes inside arguments) add nothing to check; one that changes the
    /// structure adds exactly the objects it changes; and what is left out passes anyway.
    #[test]
    fn environments_share_the_schema_check_of_objects_shaped_alike() {
        let example = crate::repo_root().join("examples/amazon-reviews/spark-job.yaml");
        let text = std::fs::read_to_string(example).unwrap()
            + "    more-settings:\n      sparkConf:\n        spark.sql.shuffle.partitions: \"8\"\n";
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("spark-job.yaml");
        std::fs::write(&file, text).unwrap();
        let config = config::load(&file).unwrap();
        let mut builder = k8s::Builder::default();
        let mut shapes = Shapes::default();
        let base = builder.build(config.resolve(None).unwrap(), None).unwrap();
        assert_eq!(
            base.manifests_of_new_shapes(&mut shapes),
            base.manifests(),
            "the first bundle is checked whole"
        );
        for env in config.environment_names() {
            let bundle = builder
                .build(config.resolve(Some(env)).unwrap(), None)
                .unwrap();
            let left: Vec<&str> = bundle
                .manifests_of_new_shapes(&mut shapes)
                .iter()
                .map(|m| m.kind)
                .collect();
            // One more setting is two more spark-submit arguments: the Job alone changes shape.
            let expected: &[&str] = if env == "more-settings" {
                &["Job"]
            } else {
                &[]
            };
            assert_eq!(left, expected, "{env}");
            check::check_schemas(&bundle.manifests()).unwrap();
        }
    }
}
