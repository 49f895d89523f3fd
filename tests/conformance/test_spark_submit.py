"""Real spark-submit (PyPI pyspark 3.5) runs every generated Job, in every output form, against
the real control plane (control_plane.py), each in a namespace of its own enforcing `restricted`,
authenticated only by the Job ServiceAccount's token; the assertions are on what the API server
holds afterwards: the driver Pod Spark built and the spark.properties ConfigMap."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from conftest import EXAMPLES, config_of, documents, environments, fill_credentials, render_chart, run, tool
from control_plane import run_spark_submit
from kubelet import IGNORED_CONF_MESSAGES, expand, spark_properties

FAKE = "AKIAFAKEFAKEFAKE1234"


def forms(binary, tmp_path_factory):
    """(case id, objects) for every example in every output form."""
    root = tmp_path_factory.mktemp("forms")
    out = []
    for example in EXAMPLES:
        config_file = example / "spark-job.yaml"
        config = yaml.safe_load(config_file.read_text())
        envs = environments(config_file)
        for env in [None, *envs]:
            text = run([binary, "render", config_file] + (["--env", env] if env else [])).stdout
            out.append((f"{example.name}-render-{env or 'base'}", documents(text)))
        chart = root / f"chart-{example.name}"
        run([binary, "chart", config_file, "--out", chart])
        for release, namespace, values in [
            (config["metadata"]["name"], config["metadata"]["namespace"], None),
            ("nightly", "other-ns", {"executor": {"instances": 7}, "image": {"tag": "9.9.9"}}),
        ]:
            out.append((f"{example.name}-helm-{release}", render_chart(chart, values, release, namespace)))
        tree = root / f"kustomize-{example.name}"
        run([binary, "kustomize", config_file, "--out", tree])
        fill_credentials(tree, FAKE, "fake")
        for env in envs:
            built = run([tool("kubectl"), "kustomize", tree / "overlays" / env]).stdout
            out.append((f"{example.name}-kustomize-{env}", documents(built)))
    return out


def namespace_of(case):
    """A namespace of its own for each case (a DNS-1123 label)."""
    return case.lower()[:63].rstrip("-")


@pytest.fixture(scope="module")
def submissions(binary, cluster, tmp_path_factory):
    """Submits every form once, two at a time (JVM start-up bound); {case: (objects, process, work)}."""

    def one(item):
        case, objects, workdir = item
        process, work, moved = run_spark_submit(cluster, objects, workdir, namespace_of(case))
        return case, (moved, process, work)

    work = [(case, objects, tmp_path_factory.mktemp(case)) for case, objects in forms(binary, tmp_path_factory)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, work))


def cases():
    names = []
    for example in EXAMPLES:
        envs = environments(example / "spark-job.yaml")
        config = config_of(example)
        names += [f"{example.name}-render-{e or 'base'}" for e in [None, *envs]]
        names += [f"{example.name}-helm-{config['metadata']['name']}", f"{example.name}-helm-nightly"]
        names += [f"{example.name}-kustomize-{e}" for e in envs]
    return names


def conf_args(container):
    args = container["args"]
    return dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--conf")


@pytest.mark.parametrize("case", cases())
def test_spark_submit_sends_what_we_generated(submissions, case):
    objects, process, api = submissions[case]
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    for message in IGNORED_CONF_MESSAGES:
        assert message not in process.stderr + process.stdout, message

    job = next(o for o in objects if o["kind"] == "Job")
    pod_spec = job["spec"]["template"]["spec"]
    container = pod_spec["containers"][0]
    namespace = job["metadata"]["namespace"]
    confs = conf_args(container)

    [(pod_namespace, driver)] = api.created("pods")
    assert pod_namespace == namespace
    assert driver["spec"]["serviceAccountName"] == pod_spec["serviceAccountName"]
    spark_container = driver["spec"]["containers"][0]
    assert spark_container["image"] == container["image"]
    assert spark_container["imagePullPolicy"] == container["imagePullPolicy"]
    # The pod template's hardening reached the driver.
    assert spark_container["securityContext"]["allowPrivilegeEscalation"] is False
    assert driver["spec"]["securityContext"]["runAsNonRoot"] is True
    # The driver creates executors with its service account's token: the pod Spark builds from
    # our template must mount it, whatever the ServiceAccount says (it says no).
    service_accounts = {o["metadata"]["name"]: o for o in objects if o["kind"] == "ServiceAccount"}
    account = service_accounts.get(driver["spec"]["serviceAccountName"], {})
    assert driver["spec"].get("automountServiceAccountToken", account.get("automountServiceAccountToken", True)) is True

    driver_env = {e["name"]: e for e in spark_container.get("env", [])}
    provider = confs["spark.hadoop.fs.s3a.aws.credentials.provider"]
    secret_env = {e["name"]: e for e in container["env"]}.get("K8S_S3_SPARK_SECRET")
    if secret_env:
        secret_name = secret_env["value"]
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            ref = driver_env[var]["valueFrom"]["secretKeyRef"]
            assert ref["name"] == secret_name
        secrets = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Secret"}
        if secrets:  # the output made the Secret: the keys must be in it
            assert set(secrets[secret_name]["data"]) >= {driver_env[v]["valueFrom"]["secretKeyRef"]["key"]
                                                         for v in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        assert provider.endswith("EnvironmentVariableCredentialsProvider")
    else:
        assert "AWS_ACCESS_KEY_ID" not in driver_env and "AWS_SECRET_ACCESS_KEY" not in driver_env
        assert "WebIdentity" in provider or "Anonymous" in provider

    config_maps = [body for _, body in api.created("configmaps")
                   if any(k.endswith("spark.properties") for k in body.get("data", {}))]
    assert config_maps, "spark-submit applied the driver's spark.properties ConfigMap"
    props = spark_properties(config_maps[0])
    for key in ("spark.executor.instances", "spark.executor.memory", "spark.executor.cores",
                "spark.hadoop.fs.s3a.aws.credentials.provider", "spark.hadoop.fs.s3a.connection.ssl.enabled"):
        assert props[key] == confs[key], key
    for key, value in confs.items():
        if key.startswith(("spark.hadoop.fs.s3a.", "spark.kubernetes.executor.secretKeyRef.")):
            expected = value.replace("$(K8S_S3_SPARK_SECRET)", secret_env["value"]) if secret_env else value
            assert props[key] == expected, key
    assert props["spark.kubernetes.namespace"] == namespace


def test_helm_override_reaches_spark(submissions):
    objects, process, api = submissions[f"{EXAMPLES[0].name}-helm-nightly"]
    [(namespace, driver)] = api.created("pods")
    assert namespace == next(o for o in objects if o["kind"] == "Job")["metadata"]["namespace"]
    assert driver["spec"]["containers"][0]["image"].endswith(":9.9.9")
    props = spark_properties(next(b for _, b in api.created("configmaps") if "spark.properties" in str(b.get("data"))))
    assert props["spark.executor.instances"] == "7"


def test_our_validator_catches_what_spark_submit_only_warns_about(binary, cluster, tmp_path):
    """A non-Spark key in sparkConf is silently ignored by spark-submit; we refuse it first."""
    rejected = run([binary, "validate", "tests/invalid/reserved-confs.yaml"], check=False)
    assert rejected.returncode == 2 and "is not a Spark setting" in rejected.stderr
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    process, _, _ = run_spark_submit(cluster, objects, tmp_path, "warns-only",
                                     extra_args=["--conf", "fs.s3a.endpoint=http://x"])
    assert process.returncode == 0
    assert "Ignoring non-Spark config property: fs.s3a.endpoint" in process.stderr


def test_spark_submit_refuses_a_job_without_image_and_so_do_we(binary, cluster, tmp_path):
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    process, _, _ = run_spark_submit(cluster, objects, tmp_path, "no-image",
                                     drop_conf_prefix="spark.kubernetes.container.image=")
    assert process.returncode != 0
    assert "Must specify the driver container image" in process.stderr + process.stdout
    rejected = run([binary, "validate", "tests/invalid/missing-required.yaml"], check=False)
    assert rejected.returncode == 2 and "missing required field `image`" in rejected.stderr


@pytest.mark.parametrize("form", ["render", "helm"])
def test_user_text_is_never_expanded_by_any_kubelet(binary, cluster, tmp_path, form):
    """`$(AWS_SECRET_ACCESS_KEY)` in an argument or env value reaches the application as text: the
    submitter's kubelet and then the driver's (whose env has the key) each remove one escape."""
    config = config_of(EXAMPLES[0])
    hostile = ["$(AWS_SECRET_ACCESS_KEY)", "cost$$5 $(K8S_S3_SPARK_IMAGE)"]
    config["spec"]["arguments"] = hostile
    config["spec"]["driver"] = {"env": [{"name": "GREETING", "value": "$(AWS_ACCESS_KEY_ID)"}]}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    if form == "render":
        objects = documents(run([binary, "render", path]).stdout)
    else:
        run([binary, "chart", path, "--out", tmp_path / "chart"])
        objects = render_chart(tmp_path / "chart", name="simple-read", namespace="spark-test")
    process, api, _ = run_spark_submit(cluster, objects, tmp_path / "work", f"hostile-{form}")
    assert process.returncode == 0, process.stderr[-2000:]
    [(_, driver)] = api.created("pods")
    container = driver["spec"]["containers"][0]
    # What the driver's kubelet would pass to the application, with the secret in the driver's env.
    driver_env = {"AWS_ACCESS_KEY_ID": "AKIA-LEAKED", "AWS_SECRET_ACCESS_KEY": "LEAKED-SECRET", "K8S_S3_SPARK_IMAGE": "x"}
    app_args = [expand(a, driver_env) for a in container["args"]]
    assert app_args[-2:] == hostile
    greeting = next(e for e in container["env"] if e["name"] == "GREETING")
    assert expand(greeting["value"], driver_env) == "$(AWS_ACCESS_KEY_ID)"
    assert "LEAKED" not in str(app_args) + str(greeting)
