"""The shipped example application reads S3 for real: a SeaweedFS server on 127.0.0.1, a synthetic
Amazon-reviews TSV.gz, and real spark-submit (pyspark 3.5, local[2]) with exactly the S3A settings
and credential env vars our generator produces for an S3-compatible endpoint, plus hadoop-aws 3.3.1
and aws-java-sdk-bundle 1.11.901 from PyPI's sagemaker-pyspark sdist. Wrong keys must be refused."""

import gzip
import io
import os
import subprocess

import pytest
import yaml

from conftest import ROOT, documents, run
from kubelet import SPARK_HOME, SPARK_SUBMIT
from s3_server import ACCESS_KEY, SECRET_KEY, s3a_jars, seaweed  # noqa: F401 (fixtures)

BUCKET = "amazon-reviews-pds"
KEY = "tsv/amazon_reviews_us_Digital_Video_Download_v1_00.tsv.gz"
COLUMNS = ["marketplace", "customer_id", "review_id", "product_id", "product_parent", "product_title",
           "product_category", "star_rating", "helpful_votes", "total_votes", "vine", "verified_purchase",
           "review_headline", "review_body", "review_date"]


def synthetic_reviews(rows=40):
    """A TSV.gz shaped like the Amazon reviews dataset: header and `rows` rows."""
    lines = ["\t".join(COLUMNS)]
    for i in range(rows):
        lines.append("\t".join(["US", str(10000000 + i), f"R{i:013d}", f"B{i:09d}", str(500000000 + i), f"Title {i}",
                                "Digital_Video_Download", str(1 + i % 5), str(i % 7), str(i % 9), "N", "Y",
                                f"Headline {i}", f"Body of review {i}", "2015-08-31"]))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:
        gz.write(("\n".join(lines) + "\n").encode())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def uploaded(seaweed):
    endpoint, client = seaweed
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key=KEY, Body=synthetic_reviews())  # no Content-Encoding: S3A reads raw gz
    return endpoint


def generated_job(binary, tmp_path, endpoint):
    """The amazon-reviews config pointed at the local S3 server, rendered by the tool."""
    config = yaml.safe_load((ROOT / "examples/amazon-reviews/spark-job.yaml").read_text())
    config["spec"]["s3"] = {"endpoint": endpoint, "pathStyleAccess": True, "region": "us-east-1",
                            "credentials": {"secret": {"name": "aws-secrets"}}}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    objects = documents(run([binary, "render", path]).stdout)
    return next(o for o in objects if o["kind"] == "Job")


def local_run(job, jars, tmp_path, access_key, secret_key, extra_confs=()):
    """spark-submit --master local[2] with the Job's S3A confs and the env its secretKeyRefs give."""
    container = job["spec"]["template"]["spec"]["containers"][0]
    args = container["args"]
    confs = [args[i + 1] for i, a in enumerate(args) if a == "--conf" and args[i + 1].startswith("spark.hadoop.")]
    # The driver is the Job's container: its keys are env vars from the Secret.
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"]["key"] for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})}
    secret_data = {"AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    app_index = next(i for i, a in enumerate(args) if a.startswith("local://"))
    application = ROOT / "examples/amazon-reviews/simple_read.py"
    command = [str(SPARK_SUBMIT), "--master", "local[2]", "--jars", ",".join(map(str, jars))]
    for conf in [*confs, *extra_confs]:
        command += ["--conf", conf]
    command += [str(application), *args[app_index + 1:]]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPARK_", "PYSPARK_", "AWS_"))}
    env.update(SPARK_HOME=str(SPARK_HOME), HOME=str(tmp_path), PYSPARK_PYTHON=os.sys.executable)
    env.update({var: secret_data[key] for var, key in refs.items()})  # the Secret keys the Job maps to these vars
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def test_simple_read_shows_ten_rows_with_generated_settings(binary, tmp_path, uploaded, s3a_jars):
    job = generated_job(binary, tmp_path, uploaded)
    result = local_run(job, s3a_jars, tmp_path, ACCESS_KEY, SECRET_KEY)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("|")]
    assert table[0].replace(" ", "").split("|")[1:-1] == COLUMNS
    rows = table[1:]
    assert len(rows) == 10 and all("|        US|" in r or "|US|" in r.replace(" ", "") for r in rows), result.stdout


def test_wrong_keys_are_refused(binary, tmp_path, uploaded, s3a_jars):
    job = generated_job(binary, tmp_path, uploaded)
    # Test-only: without these the AWS SDK backs off and retries for minutes before giving up.
    no_retries = ["spark.hadoop.fs.s3a.attempts.maximum=1", "spark.hadoop.fs.s3a.retry.limit=1"]
    result = local_run(job, s3a_jars, tmp_path, ACCESS_KEY, "not-the-secret", no_retries)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "403" in output or "SignatureDoesNotMatch" in output or "AccessDenied" in output, output[-3000:]
