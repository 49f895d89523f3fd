//! The submitter Job that runs `spark-submit`, and the pod templates that harden the driver and
//! executor pods and carry their node selectors and tolerations.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    LocalObjectReference, ObjectFieldSelector, Pod, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecurityContext, Toleration, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::rbac::PodRole;
use crate::config::SparkJob;
use crate::config::model::{ResourceAmounts, TaintEffect, TolerationOperator};
use crate::spark::submit::{
    self, DRIVER_TEMPLATE, ENV_IMAGE, ENV_NAMESPACE, ENV_SECRET, ENV_SERVICE_ACCOUNT,
    EXECUTOR_TEMPLATE, POD_TEMPLATE_DIR, SCRATCH_DIR, SPARK_SUBMIT,
};

/// Name of the submitter container.
pub const CONTAINER: &str = "spark-submit";
/// Volume with the submitter's scratch space.
const SCRATCH_VOLUME: &str = "tmp";
/// Volume with the pod templates.
const TEMPLATES_VOLUME: &str = "pod-templates";
/// Spark's default container names, used in the templates.
const DRIVER_CONTAINER: &str = "spark-kubernetes-driver";
const EXECUTOR_CONTAINER: &str = "spark-kubernetes-executor";

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

/// The submitter container's environment: the names the arguments refer to as `$(VAR)`.
fn submitter_env(job: &SparkJob) -> Vec<EnvVar> {
    let mut env = vec![
        EnvVar {
            name: ENV_NAMESPACE.into(),
            value_from: field_ref("metadata.namespace"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_SERVICE_ACCOUNT.into(),
            value_from: field_ref("spec.serviceAccountName"),
            ..Default::default()
        },
        EnvVar {
            name: ENV_IMAGE.into(),
            value: Some(submit::escape(&job.spec.image)),
            ..Default::default()
        },
    ];
    if let Some(secret) = job.secret_name() {
        env.push(EnvVar {
            name: ENV_SECRET.into(),
            value: Some(submit::escape(&secret)),
            ..Default::default()
        });
    }
    env
}

/// The Job running `spark-submit` with `args`; `token`: whether its pod mounts the API token
/// (see [`super::rbac::needs_token`]). `templates_config_map` names the ConfigMap with the pod
/// templates, when the Spark version uses them.
pub fn job(
    metadata: ObjectMeta,
    pod_labels: BTreeMap<String, String>,
    job_config: &SparkJob,
    token: bool,
    args: Vec<String>,
    templates_config_map: Option<&str>,
) -> Job {
    let spec = &job_config.spec;
    let uid = spec.submitter.run_as_user;
    let mut volumes = vec![Volume {
        name: SCRATCH_VOLUME.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity("1Gi".into())),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let mut mounts = vec![VolumeMount {
        name: SCRATCH_VOLUME.into(),
        mount_path: SCRATCH_DIR.into(),
        ..Default::default()
    }];
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
    let container = Container {
        name: CONTAINER.into(),
        image: Some(job_config.spec.image.clone()),
        image_pull_policy: Some(spec.image_pull_policy.as_str().into()),
        command: Some(vec![SPARK_SUBMIT.into()]),
        args: Some(args),
        env: Some(submitter_env(job_config)),
        resources: Some(ResourceRequirements {
            requests: Some(quantities(&spec.submitter.resources.requests)),
            limits: Some(quantities(&spec.submitter.resources.limits)),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: drop_all(),
            privileged: Some(false),
            read_only_root_filesystem: Some(true),
            run_as_non_root: Some(true),
            run_as_user: Some(uid),
            run_as_group: Some(uid),
            seccomp_profile: seccomp_runtime_default(),
            ..Default::default()
        }),
        volume_mounts: Some(mounts),
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
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    service_account_name: Some(job_config.service_account_name().to_owned()),
                    automount_service_account_token: Some(token),
                    restart_policy: Some("Never".into()),
                    image_pull_secrets: pull_secrets,
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(uid),
                        run_as_group: Some(uid),
                        fs_group: Some(uid),
                        seccomp_profile: seccomp_runtime_default(),
                        ..Default::default()
                    }),
                    containers: vec![container],
                    volumes: Some(volumes),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The pod template for the driver or the executors: non-root, seccomp RuntimeDefault, no
/// privilege escalation, all capabilities dropped, the API token only when `token` (the driver
/// creates executors with it; executors never call the API server), plus the role's node selector
/// and tolerations. Spark fills in everything else (image, resources, env, volumes) and keeps
/// what the template sets.
pub fn pod_template(role: PodRole, job: &SparkJob, token: bool) -> Pod {
    let driver = role == PodRole::Driver;
    let role = if driver {
        job.spec.driver.as_pod()
    } else {
        job.spec.executor.as_pod()
    };
    let tolerations: Vec<Toleration> = role
        .tolerations
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
    Pod {
        metadata: ObjectMeta::default(),
        spec: Some(PodSpec {
            automount_service_account_token: Some(token),
            security_context: Some(PodSecurityContext {
                run_as_non_root: Some(true),
                seccomp_profile: seccomp_runtime_default(),
                ..Default::default()
            }),
            node_selector: (!role.node_selector.is_empty()).then(|| role.node_selector.clone()),
            tolerations: (!tolerations.is_empty()).then_some(tolerations),
            containers: vec![Container {
                name: if driver {
                    DRIVER_CONTAINER
                } else {
                    EXECUTOR_CONTAINER
                }
                .into(),
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
            ..Default::default()
        }),
        status: None,
    }
}

/// File names of the templates in their ConfigMap, driver first.
pub const TEMPLATE_FILES: [&str; 2] = [DRIVER_TEMPLATE, EXECUTOR_TEMPLATE];
