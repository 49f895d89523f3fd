//! The Helm chart (apiVersion v2) of a job: Chart.yaml, commented values.yaml, values.schema.json,
//! a README with the values table, and templates from `chart-templates/` (sources in a Tera-like
//! syntax, [`template`], embedded in the binary; Go-template text inside `{% raw %}`). The
//! generator fills in what is fixed when the chart is generated (versions, credentials kind, provider class); everything a user tunes with `--set`
//! flows through values and the helpers in `_helpers.tpl`.

mod args;
mod template;
mod values;
mod values_yaml;

pub use values::ChartValues;

use std::path::Path;

use serde_json::json;

use super::FileTree;
use crate::config::ResolvedJob;
use crate::config::SparkJob;
use crate::config::model::{ConcurrencyPolicy, S3Credentials};
use crate::config::pod_template;
use crate::k8s::ExternalSecret;
use crate::k8s::labels::{self, Component};
use crate::k8s::policy;
use crate::k8s::rbac::{self, PodRole};
use crate::spark::{settings, submit};
use crate::yaml;
use k8s_openapi::Resource;

/// The chart sources, by the path of the file they produce.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "Chart.yaml",
        include_str!("../../../chart-templates/Chart.yaml.tera"),
    ),
    (
        ".helmignore",
        include_str!("../../../chart-templates/.helmignore.tera"),
    ),
    (
        "templates/_helpers.tpl",
        include_str!("../../../chart-templates/templates/_helpers.tpl.tera"),
    ),
    (
        "templates/NOTES.txt",
        include_str!("../../../chart-templates/templates/NOTES.txt.tera"),
    ),
    (
        "templates/namespace.yaml",
        include_str!("../../../chart-templates/templates/namespace.yaml.tera"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("../../../chart-templates/templates/serviceaccount.yaml.tera"),
    ),
    (
        "templates/role.yaml",
        include_str!("../../../chart-templates/templates/role.yaml.tera"),
    ),
    (
        "templates/rolebinding.yaml",
        include_str!("../../../chart-templates/templates/rolebinding.yaml.tera"),
    ),
    (
        "templates/secret.yaml",
        include_str!("../../../chart-templates/templates/secret.yaml.tera"),
    ),
    (
        "templates/externalsecret.yaml",
        include_str!("../../../chart-templates/templates/externalsecret.yaml.tera"),
    ),
    (
        "templates/pod-templates.yaml",
        include_str!("../../../chart-templates/templates/pod-templates.yaml.tera"),
    ),
    (
        "templates/job.yaml",
        include_str!("../../../chart-templates/templates/job.yaml.tera"),
    ),
    (
        "templates/tests/test-s3-access.yaml",
        include_str!("../../../chart-templates/templates/tests/test-s3-access.yaml.tera"),
    ),
];

/// Why a chart could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// A chart template failed to parse or render (a bug in this tool).
    #[error("internal error: chart template {template}: {source}")]
    Template {
        /// The template.
        template: String,
        /// The reason.
        #[source]
        source: template::TemplateError,
    },
}

/// A chart that cannot be generated is this tool's fault.
impl crate::diagnostics::Failure for HelmError {
    fn is_users_fault(&self) -> bool {
        false
    }
}

/// Parses every embedded template, so a mistake in the chart sources shows in any test.
pub fn check_templates() -> Result<(), HelmError> {
    for (path, source) in TEMPLATES {
        template::check(source).map_err(|source| HelmError::Template {
            template: (*path).to_owned(),
            source,
        })?;
    }
    Ok(())
}

/// A YAML mapping line `key: "value"` for an annotation.
fn annotation_line(skip: &policy::Skip) -> String {
    let (key, value) = policy::annotation(skip);
    format!("{key}: {}", serde_json::Value::from(value))
}

/// The chart of a job's base configuration, with a `values-ENV.yaml` for each of `environments`
/// whose differences values can carry; `config_file` is named in Chart.yaml.
pub fn chart(
    job: &ResolvedJob,
    environments: &[(&str, &ResolvedJob)],
    config_file: &str,
    chart_version: &str,
) -> Result<FileTree, HelmError> {
    let base_templates = templates(job, config_file, chart_version)?;
    let mut tree = base_templates.clone();
    let values = ChartValues::from_job(job);
    let schema = values.schema();
    tree.add(
        "values.yaml",
        values_yaml::commented(&values, &schema),
        false,
    );
    let mut schema_text = serde_json::to_string_pretty(&schema).expect("schemas are JSON");
    schema_text.push('\n');
    tree.add("values.schema.json", schema_text, false);
    let base_values = serde_json::to_value(&values).expect("values are JSON");
    let mut listed = Vec::new();
    for (name, env) in environments {
        let env_templates = templates(env, config_file, chart_version)?;
        let carried = values_carry(job, &base_templates, env, env_templates);
        listed.push((*name, env.metadata.namespace.as_str(), carried));
        if !carried {
            continue;
        }
        let env_values = serde_json::to_value(ChartValues::from_job(env)).expect("values are JSON");
        let overlay = values_yaml::overlay(&base_values, &env_values).unwrap_or_default();
        tree.add(
            format!("values-{name}.yaml"),
            values_yaml::environment(
                name,
                &env.metadata.name,
                &env.metadata.namespace,
                &overlay,
                &schema,
            ),
            false,
        );
    }
    tree.add("README.md", readme(job, &values, &schema, &listed), false);
    Ok(tree)
}

/// The rendered chart sources of a job (everything but the values files and the README).
fn templates(
    job: &ResolvedJob,
    config_file: &str,
    chart_version: &str,
) -> Result<FileTree, HelmError> {
    let versions = job.versions;
    let rows = settings::table(job, &labels::spark_pod_labels(job, Component::Executor));
    let spec = &job.spec;
    let context = json!({
        "name": job.metadata.name,
        "description": format!("Spark {} job {} on S3, generated by k8s-s3-spark", spec.spark_version, job.metadata.name),
        "app_version": labels::app_version(job),
        "version_label": version_label(job),
        "chart_version": chart_version,
        "config_file": config_file,
        "spark_version": spec.spark_version,
        "hadoop_version": versions.hadoop.to_string(),
        "credentials_provider": job.credentials_provider,
        "pod_templates": crate::spark::versions::uses_pod_templates(versions.spark),
        "secret": matches!(spec.s3.credentials, S3Credentials::Secret(_)),
        "web_identity": matches!(spec.s3.credentials, S3Credentials::WebIdentity(_)),
        "args_block": args::block(&rows, args::JOB_INDENT),
        "test_s3a_block": args::block(&args::s3a_rows(&rows), args::TEST_POD_INDENT),
        "rules": yaml::to_yaml(&json!({ "rules": rbac::rules(job) })).trim_end(),
        "external_secret_api_version": ExternalSecret::API_VERSION,
        "external_secret_kind": ExternalSecret::KIND,
        "submitter_token": rbac::needs_token(PodRole::Driver, job),
        "termination_message_policy": crate::k8s::job::TERMINATION_MESSAGE_POLICY,
        "default_concurrency_policy": ConcurrencyPolicy::default().as_str(),
        "termination_message_path": crate::k8s::job::TERMINATION_MESSAGE_PATH,
        "command_block": indent(&yaml::to_yaml(&json!({ "command": crate::k8s::job::command() })), args::JOB_INDENT),
        "executor_token": rbac::needs_token(PodRole::Executor, job),
        // The tables of a user's pod template merge, for the chart's Go copy of it.
        "joined": go_list(crate::k8s::pod_template::JOINED.iter().copied()),
        "carried_metadata": go_list(pod_template::CARRIED_METADATA.iter().map(|(f, _)| *f)),
        "owned_pod_fields": go_list(pod_template::OWNED_POD_FIELDS.iter().map(|(f, _)| *f)),
        "owned_container_fields": go_list(pod_template::OWNED_CONTAINER_FIELDS.iter().map(|(f, _)| *f)),
        "owned_main_container_fields": go_list(pod_template::OWNED_MAIN_CONTAINER_FIELDS.iter().map(|(f, _)| *f)),
        "high_uid": policy::HIGH_UID,
        // The driver's container size, worked out at install as `render` works it out.
        "mib_branches": mib_branches(),
        "overhead_percent": crate::config::resolved::overhead_percent(spec.app_type),
        "min_overhead_mib": crate::config::resolved::MIN_MEMORY_OVERHEAD_MIB,

        "annotation_image": submit::ANNOTATION_IMAGE,
        "annotation_secret": submit::ANNOTATION_SECRET,
        "annotation_image_field": submit::annotation_field(submit::ANNOTATION_IMAGE),
        "annotation_secret_field": submit::annotation_field(submit::ANNOTATION_SECRET),
        "pod_security_labels": metadata_map(&policy::POD_SECURITY_LABELS),
        "namespace_annotations": metadata_map(&policy::NAMESPACE_KEEP_ANNOTATIONS),
        "token_skip": annotation_line(&policy::TOKEN),
        "uid_skip": annotation_line(&policy::LOW_UID),
        "digest_skip": annotation_line(&policy::TAG_NOT_DIGEST),
        "pull_policy_skip": annotation_line(&policy::PULL_POLICY),
        "network_policy_skip": annotation_line(&policy::NETWORK_POLICY),
        "keys_skip": annotation_line(&policy::KEYS_AS_ENV),
        "test_skips": [
            annotation_line(&policy::TEST_LIVENESS),
            annotation_line(&policy::TEST_READINESS),
            annotation_line(&policy::KEYS_AS_ENV),
        ],
    });
    let mut tree = FileTree::default();
    for (path, source) in TEMPLATES {
        let text = template::render(source, &context).map_err(|source| HelmError::Template {
            template: (*path).to_owned(),
            source,
        })?;
        if !text.trim().is_empty() {
            tree.add(*path, tidy(&text), false);
        }
    }
    Ok(tree)
}

/// The branches of the chart's `k8s-s3-spark.mib` helper (a Spark size in MiB), one per unit of
/// [`syntax::SPARK_MEMORY_UNITS`], so the chart reads sizes with the validator's table.
fn mib_branches() -> String {
    let mut out = String::new();
    for (i, (unit, mib)) in crate::syntax::SPARK_MEMORY_UNITS.iter().enumerate() {
        let keyword = if i == 0 { "if" } else { "else if" };
        let value = match mib {
            0 => "div $n 1024".to_owned(),
            1 => "$n".to_owned(),
            m => format!("mul $n {m}"),
        };
        out.push_str(&format!(
            "{{{{- {keyword} eq $unit \"{unit}\" }}}}{{{{ {value} }}}}\n"
        ));
    }
    out
}

/// Whether the chart of `env` is the chart of `base` but for its values: what the chart fixes at
/// generation (Spark's settings table, the credentials kind, the RBAC rules, an explicit
/// `metadata.version` as appVersion) is the same, so a values file can carry the difference.
/// Chart.yaml's appVersion follows the image tag by default, and the version label then follows
/// `image.tag` itself, so that file is compared only for an explicit version.
fn values_carry(
    base: &ResolvedJob,
    base_templates: &FileTree,
    env: &ResolvedJob,
    mut env_templates: FileTree,
) -> bool {
    if base.metadata.version.is_some() || env.metadata.version.is_some() {
        return *base_templates == env_templates;
    }
    let chart = Path::new("Chart.yaml");
    if let Some(file) = base_templates.get(chart) {
        env_templates.add(chart, file.contents.clone(), file.secret);
    }
    *base_templates == env_templates
}

/// The helper line that gives the version label: `metadata.version` is fixed in the chart as its
/// `appVersion`; by default the version is the image's tag, so it follows `image.tag` (and an
/// image by digest alone has none), as in `render`.
fn version_label(job: &SparkJob) -> &'static str {
    if job.metadata.version.is_some() {
        "app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}"
    } else {
        "{{- with $root.Values.image.tag }}\napp.kubernetes.io/version: {{ . | quote }}\n{{- end }}"
    }
}

/// `text` with every line indented by `prefix`, without the final newline.
/// Constant labels or annotations as the YAML lines of a map under `metadata` (indented 4).
fn metadata_map(pairs: &[(&str, &str)]) -> String {
    let map: std::collections::BTreeMap<&str, &str> = pairs.iter().copied().collect();
    indent(yaml::to_yaml(&map).trim_end(), "    ")
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|line| format!("{prefix}{line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Trims trailing spaces and blank lines at the ends, leaving one final newline.
fn tidy(text: &str) -> String {
    let mut out: String = text
        .trim_matches('\n')
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    out.push('\n');
    out
}

fn readme(
    job: &SparkJob,
    values: &ChartValues,
    schema: &serde_json::Value,
    environments: &[(&str, &str, bool)],
) -> String {
    let name = &job.metadata.name;
    let ns = &job.metadata.namespace;
    let mut environment_section = String::new();
    if !environments.is_empty() {
        environment_section.push_str(
            "## Environments\n\n\
             Each `values-ENV.yaml` holds what the config's environment changes; over `values.yaml` it\n\
             gives the objects `k8s-s3-spark render --env ENV` gives:\n\n```sh\n",
        );
        for (env, namespace, _) in environments.iter().filter(|e| e.2) {
            environment_section.push_str(&format!(
                "helm install {name} ./{name} -n {namespace} -f ./{name}/values-{env}.yaml\n"
            ));
        }
        environment_section.push_str("```\n\n");
        if !environments.iter().any(|e| e.2) {
            environment_section.clear();
        }
        for (env, _, _) in environments.iter().filter(|e| !e.2) {
            environment_section.push_str(&format!(
                "Environment `{env}` has no values file: it changes what this chart fixes when it is\n\
                 generated (the Spark or Hadoop version, the credentials kind, the RBAC rules or the\n\
                 version), so use `k8s-s3-spark render --env {env}` or its Kustomize overlay.\n\n"
            ));
        }
    }
    let upgrade = if values.schedule.is_some() {
        "The Job is a CronJob's: `helm upgrade` changes the schedule and the Job of the runs to come\n\
         (a running one finishes as it started). Run it now with\n\
         `kubectl create job --from=cronjob/CRONJOB NAME`. Values are checked against\n\
         `values.schema.json` by Helm."
    } else {
        "A Job cannot be changed in place, so `helm upgrade` fails for any change to it: to run again,\n\
         `helm uninstall` and install, or install another release beside it (everything a release owns\n\
         is named after it). Values are checked against `values.schema.json` by Helm."
    };
    let mut secret_step = String::new();
    if let Some(secret) = values
        .s3
        .secret
        .as_ref()
        .filter(|s| s.external_secret.is_some())
    {
        let named = if secret.name.is_empty() {
            "`RELEASE-FULLNAME-s3-credentials` (or `s3.secret.name` when set)".to_owned()
        } else {
            format!("`{}` (`s3.secret.name`)", secret.name)
        };
        secret_step = format!(
            "The External Secrets Operator writes the Secret the driver and executors read (keys `{}`, `{}`),\n\
             named {named},\n\
             from the `ExternalSecret` this chart renders. No key is in the chart or its values.\n\n",
            secret.access_key_id_key, secret.secret_access_key_key,
        );
    } else if let Some(secret) = &values.s3.secret {
        secret_step = format!(
            "The driver and executors read their keys from the Secret `{}` (keys `{}`, `{}`). Create it\n\
             once, or let the chart create it from values you keep out of git:\n\n\
             ```sh\n\
             kubectl -n {ns} create secret generic {} \\\n  --from-literal={}=\"$(aws configure get aws_access_key_id)\" \\\n  --from-literal={}=\"$(aws configure get aws_secret_access_key)\"\n\
             # or: helm install ... --set s3.secret.create=true --set s3.secret.accessKeyId=... --set s3.secret.secretAccessKey=...\n\
             ```\n\n",
            secret.name,
            secret.access_key_id_key,
            secret.secret_access_key_key,
            secret.name,
            secret.access_key_id_key,
            secret.secret_access_key_key
        );
    }
    format!(
        "# {name}\n\n\
         A Helm chart generated by k8s-s3-spark: a Job whose pod runs `spark-submit` in client mode, as the\n\
         driver of the Spark {spark} application `{name}` (the Job succeeds exactly when the application does), with its ServiceAccount, Role and RoleBinding. Regenerate it with\n\
         `k8s-s3-spark chart` rather than editing it; tune it with values.\n\n\
         ## Install\n\n\
         {secret_step}\
         ```sh\n\
         helm install {name} ./{name} -n {ns}\n\
         helm install {name} ./{name} -n {ns} --set executor.instances=8 --set image.tag=NEW_TAG\n\
         helm test {name} -n {ns} --logs      # reads every s3.paths URL with the job's credentials\n\
         ```\n\n\
         {upgrade}\n\n\
         {environment_section}\
         ## Values\n\n\
         | Key | Type | Default | Description |\n|---|---|---|---|\n{table}",
        spark = job.spec.spark_version,
        table = values_yaml::table(values, schema),
    )
}

/// Field names as the arguments of a Go template's `list` or `omit`: `"a" "b"`.
fn go_list<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    fields
        .map(|f| format!("{f:?}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        check_templates().unwrap();
    }
}
