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


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory):
    """A real S3 server on 127.0.0.1 with one identity; stopped at the end even on failure."""
    root = tmp_path_factory.mktemp("seaweed")
    (root / "data").mkdir()
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "test", "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                                                   "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}]}))
    ports = {name: free_port() for name in ["s3", "master", "master.grpc", "volume", "volume.grpc", "filer",
                                            "filer.grpc", "admin", "admin.grpc", "webdav"]}
    command = [tool("weed"), "mini", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-s3.config={config}", "-master.telemetry=false", "-admin.ui=false", "-webdav=false",
               "-s3.port.iceberg=0", "-s3.port.lance=0", "-volume.max=4"]
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
        yield endpoint, client
    finally:
        stop(process, timeout=20)
        log.close()
