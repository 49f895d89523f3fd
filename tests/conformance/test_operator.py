"""The Spark Operator form (`k8s-s3-spark operator`) judged by the real Kubeflow Spark Operator:

- its CRDs (from its Go module at a pinned version, applied by the `cluster` fixture) take every
  example in every environment, and refuse a broken application;
- the real operator, built from the same module (spark-operator/build), runs the real
  spark-submit (pyspark's) in cluster mode for each example's SparkApplication: the driver pod
  Spark makes from our template is admitted in a namespace enforcing Pod Security `restricted`,
  and the settings the operator passes equal the ones the Job passes, as docs/operator-mapping.md
  says (every difference is a row or a line of that page).

The driver pods stay Pending: this module starts no test node. test_end_to_end.py runs one
application to COMPLETED on its test node, which resolves the driver's Service."""

import json
import re
from pathlib import Path

import pytest
import yaml

import control_plane
from conftest import EXAMPLES, ROOT, documents, environments, run, spark_operator_running, submitter
from kubelet import expand, metadata_field

MAPPING = ROOT / "docs" / "operator-mapping.md"


def operator_objects(binary, example, namespace, *flags):
    """The operator form of an example moved to `namespace` (which the test makes `restricted`)."""
    objects = documents(run([binary, "operator", *flags, example / "spark-job.yaml"]).stdout)
    return control_plane.in_namespace([o for o in objects if o["kind"] != "Namespace"], namespace)


def apply(cluster, objects, folder, *flags):
    path = Path(folder) / "objects.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    return cluster.kubectl("apply", "--server-side", "--field-manager=conformance", *flags, "-f", path,
                           check=False)


def cases():
    for example in EXAMPLES:
        for env in [None, *environments(example / "spark-job.yaml")]:
            yield pytest.param(example, env, id=f"{example.name}-{env or 'base'}")


@pytest.mark.parametrize("example,env", list(cases()))
def test_every_environment_passes_the_operators_crds(binary, cluster, tmp_path, example, env):
    namespace = f"opcrd-{example.name}-{env or 'base'}"
    cluster.restricted_namespace(namespace)
    flags = ["--env", env] if env else []
    for once in ([], ["--once"]):
        objects = operator_objects(binary, example, namespace, *flags, *once)
        scheduled = "schedule" in yaml.safe_load((example / "spark-job.yaml").read_text())["spec"]
        assert objects[-1]["kind"] == ("ScheduledSparkApplication" if scheduled and not once else "SparkApplication")
        assert not {"Job", "CronJob", "ConfigMap"} & {o["kind"] for o in objects}
        result = apply(cluster, objects, tmp_path, "--dry-run=server")
        assert result.returncode == 0, result.stderr


def test_a_broken_application_is_refused_by_the_crd(binary, cluster, tmp_path):
    """The CRD is a real judge: a wrong type, and a field it does not declare, are refused."""
    namespace = "opcrd-broken"
    cluster.restricted_namespace(namespace)
    for field, value, message in [("instances", "two", "expected numeric"),
                                  ("instancez", 2, "field not declared in schema")]:
        app = operator_objects(binary, EXAMPLES[0], namespace, "--once")[-1]
        app["spec"]["executor"][field] = value
        result = apply(cluster, [app], tmp_path, "--dry-run=server")
        assert result.returncode != 0
        assert f".spec.executor.{field}" in result.stderr and message in result.stderr, result.stderr


@pytest.fixture(scope="module")
def spark_operator(cluster, tmp_path_factory):
    """The real operator's controller watching one `restricted` namespace per example, running
    pyspark's spark-submit against the control plane (the operator takes the API server's
    address from KUBERNETES_SERVICE_HOST/PORT, spark-submit its credentials from KUBECONFIG).
    Yields its log file (JSON lines)."""
    namespaces = [f"op-{example.name}" for example in EXAMPLES]
    for namespace in namespaces:
        cluster.restricted_namespace(namespace)
    log = tmp_path_factory.mktemp("spark-operator") / "operator.log"
    with spark_operator_running(cluster, namespaces, log):
        yield log


def submitted_arguments(log, namespace, name):
    """The arguments the operator ran spark-submit with for one application, from its log."""
    for line in Path(log).read_text().splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        app = entry.get("SparkApplication", {})
        if entry.get("msg") == "Running spark-submit" and app == {"name": name, "namespace": namespace}:
            return entry["arguments"]
    return None


# spark-submit's options that stand for a setting (SparkSubmitArguments): the operator passes
# `spec.deps` this way.
SUBMIT_OPTIONS = {"--jars": "spark.jars", "--packages": "spark.jars.packages", "--exclude-packages": "spark.jars.excludes",
                  "--repositories": "spark.jars.repositories", "--files": "spark.files",
                  "--py-files": "spark.submit.pyFiles", "--archives": "spark.archives"}


def confs(args):
    """spark-submit's settings from its arguments: the last value of a key wins, as in Spark."""
    out = {}
    for flag, value in zip(args, args[1:]):
        if flag == "--conf":
            key, _, val = value.partition("=")
            out[key] = val
        elif flag in SUBMIT_OPTIONS:
            out[SUBMIT_OPTIONS[flag]] = value
    return out


def job_arguments(binary, example, namespace):
    """The Job's spark-submit arguments as its kubelet hands them over: `$(VAR)` expanded with
    the Job container's env, the pod's own name and IP unknown here (their settings are dropped
    in the operator form)."""
    objects = control_plane.in_namespace(documents(run([binary, "render", "--once", example / "spark-job.yaml"]).stdout),
                                         namespace)
    pod = submitter(objects)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {}
    for var in container["env"]:
        if "value" in var:
            env[var["name"]] = expand(var["value"], env)
        elif var["valueFrom"].get("fieldRef", {}).get("fieldPath") == "metadata.namespace":
            env[var["name"]] = namespace
        elif var["valueFrom"].get("fieldRef", {}).get("fieldPath") == "spec.serviceAccountName":
            env[var["name"]] = pod["serviceAccountName"]
        elif var["valueFrom"].get("fieldRef", {}).get("fieldPath", "").startswith("metadata.annotations["):
            env[var["name"]] = metadata_field(submitter(objects)["spec"]["template"],
                                              var["valueFrom"]["fieldRef"]["fieldPath"])
    templates = [o for o in objects if o["kind"] == "ConfigMap"]
    executor_template = yaml.safe_load(templates[0]["data"]["executor.yaml"]) if templates else None
    return [expand(a, env) for a in container["args"]], executor_template


def mapping_page():
    """From docs/operator-mapping.md: the settings the operator form drops, those whose value
    is a pod template (a file path, different by nature), and every setting or label the page
    names as the operator's or cluster mode's own."""
    text = MAPPING.read_text()
    dropped, templates = set(), set()
    for key, place in re.findall(r"^\| `([^`]+)` \| (.+) \|$", text, re.M):
        if place.startswith("(none:"):
            dropped.add(key)
        elif place.endswith(".template`"):
            templates.add(key)
    named = set(re.findall(r"`((?:spark|sparkoperator)\.[^`=]+)[`=]", text))
    return dropped, templates, named


def documented(key, named, app_labels):
    if key in named or any(n.endswith("*") and key.startswith(n[:-1]) for n in named):
        return True
    label = re.match(r"spark\.kubernetes\.(?:driver|executor)\.label\.(.+)", key)
    return bool(label) and (label.group(1) in app_labels or label.group(1).startswith("sparkoperator.k8s.io/"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_the_real_operator_submits_what_the_job_would(binary, cluster, spark_operator, tmp_path, example):
    namespace = f"op-{example.name}"
    objects = operator_objects(binary, example, namespace, "--once")
    app = objects[-1]
    name = app["metadata"]["name"]
    result = apply(cluster, objects, tmp_path)
    assert result.returncode == 0, result.stderr

    def driver_pod():
        state = cluster.json("get", "sparkapplication", "-n", namespace, name).get("status", {}).get("applicationState", {})
        assert state.get("state") not in ("SUBMISSION_FAILED", "FAILED"), \
            f"{state}\n(operator log: {spark_operator})"
        pods = cluster.json("get", "pods", "-n", namespace, "-l", f"sparkoperator.k8s.io/app-name={name}")["items"]
        return pods[0] if pods else None

    try:
        pod = cluster.wait_for(f"the operator's spark-submit to create the driver of {namespace}/{name}", driver_pod,
                               timeout=180)
        # Admitted under `restricted`, from our template: its security contexts, token and deadline.
        template = app["spec"]["driver"]["template"]["spec"]
        container = next(c for c in pod["spec"]["containers"] if c["name"] == template["containers"][0]["name"])
        assert container["securityContext"] == template["containers"][0]["securityContext"]
        assert pod["spec"]["securityContext"] == template["securityContext"]
        assert pod["spec"]["automountServiceAccountToken"] is True
        assert pod["spec"]["serviceAccountName"] == app["spec"]["driver"]["serviceAccount"]
        assert pod["spec"].get("activeDeadlineSeconds") == template.get("activeDeadlineSeconds")
        assert {e["name"] for e in template["containers"][0].get("env", [])} <= {e["name"] for e in container["env"]}

        submitted = submitted_arguments(spark_operator, namespace, name)
        assert submitted, f"no spark-submit of {name} in {spark_operator}"
        job_args, executor_template = job_arguments(binary, example, namespace)
        ours, theirs = confs(job_args), confs(submitted)
        dropped, templates, named = mapping_page()
        assert dropped and templates and named, "docs/operator-mapping.md lost its tables"
        for key, value in ours.items():
            if key in dropped or key in templates:
                continue
            assert theirs.get(key) == value, f"{key}: the Job passes {value!r}, the operator {theirs.get(key)!r}"
        extra = {k: v for k, v in theirs.items() if k not in ours}
        app_labels = app["metadata"].get("labels", {})
        undocumented = {k: v for k, v in extra.items() if not documented(k, named, app_labels)}
        assert not undocumented, f"settings the operator adds that docs/operator-mapping.md does not name: {undocumented}"
        # The application file and its arguments end both command lines.
        tail = 1 + len(app["spec"].get("arguments", []))
        assert submitted[-tail:] == job_args[-tail:]
        # The executors' template is the Job's.
        if executor_template:
            assert app["spec"]["executor"]["template"]["spec"] == executor_template["spec"]
    finally:
        cluster.kubectl("delete", "sparkapplication", "-n", namespace, name, "--wait=false", check=False)
