"""Running a generated Job's container the way the kubelet would, but with real spark-submit
from PyPI pyspark, against the real control plane (control_plane.py): env from values, the
downward API and Secret keys, `$(VAR)` expansion with `$$` escapes, ConfigMap volumes written to
disk. In client mode that process is the Spark driver."""

import os
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


def metadata_field(pod, path):
    """A downward API `metadata.annotations['KEY']` or `metadata.labels['KEY']` of a pod."""
    for field in ("annotations", "labels"):
        prefix = f"metadata.{field}['"
        if path.startswith(prefix) and path.endswith("']"):
            return pod["metadata"].get(field, {}).get(path[len(prefix):-2], "")
    raise KeyError(path)


def container_env(job, pod_name, pod_ip, secrets):
    """The Job container's environment as the kubelet builds it: values with `$(VAR)` expanded
    against the variables before them, the downward API, and keys of `secrets` ({name: {key: value}})."""
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    fields = {
        "metadata.namespace": job["metadata"]["namespace"],
        "metadata.name": pod_name,
        "status.podIP": pod_ip,
        "spec.serviceAccountName": pod["serviceAccountName"],
    }
    env = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = expand(item["value"], env)
        elif "fieldRef" in item["valueFrom"]:
            path = item["valueFrom"]["fieldRef"]["fieldPath"]
            env[item["name"]] = fields[path] if path in fields else metadata_field(job["spec"]["template"], path)
        else:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets[ref["name"]][ref["key"]]
    return env


def find(objects, kind, name):
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def run_job_pod(job, objects, api_url, workdir, pod_name, secrets, application, app_env=None, extra_args=(),
                drop_conf_prefix=None, timeout=300):
    """Runs the Job's container command with real spark-submit, as the kubelet would run it in the
    Job's pod `pod_name`: in client mode this process is the Spark driver, on 127.0.0.1. The
    application file (in an image we do not have) is replaced by `application`, given the Job's
    arguments; a JVM application's `--class` goes with it. Returns the CompletedProcess."""
    Path(workdir).mkdir(parents=True, exist_ok=True)
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = container_env(job, pod_name, "127.0.0.1", secrets)
    # The wrapper script (sh -c SCRIPT NAME MESSAGE-PATH SPARK-SUBMIT) runs as it is, with the
    # termination message in the work folder and the real spark-submit.
    shell, flag, script, name, message_path, submit = container["command"]
    assert (shell, flag, submit) == ("/bin/sh", "-c", "/opt/spark/bin/spark-submit")
    assert message_path == container["terminationMessagePath"]
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
    if "--class" in args:
        del args[args.index("--class"):args.index("--class") + 2]
    app = next(i for i, a in enumerate(args) if i > 0 and args[i - 1] != "--conf" and not a.startswith("-")
               and a.split(":", 1)[0] in ("local", "s3a", "http", "https") and "://" in a)
    args[app] = str(application)
    ivy = Path(workdir) / "ivy"
    args = [a.replace("spark.jars.ivy=/tmp/.ivy2", f"spark.jars.ivy={ivy}") for a in args]
    # Test-only settings go before the application file, after the generated ones (last wins).
    command = [shell, flag, script, name, str(Path(workdir) / "termination-log"), str(SPARK_SUBMIT),
               *args[:app], *extra_args, *args[app:]]
    # No KUBECONFIG: its client certificate would win over the ServiceAccount's token.
    process_env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SPARK_", "PYSPARK_", "AWS_")) and k != "KUBECONFIG"}
    process_env.update(env, SPARK_HOME=str(SPARK_HOME), HOME=str(workdir), PYSPARK_PYTHON=os.sys.executable,
                       **(app_env or {}))
    return subprocess.run(command, capture_output=True, text=True, env=process_env, timeout=timeout, cwd=workdir)
