//! The spark-submit command line as data: one ordered table of rows built from a checked job.
//! Each row carries both what it is for this job (so `render` turns the table into arguments)
//! and where that comes from in the Helm chart's values (so the chart's argument block is
//! generated from the same table, and tuning a value with `--set` changes the same setting).
//! A new Spark setting is one row here: every output form gets it.
//!
//! A value is text the tool writes (a literal, fixed when generated, possibly naming the
//! submitter's environment as `$(VAR)`), a chart value (a path under `.Values`, with its value for
//! this job), or a chart helper (computed in the chart from values, with its value for this job).
//! The chart generator checks every path against the chart's values, so a row cannot name a value
//! the chart does not have.

use std::collections::BTreeMap;

use super::submit::{
    DEPLOY_MODE, ENV_IMAGE, ENV_NAMESPACE, ENV_POD_IP, ENV_POD_NAME, ENV_SECRET,
    ENV_SERVICE_ACCOUNT, EXECUTOR_TEMPLATE, KEY_ENV, MASTER, POD_TEMPLATE_DIR, SCRATCH_DIR, escape,
};
use crate::config::ResolvedJob;
use crate::config::model::{
    ApplicationType, Committer, Dependencies, DynamicAllocationSpec, GpuSpec, S3Credentials,
    VolumeSpec,
};
use crate::config::resolved::overhead_percent;
use crate::spark::versions::{
    BINDING_PARQUET_OUTPUT_COMMITTER, JobVersions, MIN_HADOOP_MAGIC_ENABLED,
    MIN_HADOOP_REGION_CONF, MIN_SPARK_DRIVER_CLEANUP_CONFS, MIN_SPARK_EXECUTOR_OVERHEAD_FACTOR,
    MIN_SPARK_EXECUTOR_SERVICE_ACCOUNT, MIN_SPARK_MAGIC_DEFAULT, PATH_OUTPUT_COMMIT_PROTOCOL,
    uses_pod_templates,
};

mod sections;
mod table;

use sections::*;

pub use sections::{CLAIM_KIND, EMPTY_DIR_KIND, VOLUME_PREFIX, VOLUME_SETTINGS};
pub use table::table;

/// How the application file and arguments are escaped: one kubelet reads them, the Job pod's
/// (client mode) or, in the operator form, the driver pod's (cluster mode puts them in its args).
pub const APPLICATION_ESCAPE: Escape = Escape::Once;

/// How user text is escaped for the kubelets it passes through (`$` becomes `$$` per kubelet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Not user text: written as it is (it may name `$(VAR)` on purpose).
    Raw,
    /// User text the Job pod's kubelet reads once.
    Once,
    /// User text spark-submit copies into the executors' pods: read by two kubelets.
    Twice,
}

impl Escape {
    /// `text` escaped this way.
    pub fn apply(self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        self.push(&mut out, text);
        out
    }

    /// Appends `text` escaped this way to `out` (the hot path of `render`: no allocation).
    fn push(self, out: &mut String, text: &str) {
        let dollar = match self {
            Self::Raw => return out.push_str(text),
            Self::Once => "$$",
            Self::Twice => "$$$$",
        };
        for (i, part) in text.split('$').enumerate() {
            if i > 0 {
                out.push_str(dollar);
            }
            out.push_str(part);
        }
    }
}

/// One piece of an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    /// Written by the tool, the same in every form, already escaped.
    Lit(String),
    /// A chart value at `path` (dotted, under `.Values`) and its value for this job.
    Value {
        /// The path under `.Values`.
        path: &'static str,
        /// The value for this job, as text.
        value: String,
        /// How it is escaped.
        escape: Escape,
    },
    /// A chart value holding a list, joined with `,`.
    Joined {
        /// The path under `.Values`.
        path: &'static str,
        /// The items for this job.
        items: Vec<String>,
    },
    /// A helper of the chart (`include "k8s-s3-spark.NAME" $`) and its value for this job.
    Helper {
        /// The helper's name after `k8s-s3-spark.`.
        name: &'static str,
        /// Its value for this job.
        value: String,
        /// How it is escaped.
        escape: Escape,
    },
    /// Two pieces, one after the other.
    Concat(Box<Text>, Box<Text>),
}

impl Text {
    fn lit(text: &str) -> Self {
        Self::Lit(text.to_owned())
    }

    fn value(path: &'static str, value: impl ToString, escape: Escape) -> Self {
        Self::Value {
            path,
            value: value.to_string(),
            escape,
        }
    }

    /// The text for this job.
    pub fn evaluate(&self) -> String {
        let mut out = String::new();
        self.push(&mut out);
        out
    }

    /// Appends the text for this job to `out`.
    fn push(&self, out: &mut String) {
        match self {
            Self::Lit(s) => out.push_str(s),
            Self::Value { value, escape, .. } | Self::Helper { value, escape, .. } => {
                escape.push(out, value);
            }
            Self::Joined { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    Escape::Once.push(out, item);
                }
            }
            Self::Concat(a, b) => {
                a.push(out);
                b.push(out);
            }
        }
    }
}

/// When a row is emitted, beyond what is fixed at generation (a row that does not apply to the
/// job's versions or credentials kind is simply not in the table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// Always.
    Always,
    /// When the chart value at `path` is set (not empty, not false); `set` is whether it is for
    /// this job.
    Set {
        /// The path under `.Values`.
        path: &'static str,
        /// Whether it is set for this job.
        set: bool,
    },
    /// When the chart values at `path` and at `with` are both set (a setting that only means
    /// something beside another); `set` is whether both are for this job.
    SetWith {
        /// The path under `.Values`.
        path: &'static str,
        /// The other path under `.Values`.
        with: &'static str,
        /// Whether both are set for this job.
        set: bool,
    },
    /// When the chart value at `path` is a boolean, true or false (an optional switch); `set`
    /// is whether it is one for this job.
    Bool {
        /// The path under `.Values`.
        path: &'static str,
        /// Whether it is set for this job.
        set: bool,
    },
    /// When the map at `path` has no `key`; `absent` is whether it has none for this job.
    NoKey {
        /// The path of the map under `.Values`.
        path: &'static str,
        /// The key.
        key: &'static str,
        /// Whether the key is absent for this job.
        absent: bool,
    },
}

impl When {
    fn holds(&self) -> bool {
        match self {
            Self::Always => true,
            Self::Set { set, .. } | Self::SetWith { set, .. } | Self::Bool { set, .. } => *set,
            Self::NoKey { absent, .. } => *absent,
        }
    }
}

/// What an [`Row::Each`] row ranges over in the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// A map value at this path: one setting per key.
    Map(&'static str),
    /// A list of `{name, value}` at this path (environment variables).
    NamedList(&'static str),
    /// The Spark pods' labels of a role (`driver` or `executor`): the recommended ones, computed
    /// in the chart from the release, merged with the role's `labels` value.
    PodLabels(&'static str),
    /// A list of volumes at this path: the settings of [`VOLUME_SETTINGS`] for each.
    Volumes(&'static str),
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// One plain argument (`--master`, the application file...).
    Arg(Text),
    /// The arguments of a list value, one each (the application's arguments).
    Args {
        /// The path of the list under `.Values`.
        path: &'static str,
        /// The items for this job.
        items: Vec<String>,
        /// How each is escaped.
        escape: Escape,
    },
    /// `--conf KEY=VALUE` when `when` holds.
    Conf {
        /// The key.
        key: Text,
        /// The value.
        value: Text,
        /// When it is passed.
        when: When,
    },
    /// `--conf PREFIX<key>=<value>` for each entry; keys are user text, escaped once.
    Each {
        /// Written before each key.
        prefix: String,
        /// What the chart ranges over.
        range: Range,
        /// The entries for this job, in order.
        entries: Vec<(String, String)>,
        /// How values are escaped.
        escape: Escape,
    },
}

fn conf(key: &str, value: Text) -> Row {
    Row::Conf {
        key: Text::lit(key),
        value,
        when: When::Always,
    }
}

fn optional(key: &str, path: &'static str, value: Option<&str>) -> Row {
    Row::Conf {
        key: Text::lit(key),
        value: Text::value(path, value.unwrap_or_default(), Escape::Once),
        when: When::Set {
            path,
            set: value.is_some_and(|v| !v.is_empty()),
        },
    }
}

fn var(name: &str) -> Text {
    Text::Lit(format!("$({name})"))
}

/// The `--conf` settings of a table as (key, value) pairs, in order, exactly as [`args`] writes
/// them (escaped for the kubelets they pass through).
pub fn confs(rows: &[Row]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for row in rows {
        row_confs(row, |mut arg, key_len| {
            let value = arg.split_off(key_len + 1);
            arg.truncate(key_len);
            out.push((arg, value));
        });
    }
    out
}

/// Each `--conf` of a row as the `KEY=VALUE` argument spark-submit receives (user text escaped
/// for the kubelets it passes through), with the length of `KEY`: the one rule of [`args`] and
/// [`confs`].
fn row_confs(row: &Row, mut emit: impl FnMut(String, usize)) {
    match row {
        Row::Conf { key, value, when } => {
            if when.holds() {
                let mut arg = String::new();
                Escape::Once.push(&mut arg, &key.evaluate());
                let key_len = arg.len();
                arg.push('=');
                value.push(&mut arg);
                emit(arg, key_len);
            }
        }
        Row::Each {
            prefix,
            entries,
            escape: value_escape,
            ..
        } => {
            for (k, v) in entries {
                let mut arg = String::with_capacity(prefix.len() + k.len() + v.len() + 1);
                Escape::Once.push(&mut arg, prefix);
                Escape::Once.push(&mut arg, k);
                let key_len = arg.len();
                arg.push('=');
                value_escape.push(&mut arg, v);
                emit(arg, key_len);
            }
        }
        Row::Arg(_) | Row::Args { .. } => {}
    }
}

/// The arguments after `spark-submit` for this job.
pub fn args(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows {
        match row {
            Row::Arg(text) => out.push(text.evaluate()),
            Row::Args { items, escape, .. } => out.extend(items.iter().map(|i| escape.apply(i))),
            Row::Conf { .. } | Row::Each { .. } => row_confs(row, |arg, _| {
                out.push("--conf".into());
                out.push(arg);
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The `--conf` values of a config with these lines under `spec.s3` (Spark `spark`, with
    /// Hadoop `hadoop` when given).
    fn confs(spark: &str, hadoop: Option<&str>, s3: &str) -> Vec<String> {
        let hadoop = hadoop.map_or_else(String::new, |h| {
            format!("  hadoopVersion: {h}\n  customDistribution: true\n")
        });
        let text = format!(
            "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: Python\n  sparkVersion: {spark}\n{hadoop}  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.py\n  s3:\n{s3}"
        );
        let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
        let job = config.resolve(None).unwrap();
        let args = args(&table(job, &BTreeMap::new()));
        args.iter()
            .zip(args.iter().skip(1))
            .filter(|(flag, _)| *flag == "--conf")
            .map(|(_, conf)| conf.clone())
            .filter(|c| c.contains("committer") || c.contains("commitProtocol"))
            .collect()
    }

    #[test]
    fn python_and_r_executors_get_the_documented_overhead_under_each_lines_key() {
        let factor = |spark: &str, kind: &str| {
            let text = format!(
                "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: {kind}\n  sparkVersion: {spark}\n  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.{}\n{}",
                if kind == "Python" { "py" } else { "jar" },
                if kind == "Python" {
                    ""
                } else {
                    "  mainClass: a.B\n"
                },
            );
            let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
            args(&table(config.resolve(None).unwrap(), &BTreeMap::new()))
                .into_iter()
                .filter(|a| a.contains("emoryOverheadFactor"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            factor("3.5.3", "Python"),
            ["spark.executor.memoryOverheadFactor=0.4"]
        );
        assert_eq!(
            factor("4.1.1", "Python"),
            ["spark.executor.memoryOverheadFactor=0.4"]
        );
        assert_eq!(
            factor("3.2.4", "Python"),
            ["spark.kubernetes.memoryOverheadFactor=0.4"]
        );
        assert!(
            factor("3.5.3", "Scala").is_empty(),
            "JVM executors keep Spark's 10%"
        );
    }

    #[test]
    fn outputs_bring_exactly_their_committers_settings() {
        let binding = [
            format!("spark.sql.sources.commitProtocolClass={PATH_OUTPUT_COMMIT_PROTOCOL}"),
            format!("spark.sql.parquet.output.committer.class={BINDING_PARQUET_OUTPUT_COMMITTER}"),
        ];
        // Hadoop 3.3.4 has the magic committer on by default.
        assert_eq!(
            confs("3.5.3", None, "    outputs: [s3a://out/x]\n"),
            [
                vec!["spark.hadoop.fs.s3a.committer.name=magic".to_owned()],
                binding.to_vec()
            ]
            .concat()
        );
        // Hadoop 3.2 needs it switched on.
        assert_eq!(
            confs("3.1.3", None, "    outputs: [s3a://out/x]\n")[..2],
            [
                "spark.hadoop.fs.s3a.committer.name=magic",
                "spark.hadoop.fs.s3a.committer.magic.enabled=true"
            ]
        );
        assert_eq!(
            confs(
                "3.5.3",
                None,
                "    outputs: [s3a://out/x]\n    committer:\n      partitioned:\n        stagingPath: hdfs://nn:8020/tmp/$staging\n        conflictMode: replace\n"
            ),
            [
                vec![
                    "spark.hadoop.fs.s3a.committer.name=partitioned".to_owned(),
                    "spark.hadoop.fs.s3a.committer.staging.conflict-mode=replace".to_owned(),
                    // User text: escaped for the kubelet.
                    "spark.hadoop.fs.s3a.committer.staging.tmp.path=hdfs://nn:8020/tmp/$$staging"
                        .to_owned(),
                ],
                binding.to_vec()
            ]
            .concat()
        );
        // Spark 4.1 sets the magic committer and the binding itself; a staging committer still
        // needs its own settings.
        assert!(confs("4.1.1", None, "    outputs: [s3a://out/x]\n").is_empty());
        assert_eq!(
            confs(
                "4.2.0",
                None,
                "    outputs: [s3a://out/x]\n    committer:\n      directory:\n        stagingPath: hdfs://nn:8020/tmp/staging\n"
            ),
            [
                "spark.hadoop.fs.s3a.committer.name=directory",
                "spark.hadoop.fs.s3a.committer.staging.tmp.path=hdfs://nn:8020/tmp/staging"
            ]
        );
        // Spark 4.0 does not.
        assert_eq!(
            confs("4.0.1", None, "    outputs: [s3a://out/x]\n").len(),
            3
        );
        // A read-only job has none of them.
        assert!(confs("3.5.3", None, "    paths: [s3a://inputs/x]\n").is_empty());
    }

    #[test]
    fn an_event_log_dir_turns_the_event_log_on() {
        let text = "apiVersion: k8s-s3-spark/v1alpha1\nkind: SparkJob\nmetadata:\n  name: job\n  namespace: spark\nspec:\n  type: Python\n  sparkVersion: 3.5.3\n  image: acme/job:1.0\n  mainApplicationFile: local:///app/job.py\n  s3:\n    eventLogDir: s3a://history/spark-events\n";
        let config = crate::config::parse(Path::new("job.yaml"), text.as_bytes()).unwrap();
        let args = args(&table(config.resolve(None).unwrap(), &BTreeMap::new()));
        let at = args
            .iter()
            .position(|a| a == "spark.eventLog.enabled=true")
            .unwrap();
        assert_eq!(
            args[at + 2],
            "spark.eventLog.dir=s3a://history/spark-events"
        );
    }
}
