//! The rules a schema cannot express: name syntax, Spark sizes, version alignment, credentials
//! that fit the Hadoop version, and conf keys the tool owns. [`check`] reports every problem of
//! one job (base or one environment applied) with its field path and a fix.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Affinity, NodeSelectorTerm, PodAffinityTerm};

use super::model::{
    ApplicationType, Committer, DEFAULT_SECRET_NAME, ExternalSecretSource, GpuSpec,
    MAX_BACKOFF_LIMIT, MAX_CORES, MAX_EXECUTORS, PodView, S3Credentials, S3Spec, ScheduleSpec,
    SparkJob, SparkJobSpec, TolerationOperator, VolumeSpec,
};
use super::pod_template as pod_templates;
use super::reserved::{
    EXECUTOR_ENV_CONFS, RESERVED_ENV, SPARK_LABELS, TOOL_ENV_PREFIX, reserved_conf_reason,
};
use super::spans::{join_index, join_key};
use crate::diagnostics::{Code, Diagnostic};
use crate::redact::{self, CREDENTIAL_SETTING_HELP};
use crate::spark::submit;
use crate::spark::versions::{
    self, FIRST_HADOOP_SDK_V2, JobVersions, MIN_HADOOP_COMMITTERS, MIN_HADOOP_REGION_CONF,
    MIN_HADOOP_WEB_IDENTITY, MIN_SPARK_ARCHIVES, MIN_SPARK_COMMITTERS,
    MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT, MIN_SPARK_ON_DEMAND_CLAIMS, MIN_SPARK_POD_TEMPLATE,
    MIN_SPARK_RESOURCES, MIN_SPARK_SHUFFLE_TRACKING, Version,
};
use crate::syntax;

/// The longest Secret name Kustomize's secretGenerator can suffix with `-` and its 10-character
/// hash and stay within the 253 characters of a Kubernetes name.
pub const MAX_GENERATED_SECRET_NAME: usize = 253 - 11;

/// A field path, written out only when a problem names it: most values are fine, and the
/// paths of map keys and list items cost more to format than their rules cost to run.
trait Field {
    /// The path.
    fn path(self) -> String;
}

impl Field for &str {
    fn path(self) -> String {
        self.to_owned()
    }
}

impl Field for String {
    fn path(self) -> String {
        self
    }
}

impl Field for &String {
    fn path(self) -> String {
        self.clone()
    }
}

impl<F: Fn() -> String> Field for &F {
    fn path(self) -> String {
        self()
    }
}

#[derive(Default)]
struct Problems(Vec<Diagnostic>);

impl Problems {
    fn add(
        &mut self,
        code: Code,
        field: impl Field,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.0
            .push(Diagnostic::new(code, field.path(), message).help(help));
    }

    /// Adds `rule`'s failure for `field`, if any; else gives what the rule read.
    fn rule<T>(
        &mut self,
        code: Code,
        field: impl Field,
        value: &str,
        rule: fn(&str) -> Result<T, String>,
        help: &str,
    ) -> Option<T> {
        match rule(value) {
            Ok(read) => Some(read),
            Err(reason) => {
                self.add(code, field, format!("{value:?} {reason}"), help);
                None
            }
        }
    }
}

/// Resolves the Spark and Hadoop versions, or says which field is wrong and why.
pub fn job_versions(spec: &SparkJobSpec) -> Result<JobVersions, Vec<Diagnostic>> {
    let mut p = Problems::default();
    let spark = match spec.spark_version.parse::<Version>() {
        Ok(v) => Some(v),
        Err(e) => {
            p.add(
                Code::Versions,
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
                Code::Versions,
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
                p.0.push(Diagnostic {
                    field: field.into(),
                    ..m.finding()
                });
            }
            Err(p.0)
        }
    }
}

/// Checks one job (the base config, or one environment applied to it).
pub fn check(job: &SparkJob) -> Vec<Diagnostic> {
    let mut p = Problems::default();
    let meta = &job.metadata;
    let spec = &job.spec;

    p.rule(
        Code::Name,
        "metadata.name",
        &meta.name,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. simple-read",
    );
    p.rule(
        Code::Name,
        "metadata.namespace",
        &meta.namespace,
        syntax::dns1123_label,
        "use lowercase letters, digits and '-', at most 63 characters, e.g. spark-jobs",
    );
    if spec.create_namespace {
        p.add(
            Code::CreatesNamespace,
            "spec.createNamespace",
            format!(
                "the output creates namespace {}: applying it sets its Pod Security level to restricted (an existing namespace is relabelled), and `kubectl delete -f` of the output deletes the namespace and everything in it",
                meta.namespace
            ),
            "create the namespace once, apart from jobs, and remove createNamespace; Helm keeps the generated one on uninstall and Argo CD and Flux do not prune it",
        );
    }
    labels(&mut p, "metadata.labels", &meta.labels);
    annotations(&mut p, "metadata.annotations", &meta.annotations);
    annotation_sizes(&mut p, job);
    if let Some(version) = &meta.version {
        p.rule(
            Code::Label,
            "metadata.version",
            version,
            syntax::nonempty_label_value,
            "write a version such as 1.4.1 or 2026.11.25",
        );
    }

    let versions = match job_versions(spec) {
        Ok(v) => Some(v),
        Err(problems) => {
            p.0.extend(problems);
            None
        }
    };

    image(&mut p, &spec.image, meta.version.as_deref());
    for (i, secret) in spec.image_pull_secrets.iter().enumerate() {
        p.rule(
            Code::Name,
            join_index("spec.imagePullSecrets", i),
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
        volumes(&mut p, role, pod.volumes, versions);
        pod_template(&mut p, role, pod, spec);
    }
    gpu(&mut p, &spec.executor.gpu, versions);
    let instances = spec.executor.instances;
    if instances == 0 || instances > MAX_EXECUTORS {
        p.add(
            Code::Resources,
            "spec.executor.instances",
            format!("{instances} executors is out of range"),
            format!("ask for 1 to {MAX_EXECUTORS} executors"),
        );
    }

    if let Some(name) = &spec.service_account.name {
        p.rule(
            Code::Name,
            "spec.serviceAccount.name",
            name,
            syntax::dns1123_subdomain,
            "use lowercase letters, digits, '-' and '.', e.g. spark",
        );
    }
    annotations(
        &mut p,
        "spec.serviceAccount.annotations",
        &spec.service_account.annotations,
    );

    s3(&mut p, spec, versions);
    dynamic_allocation(&mut p, spec, versions);
    dependencies(&mut p, spec, versions);
    submitter(&mut p, spec);
    if let Some(schedule) = &spec.schedule {
        scheduled(&mut p, schedule, &meta.name);
    }
    p.0
}

/// A user's pod template: what `restricted` forbids is refused (the tool cannot make it safe
/// without changing what the pod does), a field that also has a typed field is refused (one
/// place), and a field the tool owns is a warning (the tool's value is used). The tables are
/// [`super::pod_template`]'s, which the merge follows too.
fn pod_template(p: &mut Problems, role: &str, pod: &PodView<'_>, spec: &SparkJobSpec) {
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
const MAX_ID: i64 = i32::MAX as i64;

/// The executors' GPUs: complete (a discovery script), a vendor Kubernetes can name a resource
/// after, and a task amount Spark accepts (`ResourceUtils`: a whole number, or at most 0.5).
fn gpu(p: &mut Problems, gpu: &GpuSpec, versions: Option<JobVersions>) {
    let f = |name: &str| format!("spec.executor.gpu.{name}");
    // GPUs off: the other fields are unused, and an environment could not unset its base's.
    if gpu.amount == 0 {
        return;
    }
    if versions.is_some_and(|v| v.spark < MIN_SPARK_RESOURCES) {
        p.add(
            Code::NeedsNewer,
            f("amount"),
            "executors get GPUs through Spark's resource scheduling, which needs Spark 3.0 or later",
            "remove spec.executor.gpu or use Spark 3.0+",
        );
    }
    p.rule(
        Code::Gpu,
        f("vendor"),
        &gpu.vendor,
        syntax::dns1123_subdomain,
        "name the device plugin's domain, such as nvidia.com or amd.com (the pods ask for VENDOR/gpu)",
    );
    match gpu.discovery_script.as_deref() {
        None => p.add(
            Code::Gpu,
            f("amount"),
            "GPUs need a discovery script: without one, every executor fails as it starts",
            "set spec.executor.gpu.discoveryScript to a script in the image, e.g. /opt/spark/examples/src/main/scripts/getGpusResources.sh",
        ),
        Some(script) if !script.starts_with('/') => p.add(
            Code::Gpu,
            f("discoveryScript"),
            format!("{script:?} is not an absolute path"),
            "give the script's absolute path in the image",
        ),
        Some(_) => {}
    }
    if let Some(task) = gpu.task_amount {
        let fits =
            task > 0.0 && task <= f64::from(gpu.amount) && (task <= 0.5 || task.fract() == 0.0);
        if !fits {
            p.add(
                Code::Gpu,
                f("taskAmount"),
                format!("{task} GPUs per task is not an amount Spark accepts with {} per executor", gpu.amount),
                "use a whole number up to amount, or a fraction up to 0.5 (0.25: four tasks share a GPU)",
            );
        }
    }
}

fn volumes(p: &mut Problems, role: &str, volumes: &[VolumeSpec], versions: Option<JobVersions>) {
    let f = |i: usize, key: &str| {
        key.split('.')
            .fold(join_index(&format!("spec.{role}.volumes"), i), |path, k| {
                join_key(&path, k)
            })
    };
    let mut names = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for (i, v) in volumes.iter().enumerate() {
        p.rule(
            Code::Volume,
            f(i, "name"),
            &v.name,
            syntax::dns1123_label,
            "use lowercase letters, digits and '-', e.g. spill or spark-local-dir-1",
        );
        if !names.insert(v.name.as_str()) {
            p.add(
                Code::Volume,
                f(i, "name"),
                format!("{:?} names two volumes", v.name),
                "give each volume its own name",
            );
        }
        let path = v.mount_path.trim_end_matches('/');
        if !v.mount_path.starts_with('/') || v.mount_path.contains('\0') {
            p.add(
                Code::Volume,
                f(i, "mountPath"),
                format!("{:?} is not an absolute path", v.mount_path),
                "mount at an absolute path, e.g. /data/spill",
            );
        } else if !paths.insert(path.to_owned()) {
            p.add(
                Code::Volume,
                f(i, "mountPath"),
                format!("two volumes are mounted at {path}"),
                "mount each volume at its own path",
            );
        }
        if role == "driver" {
            for (name, own) in submit::DRIVER_OWN_VOLUMES {
                if v.name == name || path == own || path.starts_with(&format!("{own}/")) {
                    p.add(
                        Code::Volume,
                        f(i, if v.name == name { "name" } else { "mountPath" }),
                        format!("the Job's pod already has volume {name:?} at {own}"),
                        format!("use another name and a path outside {own}"),
                    );
                }
            }
        }
        if v.source_count() != 1 {
            p.add(
                Code::Volume,
                join_index(&format!("spec.{role}.volumes"), i),
                "a volume needs exactly one source",
                "set one of emptyDir, onDemandClaim or persistentVolumeClaim (hostPath is not allowed under Pod Security restricted)",
            );
        }
        if let Some(limit) = v.empty_dir.as_ref().and_then(|e| e.size_limit.as_deref()) {
            p.rule(
                Code::Volume,
                f(i, "emptyDir.sizeLimit"),
                limit,
                syntax::memory_quantity,
                "write a Kubernetes quantity such as 10Gi",
            );
        }
        if let Some(claim) = &v.on_demand_claim {
            if role == "driver" {
                p.add(
                    Code::Volume,
                    f(i, "onDemandClaim"),
                    "Spark makes on-demand claims for the pods it creates, the executors; the driver is the Job's pod",
                    "use persistentVolumeClaim with an existing claim or emptyDir for the driver",
                );
            } else if let Some(v) = versions.filter(|v| v.spark < MIN_SPARK_ON_DEMAND_CLAIMS) {
                p.add(
                    Code::NeedsNewer,
                    f(i, "onDemandClaim"),
                    format!(
                        "on-demand claims need Spark {MIN_SPARK_ON_DEMAND_CLAIMS} or later; this job's is {}",
                        v.spark
                    ),
                    "use an existing claim, or Spark 3.1+",
                );
            }
            p.rule(
                Code::Volume,
                f(i, "onDemandClaim.size"),
                &claim.size,
                syntax::memory_quantity,
                "write a Kubernetes quantity such as 50Gi",
            );
            p.rule(
                Code::Volume,
                f(i, "onDemandClaim.storageClass"),
                &claim.storage_class,
                syntax::dns1123_subdomain,
                "name a StorageClass of the cluster (`kubectl get storageclasses`), e.g. gp3",
            );
        }
        if let Some(claim) = &v.persistent_volume_claim {
            p.rule(
                Code::Volume,
                f(i, "persistentVolumeClaim.claimName"),
                &claim.claim_name,
                syntax::dns1123_subdomain,
                "name a PersistentVolumeClaim in the job's namespace",
            );
        }
    }
}

fn dynamic_allocation(p: &mut Problems, spec: &SparkJobSpec, versions: Option<JobVersions>) {
    let d = &spec.dynamic_allocation;
    let f = |name: &str| format!("spec.dynamicAllocation.{name}");
    for (name, value) in [
        ("executorIdleTimeout", &d.executor_idle_timeout),
        ("shuffleTrackingTimeout", &d.shuffle_tracking_timeout),
    ] {
        if let Some(value) = value {
            p.rule(
                Code::Resources,
                f(name),
                value,
                syntax::spark_duration,
                "write a Spark duration such as 60s or 5min",
            );
        }
    }
    let (min, max) = (d.min_executors.unwrap_or(0), d.max_executors);
    if let Some(max) = max.filter(|max| min > *max) {
        p.add(
            Code::Resources,
            f("minExecutors"),
            format!("minExecutors ({min}) is more than maxExecutors ({max})"),
            format!("set minExecutors to at most {max}, or raise maxExecutors"),
        );
    }
    if let Some(initial) = d.initial_executors
        && (initial < min || max.is_some_and(|max| initial > max))
    {
        p.add(
            Code::Resources,
            f("initialExecutors"),
            format!(
                "initialExecutors ({initial}) is outside minExecutors..maxExecutors ({min}..{})",
                max.map_or_else(|| "unbounded".to_owned(), |m| m.to_string())
            ),
            "set it between minExecutors and maxExecutors",
        );
    }
    if !d.enabled {
        return;
    }
    match max {
        None => p.add(
            Code::Resources,
            f("maxExecutors"),
            "dynamic allocation without maxExecutors may ask for executors without bound",
            "set maxExecutors, e.g. maxExecutors: 10",
        ),
        Some(max) if spec.executor.instances > max => p.add(
            Code::Resources,
            "spec.executor.instances",
            format!(
                "with dynamic allocation, executor.instances ({}) is the number Spark starts with, more than maxExecutors ({max})",
                spec.executor.instances
            ),
            format!("set executor.instances to at most {max}, or raise maxExecutors"),
        ),
        Some(_) => {}
    }
    if let Some(v) = versions.filter(|v| v.spark < MIN_SPARK_SHUFFLE_TRACKING) {
        p.add(
            Code::NeedsNewer,
            f("enabled"),
            format!(
                "Spark {} cannot scale executors on Kubernetes: there is no external shuffle service, and shuffle tracking arrived in Spark {MIN_SPARK_SHUFFLE_TRACKING}",
                v.spark
            ),
            format!("use Spark {MIN_SPARK_SHUFFLE_TRACKING} or later, or set a fixed executor.instances"),
        );
    }
}

/// The most characters of a CronJob's name: its controller names each run's Job after it plus
/// `-` and an up to 10-digit timestamp, and the API server refuses longer CronJob names.
pub const MAX_CRON_JOB_NAME: usize = 52;

fn scheduled(p: &mut Problems, schedule: &ScheduleSpec, name: &str) {
    p.rule(
        Code::Schedule,
        "spec.schedule.cron",
        &schedule.cron,
        crate::cron::schedule,
        "write five fields, e.g. \"0 2 * * *\" for 02:00 every day, or @daily",
    );
    if let Some(zone) = &schedule.time_zone {
        p.rule(
            Code::Schedule,
            "spec.schedule.timeZone",
            zone,
            syntax::time_zone,
            "write an IANA time zone such as Europe/Paris or UTC",
        );
    }
    if name.len() > MAX_CRON_JOB_NAME {
        p.add(
            Code::Schedule,
            "metadata.name",
            format!(
                "{name:?} is {} characters long; a scheduled job's CronJob takes at most {MAX_CRON_JOB_NAME}, leaving room for the suffix of each run's Job",
                name.len()
            ),
            format!("shorten it to {MAX_CRON_JOB_NAME} characters"),
        );
    }
}

fn labels(p: &mut Problems, field: impl Field + Copy, labels: &BTreeMap<String, String>) {
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

fn annotations(p: &mut Problems, field: impl Field + Copy, annotations: &BTreeMap<String, String>) {
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
fn annotation_sizes(p: &mut Problems, job: &SparkJob) {
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
fn image(p: &mut Problems, image: &str, version: Option<&str>) {
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

/// The schemes of a file the driver (the Job's pod) can read and Spark can serve to executors.
const REACHABLE_SCHEMES: [&str; 4] = ["local:///", "s3a://", "http://", "https://"];

/// Whether `file` is a URL of one of [`REACHABLE_SCHEMES`] with something after the scheme.
fn reachable_file(file: &str) -> bool {
    REACHABLE_SCHEMES
        .iter()
        .any(|s| file.starts_with(s) && file.len() > s.len())
        && !file.chars().any(char::is_control)
}

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

fn dependencies<'a>(p: &mut Problems, spec: &'a SparkJobSpec, versions: Option<JobVersions>) {
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

fn application(p: &mut Problems, spec: &SparkJobSpec) {
    for (i, argument) in spec.arguments.iter().enumerate() {
        let field = || join_index("spec.arguments", i);
        if argument.contains('\0') {
            p.add(
                Code::Application,
                &field,
                "contains a NUL byte, which container runtimes refuse in arguments",
                "remove the NUL byte",
            );
        }
    }
    let file = &spec.main_application_file;
    if !reachable_file(file) {
        p.add(Code::Application, "spec.mainApplicationFile",
            format!("{file:?} is not a file spark-submit can reach from the driver"),
            "use local:///path/in/the/image (e.g. local:///app/simple_read.py) or an s3a:// or https:// URL, on one line");
    }
    let needs_class = matches!(
        spec.app_type,
        ApplicationType::Java | ApplicationType::Scala
    );
    match (&spec.main_class, needs_class) {
        (None, true) => p.add(
            Code::Application,
            "spec.mainClass",
            "Java and Scala applications need a main class",
            "add `mainClass: com.example.Main`",
        ),
        (Some(_), false) => p.add(
            Code::Application,
            "spec.mainClass",
            "only Java and Scala applications have a main class",
            "remove mainClass",
        ),
        (Some(class), true) if class.is_empty() || class.contains(char::is_whitespace) => p.add(
            Code::Application,
            "spec.mainClass",
            format!("{class:?} is not a class name"),
            "write a fully qualified class name, e.g. com.example.Main",
        ),
        _ => {}
    }
}

fn confs(p: &mut Problems, spec: &SparkJobSpec) {
    for key in spec.spark_conf.keys() {
        let field = &|| join_key("spec.sparkConf", key);
        if key.contains(|c: char| c == '=' || c.is_whitespace() || c.is_control()) {
            // spark-submit splits `--conf` at the first `=`: the rest would set another key.
            p.add(Code::Setting, field, format!("{key:?} is not a Spark setting name: it has '=', a space, a line break or a control character"),
                "write the key alone (e.g. spark.sql.shuffle.partitions) and the value after the colon");
        } else if !key.starts_with("spark.") || key.len() <= "spark.".len() {
            p.add(Code::Setting, field, format!("{key:?} is not a Spark setting; spark-submit ignores keys that do not start with `spark.`"),
                "for Hadoop settings use hadoopConf without the spark.hadoop. prefix");
        } else if let Some(hadoop_key) = key.strip_prefix("spark.hadoop.") {
            // Say what hadoopConf would say, so the help leads to an accepted config.
            match hadoop_conf_refusal(hadoop_key) {
                Some((code, message, help)) => p.add(code, field, message, help),
                None => p.add(
                    Code::Setting,
                    field,
                    format!("{key:?} is a Hadoop setting"),
                    format!("move it to hadoopConf as `{hadoop_key}`"),
                ),
            }
        } else if let Some(reason) = reserved_conf_reason(key) {
            p.add(
                Code::Setting,
                field,
                format!("{key:?} is set by the tool"),
                reason,
            );
        } else if redact::is_credential_setting(key) {
            p.add(
                Code::CredentialSetting,
                field,
                format!("{key:?} carries a credential"),
                CREDENTIAL_SETTING_HELP,
            );
        }
    }
    for key in spec.hadoop_conf.keys() {
        let field = &|| join_key("spec.hadoopConf", key);
        if let Some(rest) = key.strip_prefix("spark.hadoop.") {
            p.add(
                Code::Setting,
                field,
                format!("{key:?} already has the spark.hadoop. prefix"),
                format!("write it as `{rest}`"),
            );
        } else if let Some((code, message, help)) = hadoop_conf_refusal(key) {
            p.add(code, field, message, help);
        }
    }
    for (root, map) in [
        ("spec.sparkConf", &spec.spark_conf),
        ("spec.hadoopConf", &spec.hadoop_conf),
    ] {
        for (key, value) in map {
            let field = || join_key(root, key);
            if value.contains(['\n', '\r', '\0']) {
                p.add(
                    Code::Setting,
                    &field,
                    "values cannot contain line breaks or NUL",
                    "write the value on one line",
                );
            }
            if EXECUTOR_ENV_CONFS.contains(&key.as_str()) && value.contains('$') {
                p.add(
                    Code::Setting,
                    &field,
                    "Spark copies this value into the executors' environment, whose kubelet reads `$(NAME)` as a variable and `$$` as `$`",
                    "write it without '$' (set variables in spec.executor.env, which is escaped for every kubelet)",
                );
            }
        }
    }
}

/// Why a Hadoop key may not be set in hadoopConf, with the fix; `None` when it may.
fn hadoop_conf_refusal(key: &str) -> Option<(Code, String, String)> {
    if key.is_empty() || key.contains(|c: char| c == '=' || c.is_whitespace() || c.is_control()) {
        Some((
            Code::Setting,
            format!("{key:?} is not a Hadoop setting name"),
            "write a key such as fs.s3a.connection.maximum".into(),
        ))
    } else if let Some(reason) = reserved_conf_reason(&format!("spark.hadoop.{key}")) {
        Some((
            Code::Setting,
            format!("{key:?} is set by the tool"),
            reason.into(),
        ))
    } else if redact::is_credential_setting(key) {
        Some((
            Code::CredentialSetting,
            format!("{key:?} carries a credential"),
            CREDENTIAL_SETTING_HELP.into(),
        ))
    } else {
        None
    }
}

fn sizing(p: &mut Problems, role: &str, pod: &PodView<'_>, versions: Option<JobVersions>) {
    let f = |name: &str| format!("spec.{role}.{name}");
    if pod.cores == 0 || pod.cores > MAX_CORES {
        p.add(
            Code::Resources,
            f("cores"),
            format!("{} cores is out of range", pod.cores),
            format!("ask for 1 to {MAX_CORES} cores"),
        );
    }
    let mut cpu = |name: &str, value: Option<&str>| {
        value.and_then(|v| {
            p.rule(
                Code::Resources,
                f(name),
                v,
                syntax::cpu_quantity,
                "write a CPU quantity such as 500m, 1 or 2",
            )
        })
    };
    let request = cpu("coreRequest", pod.core_request);
    let limit = cpu("coreLimit", pod.core_limit);
    // Spark requests `coreRequest`, else `cores` (an unreadable coreRequest is reported above).
    let request = match pod.core_request {
        Some(_) => request,
        None => u64::from(pod.cores).checked_mul(1000),
    };
    if let (Some(request), Some(limit)) = (request, limit)
        && limit < request
    {
        let asked = match pod.core_request {
            Some(r) => format!("the request {r:?} (coreRequest)"),
            None => format!("the {} cores requested (cores)", pod.cores),
        };
        p.add(
            Code::Resources,
            f("coreLimit"),
            format!(
                "{:?} is less than {asked}; the API server refuses such a pod",
                pod.core_limit.unwrap_or_default()
            ),
            "make coreLimit at least the request, or lower coreRequest",
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
                Code::Resources,
                f(name),
                format!("{v:?} {reason}"),
                "write a Spark size such as 512m or 4g",
            );
        }
    }
    labels(p, &|| f("labels"), pod.labels);
    annotations(p, &|| f("annotations"), pod.annotations);
    for (i, var) in pod.env.iter().enumerate() {
        let field = || join_key(&join_index(&f("env"), i), "name");
        if var.name.starts_with(TOOL_ENV_PREFIX) {
            p.add(
                Code::EnvVar,
                &field,
                format!("{} is one of the tool's own variables (spark-submit reads the image, namespace and Secret from them)", var.name),
                format!("use a name that does not start with {TOOL_ENV_PREFIX}"),
            );
        }
        if pod.env[..i].iter().any(|other| other.name == var.name) {
            p.add(
                Code::EnvVar,
                &field,
                format!("{} is set twice: the second would silently win", var.name),
                "keep one entry per name",
            );
        }
        p.rule(
            Code::EnvVar,
            &field,
            &var.name,
            syntax::env_var_name,
            "use letters, digits and '_', e.g. LOG_LEVEL",
        );
        if RESERVED_ENV.contains(&var.name.as_str()) {
            p.add(
                Code::EnvVar,
                &field,
                format!("{} is set from the S3 credentials", var.name),
                "remove it; configure spec.s3.credentials instead",
            );
        }
        let value_field = || join_key(&join_index(&f("env"), i), "value");
        if var.value.contains('\0') {
            p.add(
                Code::EnvVar,
                &value_field,
                "values cannot contain NUL",
                "remove the NUL byte",
            );
        }
    }
    for (key, value) in pod.node_selector {
        let field = || join_key(&f("nodeSelector"), key);
        p.rule(
            Code::Placement,
            &field,
            key,
            syntax::qualified_name,
            "node label keys are [prefix/]name, e.g. kubernetes.io/arch",
        );
        p.rule(
            Code::Placement,
            &field,
            value,
            syntax::label_value,
            "node label values are up to 63 letters, digits, '-', '_' or '.'",
        );
    }
    if let Some(class) = pod.priority_class_name {
        p.rule(
            Code::Placement,
            f("priorityClassName"),
            class,
            syntax::dns1123_subdomain,
            "name a PriorityClass of the cluster (`kubectl get priorityclasses`)",
        );
    }
    // The driver is the Job's pod, which carries these itself; executors get them through a pod
    // template.
    if role == "executor" && versions.is_some_and(|v| v.spark < MIN_SPARK_POD_TEMPLATE) {
        for (name, set) in [
            ("affinity", pod.affinity.is_some()),
            ("podTemplate", pod.pod_template.is_some()),
            ("priorityClassName", pod.priority_class_name.is_some()),
            ("tolerations", !pod.tolerations.is_empty()),
        ] {
            if set {
                p.add(
                    Code::NeedsNewer,
                    f(name),
                    format!("executors get {name} through a pod template, which needs Spark 3.0 or later"),
                    format!("remove {name} or use Spark 3.0+"),
                );
            }
        }
    }
    if let Some(affinity) = pod.affinity {
        self::affinity(p, &f("affinity"), affinity);
    }
    for (i, t) in pod.tolerations.iter().enumerate() {
        let field = || join_index(&f("tolerations"), i);
        if t.operator == Some(TolerationOperator::Exists) && t.value.is_some() {
            p.add(
                Code::Placement,
                join_key(&field(), "value"),
                "operator Exists matches any value, so value must be empty",
                "remove value or use operator Equal",
            );
        }
        if let Some(key) = &t.key {
            p.rule(
                Code::Placement,
                &|| join_key(&field(), "key"),
                key,
                syntax::qualified_name,
                "taint keys are [prefix/]name",
            );
        } else if t.operator != Some(TolerationOperator::Exists) {
            p.add(
                Code::Placement,
                join_key(&field(), "key"),
                "a toleration without a key must use operator Exists",
                "add a key or `operator: Exists`",
            );
        }
        if t.toleration_seconds.is_some_and(|s| s < 0) {
            p.add(
                Code::Placement,
                join_key(&field(), "tolerationSeconds"),
                "must not be negative",
                "use 0 or more seconds",
            );
        }
    }
}

/// The rules the API server applies to an affinity (`ValidateAffinity`), so `validate` refuses
/// what `kubectl apply` would: operators and their values, weights, topology keys.
fn affinity(p: &mut Problems, at: &str, affinity: &Affinity) {
    if let Some(node) = &affinity.node_affinity {
        let at = join_key(at, "nodeAffinity");
        if let Some(required) = &node.required_during_scheduling_ignored_during_execution {
            let at = join_key(&at, "requiredDuringSchedulingIgnoredDuringExecution");
            if required.node_selector_terms.is_empty() {
                p.add(
                    Code::Placement,
                    join_key(&at, "nodeSelectorTerms"),
                    "a required node affinity needs at least one term",
                    "add a term with matchExpressions, or remove requiredDuringSchedulingIgnoredDuringExecution",
                );
            }
            for (i, term) in required.node_selector_terms.iter().enumerate() {
                node_term(p, &join_index(&join_key(&at, "nodeSelectorTerms"), i), term);
            }
        }
        if let Some(preferred) = &node.preferred_during_scheduling_ignored_during_execution {
            let at = join_key(&at, "preferredDuringSchedulingIgnoredDuringExecution");
            for (i, term) in preferred.iter().enumerate() {
                let at = join_index(&at, i);
                weight(p, &at, term.weight);
                node_term(p, &join_key(&at, "preference"), &term.preference);
            }
        }
    }
    let pod_terms = [
        (
            "podAffinity",
            affinity.pod_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
        (
            "podAntiAffinity",
            affinity.pod_anti_affinity.as_ref().map(|a| {
                (
                    &a.required_during_scheduling_ignored_during_execution,
                    &a.preferred_during_scheduling_ignored_during_execution,
                )
            }),
        ),
    ];
    for (kind, terms) in pod_terms {
        let Some((required, preferred)) = terms else {
            continue;
        };
        let at = join_key(at, kind);
        for (i, term) in required.iter().flatten().enumerate() {
            let at = join_index(
                &join_key(&at, "requiredDuringSchedulingIgnoredDuringExecution"),
                i,
            );
            pod_term(p, &at, term);
        }
        for (i, term) in preferred.iter().flatten().enumerate() {
            let at = join_index(
                &join_key(&at, "preferredDuringSchedulingIgnoredDuringExecution"),
                i,
            );
            weight(p, &at, term.weight);
            pod_term(
                p,
                &join_key(&at, "podAffinityTerm"),
                &term.pod_affinity_term,
            );
        }
    }
}

fn weight(p: &mut Problems, at: &str, weight: i32) {
    if !(1..=100).contains(&weight) {
        p.add(
            Code::Placement,
            join_key(at, "weight"),
            format!("weight {weight} is out of range"),
            "use a weight from 1 to 100",
        );
    }
}

fn node_term(p: &mut Problems, at: &str, term: &NodeSelectorTerm) {
    for (i, r) in term.match_expressions.iter().flatten().enumerate() {
        let at = join_index(&join_key(at, "matchExpressions"), i);
        p.rule(
            Code::Placement,
            join_key(&at, "key"),
            &r.key,
            syntax::qualified_name,
            "node label keys are [prefix/]name",
        );
        requirement(p, &at, &r.operator, r.values.as_deref(), NODE_OPERATORS);
    }
    for (i, r) in term.match_fields.iter().flatten().enumerate() {
        let at = join_index(&join_key(at, "matchFields"), i);
        if r.key != "metadata.name" {
            p.add(
                Code::Placement,
                join_key(&at, "key"),
                format!("{:?} is not a node field a selector can match", r.key),
                "use key metadata.name, or matchExpressions for node labels",
            );
        }
        requirement(p, &at, &r.operator, r.values.as_deref(), &["In", "NotIn"]);
    }
}

fn pod_term(p: &mut Problems, at: &str, term: &PodAffinityTerm) {
    p.rule(
        Code::Placement,
        join_key(at, "topologyKey"),
        &term.topology_key,
        syntax::qualified_name,
        "name the node label that groups nodes, such as kubernetes.io/hostname or topology.kubernetes.io/zone",
    );
    for (selector, name) in [
        (&term.label_selector, "labelSelector"),
        (&term.namespace_selector, "namespaceSelector"),
    ] {
        for (i, r) in selector
            .iter()
            .flat_map(|s| s.match_expressions.iter().flatten())
            .enumerate()
        {
            let at = join_index(&join_key(&join_key(at, name), "matchExpressions"), i);
            requirement(p, &at, &r.operator, r.values.as_deref(), LABEL_OPERATORS);
        }
    }
}

/// The operators of a node selector requirement.
const NODE_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
/// The operators of a label selector requirement.
const LABEL_OPERATORS: &[&str] = &["In", "NotIn", "Exists", "DoesNotExist"];

/// An operator from `allowed` with the values it takes: some for `In`/`NotIn`, none for
/// `Exists`/`DoesNotExist`, one whole number for `Gt`/`Lt`.
fn requirement(
    p: &mut Problems,
    at: &str,
    operator: &str,
    values: Option<&[String]>,
    allowed: &[&str],
) {
    if !allowed.contains(&operator) {
        p.add(
            Code::Placement,
            join_key(at, "operator"),
            format!("{operator:?} is not an operator here"),
            format!("use one of {}", allowed.join(", ")),
        );
        return;
    }
    let values = values.unwrap_or_default();
    let (fits, help) = match operator {
        "In" | "NotIn" => (!values.is_empty(), "list at least one value"),
        "Exists" | "DoesNotExist" => (values.is_empty(), "remove values: this operator takes none"),
        _ => (
            values.len() == 1 && values[0].parse::<i64>().is_ok(),
            "give exactly one value, a whole number",
        ),
    };
    if !fits {
        p.add(
            Code::Placement,
            join_key(at, "values"),
            format!("the values do not fit operator {operator}"),
            help,
        );
    }
}

fn s3(p: &mut Problems, spec: &SparkJobSpec, versions: Option<JobVersions>) {
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
                .contains_key(super::model::IRSA_ANNOTATION)
            {
                p.add(
                    Code::WebIdentity,
                    join_key(
                        "spec.serviceAccount.annotations",
                        super::model::IRSA_ANNOTATION,
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

fn submitter(p: &mut Problems, spec: &SparkJobSpec) {
    let s = &spec.submitter;
    if !(0..=MAX_BACKOFF_LIMIT).contains(&s.backoff_limit) {
        p.add(
            Code::Submitter,
            "spec.submitter.backoffLimit",
            format!("{} is out of range", s.backoff_limit),
            format!("use 0 (no retry) to {MAX_BACKOFF_LIMIT}"),
        );
    }
    if s.ttl_seconds_after_finished.is_some_and(|t| t < 0) {
        p.add(
            Code::Submitter,
            "spec.submitter.ttlSecondsAfterFinished",
            "must not be negative",
            "use 0 or more seconds, or remove it to keep finished Jobs",
        );
    }
    if s.active_deadline_seconds.is_some_and(|t| t <= 0) {
        p.add(
            Code::Submitter,
            "spec.submitter.activeDeadlineSeconds",
            "must be positive",
            "use 1 or more seconds, or remove it for no deadline",
        );
    }
    if s.run_as_user <= 0 || s.run_as_user > MAX_ID {
        p.add(
            Code::Submitter,
            "spec.submitter.runAsUser",
            format!(
                "{} is root or not an id the API server accepts (1 to {MAX_ID}); the submitter never runs as root",
                s.run_as_user
            ),
            "use the image's non-root user id (185 for the Apache Spark images)",
        );
    }
    if let Some(resources) = &s.resources {
        let mut read = |kind: &str, amounts: &crate::config::model::ResourceAmounts| {
            let f = format!("spec.submitter.resources.{kind}");
            let cpu = p.rule(
                Code::Submitter,
                join_key(&f, "cpu"),
                &amounts.cpu,
                syntax::cpu_quantity,
                "write a CPU quantity such as 250m or 1",
            );
            let memory = p.rule(
                Code::Submitter,
                join_key(&f, "memory"),
                &amounts.memory,
                syntax::memory_quantity,
                "write a memory quantity such as 512Mi or 1Gi",
            );
            (cpu, memory)
        };
        let (cpu_request, memory_request) = read("requests", &resources.requests);
        let (cpu_limit, memory_limit) = read("limits", &resources.limits);
        let (requests, limits) = (&resources.requests, &resources.limits);
        for (name, request, limit, asked, allowed) in [
            (
                "cpu",
                cpu_request.map(u128::from),
                cpu_limit.map(u128::from),
                &requests.cpu,
                &limits.cpu,
            ),
            (
                "memory",
                memory_request,
                memory_limit,
                &requests.memory,
                &limits.memory,
            ),
        ] {
            if let (Some(request), Some(limit)) = (request, limit)
                && limit < request
            {
                p.add(
                    Code::Submitter,
                    join_key("spec.submitter.resources.limits", name),
                    format!(
                        "{allowed:?} is less than the request {asked:?}; the API server refuses such a pod"
                    ),
                    "make the limit at least the request",
                );
            }
        }
    }
}
