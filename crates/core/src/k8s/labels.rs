//! The `app.kubernetes.io/*` recommended labels every generated object carries.

use std::collections::BTreeMap;

use crate::config::SparkJob;

/// The prefix of the recommended labels; users may not set labels under it.
pub const RECOMMENDED_PREFIX: &str = crate::syntax::RECOMMENDED_LABEL_PREFIX;
/// `app.kubernetes.io/managed-by` of everything we generate.
pub const MANAGED_BY: &str = "k8s-s3-spark";

/// What part of the job an object is (`app.kubernetes.io/component`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// ServiceAccount, Role, RoleBinding.
    Rbac,
    /// The credentials Secret.
    Credentials,
    /// The pod templates ConfigMap.
    PodTemplates,
    /// The Job running spark-submit.
    Submitter,
    /// The Spark driver pod.
    Driver,
    /// The Spark executor pods.
    Executor,
}

impl Component {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rbac => "rbac",
            Self::Credentials => "credentials",
            Self::PodTemplates => "pod-templates",
            Self::Submitter => "submitter",
            Self::Driver => "driver",
            Self::Executor => "executor",
        }
    }
}

/// The labels that select this job's pods: name and instance.
pub fn selector_labels(job: &SparkJob) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            format!("{RECOMMENDED_PREFIX}name"),
            job.metadata.name.clone(),
        ),
        (
            format!("{RECOMMENDED_PREFIX}instance"),
            job.metadata.name.clone(),
        ),
    ])
}

/// The application's version (`app.kubernetes.io/version`): `metadata.version`, else the image's
/// tag; `None` for an image by digest alone. The rules made sure either is a label value.
pub fn app_version(job: &SparkJob) -> Option<String> {
    job.metadata.version.clone().or_else(|| {
        crate::syntax::image_ref(&job.spec.image)
            .ok()?
            .tag
            .map(str::to_owned)
    })
}

/// The labels of one generated object: the user's, then the recommended set.
pub fn labels(job: &SparkJob, component: Component) -> BTreeMap<String, String> {
    JobLabels::new(job).of(component)
}

/// The labels every object of one job shares, made once per job; [`JobLabels::of`] adds the
/// component.
#[derive(Debug, Clone)]
pub struct JobLabels(BTreeMap<String, String>);

impl JobLabels {
    /// The user's labels, then the recommended set but the component.
    pub fn new(job: &SparkJob) -> Self {
        let mut labels = job.metadata.labels.clone();
        labels.extend(selector_labels(job));
        if let Some(version) = app_version(job) {
            labels.insert(format!("{RECOMMENDED_PREFIX}version"), version);
        }
        labels.extend([
            (format!("{RECOMMENDED_PREFIX}part-of"), "spark".to_owned()),
            (
                format!("{RECOMMENDED_PREFIX}managed-by"),
                MANAGED_BY.to_owned(),
            ),
        ]);
        Self(labels)
    }

    /// The labels of one object of the job.
    pub fn of(&self, component: Component) -> BTreeMap<String, String> {
        let mut labels = self.0.clone();
        labels.insert(
            format!("{RECOMMENDED_PREFIX}component"),
            component.as_str().to_owned(),
        );
        labels
    }

    /// [`spark_pod_labels`] of the job.
    pub fn spark_pod(&self, component: Component) -> BTreeMap<String, String> {
        let mut labels = self.of(component);
        labels.remove(&format!("{RECOMMENDED_PREFIX}managed-by"));
        labels
    }
}

/// The labels Spark puts on the driver or executor pods besides the user's: the recommended set
/// without managed-by, since Spark manages those pods, not us.
pub fn spark_pod_labels(job: &SparkJob, component: Component) -> BTreeMap<String, String> {
    JobLabels::new(job).spark_pod(component)
}
