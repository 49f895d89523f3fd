//! Security policy checks the generated Job cannot pass, each skipped with its reason in an
//! annotation checkov reads (`checkov.io/skipN: CHECK_ID=reason`), so users running checkov on
//! their own repository get the same result and see the reason next to the object. A check is only
//! skipped when the config really fails it (a digest-pinned image passes CKV_K8S_43 unskipped).

use std::collections::BTreeMap;

use crate::config::SparkJob;
use crate::config::model::PullPolicy;
use crate::syntax;

/// checkov's "high UID" threshold (CKV_K8S_40).
const HIGH_UID: i64 = 10_000;

/// The checks skipped on the submitter Job, with their reasons.
pub fn skipped_checks(job: &SparkJob) -> Vec<(&'static str, String)> {
    let spec = &job.spec;
    let mut skipped = vec![(
        "CKV_K8S_38",
        "spark-submit needs this pod's service account token to create the driver pod; the ServiceAccount itself does not automount it".to_owned(),
    )];
    if spec.submitter.run_as_user <= HIGH_UID {
        skipped.push((
            "CKV_K8S_40",
            format!(
                "runs as uid {} (spec.submitter.runAsUser), the user of the Apache Spark images; an image built for a uid above 10000 can set it and pass",
                spec.submitter.run_as_user
            ),
        ));
    }
    if syntax::image_ref(&spec.image).is_ok_and(|i| i.digest.is_none()) {
        skipped.push((
            "CKV_K8S_43",
            "spec.image is pinned by tag, not digest; write image@sha256:... to pass".to_owned(),
        ));
    }
    if spec.image_pull_policy != PullPolicy::Always {
        skipped.push((
            "CKV_K8S_15",
            format!(
                "spec.imagePullPolicy is {} by the config's choice",
                spec.image_pull_policy.as_str()
            ),
        ));
    }
    skipped.push((
        "CKV2_K8S_6",
        "the submitter accepts no connections and only calls the API server, whose address and port differ per cluster; add a NetworkPolicy that fits your cluster".to_owned(),
    ));
    skipped
}

/// The `checkov.io/skipN` annotations for the Job.
pub fn skip_annotations(job: &SparkJob) -> BTreeMap<String, String> {
    skipped_checks(job)
        .into_iter()
        .enumerate()
        .map(|(i, (id, reason))| {
            (
                format!("checkov.io/skip{}", i + 1),
                format!("{id}={reason}"),
            )
        })
        .collect()
}
