"""The ExternalSecret judged by the External Secrets Operator's own CRD schema, taken from the
operator's Go module at a pinned version (kubernetes-validate has no schema for custom resources
and only warns). Every form that carries one is checked: plain, chart, every Kustomize overlay."""

import copy

import jsonschema
import pytest
import yaml

from conftest import EXAMPLES, config_of, documents, eso_crd_files, environments, render_chart, run, tool


@pytest.fixture(scope="module")
def schema():
    """The CRD's openAPIV3Schema for the version our objects use, made strict the way
    `kubectl apply --validate=strict` is: unknown fields are errors."""
    [crd_file] = eso_crd_files()
    crd = yaml.safe_load(crd_file.read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    assert version["served"], "external-secrets.io/v1 is served"
    return strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))


def strict(node):
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node and not node.get("x-kubernetes-preserve-unknown-fields"):
            node.setdefault("additionalProperties", False)
        for value in node.values():
            strict(value)
    elif isinstance(node, list):
        for value in node:
            strict(value)
    return node


def external_secrets(objects):
    return [o for o in objects if o["kind"] == "ExternalSecret"]


WITH_EXTERNAL_SECRET = [e for e in EXAMPLES if "externalSecret" in str(config_of(e))]


def test_an_example_uses_an_external_secret():
    assert WITH_EXTERNAL_SECRET


@pytest.mark.parametrize("example", WITH_EXTERNAL_SECRET, ids=lambda e: e.name)
def test_every_form_passes_the_operators_schema(binary, schema, tmp_path, example):
    config = example / "spark-job.yaml"
    found = []
    for env in [None, *environments(config)]:
        args = [binary, "render", config] + (["--env", env] if env else [])
        found += external_secrets(documents(run(args).stdout))
    run([binary, "chart", config, "--out", tmp_path / "chart"])
    found += external_secrets(render_chart(tmp_path / "chart", name="r", namespace="ns"))
    run([binary, "kustomize", config, "--out", tmp_path / "tree"])
    for overlay in sorted((tmp_path / "tree" / "overlays").glob("*")):
        found += external_secrets(documents(run([tool("kubectl"), "kustomize", overlay]).stdout))
    assert len(found) >= 3
    for o in found:
        jsonschema.validate(o, schema)
        assert o["spec"]["target"]["name"] == o["metadata"]["name"]


def test_a_broken_external_secret_is_refused_by_the_schema(binary, schema):
    """The judge can fail: a misspelt field and a wrong store kind are refused."""
    [o] = external_secrets(documents(run([binary, "render", WITH_EXTERNAL_SECRET[0] / "spark-job.yaml"]).stdout))
    for breakage in [("secretStoreRef", "kind", "VaultStore"), ("target", "creationPolicyy", "Owner")]:
        broken = copy.deepcopy(o)
        broken["spec"][breakage[0]][breakage[1]] = breakage[2]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)
