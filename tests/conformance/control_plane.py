"""A real Kubernetes control plane on loopback for the conformance stage: etcd (Debian's
etcd-server), kube-apiserver, kube-controller-manager and kube-scheduler built from the Go module
proxy by control-plane/build (cached). TLS everywhere, RBAC, the ServiceAccount and PodSecurity
admission plugins, TokenRequest. No kubelet: pods are admitted and scheduled nowhere.

Notes learned on the way (see ../../shared/reference/real-control-plane.md):
- the controller-manager makes each namespace's `default` ServiceAccount and `kube-root-ca.crt`,
  and runs the Job, garbage-collector and TTL controllers;
- stop the API server before etcd: without etcd it takes a minute to exit;
- KUBECONFIG must not reach a client that should act as a ServiceAccount (its client certificate
  would win over the token).
"""

import collections
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from conftest import free_port, stop, submitter, tool

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "tests" / "conformance" / "control-plane" / "build"
SERVICE_CIDR = "10.96.0.0/12"
ISSUER = "https://kubernetes.default.svc.cluster.local"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certificates(folder):
    """A CA, the API server's serving certificate (127.0.0.1 and the in-cluster names), an admin
    client certificate in system:masters, and the ServiceAccount token signing key."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "2", "-subj", "/CN=k8s-s3-spark-test-ca", cwd=folder)
    names = "DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc," \
            "DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1"
    for name, subject, extension in [
        ("apiserver", "/CN=kube-apiserver", f"subjectAltName={names}\nextendedKeyUsage=serverAuth"),
        ("admin", "/O=system:masters/CN=admin", "extendedKeyUsage=clientAuth"),
    ]:
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", subject, cwd=folder)
        (folder / f"{name}.ext").write_text(extension + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext", cwd=folder)
    openssl("genrsa", "-out", "sa.key", "2048", cwd=folder)
    openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=folder)


def kubeconfig(folder, server):
    path = folder / "admin.kubeconfig"
    path.write_text(f"""apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {server}
    certificate-authority: {folder / 'ca.crt'}
users:
- name: admin
  user:
    client-certificate: {folder / 'admin.crt'}
    client-key: {folder / 'admin.key'}
contexts:
- name: test
  context: {{cluster: test, user: admin}}
current-context: test
""")
    return path


class ControlPlane:
    """Starts on enter, stops on exit (API server before etcd); logs stay in `folder`."""

    def __init__(self, bin_dir, folder):
        self.bin = Path(bin_dir)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.processes = []

    def start(self, name, args):
        log = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        self.processes.append((name, process, log))
        return process

    def wait_ready(self, url, what, timeout=120):
        context = ssl.create_default_context(cafile=str(self.folder / "ca.crt"))
        context.load_cert_chain(self.folder / "admin.crt", self.folder / "admin.key")
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, process, _ in self.processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited {process.returncode}:\n{self.log(name)[-3000:]}")
            try:
                with urllib.request.urlopen(url, context=context, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except Exception as error:  # not up yet
                last = error
            time.sleep(0.3)
        raise RuntimeError(f"{what} not ready after {timeout} s ({last}):\n{self.log('kube-apiserver')[-3000:]}")

    def log(self, name):
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self):
        make_certificates(self.folder)
        etcd_port, etcd_peer, port = free_port(), free_port(), free_port()
        self.server = f"https://127.0.0.1:{port}"
        self.kubeconfig = kubeconfig(self.folder, self.server)
        self.ca = self.folder / "ca.crt"
        self.start("etcd", [
            shutil.which("etcd") or "/usr/bin/etcd", "--data-dir", str(self.folder / "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--advertise-client-urls", f"http://127.0.0.1:{etcd_port}",
            "--listen-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{etcd_peer}",
            "--initial-cluster", f"default=http://127.0.0.1:{etcd_peer}",
            "--log-level", "warn",
        ])
        f = self.folder
        self.start("kube-apiserver", [
            self.bin / "kube-apiserver",
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", f"--secure-port={port}",
            f"--tls-cert-file={f / 'apiserver.crt'}", f"--tls-private-key-file={f / 'apiserver.key'}",
            f"--client-ca-file={f / 'ca.crt'}",
            f"--service-account-issuer={ISSUER}", f"--api-audiences={ISSUER}",
            f"--service-account-key-file={f / 'sa.pub'}",
            f"--service-account-signing-key-file={f / 'sa.key'}",
            "--authorization-mode=RBAC",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity",
            # Otherwise validation refuses a privileged pod before Pod Security sees it.
            "--allow-privileged=true",
            "--endpoint-reconciler-type=none",
            f"--cert-dir={f / 'apiserver-certs'}",
        ])
        self.wait_ready(f"{self.server}/readyz", "kube-apiserver")
        common = [f"--kubeconfig={self.kubeconfig}", f"--authentication-kubeconfig={self.kubeconfig}",
                  f"--authorization-kubeconfig={self.kubeconfig}", "--leader-elect=false",
                  "--bind-address=127.0.0.1", "--secure-port=0"]
        self.start("kube-controller-manager", [
            self.bin / "kube-controller-manager", *common,
            f"--service-account-private-key-file={f / 'sa.key'}", f"--root-ca-file={f / 'ca.crt'}",
            "--use-service-account-credentials=false",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
        ])
        self.start("kube-scheduler", [self.bin / "kube-scheduler", *common])
        self.wait_ready(f"{self.server}/api/v1/namespaces/default/serviceaccounts/default",
                        "the controller-manager's default ServiceAccount")
        return self

    def __exit__(self, *exc):
        # The API server first: without etcd it takes a minute to stop.
        for _, process, log in reversed(self.processes):
            stop(process, timeout=30)
            log.close()

    def kubectl(self, *args, check=True, input=None):
        env = {k: v for k, v in os.environ.items() if k != "KUBECONFIG"}
        result = subprocess.run([tool("kubectl"), f"--kubeconfig={self.kubeconfig}", *map(str, args)],
                                capture_output=True, text=True, input=input, env=env, cwd=ROOT)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(map(str, args))} exited {result.returncode}:\n"
                                 f"{result.stdout}\n{result.stderr}\n(control-plane logs in {self.folder})")
        return result

    def json(self, *args):
        import json

        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def restricted_namespace(self, name):
        """Creates namespace `name` (if absent) enforcing Pod Security `restricted`."""
        self.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-", input=f"""apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
""")

    def apply(self, objects, folder):
        """Applies objects server-side: their Namespace first (a Helm rendering lists it after the
        objects in it), else one the test makes enforcing `restricted`. Returns the file applied."""
        import yaml

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        own = [o for o in objects if o["kind"] == "Namespace"]
        if own:
            self.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", "-",
                         input=yaml.safe_dump_all(own))
        else:
            self.restricted_namespace(submitter(objects)["metadata"]["namespace"])
        path = folder / "objects.yaml"
        path.write_text(yaml.safe_dump_all([o for o in objects if o["kind"] != "Namespace"]))
        self.kubectl("apply", "--server-side", "--field-manager=conformance", "-f", path)
        return path

    def run_now(self, namespace, name):
        """Starts a run of CronJob `name` now, as a user does (`kubectl create job --from=cronjob/`):
        the API server makes the Job from the CronJob's jobTemplate, named like the CronJob here.
        Returns that Job as the API server holds it."""
        self.kubectl("create", "job", name, f"--from=cronjob/{name}", "-n", namespace)
        return self.json("get", "job", name, "-n", namespace)

    def started_job(self, objects):
        """The Job that runs spark-submit once `objects` are applied: the Job itself, or a run of
        the CronJob started now (`run_now`)."""
        obj = submitter(objects)
        if obj["kind"] == "Job":
            return obj
        return self.run_now(obj["metadata"]["namespace"], obj["metadata"]["name"])

    def submitter_pod(self, job):
        """Waits for the pod the Job controller makes for `job`: its creation proves Pod Security
        `restricted` admitted it. Fails with the namespace's events otherwise."""
        namespace, name = job["metadata"]["namespace"], job["metadata"]["name"]

        def probe():
            return self.json("get", "pods", "-n", namespace, "-l", f"batch.kubernetes.io/job-name={name}")["items"]

        try:
            return self.wait_for(f"the pod of Job {namespace}/{name}", probe, timeout=30)
        except AssertionError as error:
            events = self.kubectl("get", "events", "-n", namespace, check=False).stdout
            raise AssertionError(f"{error}\n{events}") from None

    def wait_for(self, what, probe, timeout=60):
        """Polls `probe()` until it returns something true; fails naming `what`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = probe()
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what} (control-plane logs in {self.folder})")


def build():
    """The folder of the built control-plane binaries (built once, then cached)."""
    result = subprocess.run([str(BUILD)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"control-plane/build failed:\n{result.stderr[-5000:]}")
    return result.stdout.strip().splitlines()[-1]


def start(folder=None):
    return ControlPlane(build(), folder or tempfile.mkdtemp(prefix="control-plane-"))


def in_namespace(objects, namespace):
    """The objects moved to `namespace`, as `kubectl apply -n` or Kustomize's namespace
    transformer would: metadata, RoleBinding subjects, and a Namespace object's own name."""
    import copy

    moved = copy.deepcopy(objects)
    for o in moved:
        if o["kind"] == "Namespace":
            o["metadata"]["name"] = namespace
        else:
            o["metadata"]["namespace"] = namespace
        for subject in o.get("subjects", []):
            if subject.get("kind") == "ServiceAccount":
                subject["namespace"] = namespace
    return moved


PROBE = Path(__file__).parent / "apps" / "probe.py"


class DriverRun:
    """One run of a Job's pod as the driver: the process, what the probe application reported
    (or None), the Job's pod as the API server holds it, and the objects as applied."""

    def __init__(self, cluster, namespace, process, report, pod, objects):
        self.cluster, self.namespace = cluster, namespace
        self.process, self.report, self.pod, self.objects = process, report, pod, objects

    @property
    def output(self):
        return self.process.stdout + self.process.stderr

    def executors(self):
        """The executor pods on the API server (Spark labels them spark-role=executor)."""
        return self.cluster.json("get", "pods", "-n", self.namespace, "-l", "spark-role=executor")["items"]


class _AnyKeys(dict):
    """Secrets the test did not make: any name, any key, a fake value (the API server never
    sees it: the driver only references Secrets in the executors' pod specs)."""

    def __missing__(self, name):
        return collections.defaultdict(lambda: "fake-value")


def run_driver(cluster, objects, workdir, namespace, application=PROBE, app_env=None, extra_args=(),
               drop_conf_prefix=None, executor_wait="5s"):
    """Applies `objects` in `namespace` (enforcing `restricted`), waits for the pod the Job
    controller makes, then runs that pod's command with real spark-submit as the kubelet would:
    in client mode this process is the Spark driver, authenticated only by a TokenRequest token of
    the Job's ServiceAccount, trusting the cluster CA. `application` stands in for the Job's own
    (the probe by default). Executors are requested and admitted but never run (no kubelet), so the
    driver waits `executor_wait` for them, and keeps them after it ends so the test can read them."""
    import base64

    from kubelet import run_job_pod

    objects = in_namespace(objects, namespace)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    cluster.apply(objects, workdir)
    job = cluster.started_job(objects)
    [pod] = cluster.submitter_pod(job)
    account = job["spec"]["template"]["spec"]["serviceAccountName"]
    token = workdir / "token"
    token.write_text(cluster.kubectl("create", "token", account, "-n", namespace, "--duration=10m").stdout.strip())
    secrets = _AnyKeys({o["metadata"]["name"]: {k: base64.b64decode(v).decode() for k, v in o.get("data", {}).items()}
                        for o in objects if o["kind"] == "Secret"})
    report = workdir / "probe.json"
    # No S3 store here: a job's event log (eventLogDir) goes to a local folder instead, since
    # Spark refuses to start without its folder (the end-to-end MinIO case proves the S3 one).
    events = workdir / "events"
    events.mkdir(exist_ok=True)
    process = run_job_pod(
        job, objects, cluster.server, workdir / "work", pod["metadata"]["name"], secrets, application,
        app_env={"PROBE_OUT": str(report), **(app_env or {})}, drop_conf_prefix=drop_conf_prefix,
        extra_args=[
            "--conf", f"spark.kubernetes.authenticate.oauthTokenFile={token}",
            "--conf", f"spark.kubernetes.authenticate.caCertFile={cluster.ca}",
            "--conf", f"spark.scheduler.maxRegisteredResourcesWaitingTime={executor_wait}",
            "--conf", "spark.kubernetes.executor.deleteOnTermination=false",
            # All executors in one request: Spark asks for the next batch of 5 only once it sees
            # the last in a watch event, and this control plane's watches fail (etcd 3.4 lacks
            # RequestWatchProgress), leaving the 30 s poll.
            "--conf", "spark.kubernetes.allocation.batch.size=1000",
            "--conf", f"spark.eventLog.dir=file://{events}",
            *extra_args,
        ])
    found = json.loads(report.read_text()) if report.exists() else None
    return DriverRun(cluster, namespace, process, found, pod, objects)
