"""A real S3 server (SeaweedFS on 127.0.0.1) and the real S3A jars, shared by the suites that
read S3: test_s3_read (real spark-submit) and test_preflight (check-s3, doctor)."""

import json
import os
import subprocess
import tarfile
import time
import warnings
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
}
# The Maven Central served here has no spark-hadoop-cloud 3.5.9 (404): the same line's 3.5.8 is
# used for pyspark 3.5.9 (doctor accepts another patch release of the line; the test proves it runs).
MAVEN_SUBSTITUTES = {"spark-hadoop-cloud_2.12-3.5.9.jar": "spark-hadoop-cloud_2.12-3.5.8.jar"}


def maven_jar(url):
    """The jar at a Maven Central URL, cached in .cache/maven, its SHA-256 checked against
    MAVEN_SHA256 and its SHA-1 against Maven Central's .sha1 file."""
    import hashlib
    import urllib.request

    name = url.rsplit("/", 1)[1]
    if name in MAVEN_SUBSTITUTES:
        warnings.warn(f"{name} is not served here; using {MAVEN_SUBSTITUTES[name]}")
        old = name.removesuffix(".jar").rsplit("-", 1)[1]
        name = MAVEN_SUBSTITUTES[name]
        new = name.removesuffix(".jar").rsplit("-", 1)[1]
        url = url.replace(f"/{old}/", f"/{new}/").rsplit("/", 1)[0] + "/" + name
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


@pytest.fixture(scope="session")
def table_jars(binary):
    """The jars `versions --spark 3.5.9` names for pyspark 3.5.9 (hadoop-aws, its SDK bundle and
    spark-hadoop-cloud), from Maven Central with checksums verified."""
    text = subprocess.run([binary, "versions", "--spark", "3.5.9"], check=True, capture_output=True, text=True).stdout
    urls = [word for line in text.splitlines() for word in line.split() if word.startswith("https://repo1.maven.org/")]
    assert len(urls) == 3, text
    return [maven_jar(url) for url in urls]


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
