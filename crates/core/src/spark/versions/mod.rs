//! What fits with what: Spark release lines, the Hadoop they ship with, the AWS SDK each
//! hadoop-aws was built against, the minimum versions, and the S3A credentials provider classes.
//!
//! This is the one copy of these facts: the config validator, the spark-submit arguments and the
//! preflight commands all read it. Sources are cited on each row; the facts file
//! `shared/reference/spark-k8s-s3-facts.md` collects them.

use std::fmt;
use std::str::FromStr;

use crate::diagnostics::{Code, Diagnostic};

mod fit;
mod jars;
mod lines;

pub use fit::*;
pub use jars::*;
pub use lines::*;

/// Whether the job's driver and executors get pod templates (hardening, node selectors,
/// tolerations, token mounts): Spark 3.0 and later.
pub fn uses_pod_templates(spark: Version) -> bool {
    spark >= MIN_SPARK_POD_TEMPLATE
}

/// The Spark and Hadoop versions of a job, once known to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobVersions {
    /// Spark.
    pub spark: Version,
    /// Hadoop of the distribution (explicit or the Spark line's default).
    pub hadoop: Version,
}

/// A `MAJOR.MINOR.PATCH` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major number.
    pub major: u32,
    /// Minor number.
    pub minor: u32,
    /// Patch number.
    pub patch: u32,
}

impl Version {
    /// Builds a version.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// The release line, `MAJOR.MINOR`.
    pub const fn line(self) -> (u32, u32) {
        (self.major, self.minor)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl FromStr for Version {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('.').collect();
        let numbers: Option<Vec<u32>> = parts
            .iter()
            .map(|p| {
                (!p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        match numbers.as_deref() {
            Some(&[major, minor, patch]) => Ok(Self::new(major, minor, patch)),
            _ => Err(format!(
                "{s:?} is not a MAJOR.MINOR.PATCH version such as 3.5.3"
            )),
        }
    }
}

/// The driver runs in the Job's pod, in client mode, which Kubernetes supports from Spark 2.4
/// (Spark docs, "Running on Kubernetes", Client Mode; Kubernetes itself arrived in 2.3).
pub const MIN_SPARK: Version = Version::new(2, 4, 0);

/// PySpark and SparkR on Kubernetes arrived in Spark 2.4 (Spark 2.4.0 release notes).
pub const MIN_SPARK_PYTHON_R: Version = Version::new(2, 4, 0);

/// S3A needs Hadoop 2.8.0 or later (the seed README; HADOOP-11571 stabilised S3A in 2.8).
pub const MIN_HADOOP: Version = Version::new(2, 8, 0);

/// `fs.s3a.endpoint.region` exists from Hadoop 3.3.1 (HADOOP-17705).
pub const MIN_HADOOP_REGION_CONF: Version = Version::new(3, 3, 1);

/// Hadoop 3.3.1 is the first whose SDK bundle (1.11.901) has `WebIdentityTokenCredentialsProvider`,
/// which AWS documents from Java SDK 1.11.704 for IRSA.
pub const MIN_HADOOP_WEB_IDENTITY: Version = Version::new(3, 3, 1);

/// Pod template files (`spark.kubernetes.{driver,executor}.podTemplateFile`) from Spark 3.0.
pub const MIN_SPARK_POD_TEMPLATE: Version = Version::new(3, 0, 0);

/// Custom resources (GPUs) of executors, `spark.executor.resource.*`: Spark 3.0 and later.
pub const MIN_SPARK_RESOURCES: Version = Version::new(3, 0, 0);

/// Dynamic allocation's shuffle tracking (`spark.dynamicAllocation.shuffleTracking.enabled`,
/// SPARK-27963) from Spark 3.0: before it, dynamic allocation needs an external shuffle service,
/// which Kubernetes does not have.
pub const MIN_SPARK_SHUFFLE_TRACKING: Version = Version::new(3, 0, 0);

/// `spark.archives` (archives unpacked in the executors' working directories) from Spark 3.1
/// (SPARK-33530).
pub const MIN_SPARK_ARCHIVES: Version = Version::new(3, 1, 0);

/// `OnDemand` PersistentVolumeClaims, made by the driver for each executor (SPARK-32971).
pub const MIN_SPARK_ON_DEMAND_CLAIMS: Version = Version::new(3, 1, 0);

/// `spark.kubernetes.authenticate.executor.serviceAccountName` from Spark 3.1 (SPARK-30122).
pub const MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT: Version = Version::new(3, 1, 0);

/// `spark.kubernetes.driver.service.deleteOnTermination` and
/// `spark.executor.memoryOverheadFactor` from Spark 3.3 (SPARK-38194); before it, Kubernetes pods
/// read `spark.kubernetes.memoryOverheadFactor`.
pub const MIN_SPARK_EXECUTOR_OVERHEAD_FACTOR: Version = Version::new(3, 3, 0);

/// `spark.kubernetes.driver.ownPersistentVolumeClaim` from Spark 3.2 (Spark's configuration
/// docs). The driver of 3.5.9 deletes Services and PVCs by label when it stops unless they say
/// false (seen against the real API server: a 403 stack trace in every driver log).
pub const MIN_SPARK_DRIVER_CLEANUP_CONFS: Version = Version::new(3, 2, 0);

/// Hadoop 3.4.0 moved S3A to the AWS SDK v2 (HADOOP-18073).
pub const FIRST_HADOOP_SDK_V2: Version = Version::new(3, 4, 0);

/// Spark's binding to Hadoop's output committers (`PathOutputCommitProtocol` and
/// `BindingParquetOutputCommitter` in spark-hadoop-cloud) from Spark 3.0 (SPARK-23977).
pub const MIN_SPARK_COMMITTERS: Version = Version::new(3, 0, 0);

/// The S3A committers (magic, directory, partitioned) from Hadoop 3.1.0 (HADOOP-13786).
pub const MIN_HADOOP_COMMITTERS: Version = Version::new(3, 1, 0);

/// `fs.s3a.committer.magic.enabled` is true by default from Hadoop 3.3.1 (HADOOP-17483); before,
/// the magic committer must be switched on.
pub const MIN_HADOOP_MAGIC_ENABLED: Version = Version::new(3, 3, 1);

/// From Spark 4.1 the driver sets the magic committer and Spark's binding to it itself
/// (`setIfMissing` of `fs.s3a.committer.magic.enabled`, `fs.s3a.committer.name=magic`, the
/// committer factory, `spark.sql.parquet.output.committer.class` and
/// `spark.sql.sources.commitProtocolClass`) whenever spark-hadoop-cloud's classes load
/// (SPARK-47618; `SparkContext.enableMagicCommitterIfNeeded` in pyspark 4.1.1's and 4.2.0's
/// spark-core, where 4.0.1 still only fills them in from a per-bucket
/// `committer.magic.enabled`).
pub const MIN_SPARK_MAGIC_DEFAULT: Version = Version::new(4, 1, 0);

/// EKS Pod Identity's container credentials (a full URI and an authorization token file) are
/// read from AWS SDK for Java v1 1.12.746 and v2 2.21.30 (EKS user guide, "Use pod identity
/// with the AWS SDK"); stock Spark 3.5's SDK v1 1.12.262 cannot.
pub const MIN_SDK_V1_POD_IDENTITY: Version = Version::new(1, 12, 746);

/// See [`MIN_SDK_V1_POD_IDENTITY`].
pub const MIN_SDK_V2_POD_IDENTITY: Version = Version::new(2, 21, 30);

/// Spark's commit protocol for Hadoop's output committers (spark-hadoop-cloud).
pub const PATH_OUTPUT_COMMIT_PROTOCOL: &str =
    "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol";

/// Spark's Parquet committer that defers to the commit protocol's committer (spark-hadoop-cloud).
pub const BINDING_PARQUET_OUTPUT_COMMITTER: &str =
    "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_jar_the_tables_name_for_download_is_published() {
        for line in SPARK_LINES {
            for patch in 0..=20 {
                let spark = Version::new(line.line.0, line.line.1, patch);
                let download = spark_hadoop_cloud_download(spark);
                if let Some(jar) = download.jar() {
                    assert_eq!(is_published(jar), Some(true), "{spark}: {jar:?}");
                    assert_eq!(jar.version.line(), spark.line(), "{spark}");
                }
                assert_eq!(
                    download.note().is_none(),
                    download.jar() == Some(&spark_hadoop_cloud(spark)),
                    "{spark}"
                );
            }
        }
        for row in HADOOP_AWS {
            let (hadoop_aws, _) = s3a_jars(row.hadoop);
            assert_eq!(is_published(&hadoop_aws), Some(true), "{}", row.hadoop);
        }
        for l in SPARK_LINES.iter().filter(|l| l.line >= (3, 0)) {
            for h in std::iter::once(&l.default_hadoop).chain(l.other_hadoop) {
                let (hadoop_aws, _) = s3a_jars(*h);
                assert_eq!(is_published(&hadoop_aws), Some(true), "{h}");
            }
        }
    }

    #[test]
    fn an_unpublished_release_names_the_nearest_of_its_line_or_says_there_is_none() {
        let nearest = |s: &str| match spark_hadoop_cloud_download(s.parse().unwrap()) {
            Availability::Nearest { jar, .. } => Some(jar.version.to_string()),
            _ => None,
        };
        assert_eq!(nearest("3.5.3").as_deref(), Some("3.5.4"));
        assert_eq!(nearest("3.5.9").as_deref(), Some("3.5.8"));
        assert_eq!(nearest("3.5.6").as_deref(), Some("3.5.7"));
        assert_eq!(nearest("4.1.0").as_deref(), Some("4.1.1"));
        assert!(matches!(
            spark_hadoop_cloud_download(Version::new(3, 5, 8)),
            Availability::Exact(_)
        ));
        for none in ["3.3.4", "4.2.0", "3.0.3"] {
            let d = spark_hadoop_cloud_download(none.parse().unwrap());
            assert!(matches!(d, Availability::Unpublished(_)), "{none}");
            assert!(d.note().unwrap().contains("-Phadoop-cloud"), "{none}");
        }
    }

    #[test]
    fn parses_versions() {
        assert_eq!("3.5.3".parse(), Ok(Version::new(3, 5, 3)));
        assert!("3.5".parse::<Version>().is_err());
        assert!("3.5.x".parse::<Version>().is_err());
        assert!("3.5.3-SNAPSHOT".parse::<Version>().is_err());
        assert!("99999999.0.0".parse::<Version>().is_err());
    }

    #[test]
    fn tables_are_ordered_and_above_the_minimums() {
        assert!(SPARK_LINES.windows(2).all(|w| w[0].line < w[1].line));
        assert!(HADOOP_AWS.windows(2).all(|w| w[0].hadoop < w[1].hadoop));
        assert!(HADOOP_AWS.iter().all(|r| r.hadoop >= MIN_HADOOP));
        assert!(
            HADOOP_AWS
                .iter()
                .all(|r| r.sdk.is_v2() == (r.hadoop >= FIRST_HADOOP_SDK_V2))
        );
    }

    #[test]
    fn sdk_and_provider_follow_hadoop() {
        assert_eq!(
            aws_sdk(Version::new(3, 3, 4)),
            AwsSdk::V1Bundle(Version::new(1, 12, 262))
        );
        assert_eq!(
            aws_sdk(Version::new(3, 5, 0)),
            AwsSdk::V2Bundle(Some(Version::new(2, 35, 4)))
        );
        assert_eq!(aws_sdk(Version::new(3, 6, 0)), AwsSdk::V2Bundle(None));
        assert_eq!(
            credentials_provider(CredentialsKind::WebIdentity, aws_sdk(Version::new(3, 4, 1))),
            "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider"
        );
        assert_eq!(
            spark_line(Version::new(3, 5, 3)).map(|l| l.default_hadoop),
            Some(Version::new(3, 3, 4))
        );
    }

    #[test]
    fn scala_builds_follow_the_line_and_name_spark_hadoop_cloud() {
        assert!(SPARK_LINES.iter().all(|l| !l.scala.is_empty()));
        let v = Version::new;
        assert_eq!(scala_builds(v(2, 4, 8)), ["2.11", "2.12"]);
        assert_eq!(scala_builds(v(3, 5, 3)), ["2.12", "2.13"]);
        // A line newer than the table has the newest line's; one older, the oldest line's.
        assert_eq!(scala_builds(v(4, 9, 0)), ["2.13"]);
        assert_eq!(scala_builds(v(2, 0, 0)), ["2.11"]);
        for (spark, artifact) in [
            (v(2, 4, 8), "spark-hadoop-cloud_2.11"),
            (v(3, 5, 3), "spark-hadoop-cloud_2.12"),
            (v(4, 1, 1), "spark-hadoop-cloud_2.13"),
        ] {
            assert_eq!(spark_hadoop_cloud(spark).artifact, artifact);
        }
    }

    #[test]
    fn pod_identity_needs_an_sdk_that_reads_container_credentials() {
        // Every SDK v1 row is older than 1.12.746; every SDK v2 row is newer than 2.21.30.
        for row in HADOOP_AWS {
            assert_eq!(
                row.sdk.reads_pod_identity(),
                row.sdk.is_v2(),
                "{}",
                row.hadoop
            );
        }
        assert!(AwsSdk::V1Bundle(MIN_SDK_V1_POD_IDENTITY).reads_pod_identity());
        assert!(!AwsSdk::V2Bundle(Some(Version::new(2, 21, 29))).reads_pod_identity());
        assert!(AwsSdk::V2Bundle(None).reads_pod_identity());
        assert_eq!(
            credentials_provider(CredentialsKind::Container, aws_sdk(Version::new(3, 4, 2))),
            "software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider"
        );
    }
}
