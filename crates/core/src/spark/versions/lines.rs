//! The lines: each Spark release line with its Scala builds and the Hadoop it ships, each
//! hadoop-aws line with its AWS SDK, and the S3A credentials provider of each kind of credentials
//! per SDK.

use super::*;

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

impl SparkLine {
    /// Whether a published distribution of this line carries this Hadoop.
    pub fn ships(&self, hadoop: Version) -> bool {
        hadoop == self.default_hadoop || self.other_hadoop.contains(&hadoop)
    }
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
pub(super) const ANALYTICS_ACCELERATOR_1_3_1: Jar = Jar {
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
