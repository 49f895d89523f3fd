//! The rules a schema cannot express: name syntax, Spark sizes, version alignment, credentials
//! that fit the Hadoop version, and conf keys the tool owns. [`check`] reports every problem of
//! one job (base or one environment applied) with its field path and a fix.

use std::collections::BTreeMap;

use super::model::{
    ApplicationType, PodView, S3Credentials, SparkJob, SparkJobSpec, TolerationOperator,
};
use super::spans::{join_index, join_key};
use crate::spark::submit::{RESERVED_ENV, reserved_conf_reason};
use crate::spark::versions::{
    self, MIN_HADOOP_REGION_CONF, MIN_HADOOP_WEB_IDENTITY, MIN_SPARK_DRIVER_REQUEST_CORES,
    MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT, MIN_SPARK_POD_TEMPLATE, Version,
};
use crate::syntax;

/// The most executors one job may ask for; more is a typo.
pub const MAX_EXECUTORS: u32 = 10_000;
/// The most cores one driver or executor may ask for; more is a typo.
pub const MAX_CORES: u32 = 512;

/// One rule broken: the field, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Field path (see [`super::spans`]).
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(
        &mut self,
        field: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
            help: help.into(),
        });
    }

    /// Adds `rule`'s failure for `field`, if any.
    fn rule(&mut self, field: &str, value: &str, rule: fn(&str) -> Result<(), String>, help: &str) {
        if let Err(reason) = rule(value) {
            self.add(field, format!("{value:?} {reason}"), help);
        }
    }
}

/// The Spark and Hadoop versions of a job, once known to be valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobVersions {
    /// Spark.
    pub spark: Version,
    /// Hadoop of the distribution (explicit or the Spark line's default).
    pub hadoop: Version,
}

/// Resolves the Spark and Hadoop versions, or says which field is wrong and why.
pub fn job_versions(spec: &SparkJobSpec) -> Result<JobVersions, Vec<Problem>> {
    let mut p = Problems::default();
    let spark = match spec.spark_version.parse::<Version>() {
        Ok(v) => Some(v),
        Err(e) => {
            p.add(
                "spec.sparkVersion",
                e,
                "write the full Spark version of the image, e.g. 3.5.3",
            );
            None
        }
    };
    let explicit_hadoop = match spec.hadoop_version.as_deref().map(str::parse::<Version>) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            p.add(
                "spec.hadoopVersion",
                e,
                "write the version of the image's hadoop-aws jar, e.g. 3.3.4",
            );
            return Err(p.0);
        }
        None => None,
    };
    let Some(spark) = spark else { return Err(p.0) };
    let pairing = versions::Pairing {
        spark,
        hadoop: explicit_hadoop,
        custom_distribution: spec.custom_distribution,
        python_or_r: matches!(spec.app_type, ApplicationType::Python | ApplicationType::R),
    };
    match versions::fit(pairing) {
        Ok(hadoop) => Ok(JobVersions { spark, hadoop }),
        Err(misfits) => {
            for m in misfits {
                let field = if m.is_about_hadoop() {
                    "spec.hadoopVersion"
                } else {
                    "spec.sparkVersion"
                };
                p.add(field, m.message(), m.help());
            }
            Err(p.0)
        }
    }
}

/// Checks one job (the base config, or one environment applied to it).
pub fn check(job: &SparkJob) -> Vec<Problem> {
    let mut p = Problems::default();
    let meta = &job.metadata;
    let spec = &job.spec;

    p.rule(
        "metadata.name",
        &meta.name,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. simple-read",
    );
    p.rule(
        "metadata.namespace",
        &meta.namespace,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. spark-jobs",
    );
    labels(&mut p, "metadata.labels", &meta.labels);
    annotations(&mut p, "metadata.annotations", &meta.annotations);

    let versions = match job_versions(spec) {
        Ok(v) => Some(v),
        Err(problems) => {
            p.0.extend(problems);
            None
        }
    };

    image(&mut p, &spec.image);
    for (i, secret) in spec.image_pull_secrets.iter().enumerate() {
        p.rule(
            &join_index("spec.imagePullSecrets", i),
            secret,
            syntax::dns1123_subdomain,
            "name a Secret of type kubernetes.io/dockerconfigjson in the job's namespace",
        );
    }
    application(&mut p, spec);
    confs(&mut p, spec);

    for (role, pod) in [
        ("driver", &spec.driver.as_pod()),
        ("executor", &spec.executor.as_pod()),
    ] {
        sizing(&mut p, role, pod, versions);
    }
    if versions.is_some_and(|v| !crate::spark::submit::uses_pod_templates(v.spark))
        && spec.driver.node_selector != spec.executor.node_selector
    {
        p.add(
            "spec.executor.nodeSelector",
            "before Spark 3.0 the driver and the executors share one node selector",
            "give driver and executor the same nodeSelector, or use Spark 3.0+",
        );
    }
    let instances = spec.executor.instances;
    if instances == 0 || instances > MAX_EXECUTORS {
        p.add(
            "spec.executor.instances",
            format!("{instances} executors is out of range"),
            format!("ask for 1 to {MAX_EXECUTORS} executors"),
        );
    }

    p.rule(
        "spec.serviceAccount.name",
        &spec.service_account.name,
        syntax::dns1123_subdomain,
        "use lowercase letters, digits, '-' and '.', e.g. spark",
    );
    annotations(
        &mut p,
        "spec.serviceAccount.annotations",
        &spec.service_account.annotations,
    );

    s3(&mut p, spec, versions);
    submitter(&mut p, spec);
    p.0
}

fn labels(p: &mut Problems, field: &str, labels: &BTreeMap<String, String>) {
    for (key, value) in labels {
        let f = join_key(field, key);
        p.rule(
            &f,
            key,
            syntax::qualified_name,
            "label keys are [prefix/]name, e.g. team or example.com/team",
        );
        if key.starts_with(crate::k8s::labels::RECOMMENDED_PREFIX) {
            p.add(
                &f,
                format!("{key:?} is one of the recommended labels the tool sets"),
                "remove it; use your own prefix, e.g. example.com/team",
            );
        }
        p.rule(
            &f,
            value,
            syntax::label_value,
            "label values are up to 63 letters, digits, '-', '_' or '.'",
        );
    }
}

fn annotations(p: &mut Problems, field: &str, annotations: &BTreeMap<String, String>) {
    for key in annotations.keys() {
        p.rule(
            &join_key(field, key),
            key,
            syntax::qualified_name,
            "annotation keys are [prefix/]name, e.g. example.com/owner",
        );
    }
}

fn image(p: &mut Problems, image: &str) {
    match syntax::image_ref(image) {
        Err(reason) => p.add(
            "spec.image",
            format!("{image:?} {reason}"),
            "write [registry/]repository:tag, e.g. ghcr.io/acme/spark-app:3.5.3-1",
        ),
        Ok(r) if r.tag.is_none() && r.digest.is_none() => p.add(
            "spec.image",
            format!("{image:?} has no tag, so every pull may get a different image"),
            "add a tag or digest, e.g. :3.5.3-1 or @sha256:...",
        ),
        Ok(r) if r.tag == Some("latest") && r.digest.is_none() => p.add(
            "spec.image",
            format!("{image:?} uses the `latest` tag, so every pull may get a different image"),
            "use a versioned tag, e.g. :3.5.3-1",
        ),
        Ok(_) => {}
    }
}

fn application(p: &mut Problems, spec: &SparkJobSpec) {
    let file = &spec.main_application_file;
    let scheme_ok = ["local:///", "s3a://", "http://", "https://"]
        .iter()
        .any(|s| file.starts_with(s) && file.len() > s.len());
    if !scheme_ok {
        p.add("spec.mainApplicationFile",
            format!("{file:?} is not a file spark-submit can reach from a cluster-mode driver"),
            "use local:///path/in/the/image (e.g. local:///app/simple_read.py) or an s3a:// or https:// URL");
    }
    let needs_class = matches!(
        spec.app_type,
        ApplicationType::Java | ApplicationType::Scala
    );
    match (&spec.main_class, needs_class) {
        (None, true) => p.add(
            "spec.mainClass",
            "Java and Scala applications need a main class",
            "add `mainClass: com.example.Main`",
        ),
        (Some(_), false) => p.add(
            "spec.mainClass",
            "only Java and Scala applications have a main class",
            "remove mainClass",
        ),
        (Some(class), true) if class.is_empty() || class.contains(char::is_whitespace) => p.add(
            "spec.mainClass",
            format!("{class:?} is not a class name"),
            "write a fully qualified class name, e.g. com.example.Main",
        ),
        _ => {}
    }
}

fn confs(p: &mut Problems, spec: &SparkJobSpec) {
    for key in spec.spark_conf.keys() {
        let field = join_key("spec.sparkConf", key);
        if !key.starts_with("spark.") || key.len() <= "spark.".len() {
            p.add(field, format!("{key:?} is not a Spark setting; spark-submit ignores keys that do not start with `spark.`"),
                "for Hadoop settings use hadoopConf without the spark.hadoop. prefix");
        } else if let Some(hadoop_key) = key.strip_prefix("spark.hadoop.") {
            p.add(
                field,
                format!("{key:?} is a Hadoop setting"),
                format!("move it to hadoopConf as `{hadoop_key}`"),
            );
        } else if let Some(reason) = reserved_conf_reason(key) {
            p.add(field, format!("{key:?} is set by the tool"), reason);
        }
    }
    for key in spec.hadoop_conf.keys() {
        let field = join_key("spec.hadoopConf", key);
        if let Some(rest) = key.strip_prefix("spark.hadoop.") {
            p.add(
                field,
                format!("{key:?} already has the spark.hadoop. prefix"),
                format!("write it as `{rest}`"),
            );
        } else if key.is_empty() || key.contains(char::is_whitespace) || key.contains('=') {
            p.add(
                field,
                format!("{key:?} is not a Hadoop setting name"),
                "write a key such as fs.s3a.connection.maximum",
            );
        } else if let Some(reason) = reserved_conf_reason(&format!("spark.hadoop.{key}")) {
            p.add(field, format!("{key:?} is set by the tool"), reason);
        }
    }
    for (key, value) in spec.spark_conf.iter().chain(&spec.hadoop_conf) {
        if value.0.contains(['\n', '\r', '\0']) {
            p.add(
                join_key(
                    if spec.spark_conf.contains_key(key) {
                        "spec.sparkConf"
                    } else {
                        "spec.hadoopConf"
                    },
                    key,
                ),
                "values cannot contain line breaks or NUL",
                "write the value on one line",
            );
        }
    }
}

fn sizing(p: &mut Problems, role: &str, pod: &PodView<'_>, versions: Option<JobVersions>) {
    let f = |name: &str| format!("spec.{role}.{name}");
    if pod.cores == 0 || pod.cores > MAX_CORES {
        p.add(
            f("cores"),
            format!("{} cores is out of range", pod.cores),
            format!("ask for 1 to {MAX_CORES} cores"),
        );
    }
    for (name, value) in [
        ("coreRequest", pod.core_request),
        ("coreLimit", pod.core_limit),
    ] {
        if let Some(v) = value {
            p.rule(
                &f(name),
                v,
                syntax::cpu_quantity,
                "write a CPU quantity such as 500m, 1 or 2",
            );
        }
    }
    if role == "driver"
        && pod.core_request.is_some()
        && versions.is_some_and(|v| v.spark < MIN_SPARK_DRIVER_REQUEST_CORES)
    {
        p.add(
            f("coreRequest"),
            "spark.kubernetes.driver.request.cores needs Spark 3.0 or later",
            "remove coreRequest or use Spark 3.0+",
        );
    }
    for (name, value) in [
        ("memory", Some(pod.memory)),
        ("memoryOverhead", pod.memory_overhead),
    ] {
        if let Some(v) = value
            && let Err(reason) = syntax::spark_memory_mib(v)
        {
            p.add(
                f(name),
                format!("{v:?} {reason}"),
                "write a Spark size such as 512m or 4g",
            );
        }
    }
    labels(p, &f("labels"), pod.labels);
    annotations(p, &f("annotations"), pod.annotations);
    for (i, var) in pod.env.iter().enumerate() {
        let field = join_key(&join_index(&f("env"), i), "name");
        p.rule(
            &field,
            &var.name,
            syntax::env_var_name,
            "use letters, digits and '_', e.g. LOG_LEVEL",
        );
        if RESERVED_ENV.contains(&var.name.as_str()) {
            p.add(
                field,
                format!("{} is set from the S3 credentials", var.name),
                "remove it; configure spec.s3.credentials instead",
            );
        }
        if var.value.0.contains('\0') {
            p.add(
                join_key(&join_index(&f("env"), i), "value"),
                "values cannot contain NUL",
                "remove the NUL byte",
            );
        }
    }
    for (key, value) in pod.node_selector {
        let field = join_key(&f("nodeSelector"), key);
        p.rule(
            &field,
            key,
            syntax::qualified_name,
            "node label keys are [prefix/]name, e.g. kubernetes.io/arch",
        );
        p.rule(
            &field,
            value,
            syntax::label_value,
            "node label values are up to 63 letters, digits, '-', '_' or '.'",
        );
    }
    if !pod.tolerations.is_empty() && versions.is_some_and(|v| v.spark < MIN_SPARK_POD_TEMPLATE) {
        p.add(
            f("tolerations"),
            "tolerations are applied through a pod template, which needs Spark 3.0 or later",
            "remove tolerations or use Spark 3.0+",
        );
    }
    for (i, t) in pod.tolerations.iter().enumerate() {
        let field = join_index(&f("tolerations"), i);
        if t.operator == Some(TolerationOperator::Exists) && t.value.is_some() {
            p.add(
                join_key(&field, "value"),
                "operator Exists matches any value, so value must be empty",
                "remove value or use operator Equal",
            );
        }
        if let Some(key) = &t.key {
            p.rule(
                &join_key(&field, "key"),
                key,
                syntax::qualified_name,
                "taint keys are [prefix/]name",
            );
        } else if t.operator != Some(TolerationOperator::Exists) {
            p.add(
                join_key(&field, "key"),
                "a toleration without a key must use operator Exists",
                "add a key or `operator: Exists`",
            );
        }
        if t.toleration_seconds.is_some_and(|s| s < 0) {
            p.add(
                join_key(&field, "tolerationSeconds"),
                "must not be negative",
                "use 0 or more seconds",
            );
        }
    }
}

fn s3(p: &mut Problems, spec: &SparkJobSpec, versions: Option<JobVersions>) {
    let s3 = &spec.s3;
    let mut endpoint_tls = None;
    if let Some(endpoint) = &s3.endpoint {
        match syntax::endpoint_url(endpoint) {
            Ok(tls) => endpoint_tls = Some(tls),
            Err(reason) => p.add(
                "spec.s3.endpoint",
                format!("{endpoint:?} {reason}"),
                "write http(s)://host[:port], e.g. http://minio.storage.svc:9000",
            ),
        }
    }
    if let (Some(tls), Some(endpoint_tls)) = (s3.tls, endpoint_tls)
        && tls != endpoint_tls
    {
        p.add(
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
                "spec.s3.region",
                format!("{region:?} is not an AWS region name"),
                "write a region such as us-east-1",
            );
        }
        if let Some(v) = versions
            && v.hadoop < MIN_HADOOP_REGION_CONF
        {
            p.add("spec.s3.region", format!("Hadoop {} has no fs.s3a.endpoint.region setting (it arrived in {MIN_HADOOP_REGION_CONF})", v.hadoop),
                "remove region and set endpoint to the regional endpoint, e.g. https://s3.eu-west-1.amazonaws.com");
        }
    }
    match &s3.credentials {
        S3Credentials::Secret(secret) => {
            p.rule(
                "spec.s3.credentials.secret.name",
                &secret.name,
                syntax::dns1123_subdomain,
                "use lowercase letters, digits, '-' and '.', e.g. aws-secrets",
            );
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
                        join_key("spec.s3.credentials.secret", name),
                        format!("{key:?} is not a valid Secret key"),
                        "Secret keys are letters, digits, '-', '_' and '.', e.g. AWS_ACCESS_KEY_ID",
                    );
                }
            }
            if secret.access_key_id_key == secret.secret_access_key_key {
                p.add(
                    "spec.s3.credentials.secret.secretAccessKeyKey",
                    "is the same key as accessKeyIdKey",
                    "the access key id and the secret key are two different keys of the Secret",
                );
            }
        }
        S3Credentials::WebIdentity(web) => {
            p.rule(
                "spec.s3.credentials.webIdentity.roleArn",
                &web.role_arn,
                syntax::iam_role_arn,
                "copy the role's ARN from IAM, e.g. arn:aws:iam::123456789012:role/spark-reader",
            );
            if let Some(v) = versions {
                if v.hadoop < MIN_HADOOP_WEB_IDENTITY {
                    p.add("spec.s3.credentials.webIdentity", format!("Hadoop {}'s AWS SDK has no web identity provider", v.hadoop),
                        format!("use Hadoop {MIN_HADOOP_WEB_IDENTITY} or later (Spark 3.2+), or secret credentials"));
                }
                if v.spark < MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT {
                    p.add("spec.s3.credentials.webIdentity", format!("Spark {} cannot run executors under the annotated service account, so they would fall back to the node's role", v.spark),
                        format!("use Spark {MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT} or later, or secret credentials"));
                }
            }
            if spec
                .service_account
                .annotations
                .contains_key(crate::spark::submit::IRSA_ANNOTATION)
            {
                p.add(
                    join_key(
                        "spec.serviceAccount.annotations",
                        crate::spark::submit::IRSA_ANNOTATION,
                    ),
                    "is set from s3.credentials.webIdentity.roleArn",
                    "remove this annotation",
                );
            }
        }
        S3Credentials::Anonymous(_) => {}
    }
    for (i, url) in s3.paths.iter().enumerate() {
        if let Err(reason) = syntax::s3a_url(url) {
            p.add(
                join_index("spec.s3.paths", i),
                format!("{url:?} {reason}"),
                "write s3a://bucket/key, e.g. s3a://my-bucket/data/part-0.tsv.gz",
            );
        }
    }
}

fn submitter(p: &mut Problems, spec: &SparkJobSpec) {
    let s = &spec.submitter;
    if !(0..=100).contains(&s.backoff_limit) {
        p.add(
            "spec.submitter.backoffLimit",
            format!("{} is out of range", s.backoff_limit),
            "use 0 (no retry) to 100",
        );
    }
    if s.ttl_seconds_after_finished.is_some_and(|t| t < 0) {
        p.add(
            "spec.submitter.ttlSecondsAfterFinished",
            "must not be negative",
            "use 0 or more seconds, or remove it to keep finished Jobs",
        );
    }
    if s.active_deadline_seconds.is_some_and(|t| t <= 0) {
        p.add(
            "spec.submitter.activeDeadlineSeconds",
            "must be positive",
            "use 1 or more seconds, or remove it for no deadline",
        );
    }
    if s.run_as_user <= 0 {
        p.add(
            "spec.submitter.runAsUser",
            format!(
                "{} is root or invalid; the submitter never runs as root",
                s.run_as_user
            ),
            "use the image's non-root user id (185 for the Apache Spark images)",
        );
    }
    for (kind, amounts) in [
        ("requests", &s.resources.requests),
        ("limits", &s.resources.limits),
    ] {
        let f = format!("spec.submitter.resources.{kind}");
        p.rule(
            &join_key(&f, "cpu"),
            &amounts.cpu,
            syntax::cpu_quantity,
            "write a CPU quantity such as 250m or 1",
        );
        p.rule(
            &join_key(&f, "memory"),
            &amounts.memory,
            syntax::memory_quantity,
            "write a memory quantity such as 512Mi or 1Gi",
        );
    }
}
