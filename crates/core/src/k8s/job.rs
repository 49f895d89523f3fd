//! The Job whose pod runs `spark-submit` in client mode, so that pod is the Spark driver (its
//! resources, labels, env and placement are the driver's), and the pod template that hardens the
//! executor pods and carries their placement; each with the user's own pod template, if any,
//! merged under it ([`super::pod_template`]).

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    LocalObjectReference, ObjectFieldSelector, PersistentVolumeClaimVolumeSource, Pod,
    PodSecurityContext, PodSpec, PodTemplateSpec, ResourceRequirements, SeccompProfile,
    SecretKeySelector, SecurityContext, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::config::model::{
    EmptyDirMedium, PodView, ResourceAmounts, S3Credentials, ScheduleSpec, TaintEffect,
    Toleration as TolerationSpec, TolerationOperator,
};
use crate::config::{ResolvedJob, SparkJob};
use crate::spark::submit::{
    self, ANNOTATION_IMAGE, ANNOTATION_SECRET, ENV_IMAGE, ENV_NAMESPACE, ENV_POD_IP, ENV_POD_NAME,
    ENV_SECRET, ENV_SERVICE_ACCOUNT, EXECUTOR_TEMPLATE, KEY_ENV, POD_TEMPLATE_DIR, SCRATCH_DIR,
    SCRATCH_VOLUME, SPARK_SUBMIT, TEMPLATES_VOLUME,
};

/// Name of the Job's container (spark-submit, and in it the driver).
pub const CONTAINER: &str = "spark-submit";
/// The Job container's `terminationMessagePolicy`: the log's tail when it fails without a message.
pub const TERMINATION_MESSAGE_POLICY: &str = "FallbackToLogsOnError";
/// The Job container's `terminationMessagePath` (the Kubernetes default, stated because the
/// command passes it to [`RUN_DRIVER`]).
pub const TERMINATION_MESSAGE_PATH: &str = "/dev/termination-log";
/// The POSIX `sh` script the Job's container runs: spark-submit with its output passed on
/// unchanged, and when it fails the last exception and `ERROR` lines of each stream written as
/// the termination message. Without it the message is the kubelet's fallback (the log's last
/// 2048 bytes), which for a JVM failure holds only Spark's shutdown lines, not the cause. It needs
/// `sh`, `mktemp`, `mkfifo`, `awk` and `cat` in the image (every Spark image has them); without a
/// writable temporary folder it runs spark-submit alone. SIGTERM is passed on to spark-submit.
pub const RUN_DRIVER: &str = include_str!("run-driver.sh");

/// The Job container's `command`: [`RUN_DRIVER`] running spark-submit; the arguments are
/// spark-submit's.
pub fn command() -> Vec<String> {
    [
        "/bin/sh",
        "-c",
        RUN_DRIVER,
        "run-driver",
        TERMINATION_MESSAGE_PATH,
        SPARK_SUBMIT,
    ]
    .map(String::from)
    .to_vec()
}

fn seccomp_runtime_default() -> Option<SeccompProfile> {
    Some(SeccompProfile {
        type_: "RuntimeDefault".into(),
        ..Default::default()
    })
}

fn drop_all() -> Option<Capabilities> {
    Some(Capabilities {
        drop: Some(vec!["ALL".into()]),
        ..Default::default()
    })
}

fn quantities(amounts: &ResourceAmounts) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".to_owned(), Quantity(amounts.cpu.clone())),
        ("memory".to_owned(), Quantity(amounts.memory.clone())),
    ])
}

fn field_ref(path: &str) -> Option<EnvVarSource> {
    Some(EnvVarSource {
        field_ref: Some(ObjectFieldSelector {
            field_path: path.into(),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// The container's environment: the names the arguments refer to as `$(VAR)`, then the
/// driver's own ([`spark_env`]).
fn driver_env(job: &ResolvedJob) -> Vec<EnvVar> {
    let mut env = vec![
        EnvVar {
            name: ENV_NAMESPACE.into(),
            value_from: field_ref("metadata.namespace"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_POD_NAME.into(),
            value_from: field_ref("metadata.name"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_POD_IP.into(),
            value_from: field_ref("status.podIP"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_SERVICE_ACCOUNT.into(),
            value_from: field_ref("spec.serviceAccountName"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_IMAGE.into(),
            value_from: field_ref(&submit::annotation_field(ANNOTATION_IMAGE)),
            ..Default::default()
        },
    ];
    if job.secret_name().is_some() {
        env.push(EnvVar {
            name: ENV_SECRET.into(),
            value_from: field_ref(&submit::annotation_field(ANNOTATION_SECRET)),
            ..Default::default()
        });
    }
    env.extend(spark_env(job));
    env
}

/// The Spark driver's own environment, wherever it runs: the S3 keys from the Secret, and the
/// user's `spec.driver.env` (escaped for the kubelet).
fn spark_env(job: &ResolvedJob) -> Vec<EnvVar> {
    let mut env = Vec::new();
    if let (Some(secret), S3Credentials::Secret(s)) = (job.secret_name(), &job.spec.s3.credentials)
    {
        for (name, key) in KEY_ENV
            .into_iter()
            .zip([&s.access_key_id_key, &s.secret_access_key_key])
        {
            env.push(EnvVar {
                name: name.into(),
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: secret.clone(),
                        key: key.clone(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    env.extend(job.spec.driver.as_pod().env.iter().map(|e| EnvVar {
        name: e.name.clone(),
        value: Some(submit::escape(&e.value)),
        ..Default::default()
    }));
    env
}

/// The driver container's security context: `restricted`, running as `uid`, on a read-only
/// root filesystem (the scratch volume is where it writes).
fn driver_security_context(uid: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: drop_all(),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        seccomp_profile: seccomp_runtime_default(),
        ..Default::default()
    }
}

/// The driver pod's security context: non-root as `uid`, its volumes owned by `uid`'s group.
fn driver_pod_security_context(uid: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(uid),
        fs_group: Some(uid),
        seccomp_profile: seccomp_runtime_default(),
        ..Default::default()
    }
}

/// The driver's own volumes from `spec.driver.volumes` (emptyDir or an existing claim; the
/// validator refuses on-demand claims for it) and their mounts.
fn driver_volumes(job: &SparkJob) -> (Vec<Volume>, Vec<VolumeMount>) {
    job.spec
        .driver
        .volumes
        .iter()
        .map(|v| {
            let volume = Volume {
                name: v.name.clone(),
                empty_dir: v.empty_dir.as_ref().map(|e| EmptyDirVolumeSource {
                    medium: e.medium.map(|m| match m {
                        EmptyDirMedium::Memory => "Memory".to_owned(),
                    }),
                    size_limit: e.size_limit.clone().map(Quantity),
                }),
                persistent_volume_claim: v.persistent_volume_claim.as_ref().map(|c| {
                    PersistentVolumeClaimVolumeSource {
                        claim_name: c.claim_name.clone(),
                        read_only: v.read_only.then_some(true),
                    }
                }),
                ..Default::default()
            };
            let mount = VolumeMount {
                name: v.name.clone(),
                mount_path: v.mount_path.clone(),
                read_only: v.read_only.then_some(true),
                ..Default::default()
            };
            (volume, mount)
        })
        .unzip()
}

/// The driver's scratch volume and its mount (Ivy's cache, temporary files).
fn scratch() -> (Volume, VolumeMount) {
    (
        Volume {
            name: SCRATCH_VOLUME.into(),
            empty_dir: Some(EmptyDirVolumeSource {
                size_limit: Some(Quantity("1Gi".into())),
                ..Default::default()
            }),
            ..Default::default()
        },
        VolumeMount {
            name: SCRATCH_VOLUME.into(),
            mount_path: SCRATCH_DIR.into(),
            ..Default::default()
        },
    )
}

/// A pod spec with only the placement of `pod` (node selector, tolerations, affinity, priority
/// class): the base every pod the tool describes is built on, so the three place pods alike.
fn placed(pod: &PodView<'_>) -> PodSpec {
    PodSpec {
        node_selector: (!pod.node_selector.is_empty()).then(|| pod.node_selector.clone()),
        tolerations: tolerations(pod.tolerations),
        affinity: pod.affinity.cloned(),
        priority_class_name: pod.priority_class_name.map(str::to_owned),
        ..Default::default()
    }
}

fn tolerations(specs: &[TolerationSpec]) -> Option<Vec<Toleration>> {
    let out: Vec<Toleration> = specs
        .iter()
        .map(|t| Toleration {
            key: t.key.clone(),
            operator: t.operator.map(|o| match o {
                TolerationOperator::Equal => "Equal".into(),
                TolerationOperator::Exists => "Exists".into(),
            }),
            value: t.value.clone(),
            effect: t.effect.map(|e| match e {
                TaintEffect::NoSchedule => "NoSchedule".into(),
                TaintEffect::PreferNoSchedule => "PreferNoSchedule".into(),
                TaintEffect::NoExecute => "NoExecute".into(),
            }),
            toleration_seconds: t.toleration_seconds,
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// The Job running `spark-submit` with `args`; `token`: whether its pod mounts the API token
/// (see [`super::rbac::needs_token`]). `templates_config_map` names the ConfigMap with the pod
/// template, when the Spark version uses one. The pod also gets the user's driver labels.
pub fn job(
    metadata: ObjectMeta,
    mut pod_labels: BTreeMap<String, String>,
    job_config: &ResolvedJob,
    token: bool,
    args: Vec<String>,
    templates_config_map: Option<&str>,
) -> Job {
    let spec = &job_config.spec;
    let driver = spec.driver.as_pod();
    pod_labels.extend(driver.labels.clone());
    let uid = spec.submitter.run_as_user;
    let (volume, mount) = scratch();
    let (mut volumes, mut mounts) = (vec![volume], vec![mount]);
    if let Some(name) = templates_config_map {
        volumes.push(Volume {
            name: TEMPLATES_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: name.to_owned(),
                ..Default::default()
            }),
            ..Default::default()
        });
        mounts.push(VolumeMount {
            name: TEMPLATES_VOLUME.into(),
            mount_path: POD_TEMPLATE_DIR.into(),
            read_only: Some(true),
            ..Default::default()
        });
    }
    // The user's own volumes after the tool's, as the chart writes them.
    let (own_volumes, own_mounts) = driver_volumes(job_config);
    volumes.extend(own_volumes);
    mounts.extend(own_mounts);
    let container = Container {
        name: CONTAINER.into(),
        image: Some(job_config.spec.image.clone()),
        image_pull_policy: Some(spec.image_pull_policy.as_str().into()),
        command: Some(command()),
        args: Some(args),
        env: Some(driver_env(job_config)),
        resources: Some(ResourceRequirements {
            requests: Some(quantities(&job_config.driver_resources.requests)),
            limits: Some(quantities(&job_config.driver_resources.limits)),
            ..Default::default()
        }),
        security_context: Some(driver_security_context(uid)),
        volume_mounts: Some(mounts),
        // A failed driver's exception lines (RUN_DRIVER writes them), else its log's tail, become
        // the container's termination message: `kubectl describe` shows why the Job failed.
        termination_message_path: Some(TERMINATION_MESSAGE_PATH.into()),
        termination_message_policy: Some(TERMINATION_MESSAGE_POLICY.into()),
        ..Default::default()
    };
    let pull_secrets = (!spec.image_pull_secrets.is_empty()).then(|| {
        spec.image_pull_secrets
            .iter()
            .map(|name| LocalObjectReference { name: name.clone() })
            .collect()
    });
    Job {
        metadata,
        spec: Some(JobSpec {
            backoff_limit: Some(spec.submitter.backoff_limit),
            ttl_seconds_after_finished: spec.submitter.ttl_seconds_after_finished,
            active_deadline_seconds: spec.submitter.active_deadline_seconds,
            template: own_template(
                driver.pod_template,
                PodTemplateSpec {
                    metadata: Some(ObjectMeta {
                        labels: Some(pod_labels),
                        annotations: Some(pod_annotations(job_config, driver.annotations)),
                        ..Default::default()
                    }),
                    spec: Some(PodSpec {
                        service_account_name: Some(job_config.service_account_name().to_owned()),
                        automount_service_account_token: Some(token),
                        restart_policy: Some("Never".into()),
                        image_pull_secrets: pull_secrets,
                        security_context: Some(driver_pod_security_context(uid)),
                        containers: vec![container],
                        volumes: Some(volumes),
                        ..placed(&driver)
                    }),
                },
            ),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The Job pod's annotations: the user's, and the values its env reads through the downward
/// API ([`ANNOTATION_IMAGE`], [`ANNOTATION_SECRET`]).
fn pod_annotations(
    job: &ResolvedJob,
    theirs: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut annotations = theirs.clone();
    annotations.insert(ANNOTATION_IMAGE.into(), job.spec.image.clone());
    if let Some(secret) = job.secret_name() {
        annotations.insert(ANNOTATION_SECRET.into(), secret);
    }
    annotations
}

/// `ours` with the user's pod template, if any, merged under it.
fn own_template(theirs: Option<&PodTemplateSpec>, ours: PodTemplateSpec) -> PodTemplateSpec {
    match (theirs, ours.spec) {
        (Some(theirs), Some(spec)) => {
            let (metadata, spec) = super::pod_template::merge_under(theirs, ours.metadata, spec);
            PodTemplateSpec {
                metadata,
                spec: Some(spec),
            }
        }
        (_, spec) => PodTemplateSpec {
            metadata: ours.metadata,
            spec,
        },
    }
}

/// The CronJob that runs `job` on `schedule`, with `job`'s metadata: every run is a Job with
/// `job`'s spec and labels (so `kubectl get jobs -l app.kubernetes.io/instance=NAME` lists the
/// runs), named by the controller `NAME-TIMESTAMP`.
pub fn cron_job(metadata: ObjectMeta, job: &Job, schedule: &ScheduleSpec) -> CronJob {
    CronJob {
        metadata,
        spec: Some(CronJobSpec {
            schedule: schedule.cron.trim().to_owned(),
            time_zone: schedule.time_zone.clone(),
            concurrency_policy: Some(schedule.concurrency_policy.as_str().into()),
            suspend: schedule.suspend.then_some(true),
            successful_jobs_history_limit: schedule.successful_jobs_history_limit,
            failed_jobs_history_limit: schedule.failed_jobs_history_limit,
            starting_deadline_seconds: schedule.starting_deadline_seconds,
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: job.metadata.labels.clone(),
                    ..Default::default()
                }),
                spec: job.spec.clone(),
            },
        }),
        ..Default::default()
    }
}

/// The pod template for the executors: non-root, seccomp RuntimeDefault, no privilege
/// escalation, all capabilities dropped, the API token only when `token` (executors never call
/// the API server, see [`super::rbac::needs_token`]), plus the executors' node selector,
/// tolerations and priority class, and `fsGroup` when they mount claims. Spark fills in
/// everything else (image, resources, env, volumes) and keeps what the template sets.
pub fn executor_template(job: &SparkJob, token: bool) -> Pod {
    let executor = job.spec.executor.as_pod();
    // A new claim's root belongs to root: the image's user writes to it through fsGroup.
    let claims = executor
        .volumes
        .iter()
        .any(|v| v.on_demand_claim.is_some() || v.persistent_volume_claim.is_some());
    let ours = PodTemplateSpec {
        metadata: None,
        spec: Some(PodSpec {
            automount_service_account_token: Some(token),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                fs_group: claims.then_some(job.spec.submitter.run_as_user),
                seccomp_profile: seccomp_runtime_default(),
                ..Default::default()
            }),
            containers: vec![Container {
                name: EXECUTOR_CONTAINER.into(),
                security_context: Some(SecurityContext {
                    allow_privilege_escalation: Some(false),
                    capabilities: drop_all(),
                    privileged: Some(false),
                    run_as_non_root: Some(true),
                    seccomp_profile: seccomp_runtime_default(),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..placed(&executor)
        }),
    };
    let template = own_template(executor.pod_template, ours);
    Pod {
        metadata: template.metadata.unwrap_or_default(),
        spec: template.spec,
        status: None,
    }
}

pub use crate::config::pod_template::DRIVER_CONTAINER;
use crate::config::pod_template::EXECUTOR_CONTAINER;

/// The pod template of a driver that Spark creates itself (cluster mode: the Spark Operator
/// submits): the hardening, environment, volumes, node selector, tolerations and priority class
/// of the Job's pod, which is the driver in client mode, from the same parts, and the Job's
/// deadline as the pod's. Spark fills in the image, command, resources, labels and its own
/// volumes. Its working directory is the scratch folder: a cluster-mode driver copies the jars,
/// files, archives and resolved packages it serves into its working directory, and its root
/// filesystem (the image's `WORKDIR`) is read-only. `token`: whether it mounts the API token.
pub fn driver_template(job: &ResolvedJob, token: bool) -> PodTemplateSpec {
    let driver = job.spec.driver.as_pod();
    let uid = job.spec.submitter.run_as_user;
    let (volume, mount) = scratch();
    let (mut volumes, mut mounts) = driver_volumes(job);
    volumes.insert(0, volume);
    mounts.insert(0, mount);
    let env = spark_env(job);
    own_template(
        driver.pod_template,
        PodTemplateSpec {
            metadata: None,
            spec: Some(PodSpec {
                active_deadline_seconds: job.spec.submitter.active_deadline_seconds,
                automount_service_account_token: Some(token),
                security_context: Some(driver_pod_security_context(uid)),
                containers: vec![Container {
                    name: DRIVER_CONTAINER.into(),
                    env: (!env.is_empty()).then_some(env),
                    security_context: Some(driver_security_context(uid)),
                    volume_mounts: Some(mounts),
                    working_dir: Some(SCRATCH_DIR.into()),
                    ..Default::default()
                }],
                volumes: Some(volumes),
                ..placed(&driver)
            }),
        },
    )
}

/// File name of the executor template in its ConfigMap.
pub const TEMPLATE_FILE: &str = EXECUTOR_TEMPLATE;
