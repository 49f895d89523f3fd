//! Dependencies (KS111 and the version gates of archives): Maven coordinates, and packages built for the image's Spark and Scala.

use super::*;

/// Whether `text` is `parts` non-empty Maven name parts joined by ':' (letters, digits, '.', '_',
/// '-').
fn maven_coordinate(text: &str, parts: usize) -> bool {
    let pieces: Vec<&str> = text.split(':').collect();
    pieces.len() == parts
        && pieces.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

/// Whether a package (`groupId:artifactId:version`) is built for this Spark: an artifact with a
/// Scala suffix (`spark-avro_2.13`) for a Scala the Spark is published for, and Spark's own
/// modules (`org.apache.spark`, Scala-suffixed) for its release line. A mismatch loads, then
/// fails when first used (`NoSuchMethodError`, `NoClassDefFoundError`). Returns the message and
/// help of a mismatch.
fn package_build(package: &str, spark: Version) -> Option<(String, String)> {
    let [group, artifact, version] = package.split(':').collect::<Vec<_>>()[..] else {
        return None;
    };
    let (name, scala) = artifact.rsplit_once('_')?;
    let is_scala = scala
        .split_once('.')
        .is_some_and(|(major, minor)| major == "2" && minor.parse::<u32>().is_ok());
    if !is_scala {
        return None;
    }
    let builds = versions::scala_builds(spark);
    let default = builds.first().copied().unwrap_or(scala);
    let spark_module = group == "org.apache.spark";
    let wanted_version = if spark_module {
        spark.to_string()
    } else {
        version.to_owned()
    };
    let fix = |scala: &str| format!("{group}:{name}_{scala}:{wanted_version}");
    if !builds.contains(&scala) {
        return Some((
            format!(
                "{package:?} is built for Scala {scala}; Spark {spark} runs Scala {}",
                builds.join(" or ")
            ),
            format!("use its Scala {default} build: {}", fix(default)),
        ));
    }
    let module_line = version.parse::<Version>().ok().map(Version::line);
    if spark_module && module_line != Some(spark.line()) {
        return Some((
            format!("{package:?} is a module of Spark {version}; the image runs Spark {spark}"),
            format!("use the image's Spark version: {}", fix(scala)),
        ));
    }
    None
}

pub(super) fn dependencies<'a>(
    p: &mut Problems,
    spec: &'a SparkJobSpec,
    versions: Option<JobVersions>,
) {
    let deps = &spec.deps;
    // Each item of a list with its field path, borrowed.
    let each = |list: &'static str, items: &'a [String]| {
        items
            .iter()
            .enumerate()
            .map(move |(i, item)| (join_index(&format!("spec.deps.{list}"), i), item))
    };
    // Maven coordinates: packages with a version, exclusions without.
    let coordinates = [
        (
            "packages",
            &deps.packages,
            3,
            "a Maven package groupId:artifactId:version",
            "write it as Maven does, e.g. org.apache.spark:spark-avro_2.12:3.5.3",
        ),
        (
            "excludePackages",
            &deps.exclude_packages,
            2,
            "groupId:artifactId",
            "write it without a version, e.g. org.apache.hadoop:hadoop-aws",
        ),
    ];
    for (list, items, parts, what, help) in coordinates {
        for (field, package) in each(list, items) {
            if !maven_coordinate(package, parts) {
                p.add(
                    Code::Application,
                    field,
                    format!("{package:?} is not {what}"),
                    help,
                );
            }
        }
    }
    if let Some(v) = versions {
        for (field, package) in each("packages", &deps.packages) {
            if let Some((message, help)) = package_build(package, v.spark) {
                p.add(Code::Versions, field, message, help);
            }
        }
    }
    for (field, repository) in each("repositories", &deps.repositories) {
        let ok = url::Url::parse(repository)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
        if !ok {
            p.add(
                Code::Application,
                field,
                format!("{repository:?} is not an http(s) URL of a Maven repository"),
                "write its URL, e.g. https://repo.example.com/maven2",
            );
        }
    }
    let lists = [
        ("jars", &deps.jars),
        ("files", &deps.files),
        ("pyFiles", &deps.py_files),
        ("archives", &deps.archives),
    ];
    for (list, items) in lists {
        for (field, file) in each(list, items) {
            let url = if list == "archives" {
                file.split_once('#').map_or(file.as_str(), |(url, _)| url)
            } else {
                file.as_str()
            };
            if !reachable_file(url) {
                p.add(
                    Code::Application,
                    &field,
                    format!("{file:?} is not a file spark-submit can reach from the driver"),
                    "use local:///path/in/the/image or an s3a:// or https:// URL",
                );
            } else if let Some(rest) = url.strip_prefix("s3a://")
                && let Err(reason) = syntax::s3a_url(url)
            {
                p.add(
                    Code::S3Path,
                    &field,
                    format!("s3a://{rest} {reason}"),
                    "write s3a://bucket/key",
                );
            }
        }
    }
    if !deps.py_files.is_empty() && spec.app_type != ApplicationType::Python {
        p.add(
            Code::Application,
            "spec.deps.pyFiles",
            "only Python applications take pyFiles",
            "remove pyFiles, or add the code to jars",
        );
    }
    if let Some(v) = versions.filter(|v| !deps.archives.is_empty() && v.spark < MIN_SPARK_ARCHIVES)
    {
        p.add(
            Code::NeedsNewer,
            "spec.deps.archives",
            format!(
                "Spark {} has no spark.archives (it arrived in {MIN_SPARK_ARCHIVES})",
                v.spark
            ),
            format!("use Spark {MIN_SPARK_ARCHIVES} or later, or ship the files in the image"),
        );
    }
}
