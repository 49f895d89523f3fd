//! `check-cluster`: asks the cluster of the current kube context, read-only, what the seed's users
//! found out only after `kubectl create`: whether the namespace exists and which Pod Security
//! level it enforces, whether the caller may create every object (SelfSubjectAccessReview),
//! whether the API server accepts every object (server-side apply with `dryRun=All`), whether
//! the credentials Secret exists with the key names the pods read (names only: a value is never
//! printed), whether the External Secrets Operator is installed when an ExternalSecret makes the
//! Secret, whether an existing ServiceAccount carries the web identity annotation, and what the
//! pods need to be scheduled: the priority classes they name, the storage classes of on-demand
//! claims, existing claims, and a node with the executors' GPUs.
//!
//! kube-rs is the client: it reads the kube context the way kubectl does (client certificates,
//! tokens, exec plugins such as `aws eks get-token`).

use k8s_openapi::Resource;
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, Node, PersistentVolumeClaim, Secret, ServiceAccount};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::config::KubeConfigOptions;

use crate::config::ResolvedJob;
use crate::config::model::{IRSA_ANNOTATION, S3Credentials};
use crate::diagnostics::{Code, Diagnostic};
use crate::k8s::{ExternalSecret, GeneratedKind, Manifest, generated_kind};
use crate::progress::Progress;

/// The field manager of the dry-run applies: the name `kubectl apply --server-side` would record.
pub const FIELD_MANAGER: &str = "k8s-s3-spark";

/// The Pod Security label that decides admission.
const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// Why the check could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum CheckClusterError {
    /// No kube context could be read (no kubeconfig, unknown context, bad file).
    #[error("cannot read the kube context: {0}")]
    Config(String),
    /// The API server did not answer.
    #[error("cannot reach the API server at {server}: {error}")]
    Unreachable {
        /// The server address of the kube context.
        server: String,
        /// What failed, with its causes.
        error: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the client: {0}")]
    Runtime(#[from] std::io::Error),
}

/// A cluster that cannot be asked is the world's, not the input's.
impl crate::diagnostics::Failure for CheckClusterError {
    fn is_users_fault(&self) -> bool {
        false
    }

    fn help(&self) -> Option<String> {
        match self {
            Self::Config(_) => Some(
                "point $KUBECONFIG or ~/.kube/config at the cluster, or pass --context NAME".into(),
            ),
            Self::Unreachable { .. } => {
                Some("check that `kubectl get --raw /readyz` works with the same context".into())
            }
            Self::Runtime(_) => None,
        }
    }
}

/// What to check and where.
pub struct Request<'a> {
    /// The resolved job (base or one environment).
    pub job: &'a ResolvedJob,
    /// Its objects, as `render` writes them.
    pub manifests: &'a [Manifest],
    /// The kube context to use (default: the current one).
    pub context: Option<String>,
    /// Hears of each object as it is reviewed and dry-run.
    pub progress: &'a Progress,
}

/// Every finding, in a stable order (errors and warnings alike); empty when all is well.
pub fn check(request: &Request<'_>) -> Result<Vec<Diagnostic>, CheckClusterError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(check_async(request))
}

async fn client(context: Option<String>) -> Result<(kube::Client, String), CheckClusterError> {
    let config = match context {
        Some(context) => {
            let options = KubeConfigOptions {
                context: Some(context),
                ..KubeConfigOptions::default()
            };
            kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| CheckClusterError::Config(e.to_string()))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| CheckClusterError::Config(e.to_string()))?,
    };
    let server = config.cluster_url.to_string();
    let client =
        kube::Client::try_from(config).map_err(|e| CheckClusterError::Config(e.to_string()))?;
    Ok((client, server))
}

/// An error and its causes on one line ("client error (Connect): tcp connect error: Connection
/// refused"), each cause once.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn finding(code: Code, field: &str, message: String, help: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, field, message).help(help)
}

async fn check_async(request: &Request<'_>) -> Result<Vec<Diagnostic>, CheckClusterError> {
    let (client, server) = client(request.context.clone()).await?;
    let unreachable = |e: kube::Error| CheckClusterError::Unreachable {
        server: server.clone(),
        error: with_causes(&e),
    };
    let job = request.job;
    let namespace = job.metadata.namespace.as_str();
    let mut out = Vec::new();

    // The namespace, and the Pod Security level it enforces.
    let creates_namespace = request.manifests.iter().any(|m| m.kind == Namespace::KIND);
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace_exists = match namespaces.get_opt(namespace).await {
        Ok(Some(ns)) => {
            let level = ns
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(ENFORCE_LABEL))
                .cloned();
            if level.as_deref() != Some("restricted") && !creates_namespace {
                out.push(finding(
                    Code::PodSecurityLevel,
                    "metadata.namespace",
                    format!(
                        "namespace {namespace} enforces Pod Security {}, not restricted: pods weaker than the tool's would be admitted here",
                        level.as_deref().unwrap_or("nothing (privileged)")
                    ),
                    format!("kubectl label namespace {namespace} {ENFORCE_LABEL}=restricted"),
                ));
            }
            true
        }
        Ok(None) if creates_namespace => false,
        Ok(None) => {
            out.push(finding(
                Code::NamespaceMissing,
                "metadata.namespace",
                format!("namespace {namespace} does not exist"),
                format!(
                    "create it (kubectl create namespace {namespace}; kubectl label namespace {namespace} {ENFORCE_LABEL}=restricted), or set spec.createNamespace: true"
                ),
            ));
            false
        }
        // Not allowed to read namespaces: the dry-runs below still tell whether it exists.
        Err(kube::Error::Api(status)) if status.code == 403 => true,
        Err(e) => return Err(unreachable(e)),
    };

    // May the caller create (and update) every object?
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let total = request.manifests.len();
    for (i, m) in request.manifests.iter().enumerate() {
        let item = format!("{}/{}", m.kind, m.name);
        request.progress.step("access review", i + 1, total, &item);
        let Some(&GeneratedKind { group, plural, .. }) = generated_kind(m.kind) else {
            continue;
        };
        let namespaced = m.kind != Namespace::KIND;
        for verb in ["create", "patch"] {
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(ResourceAttributes {
                        group: Some(group.to_owned()),
                        resource: Some(plural.to_owned()),
                        verb: Some(verb.to_owned()),
                        namespace: namespaced.then(|| namespace.to_owned()),
                        name: (verb == "patch").then(|| m.name.clone()),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                ..Default::default()
            };
            match reviews.create(&PostParams::default(), &review).await {
                Ok(answer) if answer.status.as_ref().is_some_and(|s| s.allowed) => {}
                Ok(_) => out.push(finding(
                    Code::Forbidden,
                    "",
                    format!(
                        "you may not {verb} {plural}{} in namespace {namespace} ({}/{})",
                        if group.is_empty() { String::new() } else { format!(".{group}") },
                        m.kind,
                        m.name
                    ),
                    "apply with an account that may, or ask a cluster admin for a Role granting it (a Role can only grant what its creator holds)",
                )),
                Err(e) => return Err(unreachable(e)),
            }
        }
    }

    // Does the API server accept every object? A dry run cannot create the namespace for the
    // objects in it: while it does not exist, only the Namespace itself is asked about.
    for (i, m) in request.manifests.iter().enumerate() {
        let item = format!("{}/{}", m.kind, m.name);
        request.progress.step("dry run", i + 1, total, &item);
        if (namespace_exists || m.kind == Namespace::KIND)
            && let Some(d) = dry_run(&client, m, namespace).await
        {
            out.push(d);
        }
    }

    // The credentials Secret: there, with the key names the pods read. Values are never read out.
    if let S3Credentials::Secret(secret) = &job.spec.s3.credentials {
        let name = job.secret_name().unwrap_or_default();
        let generated = request.manifests.iter().any(|m| m.kind == Secret::KIND);
        if secret.external_secret.is_some() {
            let kind = generated_kind(ExternalSecret::KIND).expect("a generated kind");
            let externals: Api<DynamicObject> =
                Api::namespaced_with(client.clone(), namespace, &api_resource(kind));
            if let Err(kube::Error::Api(status)) = externals.list(&Default::default()).await
                && status.code == 404
            {
                out.push(finding(
                    Code::NoExternalSecrets,
                    "spec.s3.credentials.secret.externalSecret",
                    format!(
                        "the cluster has no {}.{}: the External Secrets Operator is not installed",
                        ExternalSecret::URL_PATH_SEGMENT,
                        ExternalSecret::GROUP
                    ),
                    "install the External Secrets Operator (its CRDs and controller), or make the Secret another way and remove externalSecret",
                ));
            }
        } else if !generated && namespace_exists {
            let secrets: Api<Secret> = Api::namespaced(client.clone(), namespace);
            match secrets.get_opt(&name).await {
                Ok(None) => out.push(finding(
                    Code::SecretMissing,
                    "spec.s3.credentials.secret",
                    format!("Secret {name} does not exist in namespace {namespace}: the pods would stay in CreateContainerConfigError"),
                    format!(
                        "kubectl create secret generic {name} -n {namespace} --from-literal={}=... --from-literal={}=...",
                        secret.access_key_id_key, secret.secret_access_key_key
                    ),
                )),
                Ok(Some(found)) => {
                    let keys: Vec<String> = found
                        .data
                        .iter()
                        .flat_map(|d| d.keys().cloned())
                        .chain(found.string_data.iter().flat_map(|d| d.keys().cloned()))
                        .collect();
                    for wanted in [&secret.access_key_id_key, &secret.secret_access_key_key] {
                        if !keys.contains(wanted) {
                            out.push(finding(
                                Code::SecretKeys,
                                "spec.s3.credentials.secret",
                                format!(
                                    "Secret {name} has no key {wanted} (its keys: {})",
                                    if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
                                ),
                                "name the Secret's keys in spec.s3.credentials.secret.accessKeyIdKey and secretAccessKeyKey, or add the key to the Secret",
                            ));
                        }
                    }
                }
                Err(e) => out.push(cannot_check(&format!("Secret {name}"), &e)),
            }
        }
    }

    // An existing ServiceAccount must carry the web identity role itself.
    if let S3Credentials::WebIdentity(web) = &job.spec.s3.credentials
        && !job.spec.service_account.create
        && namespace_exists
    {
        let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
        let name = job.service_account_name();
        match accounts.get_opt(name).await {
            Ok(account) => {
                let annotation = account
                    .as_ref()
                    .and_then(|a| a.metadata.annotations.as_ref())
                    .and_then(|a| a.get(IRSA_ANNOTATION));
                if annotation != Some(&web.role_arn) {
                    out.push(finding(
                        Code::ServiceAccountAnnotation,
                        "spec.serviceAccount",
                        match (&account, annotation) {
                            (None, _) => format!("ServiceAccount {name} does not exist (serviceAccount.create is false)"),
                            (Some(_), None) => format!("ServiceAccount {name} has no {IRSA_ANNOTATION} annotation: pods would get the node's role"),
                            (Some(_), Some(other)) => format!("ServiceAccount {name} names role {other}, not {}", web.role_arn),
                        },
                        format!("kubectl annotate serviceaccount {name} -n {namespace} --overwrite {IRSA_ANNOTATION}={}", web.role_arn),
                    ));
                }
            }
            Err(e) => out.push(cannot_check(&format!("ServiceAccount {name}"), &e)),
        }
    }
    if namespace_exists {
        scheduling(&client, job, namespace, &mut out).await;
    }
    Ok(out)
}

/// What the pods need from the cluster beyond their objects: the priority classes they name, the
/// storage classes of on-demand claims, existing claims, and a node with the executors' GPUs.
async fn scheduling(
    client: &kube::Client,
    job: &ResolvedJob,
    namespace: &str,
    out: &mut Vec<Diagnostic>,
) {
    let spec = &job.spec;
    let roles = [
        ("driver", spec.driver.as_pod()),
        ("executor", spec.executor.as_pod()),
    ];
    let classes: Api<PriorityClass> = Api::all(client.clone());
    for (role, pod) in &roles {
        if let Some(class) = pod.priority_class_name
            && absent(&classes, class, "PriorityClass", out).await
        {
            out.push(finding(
                Code::PriorityClassMissing,
                &format!("spec.{role}.priorityClassName"),
                format!("PriorityClass {class} does not exist"),
                "create it (kubectl create priorityclass NAME --value=N), or name one of `kubectl get priorityclasses`",
            ));
        }
    }
    let storage: Api<StorageClass> = Api::all(client.clone());
    let claims: Api<PersistentVolumeClaim> = Api::namespaced(client.clone(), namespace);
    for (role, pod) in &roles {
        for (i, volume) in pod.volumes.iter().enumerate() {
            let field = format!("spec.{role}.volumes[{i}]");
            if let Some(claim) = &volume.on_demand_claim
                && absent(&storage, &claim.storage_class, "StorageClass", out).await
            {
                out.push(finding(
                    Code::StorageClassMissing,
                    &format!("{field}.onDemandClaim.storageClass"),
                    format!("StorageClass {} does not exist", claim.storage_class),
                    "name one of `kubectl get storageclasses`",
                ));
            }
            if let Some(claim) = &volume.persistent_volume_claim
                && absent(&claims, &claim.claim_name, "PersistentVolumeClaim", out).await
            {
                out.push(finding(
                    Code::ClaimMissing,
                    &format!("{field}.persistentVolumeClaim.claimName"),
                    format!(
                        "PersistentVolumeClaim {} does not exist in namespace {namespace}",
                        claim.claim_name
                    ),
                    "create the claim first, or name one of `kubectl get pvc -n NAMESPACE`",
                ));
            }
        }
    }
    let gpu = &spec.executor.gpu;
    if gpu.amount > 0 {
        let resource = format!("{}/gpu", gpu.vendor);
        let nodes: Api<Node> = Api::all(client.clone());
        match nodes.list(&Default::default()).await {
            Ok(list) => {
                let fits = list.items.iter().any(|node| {
                    node.status
                        .as_ref()
                        .and_then(|s| s.allocatable.as_ref())
                        .and_then(|a| a.get(&resource))
                        .and_then(|q| q.0.parse::<u32>().ok())
                        .is_some_and(|n| n >= gpu.amount)
                });
                if !fits {
                    out.push(finding(
                        Code::NoGpuNode,
                        "spec.executor.gpu",
                        format!(
                            "none of the cluster's {} nodes has {} {resource} allocatable",
                            list.items.len(),
                            gpu.amount
                        ),
                        format!("add GPU nodes with the device plugin of {} (a cluster autoscaler may add them when the executors ask), or check spec.executor.gpu.vendor", gpu.vendor),
                    ));
                }
            }
            Err(e) => out.push(cannot_check("the nodes", &e)),
        }
    }
}

/// Whether the object `name` of `kind` is known not to exist; a failed read is said
/// ([`cannot_check`]) and counts as not known.
async fn absent<K>(api: &Api<K>, name: &str, kind: &str, out: &mut Vec<Diagnostic>) -> bool
where
    K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.get_opt(name).await {
        Ok(found) => found.is_none(),
        Err(e) => {
            out.push(cannot_check(&format!("{kind} {name}"), &e));
            false
        }
    }
}

fn cannot_check(what: &str, error: &kube::Error) -> Diagnostic {
    finding(
        Code::CannotCheck,
        "",
        format!("cannot read {what}: {}", short(error)),
        "run check-cluster with an account that may read it, or check it by hand",
    )
}

fn short(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => format!("{} ({})", status.message, status.code),
        other => other.to_string(),
    }
}

/// The dynamic client's description of a generated kind.
fn api_resource(kind: &GeneratedKind) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(kind.group, kind.version, kind.kind),
        kind.plural,
    )
}

/// Server-side apply of one object with `dryRun=All`: what `kubectl apply --server-side` would
/// get, without changing anything.
async fn dry_run(client: &kube::Client, m: &Manifest, namespace: &str) -> Option<Diagnostic> {
    let resource = api_resource(generated_kind(m.kind)?);
    let api: Api<DynamicObject> = if m.kind == Namespace::KIND {
        Api::all_with(client.clone(), &resource)
    } else {
        Api::namespaced_with(client.clone(), namespace, &resource)
    };
    // Forced, as `kubectl apply --server-side --force-conflicts`: fields another manager owns are
    // taken over, so the verdict is on the objects themselves.
    let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
    match api.patch(&m.name, &params, &Patch::Apply(&m.value)).await {
        Ok(_) => None,
        Err(kube::Error::Api(status)) if status.code == 403 => None, // reported by the access review
        Err(e) => Some(finding(
            Code::ServerRefuses,
            "",
            format!(
                "the API server refuses {}/{}: {}",
                m.kind,
                m.name,
                short(&e)
            ),
            if short(&e).contains("immutable") {
                "a Job's pod template cannot change: delete the old Job first (kubectl delete job NAME), or give this run another name"
            } else {
                "fix what the server names; run `k8s-s3-spark validate` for the config's own rules"
            },
        )),
    }
}
