"""A job's own pod templates (tests/pod-template/spark-job.yaml: a native sidecar, a CA bundle from
a ConfigMap and DNS options for the driver; labels, a metrics port, topology spread and a log
shipper for the executors) merged under ours, judged by the real tools: kubernetes-validate and
checkov on the plain form, Pod Security `restricted` admission of the pods as the Job controller
and Spark would create them, the Spark Operator's CRDs for its form, real Helm for the chart
(whose Go copy of the merge must give render's objects, and whose values schema refuses a
misspelt field of a template). Real spark-submit making executors from the merged template is in
test_spark_submit.py."""

import json

import control_plane
import pytest
import yaml

from conftest import ROOT, assert_valid_and_policy_clean, documents, pod_spec, run, submitter, tool
from test_helm import K8S_VERSION, by_key, helm_template, lint

JOB = ROOT / "tests" / "pod-template" / "spark-job.yaml"
ENVIRONMENTS = [None, "prod"]


def render(binary, *flags):
    return documents(run([binary, "render", JOB, *flags]).stdout)


def flags(env):
    return ["--env", env] if env else []


def test_kubernetes_validate_and_checkov_accept_the_merged_pods(binary, tmp_path):
    files = []
    for env in ENVIRONMENTS:
        path = tmp_path / f"{env or 'base'}.yaml"
        path.write_text(run([binary, "render", JOB, *flags(env)]).stdout)
        files.append(path)
    assert_valid_and_policy_clean(files, tmp_path)


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: e or "base")
def test_the_merged_pods_are_admitted_under_restricted(binary, cluster, env):
    """The Job's pod and an executor made from the template (Spark adds the image and the rest)
    pass the real API server's Pod Security admission in a namespace enforcing `restricted`, with
    no warning; their own parts (the sidecars, the CA volume, the port) are there, hardened."""
    namespace = f"pod-templates-{env or 'base'}"
    cluster.restricted_namespace(namespace)
    objects = render(binary, *flags(env))
    # The ServiceAccount first: the API server refuses a pod naming one that does not exist.
    accounts = control_plane.in_namespace([o for o in objects if o["kind"] == "ServiceAccount"], namespace)
    cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-",
                    input=json.dumps({"apiVersion": "v1", "kind": "List", "items": accounts}))
    job_pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "driver", "namespace": namespace},
               "spec": pod_spec(submitter(objects))}
    [config_map] = [o for o in objects if o["kind"] == "ConfigMap"]
    executor = yaml.safe_load(config_map["data"]["executor.yaml"])
    executor["metadata"].update(name="executor", namespace=namespace)
    # What Spark adds to the template that the API server needs: the image and the account.
    executor["spec"]["containers"][0]["image"] = job_pod["spec"]["containers"][0]["image"]
    executor["spec"]["serviceAccountName"] = job_pod["spec"]["serviceAccountName"]
    for pod in (job_pod, executor):
        result = cluster.kubectl("create", "--dry-run=server", "-f", "-", input=json.dumps(pod), check=False)
        assert result.returncode == 0, result.stderr
        assert "violate PodSecurity" not in result.stderr, result.stderr
    driver = job_pod["spec"]
    assert [c["name"] for c in driver["initContainers"]] == ["proxy"]
    assert driver["initContainers"][0]["securityContext"] == driver["containers"][0]["securityContext"]
    assert {"name": "corporate-ca", "configMap": {"name": "corporate-ca"}} in driver["volumes"]
    assert driver["dnsConfig"] == {"options": [{"name": "ndots", "value": "2"}]}
    spec = executor["spec"]
    assert spec["containers"][0]["name"] == "spark-kubernetes-executor"
    assert spec["containers"][0]["ports"] == [{"name": "metrics", "containerPort": 9090}]
    assert "runAsUser" not in spec["securityContext"], "the template's runAsUser is replaced by ours"
    shippers = [c["name"] for c in spec.get("initContainers", [])]
    assert shippers == ([] if env == "prod" else ["log-shipper"])


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: e or "base")
def test_the_operator_form_with_pod_templates_passes_its_crds(binary, cluster, tmp_path, env):
    namespace = f"opcrd-pod-templates-{env or 'base'}"
    cluster.restricted_namespace(namespace)
    objects = documents(run([binary, "operator", JOB, *flags(env)]).stdout)
    objects = control_plane.in_namespace([o for o in objects if o["kind"] != "Namespace"], namespace)
    app = objects[-1]
    assert app["kind"] == "SparkApplication"
    assert [c["name"] for c in app["spec"]["driver"]["template"]["spec"]["initContainers"]] == ["proxy"]
    path = tmp_path / "objects.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    result = cluster.kubectl("apply", "--server-side", "--field-manager=conformance", "--dry-run=server",
                             "-f", path, check=False)
    assert result.returncode == 0, result.stderr


def test_the_kustomize_tree_builds_to_what_render_gives(binary, tmp_path):
    """Real kubectl kustomize builds the base and the prod overlay (whose executor template
    replaces the base's) to `render`'s objects."""
    tree = tmp_path / "tree"
    run([binary, "kustomize", JOB, "--out", tree])

    def by_key(objects):
        for o in objects:
            if o["kind"] == "ConfigMap":
                o["data"] = {k: yaml.safe_load(v) for k, v in o.get("data", {}).items()}
        return {(o["kind"], o["metadata"]["name"]): o for o in objects}

    for env in ENVIRONMENTS:
        built = documents(run([tool("kubectl"), "kustomize", tree / (f"overlays/{env}" if env else "base")]).stdout)
        assert by_key(built) == by_key(render(binary, *flags(env))), env


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=lambda e: e or "base")
def test_the_chart_merges_the_templates_as_render_does(binary, tmp_path, env):
    """`helm template` of the chart (with values-ENV.yaml for an environment) gives render's
    objects: the chart's Go merge (k8s-s3-spark.mergeUnder, given the tool's field tables) puts
    the sidecars, volumes, labels, ports and DNS of the templates where render's merge puts them,
    drops the fields the tool owns and hardens the sidecars."""
    chart = tmp_path / "chart"
    made = run([binary, "chart", JOB, "--out", chart])
    assert "warning[KS127]" in made.stderr, made.stderr
    plain = render(binary, *flags(env))
    job = submitter(plain)
    values = chart / (f"values-{env}.yaml" if env else "values.yaml")
    helm = by_key(helm_template(chart, job["metadata"]["name"], job["metadata"]["namespace"], values, tmp_path))
    plain = by_key(plain)
    assert sorted(helm) == sorted(plain)
    for key in plain:
        assert helm[key] == plain[key], key
    # Not vacuous: the merged pods carry the templates' parts.
    spec = pod_spec(helm[(job["kind"], job["metadata"]["name"])])
    assert spec.get("initContainers") and spec.get("dnsConfig"), spec
    overrides = yaml.safe_load(values.read_text()) if env else None
    report = lint(str(chart), overrides, strict=True, kube_version=f"v{K8S_VERSION}",
                  namespace=job["metadata"]["namespace"])
    assert not report["errors"] and not [m for m in report["messages"] if m["severity"] >= 2], report


def test_the_charts_values_schema_refuses_a_misspelt_template_field(binary, tmp_path):
    chart = tmp_path / "chart"
    run([binary, "chart", JOB, "--out", chart])
    values = {"executor": {"podTemplate": {"spec": {"topologySpreadConstrains": []}}}}
    report = lint(str(chart), values, strict=True, kube_version=f"v{K8S_VERSION}", namespace="ns")
    assert any("topologySpreadConstrains" in e for e in report["errors"]), report["errors"]
