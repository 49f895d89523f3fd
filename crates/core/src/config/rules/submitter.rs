//! The Job's own pod and its schedule (KS119, KS120): the submitter's user and resources, and a CronJob's name and schedule.

use super::*;

pub(super) fn submitter(p: &mut Problems, spec: &SparkJobSpec) {
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

/// The most characters of a CronJob's name: its controller names each run's Job after it plus
/// `-` and an up to 10-digit timestamp, and the API server refuses longer CronJob names.
pub const MAX_CRON_JOB_NAME: usize = 52;

pub(super) fn scheduled(p: &mut Problems, schedule: &ScheduleSpec, name: &str) {
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
