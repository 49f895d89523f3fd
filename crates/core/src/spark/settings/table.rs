//! The table itself: every row of spark-submit's command line in order, each with the config
//! field or fact it comes from and whether the chart may tune it.

use super::*;

/// The executors' memory overhead factor for Python and R applications (none for JVM ones:
/// Spark's default is theirs). Spark raises it to 40% itself only in cluster mode; in client mode
/// (the Job) its executors would get 10%, so it is set, with the percentage that sizes the
/// driver's container ([`overhead_percent`]). `sparkConf` may not set the factors (a size in
/// `memoryOverhead` overrides it).
pub(super) fn overhead_factor(app_type: ApplicationType, versions: JobVersions) -> Option<Row> {
    if !matches!(app_type, ApplicationType::Python | ApplicationType::R) {
        return None;
    }
    let key = if versions.spark >= MIN_SPARK_EXECUTOR_OVERHEAD_FACTOR {
        "spark.executor.memoryOverheadFactor"
    } else {
        "spark.kubernetes.memoryOverheadFactor"
    };
    #[allow(clippy::cast_precision_loss)] // a percentage
    let factor = overhead_percent(app_type) as f64 / 100.0;
    Some(conf(key, Text::Lit(factor.to_string())))
}

/// The table of a checked job, in this order: master, deploy mode (client: the driver runs in
/// the Job's pod, so the Job's outcome is the application's), name, class; namespace, the driver
/// pod's name and address, executor service account, image; the executor pod template; driver
/// heap and executor sizing; executor labels, annotations and env; credentials; S3A settings;
/// version-specific confs; the user's sparkConf then hadoopConf (sorted); the application file
/// and its arguments.
///
/// `executor_labels` are the recommended labels the executor pods get besides the user's (the
/// chart computes them from the release).
pub fn table(job: &ResolvedJob, executor_labels: &BTreeMap<String, String>) -> Vec<Row> {
    let (spec, versions) = (&job.spec, job.versions);
    let mut rows = vec![
        Row::Arg(Text::lit("--master")),
        Row::Arg(Text::lit(MASTER)),
        Row::Arg(Text::lit("--deploy-mode")),
        Row::Arg(Text::lit(DEPLOY_MODE)),
        Row::Arg(Text::lit("--name")),
        Row::Arg(Text::Helper {
            name: "fullname",
            value: job.metadata.name.clone(),
            escape: Escape::Once,
        }),
    ];
    if let Some(class) = &spec.main_class {
        rows.push(Row::Arg(Text::lit("--class")));
        rows.push(Row::Arg(Text::Lit(escape(class))));
    }

    rows.push(conf("spark.kubernetes.namespace", var(ENV_NAMESPACE)));
    // The driver is this pod: executors get it as their owner (deleted with it) and connect to
    // its IP.
    rows.push(conf("spark.kubernetes.driver.pod.name", var(ENV_POD_NAME)));
    rows.push(conf("spark.driver.host", var(ENV_POD_IP)));
    if versions.spark >= MIN_SPARK_DRIVER_CLEANUP_CONFS {
        // No Service fronts the driver, and it owns PVCs only with on-demand claims: it does not
        // try to delete what the Role does not let it touch.
        rows.push(conf(
            "spark.kubernetes.driver.service.deleteOnTermination",
            Text::lit("false"),
        ));
        rows.push(conf(
            "spark.kubernetes.driver.ownPersistentVolumeClaim",
            Text::lit(if job.uses_on_demand_claims() {
                "true"
            } else {
                "false"
            }),
        ));
    }
    if versions.spark >= MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT {
        rows.push(conf(
            "spark.kubernetes.authenticate.executor.serviceAccountName",
            var(ENV_SERVICE_ACCOUNT),
        ));
    }
    rows.push(conf("spark.kubernetes.container.image", var(ENV_IMAGE)));
    rows.push(conf(
        "spark.kubernetes.container.image.pullPolicy",
        Text::value(
            "image.pullPolicy",
            spec.image_pull_policy.as_str(),
            Escape::Raw,
        ),
    ));
    rows.push(Row::Conf {
        key: Text::lit("spark.kubernetes.container.image.pullSecrets"),
        value: Text::Joined {
            path: "image.pullSecrets",
            items: spec.image_pull_secrets.clone(),
        },
        when: When::Set {
            path: "image.pullSecrets",
            set: !spec.image_pull_secrets.is_empty(),
        },
    });
    if uses_pod_templates(versions.spark) {
        rows.push(conf(
            "spark.kubernetes.executor.podTemplateFile",
            Text::Lit(format!("{POD_TEMPLATE_DIR}/{EXECUTOR_TEMPLATE}")),
        ));
    }

    let (driver, executor) = (spec.driver.as_pod(), spec.executor.as_pod());
    // The driver's cores, core request and limit, and memory overhead size this pod (the Job's
    // container resources); only its heap is Spark's to set.
    rows.extend([
        conf(
            "spark.driver.memory",
            Text::value("driver.memory", driver.memory, Escape::Once),
        ),
        conf(
            "spark.executor.instances",
            Text::value("executor.instances", spec.executor.instances, Escape::Raw),
        ),
        conf(
            "spark.executor.cores",
            Text::value("executor.cores", executor.cores, Escape::Raw),
        ),
    ]);
    rows.extend(dynamic_allocation(&spec.dynamic_allocation));
    rows.extend([
        optional(
            "spark.kubernetes.executor.request.cores",
            "executor.coreRequest",
            executor.core_request,
        ),
        optional(
            "spark.kubernetes.executor.limit.cores",
            "executor.coreLimit",
            executor.core_limit,
        ),
        conf(
            "spark.executor.memory",
            Text::value("executor.memory", executor.memory, Escape::Once),
        ),
        optional(
            "spark.executor.memoryOverhead",
            "executor.memoryOverhead",
            executor.memory_overhead,
        ),
        Row::Conf {
            key: Text::lit("spark.kubernetes.executor.deleteOnTermination"),
            value: Text::value(
                "executor.deleteOnTermination",
                spec.executor
                    .delete_on_termination
                    .map(|keep| keep.to_string())
                    .unwrap_or_default(),
                Escape::Raw,
            ),
            when: When::Bool {
                path: "executor.deleteOnTermination",
                set: spec.executor.delete_on_termination.is_some(),
            },
        },
    ]);

    rows.extend(overhead_factor(spec.app_type, versions));
    rows.extend(gpus(&spec.executor.gpu));

    // The driver's labels, annotations, env and placement are this pod's own (`k8s::job`).
    let mut labels = executor_labels.clone();
    labels.extend(executor.labels.clone());
    rows.push(Row::Each {
        prefix: "spark.kubernetes.executor.label.".into(),
        range: Range::PodLabels("executor"),
        entries: labels.into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.kubernetes.executor.annotation.".into(),
        range: Range::Map("executor.annotations"),
        entries: executor.annotations.clone().into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.executorEnv.".into(),
        range: Range::NamedList("executor.env"),
        entries: executor
            .env
            .iter()
            .map(|e| (e.name.clone(), e.value.clone()))
            .collect(),
        // The executors' kubelet expands env values once more.
        escape: Escape::Twice,
    });
    // Before Spark 3.0 there are no pod templates: the executors' node selector is a setting.
    if !uses_pod_templates(versions.spark) {
        rows.push(Row::Each {
            prefix: "spark.kubernetes.node.selector.".into(),
            range: Range::Map("executor.nodeSelector"),
            entries: executor.node_selector.clone().into_iter().collect(),
            escape: Escape::Once,
        });
    }

    rows.push(Row::Each {
        prefix: VOLUME_PREFIX.into(),
        range: Range::Volumes("executor.volumes"),
        entries: executor_volumes(executor.volumes),
        escape: Escape::Once,
    });

    // The driver (this pod) has the keys as env from the Secret (`k8s::job`).
    if let S3Credentials::Secret(secret) = &spec.s3.credentials {
        for (env, (path, key)) in KEY_ENV.into_iter().zip([
            ("s3.secret.accessKeyIdKey", &secret.access_key_id_key),
            (
                "s3.secret.secretAccessKeyKey",
                &secret.secret_access_key_key,
            ),
        ]) {
            rows.push(conf(
                &format!("spark.kubernetes.executor.secretKeyRef.{env}"),
                Text::Concat(
                    Box::new(Text::Lit(format!("$({ENV_SECRET}):"))),
                    Box::new(Text::value(path, key, Escape::Once)),
                ),
            ));
        }
    }

    let s3 = &job.s3;
    rows.push(Row::Conf {
        key: Text::lit("spark.hadoop.fs.s3a.endpoint"),
        value: Text::Helper {
            name: "endpoint",
            value: s3.endpoint.clone().unwrap_or_default(),
            escape: Escape::Once,
        },
        when: When::Set {
            path: "s3.endpoint",
            set: s3.endpoint.as_deref().is_some_and(|e| !e.is_empty()),
        },
    });
    if versions.hadoop >= MIN_HADOOP_REGION_CONF {
        rows.push(optional(
            "spark.hadoop.fs.s3a.endpoint.region",
            "s3.region",
            s3.region.as_deref(),
        ));
    }
    rows.push(Row::Conf {
        key: Text::lit("spark.hadoop.fs.s3a.path.style.access"),
        value: Text::lit("true"),
        when: When::Set {
            path: "s3.pathStyleAccess",
            set: s3.path_style,
        },
    });
    rows.push(conf(
        "spark.hadoop.fs.s3a.connection.ssl.enabled",
        Text::Helper {
            name: "tls",
            value: s3.tls.to_string(),
            escape: Escape::Raw,
        },
    ));
    rows.push(conf(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        Text::lit(job.credentials_provider),
    ));
    if !spec.s3.outputs.is_empty() {
        committer_rows(&mut rows, &spec.s3.committer, versions);
    }
    if let Some(dir) = &spec.s3.event_log_dir {
        rows.push(conf("spark.eventLog.enabled", Text::lit("true")));
        rows.push(conf("spark.eventLog.dir", Text::Lit(escape(dir))));
    }

    if spec.app_type == ApplicationType::Python && versions.spark.line() == (2, 4) {
        // Spark 2.4 runs Python 2 unless told otherwise; the conf is deprecated from 3.0.
        rows.push(conf(
            "spark.kubernetes.pyspark.pythonVersion",
            Text::lit("3"),
        ));
    }
    rows.extend(dependencies(&spec.deps));
    // The submitter's root filesystem is read-only; --packages needs a writable Ivy cache.
    rows.push(Row::Conf {
        key: Text::lit("spark.jars.ivy"),
        value: Text::Lit(format!("{SCRATCH_DIR}/.ivy2")),
        when: When::NoKey {
            path: "sparkConf",
            key: "spark.jars.ivy",
            absent: !spec.spark_conf.contains_key("spark.jars.ivy"),
        },
    });
    rows.push(Row::Each {
        prefix: String::new(),
        range: Range::Map("sparkConf"),
        entries: spec.spark_conf.clone().into_iter().collect(),
        escape: Escape::Once,
    });
    rows.push(Row::Each {
        prefix: "spark.hadoop.".into(),
        range: Range::Map("hadoopConf"),
        entries: spec.hadoop_conf.clone().into_iter().collect(),
        escape: Escape::Once,
    });

    rows.push(Row::Arg(Text::value(
        "application.file",
        &spec.main_application_file,
        APPLICATION_ESCAPE,
    )));
    rows.push(Row::Args {
        path: "application.arguments",
        items: spec.arguments.clone(),
        escape: APPLICATION_ESCAPE,
    });
    rows
}
