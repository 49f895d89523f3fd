"""Every output form on a real Kubernetes control plane (control_plane.py): applied server-side
and again without change, admitted under Pod Security `restricted` (the Job controller creates
the Job's pod), RBAC exactly what the pods call, real spark-submit in the Job's pod creating
executors with the Job ServiceAccount's own token, the chart installed, upgraded and uninstalled by real Helm.
There is no kubelet: pods are admitted and left unscheduled."""

import contextlib
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, config_of, documents, environments, fill_credentials, pod_spec, run, submitter
from control_plane import run_driver

CASES = [(example, env) for example in EXAMPLES for env in [None, *environments(example / "spark-job.yaml")]]
MANAGER = "k8s-s3-spark-conformance"


def case_id(case):
    example, env = case
    return f"{example.name}-{env or 'base'}"


def render(binary, example, env):
    args = [binary, "render", example / "spark-job.yaml"] + (["--env", env] if env else [])
    return run(args).stdout


def the(objects, kind):
    [found] = [o for o in objects if o["kind"] == kind]
    return found


def prepare_namespace(cluster, objects):
    """Outputs without their own Namespace go to one the test makes, enforcing `restricted`."""
    namespace = submitter(objects)["metadata"]["namespace"]
    if not any(o["kind"] == "Namespace" for o in objects):
        cluster.restricted_namespace(namespace)
    return namespace


def wait_for_submitter_pod(cluster, namespace, job_name):
    return cluster.submitter_pod({"metadata": {"namespace": namespace, "name": job_name}})


@contextlib.contextmanager
def applied(cluster, binary, example, env, folder):
    """`render`'s whole stream applied server-side as a user would; removed afterwards.
    Yields (objects, namespace, the file applied)."""
    text = render(binary, example, env)
    objects = documents(text)
    namespace = prepare_namespace(cluster, objects)
    path = folder / "objects.yaml"
    path.write_text(text)
    cluster.kubectl("apply", "--server-side", "--field-manager", MANAGER, "-f", path)
    try:
        yield objects, namespace, path
    finally:
        cluster.kubectl("delete", "-f", path, "--ignore-not-found", "--wait=true", "--timeout=60s")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_plain_output_applies_server_side_and_again_without_change(binary, cluster, case, tmp_path):
    example, env = case
    with applied(cluster, binary, example, env, tmp_path) as (objects, namespace, path):
        job = cluster.started_job(objects)  # a CronJob's run is started now
        [pod] = wait_for_submitter_pod(cluster, namespace, job["metadata"]["name"])
        assert pod["spec"]["serviceAccountName"] == pod_spec(submitter(objects))["serviceAccountName"]
        if any(o["kind"] == "Namespace" for o in objects):
            labels = cluster.json("get", "namespace", namespace)["metadata"]["labels"]
            assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        cluster.kubectl("apply", "--server-side", "--field-manager", MANAGER, "-f", path)
        diff = cluster.kubectl("diff", "--server-side", "--field-manager", MANAGER, "-f", path, check=False)
        assert diff.returncode == 0, f"a second apply would change:\n{diff.stdout}{diff.stderr}"


def can_i_list(cluster, namespace, service_account):
    """`kubectl auth can-i --list` as a ServiceAccount: {resource: set of verbs}."""
    listed = cluster.kubectl("auth", "can-i", "--list", "-n", namespace,
                             f"--as=system:serviceaccount:{namespace}:{service_account}").stdout
    rules = {}
    for line in listed.splitlines()[1:]:
        columns = [c for c in line.split("  ") if c.strip()]
        resource, verbs = columns[0].strip(), columns[-1].strip()
        if resource.startswith("/") or not verbs.startswith("["):
            continue  # non-resource URLs
        rules.setdefault(resource, set()).update(verbs.strip("[]").split())
    return rules


def role_table(role):
    table = {}
    for rule in role["rules"]:
        for group in rule.get("apiGroups", [""]):
            for resource in rule["resources"]:
                table.setdefault(f"{resource}.{group}" if group else resource, set()).update(rule["verbs"])
    return table


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_rbac_is_exactly_the_table_of_who_calls_the_api_server(binary, cluster, example, tmp_path):
    """What the job's ServiceAccount may do, beyond what every account may, is the Role the tool
    derived from its per-pod table: nothing more, nothing less."""
    with applied(cluster, binary, example, None, tmp_path) as (objects, namespace, _):
        account = pod_spec(submitter(objects))["serviceAccountName"]
        everyone = can_i_list(cluster, namespace, "an-account-with-no-bindings")
        granted = can_i_list(cluster, namespace, account)
        ours = {r: v - everyone.get(r, set()) for r, v in granted.items()}
        ours = {r: v for r, v in ours.items() if v}
        assert ours == role_table(the(objects, "Role"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_the_jobs_pod_drives_executors_with_its_accounts_token(binary, cluster, example, tmp_path):
    """Real spark-submit in client mode, run as the Job's pod would run it, authenticated only by
    a TokenRequest token of the Job's ServiceAccount: the Job's pod (made by the Job controller
    and admitted under `restricted`) mounts the API token, and the driver in it creates its
    executors through our Role, owned by that pod and without a token of their own."""
    objects = documents(render(binary, example, None))
    namespace = f"drive-{example.name}"
    driven = run_driver(cluster, objects, tmp_path, namespace)
    try:
        assert driven.process.returncode == 0, driven.output[-3000:]
        account = pod_spec(submitter(driven.objects))["serviceAccountName"]
        pod = driven.pod
        assert pod["spec"]["serviceAccountName"] == account
        mounts = [m["mountPath"] for c in pod["spec"]["containers"] for m in c.get("volumeMounts", [])]
        assert "/var/run/secrets/kubernetes.io/serviceaccount" in mounts, mounts
        executors = driven.executors()
        assert executors
        for executor in executors:
            assert executor["metadata"]["ownerReferences"][0]["uid"] == pod["metadata"]["uid"]
            assert executor["spec"]["serviceAccountName"] == account
            assert not any("serviceAccountToken" in str(v.get("projected", {})) for v in executor["spec"].get("volumes", []))
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--wait=false")


def test_a_role_without_create_on_configmaps_stops_the_driver(binary, cluster, tmp_path):
    """The driver makes its executors' ConfigMap before any executor: without `create` on
    configmaps the real server refuses it, the application never starts, and the Job's container
    fails (the must-fail table in docs/ names this case)."""
    objects = documents(render(binary, EXAMPLES[0], None))
    for rule in the(objects, "Role")["rules"]:
        if "configmaps" in rule["resources"]:
            rule["verbs"] = [v for v in rule["verbs"] if v != "create"]
    driven = run_driver(cluster, objects, tmp_path, "role-without-create")
    assert driven.process.returncode != 0, driven.output[-3000:]
    assert 'cannot create resource "configmaps"' in driven.output, driven.output[-3000:]
    assert driven.report is None, "the application never ran"


def helm(cluster, *args, check=True):
    from control_plane import build

    binary = Path(build()) / "helm"
    env = {"KUBECONFIG": str(cluster.kubeconfig), "HOME": str(cluster.folder), "PATH": "/usr/bin:/bin",
           "HELM_CACHE_HOME": str(cluster.folder / "helm-cache"), "HELM_CONFIG_HOME": str(cluster.folder / "helm-config"),
           "HELM_DATA_HOME": str(cluster.folder / "helm-data")}
    result = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"helm {' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def release_objects(cluster, namespace, release):
    kinds = "serviceaccounts,roles,rolebindings,secrets,configmaps,jobs,cronjobs,pods"
    items = cluster.json("get", kinds, "-n", namespace, "-l", f"app.kubernetes.io/instance={release}")["items"]
    return sorted((o["kind"], o["metadata"]["name"]) for o in items)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_helm_installs_two_releases_side_by_side_upgrades_and_uninstalls_cleanly(binary, cluster, example, tmp_path):
    config = config_of(example)
    chart = tmp_path / "chart"
    run([binary, "chart", example / "spark-job.yaml", "--out", chart])
    namespace = f"helm-{example.name}"
    cluster.restricted_namespace(namespace)
    values = ["--set", "createNamespace=false"]
    for release in ("first", "second"):
        helm(cluster, "install", release, chart, "-n", namespace, *values)
    for release in ("first", "second"):
        objects = release_objects(cluster, namespace, release)
        [(kind, name)] = [(k, n) for k, n in objects if k in ("Job", "CronJob")]
        if kind == "CronJob":  # a scheduled job: its run, started now, is the Job
            cluster.run_now(namespace, name)
        wait_for_submitter_pod(cluster, namespace, name)
    first, second = release_objects(cluster, namespace, "first"), release_objects(cluster, namespace, "second")
    assert not {n for _, n in first} & {n for _, n in second}, "two releases share no object"
    # An upgrade that changes nothing in the Job's template succeeds (a Job's template is immutable).
    helm(cluster, "upgrade", "first", chart, "-n", namespace, *values)
    for release in ("first", "second"):
        helm(cluster, "uninstall", release, "-n", namespace, "--wait")
        cluster.wait_for(f"release {release} gone", lambda: not release_objects(cluster, namespace, release))
    cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=60s")


@pytest.mark.parametrize("case", [c for c in CASES if c[1]], ids=case_id)
def test_kustomize_overlays_apply_with_kubectl_apply_k(binary, cluster, case, tmp_path):
    example, env = case
    tree = tmp_path / "tree"
    run([binary, "kustomize", example / "spark-job.yaml", "--out", tree])
    fill_credentials(tree, "AKIAFAKEFAKEFAKE1234", "fake-secret")
    overlay = tree / "overlays" / env
    built = documents(cluster.kubectl("kustomize", overlay).stdout)
    namespace = prepare_namespace(cluster, built)
    cluster.kubectl("apply", "--server-side", "--field-manager", MANAGER, "-k", overlay)
    try:
        wait_for_submitter_pod(cluster, namespace, cluster.started_job(built)["metadata"]["name"])
        diff = cluster.kubectl("diff", "--server-side", "--field-manager", MANAGER, "-k", overlay, check=False)
        assert diff.returncode == 0, diff.stdout + diff.stderr
    finally:
        cluster.kubectl("delete", "-k", overlay, "--ignore-not-found", "--wait=true", "--timeout=60s")
