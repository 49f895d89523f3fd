"""Real spark-submit (PyPI pyspark 3.5) runs every generated Job, in every output form, as the
kubelet would run the Job's pod, against the real control plane (control_plane.py), each in a
namespace of its own enforcing `restricted`, authenticated only by the Job ServiceAccount's token.
In client mode that process is the Spark driver: the probe application (apps/probe.py) stands in
for the job's own and reports the driver's settings and arguments, and the assertions are on that
report, the exit code, and the executor pods the API server holds afterwards."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from conftest import (EXAMPLES, ROOT, config_of, documents, environments, fill_credentials, pod_spec, render_chart, run,
                      submitter, submitter_value, tool)
from control_plane import run_driver
from kubelet import IGNORED_CONF_MESSAGES, expand
from test_helm import with_executors

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
        overrides = with_executors(config, 7, {"image": {"tag": "9.9.9"}})
        for release, namespace, values in [
            (config["metadata"]["name"], config["metadata"]["namespace"], None),
            ("nightly", "other-ns", overrides),
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
    """Runs every form's Job pod once, two at a time (JVM start-up bound); {case: DriverRun}."""

    def one(item):
        case, objects, workdir = item
        return case, run_driver(cluster, objects, workdir, namespace_of(case))

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


def spark_mib(size):
    """A Spark size (`512m`, `2g`) in MiB, as Spark reads it."""
    return int(size[:-1]) * {"k": 1, "m": 1024, "g": 1024**2, "t": 1024**3}[size[-1].lower()] // 1024


def quantity_mib(quantity):
    """A Kubernetes memory quantity in binary units (`3072Mi`, `5Gi`) in MiB."""
    number, unit = quantity[:-2], quantity[-2:]
    return int(number) * {"Ki": 1, "Mi": 1024, "Gi": 1024**2, "Ti": 1024**3}[unit] // 1024


def executor_memory_mib(app_type, confs):
    """What Spark asks for each executor pod (`BasicExecutorFeatureStep`): heap plus overhead,
    the overhead `memoryOverhead` else 40% of the heap for Python and R (the documented default,
    which Spark applies itself only in cluster mode) and 10% for JVM applications, at least 384."""
    heap = spark_mib(confs["spark.executor.memory"])
    if "spark.executor.memoryOverhead" in confs:
        return heap + spark_mib(confs["spark.executor.memoryOverhead"])
    factor = 0.4 if app_type in ("Python", "R") else 0.1
    return heap + max(int(heap * factor), 384)


def conf_args(container):
    args = container["args"]
    return dict(args[i + 1].split("=", 1) for i, a in enumerate(args) if a == "--conf")


@pytest.mark.parametrize("case", cases())
def test_the_jobs_pod_drives_what_we_generated(submissions, case):
    run = submissions[case]
    assert run.process.returncode == 0, run.output[-3000:]
    for message in IGNORED_CONF_MESSAGES:
        assert message not in run.output, message

    job = submitter(run.objects)  # a Job, or a CronJob whose run the harness started
    pod = pod_spec(job)
    container = pod["containers"][0]
    namespace = job["metadata"]["namespace"]
    confs = conf_args(container)
    env = {e["name"]: e for e in container["env"]}
    secret_name = submitter_value(job, "K8S_S3_SPARK_SECRET") if "K8S_S3_SPARK_SECRET" in env else None

    # The driver is this process, in the Job's pod, with the settings we generated.
    driver = run.report["conf"]
    assert driver["spark.submit.deployMode"] == "client"
    assert driver["spark.kubernetes.driver.pod.name"] == run.pod["metadata"]["name"]
    assert driver["spark.kubernetes.namespace"] == namespace
    for key, value in confs.items():
        if key.startswith(("spark.hadoop.fs.s3a.", "spark.executor.", "spark.kubernetes.executor.secretKeyRef.")):
            expected = value.replace("$(K8S_S3_SPARK_SECRET)", secret_name or "")
            if key != "spark.kubernetes.executor.deleteOnTermination":  # the harness keeps executors to read them
                assert driver[key] == expected, key
    # It has the keys from the Secret (as env), and only with secret credentials.
    provider = confs["spark.hadoop.fs.s3a.aws.credentials.provider"]
    if secret_name:
        for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            assert env[var]["valueFrom"]["secretKeyRef"]["name"] == secret_name
        assert provider.endswith("EnvironmentVariableCredentialsProvider")
    else:
        assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SECRET_ACCESS_KEY" not in env
        assert "WebIdentity" in provider or "Anonymous" in provider

    app_type = config_of(next(e for e in EXAMPLES if case.startswith(f"{e.name}-")))["spec"]["type"]
    # It asked the API server for exactly its executors, through our Role, owned by the Job's pod.
    executors = run.executors()
    assert len(executors) == int(confs["spark.executor.instances"]), [e["metadata"]["name"] for e in executors]
    for executor in executors:
        assert [r["uid"] for r in executor["metadata"]["ownerReferences"]] == [run.pod["metadata"]["uid"]]
        spec = executor["spec"]
        assert spec["serviceAccountName"] == pod["serviceAccountName"]
        assert spec["automountServiceAccountToken"] is False
        assert spec["securityContext"]["runAsNonRoot"] is True
        spark_container = spec["containers"][0]
        assert spark_container["image"] == container["image"]
        assert spark_container["imagePullPolicy"] == container["imagePullPolicy"]
        assert spark_container["securityContext"]["allowPrivilegeEscalation"] is False
        executor_env = {e["name"]: e for e in spark_container.get("env", [])}
        if secret_name:
            for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                assert executor_env[var]["valueFrom"]["secretKeyRef"]["name"] == secret_name
            secrets = {o["metadata"]["name"]: o for o in run.objects if o["kind"] == "Secret"}
            if secrets:  # the output made the Secret: the keys must be in it
                assert set(secrets[secret_name]["data"]) >= {executor_env[v]["valueFrom"]["secretKeyRef"]["key"]
                                                             for v in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        # Its memory is what the docs promise for the application's language, in client mode too.
        # (The API server writes a quantity back in its own form: 5120Mi as 5Gi.)
        resources = spark_container["resources"]
        for side in ("requests", "limits"):
            assert quantity_mib(resources[side]["memory"]) == executor_memory_mib(app_type, confs), (app_type, resources)
        # Executors reach the driver at the Job pod's address (here the harness's 127.0.0.1).
        assert executor_env["SPARK_DRIVER_URL"]["value"].startswith("spark://CoarseGrainedScheduler@127.0.0.1:")

    # On-demand claims (spec.executor.volumes[].onDemandClaim): the driver made one per executor
    # through our Role with the generated class, and each executor mounts its own at the generated
    # path. (Spark deletes them when the application ends, so its log is what is left to read.)
    prefix = "spark.kubernetes.executor.volumes.persistentVolumeClaim."
    on_demand = [k[len(prefix):].split(".")[0] for k, v in confs.items()
                 if k.startswith(prefix) and k.endswith(".options.claimName") and v == "OnDemand"]
    for executor in executors if on_demand else []:
        for volume in on_demand:
            [mounted] = [v for v in executor["spec"]["volumes"] if v["name"] == volume]
            claim = mounted["persistentVolumeClaim"]["claimName"]
            storage_class = confs[f"{prefix}{volume}.options.storageClass"]
            assert f"Trying to create PersistentVolumeClaim {claim} with StorageClass {storage_class}" in run.output
            mount = next(m for m in executor["spec"]["containers"][0]["volumeMounts"] if m["name"] == volume)
            assert mount["mountPath"] == confs[f"{prefix}{volume}.mount.path"]
    assert not [line for line in run.output.splitlines() if "PersistentVolumeClaim" in line and "Forbidden" in line]


def test_helm_override_reaches_spark(submissions):
    run = submissions[f"{EXAMPLES[0].name}-helm-nightly"]
    executors = run.executors()
    assert len(executors) == 7
    assert all(e["spec"]["containers"][0]["image"].endswith(":9.9.9") for e in executors)


def test_our_validator_catches_what_spark_submit_only_warns_about(binary, cluster, tmp_path):
    """A non-Spark key in sparkConf is silently ignored by spark-submit; we refuse it first."""
    rejected = run([binary, "validate", "tests/invalid/reserved-confs.yaml"], check=False)
    assert rejected.returncode == 2 and "is not a Spark setting" in rejected.stderr
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    driven = run_driver(cluster, objects, tmp_path, "warns-only", extra_args=["--conf", "fs.s3a.endpoint=http://x"])
    assert driven.process.returncode == 0
    assert "Ignoring non-Spark config property: fs.s3a.endpoint" in driven.process.stderr


def test_spark_refuses_a_job_without_image_and_so_do_we(binary, cluster, tmp_path):
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    driven = run_driver(cluster, objects, tmp_path, "no-image", drop_conf_prefix="spark.kubernetes.container.image=")
    assert "Must specify the executor container image" in driven.output, driven.output[-3000:]
    assert driven.executors() == []
    rejected = run([binary, "validate", "tests/invalid/missing-required.yaml"], check=False)
    assert rejected.returncode == 2 and "missing required field `image`" in rejected.stderr


@pytest.mark.parametrize("form", ["render", "helm"])
def test_user_text_is_never_expanded_by_any_kubelet(binary, cluster, tmp_path, form):
    """`$(AWS_SECRET_ACCESS_KEY)` in an argument or env value reaches the application as text: the
    Job pod's kubelet removes one escape from arguments and driver env values (and that pod has
    the keys in its env), the executors' kubelet one more from executor env values."""
    config = config_of(EXAMPLES[0])
    hostile = ["$(AWS_SECRET_ACCESS_KEY)", "cost$$5 $(K8S_S3_SPARK_IMAGE)"]
    config["spec"]["arguments"] = hostile
    config["spec"]["driver"] = {"env": [{"name": "GREETING", "value": "$(AWS_ACCESS_KEY_ID)"}]}
    config["spec"]["executor"]["env"] = [{"name": "GREETING", "value": "$(AWS_ACCESS_KEY_ID)"}]
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    if form == "render":
        objects = documents(run([binary, "render", path]).stdout)
    else:
        run([binary, "chart", path, "--out", tmp_path / "chart"])
        objects = render_chart(tmp_path / "chart", name="simple-read", namespace="spark-test")
    driven = run_driver(cluster, objects, tmp_path / "work", f"hostile-{form}", app_env={"PROBE_ENV": "GREETING"})
    assert driven.process.returncode == 0, driven.output[-2000:]
    assert driven.report["argv"][-2:] == hostile
    assert driven.report["env"]["GREETING"] == "$(AWS_ACCESS_KEY_ID)"
    [executor] = driven.executors()
    executor_env = {e["name"]: e for e in executor["spec"]["containers"][0]["env"]}
    # What the executors' kubelet would give the executor, with the secret in its env.
    secrets = {"AWS_ACCESS_KEY_ID": "AKIA-LEAKED", "AWS_SECRET_ACCESS_KEY": "LEAKED-SECRET"}
    assert expand(executor_env["GREETING"]["value"], secrets) == "$(AWS_ACCESS_KEY_ID)"
    assert "LEAKED" not in str(driven.report)


@pytest.mark.parametrize("app_env, code, says", [
    ({}, 0, None),
    ({"PROBE_RAISE": "the application failed on purpose"}, 1, "RuntimeError: the application failed on purpose"),
    ({"PROBE_EXIT": "3"}, 3, None),
], ids=["succeeds", "raises", "exits-3"])
def test_the_jobs_container_exits_as_the_application_does(binary, cluster, tmp_path, app_env, code, says):
    """The Job's status is the application's: its container is the driver, so it exits with the
    application's code (in cluster mode spark-submit exits 0 whatever the driver does,
    SPARK-26365), and the Job fails, respecting backoffLimit, exactly when the application does."""
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    namespace = f"exit-{code}-{len(app_env)}"
    driven = run_driver(cluster, objects, tmp_path, namespace, app_env=app_env)
    assert driven.process.returncode == code, driven.output[-3000:]
    if says:
        assert says in driven.output


def test_deleting_the_job_deletes_its_pod_and_the_executors(binary, cluster, tmp_path):
    """The executors are owned by the Job's pod (spark.kubernetes.driver.pod.name): when the Job
    goes (its ttlSecondsAfterFinished, or by hand), the real garbage collector removes the pod and
    then every executor, so nothing is left behind even when the driver could not clean up."""
    objects = documents(run([binary, "render", EXAMPLES[0] / "spark-job.yaml"]).stdout)
    driven = run_driver(cluster, objects, tmp_path, "gc-executors")
    assert driven.process.returncode == 0, driven.output[-3000:]
    assert driven.executors(), "the driver made executors"
    job = next(o for o in driven.objects if o["kind"] == "Job")
    cluster.kubectl("delete", "job", job["metadata"]["name"], "-n", "gc-executors", "--cascade=background")
    cluster.wait_for("the garbage collector to delete the Job's pod and its executors",
                     lambda: not cluster.json("get", "pods", "-n", "gc-executors")["items"], timeout=60)


def test_deps_packages_are_resolved_by_ivy_in_the_jobs_read_only_pod(binary, cluster, tmp_path):
    """`deps.packages` reach spark-submit as spark.jars.packages, with the Ivy cache on the pod's
    scratch volume (`/tmp`, the only writable place under its read-only root); run as the Job's
    pod would run it (the harness gives the scratch volume a folder of its own), real
    spark-submit resolves the package and its dependencies from Maven Central and the driver has
    their jars in spark.jars; `deps.files` and `deps.excludePackages` reach it too."""
    config = yaml.safe_load((EXAMPLES[0] / "spark-job.yaml").read_text())
    config["spec"]["deps"] = {"packages": ["org.apache.spark:spark-avro_2.12:3.5.9"],
                              "excludePackages": ["org.apache.hadoop:hadoop-aws"],
                              "files": ["local:///etc/hostname"]}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    objects = documents(run([binary, "render", path]).stdout)
    args = pod_spec(submitter(objects))["containers"][0]["args"]
    assert "spark.jars.packages=org.apache.spark:spark-avro_2.12:3.5.9" in args, args
    assert "spark.jars.ivy=/tmp/.ivy2" in args, args
    driven = run_driver(cluster, objects, tmp_path / "run", "deps-packages")
    assert driven.process.returncode == 0, driven.output[-3000:]
    conf = driven.report["conf"]
    assert "spark-avro_2.12-3.5.9.jar" in conf["spark.jars"], conf.get("spark.jars")
    assert conf["spark.jars.excludes"] == "org.apache.hadoop:hadoop-aws"
    # spark-submit adds the resolved jars to spark.files after ours.
    assert conf["spark.files"].split(",")[0] == "local:///etc/hostname", conf["spark.files"]


def test_priority_classes_reach_the_jobs_pod_and_the_executors(binary, cluster, tmp_path):
    """`priorityClassName` of the driver and the executors: the real API server's Priority
    admission gives the Job's pod (the driver) and the executors the driver starts the values of
    their classes."""
    for name, value in (("spark-drivers", 1000), ("spark-batch", 100)):
        cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-", input=json.dumps(
            {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name}, "value": value}))
    config = yaml.safe_load((EXAMPLES[0] / "spark-job.yaml").read_text())
    config["spec"]["driver"] = {**config["spec"].get("driver", {}), "priorityClassName": "spark-drivers"}
    config["spec"]["executor"] = {**config["spec"].get("executor", {}), "priorityClassName": "spark-batch"}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    objects = documents(run([binary, "render", path]).stdout)
    driven = run_driver(cluster, objects, tmp_path / "run", "priority-classes")
    assert driven.process.returncode == 0, driven.output[-3000:]
    assert driven.pod["spec"]["priorityClassName"] == "spark-drivers" and driven.pod["spec"]["priority"] == 1000
    executors = driven.executors()
    assert executors
    for executor in executors:
        assert executor["spec"]["priorityClassName"] == "spark-batch" and executor["spec"]["priority"] == 100


def test_gpus_reach_the_executors_as_the_vendors_resource(binary, cluster, tmp_path):
    """`executor.gpu`: real spark-submit, run as the Job's pod, asks the API server for executors
    with `VENDOR/gpu` in their limits (the real API server defaults the request to it, as it does
    for extended resources), and the driver's SparkContext accepts the amounts (it refuses a task
    amount above the executor's)."""
    config = yaml.safe_load((EXAMPLES[0] / "spark-job.yaml").read_text())
    config["spec"]["executor"] = {**config["spec"].get("executor", {}), "cores": 2, "gpu": {
        "amount": 2, "vendor": "amd.com", "taskAmount": 1,
        "discoveryScript": "/opt/spark/examples/src/main/scripts/getGpusResources.sh"}}
    config["spec"]["environments"] = {}
    path = tmp_path / "spark-job.yaml"
    path.write_text(yaml.safe_dump(config))
    objects = documents(run([binary, "render", path]).stdout)
    driven = run_driver(cluster, objects, tmp_path / "run", "gpus")
    assert driven.process.returncode == 0, driven.output[-3000:]
    conf = driven.report["conf"]
    assert conf["spark.executor.resource.gpu.amount"] == "2" and conf["spark.task.resource.gpu.amount"] == "1", conf
    executors = driven.executors()
    assert executors
    for executor in executors:
        resources = executor["spec"]["containers"][0]["resources"]
        assert resources["limits"]["amd.com/gpu"] == "2" and resources["requests"]["amd.com/gpu"] == "2", resources


def test_the_executors_spark_makes_from_a_merged_pod_template(binary, cluster, tmp_path):
    """tests/pod-template's executor template merged under ours, used by real spark-submit (run as
    the Job's pod, which carries the driver's template: the native sidecar, the CA bundle): the
    executors Spark creates are admitted under `restricted` with the template's label, port,
    topology spread and native sidecar (hardened like Spark's container), and without the
    template's runAsUser, which ours replaces."""
    objects = documents(run([binary, "render", ROOT / "tests" / "pod-template" / "spark-job.yaml"]).stdout)
    # The driver's template mounts this ConfigMap of the cluster's.
    objects.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "corporate-ca", "namespace": "x"},
                    "data": {"ca.pem": "not a real certificate"}})
    driven = run_driver(cluster, objects, tmp_path / "run", "pod-templates")
    assert driven.process.returncode == 0, driven.output[-3000:]
    assert [c["name"] for c in driven.pod["spec"]["initContainers"]] == ["proxy"]
    executors = driven.executors()
    assert executors
    for executor in executors:
        spec = executor["spec"]
        main = spec["containers"][0]
        assert main["name"] == "spark-kubernetes-executor"
        assert {"name": "metrics", "containerPort": 9090, "protocol": "TCP"} in main["ports"], main["ports"]
        [shipper] = spec["initContainers"]
        assert shipper["name"] == "log-shipper" and shipper["restartPolicy"] == "Always"
        assert shipper["securityContext"] == main["securityContext"]
        assert executor["metadata"]["labels"]["cost-center"] == "analytics"
        assert spec["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
        assert spec["securityContext"].get("runAsUser") != 1000
