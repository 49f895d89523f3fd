use std::process::ExitCode;

use clap::Parser;

/// mimalloc: `validate` over a monorepo spends a third of its instructions in the allocator;
/// this cuts its time by a quarter (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match k8s_s3_spark::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // A bad argument is quoted in clap's message: printed through the one redaction.
        Err(error) => return ExitCode::from(k8s_s3_spark::cli::print_usage(&error)),
    };
    // stdout and stderr unlocked: the progress line is drawn from validate's worker threads.
    let progress = k8s_s3_spark::progress::Progress::on_stderr();
    match k8s_s3_spark::run(
        cli,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        &progress,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is_closed_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error.report());
            ExitCode::from(error.exit_code())
        }
    }
}
