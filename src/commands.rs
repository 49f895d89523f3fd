//! What each command does, from parsed arguments to output. Output goes to the writers given, so
//! the library never touches the process's streams or exit code itself.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{
    self, AppType, BuildPlanArgs, ChartArgs, CheckClusterArgs, CheckS3Args, Cli, Command,
    CredentialsKind, DoctorArgs, Format, InitArgs, KustomizeArgs, ManArgs, RenderArgs,
    ReportFormat, ValidateArgs, VersionsArgs,
};
use crate::config::model::ApplicationType;
use crate::config::{self, Config, ConfigError};
use crate::credentials::{self, AwsKeys, CredentialsError};
use crate::diagnostics::{Failure, HELP_SEPARATOR, Severity};
use crate::emit::{FileTree, plain};
use crate::k8s::K8sError;
use crate::pipeline::{self, PipelineError};
use crate::preflight::check_cluster::{self, CheckClusterError};
use crate::preflight::check_s3::{self, CheckS3Error, Use};
use crate::preflight::doctor::{self, DoctorError};
use crate::preflight::{build_plan, compat};
use crate::progress::Progress;
use crate::redact::{self, Redacting};
use crate::report;
use crate::spark::versions::Version;
use crate::starter::{self, StarterCredentials, StarterOptions};
use crate::validation::{self, ValidationError};
use crate::write::{self, WriteError};

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Keys could not be read.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The pipeline stopped (config, objects, chart or operator form).
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// Output could not be written or compared.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// `--check` found the output folder stale.
    #[error("{} is out of date; regenerate it without --check", .0.display())]
    Drift(PathBuf),
    /// `validate` found invalid configs (each already reported).
    #[error("{0} of {files} {verb} invalid", files = crate::report::plural(*.1, "config file"), verb = if *.0 == 1 { "is" } else { "are" })]
    InvalidConfigs(usize, usize),
    /// `validate` was given paths without configs.
    #[error("no config files (*.yaml or *.yml with kind SparkJob) found in {}", .0.join(", "))]
    NoConfigs(Vec<String>),
    /// `init`'s options make an invalid config.
    #[error("these init options make an invalid config; nothing was written:\n{0}")]
    BadInit(crate::diagnostics::Diagnostics),
    /// An `init` option that does not apply to the other options given.
    #[error("{option} {why}; nothing was written")]
    InapplicableOption {
        /// The option, as typed.
        option: &'static str,
        /// Why it does not apply.
        why: &'static str,
        /// What to do instead.
        fix: &'static str,
    },
    /// `init` found a config already there.
    #[error("{} exists; init never overwrites a config", .0.display())]
    Exists(PathBuf),
    /// A version flag is not `MAJOR.MINOR.PATCH`.
    #[error("--{flag}: {reason}")]
    BadVersion {
        /// The flag.
        flag: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// `validate` stopped before every file's verdict.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// `doctor` could not inspect the folder.
    #[error(transparent)]
    Doctor(#[from] DoctorError),
    /// `check-s3` could not start.
    #[error(transparent)]
    CheckS3(#[from] CheckS3Error),
    /// `check-cluster` could not ask the cluster.
    #[error(transparent)]
    CheckCluster(#[from] CheckClusterError),
    /// `build-plan --dockerfile` found a file there.
    #[error("{} exists; build-plan never overwrites a file", .0.display())]
    FileExists(PathBuf),
    /// `man` was asked for a command that does not exist.
    #[error("no command {name:?}")]
    UnknownCommand {
        /// The name asked for.
        name: String,
        /// The commands there are.
        known: Vec<String>,
    },
    /// A preflight check found problems (the report says which).
    #[error("{0}")]
    ChecksFailed(String),
    /// A standard stream could not be written.
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

impl Error {
    /// The process exit code: 2 when the user's input is at fault, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        if self.is_users_fault() { 2 } else { 1 }
    }

    /// The error of a lower layer this one holds, which says whose fault it is and how to fix it.
    fn cause(&self) -> Option<&dyn Failure> {
        match self {
            Self::Credentials(e) => Some(e),
            Self::Pipeline(e) => Some(e),
            Self::Write(e) => Some(e),
            Self::Validation(e) => Some(e),
            Self::Doctor(e) => Some(e),
            Self::CheckS3(e) => Some(e),
            Self::CheckCluster(e) => Some(e),
            _ => None,
        }
    }
    /// Whether this is stdout closed by its reader (`k8s-s3-spark schema | head -1`): the reader
    /// had what it wanted, so the command ends quietly, as Unix tools do.
    pub fn is_closed_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The message and its help, as the CLI prints them: the one rendering of an error, with
    /// the help line laid out like a finding's.
    pub fn report(&self) -> String {
        let text = match self.help() {
            Some(help) => format!("{self}{HELP_SEPARATOR}{help}"),
            None => self.to_string(),
        };
        // What a user typed may be quoted (a path, a version, an environment's name).
        redact::redact(&text).into_owned()
    }
}

impl Failure for Error {
    fn is_users_fault(&self) -> bool {
        if let Some(cause) = self.cause() {
            return cause.is_users_fault();
        }
        matches!(
            self,
            Self::InvalidConfigs(..)
                | Self::NoConfigs(_)
                | Self::Exists(_)
                | Self::BadInit(_)
                | Self::InapplicableOption { .. }
                | Self::BadVersion { .. }
                | Self::FileExists(_)
                | Self::UnknownCommand { .. }
        )
    }

    /// How to fix it, when the error says (findings carry their own help).
    fn help(&self) -> Option<String> {
        if let Some(cause) = self.cause() {
            return cause.help();
        }
        match self {
            Self::NoConfigs(_) => Some("pass spark-job.yaml files or folders that contain them".into()),
            Self::BadInit(_) => Some("change the matching option (--name, --namespace, --main-class, --endpoint, --role-arn)".into()),
            Self::Exists(_) => Some("choose another folder, or edit the file you have".into()),
            Self::InapplicableOption { fix, .. } => Some((*fix).into()),
            Self::BadVersion { .. } => Some("pass the full version, e.g. --spark 3.5.3 --hadoop 3.3.4".into()),
            Self::FileExists(_) => Some("remove it, or pass another --dockerfile path".into()),
            Self::UnknownCommand { known, .. } => Some(format!("use one of: {}", known.join(", "))),
            _ => None,
        }
    }
}

/// A config error is the pipeline's first stage: one path to it.
impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Self::Pipeline(e.into())
    }
}

/// So are the objects' checks.
impl From<K8sError> for Error {
    fn from(e: K8sError) -> Self {
        Self::Pipeline(e.into())
    }
}

/// Runs a parsed command line.
pub fn run(
    cli: Cli,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress: &Progress,
) -> Result<(), Error> {
    // Messages and reports never carry a credential, yet may quote what was typed (a key pasted
    // as an environment's name, a path or a version): keys in them are hidden. Manifests pass
    // unchanged: they hold a Secret's values when asked (`--aws-env`).
    let manifests = matches!(
        cli.command,
        Command::Render(_)
            | Command::Operator(_)
            | Command::Chart(_)
            | Command::Kustomize(_)
            | Command::Schema
            | Command::Completions(_)
            | Command::Man(_)
    );
    let mut stdout = if manifests {
        Redacting::passing(stdout)
    } else {
        Redacting::new(stdout)
    };
    let mut stderr = Redacting::new(stderr);
    let (out, err) = (&mut stdout, &mut stderr);
    let result = match cli.command {
        Command::Render(args) => render(&args, out, err),
        Command::Operator(args) => operator(&args, out, err),
        Command::Chart(args) => chart(&args, out, err),
        Command::Kustomize(args) => kustomize(&args, out, err),
        Command::Validate(args) => validate(&args, out, err, progress),
        Command::Schema => Ok(out.write_all(config::schema::json_schema_text().as_bytes())?),
        Command::Init(args) => init(&args, out),
        Command::Versions(args) => versions(&args, out),
        Command::Doctor(args) => doctor(&args, out),
        Command::BuildPlan(args) => build_plan(&args, out, err),
        Command::CheckS3(args) => check_s3(&args, out, progress),
        Command::CheckCluster(args) => check_cluster(&args, out, err, progress),
        Command::Completions(args) => Ok(cli::completions(args.shell, out)?),
        Command::Man(args) => man(&args, out),
    };
    let flushed = stdout.flush().and(stderr.flush());
    result.and(Ok(flushed?))
}

/// The man page of the tool, or of one of its commands.
fn man(args: &ManArgs, stdout: &mut dyn Write) -> Result<(), Error> {
    let page = cli::man_page(args.command.as_deref()).map_err(|known| Error::UnknownCommand {
        name: args.command.clone().unwrap_or_default(),
        known,
    })?;
    clap_mangen::Man::new(page).render(stdout)?;
    Ok(())
}

fn version_flag(flag: &'static str, value: Option<&str>) -> Result<Option<Version>, Error> {
    value
        .map(|v| {
            v.parse()
                .map_err(|reason| Error::BadVersion { flag, reason })
        })
        .transpose()
}

fn versions(args: &VersionsArgs, stdout: &mut dyn Write) -> Result<(), Error> {
    let spark = version_flag("spark", args.spark.as_deref())?;
    let hadoop = version_flag("hadoop", args.hadoop.as_deref())?;
    let report = compat::report(spark, hadoop);
    if args.format == ReportFormat::Json {
        let json =
            serde_json::to_string_pretty(&report.to_json()).map_err(std::io::Error::other)?;
        writeln!(stdout, "{json}")?;
    } else {
        stdout.write_all(report.text.as_bytes())?;
    }
    if report.fits {
        Ok(())
    } else {
        Err(Error::ChecksFailed("these versions do not fit".into()))
    }
}

fn doctor(args: &DoctorArgs, stdout: &mut dyn Write) -> Result<(), Error> {
    let diagnosis = doctor::inspect(&args.spark_home)?;
    if args.format.or_json(args.json) == ReportFormat::Json {
        let json = serde_json::to_string_pretty(&diagnosis).map_err(std::io::Error::other)?;
        writeln!(stdout, "{json}")?;
    } else {
        stdout.write_all(diagnosis.text().as_bytes())?;
    }
    if diagnosis.has_problems() {
        Err(Error::ChecksFailed(format!(
            "{} cannot run Spark jobs that read S3 on Kubernetes as it is",
            args.spark_home.display()
        )))
    } else {
        Ok(())
    }
}

fn build_plan(
    args: &BuildPlanArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let job = config.resolve(None)?;
    let mut env_images = Vec::new();
    for name in config.environment_names() {
        env_images.push((
            name.to_string(),
            config.resolve(Some(name))?.spec.image.clone(),
        ));
    }
    let context = match args.config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let options = build_plan::PlanOptions {
        base_repository: args.base_repository.clone(),
        image_version: args.image_version.clone(),
        config_file: args.config.file_name().map_or_else(
            || "spark-job.yaml".into(),
            |f| crate::syntax::shown_file_name(&f.to_string_lossy()),
        ),
        context: crate::syntax::shown_file_name(&context.display().to_string()),
        dockerfile: crate::syntax::shown_file_name(&args.dockerfile.as_ref().map_or_else(
            || context.join("Dockerfile").display().to_string(),
            |d| d.display().to_string(),
        )),
    };
    let plan = build_plan::plan(job, &env_images, &options);
    if let Some(path) = &args.dockerfile {
        write_new_file(path, plan.dockerfile.as_bytes())?;
        writeln!(stderr, "wrote {}", path.display())?;
        if let Some((from, _)) = build_plan::application_copy(&job.spec.main_application_file)
            && std::fs::symlink_metadata(context.join(&from)).is_err()
        {
            writeln!(
                stderr,
                "warning: the Dockerfile copies {from} from {}, which has no such file: `docker build` fails until the application (mainApplicationFile: {}) is there",
                context.display(),
                job.spec.main_application_file
            )?;
        }
    }
    stdout.write_all(plan.script.as_bytes())?;
    Ok(())
}

/// Writes a file that must not exist yet, all or nothing.
/// [`write::new_file`], with "exists" said as the commands say it.
fn write_new_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write::new_file(path, bytes).map_err(|e| match e {
        WriteError::Exists(path) => Error::FileExists(path),
        e => e.into(),
    })
}

fn check_cluster(
    args: &CheckClusterArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress: &Progress,
) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let job = config.resolve(args.env.as_deref())?;
    let manifests = pipeline::manifests(job, None)?;
    let findings = check_cluster::check(&check_cluster::Request {
        job,
        manifests: &manifests,
        context: args.context.clone(),
        progress,
    });
    progress.clear();
    let json = args.format.or_json(args.json) == ReportFormat::Json;
    let findings = match findings {
        Ok(findings) => findings,
        // A script reading the JSON learns why there is no verdict.
        Err(e) if json => {
            let failure = serde_json::json!({ "error": e.to_string(), "help": e.help() });
            let text = serde_json::to_string_pretty(&failure).map_err(std::io::Error::other)?;
            writeln!(stdout, "{text}")?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let findings: Vec<_> = findings
        .into_iter()
        .map(|f| f.in_file(&args.config))
        .collect();
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    if json {
        let json = serde_json::to_string_pretty(&findings).map_err(std::io::Error::other)?;
        writeln!(stdout, "{json}")?;
    } else {
        for f in &findings {
            writeln!(stdout, "{f}")?;
        }
        writeln!(
            stdout,
            "{}: {} checked in namespace {}: {}",
            args.config.display(),
            crate::report::plural(manifests.len(), "object"),
            job.metadata.namespace,
            if errors == 0 {
                "the cluster would accept and run them".to_owned()
            } else {
                format!("{errors} problem{}", if errors == 1 { "" } else { "s" })
            }
        )?;
    }
    if errors == 0 {
        Ok(())
    } else {
        Err(Error::ChecksFailed(
            "the cluster would not accept or run this job as it is".into(),
        ))
    }
}

fn check_s3(args: &CheckS3Args, stdout: &mut dyn Write, progress: &Progress) -> Result<(), Error> {
    let config = args.config.as_deref().map(config::load).transpose()?;
    let job = match &config {
        Some(config) => Some(config.resolve(args.env.as_deref())?),
        None => None,
    };
    let file = args
        .aws_credentials
        .clone()
        .unwrap_or_else(credentials::default_credentials_file);
    let profile_keys = match &args.profile {
        Some(p) => Some((
            format!("profile [{p}] of {}", file.display()),
            credentials::from_profile(&file, p)?,
        )),
        None => None,
    };
    let ambient = credentials::ambient(&file, args.profile.is_some())?;
    let flags = check_s3::Flags {
        endpoint: args.endpoint.clone(),
        region: args.region.clone(),
        path_style: args.path_style,
        profile_keys,
        anonymous: args.anonymous,
    };
    // URLs on the command line replace the config's, reads and writes alike.
    fn tagged(urls: &[String], use_: Use) -> impl Iterator<Item = (String, Use)> + '_ {
        urls.iter().map(move |u| (u.clone(), use_))
    }
    let urls: Vec<_> = match job {
        Some(j) if args.urls.is_empty() && args.writes.is_empty() => {
            let s3 = &j.spec.s3;
            tagged(&s3.paths, Use::Read)
                .chain(tagged(&s3.outputs, Use::Write))
                .chain(s3.event_log_dir.iter().map(|u| (u.clone(), Use::EventLog)))
                .collect()
        }
        _ => tagged(&args.urls, Use::Read)
            .chain(tagged(&args.writes, Use::Write))
            .collect(),
    };
    let target = check_s3::resolve(job, flags, ambient)?;
    let reports = check_s3::check(&target, &urls, progress);
    progress.clear();
    let reports = reports?;
    let report = match args.format {
        ReportFormat::Text => check_s3::text(&target, &reports),
        ReportFormat::Json => check_s3::json(&target, &reports),
    };
    stdout.write_all(report.as_bytes())?;
    if check_s3::all_ok(&reports) {
        Ok(())
    } else {
        Err(Error::ChecksFailed("some S3 checks failed".into()))
    }
}

fn keys(args: &RenderArgs) -> Result<Option<AwsKeys>, CredentialsError> {
    credentials::for_secret(
        args.aws_profile.as_deref(),
        args.aws_credentials.as_deref(),
        args.aws_env,
    )
}

/// Loads a config and shows its warnings on `stderr`.
fn load(file: &Path, stderr: &mut dyn Write) -> Result<Config, Error> {
    let config = config::load(file)?;
    for warning in &config.warnings.0 {
        writeln!(stderr, "{warning}")?;
    }
    Ok(config)
}

fn render(args: &RenderArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let job = one_job(&config, args, stderr)?;
    let keys = keys(args)?;
    let manifests = pipeline::manifests(&job, keys.as_ref())?;
    write_manifests(&manifests, args, stdout, stderr)
}

/// The job `render` and `operator` emit: the environment's, without its schedule with --once.
fn one_job<'c>(
    config: &'c Config,
    args: &RenderArgs,
    stderr: &mut dyn Write,
) -> Result<std::borrow::Cow<'c, config::ResolvedJob>, Error> {
    let job = config.resolve(args.env.as_deref())?;
    // Not an error: a script may pass --once to every config it runs now.
    if args.once && job.spec.schedule.is_none() {
        writeln!(
            stderr,
            "warning: --once has no effect: {} has no spec.schedule, so the output already is a one-off run",
            crate::syntax::shown_file_name(&args.config.display().to_string())
        )?;
    }
    Ok(if args.once {
        std::borrow::Cow::Owned(job.once())
    } else {
        std::borrow::Cow::Borrowed(job)
    })
}

fn operator(
    args: &RenderArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let job = one_job(&config, args, stderr)?;
    let keys = keys(args)?;
    let form = pipeline::operator_form(&config, args.env.as_deref(), &job, keys.as_ref())?;
    for what in &form.not_carried {
        writeln!(
            stderr,
            "warning: not carried to the Spark Operator form: {what}"
        )?;
    }
    write_manifests(&form.manifests, args, stdout, stderr)
}

/// The manifests as one stream on stdout, or as files in --out.
fn write_manifests(
    manifests: &[crate::k8s::Manifest],
    args: &RenderArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    match &args.output.out {
        None => Ok(stdout.write_all(plain::stream(manifests).as_bytes())?),
        Some(dir) => output(
            &plain::tree(manifests),
            dir,
            args.output.check,
            args.output.force,
            stdout,
            stderr,
        ),
    }
}

fn chart(args: &ChartArgs, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let file = args.config.file_name().map_or_else(
        || "spark-job.yaml".into(),
        |f| crate::syntax::shown_file_name(&f.to_string_lossy()),
    );
    let tree = pipeline::chart(&config, &file, &args.chart_version)?;
    let out = &args.output;
    output(&tree, &out.out, out.check, out.force, stdout, stderr)
}

fn kustomize(
    args: &KustomizeArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    let config = load(&args.config, stderr)?;
    let tree = pipeline::kustomize_tree(&config, &args.config)?;
    let out = &args.output;
    output(&tree, &out.out, out.check, out.force, stdout, stderr)
}

/// Writes a tree to `dir`, or with `check` compares it with `dir` and reports drift.
pub fn output(
    tree: &FileTree,
    dir: &Path,
    check: bool,
    force: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    if check {
        let drift = write::check(tree, dir)?;
        if drift.is_empty() {
            writeln!(stderr, "{} is up to date", dir.display())?;
            return Ok(());
        }
        stdout.write_all(write::describe(dir, &drift).as_bytes())?;
        return Err(Error::Drift(dir.to_path_buf()));
    }
    write::write(tree, dir, force)?;
    writeln!(stderr, "wrote {} files to {}", tree.len(), dir.display())?;
    Ok(())
}

fn validate(
    args: &ValidateArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    progress: &Progress,
) -> Result<(), Error> {
    let files = validation::find_configs(&args.paths)?;
    if files.is_empty() {
        return Err(Error::NoConfigs(
            args.paths.iter().map(|p| p.display().to_string()).collect(),
        ));
    }
    let reports = validation::check_files(&files, args.jobs, progress)?;
    if args.format == Format::Text {
        for report in &reports {
            print_validation(report, stdout, stderr)?;
        }
    }
    let report = report::ValidationReport::new(reports);
    let invalid = report.invalid;
    let machine = match args.format {
        Format::Text => None,
        Format::Json => Some(serde_json::to_value(&report).map_err(std::io::Error::other)?),
        Format::Sarif => Some(report.sarif(env!("CARGO_PKG_VERSION"))),
    };
    if let Some(value) = machine {
        let text = serde_json::to_string_pretty(&value).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    }
    if invalid > 0 {
        return Err(Error::InvalidConfigs(invalid, files.len()));
    }
    Ok(())
}

/// One file's verdict as text: warnings and `ok:` on stdout, the refusal on stderr, as the
/// other commands print findings.
fn print_validation(
    report: &report::FileReport,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<(), Error> {
    if !report.valid {
        if let Some(error) = &report.error {
            writeln!(stderr, "{error}")?;
        }
        for finding in &report.findings {
            writeln!(stderr, "{finding}")?;
        }
        return Ok(());
    }
    for warning in &report.findings {
        writeln!(stdout, "{warning}")?;
    }
    writeln!(
        stdout,
        "ok: {} ({}{}{}, {})",
        crate::syntax::shown_file_name(&report.file.display().to_string()),
        crate::report::plural(report.environments.len(), "environment"),
        if report.environments.is_empty() {
            ""
        } else {
            ": "
        },
        crate::report::first_few(&report.environments, SHOWN_ENVIRONMENTS),
        crate::report::plural(report.objects.unwrap_or_default(), "object")
    )?;
    Ok(())
}

/// How many environment names `validate` lists on a config's line.
const SHOWN_ENVIRONMENTS: usize = 10;

fn init(args: &InitArgs, stdout: &mut dyn Write) -> Result<(), Error> {
    let file = args.dir.join("spark-job.yaml");
    let io_error = |path: &Path, source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    let folder_name = std::fs::canonicalize(&args.dir)
        .unwrap_or_else(|_| args.dir.clone())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| crate::syntax::dns1123_label(n).is_ok());
    if args.role_arn.is_some() && !matches!(args.credentials, CredentialsKind::WebIdentity) {
        return Err(Error::InapplicableOption {
            option: "--role-arn",
            why: "applies only to --credentials web-identity",
            fix: "add --credentials web-identity, or leave out --role-arn",
        });
    }
    if args.main_class.is_some() && matches!(args.app_type, AppType::Python | AppType::R) {
        return Err(Error::InapplicableOption {
            option: "--main-class",
            why: "applies only to --type scala or --type java (Python and R applications have no main class)",
            fix: "add --type scala (or java), or leave out --main-class",
        });
    }
    let write_schema = args.schema.is_none();
    let options = StarterOptions {
        name: args
            .name
            .clone()
            .or(folder_name)
            .unwrap_or_else(|| "spark-job".into()),
        namespace: args.namespace.clone(),
        app_type: match args.app_type {
            AppType::Python => ApplicationType::Python,
            AppType::Scala => ApplicationType::Scala,
            AppType::Java => ApplicationType::Java,
            AppType::R => ApplicationType::R,
        },
        main_class: args.main_class.clone(),
        endpoint: args.endpoint.clone(),
        path_style: args.path_style,
        credentials: match args.credentials {
            CredentialsKind::Secret => StarterCredentials::Secret,
            CredentialsKind::WebIdentity => {
                StarterCredentials::WebIdentity(args.role_arn.clone().unwrap_or_default())
            }
            CredentialsKind::PodIdentity => StarterCredentials::PodIdentity,
            CredentialsKind::Anonymous => StarterCredentials::Anonymous,
        },
        schema: args
            .schema
            .clone()
            .unwrap_or_else(|| starter::SCHEMA_FILE_NAME.into()),
    };
    let text = starter::starter(&options);
    // The options become fields: check them as the config they make, before writing anything.
    if let Err(ConfigError::Invalid(problems)) = config::parse(&file, text.as_bytes()) {
        return Err(Error::BadInit(problems));
    }
    std::fs::create_dir_all(&args.dir).map_err(|e| io_error(&args.dir, e))?;
    write_new_file(&file, text.as_bytes()).map_err(|e| match e {
        Error::FileExists(path) => Error::Exists(path),
        other => other,
    })?;
    writeln!(stdout, "wrote {}", file.display())?;
    if write_schema {
        let schema = args.dir.join(starter::SCHEMA_FILE_NAME);
        let current = config::schema::json_schema_text();
        match std::fs::read_to_string(&schema) {
            Ok(existing) if existing == current => {}
            Ok(_) => writeln!(
                stdout,
                "kept {} (it differs from this version's schema: `k8s-s3-spark schema > {}` refreshes it)",
                schema.display(),
                schema.display()
            )?,
            Err(_) => {
                write_new_file(&schema, current.as_bytes())?;
                writeln!(
                    stdout,
                    "wrote {} (editors with the YAML language server check and complete the config with it)",
                    schema.display()
                )?;
            }
        }
    }
    writeln!(
        stdout,
        "edit it, then run: k8s-s3-spark validate {0} && k8s-s3-spark render {0}",
        file.display()
    )?;
    Ok(())
}
