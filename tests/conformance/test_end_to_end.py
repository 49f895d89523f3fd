"""The whole job on the real control plane, with the test node (node_agent.py) running its pods:
the Job controller makes the Job's pod, the scheduler binds it, the node runs spark-submit in it
(client mode: the Spark driver), the driver creates its executors through the Role under Pod
Security `restricted`, the node runs them, they read the Amazon reviews file from SeaweedFS through
S3A, and the Job's status is the application's. Every step is read back from the API server."""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, documents, run
from kubelet import SPARK_HOME
from node_agent import GATEWAY, NodeAgent
from s3_server import ACCESS_KEY, SECRET_KEY, s3a_jars, seaweed  # noqa: F401 (fixtures)
from test_s3_read import BUCKET, COLUMNS, KEY, synthetic_reviews

EXAMPLE = next(e for e in EXAMPLES if e.name == "amazon-reviews")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the test node makes network and mount namespaces, "
                                "which needs root (CI runs as root)")
JAVA_HOME = str(Path(os.path.realpath(shutil.which("java"))).parents[1])


def spark_entrypoint(args, env):
    """The Apache Spark image's entrypoint for a pod without a command: `executor` starts
    KubernetesExecutorBackend from the env Spark gave the executor pod (as entrypoint.sh does)."""
    if args[:1] != ["executor"]:
        return args
    options = [env[k] for k in sorted((k for k in env if k.startswith("SPARK_JAVA_OPT_")),
                                      key=lambda k: int(k.rsplit("_", 1)[1]))]
    memory = env["SPARK_EXECUTOR_MEMORY"]
    return [f"{JAVA_HOME}/bin/java", *options, f"-Xms{memory}", f"-Xmx{memory}",
            "-cp", f"{env.get('SPARK_CONF_DIR', '/opt/spark/conf')}:/opt/spark/jars/*",
            "org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend",
            "--driver-url", env["SPARK_DRIVER_URL"], "--executor-id", env["SPARK_EXECUTOR_ID"],
            "--cores", env["SPARK_EXECUTOR_CORES"], "--app-id", env["SPARK_APPLICATION_ID"],
            "--hostname", env["SPARK_EXECUTOR_POD_IP"], "--resourceProfileId", env.get("SPARK_RESOURCE_PROFILE_ID", "0"),
            "--podName", env["SPARK_EXECUTOR_POD_NAME"]]


def spark_image(folder, jars):
    """The image's /opt/spark: pyspark 3.5.9's distribution with the S3A jars added to its jars."""
    home = folder / "opt-spark"
    home.mkdir(parents=True)
    for entry in SPARK_HOME.iterdir():
        if entry.name != "jars":
            (home / entry.name).symlink_to(entry)
    (home / "jars").mkdir()
    for jar in [*(SPARK_HOME / "jars").iterdir(), *jars]:
        (home / "jars" / Path(jar).name).symlink_to(jar)
    (home / "work-dir").mkdir()
    (home / "conf").mkdir()
    return home


@pytest.fixture(scope="module")
def node(cluster, tmp_path_factory, s3a_jars, seaweed):
    endpoint, client = seaweed
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key=KEY, Body=synthetic_reviews())
    # Not under /tmp: pods mount their own /tmp over it, and their volumes live in this folder.
    folder = Path(tempfile.mkdtemp(prefix="k8s-s3-spark-node-", dir="/var/lib"))
    # The image's /opt/spark links into .cache (pyspark, the jars, the venv's Python): it is bound
    # at its own path too, after a pod's own /tmp (a clone may live under /tmp).
    cache = Path(os.path.realpath(SPARK_HOME)).parents[3]
    image = {"paths": {"/opt/spark": spark_image(folder, s3a_jars), "/app": EXAMPLE, str(cache): cache,
                       **{str(Path(j).parent): Path(j).parent for j in s3a_jars}},
             "env": {"JAVA_HOME": JAVA_HOME, "SPARK_HOME": "/opt/spark", "PYSPARK_PYTHON": os.sys.executable,
                     "HOME": "/tmp"},
             "workdir": "/opt/spark/work-dir", "entrypoint": spark_entrypoint}
    config = yaml.safe_load((EXAMPLE / "spark-job.yaml").read_text())
    s3_port = int(endpoint.rsplit(":", 1)[1])
    agent = NodeAgent(cluster, folder, {config["spec"]["image"]: image}, forwards={s3_port: s3_port}).start()
    try:
        yield agent, f"http://{GATEWAY}:{s3_port}"
    finally:
        agent.stop()
        shutil.rmtree(folder, ignore_errors=True)


def the_job(binary, tmp_path, endpoint, namespace):
    """The example pointed at SeaweedFS in the test network, rendered into `namespace`."""
    config = yaml.safe_load((EXAMPLE / "spark-job.yaml").read_text())
    config["metadata"]["namespace"] = namespace
    config["spec"]["s3"].update({"endpoint": endpoint, "pathStyleAccess": True, "region": "us-east-1"})
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    return documents(run([binary, "render", path]).stdout)


def wait_for_job(cluster, namespace, name, timeout=300):
    """The Job's final condition (Complete or Failed) as the API server reports it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = cluster.json("get", "job", name, "-n", namespace)
        for condition in job["status"].get("conditions", []):
            if condition["type"] in ("Complete", "Failed") and condition["status"] == "True":
                return condition, job
        time.sleep(1)
    raise AssertionError(f"Job {namespace}/{name} did not finish:\n" + json.dumps(job["status"], indent=1))


def start(cluster, objects, namespace, secret=(ACCESS_KEY, SECRET_KEY)):
    cluster.restricted_namespace(namespace)
    if secret:
        cluster.kubectl("create", "secret", "generic", "aws-secrets", "-n", namespace,
                        f"--from-literal=AWS_ACCESS_KEY_ID={secret[0]}", f"--from-literal=AWS_SECRET_ACCESS_KEY={secret[1]}")
    path = Path(cluster.folder) / f"{namespace}.yaml"
    path.write_text(yaml.safe_dump_all([o for o in objects if o["kind"] != "Namespace"]))
    cluster.kubectl("apply", "--server-side", "-f", path)
    return next(o for o in objects if o["kind"] == "Job")["metadata"]["name"]


def job_pod(cluster, namespace, name):
    [pod] = cluster.json("get", "pods", "-n", namespace, "-l", f"batch.kubernetes.io/job-name={name}")["items"]
    return pod


def test_the_amazon_reviews_job_runs_to_completion(binary, cluster, node, tmp_path):
    agent, endpoint = node
    namespace = "e2e-reviews"
    name = start(cluster, the_job(binary, tmp_path, endpoint, namespace), namespace)
    condition, job = wait_for_job(cluster, namespace, name)
    pod = job_pod(cluster, namespace, name)
    log = agent.logs(namespace, pod["metadata"]["name"])
    assert condition["type"] == "Complete", log[-4000:] + "\n".join(agent.errors)
    assert job["status"]["succeeded"] == 1
    assert pod["spec"]["nodeName"] == agent.name and pod["status"]["phase"] == "Succeeded"
    # The driver's log, as `kubectl logs job/NAME` gets it through the API server, shows the rows
    # the executors the node ran for it read.
    log = cluster.kubectl("logs", f"job/{name}", "-n", namespace).stdout
    table = [line for line in log.splitlines() if line.startswith("|")]
    assert table and table[0].replace(" ", "").split("|")[1:-1] == COLUMNS, log[-4000:]
    assert len(table) == 11, log[-4000:]
    executors = [p for p in agent.ran if p.obj["metadata"].get("labels", {}).get("spark-role") == "executor"
                 and p.namespace == namespace]
    assert executors, "the driver created executors and the node ran them"
    for executor in executors:
        assert executor.obj["metadata"]["ownerReferences"][0]["uid"] == pod["metadata"]["uid"]
        assert "Successfully registered with driver" in executor.log.read_text(errors="replace")
    # The driver deleted its executors when the application ended.
    cluster.wait_for("the executors to be deleted",
                     lambda: not cluster.json("get", "pods", "-n", namespace, "-l", "spark-role=executor")["items"],
                     timeout=30)


def test_wrong_keys_fail_the_job_with_the_reason(binary, cluster, node, tmp_path):
    agent, endpoint = node
    namespace = "e2e-wrong-keys"
    objects = the_job(binary, tmp_path, endpoint, namespace)
    for o in objects:  # test-only: S3A's retries of a 403 take minutes otherwise
        if o["kind"] == "Job":
            o["spec"]["template"]["spec"]["containers"][0]["args"][-2:-2] = [
                "--conf", "spark.hadoop.fs.s3a.attempts.maximum=1", "--conf", "spark.hadoop.fs.s3a.retry.limit=1"]
    name = start(cluster, objects, namespace, secret=(ACCESS_KEY, "not-the-secret"))
    condition, job = wait_for_job(cluster, namespace, name)
    assert condition["type"] == "Failed" and job["status"].get("failed") == 1
    pod = job_pod(cluster, namespace, name)
    terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert terminated["exitCode"] == 1 and terminated["reason"] == "Error"
    # The log's tail is the termination message (FallbackToLogsOnError): Spark's last lines.
    assert terminated["message"] and "ShutdownHookManager" in terminated["message"]
    log = agent.logs(namespace, pod["metadata"]["name"])
    assert "403" in log and "AccessDenied" in log or "SignatureDoesNotMatch" in log, log[-3000:]


def test_a_missing_secret_leaves_the_pod_waiting_with_the_reason(binary, cluster, node, tmp_path):
    agent, endpoint = node
    namespace = "e2e-no-secret"
    name = start(cluster, the_job(binary, tmp_path, endpoint, namespace), namespace, secret=None)

    def waiting():
        pods = cluster.json("get", "pods", "-n", namespace, "-l", f"batch.kubernetes.io/job-name={name}")["items"]
        statuses = [s for p in pods for s in p["status"].get("containerStatuses", [])]
        return [s["state"]["waiting"] for s in statuses if "waiting" in s["state"]]

    [state] = cluster.wait_for("the pod to wait for its Secret", waiting, timeout=60)
    assert state["reason"] == "CreateContainerConfigError"
    assert 'secret "aws-secrets" not found' in state["message"]


def test_deleting_a_running_job_leaves_no_driver_or_executor(binary, cluster, node, tmp_path):
    """The Job deleted while its application runs (the submitter killed mid-job): the garbage
    collector deletes its pod, the node stops the driver, and the executors, owned by that pod,
    go the same way: nothing is left running or on the API server."""
    agent, endpoint = node
    namespace = "e2e-deleted"
    name = start(cluster, the_job(binary, tmp_path, endpoint, namespace), namespace)

    def running_executors():
        pods = cluster.json("get", "pods", "-n", namespace, "-l", "spark-role=executor")["items"]
        return [p for p in pods if p["status"].get("phase") == "Running"]

    cluster.wait_for("an executor to run", running_executors, timeout=120)
    cluster.kubectl("delete", "job", name, "-n", namespace, "--cascade=background")
    cluster.wait_for("every pod of the job to be gone",
                     lambda: not cluster.json("get", "pods", "-n", namespace)["items"], timeout=90)
    ours = [p for p in agent.ran if p.namespace == namespace]
    assert any(p.obj["metadata"].get("labels", {}).get("spark-role") == "executor" for p in ours)
    cluster.wait_for("every process of the job to end",
                     lambda: all(p.process is None or p.process.poll() is not None for p in ours), timeout=30)
