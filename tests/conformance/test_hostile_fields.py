"""Hostile text in every string field the schema has (values and map keys, found by walking the
schema `k8s-s3-spark schema` prints, so a field added tomorrow is covered): each is refused with
exit 2 naming the field, or every form carries exactly the text. The chart is judged by the real
Helm library, the Kustomize base by real kubectl kustomize, against `render`.

A field is tried only where a plain value is accepted first (a config needs the rest of its
section to be valid); the test fails if the walk reaches fewer fields than it should."""

import copy
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, config_of, documents, run, tool
from test_helm import by_key as chart_key, render_chart
from test_kustomize import by_key as kustomize_key

# Line breaks that would become YAML keys, Go template actions, kubelet and shell expansions,
# quotes, a comment sign, and the characters YAML 1.1 tools read as line breaks.
HOSTILE = [
    "x\nexecutor:\n  instances: 99\nhostNetwork: true\n  {{ .Release.Name }} $(HOME) $$ 'q' \"dq\" # c",
    "x: {{ .Release.Name }} $(HOME) $$ `id` 'q' \"dq\" # c",
    "a\u0085b\u2028c",
    "a\x1b[31mb",
    "a\rb",
    "AKIAIOSFODNN7EXAMPLE",
    "--secret=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEYZ",
]
PLAIN = "plain-text"
# Keys tried for a map's entry, the first one a plain value is accepted under is used.
MAP_KEYS = ["example.com/note", "spark.app.note", "fs.s3a.connection.note", "NOTE", "note"]
# How many fields the walk must reach with a plain value accepted (the test's own floor: fewer
# means the walk or the base config broke, not that the tool got safer).
MIN_FIELDS = 400


def resolve(schema, node):
    for _ in range(32):
        if "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
        elif len(node.get("allOf", [])) == 1 and len(node) <= 3:
            node = {**{k: v for k, v in node.items() if k != "allOf"}, **node["allOf"][0]}
        else:
            return node
    return node


def types(node):
    t = node.get("type", [])
    return set(t if isinstance(t, list) else [t])


def string_fields(schema):
    """Every (path, in_key) the schema takes text at: a path is a list of keys and list indexes,
    with None for a map's key (filled from MAP_KEYS)."""
    found = []

    def walk(node, path, depth):
        if depth > 14:
            return
        node = resolve(schema, node)
        for branch in node.get("anyOf", []) + node.get("oneOf", []):
            walk(branch, path, depth + 1)
        if "string" in types(node) and "enum" not in node and "const" not in node:
            found.append((tuple(path), False))
        for key, sub in node.get("properties", {}).items():
            walk(sub, path + [key], depth + 1)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            found.append((tuple(path + [None]), True))
            walk(extra, path + [None], depth + 1)
        if "items" in node and isinstance(node["items"], dict):
            walk(node["items"], path + [0], depth + 1)

    walk(schema, [], 0)
    return sorted(set(found), key=repr)


def put(config, path, value, in_key, map_key):
    """`config` with `value` at `path` (parents made as needed); for `in_key`, the map entry's key
    is `map_key` + value and its value stays plain."""
    config = copy.deepcopy(config)
    node = config
    keys = [map_key if k is None else k for k in path]
    if in_key:
        keys[-1] = map_key + value
        value = PLAIN
    for key, following in zip(keys, keys[1:] + [None]):
        last = following is None and key is keys[-1]
        if isinstance(key, int):
            while len(node) <= key:
                node.append({} if not last else PLAIN)
            if last:
                node[key] = value
            else:
                if not isinstance(node[key], (dict, list)):
                    node[key] = {} if not isinstance(following, int) else []
                node = node[key]
        else:
            if last:
                node[key] = value
            else:
                if not isinstance(node.get(key), (dict, list)):
                    node[key] = [] if isinstance(following, int) else {}
                node = node[key]
    return config


def shown(path, map_key, in_key, value=None):
    """The field path as the tool prints it (`a.b[0]["x.y"]`), up to the map's key."""
    out = ""
    for key in path:
        if key is None:
            key = map_key + (value if in_key else "")
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.replace("-", "").replace("_", "").isalnum():
            out += ("." if out else "") + key
        else:
            out += "[" + json.dumps(key) + "]"
    return out


def ancestors(field):
    """`field` and the fields it is inside (`a.b[0]` is inside `a.b` and `a`)."""
    cuts = [i for i, c in enumerate(field) if c in ".[" and i > 0]
    return [field] + [field[:i] for i in reversed(cuts)]


def verdicts(binary, configs, folder):
    """`validate --format json` of every config (name -> config) in one process: the verdict of
    each, by name. No part of a key reaches its output."""
    folder.mkdir()
    for name, config in configs.items():
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    result = subprocess.run([str(binary), "validate", "--format", "json", str(folder)], capture_output=True, text=True)
    assert result.returncode in (0, 2), result.stderr
    assert "EXAMPLE" not in result.stdout + result.stderr
    return {Path(f["file"]).stem: f for f in json.loads(result.stdout)["files"]}


def named(findings, severity, fields):
    return any(f["severity"] == severity and f.get("field") in fields for f in findings)


def strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def carries(objects, text):
    """Whether some string of the objects holds `text`, as written or escaped for one or two
    kubelets (`$` as `$$`, `$$$$`)."""
    variants = {text, text.replace("$", "$$"), text.replace("$", "$$$$")}
    return any(v in s for s in strings(objects) for v in variants)


def readable(objects):
    """The objects with ConfigMap data that holds YAML (pod templates) read as objects."""
    return list(chart_key(copy.deepcopy(objects)).values())


def spark_reads(path):
    """Whether the SparkApplication carries the field: the Job's own settings (submitter, the
    ServiceAccount, the schedule, the namespace object) are not Spark's."""
    return not any(part in path for part in ("submitter", "serviceAccount", "schedule", "createNamespace"))


@pytest.fixture(scope="module")
def fields(binary):
    return [f for f in string_fields(json.loads(run([binary, "schema"]).stdout)) if "environments" not in f[0]]


def test_every_string_field_refuses_hostile_text_or_carries_it_into_every_form(binary, fields, tmp_path):
    base = config_of(EXAMPLES[0])
    base["spec"]["environments"] = {}

    # 1. The map key under which each field takes a plain value, if any.
    accepted = {}
    for round_, map_key in enumerate(MAP_KEYS):
        todo = {f"f{n}": (n, field) for n, field in enumerate(fields)
                if n not in accepted and (None in field[0] or round_ == 0)}
        if not todo:
            break
        key = map_key if round_ else MAP_KEYS[0]
        found = verdicts(binary, {name: put(base, path, PLAIN, in_key, key if None in path else "")
                                  for name, (n, (path, in_key)) in todo.items()}, tmp_path / f"plain-{round_}")
        for name, (n, (path, _)) in todo.items():
            if found[name]["valid"]:
                accepted[n] = key if None in path else ""
    assert len(accepted) >= MIN_FIELDS, f"only {len(accepted)} of {len(fields)} string fields took a plain value"

    # 2. Every hostile text in every such field, tagged so that each can be found in the output.
    cases = {}
    for n, map_key in accepted.items():
        path, in_key = fields[n]
        for h, text in enumerate(HOSTILE):
            tagged = f"{text} t{n}-{h}"
            cases[f"h{n}-{h}"] = (path, in_key, map_key, tagged)
    found = verdicts(binary, {name: put(base, path, text, in_key, key) for name, (path, in_key, key, text) in cases.items()},
                     tmp_path / "hostile")
    carried = []
    for name, (path, in_key, key, text) in cases.items():
        verdict, where = found[name], shown(path, key, in_key, text)
        if verdict["valid"]:
            assert "AKIA" not in text and "EXAMPLEKEY" not in text, f"{where}: a key was accepted"
            replaced = named(verdict["findings"], "warning", ancestors(where))
            carried.append((path, in_key, key, text, replaced, where))
            continue
        errors = [f for f in verdict["findings"] if f["severity"] == "error"]
        assert errors and all(f.get("help") for f in errors), (where, errors)
        if in_key:  # the key is shown escaped: the map names it
            map_path = shown(path[:-1], key, False)
            assert any(f.get("field", "").startswith(map_path) for f in errors), (where, errors)
        else:
            assert named(errors, "error", ancestors(where)), (where, errors)
    assert len(carried) < len(cases), "some hostile text is refused"

    # 3. What is accepted, in groups: every form carries each text (or the field is the tool's,
    # with a warning), and real Helm and real kustomize give exactly what `render` gives.
    groups, pending = [], distinct_groups(carried, 25)
    while pending:
        found = verdicts(binary, {f"g{i}": group_config(base, group) for i, group in enumerate(pending)},
                         tmp_path / f"groups-{len(groups)}-{len(pending)}")
        split = []
        for i, group in enumerate(pending):
            if found[f"g{i}"]["valid"] or len(group) == 1:
                groups.append(group)
            else:
                split += [group[:len(group) // 2], group[len(group) // 2:]]
        pending = split
    print(f"{len(fields)} string fields, {len(accepted)} took a plain value; {len(cases)} hostile cases, "
          f"{len(carried)} accepted and carried, in {len(groups)} groups")
    for i, group in enumerate(groups):
        config = group_config(base, group)
        file = tmp_path / f"group-{i}.yaml"
        file.write_text(yaml.safe_dump(config, allow_unicode=True))
        name, namespace = config["metadata"]["name"], config["metadata"]["namespace"]
        plain = documents(run([binary, "render", file]).stdout)
        operator = readable(documents(run([binary, "operator", file]).stdout))
        for path, _, _, text, replaced, where in group:
            assert carries(readable(plain), text) or replaced, (where, text)
            assert carries(operator, text) or replaced or not spark_reads(path), (where, text)
        chart = tmp_path / f"chart-{i}"
        run([binary, "chart", file, "--out", chart])
        helm = render_chart(chart, name=name, namespace=namespace)
        assert chart_key(helm) == chart_key(copy.deepcopy(plain)), [g[-1] for g in group]
        tree = tmp_path / f"kustomize-{i}"
        run([binary, "kustomize", file, "--out", tree])
        built = documents(run([tool("kubectl"), "kustomize", tree / "base"]).stdout)
        assert kustomize_key(built) == kustomize_key(copy.deepcopy(plain)), [g[-1] for g in group]


def distinct_groups(cases, size):
    """`cases` in groups of at most `size` with no two of one field (one would overwrite the
    other), in order."""
    groups = []
    for case in cases:
        spot = next((g for g in groups if len(g) < size and all(c[:3] != case[:3] for c in g)), None)
        if spot is None:
            groups.append([case])
        else:
            spot.append(case)
    return groups


def group_config(base, group):
    config = base
    for path, in_key, key, text, _, _ in group:
        config = put(config, path, text, in_key, key)
    return config
