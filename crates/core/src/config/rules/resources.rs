//! Cores, memory, GPUs, volumes and dynamic allocation (KS108, KS125, and the version gates they need).

use super::*;

pub(super) fn sizing(
    p: &mut Problems,
    role: &str,
    pod: &PodView<'_>,
    versions: Option<JobVersions>,
) {
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
        placement::affinity(p, &f("affinity"), affinity);
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

/// The executors' GPUs: complete (a discovery script), a vendor Kubernetes can name a resource
/// after, and a task amount Spark accepts (`ResourceUtils`: a whole number, or at most 0.5).
pub(super) fn gpu(p: &mut Problems, gpu: &GpuSpec, versions: Option<JobVersions>) {
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

pub(super) fn volumes(
    p: &mut Problems,
    role: &str,
    volumes: &[VolumeSpec],
    versions: Option<JobVersions>,
) {
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

pub(super) fn dynamic_allocation(
    p: &mut Problems,
    spec: &SparkJobSpec,
    versions: Option<JobVersions>,
) {
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
