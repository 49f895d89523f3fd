//! A job for one environment that passed every check, with the facts every output form needs
//! worked out once: versions, the image reference, the S3 target and the credentials provider.
//! Only loading makes one ([`super::Config::resolve`] hands them out), so a builder that takes a
//! [`ResolvedJob`] never meets an unchecked config and never works a fact out again.

use std::ops::Deref;

use super::model::{ApplicationType, ResourceAmounts, Resources, S3Credentials, SparkJob};
use crate::spark::versions::{self, CredentialsKind, JobVersions};
use crate::syntax;

/// The image, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `[registry/]repository`.
    pub repository: String,
    /// The tag, if any.
    pub tag: Option<String>,
    /// The digest (`sha256:...`), if any.
    pub digest: Option<String>,
}

/// Where the data is and how S3A reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Target {
    /// The endpoint without a trailing slash; `None` for AWS S3.
    pub endpoint: Option<String>,
    /// TLS: `s3.tls`, else the endpoint's scheme, else true (AWS).
    pub tls: bool,
    /// The signing region, when the Hadoop version can take it (`fs.s3a.endpoint.region`).
    pub region: Option<String>,
    /// Path-style requests.
    pub path_style: bool,
}

/// A checked job for one environment (or the base), with its facts.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedJob {
    job: SparkJob,
    /// The Spark and Hadoop versions.
    pub versions: JobVersions,
    /// The image.
    pub image: Image,
    /// The S3 target.
    pub s3: S3Target,
    /// The S3A credentials provider class for the credentials kind and the SDK of the Hadoop version.
    pub credentials_provider: &'static str,
    /// The resources of the Job's container, which runs the driver: `spec.submitter.resources`,
    /// else worked out from `spec.driver` ([`driver_resources`]).
    pub driver_resources: Resources,
}

/// Spark's minimum memory overhead of a pod, in MiB (`MEMORY_OVERHEAD_MIN_MIB`).
pub const MIN_MEMORY_OVERHEAD_MIB: u64 = 384;

/// Spark's default memory overhead of a pod, in percent of its heap: 10% for JVM applications,
/// 40% for Python and R, whose interpreter shares the pod. Spark raises the factor for Python and
/// R only in cluster mode (its driver feature step); the Job runs Spark in client mode, so the
/// tool sizes the driver's container with it and sets it for the executors
/// (`spark::settings`): one definition for both pods.
pub fn overhead_percent(app_type: ApplicationType) -> u64 {
    match app_type {
        ApplicationType::Python | ApplicationType::R => 40,
        ApplicationType::Java | ApplicationType::Scala => 10,
    }
}

/// A pod's memory in MiB as Spark sizes it: the heap plus `memoryOverhead`, else
/// [`overhead_percent`] of the heap, at least 384 MiB. `None` when a size does not parse (the
/// rules have said so).
pub fn pod_memory_mib(
    heap: &str,
    overhead: Option<&str>,
    app_type: ApplicationType,
) -> Option<u64> {
    let heap = syntax::spark_memory_mib(heap).ok()?;
    let overhead = match overhead {
        Some(o) => syntax::spark_memory_mib(o).ok()?,
        None => (heap * overhead_percent(app_type) / 100).max(MIN_MEMORY_OVERHEAD_MIB),
    };
    Some(heap + overhead)
}

/// The resources of a container that runs the driver of `job`: the CPU it asks for
/// (`coreRequest`, else `cores`) and may use (`coreLimit`, else `cores`); its memory
/// ([`pod_memory_mib`]) as both request and limit. `None` when a memory size does not parse
/// (the rules have said so).
pub fn driver_resources(job: &SparkJob) -> Option<Resources> {
    let driver = job.spec.driver.as_pod();
    let mib = pod_memory_mib(driver.memory, driver.memory_overhead, job.spec.app_type)?;
    let memory = format!("{mib}Mi");
    let cores = driver.cores.to_string();
    Some(Resources {
        requests: ResourceAmounts {
            cpu: driver
                .core_request
                .map_or_else(|| cores.clone(), str::to_owned),
            memory: memory.clone(),
        },
        limits: ResourceAmounts {
            cpu: driver.core_limit.map_or(cores, str::to_owned),
            memory,
        },
    })
}

impl Deref for ResolvedJob {
    type Target = SparkJob;

    fn deref(&self) -> &SparkJob {
        &self.job
    }
}

impl ResolvedJob {
    /// Works out the facts of a job the rules accepted; `None` if they did not (a loader bug).
    pub(super) fn new(job: SparkJob) -> Option<Self> {
        let versions = super::rules::job_versions(&job.spec).ok()?;
        let image = syntax::image_ref(&job.spec.image).ok()?;
        let image = Image {
            repository: image.repository.to_owned(),
            tag: image.tag.map(str::to_owned),
            digest: image.digest.map(str::to_owned),
        };
        let s3 = &job.spec.s3;
        let endpoint = s3
            .endpoint
            .as_deref()
            .map(|e| e.trim_end_matches('/').to_owned());
        let s3 = S3Target {
            tls: s3
                .tls
                .or_else(|| endpoint.as_deref().map(|e| e.starts_with("https://")))
                .unwrap_or(true),
            endpoint,
            region: s3
                .region
                .clone()
                .filter(|_| versions.hadoop >= versions::MIN_HADOOP_REGION_CONF),
            path_style: s3.path_style_access,
        };
        let kind = match job.spec.s3.credentials {
            S3Credentials::Secret(_) => CredentialsKind::EnvironmentVariables,
            S3Credentials::WebIdentity(_) => CredentialsKind::WebIdentity,
            S3Credentials::PodIdentity(_) => CredentialsKind::Container,
            S3Credentials::Anonymous(_) => CredentialsKind::Anonymous,
        };
        let credentials_provider =
            versions::credentials_provider(kind, versions::aws_sdk(versions.hadoop));
        let driver_resources = match &job.spec.submitter.resources {
            Some(r) => r.clone(),
            None => driver_resources(&job)?,
        };
        Some(Self {
            job,
            versions,
            image,
            s3,
            credentials_provider,
            driver_resources,
        })
    }

    /// The same job run once: without its schedule, so it is built as a one-off Job
    /// (`render --once`).
    pub fn once(&self) -> Self {
        let mut once = self.clone();
        once.job.spec.schedule = None;
        once
    }

    /// The job as configured, for this environment.
    pub fn job(&self) -> &SparkJob {
        &self.job
    }
}
