"""Shared helpers for the conformance stage: the real binary, the real tools, temp folders.

Every tool must be installed (`.ci/run` installs them from tests/conformance/requirements.txt);
a missing tool fails the run loudly instead of skipping.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/spark-job.yaml"))
K8S_VERSION = "1.33.0"  # the k8s-openapi feature the objects are typed for (v1_33)


def tool(name):
    """The path of a required tool, next to this Python or on PATH; fails if absent."""
    local = Path(os.sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        pytest.fail(f"required tool {name!r} is not installed; run .ci/run or pip install -r tests/conformance/requirements.txt")
    return found


def binary_path(environ):
    """The binary under test: $K8S_S3_SPARK_BIN, else the release build in $CARGO_TARGET_DIR
    (relative to the repository, as cargo reads it), else in target/."""
    if environ.get("K8S_S3_SPARK_BIN"):
        return Path(environ["K8S_S3_SPARK_BIN"])
    return ROOT / environ.get("CARGO_TARGET_DIR", "target") / "release" / "k8s-s3-spark"


@pytest.fixture(scope="session")
def binary():
    path = binary_path(os.environ)
    if not path.exists():
        pytest.fail(f"{path} does not exist; build it with `cargo build --release`")
    return path


def free_port():
    """A port the OS just gave us on 127.0.0.1 (checked free by binding it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process, timeout):
    """Stops a server started by a test: SIGTERM, then SIGKILL after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run(args, check=True, **kwargs):
    kwargs.setdefault("cwd", ROOT)
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


CLEAR_LINE = "\r\x1b[2K"


def on_terminal(args, env):
    """Runs a command with its stderr on a pseudo-terminal (a real tty of the kernel, as a terminal
    emulator gives) and stdout on a pipe: (exit code, stdout, what the terminal received)."""
    import os
    import pty

    import threading

    leader, follower = pty.openpty()
    process = subprocess.Popen([str(a) for a in args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    # stdout is read beside the terminal: a command that fills the pipe must not wait on us.
    out = []
    reader = threading.Thread(target=lambda: out.append(process.stdout.read()))
    reader.start()
    received = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        received += chunk
    reader.join()
    stdout = out[0].decode()
    process.wait()
    os.close(leader)
    return process.returncode, stdout, received.decode()


def terminal_env(**extra):
    """The environment of a person at a terminal: no CI variable, a capable TERM."""
    import os

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


SUBMITTER_KINDS = ("Job", "CronJob")


def submitter(objects):
    """The object that runs spark-submit: the Job, or the CronJob whose every run is that Job."""
    return next(o for o in objects if o["kind"] in SUBMITTER_KINDS)


def job_spec(obj):
    """The JobSpec of a Job, or of each run of a CronJob."""
    return obj["spec"]["jobTemplate"]["spec"] if obj["kind"] == "CronJob" else obj["spec"]


def pod_spec(obj):
    """The pod spec of the submitter's pod, in a Job or a CronJob."""
    return job_spec(obj)["template"]["spec"]


def pod_annotations(obj):
    """The annotations of the submitter's pod, in a Job or a CronJob."""
    return job_spec(obj)["template"]["metadata"].get("annotations", {})


def env_from_annotation(env_var):
    """The annotation key an env var reads through the downward API (None if it does not)."""
    path = env_var.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath", "")
    prefix, suffix = "metadata.annotations['", "']"
    return path[len(prefix):-len(suffix)] if path.startswith(prefix) and path.endswith(suffix) else None


def submitter_value(obj, name):
    """What the submitter's env var NAME holds in its pod: its value, or the annotation it reads."""
    env = {e["name"]: e for e in pod_spec(obj)["containers"][0].get("env", [])}
    key = env_from_annotation(env[name])
    return pod_annotations(obj)[key] if key else env[name]["value"]


def config_of(example):
    """The parsed spark-job.yaml of an example folder."""
    return yaml.safe_load((example / "spark-job.yaml").read_text())


def documents(text):
    """The non-empty objects of a multi-document YAML stream."""
    return [o for o in yaml.safe_load_all(text) if o]


def render_chart(path, values=None, name=None, namespace=None, tests=False):
    """Renders a chart with the real Helm library, like `helm template`: the objects of its templates,
    or with `tests` only those of templates/tests/ (NOTES.txt is never an object)."""
    from helm_python.chart import Chart  # the Helm library is only needed by the tests that use it

    rendered = Chart.load(str(path)).render(values, name=name, namespace=namespace, is_install=True)
    objects = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt") or ("/tests/" in template) != tests:
            continue
        objects.extend(documents(text))
    return objects


def fill_credentials(tree, key_id, secret):
    """Writes every aws-credentials.env the tree's secretGenerators read, from their .example, as a user would."""
    for sample in Path(tree).rglob("aws-credentials.env.example"):
        keys = [line.split("=")[0] for line in sample.read_text().splitlines() if line and not line.startswith("#")]
        sample.with_name("aws-credentials.env").write_text(f"{keys[0]}={key_id}\n{keys[1]}={secret}\n")


def environments(config):
    """The environment names a config declares."""
    document = yaml.safe_load(Path(config).read_text())
    return sorted(document["spec"].get("environments", {}))


def checkov(directory):
    """checkov's kubernetes results for a folder of manifests: (passed, failed, skipped)."""
    out = run([tool("checkov"), "-d", directory, "--framework", "kubernetes", "--skip-download", "-o", "json"], check=False)
    data = json.loads(out.stdout)
    reports = data if isinstance(data, list) else [data]
    results = {"passed_checks": [], "failed_checks": [], "skipped_checks": []}
    for report in reports:
        for key in results:
            results[key].extend(report.get("results", {}).get(key, []))
    return results


def assert_valid_and_policy_clean(files, folder):
    """The real judges on rendered manifests: kubernetes-validate --strict accepts every file, and
    checkov's kubernetes framework over `folder` passes with every skipped check explained."""
    result = subprocess.run([tool("kubernetes-validate"), "--strict", "-k", K8S_VERSION, "--quiet", *map(str, files)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    results = checkov(folder)
    assert results["passed_checks"], "checkov parsed the manifests"
    failed = [(c["check_id"], c["resource"]) for c in results["failed_checks"]]
    assert not failed, failed
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment", "")
        assert len(reason) > 20, f"{skipped['check_id']} skipped without a reason"


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A real control plane (control_plane.py) for the whole run, with the External Secrets
    Operator's and the Spark Operator's CRDs so their objects are judged by their schemas; its
    logs stay in its folder, named in every failed kubectl call."""
    import control_plane

    folder = tmp_path_factory.mktemp("control-plane")
    with control_plane.start(folder) as plane:
        for crd in [*eso_crd_files(), *spark_operator_crd_files()]:
            plane.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", crd)
        for name in ["externalsecrets.external-secrets.io", *SPARK_OPERATOR_CRDS]:
            # `kubectl wait` fails at once while the CRD has no conditions yet: poll instead.
            plane.wait_for(f"the CRD {name} to be established", lambda name=name: any(
                c["type"] == "Established" and c["status"] == "True"
                for c in plane.json("get", "crd", name).get("status", {}).get("conditions") or []))
        yield plane


ESO_MODULE = "github.com/external-secrets/external-secrets@v1.3.2"
# The version tests/conformance/spark-operator/build builds.
SPARK_OPERATOR_MODULE = "github.com/kubeflow/spark-operator/v2@v2.5.1"
# All three: the operator's manager refuses to start without SparkConnect's.
SPARK_OPERATOR_CRDS = [f"{plural}.sparkoperator.k8s.io"
                       for plural in ("sparkapplications", "scheduledsparkapplications", "sparkconnects")]


def module_dir(module):
    """The folder of a Go module at a pinned version, from the Go module proxy."""
    download = subprocess.run(["go", "mod", "download", "-json", module], capture_output=True, text=True)
    assert download.returncode == 0, download.stdout + download.stderr
    return Path(json.loads(download.stdout)["Dir"])


def eso_crd_files():
    """The External Secrets Operator's CRD files, from its Go module at a pinned version."""
    return [module_dir(ESO_MODULE) / "config/crds/bases/external-secrets.io_externalsecrets.yaml"]


def spark_operator_crd_files():
    """The Spark Operator's CRD files, from its Go module at the version the conformance stage
    builds."""
    bases = module_dir(SPARK_OPERATOR_MODULE) / "config/crd/bases"
    return [bases / f"sparkoperator.k8s.io_{name.split('.')[0]}.yaml" for name in SPARK_OPERATOR_CRDS]


def spark_operator_binary():
    """The spark-operator binary of the pinned module version (spark-operator/build builds it
    once from the Go module proxy, then it is cached)."""
    version = SPARK_OPERATOR_MODULE.rsplit("@", 1)[1]
    result = subprocess.run([str(Path(__file__).parent / "spark-operator" / "build")], capture_output=True,
                            text=True, env=dict(os.environ, SPARK_OPERATOR_VERSION=version))
    assert result.returncode == 0, f"spark-operator/build failed:\n{result.stderr[-5000:]}"
    return result.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def spark_operator_running(cluster, namespaces, log):
    """The real operator's controller watching `namespaces`, running pyspark's spark-submit
    against the control plane (the operator takes the API server's address from
    KUBERNETES_SERVICE_HOST/PORT, spark-submit its credentials from KUBECONFIG); its log (JSON
    lines) goes to `log`."""
    from urllib.parse import urlparse

    from kubelet import SPARK_HOME

    server = urlparse(str(cluster.server))
    env = dict(os.environ, SPARK_HOME=str(SPARK_HOME), KUBECONFIG=str(cluster.kubeconfig),
               KUBERNETES_SERVICE_HOST=server.hostname, KUBERNETES_SERVICE_PORT=str(server.port))
    with open(log, "w") as out:
        process = subprocess.Popen(
            [spark_operator_binary(), "controller", "start", f"--kubeconfig={cluster.kubeconfig}",
             f"--namespaces={','.join(namespaces)}", "--leader-election=false", "--enable-ui-service=false",
             "--metrics-bind-address=0", "--health-probe-bind-address=0"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        stop(process, 10)
