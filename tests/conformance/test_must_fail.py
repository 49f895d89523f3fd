"""Mistakes judged twice: by the real API server (a rendered manifest broken the same way, applied
with `--dry-run=server`, or the Role asked with `auth can-i`) and by our `validate` (the config
broken the way a user would). The table of who caught what is docs/real-server-vs-validator.md,
written from CASES below (K8S_S3_SPARK_UPDATE_DOCS=1 rewrites it), so it cannot drift."""

import copy
import os
import re

import pytest
import yaml

from conftest import EXAMPLES, ROOT, documents, run

DOC = ROOT / "docs" / "real-server-vs-validator.md"
EXAMPLE = EXAMPLES[0]  # amazon-reviews: PySpark, keys from a Secret
LONG = "x" * 64


def job_pod(objects):
    """The submitter Job's pod, as the Job controller would create it (PodSecurity judges pods)."""
    job = next(o for o in objects if o["kind"] == "Job")
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "probe", "namespace": job["metadata"]["namespace"]},
            "spec": copy.deepcopy(job["spec"]["template"]["spec"])}


def submitter(job):
    return job["spec"]["template"]["spec"]["containers"][0]


def pod_with(objects, security=None, container=None):
    """The submitter's pod with `security` merged into its securityContext and `container`
    fields set on its container."""
    pod = job_pod(objects)
    pod["spec"]["securityContext"].update(security or {})
    pod["spec"]["containers"][0].update(container or {})
    return [pod]


def with_pod(objects, change):
    """The submitter's pod with its spec changed in place by `change`."""
    pod = job_pod(objects)
    change(pod["spec"])
    return [pod]


def only(objects, kind, change):
    """The objects of `kind`, each changed in place by `change`."""
    picked = [o for o in objects if o["kind"] == kind]
    for o in picked:
        change(o)
    return picked


def as_cron_job(objects, schedule):
    """The submitter Job as the CronJob a config with `schedule` makes: its spec the jobTemplate."""
    job = next(o for o in objects if o["kind"] == "Job")
    return [{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": copy.deepcopy(job["metadata"]),
             "spec": {"schedule": schedule, "concurrencyPolicy": "Forbid",
                      "jobTemplate": {"spec": copy.deepcopy(job["spec"])}}}]


def set_in(document, path, value):
    node = document
    *parents, last = path.split(".")
    for key in parents:
        node = node.setdefault(key, {})
    node[last] = value


# (what, config change (path, value) or None, manifest change (objects -> objects to apply) or
#  None, whether the server refuses it)
CASES = [
    ("a privileged submitter container",
     ("spec.submitter.securityContext", {"privileged": True}),
     lambda objects: pod_with(objects, container={"securityContext": {"privileged": True}}),
     True),
    ("the submitter running as root",
     ("spec.submitter.runAsUser", 0),
     lambda objects: pod_with(objects, security={"runAsUser": 0}),
     True),
    ("a label value over 63 characters",
     ("metadata.labels", {"team": LONG}),
     lambda objects: only(objects, "ServiceAccount", lambda o: o["metadata"].update(labels={"team": LONG})),
     True),
    ("a job name over 63 characters",
     ("metadata.name", LONG),
     lambda objects: only(objects, "Job", lambda o: o["metadata"].update(name=LONG)),
     True),
    ("a Secret name over 253 characters",
     ("spec.s3.credentials.secret.name", "s" * 254),
     lambda objects: [{"apiVersion": "v1", "kind": "Secret",
                       "metadata": {"name": "s" * 254, "namespace": objects[0]["metadata"]["namespace"]}}],
     True),
    ("a RoleBinding whose roleRef.apiGroup is wrong",
     None,
     lambda objects: only(objects, "RoleBinding", lambda o: o["roleRef"].update(apiGroup="rbac")),
     True),
    ("an environment variable name that is not a C identifier",
     ("spec.driver.env", [{"name": "1-BAD", "value": "x"}]),
     lambda objects: pod_with(objects, container={"env": [{"name": "1-BAD", "value": "x"}]}),
     False),
    ("a Spark size Spark cannot read (`2 gigs`)",
     ("spec.executor.memory", "2 gigs"),
     lambda objects: only(objects, "Job", lambda o: submitter(o).update(args=[
         re.sub(r"spark.executor.memory=\S+", "spark.executor.memory=2 gigs", a) for a in submitter(o)["args"]])),
     False),
    ("a cron schedule with a seconds field (six fields)",
     ("spec.schedule", {"cron": "0 0 2 * * *"}),
     lambda objects: as_cron_job(objects, "0 0 2 * * *"),
     True),
    ("a cron schedule with an hour out of range",
     ("spec.schedule", {"cron": "0 24 * * *"}),
     lambda objects: as_cron_job(objects, "0 24 * * *"),
     True),
    ("a pod template with a privileged sidecar",
     ("spec.driver.podTemplate", {"spec": {"initContainers": [
         {"name": "debug", "image": "busybox:1.36", "restartPolicy": "Always",
          "securityContext": {"privileged": True}}]}}),
     lambda objects: with_pod(objects, lambda spec: spec.update(initContainers=[
         {"name": "debug", "image": "busybox:1.36", "restartPolicy": "Always",
          "securityContext": {"privileged": True}}])),
     True),
    ("a pod template with a hostPath volume",
     ("spec.driver.podTemplate", {"spec": {"volumes": [{"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}]}}),
     lambda objects: with_pod(objects, lambda spec: spec["volumes"].append(
         {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}})),
     True),
    ("an image with the `latest` tag",
     ("spec.image", "alexmilowski/s3-spark-amazon-reviews:latest"),
     lambda objects: only(objects, "Job", lambda o: submitter(o).update(image="alexmilowski/s3-spark-amazon-reviews:latest")),
     False),
]


def validate(binary, tmp_path, change):
    config = yaml.safe_load((EXAMPLE / "spark-job.yaml").read_text())
    set_in(config, *change)
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    return run([binary, "validate", path], check=False)


def server_verdict(cluster, objects, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    return cluster.kubectl("apply", "--dry-run=server", "-f", path, check=False)


@pytest.fixture(scope="module")
def rendered(binary, cluster, tmp_path_factory):
    objects = documents(run([binary, "render", EXAMPLE / "spark-job.yaml"]).stdout)
    cluster.restricted_namespace(objects[0]["metadata"]["namespace"])
    # Applied for real, so a pod may name the ServiceAccount; the unbroken objects (and their pod)
    # pass, so each refusal below is the break's.
    folder = tmp_path_factory.mktemp("unbroken")
    (folder / "objects.yaml").write_text(yaml.safe_dump_all(objects))
    cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", folder / "objects.yaml")
    unbroken = server_verdict(cluster, [*objects, job_pod(objects)], folder)
    assert unbroken.returncode == 0, unbroken.stdout + unbroken.stderr
    return objects


@pytest.fixture(scope="module")
def verdicts(binary, cluster, rendered, tmp_path_factory):
    rows = []
    taken = {o["metadata"]["name"] for o in rendered}
    for what, change, breaks, refused in CASES:
        tmp = tmp_path_factory.mktemp("case")
        ours = validate(binary, tmp, change) if change else None
        broken = breaks(copy.deepcopy(rendered))
        for o in broken:  # new names, so the server judges a creation, not an update
            if o["metadata"]["name"] in taken:
                o["metadata"] = dict(o["metadata"], name=f"probe-{o['metadata']['name']}")
        server = server_verdict(cluster, broken, tmp)
        rows.append((what, change, ours, server, refused))
    return rows


def code_of(result):
    found = re.search(r"error\[(KS\d+)\]", result.stderr)
    return found.group(1) if found else "?"


def test_each_mistake_is_judged_as_the_table_says(verdicts):
    for what, change, ours, server, refused in verdicts:
        assert (server.returncode != 0) == refused, f"{what}: server said\n{server.stdout}{server.stderr}"
        if change:
            assert ours.returncode == 2, f"{what}: our validate accepted it\n{ours.stdout}"


def table(verdicts):
    lines = [
        "# What the real API server refuses, and what our validator refuses",
        "",
        "Generated by `tests/conformance/test_must_fail.py` against kube-apiserver "
        "(with RBAC and Pod Security `restricted`), so it is what the real server answered; "
        "`K8S_S3_SPARK_UPDATE_DOCS=1 tests/conformance/run -k must_fail` rewrites it.",
        "",
        "| mistake | real API server (`--dry-run=server`) | `k8s-s3-spark validate` |",
        "|---|---|---|",
    ]
    for what, change, ours, server, refused in verdicts:
        said = re.search(r"(?:is invalid|is forbidden): (.*)", server.stderr)
        message = re.sub(r"\s+", " ", said.group(1) if said else server.stderr.strip())
        message = re.sub(r"(\w)\1{19,}", lambda m: f"{m.group(1) * 3}...({len(m.group(0))})", message)
        if len(message) > 140:
            message = message[:137] + "..."
        server_cell = f"refused: {message}".replace("|", "\\|") if refused else "accepted"
        ours_cell = f"refused, `{code_of(ours)}` in `{change[0]}`" if change else \
            "no config field makes it; the tool's object checks (`crates/core/src/k8s/check.rs`) refuse it in generated output"
        lines.append(f"| {what} | {server_cell} | {ours_cell} |")
    lines += [
        "| a Role without `create` on configmaps | accepts the Role; then refuses the driver's executor "
        "ConfigMap: `cannot create resource \"configmaps\"`, and the Job's container fails (test_cluster.py) "
        "| no config field makes it; "
        "the Role is derived from the table of who calls the API server (`crates/core/src/k8s/rbac.rs`) |",
        "",
        "Where the server accepts and we refuse, the cluster would fail later: Spark cannot parse the size "
        "(the driver exits at start), `latest` makes every pull a different image, and an environment "
        "variable whose name is not a C identifier cannot be read by the JVM or a shell.",
        "",
    ]
    return "\n".join(lines)


def test_the_docs_table_is_what_the_server_said(verdicts):
    text = table(verdicts)
    if os.environ.get("K8S_S3_SPARK_UPDATE_DOCS"):
        DOC.write_text(text)
    assert DOC.exists() and DOC.read_text() == text, f"{DOC} is stale: run K8S_S3_SPARK_UPDATE_DOCS=1 tests/conformance/run -k must_fail"
