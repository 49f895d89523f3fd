//! The commented starter `spark-job.yaml` that `init` writes, shaped by the user's answers
//! (name, language, main class, endpoint, credentials kind). Pure: options in, text out; every
//! combination validates (a test renders them all).

use crate::config::model::ApplicationType;

/// The schema file `init` writes beside the config, which the modeline names.
pub const SCHEMA_FILE_NAME: &str = "spark-job.schema.json";

/// How Spark authenticates to S3 in the starter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StarterCredentials {
    /// Keys from an existing Secret.
    Secret,
    /// Web identity (IRSA) with this role.
    WebIdentity(String),
    /// EKS Pod Identity.
    PodIdentity,
    /// No credentials (public buckets).
    Anonymous,
}

/// What the user chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterOptions {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
    /// The language.
    pub app_type: ApplicationType,
    /// `spec.mainClass` (Java and Scala).
    pub main_class: Option<String>,
    /// `spec.s3.endpoint`, for S3-compatible stores.
    pub endpoint: Option<String>,
    /// `spec.s3.pathStyleAccess`.
    pub path_style: bool,
    /// The credentials kind.
    pub credentials: StarterCredentials,
    /// What the modeline's `$schema=` names: a URL, or a path relative to the config.
    pub schema: String,
}

/// The starter config's text.
pub fn starter(o: &StarterOptions) -> String {
    let (type_name, file, class) = match o.app_type {
        ApplicationType::Python => ("Python", "local:///opt/spark/work-dir/main.py", None),
        ApplicationType::R => ("R", "local:///opt/spark/work-dir/main.R", None),
        ApplicationType::Scala => (
            "Scala",
            "local:///opt/spark/work-dir/app.jar",
            Some(o.main_class.as_deref().unwrap_or("com.example.Main")),
        ),
        ApplicationType::Java => (
            "Java",
            "local:///opt/spark/work-dir/app.jar",
            Some(o.main_class.as_deref().unwrap_or("com.example.Main")),
        ),
    };
    let name = &o.name;
    let mut s = format!(
        "# yaml-language-server: $schema={schema}\n\
         #\n\
         # A Spark batch job on Kubernetes that reads S3. Check and render it with:\n\
         #\n\
         #   k8s-s3-spark validate spark-job.yaml\n\
         #   k8s-s3-spark render spark-job.yaml            # plain manifests on stdout\n\
         #   k8s-s3-spark chart spark-job.yaml --out chart # or a Helm chart, or `kustomize`\n\
         #\n\
         # Every field is documented in `k8s-s3-spark schema` and in k8s-s3-spark's docs/config-reference.md.\n\
         apiVersion: k8s-s3-spark/v1alpha1\n\
         kind: SparkJob\n\
         metadata:\n\
         \x20 # Names the Job, the Role, the RoleBinding, the service account and the Spark application.\n\
         \x20 name: {name}\n\
         \x20 # Everything is created here; a credentials Secret must live here too.\n\
         \x20 namespace: {namespace}\n\
         spec:\n\
         \x20 type: {type_name}\n\
         \x20 # The Spark version in the image; hadoopVersion defaults to the one it ships with.\n\
         \x20 sparkVersion: 4.1.1\n\
         \x20 # Spark with the S3A jars plus your application: `k8s-s3-spark build-plan spark-job.yaml`.\n\
         \x20 image: registry.example.com/{name}:4.1.1-1\n\
         \x20 mainApplicationFile: {file}\n",
        schema = o.schema,
        namespace = o.namespace,
    );
    if let Some(class) = class {
        s.push_str(&format!("  mainClass: {class}\n"));
    }
    s.push_str(
        "  # Quote arguments so YAML keeps them exactly as written.\n\
         \x20 arguments:\n\
         \x20   - \"s3a://my-bucket/input/\"\n\
         \x20 executor:\n\
         \x20   instances: 2\n\
         \x20   cores: 1\n\
         \x20   memory: 2g\n\
         \x20 s3:\n",
    );
    if let Some(endpoint) = &o.endpoint {
        s.push_str(&format!(
            "    # An S3-compatible store (MinIO, Ceph, SeaweedFS...).\n    endpoint: {endpoint}\n    \
             # The region S3A signs for: the server's (us-east-1 where it has none configured).\n"
        ));
    }
    s.push_str("    region: us-east-1\n");
    if o.path_style {
        s.push_str("    pathStyleAccess: true\n");
    }
    s.push_str("    credentials:\n");
    match &o.credentials {
        StarterCredentials::Secret => s.push_str(
            "      # Keys from the Secret `aws-secrets` (keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).\n\
             \x20     # Create it with `kubectl create secret generic`, or add `externalSecret:` to have the\n\
             \x20     # External Secrets Operator make it from a secret store.\n\
             \x20     secret:\n\
             \x20       name: aws-secrets\n",
        ),
        StarterCredentials::WebIdentity(role) => s.push_str(&format!(
            "      # IRSA on EKS: the service account is annotated with this role; no keys anywhere.\n\
             \x20     webIdentity:\n\
             \x20       roleArn: {role}\n"
        )),
        StarterCredentials::PodIdentity => s.push_str(&format!(
            "      # EKS Pod Identity: associate the service account with a role, no keys anywhere:\n\
             \x20     #   aws eks create-pod-identity-association --cluster-name CLUSTER \\\n\
             \x20     #     --namespace {namespace} --service-account {name} --role-arn ROLE_ARN\n\
             \x20     podIdentity: {{}}\n",
            namespace = o.namespace,
            name = o.name,
        )),
        StarterCredentials::Anonymous => s.push_str(
            "      # A public bucket: no credentials.\n      anonymous: {}\n",
        ),
    }
    s.push_str(
        "    # What the job reads; `k8s-s3-spark check-s3 --config spark-job.yaml` tries them.\n\
         \x20   paths:\n\
         \x20     - s3a://my-bucket/input/\n\
         \x20 submitter:\n\
         \x20   # Keep the finished Job (and the driver's log) for a day.\n\
         \x20   ttlSecondsAfterFinished: 86400\n\
         \x20 # Variations per environment: `render --env prod`, one Kustomize overlay each.\n\
         \x20 environments:\n\
         \x20   prod:\n\
         \x20     executor:\n\
         \x20       instances: 4\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination_validates() {
        let types = [
            ApplicationType::Python,
            ApplicationType::R,
            ApplicationType::Scala,
            ApplicationType::Java,
        ];
        let credentials = [
            StarterCredentials::Secret,
            StarterCredentials::WebIdentity("arn:aws:iam::123456789012:role/spark-reader".into()),
            StarterCredentials::PodIdentity,
            StarterCredentials::Anonymous,
        ];
        for app_type in types {
            for c in &credentials {
                for endpoint in [None, Some("http://minio.storage.svc:9000".to_owned())] {
                    let o = StarterOptions {
                        name: "nightly-report".into(),
                        namespace: "spark-jobs".into(),
                        app_type,
                        main_class: None,
                        path_style: endpoint.is_some(),
                        endpoint,
                        credentials: c.clone(),
                        schema: SCHEMA_FILE_NAME.into(),
                    };
                    let text = starter(&o);
                    let config = crate::config::parse(
                        std::path::Path::new("spark-job.yaml"),
                        text.as_bytes(),
                    )
                    .unwrap_or_else(|e| panic!("{o:?}:\n{e}\n{text}"));
                    assert!(config.warnings.0.is_empty(), "{o:?}: {}", config.warnings);
                    assert!(text.starts_with("# yaml-language-server: $schema="));
                }
            }
        }
    }
}
