"""A real S3 server (SeaweedFS on 127.0.0.1) and the real S3A jars, shared by the suites that
read S3: test_s3_read (real spark-submit) and test_preflight (check-s3, doctor)."""

import json
import os
import subprocess
import tarfile
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from conftest import ROOT, free_port, stop, tool

ACCESS_KEY = "AKIASEAWEEDTEST00001"
SECRET_KEY = "seaweed/Secret+Key/0123456789abcdef"
# An identity that may read and list but not write: check-s3 must name the permission missing.
READER_KEY = ("AKIASEAWEEDREADER001", "seaweed/Reader+Key/0123456789abcdef")
JARS = {"hadoop-aws-3.3.1.jar", "aws-java-sdk-bundle-1.11.901.jar"}
CACHE = ROOT / ".cache"


@pytest.fixture(scope="session")
def s3a_jars():
    """hadoop-aws 3.3.1 + aws-java-sdk-bundle 1.11.901 from sagemaker-pyspark 1.4.5, cached in .cache/jars."""
    target = CACHE / "jars"
    if not all((target / j).exists() for j in JARS):
        downloads = CACHE / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        subprocess.run([os.sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                        "-d", str(downloads), "sagemaker-pyspark==1.4.5"], check=True, capture_output=True)
        archive = next(downloads.glob("sagemaker_pyspark-1.4.5.tar.gz"))
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                name = Path(member.name).name
                if name in JARS:
                    with tar.extractfile(member) as src:
                        (target / name).write_bytes(src.read())
    return [target / j for j in sorted(JARS)]


# SHA-256 of the jars taken from Maven Central, pinned here: a download must match exactly (and
# also the .sha1 Maven Central publishes beside it).
MAVEN_SHA256 = {
    "hadoop-aws-3.3.4.jar": "53f9ae03c681a30a50aa17524bd9790ab596b28481858e54efd989a826ed3a4a",
    "aws-java-sdk-bundle-1.12.262.jar": "873fe7cf495126619997bec21c44de5d992544aea7e632fdc77adb1a0915bae5",
    "spark-hadoop-cloud_2.12-3.5.8.jar": "9c9be6d3e185c2c9f53e66f8781f0fa32944882ced2c5c08945a78eb2f989ced",
    # Spark 4.1 (Hadoop 3.4.2, SDK v2 2.29.52)
    "hadoop-aws-3.4.2.jar": "d2d24e6b715b5656b9d238bf13b6682a07e2004dd36aad74a73aeb854319f4d9",
    "bundle-2.29.52.jar": "62638f33045690c6bc5e496b54b0b2e89a9ad38cbedacdf6e017fea6bc85f55c",
    "spark-hadoop-cloud_2.13-4.1.1.jar": "e5b41b43d481510afd0cdc372b593770ddee5a0a348d0744cef6c6cd77a27943",
    # Spark 4.2 (Hadoop 3.5.0, SDK v2 2.35.4, the analytics accelerator)
    "hadoop-aws-3.5.0.jar": "66bd9eefb938b1a1657487324b63c13df2d8b17164a1dd24e0ef37b905bc5baa",
    "bundle-2.35.4.jar": "db4b55f24ad1b4e70f17eb1717a4de76a8dadc5a27d764be7c44ff67b2c1c677",
    "analyticsaccelerator-s3-1.3.1.jar": "4959a9747cbb479c73c3ffbcd479bee5b014f8b2880994585a8693fb9d24675e",
}
# The Spark 4 lines, from PyPI (source distributions: the jars are in them), pinned by SHA-256.
PYSPARK_SHA256 = {
    "4.1.1": "77f78984aa84fbe865c717dd37b49913b4e5c97d76ef6824f932f1aefa6621ec",
    "4.2.0": "5ad689d53570ee1674193fd4f9bda065f0db3be9363a27d2a3406cc457b70b61",
}
def maven_jar(url):
    """The jar at a Maven Central URL, cached in .cache/maven, its SHA-256 checked against
    MAVEN_SHA256 and its SHA-1 against Maven Central's .sha1 file."""
    import hashlib
    import urllib.request

    name = url.rsplit("/", 1)[1]
    assert name in MAVEN_SHA256, f"pin the SHA-256 of {name} in MAVEN_SHA256"
    target = CACHE / "maven" / name
    if not target.exists() or hashlib.sha256(target.read_bytes()).hexdigest() != MAVEN_SHA256[name]:
        target.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=600) as response:
            data = response.read()
        with urllib.request.urlopen(url + ".sha1", timeout=60) as response:
            sha1 = response.read().decode().split()[0]
        assert hashlib.sha1(data).hexdigest() == sha1, f"{url}: SHA-1 differs from Maven Central's .sha1"
        assert hashlib.sha256(data).hexdigest() == MAVEN_SHA256[name], f"{url}: SHA-256 differs from the pinned one"
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.rename(target)
    return target


def versions_jars(binary, spark):
    """The jars `versions --spark SPARK --format json` names (hadoop-aws, its SDK bundle, the
    other jars S3A loads, the published spark-hadoop-cloud nearest to SPARK when the line has
    one), from Maven Central with checksums verified."""
    report = json.loads(subprocess.run([binary, "versions", "--spark", spark, "--format", "json"], check=True,
                                       capture_output=True, text=True).stdout)
    assert report["jars"], report
    return [maven_jar(jar["url"]) for jar in report["jars"]]


@pytest.fixture(scope="session")
def table_jars(binary):
    """The jars `versions --spark 3.5.9` names for pyspark 3.5.9 (hadoop-aws, its SDK bundle and
    spark-hadoop-cloud 3.5.8, the nearest published release of the line), from Maven Central
    with checksums verified."""
    jars = versions_jars(binary, "3.5.9")
    assert [j.name for j in jars][-1] == "spark-hadoop-cloud_2.12-3.5.8.jar", jars
    assert len(jars) == 3, jars
    return jars


def pyspark_home(version):
    """SPARK_HOME of pyspark VERSION from PyPI, its SHA-256 pinned, installed into .cache (the
    venv keeps pyspark 3.5.9; spark-submit puts its own python/lib/pyspark.zip first)."""
    target = CACHE / f"pyspark-{version}"
    home = target / "pyspark"
    if not (home / "bin" / "spark-submit").exists():
        requirements = CACHE / f"pyspark-{version}.txt"
        requirements.parent.mkdir(parents=True, exist_ok=True)
        requirements.write_text(f"pyspark=={version} --hash=sha256:{PYSPARK_SHA256[version]}\n")
        partial = CACHE / f"pyspark-{version}.part"
        subprocess.run(["rm", "-rf", str(partial)], check=True)
        subprocess.run([os.sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--require-hashes",
                        "--target", str(partial), "-r", str(requirements)], check=True, capture_output=True)
        partial.rename(target)
    return home


@pytest.fixture(scope="session")
def spark41(binary):
    """pyspark 4.1.1 and the jars `versions --spark 4.1.1` names: hadoop-aws 3.4.2, the SDK v2
    bundle 2.29.52 and spark-hadoop-cloud_2.13 4.1.1."""
    jars = versions_jars(binary, "4.1.1")
    assert [j.name for j in jars] == ["hadoop-aws-3.4.2.jar", "bundle-2.29.52.jar", "spark-hadoop-cloud_2.13-4.1.1.jar"]
    return pyspark_home("4.1.1"), jars


@pytest.fixture(scope="session")
def spark42(binary):
    """pyspark 4.2.0 and the jars `versions --spark 4.2.0` names: hadoop-aws 3.5.0, the SDK v2
    bundle 2.35.4 and analyticsaccelerator-s3 1.3.1 (Maven Central has no spark-hadoop-cloud of
    the 4.2 line yet, and versions says so, so no writes through the committers on 4.2)."""
    jars = versions_jars(binary, "4.2.0")
    assert [j.name for j in jars] == ["hadoop-aws-3.5.0.jar", "bundle-2.35.4.jar", "analyticsaccelerator-s3-1.3.1.jar"]
    return pyspark_home("4.2.0"), jars


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    """A real S3 server on 127.0.0.1 with one identity; stopped at the end even on failure."""
    root = tmp_path_factory.mktemp("seaweed")
    (root / "data").mkdir()
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "test", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                                                   "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]},
                                                  {"name": "reader", "actions": ["Read", "List"],
                                                   "credentials": [{"accessKey": READER_KEY[0], "secretKey": READER_KEY[1]}]}]}))
    ports = {name: free_port() for name in ["s3", "master", "master.grpc", "volume", "volume.grpc", "filer",
                                            "filer.grpc", "admin", "admin.grpc", "webdav"]}
    command = [tool("weed"), "mini", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-s3.config={config}", "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
               "-s3.port.iceberg=0", "-s3.port.lance=0",
               # Each bucket is a collection with volumes of its own: with 4 in all, the fifth bucket
               # written to got "No writable volumes and no free volumes left" (HTTP 500).
               "-volume.max=16"]
    command += [f"-{name.replace('.grpc', '.port.grpc') if '.grpc' in name else name + '.port'}={port}"
                for name, port in ports.items()]
    log = open(root / "weed.log", "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                          region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client.list_buckets()
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("SeaweedFS did not start:\n" + (root / "weed.log").read_text()[-3000:])
                time.sleep(0.5)
        # The MinIO example's eventLogDir: Spark refuses to start unless the folder exists, and on
        # S3 a folder exists once something is under it (here S3A's empty marker object).
        client.create_bucket(Bucket="spark-history")
        client.put_object(Bucket="spark-history", Key="events-count/", Body=b"")
        yield endpoint, client
    finally:
        stop(process, timeout=20)
        log.close()
