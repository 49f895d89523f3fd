"""The Spark 4 lines with real Spark and real jars: pyspark 4.1.1 and 4.2.0 from PyPI, with the
jars `versions` names for them fetched from Maven Central (checksums pinned), run by real
spark-submit (local[2]) against SeaweedFS with exactly the settings the generated Job passes.

- `doctor` on each assembled distribution reports no problem; with the SDK v1 left beside the
  SDK v2 hadoop-aws, exactly that warning.
- Spark 4.2's S3A (Hadoop 3.5.0, SDK v2 2.35.4, newer than the 2.30 that started sending request
  checksums by default) reads and writes SeaweedFS with no checksum setting of ours: hadoop-aws
  3.4.3+ asks only for the checksums S3 requires (`fs.s3a.checksum.generation` false).
- EKS Pod Identity: the provider class the Job names reads container credentials from a full
  URI with the token file, as the EKS Pod Identity Agent serves them.
The cluster runs of the Spark 4 lines are in test_end_to_end."""

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from conftest import ROOT, documents, run
from s3_server import ACCESS_KEY, SECRET_KEY, seaweed, spark41, spark42, table_jars  # noqa: F401 (fixtures)
from test_preflight import doctor_json, image, notes, problems
from test_s3_read import BUCKET, COLUMNS, KEY, synthetic_reviews

WRITTEN = ("spark4", "counts")  # bucket, prefix


def test_doctor_on_the_assembled_spark_4_distributions(binary, tmp_path, spark41, spark42, table_jars):
    for name, (home, jars) in {"4.1.1": spark41, "4.2.0": spark42}.items():
        code, d = doctor_json(binary, image(tmp_path / name, jars, home))
        assert d["sparkVersion"] == name and d["scalaVersion"] == "2.13", d
        assert code == 0 and problems(d) == [], d["findings"]
        # 4.2's spark-hadoop-cloud is not served here (s3_server.MAVEN_MISSING): the note says so.
        assert notes(d) == ([] if name == "4.1.1" else ["KS213"]), d["findings"]
        assert not [f for f in d["findings"] if f["severity"] == "warning"], d["findings"]
    home, jars = spark41
    v1 = next(j for j in table_jars if j.name.startswith("aws-java-sdk-bundle-"))
    code, d = doctor_json(binary, image(tmp_path / "v1-beside-v2", [*jars, v1], home))
    found = [(f["severity"], f["code"]) for f in d["findings"]]
    assert code == 0 and found == [("warning", "KS214")], d["findings"]
    assert "the AWS SDK v1 1.12.262 is here, but hadoop-aws 3.4.2 uses the SDK v2 (2.29.52)" in d["findings"][0]["message"]


def generated_args(binary, tmp_path, example, **spec):
    """The Job's spark-submit arguments for an example pointed at SeaweedFS, with `spec` merged
    into its spec (and its s3 section)."""
    config = yaml.safe_load((ROOT / "examples" / example / "spark-job.yaml").read_text())
    s3 = spec.pop("s3", {})
    config["spec"].update(spec)
    config["spec"]["s3"].update(s3)
    config["spec"]["s3"] = {k: v for k, v in config["spec"]["s3"].items() if v is not None}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    job = next(o for o in documents(run([binary, "render", path]).stdout) if o["kind"] == "Job")
    return job["spec"]["template"]["spec"]["containers"][0]["args"]


def spark_submit(home, jars, args, application, tmp_path, env):
    """spark-submit --master local[2] with the Job's S3A (`spark.hadoop.*`) and SQL confs."""
    confs = [args[i + 1] for i, a in enumerate(args) if a == "--conf" and args[i + 1].startswith(("spark.hadoop.", "spark.sql."))]
    app = next(i for i, a in enumerate(args) if a.startswith("local://"))
    command = [str(home / "bin/spark-submit"), "--master", "local[2]", "--jars", ",".join(map(str, jars))]
    for conf in confs:
        command += ["--conf", conf]
    command += [str(application), *args[app + 1:]]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "AWS_", "PYTHONPATH"))}
    clean.update(SPARK_HOME=str(home), HOME=str(tmp_path), PYSPARK_PYTHON=os.sys.executable, **env)
    return subprocess.run(command, capture_output=True, text=True, env=clean, timeout=300, cwd=tmp_path)


@pytest.fixture(scope="module")
def uploaded(seaweed):
    _, client = seaweed
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key=KEY, Body=synthetic_reviews())


def test_spark_4_2_reads_and_writes_seaweedfs_with_the_sdk_v2_checksum_defaults(binary, tmp_path, seaweed, uploaded, spark42):
    endpoint, client = seaweed
    client.create_bucket(Bucket=WRITTEN[0])
    home, jars = spark42
    keys = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    s3 = {"endpoint": endpoint, "pathStyleAccess": True, "region": "us-east-1", "paths": [f"s3a://{BUCKET}/{KEY}"]}
    args = generated_args(binary, tmp_path, "amazon-reviews", sparkVersion="4.2.0", s3=s3)
    assert not [a for a in args if "checksum" in a], args
    result = spark_submit(home, jars, args, ROOT / "examples/amazon-reviews/simple_read.py", tmp_path, keys)
    assert result.returncode == 0, result.stderr[-4000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert table[0].replace(" ", "").split("|")[1:-1] == COLUMNS and len(table) == 11, result.stdout
    # Writes: without spark-hadoop-cloud 4.2.0 (not served here) through Spark's classic
    # committer, which still puts, lists, copies and deletes objects through S3A and the SDK.
    output = f"s3a://{WRITTEN[0]}/{WRITTEN[1]}"
    args = generated_args(binary, tmp_path, "reviews-summary", sparkVersion="4.2.0",
                          arguments=[f"s3a://{BUCKET}/{KEY}", output], s3={**s3, "outputs": None, "committer": None})
    # S3A's client factory logs the checksum policy it gives the SDK (at debug).
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "log4j2.properties").write_text(
        "rootLogger.level = warn\nrootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\nappender.console.target = SYSTEM_ERR\n"
        "appender.console.layout.type = PatternLayout\nappender.console.layout.pattern = %p %c: %m%n\n"
        "logger.s3a.name = org.apache.hadoop.fs.s3a.DefaultS3ClientFactory\nlogger.s3a.level = debug\n")
    result = spark_submit(home, jars, args, ROOT / "examples/reviews-summary/summarize.py", tmp_path,
                          {**keys, "SPARK_CONF_DIR": str(conf)})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "Using checksum calculation policy: WHEN_REQUIRED" in result.stderr, result.stderr[-4000:]
    assert f"wrote 5 rows to {output}" in result.stdout, result.stdout[-3000:]
    written = [o["Key"] for o in client.list_objects_v2(Bucket=WRITTEN[0], Prefix=WRITTEN[1] + "/")["Contents"]]
    assert f"{WRITTEN[1]}/_SUCCESS" in written and any(k.endswith(".parquet") for k in written), written


class CredentialsAgent(BaseHTTPRequestHandler):
    """The EKS Pod Identity Agent's side: credentials for a request carrying the pod's token."""

    token = "eks-pod-identity-token-for-the-test"
    requests = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        CredentialsAgent.requests.append((self.path, self.headers.get("Authorization")))
        if self.headers.get("Authorization") != self.token:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY,
                           "Expiration": "2099-01-01T00:00:00Z"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_pod_identity_reads_s3_through_the_container_credentials_the_agent_serves(binary, tmp_path, seaweed, uploaded, spark41):
    endpoint, _ = seaweed
    home, jars = spark41
    s3 = {"endpoint": endpoint, "pathStyleAccess": True, "region": "us-east-1", "paths": [f"s3a://{BUCKET}/{KEY}"],
          "credentials": {"podIdentity": {}}}
    args = generated_args(binary, tmp_path, "amazon-reviews", sparkVersion="4.1.1", s3=s3)
    assert "spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider" in args
    assert not [a for a in args if "secretKeyRef" in a], args
    server = ThreadingHTTPServer(("127.0.0.1", 0), CredentialsAgent)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    token = tmp_path / "eks-pod-identity-token"
    token.write_text(CredentialsAgent.token)
    # What the agent's webhook puts in each pod of the associated service account.
    env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": f"http://127.0.0.1:{server.server_port}/v1/credentials",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(token)}
    try:
        result = spark_submit(home, jars, args, ROOT / "examples/amazon-reviews/simple_read.py", tmp_path, env)
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-4000:]
    assert len([line for line in result.stdout.splitlines() if line.startswith("|")]) == 11, result.stdout
    assert ("/v1/credentials", CredentialsAgent.token) in CredentialsAgent.requests, CredentialsAgent.requests
