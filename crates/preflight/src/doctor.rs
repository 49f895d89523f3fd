//! `doctor`: inspects a Spark distribution folder, an unpacked image filesystem or a pip-installed
//! `pyspark` for what S3A and Kubernetes need, and reports every problem with its fix.
//!
//! Only file names are read (`jars/*.jar`, a few folders), so it runs on image layers and on
//! listings alike. What fits with what comes from [`crate::spark::versions`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic, Severity};
use crate::spark::versions::{
    self, AwsSdk, MIN_HADOOP, MIN_SPARK, MIN_SPARK_COMMITTERS, Misfit, SDK_V1_BUNDLE,
    SDK_V2_BUNDLE, Version,
};

/// Why a folder could not be inspected at all.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    /// Neither `jars/` nor `opt/spark/jars/` is below the folder.
    #[error("{}: no jars/ folder (nor opt/spark/jars/) here, so this is not a Spark distribution", .0.display())]
    NotSparkHome(PathBuf),
    /// A folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The folder.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
}

/// A folder that cannot be inspected is the one the user named.
impl crate::diagnostics::Failure for DoctorError {
    fn is_users_fault(&self) -> bool {
        true
    }

    fn help(&self) -> Option<String> {
        match self {
            Self::NotSparkHome(_) => Some("pass SPARK_HOME, the folder with bin/ and jars/ (for pip: python -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')".into()),
            Self::Read { .. } => None,
        }
    }
}

/// What kind of folder was inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// A binary distribution (`spark-X-bin-Y/`, or a `make-distribution.sh` output).
    Distribution,
    /// The root of an unpacked image filesystem, with Spark in `opt/spark`.
    ImageFilesystem,
    /// A `pip install pyspark` package folder.
    PipInstall,
}

/// A jar found, by artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundJar {
    /// The artifact (file name without version), e.g. `hadoop-aws` or `spark-core_2.12`.
    pub artifact: String,
    /// The version in the file name.
    pub version: String,
    /// The path relative to the inspected folder.
    pub path: String,
}

/// Everything `doctor` learned about one folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnosis {
    /// The folder inspected, as given.
    pub path: String,
    /// What kind of folder it is.
    pub layout: Layout,
    /// Spark version (from `spark-core`).
    pub spark_version: Option<String>,
    /// Scala binary version (the `_2.12` suffix of the Spark jars).
    pub scala_version: Option<String>,
    /// Hadoop version (from `hadoop-client-api`/`-runtime` or `hadoop-common`).
    pub hadoop_version: Option<String>,
    /// The fabric8 Kubernetes client version Spark talks to the API server with.
    pub kubernetes_client_version: Option<String>,
    /// The jars that matter for S3A and Kubernetes.
    pub jars: Vec<FoundJar>,
    /// Path of the PySpark bindings, if any.
    pub pyspark: Option<String>,
    /// Path of the Dockerfiles folder, if any.
    pub dockerfiles: Option<String>,
    /// Problems first, then notes.
    pub findings: Vec<Diagnostic>,
}

impl Diagnosis {
    /// Whether any finding is a problem.
    pub fn has_problems(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The report for people.
    pub fn text(&self) -> String {
        let mut t = String::new();
        let layout = match self.layout {
            Layout::Distribution => "Spark distribution",
            Layout::ImageFilesystem => "image filesystem (Spark in opt/spark)",
            Layout::PipInstall => "pip-installed pyspark",
        };
        let _ = writeln!(
            t,
            "{}: {layout}",
            crate::syntax::shown_file_name(&self.path)
        );
        // Names come from the folder: a control character in one is shown escaped, never sent
        // to the terminal.
        let row = |t: &mut String, label: &str, value: String| {
            let _ = writeln!(t, "  {label:<19}{}", crate::syntax::shown_file_name(&value));
        };
        let or_missing = |v: &Option<String>| v.clone().unwrap_or_else(|| "missing".into());
        row(&mut t, "Spark", or_missing(&self.spark_version));
        row(&mut t, "Scala", or_missing(&self.scala_version));
        row(&mut t, "Hadoop", or_missing(&self.hadoop_version));
        row(
            &mut t,
            "Kubernetes client",
            or_missing(&self.kubernetes_client_version),
        );
        for jar in &self.jars {
            row(&mut t, "jar", jar.path.clone());
        }
        row(&mut t, "PySpark", or_missing(&self.pyspark));
        row(&mut t, "Dockerfiles", or_missing(&self.dockerfiles));
        let problems = self
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        if problems == 0 {
            t.push_str("no problems found\n");
        } else {
            let _ = writeln!(t, "{}:", crate::report::plural(problems, "problem"));
        }
        for f in &self.findings {
            let _ = writeln!(t, "{f}");
        }
        t
    }
}

/// Splits `name-1.2.3.jar` into the artifact and the version text.
fn split_jar(file: &str) -> Option<(&str, &str)> {
    let stem = file.strip_suffix(".jar")?;
    let at = stem
        .char_indices()
        .find(|&(i, c)| {
            c == '-'
                && stem[i + 1..]
                    .chars()
                    .next()
                    .is_some_and(|d| d.is_ascii_digit())
        })
        .map(|(i, _)| i)?;
    Some((&stem[..at], &stem[at + 1..]))
}

/// The `MAJOR.MINOR.PATCH` at the start of a jar's version text (`3.3.4`, `2.12.18`, `1.0.0-M1`).
fn leading_version(text: &str) -> Option<Version> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let mut parts = text[..end].split('.');
    let (major, minor, patch) = (parts.next()?, parts.next()?, parts.next()?);
    Some(Version::new(
        major.parse().ok()?,
        minor.parse().ok()?,
        patch.parse().ok()?,
    ))
}

/// Which jars count for the report.
fn is_relevant(artifact: &str) -> bool {
    artifact.starts_with("spark-core_")
        || artifact.starts_with("spark-kubernetes_")
        || artifact.starts_with("spark-hadoop-cloud_")
        || matches!(
            artifact,
            "hadoop-aws"
                | "hadoop-client-api"
                | "hadoop-client-runtime"
                | "hadoop-common"
                | "aws-java-sdk-bundle"
                | "aws-java-sdk-core"
                | "aws-java-sdk-s3"
                | "bundle"
                | "scala-library"
                | "kubernetes-client"
                | "analyticsaccelerator-s3"
        )
}

/// Inspects `root` from the file system.
pub fn inspect(root: &Path) -> Result<Diagnosis, DoctorError> {
    let (layout, home) = if root.join("opt/spark/jars").is_dir() && !root.join("jars").is_dir() {
        (Layout::ImageFilesystem, root.join("opt/spark"))
    } else if root.join("jars").is_dir() {
        if root.join("__init__.py").is_file() {
            (Layout::PipInstall, root.to_path_buf())
        } else {
            (Layout::Distribution, root.to_path_buf())
        }
    } else {
        return Err(DoctorError::NotSparkHome(root.to_path_buf()));
    };
    let jars_dir = home.join("jars");
    let entries = std::fs::read_dir(&jars_dir).map_err(|source| DoctorError::Read {
        path: jars_dir.clone(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let prefix = match layout {
        Layout::ImageFilesystem => "opt/spark/",
        Layout::Distribution | Layout::PipInstall => "",
    };
    let present = |rel: &str| home.join(rel).exists().then(|| format!("{prefix}{rel}"));
    let pyspark = match layout {
        Layout::PipInstall => Some(".".to_string()),
        Layout::Distribution | Layout::ImageFilesystem => present("python/pyspark"),
    };
    let dockerfiles = present("kubernetes/dockerfiles/spark");
    Ok(diagnose(
        &root.display().to_string(),
        layout,
        &names,
        &format!("{prefix}jars/"),
        pyspark,
        dockerfiles,
    ))
}

/// The pure part of [`inspect`]: judges a jar listing.
pub fn diagnose(
    path: &str,
    layout: Layout,
    jar_names: &[String],
    jars_prefix: &str,
    pyspark: Option<String>,
    dockerfiles: Option<String>,
) -> Diagnosis {
    // artifact -> versions found (several versions of one artifact is itself a problem).
    let mut by_artifact: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut jars = Vec::new();
    for name in jar_names {
        let Some((artifact, version)) = split_jar(name) else {
            continue;
        };
        if is_relevant(artifact) {
            by_artifact.entry(artifact).or_default().push(version);
            jars.push(FoundJar {
                artifact: artifact.into(),
                version: version.into(),
                path: format!("{jars_prefix}{name}"),
            });
        }
    }
    let version_of = |artifact: &str| -> Option<Version> {
        by_artifact
            .get(artifact)
            .and_then(|v| v.first())
            .and_then(|v| leading_version(v))
    };
    let mut findings = Vec::new();
    let mut problem = |code: Code, message: String, fix: String| {
        findings.push(Diagnostic::new(code, "", message).in_file(path).help(fix));
    };

    for (artifact, found) in &by_artifact {
        if found.len() > 1 {
            problem(
                Code::DuplicateJar,
                format!(
                    "{} versions of {artifact}: {}",
                    found.len(),
                    found.join(", ")
                ),
                format!(
                    "keep one {artifact} jar in {jars_prefix}: the JVM loads whichever comes first"
                ),
            );
        }
    }

    // Spark and Scala.
    let core = by_artifact
        .keys()
        .find(|a| a.starts_with("spark-core_"))
        .copied();
    let spark = core.and_then(version_of);
    let scala = core.map(|a| a.trim_start_matches("spark-core_").to_string());
    match spark {
        None => problem(
            Code::NotSpark,
            format!("no spark-core jar in {jars_prefix}: this is not a Spark distribution"),
            "point doctor at SPARK_HOME, the folder with bin/ and jars/".into(),
        ),
        Some(s) if s < MIN_SPARK => {
            let m = Misfit::SparkTooOld(s);
            let f = m.finding();
            problem(f.code, f.message, f.help.unwrap_or_default());
        }
        Some(_) => {}
    }
    let suffixes: std::collections::BTreeSet<&str> = jar_names
        .iter()
        .filter_map(|n| split_jar(n))
        .filter(|(a, _)| a.starts_with("spark-"))
        .filter_map(|(a, _)| a.rsplit_once('_').map(|(_, s)| s))
        .collect();
    if suffixes.len() > 1 {
        let list: Vec<&str> = suffixes.iter().copied().collect();
        problem(
            Code::ScalaMismatch,
            format!(
                "Spark jars for different Scala versions: _{}",
                list.join(", _")
            ),
            format!(
                "use jars built for Scala {} only (the suffix of spark-core); rebuild or re-download the others",
                scala.as_deref().unwrap_or("?")
            ),
        );
    }
    if let (Some(scala), Some(lib)) = (&scala, version_of("scala-library")) {
        let lib_line = format!("{}.{}", lib.major, lib.minor);
        if &lib_line != scala {
            problem(
                Code::ScalaMismatch,
                format!("scala-library {lib} but the Spark jars are for Scala {scala}"),
                format!("use a scala-library {scala}.x jar"),
            );
        }
    }
    if spark.is_some()
        && !by_artifact
            .keys()
            .any(|a| a.starts_with("spark-kubernetes_"))
    {
        problem(
            Code::NoKubernetes,
            "no spark-kubernetes jar: this Spark was built without Kubernetes support".into(),
            "rebuild with ./dev/make-distribution.sh ... -Pkubernetes (see `k8s-s3-spark build-plan`), or use a spark-X-bin-hadoopY download".into(),
        );
    }

    // Hadoop: the client jars set the version hadoop-aws must match.
    let client: Vec<(&str, Version)> = [
        "hadoop-client-api",
        "hadoop-client-runtime",
        "hadoop-common",
    ]
    .into_iter()
    .filter_map(|a| version_of(a).map(|v| (a, v)))
    .collect();
    let hadoop = client.first().map(|&(_, v)| v);
    if client.iter().any(|&(_, v)| Some(v) != hadoop) {
        let list: Vec<String> = client.iter().map(|(a, v)| format!("{a} {v}")).collect();
        problem(
            Code::HadoopJars,
            format!("Hadoop jars disagree: {}", list.join(", ")),
            "keep the Hadoop jars of one Hadoop release only".into(),
        );
    }
    match hadoop {
        None if spark.is_some() => problem(
            Code::HadoopJars,
            "no Hadoop jars (hadoop-client-api or hadoop-common): a \"Hadoop free\" build, which needs SPARK_DIST_CLASSPATH set in every pod".into(),
            "use a spark-X-bin-hadoop3 distribution, or build with -Dhadoop.version=... without -Phadoop-provided".into(),
        ),
        Some(h) if h < MIN_HADOOP => {
            let m = Misfit::HadoopTooOld { hadoop: h, explicit: true };
            let f = m.finding();
            problem(f.code, f.message, f.help.unwrap_or_default());
        }
        _ => {}
    }

    // S3A: hadoop-aws and the SDK it was built against.
    let hadoop_aws = version_of("hadoop-aws");
    let wanted = hadoop.or(hadoop_aws);
    let jar_list = |h: Version| {
        let (aws, sdk) = versions::s3a_jars(h);
        let mut names: Vec<String> = std::iter::once(&aws)
            .chain(&sdk)
            .map(|j| j.file_name())
            .collect();
        if sdk.is_empty() {
            names.push(format!(
                "the SDK v2 bundle-VERSION.jar named in hadoop-aws {h}'s pom"
            ));
        }
        names.join(" with ")
    };
    match (hadoop_aws, hadoop) {
        (None, _) => problem(
            Code::NoS3a,
            "no hadoop-aws jar: S3A is missing (jobs fail with ClassNotFoundException: org.apache.hadoop.fs.s3a.S3AFileSystem)".into(),
            match wanted {
                Some(h) => format!(
                    "add {} to {jars_prefix} (`k8s-s3-spark versions --hadoop {h}` gives the download addresses), or build with -Phadoop-cloud",
                    jar_list(h)
                ),
                None => "add hadoop-aws of the distribution's Hadoop version and its AWS SDK".into(),
            },
        ),
        (Some(a), Some(h)) if a != h => problem(
            Code::S3aMismatch,
            format!("hadoop-aws {a} but {} {h}", client[0].0),
            format!("use {}", jar_list(h)),
        ),
        _ => {}
    }
    // When hadoop-aws itself is wrong, its fix already names the SDK to use.
    if let Some(a) = hadoop_aws.filter(|&a| hadoop.is_none_or(|h| h == a)) {
        sdk_findings(&mut problem, a, &by_artifact, jars_prefix);
        // The other jars S3A of this Hadoop loads.
        for jar in versions::extra_jars(a)
            .iter()
            .filter(|j| !by_artifact.contains_key(j.artifact))
        {
            problem(
                Code::S3aMismatch,
                format!(
                    "hadoop-aws {a} needs {} {} beside it: S3A of this Hadoop loads it",
                    jar.artifact, jar.version
                ),
                format!(
                    "add {} ({}) to {jars_prefix}",
                    jar.file_name(),
                    jar.maven_central_url()
                ),
            );
        }
    }

    // Writes: spark-hadoop-cloud binds Spark's writers to the S3A committers. Its classes bind
    // to Spark internals that change between lines, not between patch releases of one line.
    let mut notes = Vec::new();
    if let Some(s) = spark.filter(|&s| s >= MIN_SPARK_COMMITTERS) {
        let download = versions::spark_hadoop_cloud_download(s);
        let wanted = match download.jar() {
            Some(jar) => format!("{} ({})", jar.file_name(), jar.maven_central_url()),
            None => versions::spark_hadoop_cloud(s).file_name(),
        };
        let wanted = match download.note() {
            Some(note) => format!("{wanted}; {note}"),
            None => wanted,
        };
        let cloud = by_artifact
            .keys()
            .find(|a| a.starts_with("spark-hadoop-cloud_"))
            .copied();
        match cloud.and_then(version_of) {
            Some(c) if c.line() != s.line() => problem(
                Code::CloudMismatch,
                format!("spark-hadoop-cloud {c} but spark-core {s}"),
                format!("use {wanted}"),
            ),
            Some(_) => {}
            None => notes.push(
                Diagnostic::new(
                    Code::NoHadoopCloud,
                    "",
                    "no spark-hadoop-cloud jar: jobs with s3.outputs cannot commit through the S3A committers (ClassNotFoundException: org.apache.spark.internal.io.cloud.PathOutputCommitProtocol)",
                )
                .help(format!(
                    "add {wanted} to {jars_prefix}, or build with -Phadoop-cloud; read-only jobs do not need it"
                )),
            ),
        }
    }
    if let (Some(s), Some(h)) = (spark, hadoop)
        && let Some(line) = versions::spark_line(s)
        && !line.ships(h)
    {
        notes.push(
            Diagnostic::new(
                Code::CustomHadoop,
                "",
                format!(
                    "Hadoop {h} is not in the published Spark {}.{} distributions (a custom build)",
                    s.major, s.minor
                ),
            )
            .help(format!(
                "in spark-job.yaml set hadoopVersion: {h} and customDistribution: true"
            )),
        );
    }
    if pyspark.is_none() {
        notes.push(
            Diagnostic::new(
                Code::NoPySpark,
                "",
                "no python/pyspark: Python jobs cannot run on images built from this",
            )
            .help("build the distribution with --pip, and the image from kubernetes/dockerfiles/spark/bindings/python/Dockerfile"),
        );
    }
    if dockerfiles.is_none() && layout != Layout::ImageFilesystem {
        notes.push(
            Diagnostic::new(
                Code::NoDockerfiles,
                "",
                "no kubernetes/dockerfiles/spark: base images cannot be built from this folder",
            )
            .help(match layout {
                Layout::PipInstall => "build images from a full distribution (spark-X-bin-hadoopY.tgz or make-distribution.sh output), or start FROM apache/spark",
                _ => "rebuild with -Pkubernetes, or use a spark-X-bin-hadoopY download",
            }),
        );
    }
    findings.extend(notes.into_iter().map(|n| n.in_file(path)));

    Diagnosis {
        path: path.into(),
        layout,
        spark_version: spark.map(|v| v.to_string()),
        scala_version: scala,
        hadoop_version: hadoop.map(|v| v.to_string()),
        kubernetes_client_version: by_artifact
            .get("kubernetes-client")
            .and_then(|v| v.first())
            .map(|v| (*v).to_string()),
        jars: jars
            .into_iter()
            .filter(|j| j.artifact != "kubernetes-client" && j.artifact != "scala-library")
            .collect(),
        pyspark,
        dockerfiles,
        findings,
    }
}

/// Problems with the AWS SDK jars next to hadoop-aws `aws`.
fn sdk_findings(
    problem: &mut impl FnMut(Code, String, String),
    aws: Version,
    by_artifact: &BTreeMap<&str, Vec<&str>>,
    jars_prefix: &str,
) {
    let expected = versions::aws_sdk(aws);
    let exact = versions::sdk_is_exact(aws);
    let found_v1 = by_artifact
        .get(SDK_V1_BUNDLE.1)
        .or_else(|| by_artifact.get("aws-java-sdk-core"))
        .and_then(|v| v.first())
        .copied();
    let found_v2 = by_artifact
        .get(SDK_V2_BUNDLE.1)
        .and_then(|v| v.first())
        .copied();
    let expected_name = |sdk: AwsSdk| match sdk {
        AwsSdk::V1Jars(v) => format!("aws-java-sdk-core-{v}.jar and aws-java-sdk-s3-{v}.jar"),
        AwsSdk::V1Bundle(v) => format!("aws-java-sdk-bundle-{v}.jar"),
        AwsSdk::V2Bundle(Some(v)) => format!("bundle-{v}.jar (software.amazon.awssdk)"),
        AwsSdk::V2Bundle(None) => {
            format!("the SDK v2 bundle-VERSION.jar named in hadoop-aws {aws}'s pom")
        }
    };
    let (found, wanted) = match expected {
        AwsSdk::V1Jars(v) | AwsSdk::V1Bundle(v) => (found_v1, Some(v)),
        AwsSdk::V2Bundle(v) => (found_v2, v),
    };
    let other = if expected.is_v2() { found_v1 } else { found_v2 };
    match found {
        None => problem(
            Code::S3aMismatch,
            format!(
                "hadoop-aws {aws} is here but not the AWS SDK it was built against{}",
                other.map_or(String::new(), |o| format!(
                    " (found SDK v{} {o} instead)",
                    if expected.is_v2() { 1 } else { 2 }
                ))
            ),
            format!("add {} to {jars_prefix}", expected_name(expected)),
        ),
        Some(text) => {
            // Hadoop 3.4+ left the SDK v1 behind: a v1 jar beside it is a leftover of another
            // recipe (and `com.amazonaws.auth.*` providers configured for it fail).
            if let (true, Some(v1)) = (expected.is_v2(), other) {
                problem(
                    Code::SdkV1BesideV2,
                    format!(
                        "the AWS SDK v1 {v1} is here, but hadoop-aws {aws} uses the SDK v2 ({text}): S3A never loads it, and credentials providers of the SDK v1 (com.amazonaws.auth.*) no longer apply"
                    ),
                    format!(
                        "remove the SDK v1 jars (aws-java-sdk-*-{v1}.jar) from {jars_prefix} unless another library of yours needs them; S3A's providers are software.amazon.awssdk.auth.credentials.*"
                    ),
                );
            }
            if let (Some(wanted), Some(have), true) = (wanted, leading_version(text), exact)
                && have != wanted
            {
                problem(
                    Code::S3aMismatch,
                    format!(
                        "AWS SDK {have} but hadoop-aws {aws} was built against {wanted} (expect NoSuchMethodError at run time)"
                    ),
                    format!("replace it with {}", expected_name(expected)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_jar_names() {
        assert_eq!(
            split_jar("spark-core_2.12-3.5.3.jar"),
            Some(("spark-core_2.12", "3.5.3"))
        );
        assert_eq!(
            split_jar("aws-java-sdk-bundle-1.12.262.jar"),
            Some(("aws-java-sdk-bundle", "1.12.262"))
        );
        assert_eq!(split_jar("bundle-2.24.6.jar"), Some(("bundle", "2.24.6")));
        assert_eq!(split_jar("README"), None);
        assert_eq!(leading_version("1.0.0-M1"), Some(Version::new(1, 0, 0)));
        assert_eq!(leading_version("33.1-jre"), None);
    }
}
