"""The conformance runner finds the binary the way cargo places it (issue: it ignored CARGO_TARGET_DIR)."""

import os
from pathlib import Path

from conftest import ROOT, binary_path, run


def test_the_binary_follows_cargo_target_dir_and_an_explicit_path():
    assert binary_path({}) == ROOT / "target" / "release" / "k8s-s3-spark"
    assert binary_path({"CARGO_TARGET_DIR": "/var/cache/t"}) == Path("/var/cache/t/release/k8s-s3-spark")
    assert binary_path({"CARGO_TARGET_DIR": "build"}) == ROOT / "build" / "release" / "k8s-s3-spark"
    assert binary_path({"K8S_S3_SPARK_BIN": "/opt/k", "CARGO_TARGET_DIR": "/var/cache/t"}) == Path("/opt/k")


def test_the_runner_uses_an_explicit_binary_without_building(binary, tmp_path):
    # A target dir that does not exist: the runner must not build into it or look there.
    env = dict(os.environ, K8S_S3_SPARK_BIN=str(binary), CARGO_TARGET_DIR=str(tmp_path / "absent"))
    result = run(["tests/conformance/run", "--collect-only", "-q", "tests/conformance/test_plain.py"], env=env)
    assert "test_plain.py" in result.stdout
    assert not (tmp_path / "absent").exists()
