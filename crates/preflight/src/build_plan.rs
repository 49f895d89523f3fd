//! `build-plan`: the seed's build steps made exact for one config. The `make-distribution.sh`
//! command with the profiles for its Spark and Hadoop, the `docker build` commands for the JVM
//! and language base images and the application image with tags that agree, and the
//! application image's Dockerfile.
//!
//! Pure: it returns text; the command decides what to print or write.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::config::ResolvedJob;
use crate::config::model::ApplicationType;
use crate::spark::versions::JobVersions;
use crate::spark::versions::{self, AwsSdk, Version};

/// What the plan needs besides the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// Repository prefix of the base images (`registry/owner`); by default the application
    /// image's, so `alexmilowski/app:tag` gives `alexmilowski/s3-spark`.
    pub base_repository: Option<String>,
    /// The last part of the base images' tag `SPARK-HADOOP-N` (the seed's IMAGE_VERSION).
    pub image_version: String,
    /// The config's file name, for comments.
    pub config_file: String,
    /// The build context of the application image: the config's folder, as the user named it
    /// (`.` when the config is in the current folder).
    pub context: String,
    /// The application Dockerfile, as the user named it with `--dockerfile` (else `Dockerfile`
    /// in the context), so the printed `docker build -f` names the file that exists.
    pub dockerfile: String,
}

/// The plan: shell commands with comments, and the application image's Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPlan {
    /// The commands, as a shell script.
    pub script: String,
    /// The application image's Dockerfile.
    pub dockerfile: String,
}

/// The Maven profile that selects a Hadoop major version in a Spark line's pom, when the
/// default does not. Sources: the `<profile>` ids in each branch's `pom.xml` (2.3/2.4:
/// `hadoop-2.7`, `hadoop-3.1` from 2.4; 3.0–3.2: `hadoop-2.7`, `hadoop-3.2`; 3.3: `hadoop-2`,
/// default Hadoop 3; 3.4+: Hadoop 3 only).
fn hadoop_profile(spark: Version, hadoop: Version) -> Option<&'static str> {
    match (spark.line(), hadoop.major) {
        ((2, _), 2) => Some("hadoop-2.7"),
        ((2, _), _) => Some("hadoop-3.1"),
        ((3, 0..=2), 2) => Some("hadoop-2.7"),
        ((3, 0..=2), _) => Some("hadoop-3.2"),
        ((3, 3), 2) => Some("hadoop-2"),
        _ => None,
    }
}

/// The Java releases a Spark line builds and runs on (Spark docs, "Downloading").
fn java_versions(spark: Version) -> &'static str {
    match spark.line() {
        (2, _) => "Java 8",
        (3, 0..=2) => "Java 8 or 11",
        (3, _) => "Java 8, 11 or 17",
        _ => "Java 17 or 21",
    }
}

/// The application file to copy into the image: (path relative to the config's folder, path in
/// the image), or `None` when the application is fetched at run time (s3a://, https://).
pub fn application_copy(main_file: &str) -> Option<(String, String)> {
    let in_image = main_file.strip_prefix("local://")?;
    let name = in_image.rsplit('/').next().unwrap_or(in_image);
    Some((name.to_string(), in_image.to_string()))
}

/// Quotes a word for a POSIX shell when it needs it.
fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Builds the plan for a checked job and the images of its environments (name, image).
pub fn plan(
    job: &ResolvedJob,
    env_images: &[(String, String)],
    options: &PlanOptions,
) -> BuildPlan {
    let JobVersions { spark, hadoop } = job.versions;
    let spec = &job.spec;
    let app_image = &spec.image;
    let prefix = options.base_repository.clone().unwrap_or_else(|| {
        job.image
            .repository
            .rsplit_once('/')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default()
    });
    let repo = |name: &str| {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}/{name}")
        }
    };
    let tag = format!("{spark}-{hadoop}-{}", options.image_version);
    let jvm_image = format!("{}:{tag}", repo("s3-spark"));
    let (binding, bindings_dockerfile) = match spec.app_type {
        ApplicationType::Python => (Some(("s3-pyspark", "--pip")), Some("python")),
        ApplicationType::R => (Some(("s3-sparkr", "--r")), Some("R")),
        ApplicationType::Scala | ApplicationType::Java => (None, None),
    };
    let base_image = match binding {
        Some((name, _)) => format!("{}:{tag}", repo(name)),
        None => jvm_image.clone(),
    };
    let sdk = versions::aws_sdk(hadoop);
    let (hadoop_aws, sdk_jars) = versions::s3a_jars(hadoop);
    let sdk_text = match sdk {
        AwsSdk::V1Jars(v) => format!("AWS SDK v1 {v} (core and s3 jars)"),
        AwsSdk::V1Bundle(v) => format!("aws-java-sdk-bundle {v}"),
        AwsSdk::V2Bundle(Some(v)) => format!("AWS SDK v2 bundle {v}"),
        AwsSdk::V2Bundle(None) => "the AWS SDK v2 bundle its pom names".into(),
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        "#!/bin/sh\n# Build plan for {name} from {file}: Spark {spark}, Hadoop {hadoop} (hadoop-aws {hadoop} with {sdk_text}), {kind:?} application.\n# Generated by k8s-s3-spark build-plan; image names follow the seed: OWNER/s3-spark:SPARK-HADOOP-N.\n# Run it from the folder of {file}:  SPARK_SRC=/path/to/spark-{spark} sh build-plan.sh\nset -eu\n: \"${{SPARK_SRC:?set SPARK_SRC to the unpacked Spark {spark} sources, https://archive.apache.org/dist/spark/spark-{spark}/spark-{spark}.tgz}}\"\n",
        name = job.metadata.name,
        file = options.config_file,
        kind = spec.app_type,
    );

    let dist_name = format!("hadoop-{hadoop}-s3");
    let mut make = vec![
        "./dev/make-distribution.sh".to_string(),
        format!("--name {dist_name}"),
    ];
    if let Some((_, flag)) = binding {
        make.push(flag.into());
    }
    make.push("--tgz".into());
    make.push("-Pkubernetes".into());
    make.push("-Phadoop-cloud".into());
    if spec.app_type == ApplicationType::R {
        make.push("-Psparkr".into());
    }
    if let Some(profile) = hadoop_profile(spark, hadoop) {
        make.push(format!("-P{profile}"));
    }
    make.push(format!("-Dhadoop.version={hadoop}"));
    let sdk_files = if sdk_jars.is_empty() {
        "the SDK v2 bundle".to_string()
    } else {
        sdk_jars
            .iter()
            .map(|j| j.file_name())
            .collect::<Vec<_>>()
            .join(" and ")
    };

    // Writes go through the S3A committers, whose Spark binding is spark-hadoop-cloud.
    let cloud = (!spec.s3.outputs.is_empty()).then(|| versions::spark_hadoop_cloud(spark));
    let cloud_text = cloud.as_ref().map_or_else(String::new, |jar| {
        format!(
            ", and {} (the S3A committers' binding, for s3.outputs)",
            jar.file_name()
        )
    });
    let _ = writeln!(
        s,
        "# 1. A Spark distribution with Kubernetes support and S3A, built with {} into $SPARK_SRC/dist.\n#    -Phadoop-cloud puts {} and {}{cloud_text} into jars/.\n(cd \"$SPARK_SRC\" && {})\nk8s-s3-spark doctor \"$SPARK_SRC/dist\"",
        java_versions(spark),
        hadoop_aws.file_name(),
        sdk_files,
        make.join(" "),
    );
    let published =
        versions::spark_line(spark).is_some_and(|l| l.ships(hadoop)) && !spec.custom_distribution;
    if published {
        let _ = writeln!(
            s,
            "#    Or, without building: unpack the published distribution for Hadoop {hadoop} from\n#    https://archive.apache.org/dist/spark/spark-{spark}/ as $SPARK_SRC/dist and add the S3A jars:"
        );
        let download = cloud.map(versions::Availability::of);
        let downloads = download.as_ref().and_then(versions::Availability::jar);
        for jar in std::iter::once(&hadoop_aws)
            .chain(&sdk_jars)
            .chain(downloads)
        {
            let _ = writeln!(
                s,
                "#      curl -fLo \"$SPARK_SRC/dist/jars/{}\" {}",
                jar.file_name(),
                jar.maven_central_url()
            );
        }
        if let Some(note) = download.as_ref().and_then(versions::Availability::note) {
            let _ = writeln!(s, "#      ({note})");
        }
    }

    let mut base_builds = vec![format!(
        "docker build -t {} -f kubernetes/dockerfiles/spark/Dockerfile .",
        sh(&jvm_image)
    )];
    if let Some(bindings) = bindings_dockerfile {
        base_builds.push(format!(
            "docker build -t {} --build-arg base_img={} -f kubernetes/dockerfiles/spark/bindings/{bindings}/Dockerfile .",
            sh(&base_image),
            sh(&jvm_image)
        ));
    }
    let _ = writeln!(
        s,
        "\n# 2. Base images, from the distribution. Spark's Dockerfiles run Spark as uid 185.\n(cd \"$SPARK_SRC/dist\" && {})",
        base_builds.join(" && \\\n  ")
    );

    // One build, every tag the config's environments use.
    let mut images: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    images.entry(app_image).or_default().push("base");
    for (env, image) in env_images {
        images.entry(image).or_default().push(env);
    }
    let tags: Vec<String> = images.keys().map(|i| format!("-t {}", sh(i))).collect();
    let uses: Vec<String> = images
        .iter()
        .map(|(i, envs)| format!("#    {i} ({})", envs.join(", ")))
        .collect();
    let _ = writeln!(
        s,
        "\n# 3. The application image: the config's folder is the build context, with the Dockerfile\n#    that `k8s-s3-spark build-plan {} --dockerfile {}` writes. Tags the config uses:\n{}\ndocker build {} --build-arg base_img={} -f {} {}",
        options.config_file,
        options.dockerfile,
        uses.join("\n"),
        tags.join(" "),
        sh(&base_image),
        sh(&options.dockerfile),
        sh(&options.context),
    );
    let pushes: Vec<String> = [jvm_image.as_str()]
        .into_iter()
        .chain((base_image != jvm_image).then_some(base_image.as_str()))
        .chain(images.keys().copied())
        .map(|i| format!("docker push {}", sh(i)))
        .collect();
    let _ = writeln!(
        s,
        "\n# 4. Push them where the cluster pulls from.\n{}",
        pushes.join("\n")
    );

    let copy = match application_copy(&spec.main_application_file) {
        // The JSON form: a name with spaces or quotes stays one argument.
        Some((from, to)) => format!("COPY {}\n", serde_json::json!([from, to])),
        None => format!(
            "# {} is fetched at run time; nothing to copy.\n",
            crate::syntax::shown_file_name(&spec.main_application_file)
        ),
    };
    let dockerfile = format!(
        "# The application image of {name} (generated by k8s-s3-spark build-plan from {file}).\n# The build context is the folder of {file}: see `k8s-s3-spark build-plan {file}`.\nARG base_img={base_image}\nFROM ${{base_img}}\n{copy}# Spark's images run as uid 185; keep it so the pods run as non-root.\nUSER 185\n",
        name = job.metadata.name,
        file = options.config_file,
    );
    BuildPlan {
        script: s,
        dockerfile,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_follow_the_spark_poms() {
        let v = |s: &str| s.parse::<Version>().unwrap();
        assert_eq!(hadoop_profile(v("2.4.1"), v("2.9.2")), Some("hadoop-2.7"));
        assert_eq!(hadoop_profile(v("3.0.3"), v("3.2.0")), Some("hadoop-3.2"));
        assert_eq!(hadoop_profile(v("3.5.3"), v("3.3.4")), None);
    }

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(
            sh("acme/s3-spark:3.5.3-3.3.4-1"),
            "acme/s3-spark:3.5.3-3.3.4-1"
        );
        assert_eq!(sh("a b"), "'a b'");
        assert_eq!(sh("it's"), r"'it'\''s'");
    }

    #[test]
    fn copies_local_files_only() {
        assert_eq!(
            application_copy("local:///app/simple_read.py"),
            Some(("simple_read.py".into(), "/app/simple_read.py".into()))
        );
        assert_eq!(application_copy("s3a://bucket/app.py"), None);
    }
}
