//! The preflight commands on the real binary: `versions`, `doctor` on synthetic folders and on
//! the jar listing of a real pyspark 3.5.9, `build-plan`, and `check-s3` against a real S3
//! server (s3s-fs) running in this process.

use std::fs;
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use crate::harness::{code, err, out, run_env};

const ACCESS_KEY: &str = "AKIAPREFLIGHTCANARY";
const SECRET_KEY: &str = "preflight/Canary+Secret/Value";

fn distribution(dir: &Path, jars: &[&str], extra_dirs: &[&str]) {
    fs::create_dir_all(dir.join("jars")).unwrap();
    for jar in jars {
        fs::write(dir.join("jars").join(jar), b"").unwrap();
    }
    for d in extra_dirs {
        fs::create_dir_all(dir.join(d)).unwrap();
    }
}

const GOOD_JARS: &[&str] = &[
    "spark-core_2.12-3.5.3.jar",
    "spark-kubernetes_2.12-3.5.3.jar",
    "scala-library-2.12.18.jar",
    "hadoop-client-api-3.3.4.jar",
    "hadoop-client-runtime-3.3.4.jar",
    "hadoop-aws-3.3.4.jar",
    "aws-java-sdk-bundle-1.12.262.jar",
    "kubernetes-client-6.7.2.jar",
    "spark-hadoop-cloud_2.12-3.5.3.jar",
];

#[test]
fn versions_answers_from_the_validators_table() {
    let all = run_env(&["versions"], &[]);
    assert_eq!(code(&all), 0);
    assert!(out(&all).contains("source: hadoop-project pom 3.3.4"));
    let pair = run_env(&["versions", "--spark", "3.5.3", "--hadoop", "3.3.4"], &[]);
    assert_eq!(code(&pair), 0, "{}", out(&pair));
    assert!(out(&pair).contains("aws-java-sdk-bundle-1.12.262.jar"));
    // Maven Central has no spark-hadoop-cloud 3.5.3: the nearest release of the line, said so.
    assert!(out(&pair).contains("Writing to S3 (s3.outputs) through the S3A committers also needs:\n  spark-hadoop-cloud_2.12-3.5.4.jar    https://repo1.maven.org/maven2/org/apache/spark/spark-hadoop-cloud_2.12/3.5.4/spark-hadoop-cloud_2.12-3.5.4.jar\n  (spark-hadoop-cloud_2.12 3.5.3 is not on Maven Central; 3.5.4 is the nearest published release of the 3.5 line"), "{}", out(&pair));
    assert!(!out(&pair).contains("3.5.3.jar"), "{}", out(&pair));
    let json = run_env(&["versions", "--spark", "4.2.0", "--format", "json"], &[]);
    assert_eq!(code(&json), 0, "{}", out(&json));
    let json: serde_json::Value = serde_json::from_str(&out(&json)).unwrap();
    assert_eq!(json["fits"], true);
    assert_eq!(json["hadoop"], "3.5.0");
    let files: Vec<&str> = json["jars"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["fileName"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"hadoop-aws-3.5.0.jar"), "{files:?}");
    assert!(
        !files.iter().any(|f| f.starts_with("spark-hadoop-cloud")),
        "none is published for 4.2: {files:?}"
    );
    assert!(
        json["notes"][0]
            .as_str()
            .unwrap()
            .contains("-Phadoop-cloud"),
        "{json}"
    );
    let bad = run_env(&["versions", "--spark", "2.4.1", "--hadoop", "2.7.3"], &[]);
    assert_eq!(code(&bad), 1);
    // The same words the config validator uses for the same misfit.
    assert!(out(&bad).contains("Hadoop 2.7.3 cannot read S3 through S3A"));
    let typo = run_env(&["versions", "--spark", "3.5"], &[]);
    assert_eq!(code(&typo), 2);
    assert!(err(&typo).contains("--spark"), "{}", err(&typo));
}

#[test]
fn doctor_passes_a_complete_distribution() {
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        GOOD_JARS,
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(out(&o).contains("no problems found"), "{}", out(&o));
    let json = run_env(&["doctor", "--json", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&json), 0);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["sparkVersion"], "3.5.3");
    assert_eq!(v["hadoopVersion"], "3.3.4");
    assert_eq!(v["layout"], "distribution");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn doctor_knows_the_committers_binding() {
    let without: Vec<&str> = GOOD_JARS
        .iter()
        .copied()
        .filter(|j| !j.starts_with("spark-hadoop-cloud"))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        &without,
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    // A note, not a problem: read-only jobs do not need it.
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(
        out(&o).contains("note[KS213]: no spark-hadoop-cloud jar"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("add spark-hadoop-cloud_2.12-3.5.4.jar (https://repo1.maven.org/maven2/org/apache/spark/spark-hadoop-cloud_2.12/3.5.4/spark-hadoop-cloud_2.12-3.5.4.jar); spark-hadoop-cloud_2.12 3.5.3 is not on Maven Central"), "{}", out(&o));

    // Another line's binding is a problem; another patch release of the same line is not.
    for (jar, problem) in [
        ("spark-hadoop-cloud_2.12-3.4.1.jar", true),
        ("spark-hadoop-cloud_2.12-3.5.1.jar", false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut jars = without.clone();
        jars.push(jar);
        distribution(
            dir.path(),
            &jars,
            &["python/pyspark", "kubernetes/dockerfiles/spark"],
        );
        let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
        assert_eq!(code(&o), i32::from(problem), "{jar}: {}", out(&o));
        assert_eq!(
            out(&o).contains("error[KS208]: spark-hadoop-cloud 3.4.1 but spark-core 3.5.3"),
            problem,
            "{}",
            out(&o)
        );
    }
}

#[test]
fn doctor_names_each_mismatch_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        &[
            "spark-core_2.12-3.5.3.jar",
            "spark-sql_2.13-3.5.3.jar",
            "hadoop-client-api-3.3.4.jar",
            "hadoop-aws-3.3.1.jar",
            "aws-java-sdk-bundle-1.11.375.jar",
        ],
        &[],
    );
    let o = run_env(&["doctor", "--json", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let problems: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| format!("{} {} => {}", f["code"], f["message"], f["help"]))
        .collect();
    let all = problems.join("\n");
    assert!(all.contains("Scala"), "{all}");
    assert!(all.contains("no spark-kubernetes jar"), "{all}");
    assert!(
        all.contains(
            "\"KS207\" \"hadoop-aws 3.3.1 but hadoop-client-api 3.3.4\" => \"use hadoop-aws-3.3.4.jar with aws-java-sdk-bundle-1.12.262.jar"
        ),
        "{all}"
    );
    assert!(!all.contains("1.11.901"), "one fix per cause: {all}");
    assert!(err(&o).contains("cannot run Spark jobs"), "{}", err(&o));
}

#[test]
fn doctor_names_a_wrong_sdk_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let mut jars: Vec<&str> = GOOD_JARS
        .iter()
        .copied()
        .filter(|j| !j.starts_with("aws-java-sdk-bundle"))
        .collect();
    jars.push("aws-java-sdk-bundle-1.11.375.jar");
    distribution(
        dir.path(),
        &jars,
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 1);
    assert!(
        out(&o).contains("AWS SDK 1.11.375 but hadoop-aws 3.3.4 was built against 1.12.262"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("replace it with aws-java-sdk-bundle-1.12.262.jar"));
}

#[test]
fn doctor_reads_an_image_filesystem_and_sdk_v2() {
    let dir = tempfile::tempdir().unwrap();
    let spark = dir.path().join("opt/spark");
    distribution(
        &spark,
        &[
            "spark-core_2.13-4.0.1.jar",
            "spark-kubernetes_2.13-4.0.1.jar",
            "hadoop-client-api-3.4.1.jar",
            "hadoop-aws-3.4.1.jar",
            "aws-java-sdk-bundle-1.12.262.jar",
        ],
        &["python/pyspark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("image filesystem"), "{text}");
    assert!(
        text.contains("opt/spark/jars/hadoop-aws-3.4.1.jar"),
        "{text}"
    );
    assert!(
        text.contains("not the AWS SDK it was built against (found SDK v1 1.12.262 instead)"),
        "{text}"
    );
    assert!(text.contains("bundle-2.24.6.jar"), "{text}");
}

#[test]
fn doctor_wants_the_analytics_accelerator_from_hadoop_3_5() {
    let jars = [
        "spark-core_2.13-4.2.0.jar",
        "spark-kubernetes_2.13-4.2.0.jar",
        "spark-hadoop-cloud_2.13-4.2.0.jar",
        "hadoop-client-api-3.5.0.jar",
        "hadoop-aws-3.5.0.jar",
        "bundle-2.35.4.jar",
    ];
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        &jars,
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("error[KS207]: hadoop-aws 3.5.0 needs analyticsaccelerator-s3 1.3.1 beside it: S3A of this Hadoop loads it\n  help: add analyticsaccelerator-s3-1.3.1.jar (https://repo1.maven.org/maven2/software/amazon/s3/analyticsaccelerator/analyticsaccelerator-s3/1.3.1/analyticsaccelerator-s3-1.3.1.jar) to jars/"), "{}", out(&o));
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        &[&jars[..], &["analyticsaccelerator-s3-1.3.1.jar"]].concat(),
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    assert!(!out(&o).contains("warning"), "{}", out(&o));
    // The SDK v1 left beside it: a warning naming the jar to remove, and nothing else.
    let dir = tempfile::tempdir().unwrap();
    distribution(
        dir.path(),
        &[
            &jars[..],
            &[
                "analyticsaccelerator-s3-1.3.1.jar",
                "aws-java-sdk-bundle-1.12.262.jar",
            ],
        ]
        .concat(),
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 0, "{}", out(&o));
    let text = out(&o);
    assert_eq!(text.matches("warning[").count(), 1, "{text}");
    assert!(text.contains("warning[KS214]: the AWS SDK v1 1.12.262 is here, but hadoop-aws 3.5.0 uses the SDK v2 (2.35.4)"), "{text}");
    assert!(
        text.contains("remove the SDK v1 jars (aws-java-sdk-*-1.12.262.jar) from jars/"),
        "{text}"
    );
}

#[test]
fn doctor_on_the_jar_listing_of_a_real_pyspark() {
    // tests/doctor/pyspark-3.5.9-jars.txt is `ls site-packages/pyspark/jars` of pyspark 3.5.9;
    // the conformance stage runs doctor on the installed package itself.
    let listing = fs::read_to_string("tests/doctor/pyspark-3.5.9-jars.txt").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let jars: Vec<&str> = listing.lines().collect();
    assert!(jars.len() > 200);
    distribution(dir.path(), &jars, &["sql"]);
    fs::write(dir.path().join("__init__.py"), b"").unwrap();
    let o = run_env(&["doctor", "--json", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["layout"], "pip-install");
    assert_eq!(v["sparkVersion"], "3.5.9");
    assert_eq!(v["scalaVersion"], "2.12");
    assert_eq!(v["hadoopVersion"], "3.3.4");
    assert_eq!(v["kubernetesClientVersion"], "6.7.2");
    let problems: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0]["code"], "KS206", "{problems:?}");
    assert!(
        problems[0]["help"]
            .as_str()
            .unwrap()
            .starts_with("add hadoop-aws-3.3.4.jar with aws-java-sdk-bundle-1.12.262.jar"),
        "{problems:?}"
    );
}

#[test]
fn doctor_refuses_a_folder_that_is_not_spark() {
    let dir = tempfile::tempdir().unwrap();
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("no jars/ folder"), "{}", err(&o));
}

#[test]
fn build_plan_agrees_with_the_config_and_writes_a_new_dockerfile_only() {
    let o = run_env(
        &["build-plan", "examples/amazon-reviews/spark-job.yaml"],
        &[],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let plan = out(&o);
    assert!(
        plan.contains("-Pkubernetes -Phadoop-cloud -Dhadoop.version=3.3.4"),
        "{plan}"
    );
    assert!(plan.contains("docker build -t alexmilowski/s3-pyspark:3.5.3-3.3.4-1 --build-arg base_img=alexmilowski/s3-spark:3.5.3-3.3.4-1"), "{plan}");
    assert!(
        plan.contains("-t alexmilowski/s3-spark-amazon-reviews:3.5.3-3.3.4-2"),
        "{plan}"
    );
    let scala = run_env(&["build-plan", "examples/minio/spark-job.yaml"], &[]);
    assert_eq!(code(&scala), 0, "{}", err(&scala));
    assert!(!out(&scala).contains("bindings/python"), "{}", out(&scala));

    let dir = tempfile::tempdir().unwrap();
    let dockerfile = dir.path().join("Dockerfile");
    let path = dockerfile.to_str().unwrap();
    let args = [
        "build-plan",
        "examples/amazon-reviews/spark-job.yaml",
        "--dockerfile",
        path,
    ];
    let planned = run_env(&args, &[]);
    assert_eq!(code(&planned), 0);
    // Every command works as printed: the application image is built with the Dockerfile just
    // written, and the config's folder as the context (where the COPY sources are).
    assert!(
        out(&planned).contains(&format!(
            "--build-arg base_img=alexmilowski/s3-pyspark:3.5.3-3.3.4-1 -f {path} examples/amazon-reviews\n"
        )),
        "{}",
        out(&planned)
    );
    assert!(
        plan.contains("-f examples/amazon-reviews/Dockerfile examples/amazon-reviews\n"),
        "{plan}"
    );
    for line in fs::read_to_string("examples/amazon-reviews/Dockerfile")
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
    {
        let sources: Vec<&str> = line.split_whitespace().collect();
        for source in &sources[..sources.len() - 1] {
            assert!(
                std::path::Path::new("examples/amazon-reviews")
                    .join(source)
                    .is_file(),
                "the example's Dockerfile copies {source} from its own folder"
            );
        }
    }
    let written = fs::read_to_string(&dockerfile).unwrap();
    assert!(written.contains("ARG base_img=alexmilowski/s3-pyspark:3.5.3-3.3.4-1"));
    assert!(written.contains("COPY [\"simple_read.py\",\"/app/simple_read.py\"]"));
    fs::write(&dockerfile, "mine\n").unwrap();
    let again = run_env(&args, &[]);
    assert_eq!(code(&again), 2);
    assert!(again.stdout.is_empty());
    assert_eq!(fs::read_to_string(&dockerfile).unwrap(), "mine\n");
}

/// An S3 server (s3s-fs over a temp folder) on a free loopback port, for the test's lifetime.
struct S3Server {
    endpoint: String,
    _root: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn s3_server() -> S3Server {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    use std::io::Write as _;

    let root = tempfile::tempdir().unwrap();
    let bucket = root.path().join("reviews");
    fs::create_dir_all(bucket.join("tsv")).unwrap();
    fs::write(
        bucket.join("tsv/sample.tsv"),
        "marketplace\tstar_rating\nUS\t5\nUS\t4\nUS\t3\n",
    )
    .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..20_000 {
        writeln!(gz, "US\treview {i}\t{}", i % 5 + 1).unwrap();
    }
    fs::write(bucket.join("tsv/big.tsv.gz"), gz.finish().unwrap()).unwrap();
    fs::create_dir_all(root.path().join("empty")).unwrap();
    // The minio example's eventLogDir, with an earlier run's log in it (so the folder exists).
    fs::create_dir_all(root.path().join("spark-history/events-count")).unwrap();
    fs::write(
        root.path().join("spark-history/events-count/spark-0001"),
        "{}\n",
    )
    .unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let fs_root = root.path().to_path_buf();
    runtime.spawn(async move {
        let mut builder =
            s3s::service::S3ServiceBuilder::new(s3s_fs::FileSystem::new(fs_root).unwrap());
        builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let _ = Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    S3Server {
        endpoint,
        _root: root,
        _runtime: runtime,
    }
}

fn keys_env(secret: &str) -> [(&'static str, String); 2] {
    [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY.to_string()),
        ("AWS_SECRET_ACCESS_KEY", secret.to_string()),
    ]
}

/// `check-s3` against the server with path-style requests, as S3-compatible stores need.
fn check_s3(server: &S3Server, extra: &[&str], env: &[(&str, String)]) -> Output {
    check_s3_styled(server, &[&["--path-style"], extra].concat(), env)
}

/// `check-s3` against the server; fails the test if a key value is printed.
fn check_s3_styled(server: &S3Server, extra: &[&str], env: &[(&str, String)]) -> Output {
    let mut args = vec!["check-s3", "--endpoint", &server.endpoint];
    args.extend_from_slice(extra);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let o = run_env(&args, &env);
    for text in [out(&o), err(&o)] {
        assert!(!text.contains(SECRET_KEY), "secret printed: {text}");
        assert!(!text.contains(ACCESS_KEY), "key id printed: {text}");
    }
    o
}

#[test]
fn check_s3_reads_keys_prefixes_and_gzip_from_a_real_server() {
    let server = s3_server();
    let o = check_s3(
        &server,
        &[
            "s3a://reviews/tsv/sample.tsv",
            "s3a://reviews/tsv/",
            "s3a://reviews/tsv/big.tsv.gz",
        ],
        // The environment's keys win over $AWS_PROFILE, whose file is not even read.
        &[
            keys_env(SECRET_KEY).as_slice(),
            &[("AWS_PROFILE", "not-in-any-file".to_string())],
        ]
        .concat(),
    );
    let text = out(&o);
    assert_eq!(code(&o), 0, "{text}{}", err(&o));
    assert!(
        text.contains("credentials: $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY"),
        "{text}"
    );
    assert!(text.contains("| marketplace star_rating"), "{text}");
    assert!(
        text.contains("2 objects under \"tsv/\", first tsv/big.tsv.gz"),
        "{text}"
    );
    assert!(text.contains("(gzip, decompressed)"), "{text}");
    assert!(text.contains("| US review 0 1"), "{text}");
    assert!(text.ends_with("all 3 URLs readable\n"), "{text}");
}

#[test]
fn check_s3_reports_as_json_for_ci_without_key_values() {
    let server = s3_server();
    let o = check_s3(
        &server,
        &[
            "--format",
            "json",
            "s3a://reviews/tsv/sample.tsv",
            "s3a://reviews/not-there",
        ],
        &keys_env(SECRET_KEY),
    );
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    assert!(!out(&o).contains(SECRET_KEY) && !out(&o).contains(ACCESS_KEY));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["pathStyle"], true);
    assert_eq!(v["urls"][0]["url"], "s3a://reviews/tsv/sample.tsv");
    assert_eq!(v["urls"][0]["ok"], true);
    assert_eq!(v["urls"][0]["steps"][0]["name"], "bucket");
    let failed = &v["urls"][1];
    assert_eq!(failed["ok"], false);
    let step = failed["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|st| st["ok"] == false)
        .unwrap();
    assert_eq!(step["finding"]["code"], "KS307", "{step}");
    assert_eq!(step["finding"]["severity"], "error");
}

#[test]
fn check_s3_classifies_each_failure() {
    let server = s3_server();
    let bad_secret = check_s3(
        &server,
        &["s3a://reviews/tsv/sample.tsv"],
        &keys_env("wrong"),
    );
    assert_eq!(code(&bad_secret), 1);
    assert!(
        out(&bad_secret).contains(
            "s3a://reviews/tsv/sample.tsv: error[KS305] in `bucket`: bad credentials: SignatureDoesNotMatch"
        ),
        "{}",
        out(&bad_secret)
    );

    let o = check_s3(
        &server,
        &[
            "s3a://missing-bucket/x",
            "s3a://reviews/tsv/nothing-here.csv",
            "s3a://empty/",
        ],
        &keys_env(SECRET_KEY),
    );
    let text = out(&o);
    assert_eq!(code(&o), 1, "{text}");
    assert!(
        text.contains("s3a://missing-bucket/x: error[KS306] in `bucket`: no such bucket"),
        "{text}"
    );
    assert!(
        text.contains(
            "error[KS307] in `list`: no such key: no objects under \"tsv/nothing-here.csv\""
        ),
        "{text}"
    );
    assert!(text.contains("the bucket is empty"), "{text}");
    assert!(text.ends_with("3 of 3 URLs failed\n"), "{text}");

    // Nothing listens on port 9 of loopback.
    let refused = run_env(
        &[
            "check-s3",
            "--endpoint",
            "http://127.0.0.1:9",
            "--path-style",
            "--anonymous",
            "s3a://reviews/x",
        ],
        &[],
    );
    assert_eq!(code(&refused), 1);
    assert!(
        out(&refused).contains("s3a://reviews/x: error[KS301] in `bucket`: cannot connect"),
        "{}",
        out(&refused)
    );

    // Virtual-hosted style against an IP address cannot work: the fix says path style.
    let virtual_hosted = check_s3_virtual(&server);
    assert!(
        virtual_hosted.contains("pathStyleAccess: true"),
        "{virtual_hosted}"
    );
}

fn check_s3_virtual(server: &S3Server) -> String {
    let o = check_s3_styled(
        server,
        &["s3a://reviews/tsv/sample.tsv"],
        &keys_env(SECRET_KEY),
    );
    assert_eq!(code(&o), 1);
    out(&o)
}

#[test]
fn check_s3_takes_the_config_and_a_profile() {
    let server = s3_server();
    let dir = tempfile::tempdir().unwrap();
    let credentials = dir.path().join("credentials");
    fs::write(
        &credentials,
        format!(
            "[store]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"
        ),
    )
    .unwrap();
    // The minio example, pointed at the test server (base endpoint only; envs keep theirs).
    let text = fs::read_to_string("examples/minio/spark-job.yaml")
        .unwrap()
        .replacen(
            "endpoint: http://minio.storage.svc.cluster.local:9000",
            &format!("endpoint: {}", server.endpoint),
            1,
        )
        .replace("s3a://events/2026/11/", "s3a://reviews/tsv/sample.tsv");
    assert!(text.contains(&server.endpoint));
    let config = dir.path().join("spark-job.yaml");
    let check = |text: &str| {
        fs::write(&config, text).unwrap();
        run_env(
            &[
                "check-s3",
                "--config",
                config.to_str().unwrap(),
                "--profile",
                "store",
                "--aws-credentials",
                credentials.to_str().unwrap(),
            ],
            &[],
        )
    };
    let o = check(&text);
    let stdout = out(&o);
    assert_eq!(code(&o), 0, "{stdout}{}", err(&o));
    assert!(stdout.contains("(path style)"), "{stdout}");
    assert!(stdout.contains("profile [store]"), "{stdout}");
    // Its eventLogDir is written, as Spark will.
    assert!(
        stdout.contains(
            "s3a://spark-history/events-count (output)\n  ok      bucket spark-history answers"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("all 1 URL readable, 1 URL writable\n"),
        "{stdout}"
    );
    assert!(!stdout.contains(SECRET_KEY) && !stdout.contains(ACCESS_KEY));

    // An event log folder with nothing in it does not exist on S3: Spark would refuse to start.
    let o = check(&text.replace(
        "s3a://spark-history/events-count",
        "s3a://spark-history/new-folder",
    ));
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("error[KS307] in `folder`: no such key: nothing under \"new-folder/\": Spark refuses to start when its event log folder does not exist"), "{}", out(&o));
    assert!(
        out(&o).contains("(aws s3api put-object --bucket spark-history --key new-folder/)"),
        "{}",
        out(&o)
    );
}

#[test]
fn check_s3_without_credentials_or_urls_is_bad_input() {
    let o = run_env(&["check-s3", "s3a://reviews/x"], &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("no AWS credentials"), "{}", err(&o));
    let o = run_env(&["check-s3", "--anonymous", "s3://reviews/x"], &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("must start with s3a://"), "{}", err(&o));
    let o = run_env(&["check-s3", "--anonymous"], &[]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("nothing to check"), "{}", err(&o));
}

#[test]
fn check_s3_proves_outputs_writable_and_leaves_nothing() {
    let server = s3_server();
    let o = check_s3(
        &server,
        &[
            "s3a://reviews/tsv/sample.tsv",
            "--write",
            "s3a://reviews/results/daily",
            "--write",
            "s3a://empty/",
        ],
        &keys_env(SECRET_KEY),
    );
    let text = out(&o);
    assert_eq!(code(&o), 0, "{text}{}", err(&o));
    for line in [
        "s3a://reviews/results/daily (output)\n  ok      bucket reviews answers\n  ok      write  put a 44-byte probe object\n  ok      read   read it back unchanged\n  ok      upload completed one multipart upload and aborted another\n  ok      delete deleted the probe objects\n",
        "s3a://empty/ (output)\n",
    ] {
        assert!(text.contains(line), "{text}");
    }
    assert!(
        text.ends_with("all 1 URL readable, 2 URLs writable\n"),
        "{text}"
    );
    // Nothing is left in the buckets: the probe objects are deleted.
    let leftovers: Vec<_> = walk(server._root.path())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("k8s-s3-spark-check"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Wrong keys: the write is refused, nothing is written, and the keys are not printed.
    let o = check_s3(
        &server,
        &["--write", "s3a://reviews/results/daily"],
        &keys_env("wrong-secret"),
    );
    assert_eq!(code(&o), 1, "{}", out(&o));
    assert!(out(&o).contains("bad credentials"), "{}", out(&o));
    assert!(out(&o).ends_with("1 of 1 URL failed\n"), "{}", out(&o));
}

/// Every file below `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn doctor_never_sends_a_jar_names_control_characters_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut jars = GOOD_JARS.to_vec();
    jars.push("hadoop-aws-3.3.4\u{1b}[31mRED\u{7}.jar");
    distribution(
        dir.path(),
        &jars,
        &["python/pyspark", "kubernetes/dockerfiles/spark"],
    );
    let o = run_env(&["doctor", dir.path().to_str().unwrap()], &[]);
    assert!(!out(&o).contains('\u{1b}'), "{}", out(&o));
    assert!(out(&o).contains("\\u001b[31mRED"), "{}", out(&o));
}
