//! Whether a Spark and a Hadoop fit together, and if not, why and what to use instead.

use super::*;

/// Which versions are being judged, for [`fit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pairing {
    /// The Spark version.
    pub spark: Version,
    /// The Hadoop version of the distribution, when known (otherwise the line's default).
    pub hadoop: Option<Version>,
    /// Whether the distribution was built with a Hadoop its release line does not ship with.
    pub custom_distribution: bool,
    /// Whether the application is Python or R (which need Spark 2.4 on Kubernetes).
    pub python_or_r: bool,
}

/// One reason a Spark/Hadoop pairing does not fit. [`fit`] is the only judge, so the config
/// validator and `versions` always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Misfit {
    /// Spark older than [`MIN_SPARK`].
    SparkTooOld(Version),
    /// Python or R with Spark older than [`MIN_SPARK_PYTHON_R`].
    NoPythonR(Version),
    /// A Hadoop the Spark line's published distributions do not carry, without a custom build.
    HadoopNotShipped {
        /// The Spark line.
        line: &'static SparkLine,
        /// The Hadoop asked for.
        hadoop: Version,
    },
    /// A Spark line newer than this table and no Hadoop given.
    UnknownSparkLine(Version),
    /// Hadoop older than [`MIN_HADOOP`].
    HadoopTooOld {
        /// The Hadoop version.
        hadoop: Version,
        /// Whether it was given (else it is the Spark line's default).
        explicit: bool,
    },
}

impl Misfit {
    /// Whether the misfit is about the Hadoop version (else the Spark version).
    pub fn is_about_hadoop(&self) -> bool {
        match self {
            Self::SparkTooOld(_) | Self::NoPythonR(_) => false,
            Self::HadoopNotShipped { .. } | Self::UnknownSparkLine(_) => true,
            Self::HadoopTooOld { explicit, .. } => *explicit,
        }
    }

    /// The finding (code [`Code::Versions`]), without a field: the config validator adds the field,
    /// `versions` and `doctor` report it as is.
    pub fn finding(&self) -> Diagnostic {
        Diagnostic::new(Code::Versions, "", self.message()).help(self.help())
    }

    /// What is wrong.
    pub fn message(&self) -> String {
        match self {
            Self::SparkTooOld(spark) => format!(
                "Spark {spark} cannot run its driver in the Job's pod (client mode on Kubernetes); that arrived in {MIN_SPARK}"
            ),
            Self::NoPythonR(spark) => format!(
                "Spark {spark} has no Python or R support on Kubernetes; it arrived in {MIN_SPARK_PYTHON_R}"
            ),
            Self::HadoopNotShipped { line, hadoop } => format!(
                "Spark {}.{} distributions ship with Hadoop {}, not {hadoop}",
                line.line.0, line.line.1, line.default_hadoop
            ),
            Self::UnknownSparkLine(spark) => format!(
                "Spark {spark} is newer than this tool's version table, so its Hadoop version is unknown"
            ),
            Self::HadoopTooOld { hadoop, .. } => format!(
                "Hadoop {hadoop} cannot read S3 through S3A; Hadoop {MIN_HADOOP} or later is needed"
            ),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            Self::SparkTooOld(_) => format!(
                "use Spark 3.5 or later (at least {MIN_SPARK}), or YARN or a standalone cluster"
            ),
            Self::NoPythonR(_) => {
                format!("use Spark 3.5 or later (at least {MIN_SPARK_PYTHON_R}) for PySpark and SparkR")
            }
            Self::HadoopNotShipped { line, hadoop } => format!(
                "remove hadoopVersion to use {}, or, if the image carries a distribution you built with -Dhadoop.version={hadoop}, add `customDistribution: true`",
                line.default_hadoop
            ),
            Self::UnknownSparkLine(_) => "set hadoopVersion to the version of the image's hadoop-aws jar and add `customDistribution: true`".into(),
            Self::HadoopTooOld { .. } => "build the distribution with -Phadoop-cloud -Dhadoop.version=2.9.2 or later, then set hadoopVersion and `customDistribution: true`; or use Spark 3.2+, whose default Hadoop fits".into(),
        }
    }
}

/// Judges a pairing: the Hadoop version the distribution has, or every reason it does not fit.
/// When the Spark version itself is unusable, later checks are skipped (they would only repeat it).
pub fn fit(p: Pairing) -> Result<Version, Vec<Misfit>> {
    let mut misfits = Vec::new();
    if p.spark < MIN_SPARK {
        return Err(vec![Misfit::SparkTooOld(p.spark)]);
    }
    if p.python_or_r && p.spark < MIN_SPARK_PYTHON_R {
        misfits.push(Misfit::NoPythonR(p.spark));
    }
    let line = spark_line(p.spark);
    let hadoop = match (p.hadoop, line) {
        (Some(hadoop), Some(line)) => {
            if !line.ships(hadoop) && !p.custom_distribution {
                misfits.push(Misfit::HadoopNotShipped { line, hadoop });
            }
            hadoop
        }
        (Some(hadoop), None) => hadoop,
        (None, Some(line)) => line.default_hadoop,
        (None, None) => {
            misfits.push(Misfit::UnknownSparkLine(p.spark));
            return Err(misfits);
        }
    };
    if hadoop < MIN_HADOOP {
        misfits.push(Misfit::HadoopTooOld {
            hadoop,
            explicit: p.hadoop.is_some(),
        });
    }
    if misfits.is_empty() {
        Ok(hadoop)
    } else {
        Err(misfits)
    }
}
