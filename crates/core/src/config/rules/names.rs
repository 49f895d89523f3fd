//! Names, labels and annotations (KS101, KS102) and the image reference (KS103): what the API server and registries accept.

use super::*;

pub(super) fn labels(
    p: &mut Problems,
    field: impl Field + Copy,
    labels: &BTreeMap<String, String>,
) {
    for (key, value) in labels {
        let f = || join_key(&field.path(), key);
        p.rule(
            Code::Label,
            &f,
            key,
            syntax::qualified_name,
            "label keys are [prefix/]name, e.g. team or example.com/team",
        );
        if SPARK_LABELS.contains(&key.as_str()) {
            p.add(
                Code::Label,
                &f,
                format!("{key:?} is a label Spark sets on its pods and refuses from users"),
                "remove it; use your own key, e.g. example.com/role",
            );
        }
        if key.starts_with(syntax::RECOMMENDED_LABEL_PREFIX) {
            p.add(
                Code::Label,
                &f,
                format!("{key:?} is one of the recommended labels the tool sets"),
                "remove it; use your own prefix, e.g. example.com/team",
            );
        }
        p.rule(
            Code::Label,
            &f,
            value,
            syntax::label_value,
            "label values are up to 63 letters, digits, '-', '_' or '.'",
        );
    }
}

pub(super) fn annotations(
    p: &mut Problems,
    field: impl Field + Copy,
    annotations: &BTreeMap<String, String>,
) {
    for key in annotations.keys() {
        p.rule(
            Code::Label,
            &|| join_key(&field.path(), key),
            key,
            syntax::qualified_name,
            "annotation keys are [prefix/]name, e.g. example.com/owner",
        );
        if key.starts_with(crate::spark::submit::ANNOTATION_PREFIX) {
            p.add(
                Code::Label,
                join_key(&field.path(), key),
                format!(
                    "{key:?} is an annotation of the tool's own (the Job's pod reads its image and Secret name from them)"
                ),
                format!(
                    "use another prefix than {}",
                    crate::spark::submit::ANNOTATION_PREFIX
                ),
            );
        }
    }
}

/// The API server's limit on an object's annotations, keys and values together.
const MAX_ANNOTATION_BYTES: usize = 256 * 1024;

/// What the tool adds to an object's annotations at most (image reference, Secret name, the
/// Namespace's keep annotations), kept free under [`MAX_ANNOTATION_BYTES`].
const TOOL_ANNOTATION_BYTES: usize = 2 * 1024;

/// Refuses annotations the API server would refuse: every object gets `metadata.annotations`,
/// the pods and the ServiceAccount their own on top.
pub(super) fn annotation_sizes(p: &mut Problems, job: &SparkJob) {
    let size = |m: &BTreeMap<String, String>| m.iter().map(|(k, v)| k.len() + v.len()).sum();
    let limit = MAX_ANNOTATION_BYTES - TOOL_ANNOTATION_BYTES;
    let common: usize = size(&job.metadata.annotations);
    let spec = &job.spec;
    // A pod's own annotations: the typed field's or its pod template's (carried onto the pod;
    // one of the two, another rule says), reported where they are.
    let pod = |role: &str, view: PodView<'_>| {
        let template = view
            .pod_template
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.annotations.as_ref())
            .map_or(0, size);
        let field = if template > 0 {
            format!("spec.{role}.podTemplate.metadata.annotations")
        } else {
            format!("spec.{role}.annotations")
        };
        (field, size(view.annotations) + template)
    };
    let own = [
        pod("driver", spec.driver.as_pod()),
        pod("executor", spec.executor.as_pod()),
        (
            "spec.serviceAccount.annotations".to_owned(),
            size(&spec.service_account.annotations),
        ),
    ];
    let too_large = |total: usize| {
        format!(
            "annotations total {} KiB on one object; the API server accepts 256 KiB, of which the tool uses up to {} KiB",
            total.div_ceil(1024),
            TOOL_ANNOTATION_BYTES / 1024
        )
    };
    let help = "keep large data out of annotations: put it in a ConfigMap, or in the application's arguments or files";
    if common > limit {
        p.add(Code::Label, "metadata.annotations", too_large(common), help);
        return;
    }
    for (field, own) in own {
        let total = common + own;
        if total > limit {
            p.add(Code::Label, &field, too_large(total), help);
        }
    }
}

/// The image reference; `version` is `metadata.version`, without which the tag is the version.
pub(super) fn image(p: &mut Problems, image: &str, version: Option<&str>) {
    match syntax::image_ref(image) {
        Err(reason) => p.add(
            Code::Image,
            "spec.image",
            format!("{image:?} {reason}"),
            "write [registry/]repository:tag, e.g. ghcr.io/acme/spark-app:3.5.3-1",
        ),
        Ok(r) if r.tag.is_none() && r.digest.is_none() => p.add(
            Code::Image,
            "spec.image",
            format!("{image:?} has no tag, so every pull may get a different image"),
            "add a tag or digest, e.g. :3.5.3-1 or @sha256:...",
        ),
        Ok(r) if r.tag == Some(syntax::MOVING_TAG) && r.digest.is_none() => p.add(
            Code::Image,
            "spec.image",
            format!("{image:?} uses the `latest` tag, so every pull may get a different image"),
            "use a versioned tag, e.g. :3.5.3-1",
        ),
        Ok(r) => {
            if let (None, Some(tag)) = (version, r.tag)
                && let Err(reason) = syntax::nonempty_label_value(tag)
            {
                p.add(
                    Code::Image,
                    "spec.image",
                    format!(
                        "the tag {tag:?} is the application's version label by default, and it {reason}"
                    ),
                    "set metadata.version to a label value, e.g. 1.4.1",
                );
            }
        }
    }
}
