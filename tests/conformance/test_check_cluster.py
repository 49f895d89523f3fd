"""`check-cluster` against the real control plane: each failure a user meets at `kubectl create`
is found before it, read-only, and a Secret's value never shows."""

import json
import subprocess

import pytest
import yaml

from conftest import CLEAR_LINE, EXAMPLES, ROOT, documents, on_terminal, run

EXAMPLE = EXAMPLES[0]  # amazon-reviews: keys from Secret aws-secrets in spark-test
CANARY = "CANARY-SECRET-VALUE-do-not-print"


def check(binary, cluster, *args, kubeconfig=None, config=EXAMPLE / "spark-job.yaml"):
    env = {"KUBECONFIG": str(kubeconfig or cluster.kubeconfig), "PATH": "/usr/bin:/bin", "HOME": str(cluster.folder)}
    result = subprocess.run([str(binary), "check-cluster", str(config), *args], capture_output=True, text=True,
                            env=env, cwd=ROOT)
    assert CANARY not in result.stdout + result.stderr
    return result


def codes(result):
    return sorted({f["code"] for f in json.loads(result.stdout)})


def secret(cluster, namespace, keys):
    data = {k: CANARY for k in keys}
    cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-", input=yaml.safe_dump(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "aws-secrets", "namespace": namespace},
         "stringData": data}))


@pytest.fixture
def namespace(cluster):
    """The example's namespace, fresh and enforcing `restricted`."""
    cluster.kubectl("delete", "namespace", "spark-test", "--ignore-not-found", "--wait=true", "--timeout=60s")
    cluster.restricted_namespace("spark-test")
    yield "spark-test"
    cluster.kubectl("delete", "namespace", "spark-test", "--ignore-not-found", "--wait=true", "--timeout=60s")


def test_a_ready_cluster_passes(binary, cluster, namespace):
    secret(cluster, namespace, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    result = check(binary, cluster)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("the cluster would accept and run them"), result.stdout
    # Read-only: nothing was created.
    assert not cluster.json("get", "jobs,roles,serviceaccounts", "-n", namespace, "-l",
                            "app.kubernetes.io/managed-by=k8s-s3-spark")["items"]


def test_progress_is_drawn_on_a_terminal_and_erased_before_the_report(binary, cluster, namespace):
    secret(cluster, namespace, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    piped = check(binary, cluster)
    env = {"KUBECONFIG": str(cluster.kubeconfig), "PATH": "/usr/bin:/bin", "HOME": str(cluster.folder),
           "TERM": "xterm-256color"}
    code, stdout, terminal = on_terminal([binary, "check-cluster", EXAMPLE / "spark-job.yaml"], env)
    assert (code, stdout) == (0, piped.stdout) and piped.stderr == ""
    assert f"{CLEAR_LINE}access review 1/" in terminal and f"{CLEAR_LINE}dry run " in terminal, repr(terminal)
    assert terminal.endswith(CLEAR_LINE) and CANARY not in terminal


def test_a_missing_namespace(binary, cluster):
    result = check(binary, cluster, "--env", "dev", "--json")  # spark-dev does not exist
    assert result.returncode == 1
    assert codes(result) == ["KS401"], result.stdout


def test_a_missing_secret_and_a_namespace_that_does_not_enforce_restricted(binary, cluster, namespace):
    cluster.kubectl("label", "namespace", namespace, "pod-security.kubernetes.io/enforce=baseline", "--overwrite")
    result = check(binary, cluster)
    assert result.returncode == 1
    assert "error[KS405]" in result.stdout and "kubectl create secret generic aws-secrets" in result.stdout, result.stdout
    assert "warning[KS402]" in result.stdout and "enforces Pod Security baseline" in result.stdout, result.stdout


def test_a_secret_with_other_key_names_names_them_but_never_a_value(binary, cluster, namespace):
    secret(cluster, namespace, ["access-key", "secret-key"])
    result = check(binary, cluster)
    assert result.returncode == 1
    assert "Secret aws-secrets has no key AWS_ACCESS_KEY_ID (its keys: access-key, secret-key)" in result.stdout, result.stdout


def test_an_account_that_may_not_create_the_objects(binary, cluster, namespace, tmp_path):
    secret(cluster, namespace, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    cluster.kubectl("create", "serviceaccount", "nobody", "-n", namespace)
    token = cluster.kubectl("create", "token", "nobody", "-n", namespace).stdout.strip()
    kubeconfig = tmp_path / "nobody.kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "nobody",
        "clusters": [{"name": "test", "cluster": {"server": cluster.server, "certificate-authority": str(cluster.ca)}}],
        "users": [{"name": "nobody", "user": {"token": token}}],
        "contexts": [{"name": "nobody", "context": {"cluster": "test", "user": "nobody"}}],
    }))
    result = check(binary, cluster, "--json", kubeconfig=kubeconfig)
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert "KS403" in codes(result), found
    assert any("may not create roles.rbac.authorization.k8s.io" in f["message"] for f in found), found
    assert any(f["code"] == "KS409" and "Secret aws-secrets" in f["message"] for f in found), found


def test_a_finished_job_of_the_same_name_blocks_the_new_one(binary, cluster, namespace, tmp_path):
    """A Job's pod template is immutable: re-running with another image is refused by the server."""
    secret(cluster, namespace, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    objects = documents(run([binary, "render", EXAMPLE / "spark-job.yaml"]).stdout)
    old = next(o for o in objects if o["kind"] == "Job")
    old["spec"]["template"]["spec"]["containers"][0]["image"] = "example/older:1"
    cluster.apply([o for o in objects if o["kind"] != "Job"] + [old], tmp_path)
    result = check(binary, cluster)
    assert result.returncode == 1
    assert "error[KS404]" in result.stdout and "immutable" in result.stdout, result.stdout
    assert "delete the old Job first" in result.stdout


def test_an_existing_service_account_without_the_web_identity_role(binary, cluster, tmp_path):
    irsa = next(e for e in EXAMPLES if e.name == "irsa")
    config = yaml.safe_load((irsa / "spark-job.yaml").read_text())
    config["spec"]["serviceAccount"] = {"create": False, "name": "shared-runner"}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    namespace = config["metadata"]["namespace"]
    cluster.restricted_namespace(namespace)
    cluster.kubectl("create", "serviceaccount", "shared-runner", "-n", namespace)
    try:
        result = check(binary, cluster, "--json", config=path)
        assert result.returncode == 1
        found = json.loads(result.stdout)
        assert [f["code"] for f in found] == ["KS408"], found
        assert "has no eks.amazonaws.com/role-arn annotation" in found[0]["message"]
        role = config["spec"]["s3"]["credentials"]["webIdentity"]["roleArn"]
        cluster.kubectl("annotate", "serviceaccount", "shared-runner", "-n", namespace,
                        f"eks.amazonaws.com/role-arn={role}")
        assert check(binary, cluster, config=path).returncode == 0
    finally:
        cluster.kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=60s")


def test_a_config_that_creates_its_namespace_is_not_refused_for_it(binary, cluster):
    """The minio example creates its namespace: while it does not exist, only the Namespace is
    dry-run (the objects in it cannot be, before it exists) and nothing is reported."""
    minio = next(e for e in EXAMPLES if e.name == "minio")
    cluster.kubectl("delete", "namespace", "analytics", "--ignore-not-found", "--wait=true", "--timeout=60s")
    result = check(binary, cluster, config=minio / "spark-job.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_external_secret_without_the_operator(binary, cluster):
    """The minio example's Secret comes from an ExternalSecret: without the operator's CRDs the
    server refuses the object and nothing would ever write the Secret."""
    from conftest import eso_crd_files

    minio = next(e for e in EXAMPLES if e.name == "minio")
    for crd in eso_crd_files():
        cluster.kubectl("delete", "-f", crd, "--wait=true")
    try:
        result = check(binary, cluster, "--json", config=minio / "spark-job.yaml")
        assert result.returncode == 1
        assert "KS407" in codes(result), result.stdout
    finally:
        for crd in eso_crd_files():
            cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", crd)
        cluster.kubectl("wait", "--for=condition=Established", "crd/externalsecrets.external-secrets.io")


def test_what_the_pods_need_to_be_scheduled(binary, cluster, namespace, tmp_path):
    """Priority classes, the storage class of on-demand claims, existing claims and GPU nodes:
    the API server accepts a Job that names missing ones, and its pods then never run; check-cluster
    names each, and each finding goes once the cluster has what it names."""
    secret(cluster, namespace, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    config = yaml.safe_load((EXAMPLE / "spark-job.yaml").read_text())
    config["spec"]["environments"] = {}
    config["spec"]["driver"] = {**config["spec"].get("driver", {}), "priorityClassName": "check-drivers", "volumes": [
        {"name": "reference", "mountPath": "/reference", "persistentVolumeClaim": {"claimName": "reference-data"}}]}
    config["spec"]["executor"] = {**config["spec"].get("executor", {}), "gpu": {
        "amount": 2, "vendor": "amd.com", "discoveryScript": "/opt/spark/examples/src/main/scripts/getGpusResources.sh"},
        "volumes": [{"name": "spark-local-dir-1", "mountPath": "/var/data/spill",
                     "onDemandClaim": {"size": "1Gi", "storageClass": "check-fast"}}]}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    result = check(binary, cluster, "--json", config=path)
    assert result.returncode == 1
    found = {f["code"]: f for f in json.loads(result.stdout)}
    assert sorted(found) == ["KS410", "KS411", "KS412", "KS413"], result.stdout
    assert found["KS410"]["field"] == "spec.driver.priorityClassName"
    assert found["KS411"]["field"] == "spec.executor.volumes[0].onDemandClaim.storageClass"
    assert found["KS412"]["field"] == "spec.driver.volumes[0].persistentVolumeClaim.claimName"
    node = "check-gpu-node"
    try:
        cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-", input=yaml.safe_dump_all([
            {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "check-drivers"},
             "value": 10},
            {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "check-fast"},
             "provisioner": "example.com/none"},
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
             "metadata": {"name": "reference-data", "namespace": namespace},
             "spec": {"accessModes": ["ReadOnlyMany"], "storageClassName": "check-fast",
                      "resources": {"requests": {"storage": "1Gi"}}}},
            # A node as a device plugin leaves it: the GPUs in its allocatable. Unschedulable, so
            # no other test's pod lands on it while it exists.
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": node}, "spec": {"unschedulable": True}},
        ]))
        status = {"status": {"capacity": {"amd.com/gpu": "2"}, "allocatable": {"amd.com/gpu": "2"}}}
        cluster.kubectl("patch", "node", node, "--subresource=status", "--type=merge", "-p", json.dumps(status))
        result = check(binary, cluster, "--json", config=path)
        assert result.returncode == 0 and json.loads(result.stdout) == [], result.stdout
    finally:
        cluster.kubectl("delete", "node", node, "--ignore-not-found")
        cluster.kubectl("delete", "priorityclass", "check-drivers", "--ignore-not-found")
        cluster.kubectl("delete", "storageclass", "check-fast", "--ignore-not-found")
