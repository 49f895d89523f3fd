//! The one way the tests run the binary: [`tool`] gives the command with a clean environment (no
//! AWS keys, profile or region from whoever runs the tests, and no user's credentials file), and
//! the helpers below run it and read what it printed.

use std::process::{Command, Output};

/// The example most tests start from.
pub const EXAMPLE: &str = "examples/amazon-reviews/spark-job.yaml";

/// The binary under test, with nothing of the caller's AWS setup in its environment.
pub fn tool() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_k8s-s3-spark"));
    for v in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ] {
        cmd.env_remove(v);
    }
    // No user's credentials file is ever read.
    cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
    cmd
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

/// Runs the binary with `args` and these environment variables.
pub fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = tool();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the binary runs")
}

/// Runs the binary with at most 1 GiB of address space and 20 s of CPU.
pub fn run_bounded(args: &[&str]) -> Output {
    let mut cmd = tool();
    cmd.args(args);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setrlimit is async-signal-safe and only touches the child.
        unsafe {
            cmd.pre_exec(|| {
                let limit = |resource, value| {
                    let r = libc::rlimit {
                        rlim_cur: value,
                        rlim_max: value,
                    };
                    if libc::setrlimit(resource, &r) == 0 {
                        Ok(())
                    } else {
                        Err(std::io::Error::last_os_error())
                    }
                };
                limit(libc::RLIMIT_AS, 1 << 30)?;
                limit(libc::RLIMIT_CPU, 20)
            });
        }
    }
    cmd.output().expect("the binary runs")
}

/// Bytes the binary printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// What it printed to stdout.
pub fn out(o: &Output) -> String {
    text(&o.stdout)
}

/// What it printed to stderr.
pub fn err(o: &Output) -> String {
    text(&o.stderr)
}

/// Both, stdout first.
pub fn all(o: &Output) -> String {
    out(o) + &err(o)
}

/// Its exit code (it must exit, not be killed).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}
