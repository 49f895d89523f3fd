//! Building every Kubernetes object of one job, typed, in a fixed order: Namespace (if created),
//! ServiceAccount (if created), Role, RoleBinding, Secret (only with key values), ConfigMap with
//! the pod templates (Spark 3.0+), Job.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::Metadata;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::external_secret::{self, ExternalSecret};
use super::labels::{self, Component};
use super::rbac::PodRole;
use super::shape::{self, Shapes};
use super::{K8sError, job, policy, rbac};
use crate::config::ResolvedJob;
use crate::config::SparkJob;
use crate::config::model::IRSA_ANNOTATION;
use crate::config::model::S3Credentials;
use crate::credentials::AwsKeys;
use crate::spark::settings;

/// Every object of one job.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The Namespace, when `spec.createNamespace`.
    pub namespace: Option<Namespace>,
    /// The ServiceAccount, when `spec.serviceAccount.create`.
    pub service_account: Option<ServiceAccount>,
    /// The Role.
    pub role: Role,
    /// The RoleBinding.
    pub role_binding: RoleBinding,
    /// The credentials Secret, only when key values were supplied.
    pub secret: Option<Secret>,
    /// The ExternalSecret that makes the credentials Secret, when the config names a store.
    pub external_secret: Option<ExternalSecret>,
    /// The pod templates, for Spark 3.0+.
    pub pod_templates: Option<ConfigMap>,
    /// The Job running spark-submit: the one-off Job, or each run of the CronJob.
    pub job: Job,
    /// The CronJob that runs the Job, when the config has a schedule; it replaces the Job in
    /// the output.
    pub cron_job: Option<CronJob>,
}

/// One object ready to write: its kind, name and JSON form.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// `kind`, from the k8s-openapi type.
    pub kind: &'static str,
    /// `metadata.name`.
    pub name: String,
    /// The object.
    pub value: serde_json::Value,
}

impl Manifest {
    /// The manifest of a typed object.
    pub fn of<T: Metadata<Ty = ObjectMeta> + Serialize>(object: &T) -> Self {
        Self {
            kind: T::KIND,
            name: object.metadata().name.clone().unwrap_or_default(),
            value: serde_json::to_value(object).expect("typed objects serialize to JSON"),
        }
    }
}

/// Pushes the manifest of `object` when `seen` does not hold its kind and shape yet.
fn push_new_shape<T: Metadata<Ty = ObjectMeta> + Serialize>(
    out: &mut Vec<Manifest>,
    object: Option<&T>,
    seen: Option<&mut Shapes>,
) {
    if let Some(o) = object
        && seen.is_none_or(|seen| seen.is_new(T::KIND, shape::of(o)))
    {
        out.push(Manifest::of(o));
    }
}

impl Bundle {
    /// The objects in their fixed order.
    pub fn manifests(&self) -> Vec<Manifest> {
        self.manifests_of(None)
    }

    /// The objects in their fixed order but for those whose kind and [`shape`](shape::of) are in
    /// `seen`, which gains the others as pending: what is left to schema-check of an environment
    /// once objects of the shapes in `seen` are checked.
    pub fn manifests_of_new_shapes(&self, seen: &mut Shapes) -> Vec<Manifest> {
        self.manifests_of(Some(seen))
    }

    fn manifests_of(&self, mut seen: Option<&mut Shapes>) -> Vec<Manifest> {
        let mut out = Vec::with_capacity(8);
        push_new_shape(&mut out, self.namespace.as_ref(), seen.as_deref_mut());
        push_new_shape(&mut out, self.service_account.as_ref(), seen.as_deref_mut());
        push_new_shape(&mut out, Some(&self.role), seen.as_deref_mut());
        push_new_shape(&mut out, Some(&self.role_binding), seen.as_deref_mut());
        push_new_shape(&mut out, self.secret.as_ref(), seen.as_deref_mut());
        push_new_shape(&mut out, self.external_secret.as_ref(), seen.as_deref_mut());
        push_new_shape(&mut out, self.pod_templates.as_ref(), seen.as_deref_mut());
        match &self.cron_job {
            Some(cron_job) => push_new_shape(&mut out, Some(cron_job), seen),
            None => push_new_shape(&mut out, Some(&self.job), seen),
        }
        out
    }

    /// Each object's kind and metadata, in the fixed order.
    pub fn metadata(&self) -> Vec<(&'static str, &ObjectMeta)> {
        fn entry<T: Metadata<Ty = ObjectMeta>>(o: &T) -> (&'static str, &ObjectMeta) {
            (T::KIND, o.metadata())
        }
        let mut out = Vec::with_capacity(8);
        out.extend(self.namespace.as_ref().map(entry));
        out.extend(self.service_account.as_ref().map(entry));
        out.push(entry(&self.role));
        out.push(entry(&self.role_binding));
        out.extend(self.secret.as_ref().map(entry));
        out.extend(self.external_secret.as_ref().map(entry));
        out.extend(self.pod_templates.as_ref().map(entry));
        match &self.cron_job {
            Some(cron_job) => out.push(entry(cron_job)),
            None => out.push(entry(&self.job)),
        }
        out
    }
}

/// The name of the pod templates ConfigMap.
fn pod_templates_name(job: &SparkJob) -> String {
    format!("{}-pod-templates", job.metadata.name)
}

/// Builds the objects of a checked job (one environment already applied). `keys` are the values
/// for the credentials Secret, when the user asked for one.
pub fn build(job: &ResolvedJob, keys: Option<&AwsKeys>) -> Result<Bundle, K8sError> {
    Builder::default().build(job, keys)
}

/// Builds the bundles of several jobs of one config (the base and its environments), sharing
/// what they have in common: environments seldom change the pod templates, so a template equal
/// to one already written reuses its YAML text, the costliest part of a bundle.
#[derive(Debug, Default)]
pub struct Builder {
    templates: Vec<(Pod, String)>,
}

impl Builder {
    /// The YAML of `pod`, written once per distinct template.
    fn template_yaml(&mut self, pod: Pod) -> String {
        if let Some((_, text)) = self.templates.iter().find(|(p, _)| *p == pod) {
            return text.clone();
        }
        let text = crate::yaml::to_yaml(&pod);
        self.templates.push((pod, text.clone()));
        text
    }

    /// [`build`], remembering the pod templates for the next job.
    pub fn build(&mut self, job: &ResolvedJob, keys: Option<&AwsKeys>) -> Result<Bundle, K8sError> {
        let versions = job.versions;
        let name = &job.metadata.name;
        let namespace = &job.metadata.namespace;
        let job_labels = labels::JobLabels::new(job);
        let meta = |name: &str, component: Component, namespaced: bool| ObjectMeta {
            name: Some(name.to_owned()),
            namespace: namespaced.then(|| namespace.clone()),
            labels: Some(job_labels.of(component)),
            annotations: (!job.metadata.annotations.is_empty())
                .then(|| job.metadata.annotations.clone()),
            ..Default::default()
        };
        let sa_name = job.service_account_name();

        // The namespace is not the job's: it carries no job labels (a prune or delete by the
        // job's labels passes it by) and is kept when the job's objects are removed.
        let namespace_object = job.spec.create_namespace.then(|| {
            let pairs = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect()
            };
            Namespace {
                metadata: ObjectMeta {
                    name: Some(namespace.clone()),
                    labels: Some(pairs(&policy::POD_SECURITY_LABELS)),
                    annotations: Some(pairs(&policy::NAMESPACE_KEEP_ANNOTATIONS)),
                    ..Default::default()
                },
                ..Default::default()
            }
        });

        let service_account = job.spec.service_account.create.then(|| {
            let mut metadata = meta(sa_name, Component::Rbac, true);
            let mut annotations = job.metadata.annotations.clone();
            annotations.extend(job.spec.service_account.annotations.clone());
            if let S3Credentials::WebIdentity(web) = &job.spec.s3.credentials {
                annotations.insert(IRSA_ANNOTATION.to_owned(), web.role_arn.clone());
            }
            metadata.annotations = (!annotations.is_empty()).then_some(annotations);
            ServiceAccount {
                metadata,
                // Each pod says whether it mounts a token (rbac::needs_token). Before Spark 3.0 there
                // are no pod templates to say it for the driver, so the account must mount it.
                automount_service_account_token: crate::spark::versions::uses_pod_templates(
                    versions.spark,
                )
                .then_some(false),
                ..Default::default()
            }
        });

        let role = rbac::role(meta(name, Component::Rbac, true), job);
        let role_binding =
            rbac::role_binding(meta(name, Component::Rbac, true), name, sa_name, namespace);

        let secret_name = job.secret_name().unwrap_or_default();
        let secret = match (&job.spec.s3.credentials, keys) {
            (_, None) => None,
            (S3Credentials::Secret(s), Some(_)) if s.external_secret.is_some() => {
                return Err(K8sError::KeysWithExternalSecret);
            }
            (S3Credentials::Secret(s), Some(keys)) => {
                let encode = |v: &str| ByteString(v.as_bytes().to_vec());
                Some(Secret {
                    metadata: meta(&secret_name, Component::Credentials, true),
                    type_: Some("Opaque".into()),
                    data: Some(BTreeMap::from([
                        (
                            s.access_key_id_key.clone(),
                            encode(keys.access_key_id.expose()),
                        ),
                        (
                            s.secret_access_key_key.clone(),
                            encode(keys.secret_access_key.expose()),
                        ),
                    ])),
                    ..Default::default()
                })
            }
            (_, Some(_)) => return Err(K8sError::KeysWithoutSecret),
        };

        let external_secret = match &job.spec.s3.credentials {
            S3Credentials::Secret(s) => s.external_secret.as_ref().map(|source| {
                external_secret::external_secret(
                    meta(&secret_name, Component::Credentials, true),
                    &secret_name,
                    s,
                    source,
                )
            }),
            _ => None,
        };

        let pod_templates = crate::spark::versions::uses_pod_templates(versions.spark).then(|| {
            let pod = job::executor_template(job, rbac::needs_token(PodRole::Executor, job));
            let data = BTreeMap::from([(job::TEMPLATE_FILE.to_owned(), self.template_yaml(pod))]);
            ConfigMap {
                metadata: meta(&pod_templates_name(job), Component::PodTemplates, true),
                data: Some(data),
                ..Default::default()
            }
        });

        let args = settings::args(&settings::table(
            job,
            &job_labels.spark_pod(Component::Executor),
        ));
        let mut job_meta = meta(name, Component::Submitter, true);
        let mut annotations = job_meta.annotations.take().unwrap_or_default();
        annotations.extend(policy::skip_annotations(job));
        job_meta.annotations = (!annotations.is_empty()).then_some(annotations);
        let mut pod_labels = job_labels.of(Component::Submitter);
        pod_labels.remove(&format!("{}managed-by", labels::RECOMMENDED_PREFIX));
        let cron_job = job
            .spec
            .schedule
            .as_ref()
            .map(|schedule| (job_meta.clone(), schedule));
        let job_object = job::job(
            job_meta,
            pod_labels,
            job,
            rbac::needs_token(PodRole::Driver, job),
            args,
            pod_templates
                .as_ref()
                .and_then(|c| c.metadata.name.as_deref()),
        );

        let cron_job =
            cron_job.map(|(metadata, schedule)| job::cron_job(metadata, &job_object, schedule));
        Ok(Bundle {
            namespace: namespace_object,
            service_account,
            role,
            role_binding,
            secret,
            external_secret,
            pod_templates,
            job: job_object,
            cron_job,
        })
    }
}
