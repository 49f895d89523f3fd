//! The Job container's wrapper script (`k8s::job::RUN_DRIVER`) run by this machine's `/bin/sh`
//! and, where installed, by `bash --posix` and `busybox sh`, exactly as the Job's `command` gives
//! it, around stand-in spark-submit commands: it passes output and exit code on, writes the
//! failure's exception lines as the termination message, and passes SIGTERM on.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use k8s_s3_spark::k8s::job::{RUN_DRIVER, TERMINATION_MESSAGE_PATH, command};

/// Shells to run the script with: argv before `-c`.
fn shells() -> Vec<Vec<&'static str>> {
    let mut shells = vec![vec!["/bin/sh"]];
    for (probe, argv) in [
        ("bash", vec!["bash", "--posix"]),
        ("busybox", vec!["busybox", "sh"]),
    ] {
        if Command::new(probe)
            .arg("--help")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
        {
            shells.push(argv);
        }
    }
    shells
}

/// The Job's command with `shell` for `/bin/sh`, `message` for the termination message path and
/// `sh -c STAND_IN` for spark-submit.
fn wrapped(shell: &[&str], message: &Path, stand_in: &str) -> Command {
    let job_command = command();
    assert_eq!(job_command[..2], ["/bin/sh", "-c"]);
    assert_eq!(job_command[4], TERMINATION_MESSAGE_PATH);
    let mut cmd = Command::new(shell[0]);
    cmd.args(&shell[1..])
        .arg("-c")
        .arg(&job_command[2])
        .arg(&job_command[3])
        .arg(message)
        .args(["/bin/sh", "-c", stand_in]);
    cmd
}

fn run(shell: &[&str], stand_in: &str) -> (Output, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let message = dir.path().join("termination-log");
    let output = wrapped(shell, &message, stand_in).output().unwrap();
    (output, std::fs::read_to_string(&message).ok())
}

const JVM_FAILURE: &str = r#"
echo "marketplace	customer_id"
echo "24/11/24 12:00:00 INFO SparkContext: Running Spark version 3.5.9" >&2
echo "24/11/24 12:00:01 WARN MetricsConfig: Cannot locate configuration" >&2
echo 'Exception in thread "main" java.nio.file.AccessDeniedException: s3a://b/k: getFileStatus on s3a://b/k: 403 Forbidden' >&2
printf '\tat org.apache.hadoop.fs.s3a.S3AUtils.translateException(S3AUtils.java:255)\n' >&2
echo 'Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden (Status Code: 403; Error Code: 403 Forbidden)' >&2
printf '\tat com.amazonaws.http.AmazonHttpClient.execute(AmazonHttpClient.java:1879)\n' >&2
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  echo "24/11/24 12:00:02 INFO ShutdownHookManager: Deleting directory /tmp/spark-$i" >&2
done
exit 1
"#;

#[test]
fn a_jvm_failure_leaves_its_exceptions_as_the_message_and_the_output_unchanged() {
    for shell in shells() {
        let (output, message) = run(&shell, JVM_FAILURE);
        assert_eq!(output.status.code(), Some(1), "{shell:?}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stdout, "marketplace\tcustomer_id\n", "{shell:?}");
        assert!(
            stderr.starts_with("24/11/24 12:00:00 INFO SparkContext"),
            "{shell:?}"
        );
        assert_eq!(stderr.lines().count(), 26, "{shell:?}: {stderr}");
        assert_eq!(
            message.as_deref(),
            Some(
                "Exception in thread \"main\" java.nio.file.AccessDeniedException: s3a://b/k: getFileStatus on s3a://b/k: 403 Forbidden\n\
                 Caused by: com.amazonaws.services.s3.model.AmazonS3Exception: Forbidden (Status Code: 403; Error Code: 403 Forbidden)\n\
                 spark-submit exited with code 1\n"
            ),
            "{shell:?}"
        );
    }
}

#[test]
fn a_python_traceback_and_error_log_lines_make_the_message() {
    let stand_in = r#"
echo "24/11/24 12:00:00 ERROR TaskSetManager: Task 0 in stage 0.0 failed 4 times; aborting job" >&2
echo 'Traceback (most recent call last):'
echo '  File "/opt/app/job.py", line 9, in <module>'
echo 'py4j.protocol.Py4JJavaError: An error occurred while calling o35.csv.'
echo ': java.nio.file.AccessDeniedException: s3a://b/k: 403 Forbidden'
echo 'RuntimeError: no reviews for this day'
exit 3
"#;
    for shell in shells() {
        let (output, message) = run(&shell, stand_in);
        assert_eq!(output.status.code(), Some(3), "{shell:?}");
        assert_eq!(
            message.as_deref(),
            Some(
                "24/11/24 12:00:00 ERROR TaskSetManager: Task 0 in stage 0.0 failed 4 times; aborting job\n\
                 py4j.protocol.Py4JJavaError: An error occurred while calling o35.csv.\n\
                 : java.nio.file.AccessDeniedException: s3a://b/k: 403 Forbidden\n\
                 RuntimeError: no reviews for this day\n\
                 spark-submit exited with code 3\n"
            ),
            "{shell:?}"
        );
    }
}

#[test]
fn success_or_a_failure_without_exceptions_writes_no_message() {
    for shell in shells() {
        let (output, message) = run(&shell, "echo 'java.lang.Exception: only a warning' >&2");
        assert_eq!(output.status.code(), Some(0), "{shell:?}");
        assert_eq!(message, None, "{shell:?}: nothing on success");
        // Killed, or out of memory: the kubelet's fallback (the log's tail) is left to say it.
        let (output, message) = run(&shell, "echo 'INFO: killed' >&2; kill -KILL $$");
        assert_eq!(output.status.code(), Some(137), "{shell:?}");
        assert_eq!(message, None, "{shell:?}");
    }
}

#[test]
fn the_message_stays_within_the_kubelets_4096_bytes() {
    let stand_in = r#"
line=java.lang.IllegalStateException:
i=0
while [ $i -lt 300 ]; do line="$line x"; i=$((i + 1)); done
i=0
while [ $i -lt 50 ]; do echo "$line $i" >&2; echo "$line $i"; i=$((i + 1)); done
exit 1
"#;
    for shell in shells() {
        let (_, message) = run(&shell, stand_in);
        let message = message.unwrap();
        assert!(message.len() <= 4096, "{shell:?}: {} bytes", message.len());
        // The latest lines are kept, cut to 400 characters.
        assert!(message.lines().all(|line| line.len() <= 400), "{shell:?}");
        assert_eq!(
            message.lines().nth_back(1).unwrap(),
            &format!("java.lang.IllegalStateException:{}", " x".repeat(300))[..400],
            "{shell:?}"
        );
    }
}

#[test]
fn sigterm_reaches_spark_submit_and_its_exit_code_is_the_containers() {
    for shell in shells() {
        let dir = tempfile::tempdir().unwrap();
        let ready = dir.path().join("ready");
        let stand_in = format!(
            "trap 'echo stopping; exit 7' TERM; touch {}; while :; do sleep 0.1; done",
            ready.display()
        );
        let mut child = wrapped(&shell, &dir.path().join("m"), &stand_in)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for(&ready);
        let pid = child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        assert_eq!(status.code(), Some(7), "{shell:?}");
        assert_eq!(stdout, "stopping\n", "{shell:?}");
    }
}

fn wait_for(path: &Path) {
    for _ in 0..200 {
        if path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{} never appeared", path.display());
}

#[test]
fn the_kubelet_expands_nothing_in_the_script() {
    // `$$` and `$(NAME)` are the kubelet's expansion syntax in `command`; the script has neither,
    // so the YAML shows it as it runs.
    assert!(!RUN_DRIVER.contains("$$") && !RUN_DRIVER.contains("$("));
}
