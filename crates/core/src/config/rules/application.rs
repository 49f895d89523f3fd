//! The application and its settings (KS104, KS105, KS106): the file Spark can reach, sparkConf and hadoopConf keys the tool owns or that carry credentials.

use super::*;

/// The schemes of a file the driver (the Job's pod) can read and Spark can serve to executors.
const REACHABLE_SCHEMES: [&str; 4] = ["local:///", "s3a://", "http://", "https://"];

/// Whether `file` is a URL of one of [`REACHABLE_SCHEMES`] with something after the scheme.
pub(super) fn reachable_file(file: &str) -> bool {
    REACHABLE_SCHEMES
        .iter()
        .any(|s| file.starts_with(s) && file.len() > s.len())
        && !file.chars().any(char::is_control)
}

pub(super) fn application(p: &mut Problems, spec: &SparkJobSpec) {
    for (i, argument) in spec.arguments.iter().enumerate() {
        let field = || join_index("spec.arguments", i);
        if argument.contains('\0') {
            p.add(
                Code::Application,
                &field,
                "contains a NUL byte, which container runtimes refuse in arguments",
                "remove the NUL byte",
            );
        }
    }
    let file = &spec.main_application_file;
    if !reachable_file(file) {
        p.add(Code::Application, "spec.mainApplicationFile",
            format!("{file:?} is not a file spark-submit can reach from the driver"),
            "use local:///path/in/the/image (e.g. local:///app/simple_read.py) or an s3a:// or https:// URL, on one line");
    }
    let needs_class = matches!(
        spec.app_type,
        ApplicationType::Java | ApplicationType::Scala
    );
    match (&spec.main_class, needs_class) {
        (None, true) => p.add(
            Code::Application,
            "spec.mainClass",
            "Java and Scala applications need a main class",
            "add `mainClass: com.example.Main`",
        ),
        (Some(_), false) => p.add(
            Code::Application,
            "spec.mainClass",
            "only Java and Scala applications have a main class",
            "remove mainClass",
        ),
        (Some(class), true) if class.is_empty() || class.contains(char::is_whitespace) => p.add(
            Code::Application,
            "spec.mainClass",
            format!("{class:?} is not a class name"),
            "write a fully qualified class name, e.g. com.example.Main",
        ),
        _ => {}
    }
}

pub(super) fn confs(p: &mut Problems, spec: &SparkJobSpec) {
    for key in spec.spark_conf.keys() {
        let field = &|| join_key("spec.sparkConf", key);
        if key.contains(|c: char| c == '=' || c.is_whitespace() || c.is_control()) {
            // spark-submit splits `--conf` at the first `=`: the rest would set another key.
            p.add(Code::Setting, field, format!("{key:?} is not a Spark setting name: it has '=', a space, a line break or a control character"),
                "write the key alone (e.g. spark.sql.shuffle.partitions) and the value after the colon");
        } else if !key.starts_with("spark.") || key.len() <= "spark.".len() {
            p.add(Code::Setting, field, format!("{key:?} is not a Spark setting; spark-submit ignores keys that do not start with `spark.`"),
                "for Hadoop settings use hadoopConf without the spark.hadoop. prefix");
        } else if let Some(hadoop_key) = key.strip_prefix("spark.hadoop.") {
            // Say what hadoopConf would say, so the help leads to an accepted config.
            match hadoop_conf_refusal(hadoop_key) {
                Some((code, message, help)) => p.add(code, field, message, help),
                None => p.add(
                    Code::Setting,
                    field,
                    format!("{key:?} is a Hadoop setting"),
                    format!("move it to hadoopConf as `{hadoop_key}`"),
                ),
            }
        } else if let Some(reason) = reserved_conf_reason(key) {
            p.add(
                Code::Setting,
                field,
                format!("{key:?} is set by the tool"),
                reason,
            );
        } else if redact::is_credential_setting(key) {
            p.add(
                Code::CredentialSetting,
                field,
                format!("{key:?} carries a credential"),
                CREDENTIAL_SETTING_HELP,
            );
        }
    }
    for key in spec.hadoop_conf.keys() {
        let field = &|| join_key("spec.hadoopConf", key);
        if let Some(rest) = key.strip_prefix("spark.hadoop.") {
            p.add(
                Code::Setting,
                field,
                format!("{key:?} already has the spark.hadoop. prefix"),
                format!("write it as `{rest}`"),
            );
        } else if let Some((code, message, help)) = hadoop_conf_refusal(key) {
            p.add(code, field, message, help);
        }
    }
    for (root, map) in [
        ("spec.sparkConf", &spec.spark_conf),
        ("spec.hadoopConf", &spec.hadoop_conf),
    ] {
        for (key, value) in map {
            let field = || join_key(root, key);
            if value.contains(['\n', '\r', '\0']) {
                p.add(
                    Code::Setting,
                    &field,
                    "values cannot contain line breaks or NUL",
                    "write the value on one line",
                );
            }
            if EXECUTOR_ENV_CONFS.contains(&key.as_str()) && value.contains('$') {
                p.add(
                    Code::Setting,
                    &field,
                    "Spark copies this value into the executors' environment, whose kubelet reads `$(NAME)` as a variable and `$$` as `$`",
                    "write it without '$' (set variables in spec.executor.env, which is escaped for every kubelet)",
                );
            }
        }
    }
}

/// Why a Hadoop key may not be set in hadoopConf, with the fix; `None` when it may.
fn hadoop_conf_refusal(key: &str) -> Option<(Code, String, String)> {
    if key.is_empty() || key.contains(|c: char| c == '=' || c.is_whitespace() || c.is_control()) {
        Some((
            Code::Setting,
            format!("{key:?} is not a Hadoop setting name"),
            "write a key such as fs.s3a.connection.maximum".into(),
        ))
    } else if let Some(reason) = reserved_conf_reason(&format!("spark.hadoop.{key}")) {
        Some((
            Code::Setting,
            format!("{key:?} is set by the tool"),
            reason.into(),
        ))
    } else if redact::is_credential_setting(key) {
        Some((
            Code::CredentialSetting,
            format!("{key:?} carries a credential"),
            CREDENTIAL_SETTING_HELP.into(),
        ))
    } else {
        None
    }
}
