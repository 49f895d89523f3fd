//! The library pipeline: a checked config in, checked objects and file trees out. What the
//! commands, tests, fuzz targets and benches call; `commands` only adapts the command line to it
//! (arguments in, text and exit codes out).

use std::path::Path;

use crate::config::{self, Config, ConfigError, ResolvedJob};
use crate::credentials::AwsKeys;
use crate::emit::helm::{self, HelmError};
use crate::emit::{FileTree, kustomize};
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
}

impl PipelineError {
    /// Whether the input is at fault (the user can fix it), rather than this tool.
    pub fn is_users_fault(&self) -> bool {
        match self {
            Self::Config(e) => e.is_users_fault(),
            Self::K8s(e) => e.is_users_fault(),
            Self::Helm(_) => false,
        }
    }

    /// How to fix it, when the user can.
    pub fn help(&self) -> Option<String> {
        match self {
            Self::Config(e) => e.help(),
            Self::K8s(e) => e.help(),
            Self::Helm(_) => None,
        }
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
    let manifests = bundle.manifests();
    k8s::check::check(&bundle, &manifests)?;
    Ok(manifests)
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
    let file = file
        .file_name()
        .map_or_else(|| "spark-job.yaml".into(), |f| f.to_string_lossy());
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
    let config = config::load(file)?;
    let mut builder = k8s::Builder::default();
    let mut all = Vec::new();
    for env in std::iter::once(None).chain(config.environment_names().map(Some)) {
        all.extend(manifests_with(&mut builder, config.resolve(env)?, None)?);
    }
    k8s::check::check_schemas(&all)?;
    Ok((config, all.len()))
}

/// The Helm chart of a config's base job, whose default rendering is checked first as `render`'s
/// objects are; `config_file` is named in Chart.yaml.
pub fn chart(
    job: &ResolvedJob,
    config_file: &str,
    chart_version: &str,
) -> Result<FileTree, PipelineError> {
    manifests(job, None)?;
    Ok(helm::chart(job, config_file, chart_version)?)
}
