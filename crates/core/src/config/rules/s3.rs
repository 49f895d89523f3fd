//! S3 and identity (KS113 and on): endpoints, regions, credentials that fit the Hadoop line, committers and output paths, and the ExternalSecret.

use super::*;

pub(super) fn s3(p: &mut Problems, spec: &SparkJobSpec, versions: Option<JobVersions>) {
    let s3 = &spec.s3;
    let mut endpoint_tls = None;
    if let Some(endpoint) = &s3.endpoint {
        match syntax::endpoint_url(endpoint) {
            Ok(tls) => endpoint_tls = Some(tls),
            Err(reason) => p.add(
                Code::Endpoint,
                "spec.s3.endpoint",
                format!("{endpoint:?} {reason}"),
                "write http(s)://host[:port], e.g. http://minio.storage.svc:9000",
            ),
        }
    }
    if let (Some(endpoint), Some(_)) = (&s3.endpoint, endpoint_tls)
        && !s3.path_style_access
        && !is_aws_endpoint(endpoint)
    {
        p.add(Code::PathStyle, "spec.s3.endpoint",
            "an S3-compatible endpoint without pathStyleAccess: S3A will ask for BUCKET.HOST, which most such servers (MinIO, Ceph, SeaweedFS) do not serve (UnknownHostException)",
            "add `pathStyleAccess: true` under spec.s3, unless the server serves bucket subdomains",
        );
    }
    // Hadoop 3.4+ (SDK v2) parses no region from a non-AWS endpoint and falls back to
    // `AWS_S3_DEFAULT_REGION` (us-east-2, read from hadoop-aws 3.4.2's and 3.5.0's
    // `DefaultS3ClientFactory`); SDK v1 signed such requests for us-east-1.
    if let (Some(endpoint), Some(_), None, Some(v)) =
        (&s3.endpoint, endpoint_tls, &s3.region, versions)
        && versions::aws_sdk(v.hadoop).is_v2()
        && !is_aws_endpoint(endpoint)
    {
        p.add(Code::RegionFallback, "spec.s3.endpoint",
            format!("an S3-compatible endpoint without a region: S3A of Hadoop {} (AWS SDK v2) signs its requests for us-east-2, which a server with a configured region (MinIO's MINIO_REGION, a Ceph zone group) refuses", v.hadoop),
            "add `region:` under spec.s3 with the server's region (us-east-1 where none is configured)",
        );
    }
    if let (Some(tls), Some(endpoint_tls)) = (s3.tls, endpoint_tls)
        && tls != endpoint_tls
    {
        p.add(
            Code::Endpoint,
            "spec.s3.tls",
            format!("tls: {tls} contradicts the endpoint's scheme"),
            "remove tls (it follows the endpoint), or change the endpoint's scheme",
        );
    }
    if let Some(region) = &s3.region {
        let ok = !region.is_empty()
            && region.len() <= 32
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            p.add(
                Code::Endpoint,
                "spec.s3.region",
                format!("{region:?} is not an AWS region name"),
                "write a region such as us-east-1",
            );
        }
        if let Some(v) = versions
            && v.hadoop < MIN_HADOOP_REGION_CONF
        {
            p.add(Code::NeedsNewer, "spec.s3.region", format!("Hadoop {} has no fs.s3a.endpoint.region setting (it arrived in {MIN_HADOOP_REGION_CONF})", v.hadoop),
                "remove region and set endpoint to the regional endpoint, e.g. https://s3.eu-west-1.amazonaws.com");
        }
    }
    match &s3.credentials {
        S3Credentials::Secret(secret) => {
            if let Some(name) = &secret.name {
                p.rule(
                    Code::Secret,
                    "spec.s3.credentials.secret.name",
                    name,
                    syntax::dns1123_subdomain,
                    "use lowercase letters, digits, '-' and '.', e.g. aws-secrets",
                );
            }
            if let Some(source) = &secret.external_secret {
                external_secret(p, secret.generate, source);
            }
            let name_length = secret
                .name
                .as_ref()
                .map_or(DEFAULT_SECRET_NAME.len(), String::len);
            if secret.generate && name_length > MAX_GENERATED_SECRET_NAME {
                p.add(Code::Secret, "spec.s3.credentials.secret.name",
                    format!(
                        "is {} characters; Kustomize's secretGenerator adds '-' and a 10-character hash, and a Secret name has at most 253",
                        name_length
                    ),
                    format!("use at most {MAX_GENERATED_SECRET_NAME} characters"),
                );
            }
            for (name, key) in [
                ("accessKeyIdKey", &secret.access_key_id_key),
                ("secretAccessKeyKey", &secret.secret_access_key_key),
            ] {
                let ok = !key.is_empty()
                    && key.len() <= 253
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
                if !ok {
                    p.add(
                        Code::Secret,
                        join_key("spec.s3.credentials.secret", name),
                        format!("{key:?} is not a valid Secret key"),
                        "Secret keys are letters, digits, '-', '_' and '.', e.g. AWS_ACCESS_KEY_ID",
                    );
                }
            }
            if secret.access_key_id_key == secret.secret_access_key_key {
                p.add(
                    Code::Secret,
                    "spec.s3.credentials.secret.secretAccessKeyKey",
                    "is the same key as accessKeyIdKey",
                    "the access key id and the secret key are two different keys of the Secret",
                );
            }
        }
        S3Credentials::WebIdentity(web) => {
            p.rule(
                Code::WebIdentity,
                "spec.s3.credentials.webIdentity.roleArn",
                &web.role_arn,
                syntax::iam_role_arn,
                "copy the role's ARN from IAM, e.g. arn:aws:iam::123456789012:role/spark-reader",
            );
            if let Some(v) = versions {
                if v.hadoop < MIN_HADOOP_WEB_IDENTITY {
                    p.add(Code::NeedsNewer, "spec.s3.credentials.webIdentity", format!("Hadoop {}'s AWS SDK has no web identity provider", v.hadoop),
                        format!("use Hadoop {MIN_HADOOP_WEB_IDENTITY} or later (Spark 3.2+), or secret credentials"));
                }
                executors_under_the_account(p, "spec.s3.credentials.webIdentity", v);
            }
            if spec
                .service_account
                .annotations
                .contains_key(crate::config::model::IRSA_ANNOTATION)
            {
                p.add(
                    Code::WebIdentity,
                    join_key(
                        "spec.serviceAccount.annotations",
                        crate::config::model::IRSA_ANNOTATION,
                    ),
                    "is set from s3.credentials.webIdentity.roleArn",
                    "remove this annotation",
                );
            }
        }
        S3Credentials::PodIdentity(_) => {
            if let Some(v) = versions {
                let sdk = versions::aws_sdk(v.hadoop);
                if !sdk.reads_pod_identity() {
                    p.add(Code::PodIdentity, "spec.s3.credentials.podIdentity",
                        format!("hadoop-aws {} was built with the AWS {}, which cannot read EKS Pod Identity's credentials (they need {})", v.hadoop, sdk, versions::AwsSdk::pod_identity_minimums()),
                        format!("use Spark 4.0 or later (Hadoop {FIRST_HADOOP_SDK_V2}+, SDK v2), or `webIdentity: {{roleArn: ...}}` (IRSA), which Hadoop {MIN_HADOOP_WEB_IDENTITY}+ reads"));
                }
                executors_under_the_account(p, "spec.s3.credentials.podIdentity", v);
            }
        }
        S3Credentials::Anonymous(_) => {}
    }
    for (i, url) in s3.paths.iter().enumerate() {
        if let Err(reason) = syntax::s3a_url(url) {
            p.add(
                Code::S3Path,
                join_index("spec.s3.paths", i),
                format!("{url:?} {reason}"),
                "write s3a://bucket/key, e.g. s3a://my-bucket/data/part-0.tsv.gz",
            );
        }
    }
    outputs(p, s3, versions);
}

/// The first input of `paths` that the output `url` overlaps, and how: the same location, an
/// output above an input (overwriting it deletes the input), or below one (later runs read their
/// own output). Keys compare as folders, per bucket.
fn overlap<'a>(url: &str, paths: &'a [String]) -> Option<(&'a str, &'static str)> {
    let (bucket, key) = syntax::s3a_url(url).ok()?;
    let key = key.trim_end_matches('/');
    let under = |inner: &str, outer: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
    };
    paths.iter().find_map(|path| {
        let (input_bucket, input_key) = syntax::s3a_url(path).ok()?;
        let input_key = input_key.trim_end_matches('/');
        if input_bucket != bucket {
            None
        } else if input_key == key {
            Some((
                path.as_str(),
                "is also an input: a job that overwrites its own input loses it; input",
            ))
        } else if under(input_key, key) {
            Some((
                path.as_str(),
                "holds an input: overwriting it deletes the input",
            ))
        } else if under(key, input_key) {
            Some((
                path.as_str(),
                "lies under an input: later runs read their own output as input; input",
            ))
        } else {
            None
        }
    })
}

/// `s3.outputs` and `s3.committer`: locations, the versions the committers need, and a staging
/// committer's shared folder.
fn outputs(p: &mut Problems, s3: &S3Spec, versions: Option<JobVersions>) {
    for (i, url) in s3.outputs.iter().enumerate() {
        if let Err(reason) = syntax::s3a_url(url) {
            p.add(
                Code::Output,
                join_index("spec.s3.outputs", i),
                format!("{url:?} {reason}"),
                "write s3a://bucket/prefix, e.g. s3a://my-bucket/results/daily",
            );
        } else if let Some((input, message)) = overlap(url, &s3.paths) {
            p.add(
                Code::Output,
                join_index("spec.s3.outputs", i),
                format!("{url:?} {message} {input:?}"),
                "write the results to a prefix of their own, beside the inputs rather than above or below them",
            );
        }
    }
    if let Some(url) = &s3.event_log_dir
        && let Err(reason) = syntax::s3a_url(url)
    {
        p.add(
            Code::Output,
            "spec.s3.eventLogDir",
            format!("{url:?} {reason}"),
            "write s3a://bucket/prefix, e.g. s3a://my-bucket/spark-events",
        );
    }
    if s3.outputs.is_empty() {
        if s3.committer != Committer::default() {
            p.add(
                Code::Output,
                "spec.s3.committer",
                "a committer without s3.outputs: nothing would use it",
                "add the s3a:// locations the job writes under spec.s3.outputs, or remove committer",
            );
        }
        return;
    }
    if let Some(v) = versions {
        if v.spark < MIN_SPARK_COMMITTERS {
            p.add(Code::NeedsNewer, "spec.s3.outputs", format!("Spark {} cannot commit through the S3A committers (PathOutputCommitProtocol arrived in {MIN_SPARK_COMMITTERS}), and its classic committer renames by copying on S3, which can lose or corrupt output", v.spark),
                format!("use Spark {MIN_SPARK_COMMITTERS} or later (3.5 recommended)"));
        }
        if v.hadoop < MIN_HADOOP_COMMITTERS {
            p.add(
                Code::NeedsNewer,
                "spec.s3.outputs",
                format!(
                    "Hadoop {} has no S3A committers (they arrived in {MIN_HADOOP_COMMITTERS})",
                    v.hadoop
                ),
                "use the Spark line's default Hadoop (Spark 3.2 or later ships 3.3+)",
            );
        }
    }
    if let Committer::Directory(staging) | Committer::Partitioned(staging) = &s3.committer {
        let field = format!("spec.s3.committer.{}.stagingPath", s3.committer.name());
        let path = &staging.staging_path;
        let scheme = path.split_once("://").map(|(scheme, _)| scheme);
        let shared = scheme.is_some_and(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
        }) && !path.contains(|c: char| c.is_whitespace() || c.is_control());
        if !shared {
            p.add(
                Code::Output,
                &field,
                format!("{path:?} is not a filesystem URL"),
                "write the URL of a folder every pod shares, e.g. hdfs://namenode:8020/tmp/staging",
            );
        } else if matches!(scheme, Some("s3a" | "s3" | "s3n")) {
            p.add(Code::Output, &field, format!("{path:?} is on S3: the staging committers keep their pending uploads in a cluster filesystem, not the object store"),
                "use HDFS (hdfs://...), or the magic committer (`committer: {magic: {}}`), which needs no staging folder");
        }
    }
}

fn external_secret(p: &mut Problems, generate: bool, source: &ExternalSecretSource) {
    let f = "spec.s3.credentials.secret.externalSecret";
    if generate {
        p.add(Code::ExternalSecret, join_key("spec.s3.credentials.secret", "generate"),
            "the Secret cannot come both from a secretGenerator and from the External Secrets Operator",
            "remove `generate: true` (externalSecret works from git) or remove externalSecret",
        );
    }
    p.rule(
        Code::ExternalSecret,
        join_key(f, "store"),
        &source.store,
        syntax::dns1123_subdomain,
        "name the SecretStore or ClusterSecretStore, e.g. aws-secrets-manager",
    );
    for (name, value) in [
        ("remoteKey", &source.remote_key),
        ("accessKeyIdProperty", &source.access_key_id_property),
        (
            "secretAccessKeyProperty",
            &source.secret_access_key_property,
        ),
    ] {
        let field = join_key(f, name);
        if value.trim().is_empty() || value.contains(['\n', '\r', '\0']) {
            p.add(Code::ExternalSecret, &field,
                "must be one line of text",
                "write the secret's key in the store (e.g. prod/spark/s3) or its property (e.g. AWS_ACCESS_KEY_ID)",
            );
        }
    }
    p.rule(
        Code::ExternalSecret,
        join_key(f, "refreshInterval"),
        &source.refresh_interval,
        syntax::go_duration,
        "write a Go duration such as 1h, 30m or 1h30m",
    );
}

/// Whether an endpoint is AWS's own (`*.amazonaws.com`, `*.amazonaws.com.cn`), which serves
/// bucket subdomains.
/// Identities given to the job's service account reach the executors only when they run under
/// it, which Spark can be told from 3.1.
fn executors_under_the_account(p: &mut Problems, field: &str, v: JobVersions) {
    if v.spark < MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT {
        p.add(Code::NeedsNewer, field, format!("Spark {} cannot run executors under the job's service account, so they would fall back to the node's role", v.spark),
            format!("use Spark {MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT} or later, or secret credentials"));
    }
}

fn is_aws_endpoint(endpoint: &str) -> bool {
    url::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"))
}
