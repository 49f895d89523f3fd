"""Preflight against the real things: `doctor` on the installed pyspark 3.5.9 and on an image
filesystem made of its jars plus the real hadoop-aws 3.3.1 / SDK 1.11.901 jars, and `check-s3`
against SeaweedFS, agreeing with what real spark-submit sees in test_s3_read."""

import gzip
import json
import os

import pytest

from conftest import CLEAR_LINE, ROOT, on_terminal, run
from kubelet import SPARK_HOME
from s3_server import ACCESS_KEY, SECRET_KEY, s3a_jars, seaweed, table_jars  # noqa: F401 (fixtures)

BUCKET = "preflight"
KEY = "tsv/reviews.tsv.gz"


def without_aws_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials"
    env.update(extra)
    return env


def doctor_json(binary, folder):
    result = run([binary, "doctor", "--json", folder], check=False)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def problems(diagnosis):
    return [f"{f['code']} {f['message']} => {f['help']}" for f in diagnosis["findings"] if f["severity"] == "error"]


def test_doctor_on_the_installed_pyspark(binary):
    code, d = doctor_json(binary, SPARK_HOME)
    assert d["layout"] == "pip-install" and d["sparkVersion"].startswith("3.5.")
    assert d["hadoopVersion"] == "3.3.4" and d["scalaVersion"] == "2.12"
    # PyPI wheels carry no S3A: exactly the one problem, with the jars that fit Hadoop 3.3.4.
    assert code == 1
    assert problems(d) == [
        "KS206 no hadoop-aws jar: S3A is missing (jobs fail with ClassNotFoundException: "
        "org.apache.hadoop.fs.s3a.S3AFileSystem) => add hadoop-aws-3.3.4.jar with aws-java-sdk-bundle-1.12.262.jar "
        "to jars/ (`k8s-s3-spark versions --hadoop 3.3.4` gives the download addresses), or build with -Phadoop-cloud"
    ]


def test_doctor_on_an_image_with_the_wrong_hadoop_aws(binary, tmp_path, s3a_jars):
    """pyspark 3.5's jars + the real hadoop-aws 3.3.1 and SDK 1.11.901: the classic mismatch."""
    jars = tmp_path / "opt/spark/jars"
    jars.mkdir(parents=True)
    for jar in [*(SPARK_HOME / "jars").iterdir(), *s3a_jars]:
        (jars / jar.name).symlink_to(jar)
    (tmp_path / "opt/spark/python/pyspark").mkdir(parents=True)
    code, d = doctor_json(binary, tmp_path)
    assert code == 1 and d["layout"] == "image-filesystem"
    assert problems(d) == [
        "KS207 hadoop-aws 3.3.1 but hadoop-client-api 3.3.4 => use hadoop-aws-3.3.4.jar with aws-java-sdk-bundle-1.12.262.jar"
    ]


def image(folder, jars, home=SPARK_HOME):
    """An image filesystem: a pyspark's jars (3.5.9's by default) plus `jars` in opt/spark/jars."""
    target = folder / "opt/spark/jars"
    target.mkdir(parents=True)
    for jar in [*(home / "jars").iterdir(), *jars]:
        (target / jar.name).symlink_to(jar)
    (folder / "opt/spark/python/pyspark").mkdir(parents=True)
    return folder


def notes(diagnosis):
    return [f["code"] for f in diagnosis["findings"] if f["severity"] == "note"]


def test_doctor_on_the_image_the_writing_example_runs(binary, tmp_path, table_jars, s3a_jars):
    """pyspark 3.5.9 + the Maven Central jars our table names (the end-to-end writer's image):
    no problem and no note about writes; without spark-hadoop-cloud, exactly that note; with the
    S3A jars of another Hadoop, exactly that problem."""
    code, d = doctor_json(binary, image(tmp_path / "complete", table_jars))
    assert code == 0 and problems(d) == [] and notes(d) == [], d["findings"]
    no_cloud = [j for j in table_jars if not j.name.startswith("spark-hadoop-cloud")]
    code, d = doctor_json(binary, image(tmp_path / "no-cloud", no_cloud))
    assert code == 0 and notes(d) == ["KS213"], d["findings"]
    cloud = [j for j in table_jars if j.name.startswith("spark-hadoop-cloud")]
    code, d = doctor_json(binary, image(tmp_path / "old-s3a", [*cloud, *s3a_jars]))
    assert problems(d) == [
        "KS207 hadoop-aws 3.3.1 but hadoop-client-api 3.3.4 => use hadoop-aws-3.3.4.jar with aws-java-sdk-bundle-1.12.262.jar"
    ], d["findings"]


@pytest.fixture(scope="module")
def data(seaweed):
    endpoint, client = seaweed
    client.create_bucket(Bucket=BUCKET)
    body = gzip.compress(b"marketplace\tstar_rating\n" + b"".join(b"US\t%d\n" % (i % 5 + 1) for i in range(5000)), mtime=0)
    client.put_object(Bucket=BUCKET, Key=KEY, Body=body)
    client.put_object(Bucket=BUCKET, Key="csv/one.csv", Body=b"a,b\n1,2\n")
    return endpoint


def check_s3(binary, endpoint, urls, secret=SECRET_KEY, extra=()):
    result = run([binary, "check-s3", "--endpoint", endpoint, "--path-style", *extra, *urls], check=False,
                 env=without_aws_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=secret))
    output = result.stdout + result.stderr
    assert SECRET_KEY not in output and ACCESS_KEY not in output and "not-the-secret" not in output
    return result


def test_check_s3_reads_what_spark_reads(binary, data):
    result = check_s3(binary, data, [f"s3a://{BUCKET}/{KEY}", f"s3a://{BUCKET}/csv/"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(gzip, decompressed), first lines:\n             | marketplace star_rating\n             | US 1" in result.stdout
    assert '1 object under "csv/", first csv/one.csv' in result.stdout
    assert result.stdout.endswith("all 2 URLs readable\n")


def test_check_s3_shows_progress_on_a_terminal_only(binary, data):
    """Over several URLs, check-s3 draws its progress on a terminal and erases it before the
    report; the report on stdout is the one a pipe gets, and a pipe gets nothing on stderr."""
    urls = [f"s3a://{BUCKET}/{KEY}", f"s3a://{BUCKET}/csv/", f"s3a://{BUCKET}/csv/one.csv"]
    args = [binary, "check-s3", "--endpoint", data, "--path-style", *urls]
    env = without_aws_env(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    env.pop("CI", None)
    env["TERM"] = "xterm-256color"
    piped = run(args, env=env)
    assert piped.stderr == ""
    code, stdout, terminal = on_terminal(args, env)
    assert code == 0 and stdout == piped.stdout
    assert f"{CLEAR_LINE}checking 3/3 s3a://{BUCKET}/csv/one.csv" in terminal, repr(terminal)
    assert terminal.endswith(CLEAR_LINE) and ACCESS_KEY not in terminal


def test_check_s3_classifies_seaweedfs_failures(binary, data):
    wrong = check_s3(binary, data, [f"s3a://{BUCKET}/{KEY}"], secret="not-the-secret")
    assert wrong.returncode == 1
    assert "error[KS305] in `bucket`: bad credentials: SignatureDoesNotMatch" in wrong.stdout, wrong.stdout
    missing = check_s3(binary, data, [f"s3a://no-such-bucket-here/{KEY}", f"s3a://{BUCKET}/tsv/nope.gz"])
    assert missing.returncode == 1
    assert "s3a://no-such-bucket-here/" + KEY + ": error[KS306] in `bucket`: no such bucket" in missing.stdout, missing.stdout
    assert 'error[KS307] in `list`: no such key: no objects under "tsv/nope.gz"' in missing.stdout, missing.stdout


def test_check_s3_takes_the_generated_jobs_settings(binary, data, tmp_path):
    """--config gives the endpoint, path style and paths the Job uses; keys come from a profile."""
    import yaml
    config = yaml.safe_load((ROOT / "examples/minio/spark-job.yaml").read_text())
    config["spec"]["s3"]["endpoint"] = data
    config["spec"]["s3"]["paths"] = [f"s3a://{BUCKET}/{KEY}"]
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n")
    result = run([binary, "check-s3", "--config", path], check=False,
                 env=without_aws_env(AWS_SHARED_CREDENTIALS_FILE=str(credentials)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "credentials: profile [default]" in result.stdout and "(path style)" in result.stdout
    assert "note: the Job reads its keys from Secret events-count-s3-credentials" in result.stdout
    assert SECRET_KEY not in result.stdout + result.stderr


def test_every_jar_versions_names_is_published_on_maven_central(binary):
    """Every download `versions` can print, for every patch release 0-12 of every line it knows,
    is in its artifact's maven-metadata.xml on Maven Central (Apache skips many patch releases of
    spark-hadoop-cloud: the tool names the nearest published one, or says there is none)."""
    import urllib.request
    import xml.etree.ElementTree as ET

    published = {}

    def releases(group, artifact):
        if (group, artifact) not in published:
            url = f"https://repo1.maven.org/maven2/{group.replace('.', '/')}/{artifact}/maven-metadata.xml"
            with urllib.request.urlopen(url, timeout=120) as response:
                root = ET.fromstring(response.read())
            published[(group, artifact)] = {v.text for v in root.iter("version")}
        return published[(group, artifact)]

    named = set()
    for line in ["3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "4.0", "4.1", "4.2", "4.3"]:
        for patch in range(13):
            report = json.loads(run([binary, "versions", "--spark", f"{line}.{patch}", "--format", "json"]).stdout)
            for jar in report["jars"]:
                group, artifact, version = jar["coordinates"].split(":")
                assert jar["url"].endswith(f"/{artifact}/{version}/{jar['fileName']}"), jar
                named.add((group, artifact, version))
    for group, artifact, version in sorted(named):
        assert version in releases(group, artifact), f"{group}:{artifact}:{version} is not on Maven Central"
    assert any(a.startswith("spark-hadoop-cloud") for _, a, _ in named), named
