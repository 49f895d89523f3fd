//! The Job's own pod, which runs spark-submit and the driver, and the CronJob's schedule.

use super::*;

/// The Kubernetes Job whose pod runs `spark-submit` in client mode: the Spark driver.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema, Overridable)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitterSpec {
    /// Retries of the Job's pod (default 0): each retry runs the application again.
    #[serde(default)]
    #[schemars(range(min = 0, max = MAX_BACKOFF_LIMIT))]
    pub backoff_limit: i32,
    /// Seconds after which a finished Job (and its pod and logs) is deleted; unset keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub ttl_seconds_after_finished: Option<i32>,
    /// Seconds the whole Job may run before Kubernetes stops it; unset means no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub active_deadline_seconds: Option<i64>,
    /// User id the Job's pod (spark-submit and the driver) runs as (default 185, the user of the
    /// Apache Spark images).
    #[serde(default = "default_uid")]
    #[schemars(range(min = 1))]
    pub run_as_user: i64,
    /// CPU and memory of the Job's container, which runs the Spark driver (spark-submit in
    /// client mode). Unset (the default): from `spec.driver`: `coreRequest` (else `cores`) CPU
    /// requested and `coreLimit` (else `cores`) as the limit; `memory` plus `memoryOverhead`
    /// (default: 10% of `memory`, 40% for Python and R, at least 384Mi) requested and as the
    /// limit. Set both requests and limits to size the container yourself; the driver's heap
    /// stays `spec.driver.memory`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
}

impl Default for SubmitterSpec {
    fn default() -> Self {
        Self {
            backoff_limit: 0,
            ttl_seconds_after_finished: None,
            active_deadline_seconds: None,
            run_as_user: default_uid(),
            resources: None,
        }
    }
}

fn default_uid() -> i64 {
    185
}

/// When and how a scheduled job runs: the fields of a Kubernetes CronJob.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleSpec {
    /// When to run, in cron syntax: five fields (minute, hour, day of month, month, day of week),
    /// e.g. `0 2 * * *` for 02:00 every day, or a descriptor such as `@daily` or `@every 6h`. No
    /// seconds field.
    pub cron: String,
    /// The IANA time zone of `cron`, e.g. `Europe/Paris`. Unset: the time zone of the
    /// kube-controller-manager (usually UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// What to do when a run is due while the previous one still runs: `Forbid` (default: skip
    /// this run, since two runs of one Spark job usually race on the same output), `Allow`, or
    /// `Replace` (stop the running one).
    #[serde(default, skip_serializing_if = "is_default")]
    pub concurrency_policy: ConcurrencyPolicy,
    /// Pause the schedule: no new runs start; a running one finishes.
    #[serde(default, skip_serializing_if = "is_false")]
    pub suspend: bool,
    /// Finished successful runs (Jobs, with their pods and logs) to keep (Kubernetes' default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = MAX_HISTORY))]
    pub successful_jobs_history_limit: Option<i32>,
    /// Failed runs to keep (Kubernetes' default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = MAX_HISTORY))]
    pub failed_jobs_history_limit: Option<i32>,
    /// Seconds after its time within which a missed run (the controller was down, or `Forbid`
    /// skipped it) may still start; unset: no deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub starting_deadline_seconds: Option<i64>,
}

/// The most finished runs a schedule keeps of each outcome; more is a typo (each keeps a Job
/// and its pod).
pub const MAX_HISTORY: i32 = 100;

/// What a CronJob does when a run is due while the previous one still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Skip the new run.
    #[default]
    Forbid,
    /// Run both.
    Allow,
    /// Stop the running one and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The Kubernetes spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forbid => "Forbid",
            Self::Allow => "Allow",
            Self::Replace => "Replace",
        }
    }
}
