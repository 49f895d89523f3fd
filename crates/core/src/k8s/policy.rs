//! Security policy checks the generated Job cannot pass, each skipped with its reason in an
//! annotation checkov reads (`checkov.io/skipN: CHECK_ID=reason`), so users running checkov on
//! their own repository get the same result and see the reason next to the object. A check is only
//! skipped when the config really fails it (a digest-pinned image passes CKV_K8S_43 unskipped).
//! Each check keeps its number `N` whether or not the others apply, so the Helm chart, which
//! decides at install time, writes the same annotations.

use std::collections::BTreeMap;

use crate::config::ResolvedJob;
use crate::config::model::{PullPolicy, S3Credentials};

/// The Pod Security Admission labels of a generated Namespace: the `restricted` level enforced
/// (a pod that fails it is refused, including the driver and executors Spark creates), audited
/// and warned about. Every pod the tool describes passes it.
pub const POD_SECURITY_LABELS: [(&str, &str); 3] = [
    ("pod-security.kubernetes.io/audit", "restricted"),
    ("pod-security.kubernetes.io/enforce", "restricted"),
    ("pod-security.kubernetes.io/warn", "restricted"),
];

/// Annotations that keep a Namespace the tool generates (`spec.createNamespace`) when the job's
/// other objects are removed: a namespace may hold more than this job, so uninstalling or pruning
/// the job must not delete it and everything in it. Helm keeps it on uninstall; Argo CD neither
/// prunes nor deletes it; Flux does not prune it. (`kubectl delete -f` of the output still does.)
pub const NAMESPACE_KEEP_ANNOTATIONS: [(&str, &str); 3] = [
    (
        "argocd.argoproj.io/sync-options",
        "Prune=false,Delete=false",
    ),
    ("helm.sh/resource-policy", "keep"),
    ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
];

/// checkov's "high UID" threshold (CKV_K8S_40).
pub const HIGH_UID: i64 = 10_000;

/// A skipped check: annotation number, check id, reason.
pub struct Skip {
    /// `N` of `checkov.io/skipN`.
    pub number: u8,
    /// The check.
    pub id: &'static str,
    /// Why it cannot pass.
    pub reason: &'static str,
}

/// The service account token is needed.
pub const TOKEN: Skip = Skip {
    number: 1,
    id: "CKV_K8S_38",
    reason: "this pod is the Spark driver, which creates and watches its executor pods with the service account token; the ServiceAccount itself does not automount it",
};
/// The Apache Spark images run as uid 185.
pub const LOW_UID: Skip = Skip {
    number: 2,
    id: "CKV_K8S_40",
    reason: "runs as spec.submitter.runAsUser, by default 185, the user of the Apache Spark images; an image built for a uid above 10000 can set it and pass",
};
/// The image is pinned by tag.
pub const TAG_NOT_DIGEST: Skip = Skip {
    number: 3,
    id: "CKV_K8S_43",
    reason: "the image is pinned by tag, not digest; give a digest (image@sha256:...) to pass",
};
/// The user chose another pull policy.
pub const PULL_POLICY: Skip = Skip {
    number: 4,
    id: "CKV_K8S_15",
    reason: "the image pull policy is not Always by the config's choice",
};
/// No NetworkPolicy is generated.
pub const NETWORK_POLICY: Skip = Skip {
    number: 5,
    id: "CKV2_K8S_6",
    reason: "this pod is the Spark driver: its executors connect to it on ports Spark picks, and it calls the API server, whose address differs per cluster; add a NetworkPolicy that fits your cluster",
};

/// The `helm test` pod runs once to completion.
pub const TEST_LIVENESS: Skip = Skip {
    number: 6,
    id: "CKV_K8S_8",
    reason: "a helm test pod runs once to completion; a liveness probe does not apply",
};
/// The `helm test` pod runs once to completion.
pub const TEST_READINESS: Skip = Skip {
    number: 7,
    id: "CKV_K8S_9",
    reason: "a helm test pod runs once to completion and serves nothing; a readiness probe does not apply",
};
/// S3A reads keys from the environment.
pub const KEYS_AS_ENV: Skip = Skip {
    number: 8,
    id: "CKV_K8S_35",
    reason: "S3A's EnvironmentVariableCredentialsProvider reads the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the driver (this pod) and the executors; give web identity credentials to have no keys at all",
};

/// The annotation key and value of a skip.
pub fn annotation(skip: &Skip) -> (String, String) {
    (
        format!("checkov.io/skip{}", skip.number),
        format!("{}={}", skip.id, skip.reason),
    )
}

/// The checks skipped on the Job (spark-submit and the driver) of this config.
pub fn skipped_checks(job: &ResolvedJob) -> Vec<&'static Skip> {
    let spec = &job.spec;
    let mut skipped = vec![&TOKEN];
    if spec.submitter.run_as_user <= HIGH_UID {
        skipped.push(&LOW_UID);
    }
    if job.image.digest.is_none() {
        skipped.push(&TAG_NOT_DIGEST);
    }
    if spec.image_pull_policy != PullPolicy::Always {
        skipped.push(&PULL_POLICY);
    }
    skipped.push(&NETWORK_POLICY);
    if matches!(spec.s3.credentials, S3Credentials::Secret(_)) {
        // The driver is this pod: it has the keys as env from the Secret.
        skipped.push(&KEYS_AS_ENV);
    }
    skipped
}

/// The `checkov.io/skipN` annotations for the Job.
pub fn skip_annotations(job: &ResolvedJob) -> BTreeMap<String, String> {
    skipped_checks(job).into_iter().map(annotation).collect()
}
