//! What fits with what: Spark release lines, the Hadoop they ship with, the AWS SDK each
//! hadoop-aws was built against, the minimum versions, and the S3A credentials provider classes.
//!
//! This is the one copy of these facts: the config validator, the spark-submit arguments and the
//! preflight commands all read it. Sources are cited on each row; the facts file
//! `shared/reference/spark-k8s-s3-facts.md` collects them.

use std::fmt;
use std::str::FromStr;

use crate::diagnostics::{Code, Diagnostic};

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

/// A Spark release line and the Hadoop versions its published distributions carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparkLine {
    /// `MAJOR.MINOR`.
    pub line: (u32, u32),
    /// The Hadoop of the default distribution (`spark-X-bin-hadoop3`).
    pub default_hadoop: Version,
    /// Other Hadoop versions of published distributions of this line (e.g. `-bin-hadoop2.7`).
    pub other_hadoop: &'static [Version],
    /// The Scala binary versions its artifacts are published for (the `_2.13` of
    /// `spark-avro_2.13`), the default build's first (Maven Central: `_2.11` to 2.3, also
    /// `_2.12` for 2.4, `_2.12` for 3.0 and 3.1, also `_2.13` from 3.2, only `_2.13` from 4.0).
    pub scala: &'static [&'static str],
    /// Where the facts come from.
    pub source: &'static str,
}

/// Spark release lines, oldest first.
pub const SPARK_LINES: &[SparkLine] = &[
    SparkLine {
        line: (2, 3),
        default_hadoop: Version::new(2, 7, 3),
        other_hadoop: &[Version::new(2, 6, 5)],
        scala: &["2.11"],
        source: "Spark 2.3 downloads: bin-hadoop2.7 (Hadoop 2.7.3) and bin-hadoop2.6",
    },
    SparkLine {
        line: (2, 4),
        default_hadoop: Version::new(2, 7, 3),
        other_hadoop: &[Version::new(2, 6, 5)],
        scala: &["2.11", "2.12"],
        source: "Spark 2.4 downloads: bin-hadoop2.7 (Hadoop 2.7.3) and bin-hadoop2.6; the seed's -Dhadoop.version=2.9.2 is a custom build",
    },
    SparkLine {
        line: (3, 0),
        default_hadoop: Version::new(3, 2, 0),
        other_hadoop: &[Version::new(2, 7, 4)],
        scala: &["2.12"],
        source: "Spark 3.0 pom: hadoop 2.7.4, 3.2.0 with the hadoop-3.2 profile (bin-hadoop3.2)",
    },
    SparkLine {
        line: (3, 1),
        default_hadoop: Version::new(3, 2, 0),
        other_hadoop: &[Version::new(2, 7, 4)],
        scala: &["2.12"],
        source: "Spark 3.1 pom: hadoop 3.2.0; bin-hadoop2.7 also published",
    },
    SparkLine {
        line: (3, 2),
        default_hadoop: Version::new(3, 3, 1),
        other_hadoop: &[Version::new(2, 7, 4)],
        scala: &["2.12", "2.13"],
        source: "Spark 3.2 pom: hadoop 3.3.1; bin-hadoop2.7 also published",
    },
    SparkLine {
        line: (3, 3),
        default_hadoop: Version::new(3, 3, 2),
        other_hadoop: &[Version::new(2, 7, 4)],
        scala: &["2.12", "2.13"],
        source: "Spark 3.3 pom: hadoop 3.3.2; bin-hadoop2 also published",
    },
    SparkLine {
        line: (3, 4),
        default_hadoop: Version::new(3, 3, 4),
        other_hadoop: &[],
        scala: &["2.12", "2.13"],
        source: "Spark 3.4 pom: hadoop 3.3.4",
    },
    SparkLine {
        line: (3, 5),
        default_hadoop: Version::new(3, 3, 4),
        other_hadoop: &[],
        scala: &["2.12", "2.13"],
        source: "Spark 3.5 pom: hadoop 3.3.4 (also in the PyPI pyspark 3.5 jars)",
    },
    SparkLine {
        line: (4, 0),
        default_hadoop: Version::new(3, 4, 1),
        other_hadoop: &[],
        scala: &["2.13"],
        source: "Spark 4.0 pom: hadoop 3.4.1",
    },
    SparkLine {
        line: (4, 1),
        default_hadoop: Version::new(3, 4, 2),
        other_hadoop: &[],
        scala: &["2.13"],
        source: "read from the PyPI pyspark 4.1.1 jars",
    },
    SparkLine {
        line: (4, 2),
        default_hadoop: Version::new(3, 5, 0),
        other_hadoop: &[],
        scala: &["2.13"],
        source: "read from the PyPI pyspark 4.2 jars",
    },
    SparkLine {
        line: (4, 3),
        default_hadoop: Version::new(3, 5, 0),
        other_hadoop: &[],
        scala: &["2.13"],
        source: "read from the PyPI pyspark 4.3 jars",
    },
];

/// Finds the release line of a Spark version.
pub fn spark_line(spark: Version) -> Option<&'static SparkLine> {
    SPARK_LINES.iter().find(|l| l.line == spark.line())
}

/// The Scala binary versions Spark `spark` is published for, the default build's first: its
/// line's, or the newest older line's for a line newer than the table.
pub fn scala_builds(spark: Version) -> &'static [&'static str] {
    SPARK_LINES
        .iter()
        .rev()
        .find(|l| l.line <= spark.line())
        .or(SPARK_LINES.first())
        .map_or(&[], |l| l.scala)
}

/// Which AWS SDK a hadoop-aws jar was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwsSdk {
    /// SDK v1 as separate `aws-java-sdk-core`/`-s3` jars (Hadoop 2.8).
    V1Jars(Version),
    /// SDK v1 `aws-java-sdk-bundle`.
    V1Bundle(Version),
    /// SDK v2 `software.amazon.awssdk:bundle`; the version when known.
    V2Bundle(Option<Version>),
}

impl fmt::Display for AwsSdk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V1Jars(v) => write!(f, "SDK v1: aws-java-sdk-core and aws-java-sdk-s3 {v}"),
            Self::V1Bundle(v) => write!(f, "SDK v1: aws-java-sdk-bundle {v}"),
            Self::V2Bundle(Some(v)) => write!(f, "SDK v2: software.amazon.awssdk bundle {v}"),
            Self::V2Bundle(None) => {
                f.write_str("SDK v2: software.amazon.awssdk bundle (version not in this table)")
            }
        }
    }
}

impl AwsSdk {
    /// Whether this is the AWS SDK v2.
    pub fn is_v2(self) -> bool {
        matches!(self, Self::V2Bundle(_))
    }

    /// The SDKs that read EKS Pod Identity's container credentials, as said in messages:
    /// `SDK v1 1.12.746 or v2 2.21.30`.
    pub fn pod_identity_minimums() -> String {
        format!("SDK v1 {MIN_SDK_V1_POD_IDENTITY} or v2 {MIN_SDK_V2_POD_IDENTITY}")
    }

    /// Whether this SDK reads EKS Pod Identity's container credentials. An SDK v2 of unknown
    /// version comes with a Hadoop newer than this table, so newer than 2.23.19 (Hadoop 3.4.0).
    pub fn reads_pod_identity(self) -> bool {
        match self {
            Self::V1Jars(v) | Self::V1Bundle(v) => v >= MIN_SDK_V1_POD_IDENTITY,
            Self::V2Bundle(v) => v.is_none_or(|v| v >= MIN_SDK_V2_POD_IDENTITY),
        }
    }
}

/// A Hadoop version and the AWS SDK its hadoop-aws was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HadoopAws {
    /// Hadoop version.
    pub hadoop: Version,
    /// The SDK.
    pub sdk: AwsSdk,
    /// Other jars S3A of this Hadoop loads at run time, besides the SDK.
    pub extra: &'static [Jar],
    /// Where the fact comes from.
    pub source: &'static str,
}

/// Known Hadoop versions and their SDK, oldest first.
pub const HADOOP_AWS: &[HadoopAws] = &[
    HadoopAws {
        hadoop: Version::new(2, 8, 5),
        sdk: AwsSdk::V1Jars(Version::new(1, 10, 6)),
        extra: &[],
        source: "hadoop-project pom 2.8.x: aws-java-sdk 1.10.6",
    },
    HadoopAws {
        hadoop: Version::new(2, 9, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 199)),
        extra: &[],
        source: "the seed's distribution listing (hadoop-aws-2.9.2, aws-java-sdk-bundle-1.11.199)",
    },
    HadoopAws {
        hadoop: Version::new(3, 2, 0),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 375)),
        extra: &[],
        source: "hadoop-project pom 3.2.0",
    },
    HadoopAws {
        hadoop: Version::new(3, 2, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 563)),
        extra: &[],
        source: "hadoop-project pom 3.2.2",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 1),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 901)),
        extra: &[],
        source: "hadoop-project pom 3.3.1; also in PyPI sagemaker-pyspark 1.4.5",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 1026)),
        extra: &[],
        source: "hadoop-project pom 3.3.2",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 4),
        sdk: AwsSdk::V1Bundle(Version::new(1, 12, 262)),
        extra: &[],
        source: "hadoop-project pom 3.3.4",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 6),
        sdk: AwsSdk::V1Bundle(Version::new(1, 12, 367)),
        extra: &[],
        source: "hadoop-project pom 3.3.6",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 0),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 23, 19))),
        extra: &[],
        source: "hadoop-project pom 3.4.0",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 1),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 24, 6))),
        extra: &[],
        source: "hadoop-project pom 3.4.1",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 2),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 29, 52))),
        extra: &[],
        source: "hadoop-project pom 3.4.2",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 3),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 35, 4))),
        extra: &[],
        source: "hadoop-project pom 3.4.3",
    },
    HadoopAws {
        hadoop: Version::new(3, 5, 0),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 35, 4))),
        extra: &[ANALYTICS_ACCELERATOR_1_3_1],
        source: "hadoop-project pom 3.5.0 (aws-java-sdk-v2.version 2.35.4, amazon-s3-analyticsaccelerator-s3.version 1.3.1; hadoop-aws 3.5.0 depends on analyticsaccelerator-s3 at compile scope)",
    },
];

/// The Amazon S3 Analytics Accelerator that S3A of Hadoop 3.5 loads (Spark 4.2's Hadoop).
const ANALYTICS_ACCELERATOR_1_3_1: Jar = Jar {
    group: "software.amazon.s3.analyticsaccelerator",
    artifact: "analyticsaccelerator-s3",
    version: Version::new(1, 3, 1),
};

/// The SDK hadoop-aws of this Hadoop version was built against: the exact row when known,
/// otherwise the SDK major version by release (v2 from Hadoop 3.4.0), version unknown.
pub fn aws_sdk(hadoop: Version) -> AwsSdk {
    if let Some(row) = HADOOP_AWS.iter().find(|r| r.hadoop == hadoop) {
        return row.sdk;
    }
    if hadoop >= FIRST_HADOOP_SDK_V2 {
        AwsSdk::V2Bundle(None)
    } else if hadoop.line() == (2, 8) {
        AwsSdk::V1Jars(Version::new(1, 10, 6))
    } else {
        // Same line, nearest known patch: the bundle changes with patches, so this is a hint only.
        HADOOP_AWS
            .iter()
            .rev()
            .find(|r| r.hadoop.line() == hadoop.line() && r.hadoop <= hadoop)
            .or_else(|| HADOOP_AWS.iter().find(|r| r.hadoop.line() == hadoop.line()))
            .map_or(AwsSdk::V1Bundle(Version::new(1, 12, 262)), |r| r.sdk)
    }
}

/// How the job authenticates to S3, as far as the provider class is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsKind {
    /// `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` in the pods' environment.
    EnvironmentVariables,
    /// Web identity token file (IRSA).
    WebIdentity,
    /// Container credentials from a local endpoint with an authorization token file (EKS Pod
    /// Identity).
    Container,
    /// No credentials.
    Anonymous,
}

/// The `fs.s3a.aws.credentials.provider` class for this kind of credentials and SDK.
pub fn credentials_provider(kind: CredentialsKind, sdk: AwsSdk) -> &'static str {
    provider_class(kind, sdk.is_v2())
}

/// The provider class for this kind of credentials, for SDK v2 (`true`) or v1 (`false`).
pub fn provider_class(kind: CredentialsKind, sdk_v2: bool) -> &'static str {
    match (kind, sdk_v2) {
        (CredentialsKind::EnvironmentVariables, false) => {
            "com.amazonaws.auth.EnvironmentVariableCredentialsProvider"
        }
        (CredentialsKind::EnvironmentVariables, true) => {
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"
        }
        (CredentialsKind::WebIdentity, false) => {
            "com.amazonaws.auth.WebIdentityTokenCredentialsProvider"
        }
        (CredentialsKind::WebIdentity, true) => {
            "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider"
        }
        // SDK v1 reads `AWS_CONTAINER_CREDENTIALS_FULL_URI` through the wrapper, not through
        // `ContainerCredentialsProvider`'s no-argument constructor (ECS' relative URI only).
        (CredentialsKind::Container, false) => {
            "com.amazonaws.auth.EC2ContainerCredentialsProviderWrapper"
        }
        (CredentialsKind::Container, true) => {
            "software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider"
        }
        (CredentialsKind::Anonymous, _) => {
            "org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider"
        }
    }
}

/// Which versions are being judged, for [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pairing {
    /// The Spark version.
    pub spark: Version,
    /// The Hadoop version of the distribution, when known (otherwise the line's default).
    pub hadoop: Option<Version>,
    /// Whether the distribution was built with a Hadoop its release line does not ship with.
    pub custom_distribution: bool,
    /// Whether the application is Python or R (which need Spark 2.4 on Kubernetes).
    pub python_or_r: bool,
}

/// One reason a Spark/Hadoop pairing does not fit. [`fit`] is the only judge, so the config
/// validator and `versions` always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// Spark older than [`MIN_SPARK`].
    SparkTooOld(Version),
    /// Python or R with Spark older than [`MIN_SPARK_PYTHON_R`].
    NoPythonR(Version),
    /// A Hadoop the Spark line's published distributions do not carry, without a custom build.
    HadoopNotShipped {
        /// The Spark line.
        line: &'static SparkLine,
        /// The Hadoop asked for.
        hadoop: Version,
    },
    /// A Spark line newer than this table and no Hadoop given.
    UnknownSparkLine(Version),
    /// Hadoop older than [`MIN_HADOOP`].
    HadoopTooOld {
        /// The Hadoop version.
        hadoop: Version,
        /// Whether it was given (else it is the Spark line's default).
        explicit: bool,
    },
}

impl Misfit {
    /// Whether the misfit is about the Hadoop version (else the Spark version).
    pub fn is_about_hadoop(&self) -> bool {
        match self {
            Self::SparkTooOld(_) | Self::NoPythonR(_) => false,
            Self::HadoopNotShipped { .. } | Self::UnknownSparkLine(_) => true,
            Self::HadoopTooOld { explicit, .. } => *explicit,
        }
    }

    /// The finding (code [`Code::Versions`]), without a field: the config validator adds the field,
    /// `versions` and `doctor` report it as is.
    pub fn finding(&self) -> Diagnostic {
        Diagnostic::new(Code::Versions, "", self.message()).help(self.help())
    }

    /// What is wrong.
    pub fn message(&self) -> String {
        match self {
            Self::SparkTooOld(spark) => format!(
                "Spark {spark} cannot run its driver in the Job's pod (client mode on Kubernetes); that arrived in {MIN_SPARK}"
            ),
            Self::NoPythonR(spark) => format!(
                "Spark {spark} has no Python or R support on Kubernetes; it arrived in {MIN_SPARK_PYTHON_R}"
            ),
            Self::HadoopNotShipped { line, hadoop } => format!(
                "Spark {}.{} distributions ship with Hadoop {}, not {hadoop}",
                line.line.0, line.line.1, line.default_hadoop
            ),
            Self::UnknownSparkLine(spark) => format!(
                "Spark {spark} is newer than this tool's version table, so its Hadoop version is unknown"
            ),
            Self::HadoopTooOld { hadoop, .. } => format!(
                "Hadoop {hadoop} cannot read S3 through S3A; Hadoop {MIN_HADOOP} or later is needed"
            ),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            Self::SparkTooOld(_) => format!(
                "use Spark 3.5 or later (at least {MIN_SPARK}), or YARN or a standalone cluster"
            ),
            Self::NoPythonR(_) => {
                format!("use Spark 3.5 or later (at least {MIN_SPARK_PYTHON_R}) for PySpark and SparkR")
            }
            Self::HadoopNotShipped { line, hadoop } => format!(
                "remove hadoopVersion to use {}, or, if the image carries a distribution you built with -Dhadoop.version={hadoop}, add `customDistribution: true`",
                line.default_hadoop
            ),
            Self::UnknownSparkLine(_) => "set hadoopVersion to the version of the image's hadoop-aws jar and add `customDistribution: true`".into(),
            Self::HadoopTooOld { .. } => "build the distribution with -Phadoop-cloud -Dhadoop.version=2.9.2 or later, then set hadoopVersion and `customDistribution: true`; or use Spark 3.2+, whose default Hadoop fits".into(),
        }
    }
}

/// Judges a pairing: the Hadoop version the distribution has, or every reason it does not fit.
/// When the Spark version itself is unusable, later checks are skipped (they would only repeat it).
pub fn fit(p: Pairing) -> Result<Version, Vec<Misfit>> {
    let mut misfits = Vec::new();
    if p.spark < MIN_SPARK {
        return Err(vec![Misfit::SparkTooOld(p.spark)]);
    }
    if p.python_or_r && p.spark < MIN_SPARK_PYTHON_R {
        misfits.push(Misfit::NoPythonR(p.spark));
    }
    let line = spark_line(p.spark);
    let hadoop = match (p.hadoop, line) {
        (Some(hadoop), Some(line)) => {
            if !line.ships(hadoop) && !p.custom_distribution {
                misfits.push(Misfit::HadoopNotShipped { line, hadoop });
            }
            hadoop
        }
        (Some(hadoop), None) => hadoop,
        (None, Some(line)) => line.default_hadoop,
        (None, None) => {
            misfits.push(Misfit::UnknownSparkLine(p.spark));
            return Err(misfits);
        }
    };
    if hadoop < MIN_HADOOP {
        misfits.push(Misfit::HadoopTooOld {
            hadoop,
            explicit: p.hadoop.is_some(),
        });
    }
    if misfits.is_empty() {
        Ok(hadoop)
    } else {
        Err(misfits)
    }
}

impl SparkLine {
    /// Whether a published distribution of this line carries this Hadoop.
    pub fn ships(&self, hadoop: Version) -> bool {
        hadoop == self.default_hadoop || self.other_hadoop.contains(&hadoop)
    }
}

/// A jar to put in the image's `jars/` folder: Maven coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jar {
    /// Group id, e.g. `org.apache.hadoop`.
    pub group: &'static str,
    /// Artifact id, e.g. `hadoop-aws`.
    pub artifact: &'static str,
    /// Version.
    pub version: Version,
}

impl Jar {
    /// The jar's file name in a distribution, e.g. `hadoop-aws-3.3.4.jar`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.jar", self.artifact, self.version)
    }

    /// `group:artifact:version`, as `--packages` takes it.
    pub fn coordinates(&self) -> String {
        format!("{}:{}:{}", self.group, self.artifact, self.version)
    }

    /// The download address on Maven Central.
    pub fn maven_central_url(&self) -> String {
        format!(
            "https://repo1.maven.org/maven2/{}/{}/{}/{}",
            self.group.replace('.', "/"),
            self.artifact,
            self.version,
            self.file_name()
        )
    }
}

/// Group and artifact of the SDK v1 bundle.
pub const SDK_V1_BUNDLE: (&str, &str) = ("com.amazonaws", "aws-java-sdk-bundle");
/// Group and artifact of the SDK v2 bundle (the jar is `bundle-VERSION.jar`).
pub const SDK_V2_BUNDLE: (&str, &str) = ("software.amazon.awssdk", "bundle");

/// The S3A jars a distribution of this Hadoop needs: hadoop-aws, then the SDK it was built
/// against and the other jars S3A loads (`extra` of its row). Without the SDK when this table
/// does not know its exact version (Hadoop 3.4+ releases newer than the table): read it from
/// that hadoop-aws pom.
pub fn s3a_jars(hadoop: Version) -> (Jar, Vec<Jar>) {
    let hadoop_aws = Jar {
        group: "org.apache.hadoop",
        artifact: "hadoop-aws",
        version: hadoop,
    };
    let sdk = match aws_sdk(hadoop) {
        AwsSdk::V1Jars(v) => vec![
            Jar {
                group: "com.amazonaws",
                artifact: "aws-java-sdk-core",
                version: v,
            },
            Jar {
                group: "com.amazonaws",
                artifact: "aws-java-sdk-s3",
                version: v,
            },
        ],
        AwsSdk::V1Bundle(v) => vec![Jar {
            group: SDK_V1_BUNDLE.0,
            artifact: SDK_V1_BUNDLE.1,
            version: v,
        }],
        AwsSdk::V2Bundle(Some(v)) => vec![Jar {
            group: SDK_V2_BUNDLE.0,
            artifact: SDK_V2_BUNDLE.1,
            version: v,
        }],
        AwsSdk::V2Bundle(None) => Vec::new(),
    };
    (hadoop_aws, [sdk, extra_jars(hadoop).to_vec()].concat())
}

/// The other jars S3A of this Hadoop loads at run time besides its SDK (`extra` of its row).
pub fn extra_jars(hadoop: Version) -> &'static [Jar] {
    HADOOP_AWS
        .iter()
        .find(|r| r.hadoop == hadoop)
        .map_or(&[], |r| r.extra)
}

/// Releases of one Maven artifact on Maven Central.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Group id.
    pub group: &'static str,
    /// Artifact id.
    pub artifact: &'static str,
    /// Every release, oldest first (the artifact's `maven-metadata.xml`).
    pub versions: &'static [Version],
}

const fn v(major: u32, minor: u32, patch: u32) -> Version {
    Version::new(major, minor, patch)
}

/// What Maven Central publishes of the artifacts whose versions follow Spark's or Hadoop's:
/// each artifact's `maven-metadata.xml`, read 2026-12-05 (none for Scala 2.11; hadoop-aws also has 3.0.0-alpha2). Apache skips many patch releases of
/// spark-hadoop-cloud (no 3.3.x at all, no 3.5.3, no 4.1.0). The conformance stage checks every
/// address `versions` and `build-plan` print against the live metadata.
pub const PUBLISHED: &[Published] = &[
    Published {
        group: "org.apache.spark",
        artifact: "spark-hadoop-cloud_2.11",
        versions: &[],
    },
    Published {
        group: "org.apache.spark",
        artifact: "spark-hadoop-cloud_2.12",
        versions: &[
            v(3, 2, 0),
            v(3, 2, 1),
            v(3, 4, 0),
            v(3, 4, 3),
            v(3, 5, 0),
            v(3, 5, 1),
            v(3, 5, 4),
            v(3, 5, 5),
            v(3, 5, 7),
            v(3, 5, 8),
        ],
    },
    Published {
        group: "org.apache.spark",
        artifact: "spark-hadoop-cloud_2.13",
        versions: &[v(4, 0, 0), v(4, 0, 1), v(4, 0, 2), v(4, 1, 1), v(4, 1, 2)],
    },
    Published {
        group: "org.apache.hadoop",
        artifact: "hadoop-aws",
        versions: &[
            v(2, 6, 0),
            v(2, 6, 1),
            v(2, 6, 2),
            v(2, 6, 4),
            v(2, 6, 5),
            v(2, 7, 0),
            v(2, 7, 1),
            v(2, 7, 2),
            v(2, 7, 3),
            v(2, 7, 4),
            v(2, 7, 5),
            v(2, 7, 6),
            v(2, 7, 7),
            v(2, 8, 0),
            v(2, 8, 1),
            v(2, 8, 2),
            v(2, 8, 3),
            v(2, 8, 4),
            v(2, 8, 5),
            v(2, 9, 0),
            v(2, 9, 1),
            v(2, 9, 2),
            v(2, 10, 0),
            v(2, 10, 1),
            v(2, 10, 2),
            v(3, 0, 0),
            v(3, 0, 1),
            v(3, 0, 3),
            v(3, 1, 0),
            v(3, 1, 1),
            v(3, 1, 4),
            v(3, 2, 0),
            v(3, 2, 1),
            v(3, 2, 2),
            v(3, 2, 3),
            v(3, 2, 4),
            v(3, 3, 0),
            v(3, 3, 1),
            v(3, 3, 2),
            v(3, 3, 3),
            v(3, 3, 4),
            v(3, 3, 5),
            v(3, 3, 6),
            v(3, 4, 0),
            v(3, 4, 1),
            v(3, 4, 2),
            v(3, 4, 3),
            v(3, 5, 0),
        ],
    },
];

/// The releases of an artifact that [`PUBLISHED`] lists, if it lists the artifact.
pub fn published(group: &str, artifact: &str) -> Option<&'static [Version]> {
    PUBLISHED
        .iter()
        .find(|p| p.group == group && p.artifact == artifact)
        .map(|p| p.versions)
}

/// Whether Maven Central has this jar: `None` when [`PUBLISHED`] does not list its artifact.
pub fn is_published(jar: &Jar) -> Option<bool> {
    published(jar.group, jar.artifact).map(|v| v.contains(&jar.version))
}

/// The releases of `jar`'s artifact in `jar`'s release line (same major and minor).
pub fn published_in_line(jar: &Jar) -> Vec<Version> {
    published(jar.group, jar.artifact)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|p| p.line() == jar.version.line())
        .collect()
}

/// A jar as Maven Central has it: the exact release, the nearest patch release of its line when
/// that one was never published, or nothing in its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// The release asked for is published.
    Exact(Jar),
    /// Not published; `jar` is the nearest published patch release of the same line (ties: the
    /// newer).
    Nearest {
        /// The published jar to use.
        jar: Jar,
        /// The release asked for.
        wanted: Version,
    },
    /// No release of the line is published.
    Unpublished(Jar),
}

impl Availability {
    /// The availability of `jar` on Maven Central per [`PUBLISHED`] (exact when not listed).
    pub fn of(jar: Jar) -> Self {
        if is_published(&jar) != Some(false) {
            return Self::Exact(jar);
        }
        let wanted = jar.version;
        let nearest = published_in_line(&jar)
            .into_iter()
            .min_by_key(|p| (p.patch.abs_diff(wanted.patch), std::cmp::Reverse(p.patch)));
        match nearest {
            Some(version) => Self::Nearest {
                jar: Jar { version, ..jar },
                wanted,
            },
            None => Self::Unpublished(jar),
        }
    }

    /// The jar to download, if Maven Central has one.
    pub fn jar(&self) -> Option<&Jar> {
        match self {
            Self::Exact(jar) | Self::Nearest { jar, .. } => Some(jar),
            Self::Unpublished(_) => None,
        }
    }

    /// What to say when the exact release is not the one named: `None` for [`Self::Exact`].
    pub fn note(&self) -> Option<String> {
        match self {
            Self::Exact(_) => None,
            Self::Nearest { jar, wanted } => Some(format!(
                "{} {wanted} is not on Maven Central; {} is the nearest published release of the {}.{} line, and a build with -Phadoop-cloud gives the exact one",
                jar.artifact, jar.version, wanted.major, wanted.minor
            )),
            Self::Unpublished(jar) => Some(format!(
                "{} is not on Maven Central for any {}.{} release yet: build the distribution with -Phadoop-cloud, which puts {} into jars/",
                jar.artifact,
                jar.version.major,
                jar.version.minor,
                jar.file_name()
            )),
        }
    }
}

/// spark-hadoop-cloud of this Spark version: the committer bindings that writes to S3 through
/// the S3A committers need (`-Phadoop-cloud` builds put it in `jars/`). Its Scala suffix is the
/// default build's ([`scala_builds`]). What Maven Central has of it: [`spark_hadoop_cloud_download`].
pub fn spark_hadoop_cloud(spark: Version) -> Jar {
    Jar {
        group: "org.apache.spark",
        artifact: match scala_builds(spark).first().copied() {
            Some("2.11") => "spark-hadoop-cloud_2.11",
            Some("2.12") => "spark-hadoop-cloud_2.12",
            _ => "spark-hadoop-cloud_2.13",
        },
        version: spark,
    }
}

/// The spark-hadoop-cloud jar Maven Central has for this Spark version: its classes bind to
/// Spark internals that change between lines, not between patch releases of one line, so the
/// nearest patch release of the line serves when the exact one was never published.
pub fn spark_hadoop_cloud_download(spark: Version) -> Availability {
    Availability::of(spark_hadoop_cloud(spark))
}

/// Whether `aws_sdk` knows the exact SDK of this Hadoop (a row of [`HADOOP_AWS`]).
pub fn sdk_is_exact(hadoop: Version) -> bool {
    HADOOP_AWS.iter().any(|r| r.hadoop == hadoop) || hadoop.line() == (2, 8)
}

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
