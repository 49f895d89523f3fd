"""Running a generated Job's container the way the kubelet would, but with real spark-submit
from PyPI pyspark, against the real control plane (control_plane.py): env from values and the downward API,
`$(VAR)` expansion with `$$` escapes, ConfigMap volumes written to disk."""

import os
import re
import subprocess
from pathlib import Path

import pyspark

SPARK_HOME = Path(pyspark.__file__).parent
SPARK_SUBMIT = SPARK_HOME / "bin" / "spark-submit"

# Messages spark-submit prints for settings it ignores or does not know.
IGNORED_CONF_MESSAGES = ("Ignoring non-Spark config property", "Warning: Ignoring", "Unknown configuration")


def expand(text, env):
    """Kubernetes' $(VAR) expansion: defined names are replaced, $$ is a literal $."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            if text[i + 1] == "$":
                out.append("$")
                i += 2
                continue
            if text[i + 1] == "(":
                end = text.find(")", i + 2)
                if end != -1 and text[i + 2:end] in env:
                    out.append(env[text[i + 2:end]])
                    i = end + 1
                    continue
        out.append(text[i])
        i += 1
    return "".join(out)


def container_env(job, secret_values=None):
    """The submitter container's environment as the kubelet builds it."""
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
        else:
            field = item["valueFrom"]["fieldRef"]["fieldPath"]
            env[item["name"]] = {
                "metadata.namespace": job["metadata"]["namespace"],
                "spec.serviceAccountName": pod["serviceAccountName"],
            }[field]
    return env


def find(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def submit(job, objects, api_url, workdir, extra_args=(), drop_conf_prefix=None):
    """Runs the Job's container command with real spark-submit; returns the CompletedProcess."""
    Path(workdir).mkdir(parents=True, exist_ok=True)
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = container_env(job)
    assert container["command"] == ["/opt/spark/bin/spark-submit"]
    args = [expand(a, env) for a in container["args"]]
    # ConfigMap volumes become folders; paths under their mount points are rewritten to them.
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    rewrites = {}
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            folder = Path(workdir) / volume["name"]
            folder.mkdir(parents=True, exist_ok=True)
            for key, value in find(objects, "ConfigMap", volume["configMap"]["name"]).get("data", {}).items():
                (folder / key).write_text(value)
            rewrites[mounts[volume["name"]]] = str(folder)
    for mount, folder in rewrites.items():
        args = [a.replace(mount, folder) for a in args]
    args[args.index("--master") + 1] = f"k8s://{api_url}"
    if drop_conf_prefix:
        drop = [i for i, a in enumerate(args) if a.startswith(drop_conf_prefix)]
        for i in reversed(drop):
            del args[i - 1:i + 1]
    command = [str(SPARK_SUBMIT), "--conf", "spark.kubernetes.submission.waitAppCompletion=false", *extra_args, *args]
    # No KUBECONFIG: its client certificate would win over the ServiceAccount's token.
    process_env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SPARK_", "PYSPARK_")) and k != "KUBECONFIG"}
    process_env.update(env, SPARK_HOME=str(SPARK_HOME), HOME=str(workdir))
    ivy = Path(workdir) / "ivy"
    command = [a.replace("spark.jars.ivy=/tmp/.ivy2", f"spark.jars.ivy={ivy}") for a in command]
    return subprocess.run(command, capture_output=True, text=True, env=process_env, timeout=300, cwd=workdir)


def spark_properties(config_map):
    """The spark.properties file of the ConfigMap Spark creates for the driver, as a dict."""
    text = next(v for k, v in config_map.get("data", {}).items() if k.endswith("spark.properties"))
    props = {}
    for line in text.splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            props[key] = re.sub(r"\\(.)", r"\1", value)
    return props
