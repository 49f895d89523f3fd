//! What fits with what: Spark release lines, the Hadoop they ship with, the AWS SDK each
//! hadoop-aws was built against, the minimum versions, and the S3A credentials provider classes.
//!
//! This is the one copy of these facts: the config validator, the spark-submit arguments and the
//! preflight commands all read it. Sources are cited on each row; the facts file
//! `shared/reference/spark-k8s-s3-facts.md` collects them.

use std::fmt;
use std::str::FromStr;

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

/// Kubernetes support arrived in Spark 2.3 (Spark docs, "Running on Kubernetes").
pub const MIN_SPARK: Version = Version::new(2, 3, 0);
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
/// `spark.kubernetes.authenticate.executor.serviceAccountName` from Spark 3.1 (SPARK-30122).
pub const MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT: Version = Version::new(3, 1, 0);
/// `spark.kubernetes.driver.request.cores` from Spark 3.0 (the executor variant from 2.4).
pub const MIN_SPARK_DRIVER_REQUEST_CORES: Version = Version::new(3, 0, 0);
/// Hadoop 3.4.0 moved S3A to the AWS SDK v2 (HADOOP-18073).
pub const FIRST_HADOOP_SDK_V2: Version = Version::new(3, 4, 0);

/// A Spark release line and the Hadoop versions its published distributions carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparkLine {
    /// `MAJOR.MINOR`.
    pub line: (u32, u32),
    /// The Hadoop of the default distribution (`spark-X-bin-hadoop3`).
    pub default_hadoop: Version,
    /// Other Hadoop versions of published distributions of this line (e.g. `-bin-hadoop2.7`).
    pub other_hadoop: &'static [Version],
    /// Where the facts come from.
    pub source: &'static str,
}

/// Spark release lines, oldest first.
pub const SPARK_LINES: &[SparkLine] = &[
    SparkLine {
        line: (2, 3),
        default_hadoop: Version::new(2, 7, 3),
        other_hadoop: &[Version::new(2, 6, 5)],
        source: "Spark 2.3 downloads: bin-hadoop2.7 (Hadoop 2.7.3) and bin-hadoop2.6",
    },
    SparkLine {
        line: (2, 4),
        default_hadoop: Version::new(2, 7, 3),
        other_hadoop: &[Version::new(2, 6, 5)],
        source: "Spark 2.4 downloads: bin-hadoop2.7 (Hadoop 2.7.3) and bin-hadoop2.6; the seed's -Dhadoop.version=2.9.2 is a custom build",
    },
    SparkLine {
        line: (3, 0),
        default_hadoop: Version::new(3, 2, 0),
        other_hadoop: &[Version::new(2, 7, 4)],
        source: "Spark 3.0 pom: hadoop 2.7.4, 3.2.0 with the hadoop-3.2 profile (bin-hadoop3.2)",
    },
    SparkLine {
        line: (3, 1),
        default_hadoop: Version::new(3, 2, 0),
        other_hadoop: &[Version::new(2, 7, 4)],
        source: "Spark 3.1 pom: hadoop 3.2.0; bin-hadoop2.7 also published",
    },
    SparkLine {
        line: (3, 2),
        default_hadoop: Version::new(3, 3, 1),
        other_hadoop: &[Version::new(2, 7, 4)],
        source: "Spark 3.2 pom: hadoop 3.3.1; bin-hadoop2.7 also published",
    },
    SparkLine {
        line: (3, 3),
        default_hadoop: Version::new(3, 3, 2),
        other_hadoop: &[Version::new(2, 7, 4)],
        source: "Spark 3.3 pom: hadoop 3.3.2; bin-hadoop2 also published",
    },
    SparkLine {
        line: (3, 4),
        default_hadoop: Version::new(3, 3, 4),
        other_hadoop: &[],
        source: "Spark 3.4 pom: hadoop 3.3.4",
    },
    SparkLine {
        line: (3, 5),
        default_hadoop: Version::new(3, 3, 4),
        other_hadoop: &[],
        source: "Spark 3.5 pom: hadoop 3.3.4 (also in the PyPI pyspark 3.5 jars)",
    },
    SparkLine {
        line: (4, 0),
        default_hadoop: Version::new(3, 4, 1),
        other_hadoop: &[],
        source: "Spark 4.0 pom: hadoop 3.4.1",
    },
    SparkLine {
        line: (4, 1),
        default_hadoop: Version::new(3, 4, 2),
        other_hadoop: &[],
        source: "read from the PyPI pyspark 4.1.1 jars",
    },
    SparkLine {
        line: (4, 2),
        default_hadoop: Version::new(3, 5, 0),
        other_hadoop: &[],
        source: "read from the PyPI pyspark 4.2 jars",
    },
    SparkLine {
        line: (4, 3),
        default_hadoop: Version::new(3, 5, 0),
        other_hadoop: &[],
        source: "read from the PyPI pyspark 4.3 jars",
    },
];

/// Finds the release line of a Spark version.
pub fn spark_line(spark: Version) -> Option<&'static SparkLine> {
    SPARK_LINES.iter().find(|l| l.line == spark.line())
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

impl AwsSdk {
    /// Whether this is the AWS SDK v2.
    pub fn is_v2(self) -> bool {
        matches!(self, Self::V2Bundle(_))
    }
}

/// A Hadoop version and the AWS SDK its hadoop-aws was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HadoopAws {
    /// Hadoop version.
    pub hadoop: Version,
    /// The SDK.
    pub sdk: AwsSdk,
    /// Where the fact comes from.
    pub source: &'static str,
}

/// Known Hadoop versions and their SDK, oldest first.
pub const HADOOP_AWS: &[HadoopAws] = &[
    HadoopAws {
        hadoop: Version::new(2, 8, 5),
        sdk: AwsSdk::V1Jars(Version::new(1, 10, 6)),
        source: "hadoop-project pom 2.8.x: aws-java-sdk 1.10.6",
    },
    HadoopAws {
        hadoop: Version::new(2, 9, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 199)),
        source: "the seed's distribution listing (hadoop-aws-2.9.2, aws-java-sdk-bundle-1.11.199)",
    },
    HadoopAws {
        hadoop: Version::new(3, 2, 0),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 375)),
        source: "hadoop-project pom 3.2.0",
    },
    HadoopAws {
        hadoop: Version::new(3, 2, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 563)),
        source: "hadoop-project pom 3.2.2",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 1),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 901)),
        source: "hadoop-project pom 3.3.1; also in PyPI sagemaker-pyspark 1.4.5",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 2),
        sdk: AwsSdk::V1Bundle(Version::new(1, 11, 1026)),
        source: "hadoop-project pom 3.3.2",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 4),
        sdk: AwsSdk::V1Bundle(Version::new(1, 12, 262)),
        source: "hadoop-project pom 3.3.4",
    },
    HadoopAws {
        hadoop: Version::new(3, 3, 6),
        sdk: AwsSdk::V1Bundle(Version::new(1, 12, 367)),
        source: "hadoop-project pom 3.3.6",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 0),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 23, 19))),
        source: "hadoop-project pom 3.4.0",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 1),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 24, 6))),
        source: "hadoop-project pom 3.4.1",
    },
    HadoopAws {
        hadoop: Version::new(3, 4, 2),
        sdk: AwsSdk::V2Bundle(Some(Version::new(2, 29, 52))),
        source: "hadoop-project pom 3.4.2",
    },
];

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
    /// No credentials.
    Anonymous,
}

/// The `fs.s3a.aws.credentials.provider` class for this kind of credentials and SDK.
pub fn credentials_provider(kind: CredentialsKind, sdk: AwsSdk) -> &'static str {
    match (kind, sdk.is_v2()) {
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
        (CredentialsKind::Anonymous, _) => {
            "org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(aws_sdk(Version::new(3, 5, 0)), AwsSdk::V2Bundle(None));
        assert_eq!(
            credentials_provider(CredentialsKind::WebIdentity, aws_sdk(Version::new(3, 4, 1))),
            "software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider"
        );
        assert_eq!(
            spark_line(Version::new(3, 5, 3)).map(|l| l.default_hadoop),
            Some(Version::new(3, 3, 4))
        );
    }
}
