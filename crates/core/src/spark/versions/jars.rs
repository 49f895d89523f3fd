//! The jars an image needs for S3A (hadoop-aws, the AWS SDK bundle, spark-hadoop-cloud) and what
//! Maven Central publishes of them: the exact release, the nearest patch release, or none.

use super::*;

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

pub(super) const fn v(major: u32, minor: u32, patch: u32) -> Version {
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
