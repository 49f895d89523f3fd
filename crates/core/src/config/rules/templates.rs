//! A user's pod templates (KS126, KS127): what Pod Security `restricted` forbids, fields with a typed twin, and fields the tool owns.

use super::*;

/// A user's pod template: what `restricted` forbids is refused (the tool cannot make it safe
/// without changing what the pod does), a field that also has a typed field is refused (one
/// place), and a field the tool owns is a warning (the tool's value is used). The tables are
/// [`super::pod_template`]'s, which the merge follows too.
pub(super) fn pod_template(p: &mut Problems, role: &str, pod: &PodView<'_>, spec: &SparkJobSpec) {
    let Some(template) = pod.pod_template else {
        return;
    };
    let at = format!("spec.{role}.podTemplate");
    let typed_set = |typed: &str| match typed {
        "affinity" => pod.affinity.is_some(),
        "annotations" => !pod.annotations.is_empty(),
        "labels" => !pod.labels.is_empty(),
        "nodeSelector" => !pod.node_selector.is_empty(),
        "priorityClassName" => pod.priority_class_name.is_some(),
        "tolerations" => !pod.tolerations.is_empty(),
        "spec.imagePullSecrets" => !spec.image_pull_secrets.is_empty(),
        _ => false,
    };
    let typed_path = |typed: &str| {
        if typed.starts_with("spec.") {
            typed.to_owned()
        } else {
            format!("spec.{role}.{typed}")
        }
    };
    let both = |p: &mut Problems, field: String, typed: &str| {
        if typed_set(typed) {
            p.add(
                Code::PodTemplate,
                field,
                format!("is set here and in {}", typed_path(typed)),
                format!(
                    "keep one: the typed field {} (overridable per environment) or this",
                    typed_path(typed)
                ),
            );
        }
    };
    let meta = join_key(&at, "metadata");
    if let Some(metadata) = &template.metadata {
        // Carried onto the pods as the typed fields are: the same rules.
        let (label_field, annotation_field) =
            (join_key(&meta, "labels"), join_key(&meta, "annotations"));
        labels(
            p,
            label_field.as_str(),
            metadata.labels.as_ref().unwrap_or(&BTreeMap::new()),
        );
        annotations(
            p,
            annotation_field.as_str(),
            metadata.annotations.as_ref().unwrap_or(&BTreeMap::new()),
        );
        let metadata = serde_json::to_value(metadata).unwrap_or_default();
        for key in metadata.as_object().into_iter().flat_map(|m| m.keys()) {
            match pod_templates::CARRIED_METADATA.iter().find(|(k, _)| k == key) {
                Some((_, typed)) => both(p, join_key(&meta, key), typed),
                None => p.add(
                    Code::PodTemplate,
                    join_key(&meta, key),
                    format!("metadata.{key} of a pod template is not carried"),
                    "keep labels and annotations only: the pods' names, namespace and owners are Spark's and the Job's",
                ),
            }
        }
    }
    let Some(pod_spec) = &template.spec else {
        return;
    };
    let at = join_key(&at, "spec");
    let value = serde_json::to_value(pod_spec).unwrap_or_default();
    let Some(fields) = value.as_object() else {
        return;
    };
    for (key, field) in fields {
        let path = || join_key(&at, key);
        if let Some((_, typed)) = pod_templates::TYPED_POD_FIELDS
            .iter()
            .find(|(k, _)| k == key)
        {
            both(p, path(), typed);
        }
        if pod_templates::HOST_NAMESPACES.contains(&key.as_str())
            && field == &serde_json::Value::Bool(true)
        {
            p.add(
                Code::PodTemplate,
                path(),
                format!("{key} shares the node's namespace, which Pod Security restricted forbids"),
                format!("remove {key}"),
            );
        }
        if key == "securityContext" {
            if !weakens(p, &path(), field) {
                overridden(p, path(), key, pod_templates::owned_pod_field(key));
            }
        } else if key != "containers" && key != "initContainers" {
            overridden(p, path(), key, pod_templates::owned_pod_field(key));
        }
    }
    // The tool's own volumes and mount paths, and the typed ones, keep their names and paths.
    let mut volume_names: BTreeSet<&str> = pod.volumes.iter().map(|v| v.name.as_str()).collect();
    let mut mount_paths: BTreeSet<&str> =
        pod.volumes.iter().map(|v| v.mount_path.as_str()).collect();
    if role == "driver" {
        volume_names.extend(submit::DRIVER_OWN_VOLUMES.iter().map(|(name, _)| *name));
        mount_paths.extend(submit::DRIVER_OWN_VOLUMES.iter().map(|(_, path)| *path));
    }
    for (i, volume) in pod_spec.volumes.iter().flatten().enumerate() {
        let path = join_index(&join_key(&at, "volumes"), i);
        if volume.host_path.is_some() {
            p.add(
                Code::PodTemplate,
                join_key(&path, "hostPath"),
                "a hostPath volume reaches into the node, which Pod Security restricted forbids",
                "use an emptyDir, a persistentVolumeClaim, a configMap or a secret",
            );
        }
        p.rule(
            Code::PodTemplate,
            join_key(&path, "name"),
            &volume.name,
            syntax::dns1123_label,
            "name volumes with lowercase letters, digits and '-', e.g. shared-data",
        );
        if volume_names.contains(volume.name.as_str()) {
            p.add(
                Code::PodTemplate,
                join_key(&path, "name"),
                format!("{:?} is a volume the tool already mounts", volume.name),
                "rename it",
            );
        }
    }
    let env_names: BTreeSet<&str> = pod.env.iter().map(|e| e.name.as_str()).collect();
    let spark_container = if role == "driver" {
        pod_templates::DRIVER_CONTAINER
    } else {
        pod_templates::EXECUTOR_CONTAINER
    };
    // Names in the pod, Spark's container's first.
    let mut container_names = BTreeSet::from([spark_container]);
    for kind in ["containers", "initContainers"] {
        let containers = if kind == "containers" {
            Some(&pod_spec.containers)
        } else {
            pod_spec.init_containers.as_ref()
        };
        for (i, container) in containers.into_iter().flatten().enumerate() {
            let path = join_index(&join_key(&at, kind), i);
            let main = kind == "containers" && i == 0;
            let name_field = join_key(&path, "name");
            if main {
                // Spark's container: the tool names it.
                if container.name != spark_container {
                    p.add(
                        Code::PodTemplateOverride,
                        name_field,
                        format!("Spark's container is named {spark_container} by the tool; this name is replaced"),
                        format!("name it {spark_container}"),
                    );
                }
            } else if !container_names.insert(container.name.as_str()) {
                p.add(
                    Code::PodTemplate,
                    name_field,
                    format!(
                        "{:?} is the name of another container of the pod{}",
                        container.name,
                        if container.name == spark_container {
                            " (Spark's)"
                        } else {
                            ""
                        }
                    ),
                    "give each container its own name; the API server refuses a pod with two of one name",
                );
            } else {
                p.rule(
                    Code::PodTemplate,
                    name_field,
                    &container.name,
                    syntax::dns1123_label,
                    "name containers with lowercase letters, digits and '-', e.g. log-shipper",
                );
            }
            if kind == "containers" && i > 0 {
                let what = if role == "driver" {
                    "keeps the Job's pod, and the Job, running after the application ends"
                } else {
                    "keeps an executor's pod running after the executor ends, so Spark does not see it end"
                };
                p.add(
                    Code::PodTemplate,
                    path.clone(),
                    format!("a second container {what}"),
                    "make it a native sidecar (Kubernetes 1.29+): an init container with `restartPolicy: Always`, which stops with the pod's containers",
                );
            }
            let value = serde_json::to_value(container).unwrap_or_default();
            for (key, field) in value.as_object().into_iter().flatten() {
                let at = join_key(&path, key);
                if key == "securityContext" && weakens(p, &at, field) {
                    continue;
                }
                overridden(p, at, key, pod_templates::owned_container_field(key, main));
            }
            for (j, port) in container.ports.iter().flatten().enumerate() {
                if port.host_port.is_some_and(|h| h != 0) {
                    p.add(
                        Code::PodTemplate,
                        join_key(&join_index(&join_key(&path, "ports"), j), "hostPort"),
                        "a host port binds the node's network, which Pod Security restricted forbids",
                        "remove hostPort; reach the pod through a Service",
                    );
                }
            }
            if !main {
                continue;
            }
            for (j, env) in container.env.iter().flatten().enumerate() {
                let reserved = RESERVED_ENV.contains(&env.name.as_str());
                if reserved || env_names.contains(env.name.as_str()) {
                    p.add(
                        Code::PodTemplate,
                        join_key(&join_index(&join_key(&path, "env"), j), "name"),
                        format!(
                            "{} is set by {}",
                            env.name,
                            if reserved {
                                "spec.s3.credentials"
                            } else {
                                "the typed env"
                            }
                        ),
                        if reserved {
                            "remove it: the credentials come from spec.s3.credentials"
                        } else {
                            "keep it in one place"
                        },
                    );
                }
            }
            for (j, mount) in container.volume_mounts.iter().flatten().enumerate() {
                if mount_paths.contains(mount.mount_path.as_str()) {
                    p.add(
                        Code::PodTemplate,
                        join_key(
                            &join_index(&join_key(&path, "volumeMounts"), j),
                            "mountPath",
                        ),
                        format!(
                            "{} is where the tool already mounts a volume",
                            mount.mount_path
                        ),
                        "mount it elsewhere",
                    );
                }
            }
        }
    }
}

/// A warning that the tool's value replaces the template's `key`, when the tool owns it.
fn overridden(p: &mut Problems, field: String, key: &str, owner: Option<&str>) {
    if let Some(why) = owner {
        p.add(
            Code::PodTemplateOverride,
            field,
            format!("{key} is the tool's ({why}); this value is replaced"),
            format!("remove {key} from the template"),
        );
    }
}

/// Refuses what a security context (pod or container) asks for that Pod Security `restricted`
/// forbids; whether it did.
fn weakens(p: &mut Problems, at: &str, context: &serde_json::Value) -> bool {
    let mut found = false;
    let mut refuse = |field: &str, what: &str| {
        found = true;
        p.add(
            Code::PodTemplate,
            join_key(at, field),
            format!("{what}, which Pod Security restricted forbids"),
            format!("remove {field}: the tool's security context is non-root, with no privilege escalation, all capabilities dropped and seccomp RuntimeDefault"),
        );
    };
    let is = |pointer: &str, value: serde_json::Value| context.pointer(pointer) == Some(&value);
    if is("/privileged", true.into()) {
        refuse(
            "privileged",
            "a privileged container has the node's devices and capabilities",
        );
    }
    if is("/allowPrivilegeEscalation", true.into()) {
        refuse("allowPrivilegeEscalation", "a process may gain privileges");
    }
    if is("/runAsNonRoot", false.into()) {
        refuse("runAsNonRoot", "the container may run as root");
    }
    if is("/runAsUser", 0.into()) {
        refuse("runAsUser", "the container runs as root");
    }
    if is("/seccompProfile/type", "Unconfined".into()) {
        refuse("seccompProfile", "no seccomp profile");
    }
    if is("/appArmorProfile/type", "Unconfined".into()) {
        refuse("appArmorProfile", "no AppArmor profile");
    }
    if is("/procMount", "Unmasked".into()) {
        refuse("procMount", "an unmasked /proc");
    }
    if is("/windowsOptions/hostProcess", true.into()) {
        refuse("windowsOptions", "a Windows host process");
    }
    let added = context
        .pointer("/capabilities/add")
        .and_then(serde_json::Value::as_array);
    if added.is_some_and(|a| {
        a.iter()
            .any(|c| c != pod_templates::ALLOWED_ADDED_CAPABILITY)
    }) {
        refuse("capabilities", "added capabilities beyond NET_BIND_SERVICE");
    }
    // User and group ids (the pod's fsGroup and supplementalGroups too), as the API server
    // checks them.
    let groups = context
        .get("supplementalGroups")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, value)| (join_index(&join_key(at, "supplementalGroups"), i), value));
    let ids = ["runAsUser", "runAsGroup", "fsGroup"]
        .into_iter()
        .filter_map(|id| context.get(id).map(|value| (join_key(at, id), value)))
        .chain(groups);
    for (field, value) in ids {
        if !value.as_i64().is_some_and(|n| (0..=MAX_ID).contains(&n)) {
            p.add(
                Code::PodTemplate,
                field,
                format!("{value} is not an id the API server accepts (0 to {MAX_ID})"),
                "use the image's non-root user or group id, e.g. 185 for the Apache Spark images",
            );
        }
    }
    found
}

/// The largest user or group id the API server accepts.
pub(super) const MAX_ID: i64 = i32::MAX as i64;
