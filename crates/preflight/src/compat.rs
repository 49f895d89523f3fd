//! `versions`: the compatibility table, and whether one Spark/Hadoop pairing fits and which jars
//! its image needs. Everything comes from [`crate::spark::versions`], the table the config
//! validator uses too.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::spark::versions::{
    self, AwsSdk, CredentialsKind, FIRST_HADOOP_SDK_V2, HADOOP_AWS, Jar, MIN_HADOOP,
    MIN_HADOOP_COMMITTERS, MIN_HADOOP_REGION_CONF, MIN_HADOOP_WEB_IDENTITY, MIN_SPARK,
    MIN_SPARK_COMMITTERS, MIN_SPARK_POD_TEMPLATE, MIN_SPARK_PYTHON_R, Misfit, Pairing, SPARK_LINES,
    Version,
};

/// The report of `versions`, and whether the asked pairing fits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// What to print.
    pub text: String,
    /// False when the pairing asked about cannot work.
    pub fits: bool,
    /// The jars named for download, in the order printed.
    pub jars: Vec<JarEntry>,
    /// Notes on those jars (an unpublished release, a Hadoop number that was never released).
    pub notes: Vec<String>,
    /// The Spark version asked about.
    pub spark: Option<Version>,
    /// The Hadoop version the verdict is about (the line's default when not given).
    pub hadoop: Option<Version>,
}

/// A jar the report names, for `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JarEntry {
    /// File name in `jars/`.
    pub file_name: String,
    /// `group:artifact:version`.
    pub coordinates: String,
    /// Download address on Maven Central.
    pub url: String,
    /// What needs it: `s3a` (reading and writing S3) or `committers` (`s3.outputs`).
    pub needed_for: &'static str,
}

impl JarEntry {
    fn of(jar: &Jar, needed_for: &'static str) -> Self {
        Self {
            file_name: jar.file_name(),
            coordinates: jar.coordinates(),
            url: jar.maven_central_url(),
            needed_for,
        }
    }
}

impl Report {
    fn new() -> Self {
        Self {
            text: String::new(),
            fits: true,
            jars: Vec::new(),
            notes: Vec::new(),
            spark: None,
            hadoop: None,
        }
    }

    fn push_str(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// The report as JSON: the versions, whether they fit, the verdict (first line), the jars
    /// with their addresses and notes, and the whole text.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "spark": self.spark.map(|v| v.to_string()),
            "hadoop": self.hadoop.map(|v| v.to_string()),
            "fits": self.fits,
            "verdict": self.text.lines().next().unwrap_or_default(),
            "jars": self.jars,
            "notes": self.notes,
            "text": self.text,
        })
    }
}

impl fmt::Write for Report {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.push_str(s);
        Ok(())
    }
}

/// The whole table (no arguments), or the verdict on a Spark version, a Hadoop version, or both.
pub fn report(spark: Option<Version>, hadoop: Option<Version>) -> Report {
    match spark {
        None => match hadoop {
            None => {
                let mut r = Report::new();
                r.text = table();
                r
            }
            Some(h) => hadoop_only(h),
        },
        Some(s) => Report {
            spark: Some(s),
            ..pairing(s, hadoop)
        },
    }
}

fn table() -> String {
    let mut t = String::new();
    t.push_str("Spark release line -> Hadoop of its published distributions\n");
    for l in SPARK_LINES {
        let others: Vec<String> = l.other_hadoop.iter().map(Version::to_string).collect();
        let others = if others.is_empty() {
            String::new()
        } else {
            format!(" (also {})", others.join(", "))
        };
        let _ = writeln!(
            t,
            "  {}.{:<4} Hadoop {}{others}\n         source: {}",
            l.line.0, l.line.1, l.default_hadoop, l.source
        );
    }
    t.push_str("\nHadoop -> the AWS SDK its hadoop-aws was built against\n");
    for r in HADOOP_AWS {
        let extra: String = r
            .extra
            .iter()
            .map(|j| format!(" + {} {}", j.artifact, j.version))
            .collect();
        let _ = writeln!(
            t,
            "  {:<7} {}{extra}\n          source: {}",
            r.hadoop.to_string(),
            r.sdk,
            r.source
        );
    }
    let _ = writeln!(
        t,
        "  {FIRST_HADOOP_SDK_V2}+  SDK v2 (HADOOP-18073); other 3.4+ releases: read the SDK version from their hadoop-aws pom"
    );
    let _ = write!(
        t,
        "\nMinimums\n  Spark {MIN_SPARK} to run on Kubernetes; {MIN_SPARK_PYTHON_R} for Python and R applications\n  Hadoop {MIN_HADOOP} for S3A; {MIN_HADOOP_WEB_IDENTITY} for web identity (IRSA) and fs.s3a.endpoint.region\n  AWS {} for EKS Pod Identity (no SDK v1 of this table: Spark 4+)\n  Spark {MIN_SPARK_POD_TEMPLATE} for pod templates (tolerations, node selectors, hardened driver and executor pods)\n",
        AwsSdk::pod_identity_minimums()
    );
    t.push_str("\nCredentials providers (fs.s3a.aws.credentials.provider)\n");
    for (label, sdk_v2) in [("SDK v1", false), ("SDK v2", true)] {
        let _ = writeln!(
            t,
            "  {label} keys:         {}\n  {label} web identity: {}\n  {label} pod identity: {}",
            versions::provider_class(CredentialsKind::EnvironmentVariables, sdk_v2),
            versions::provider_class(CredentialsKind::WebIdentity, sdk_v2),
            versions::provider_class(CredentialsKind::Container, sdk_v2),
        );
    }
    let _ = writeln!(
        t,
        "  anonymous (both):    {}",
        versions::provider_class(CredentialsKind::Anonymous, true)
    );
    t.push_str("\nAsk about one pairing: k8s-s3-spark versions --spark 3.5.3 [--hadoop 3.3.4]\n");
    t
}

/// The SDK, provider classes and jars of one Hadoop version.
fn hadoop_facts(t: &mut Report, hadoop: Version) {
    let sdk = versions::aws_sdk(hadoop);
    let exact = versions::sdk_is_exact(hadoop);
    let _ = writeln!(
        t,
        "AWS {}{}",
        sdk,
        if exact || sdk.is_v2() {
            ""
        } else {
            " (nearest known release of this Hadoop line: check the hadoop-aws pom)"
        }
    );
    let _ = writeln!(
        t,
        "Credentials provider: keys {}",
        versions::credentials_provider(CredentialsKind::EnvironmentVariables, sdk)
    );
    for (label, kind, available, unavailable) in [
        (
            "web identity",
            CredentialsKind::WebIdentity,
            hadoop >= MIN_HADOOP_WEB_IDENTITY,
            format!("not available before Hadoop {MIN_HADOOP_WEB_IDENTITY}"),
        ),
        (
            "pod identity",
            CredentialsKind::Container,
            sdk.reads_pod_identity(),
            format!(
                "not with this SDK (needs {})",
                AwsSdk::pod_identity_minimums()
            ),
        ),
    ] {
        let _ = if available {
            writeln!(
                t,
                "                      {label} {}",
                versions::credentials_provider(kind, sdk)
            )
        } else {
            writeln!(t, "                      {label}: {unavailable}")
        };
    }
    if hadoop < MIN_HADOOP_REGION_CONF {
        let _ = writeln!(
            t,
            "Region: fs.s3a.endpoint.region needs Hadoop {MIN_HADOOP_REGION_CONF}; set a regional endpoint instead"
        );
    }
    let (hadoop_aws, sdk_jars) = versions::s3a_jars(hadoop);
    t.push_str(
        "Put these jars in the image's jars/ folder (/opt/spark/jars in the Apache images):\n",
    );
    for jar in std::iter::once(&hadoop_aws).chain(&sdk_jars) {
        let _ = writeln!(t, "  {:<36} {}", jar.file_name(), jar.maven_central_url());
        t.jars.push(JarEntry::of(jar, "s3a"));
    }
    if versions::is_published(&hadoop_aws) == Some(false) {
        let line: Vec<String> = versions::published_in_line(&hadoop_aws)
            .iter()
            .map(Version::to_string)
            .collect();
        let note = format!(
            "hadoop-aws {hadoop} is not on Maven Central: no Hadoop release has this number{}; use the hadoopVersion of your distribution",
            if line.is_empty() {
                String::new()
            } else {
                format!(
                    ". Published {}.{} releases: {}",
                    hadoop.major,
                    hadoop.minor,
                    line.join(", ")
                )
            }
        );
        let _ = writeln!(t, "  ({note})");
        t.notes.push(note);
    }
    if sdk_jars.is_empty() {
        let _ = writeln!(
            t,
            "  bundle-VERSION.jar                   the software.amazon.awssdk:bundle version that hadoop-aws {hadoop}'s pom names"
        );
    }
    let _ = writeln!(
        t,
        "  (or build the distribution with -Phadoop-cloud, which adds them; `k8s-s3-spark build-plan` prints the command)"
    );
}

fn hadoop_only(hadoop: Version) -> Report {
    let mut t = Report::new();
    if hadoop < MIN_HADOOP {
        let m = Misfit::HadoopTooOld {
            hadoop,
            explicit: true,
        };
        let _ = writeln!(t, "Hadoop {hadoop}: does not fit\n  {}", m.message());
        t.fits = false;
        return t;
    }
    let lines: Vec<String> = SPARK_LINES
        .iter()
        .filter(|l| l.ships(hadoop))
        .map(|l| format!("{}.{}", l.line.0, l.line.1))
        .collect();
    let _ = writeln!(
        t,
        "Hadoop {hadoop}: {}",
        if lines.is_empty() {
            "no published Spark distribution carries it; build one with -Dhadoop.version and set `customDistribution: true`".to_string()
        } else {
            format!(
                "published Spark {} distributions carry it",
                lines.join(", ")
            )
        }
    );
    hadoop_facts(&mut t, hadoop);
    t.hadoop = Some(hadoop);
    t
}

fn pairing(spark: Version, hadoop: Option<Version>) -> Report {
    let mut t = Report::new();
    let subject = match hadoop {
        Some(h) => format!("Spark {spark} with Hadoop {h}"),
        None => format!("Spark {spark}"),
    };
    let pairing = Pairing {
        spark,
        hadoop,
        custom_distribution: false,
        python_or_r: false,
    };
    let (hadoop, custom) = match versions::fit(pairing) {
        Ok(h) => (h, false),
        Err(misfits) => {
            // A Hadoop the line does not ship is fine for a distribution built from source.
            let only_custom = misfits
                .iter()
                .all(|m| matches!(m, Misfit::HadoopNotShipped { .. }));
            match (only_custom, hadoop) {
                (true, Some(h)) => (h, true),
                _ => {
                    let _ = writeln!(t, "{subject}: does not fit");
                    for m in &misfits {
                        let _ = writeln!(t, "  {}", m.finding());
                    }
                    t.fits = false;
                    return t;
                }
            }
        }
    };
    let line = versions::spark_line(spark);
    if custom {
        let _ = writeln!(
            t,
            "{subject}: fits only as a distribution built from source with -Dhadoop.version={hadoop} (published {}.{} builds carry Hadoop {})\n  in spark-job.yaml: sparkVersion: {spark}, hadoopVersion: {hadoop}, customDistribution: true",
            spark.major,
            spark.minor,
            line.map_or_else(|| "?".into(), |l| l.default_hadoop.to_string()),
        );
    } else if line.is_some() {
        let _ = writeln!(
            t,
            "{subject}: fits (Hadoop {hadoop} is in the published Spark {}.{} distributions)\n  in spark-job.yaml: sparkVersion: {spark}{}",
            spark.major,
            spark.minor,
            if pairing.hadoop.is_some() {
                format!(", hadoopVersion: {hadoop}")
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            t,
            "{subject}: Spark {}.{} is newer than this table; trusting hadoopVersion {hadoop}\n  in spark-job.yaml: sparkVersion: {spark}, hadoopVersion: {hadoop}, customDistribution: true",
            spark.major, spark.minor
        );
    }
    if spark < MIN_SPARK_PYTHON_R {
        let _ = writeln!(t, "  note: {}", Misfit::NoPythonR(spark).message());
    }
    hadoop_facts(&mut t, hadoop);
    committer_facts(&mut t, spark, hadoop);
    t.hadoop = Some(hadoop);
    t
}

/// What writing to S3 (`s3.outputs`) needs: the S3A committers and spark-hadoop-cloud.
fn committer_facts(t: &mut Report, spark: Version, hadoop: Version) {
    if spark < MIN_SPARK_COMMITTERS || hadoop < MIN_HADOOP_COMMITTERS {
        let _ = writeln!(
            t,
            "Writing to S3 (s3.outputs): not supported; the S3A committers need Spark {MIN_SPARK_COMMITTERS} and Hadoop {MIN_HADOOP_COMMITTERS} or later"
        );
        return;
    }
    let download = versions::spark_hadoop_cloud_download(spark);
    t.push_str("Writing to S3 (s3.outputs) through the S3A committers also needs:\n");
    if let Some(jar) = download.jar() {
        let _ = writeln!(t, "  {:<36} {}", jar.file_name(), jar.maven_central_url());
        t.jars.push(JarEntry::of(jar, "committers"));
    }
    if let Some(note) = download.note() {
        let _ = writeln!(t, "  ({note})");
        t.notes.push(note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    #[test]
    fn published_pairing_fits_and_names_the_jars() {
        let r = report(Some(v("3.5.3")), None);
        assert!(r.fits, "{}", r.text);
        assert!(r.text.contains("hadoop-aws-3.3.4.jar"), "{}", r.text);
        assert!(
            r.text.contains("aws-java-sdk-bundle-1.12.262.jar"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .contains("com.amazonaws.auth.EnvironmentVariableCredentialsProvider")
        );
    }

    #[test]
    fn custom_build_fits_with_a_note_and_too_old_does_not() {
        let seed = report(Some(v("2.4.1")), Some(v("2.9.2")));
        assert!(seed.fits);
        assert!(
            seed.text.contains("customDistribution: true"),
            "{}",
            seed.text
        );
        assert!(seed.text.contains("aws-java-sdk-bundle-1.11.199.jar"));
        let old = report(Some(v("2.4.1")), Some(v("2.7.3")));
        assert!(!old.fits);
        assert!(
            old.text.contains("cannot read S3 through S3A"),
            "{}",
            old.text
        );
        assert!(!report(Some(v("2.2.0")), None).fits);
    }

    #[test]
    fn sdk_v2_hadoop_names_v2_classes() {
        let r = report(None, Some(v("3.4.1")));
        assert!(r.text.contains("bundle-2.24.6.jar"), "{}", r.text);
        assert!(r.text.contains("software.amazon.awssdk.auth.credentials."));
        assert!(
            r.text
                .contains("published Spark 4.0 distributions carry it")
        );
    }
}
