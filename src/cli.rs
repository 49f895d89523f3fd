//! Commands and flags (clap derive). Nothing else: [`crate::run`] does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Turn one typed spark-job.yaml into everything a Spark batch job that reads S3 needs on
/// Kubernetes, validated.
///
/// Exit codes: 0 success; 1 failure (drift found by --check, a file that cannot be written, an
/// internal error); 2 bad input (an invalid config or flag; nothing is written).
#[derive(Debug, Parser)]
#[command(
    name = "k8s-s3-spark",
    version,
    about,
    long_about,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print or write the plain Kubernetes manifests of a job.
    ///
    /// Objects in order: Namespace (if spec.createNamespace), ServiceAccount, Role, RoleBinding,
    /// Secret (only with --aws-profile or --aws-env), ConfigMap with pod templates (Spark 3.0+),
    /// Job. Without --out, one multi-document YAML stream on stdout.
    Render(RenderArgs),
    /// Write a Helm chart (apiVersion v2) of a job that `helm install` takes as it is.
    ///
    /// Chart.yaml, values.yaml (every key commented), values.schema.json, README.md, .helmignore and
    /// templates (helpers, NOTES.txt, the objects of `render`, and a `helm test` pod that reads
    /// spec.s3.paths with the job's credentials). Environments are not applied: tune with values.
    Chart(ChartArgs),
    /// Write a Kustomize tree for GitOps: base/ and overlays/<env>/ for every environment.
    ///
    /// Overlays use the namespace and images transformers and JSON6902 patches (guarded by test
    /// ops) for everything else; base/kustomizeconfig.yaml keeps spark-submit's image and Secret
    /// name right under namePrefix, images and secretGenerator hashes. Key values are never written.
    Kustomize(KustomizeArgs),
    /// Print or write the job as a Kubeflow Spark Operator SparkApplication.
    ///
    /// A ScheduledSparkApplication when the config has a schedule (a SparkApplication with
    /// --once), after the driver's Namespace, ServiceAccount, Role, RoleBinding and credentials of
    /// `render`. The operator submits in cluster mode, so there is no Job: its settings become the
    /// application's fields, sparkConf and hadoopConf (docs/operator-mapping.md). Needs Spark 3.0+.
    Operator(RenderArgs),
    /// Check configs: YAML, schema, rules, and every generated object of the base and every
    /// environment. Takes files and folders (searched for *.yaml/*.yml files of kind SparkJob).
    Validate(ValidateArgs),
    /// Print the JSON schema of spark-job.yaml (for editors and CI linters).
    Schema,
    /// Write a commented starter spark-job.yaml (the Amazon reviews example) into a folder.
    Init(InitArgs),
    /// Show which Spark, Hadoop and AWS SDK versions fit, and which S3A jars an image needs.
    ///
    /// Without flags, the whole table the config validator uses. With --spark and/or --hadoop,
    /// whether that pairing fits, the SDK, the credentials provider classes and the jars with
    /// their Maven Central addresses. Exit 1 if the pairing cannot work.
    Versions(VersionsArgs),
    /// Inspect a Spark distribution, an unpacked image filesystem or a pip-installed pyspark for
    /// the jars S3A and Kubernetes need. Exit 1 if any problem is found.
    ///
    /// Reads file names only: jars/ (hadoop-aws, the AWS SDK, Hadoop client jars, spark-core and
    /// spark-kubernetes, Scala suffixes), python/pyspark and kubernetes/dockerfiles.
    Doctor(DoctorArgs),
    /// Print the commands that build the config's Spark distribution and images, and optionally
    /// write the application image's Dockerfile.
    BuildPlan(BuildPlanArgs),
    /// Check that S3 URLs are readable, and outputs writable, with the endpoint, region,
    /// addressing style and credentials the generated Job would use. Exit 1 if any check fails.
    ///
    /// For each s3a://bucket/key: the bucket answers, the key lists as a prefix, and its first
    /// bytes read (the first lines of a .gz). For each output (--write, or spec.s3.outputs): an
    /// object put, read back, a multipart upload completed and another aborted, all deleted; a
    /// refusal names the IAM permission missing. Credentials: --profile, else $AWS_ACCESS_KEY_ID and
    /// $AWS_SECRET_ACCESS_KEY (+ $AWS_SESSION_TOKEN), else the $AWS_PROFILE or [default] profile.
    /// Key values are never printed.
    #[command(name = "check-s3")]
    CheckS3(CheckS3Args),
    /// Ask the cluster of the current kube context, read-only, whether it will accept and run the
    /// job. Exit 1 if any check fails.
    ///
    /// The namespace and its Pod Security level, your permission to create every object
    /// (SelfSubjectAccessReview), the API server's verdict on every object (server-side apply with
    /// dryRun=All), the credentials Secret's key names (never its values), the External Secrets
    /// Operator when an ExternalSecret makes the Secret, and an existing ServiceAccount's web
    /// identity annotation.
    #[command(name = "check-cluster")]
    CheckCluster(CheckClusterArgs),
    /// Print the shell completion script for bash, zsh, fish, elvish or PowerShell.
    ///
    /// bash: `k8s-s3-spark completions bash > ~/.local/share/bash-completion/completions/k8s-s3-spark`;
    /// zsh: into a folder of $fpath as `_k8s-s3-spark`; fish: into
    /// ~/.config/fish/completions/k8s-s3-spark.fish.
    Completions(CompletionsArgs),
    /// Print the man page (roff) of the tool, or of one command.
    ///
    /// `k8s-s3-spark man > ~/.local/share/man/man1/k8s-s3-spark.1`, then `man k8s-s3-spark`; one
    /// command's page is `k8s-s3-spark-COMMAND.1`.
    Man(ManArgs),
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// A command, for its own page (e.g. `render`) [default: the tool's page].
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// Arguments of `versions`.
#[derive(Debug, Args)]
pub struct VersionsArgs {
    /// A Spark version, e.g. 3.5.3.
    #[arg(long, value_name = "X.Y.Z")]
    pub spark: Option<String>,
    /// A Hadoop version, e.g. 3.3.4 (default: the one the Spark line ships with).
    #[arg(long, value_name = "X.Y.Z")]
    pub hadoop: Option<String>,
    /// How to print the verdict: text, or JSON for CI (the versions, whether they fit, the jars
    /// with their addresses, notes, and the text).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

/// Arguments of `doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The Spark distribution folder (SPARK_HOME), an unpacked image root (with opt/spark), or
    /// a pip-installed pyspark folder.
    #[arg(value_name = "SPARK_HOME")]
    pub spark_home: PathBuf,
    /// How to print the findings: text, or JSON for CI.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Same as `--format json` (kept for scripts written before `--format`).
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,
}

/// Arguments of `build-plan`.
#[derive(Debug, Args)]
pub struct BuildPlanArgs {
    /// The config file.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Repository prefix of the base images [default: the application image's, e.g.
    /// `alexmilowski` for alexmilowski/app:tag].
    #[arg(long, value_name = "PREFIX")]
    pub base_repository: Option<String>,
    /// Last part of the base images' tag SPARK-HADOOP-N.
    #[arg(long, value_name = "N", default_value = "1")]
    pub image_version: String,
    /// Also write the application image's Dockerfile here (never overwrites a file).
    #[arg(long, value_name = "FILE")]
    pub dockerfile: Option<PathBuf>,
}

/// Arguments of `check-cluster`.
#[derive(Debug, Args)]
pub struct CheckClusterArgs {
    /// The config file.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Apply this environment from spec.environments.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Use this kube context [default: the current one].
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// How to print the findings: text, or JSON for CI.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Same as `--format json` (kept for scripts written before `--format`).
    #[arg(long, hide = true, conflicts_with = "format")]
    pub json: bool,
}

/// Arguments of `check-s3`.
#[derive(Debug, Args)]
pub struct CheckS3Args {
    /// s3a://bucket/key URLs to read (keys may be prefixes) [default: the config's spec.s3.paths].
    #[arg(value_name = "URL")]
    pub urls: Vec<String>,
    /// An s3a://bucket/prefix URL to prove writable as the S3A committers write: put, read back,
    /// a multipart upload completed and one aborted, then delete (repeatable) [default: the
    /// config's spec.s3.outputs when no URL is given].
    #[arg(long = "write", value_name = "URL")]
    pub writes: Vec<String>,
    /// How to print the report: text, or JSON for CI (key values are scrubbed from both).
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    /// Take endpoint, region, path style, credentials kind and paths from this config.
    #[arg(long, value_name = "CONFIG")]
    pub config: Option<PathBuf>,
    /// With --config: apply this environment.
    #[arg(long, value_name = "NAME", requires = "config")]
    pub env: Option<String>,
    /// S3 endpoint, http(s)://host[:port] [default: the config's, else AWS S3 of the region].
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Signing region [default: the config's, else $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Path-style requests (http://host/bucket/key), as S3-compatible stores need.
    #[arg(long)]
    pub path_style: bool,
    /// Use this profile of the AWS credentials file.
    #[arg(long, value_name = "NAME", conflicts_with = "anonymous")]
    pub profile: Option<String>,
    /// The AWS credentials file [default: $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials].
    #[arg(long, value_name = "FILE")]
    pub aws_credentials: Option<PathBuf>,
    /// Send unsigned requests (public buckets).
    #[arg(long)]
    pub anonymous: bool,
}

/// Where generated files go.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write one file per object into this folder (atomically) instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: write nothing; compare with DIR, print a diff and exit 1 if it is stale.
    #[arg(long, requires = "out")]
    pub check: bool,
    /// With --out: overwrite files in DIR that k8s-s3-spark did not generate.
    #[arg(long, requires = "out", conflicts_with = "check")]
    pub force: bool,
}

/// Arguments of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The config file.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Apply this environment from spec.environments.
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Emit a one-off run even when the config has a schedule: the Job each scheduled run is
    /// (for `operator`, the SparkApplication).
    #[arg(long)]
    pub once: bool,
    /// Where to write.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Emit the credentials Secret with the keys of this profile of the AWS credentials file.
    /// Without it (or --aws-env) the Secret is only referenced and must exist.
    #[arg(long, value_name = "NAME", conflicts_with = "aws_env")]
    pub aws_profile: Option<String>,
    /// The AWS credentials file for --aws-profile [default: $AWS_SHARED_CREDENTIALS_FILE or
    /// ~/.aws/credentials].
    #[arg(long, value_name = "FILE", requires = "aws_profile")]
    pub aws_credentials: Option<PathBuf>,
    /// Emit the credentials Secret with the keys in $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY.
    #[arg(long)]
    pub aws_env: bool,
}

/// Arguments of `chart`.
#[derive(Debug, Args)]
pub struct ChartArgs {
    /// The config file.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Where to write (required for `chart`).
    #[command(flatten)]
    pub output: RequiredOutputArgs,
    /// The chart's version (Chart.yaml `version`): SemVer 2, e.g. 1.4.0 or 1.4.0-rc.1.
    #[arg(long, value_name = "SEMVER", default_value = "0.1.0", value_parser = chart_version)]
    pub chart_version: String,
}

/// Arguments of `kustomize`.
#[derive(Debug, Args)]
pub struct KustomizeArgs {
    /// The config file.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Where to write.
    #[command(flatten)]
    pub output: RequiredOutputArgs,
}

/// Where generated files go, for commands that always write a folder.
#[derive(Debug, Args)]
pub struct RequiredOutputArgs {
    /// The folder to write (atomically).
    #[arg(long, value_name = "DIR", required = true)]
    pub out: PathBuf,
    /// Write nothing; compare with DIR, print a diff and exit 1 if it is stale.
    #[arg(long)]
    pub check: bool,
    /// Overwrite files in DIR that k8s-s3-spark did not generate.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Config files, or folders to search.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// How many configs to check at once [default: one per CPU core]. Output order does not
    /// depend on it.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// How to print the verdicts: text, JSON, or SARIF 2.1.0 (GitHub code scanning and other CI
    /// annotate the finding's line with it). JSON and SARIF go to stdout; the exit code is the
    /// same in every format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// How `validate` prints its verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: findings as `file:line:column: error[CODE] ...`.
    Text,
    /// For scripts: every file with its verdict and findings.
    Json,
    /// SARIF 2.1.0: rule ids are the finding codes, locations file:line:column.
    Sarif,
}

/// How `doctor`, `check-s3` and `check-cluster` print their findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// For people.
    Text,
    /// For scripts and CI.
    Json,
}

impl ReportFormat {
    /// The format asked for, counting the older `--json` flag.
    pub fn or_json(self, json: bool) -> Self {
        if json { Self::Json } else { self }
    }
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to write spark-job.yaml into (created if missing).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// The job's name [default: the folder's name when it is a valid name, else spark-job].
    #[arg(long)]
    pub name: Option<String>,
    /// The namespace the job runs in.
    #[arg(long, default_value = "spark-jobs")]
    pub namespace: String,
    /// The application's language.
    #[arg(long = "type", value_enum, default_value_t = AppType::Python)]
    pub app_type: AppType,
    /// The main class, for Java and Scala [default: com.example.Main].
    #[arg(long)]
    pub main_class: Option<String>,
    /// An S3-compatible endpoint (MinIO, Ceph, SeaweedFS), e.g. http://minio.storage.svc:9000.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Path-style requests (most S3-compatible stores need them).
    #[arg(long)]
    pub path_style: bool,
    /// How Spark authenticates to S3.
    #[arg(long, value_enum, default_value_t = CredentialsKind::Secret)]
    pub credentials: CredentialsKind,
    /// The IAM role, with --credentials web-identity.
    #[arg(
        long,
        value_name = "ARN",
        required_if_eq("credentials", "web-identity")
    )]
    pub role_arn: Option<String>,
    /// What the file's `# yaml-language-server: $schema=` line names [default: spark-job.schema.json,
    /// written beside the config].
    #[arg(long, value_name = "URL")]
    pub schema: Option<String>,
}

/// An application language, for `init --type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AppType {
    /// PySpark.
    Python,
    /// Scala.
    Scala,
    /// Java.
    Java,
    /// SparkR.
    R,
}

/// A credentials kind, for `init --credentials`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialsKind {
    /// Keys from a Kubernetes Secret.
    Secret,
    /// Web identity (IRSA on EKS), with --role-arn.
    WebIdentity,
    /// EKS Pod Identity (an association gives the service account a role).
    PodIdentity,
    /// No credentials (public buckets).
    Anonymous,
}

/// `--chart-version`: a SemVer 2 version, as Helm requires of Chart.yaml's `version`, holding no
/// key (it is written into Chart.yaml).
fn chart_version(text: &str) -> Result<String, String> {
    if crate::redact::holds_key_text(text) {
        return Err("holds what looks like an AWS key, which would be written into Chart.yaml; write a version such as 1.4.0".into());
    }
    crate::syntax::semver(text).map(|()| text.to_owned())
}

/// The completion script of a shell. clap_complete's bash script never completes past a
/// command when the program's name has a hyphen (its dispatch loop and its case labels escape
/// the name differently: clap-rs/clap#6421, open), so bash's is generated for the name with
/// underscores and then registered for the real one.
pub fn completions(
    shell: clap_complete::Shell,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let name = command.get_name().to_owned();
    if shell != clap_complete::Shell::Bash {
        clap_complete::generate(shell, &mut command, name, out);
        return Ok(());
    }
    let plain = name.replace('-', "_");
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, &plain, &mut script);
    let script = String::from_utf8_lossy(&script);
    let registered = script
        .lines()
        .map(|line| match line.strip_suffix(&format!(" {plain}")) {
            Some(rest) if line.trim_start().starts_with("complete ") => format!("{rest} {name}"),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    writeln!(out, "{registered}")
}

/// The command whose man page is asked for: the tool's, or one of its commands'
/// (`k8s-s3-spark-render(1)`); else the names of the commands there are.
pub fn man_page(name: Option<&str>) -> Result<clap::Command, Vec<String>> {
    let mut command = <Cli as clap::CommandFactory>::command();
    command.build();
    let Some(name) = name else {
        return Ok(command);
    };
    // After build(), a command's display name is `k8s-s3-spark-render`: its page's title.
    command.find_subcommand(name).cloned().ok_or_else(|| {
        command
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .collect()
    })
}

/// Prints clap's message for a command line it refused (or for `--help`/`--version`) with keys
/// hidden, as every message is, and gives the exit code clap gives it: 2 for bad usage, 0 else.
pub fn print_usage(error: &clap::Error) -> u8 {
    use std::io::IsTerminal;
    let to_stderr = error.use_stderr();
    let terminal = if to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let rendered = error.render();
    let text = if terminal {
        rendered.ansi().to_string()
    } else {
        rendered.to_string()
    };
    let text = crate::redact::redact(&text);
    // Nothing more can be said when the terminal is gone.
    let _ = if to_stderr {
        std::io::Write::write_all(&mut std::io::stderr(), text.as_bytes())
    } else {
        std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
    };
    u8::try_from(error.exit_code()).unwrap_or(2)
}
