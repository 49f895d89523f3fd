"""A test node for the real control plane (control_plane.py): test code, not product. It registers
a Ready Node, keeps its Lease, and runs each container of the pods the real scheduler binds to it
as a local process, the way a kubelet would:

- each pod in its own network namespace with its own IP on a bridge (`ip netns`, veth), its own
  mount namespace (the image's folders, the pod's volumes at their mount paths) and its own
  /etc/hosts, which names the API server `kubernetes.default.svc` (the bridge address, where a
  proxy forwards to the API server) and the pod's own name;
- volumes: configMap, secret, emptyDir, downwardAPI and projected (a TokenRequest token bound to
  the pod for its ServiceAccount, `ca.crt`, the namespace), only where the admitted pod has them;
  and persistentVolumeClaim, for which the agent is also the cluster's provisioner: each pending
  claim gets a hostPath PersistentVolume in a folder of the node (claimRef set, the claim's class,
  made if missing, and size), which the real controller-manager binds; a pod mounts its bound
  volume's folder;
- env: `value` with `$(VAR)` expansion, `fieldRef`, `secretKeyRef`, `configMapKeyRef` (a missing
  Secret leaves the container waiting in CreateContainerConfigError, as a kubelet does);
  `command`/`args` expanded the same way; the image's entrypoint when the pod gives no command;
- pod and container status (Running, exit code, reason, the termination message: the file at
  `terminationMessagePath`, mounted writable, else the log's tail under FallbackToLogsOnError;
  Succeeded/Failed), and deletion: a deleted pod's processes are
  stopped and the pod removed, so the garbage collector's cascades complete.

- the user: the process runs as the pod's `runAsUser`/`runAsGroup` (container over pod), else as
  the image's user, with `fsGroup` as its supplementary group (setpriv); `runAsNonRoot` with a
  root user is refused as a kubelet does (CreateContainerConfigError); the image's folders are
  mounted read-only under `readOnlyRootFilesystem`, so only volumes can be written.

An image is a dict: `paths` (container path -> host folder or file), `masks` (host folders
replaced by an empty one, before `paths` are mounted), `env` (the image's ENV), `user` ((uid,
gid), default root), `workdir` and `entrypoint` (args -> argv, for pods without a command). The
kubelet's log endpoint serves the container logs, so `kubectl logs` works through the API server. Not done: resource limits, probes, restarts, several containers per pod, a
read-only host root outside the image's folders, and cluster DNS beyond /etc/hosts (the API
server, and each Service whose selector matches a pod this node runs, as that pod's IP, written
when a pod starts: a cluster-mode driver's Service exists before its executors)."""

import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from kubelet import expand, metadata_field

BRIDGE = "ks3br0"
SUBNET = "10.244.0"
GATEWAY = f"{SUBNET}.1"
TERMINATION_TAIL = 2048
TERMINATION_MESSAGE = 4096  # the kubelet reads at most this much of the message file


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sh(*args, check=True):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=check)


class ConfigError(Exception):
    """What a kubelet reports as CreateContainerConfigError."""


class Proxy(threading.Thread):
    """TCP forwarding from (GATEWAY, port) to (127.0.0.1, target): how pods reach the API server
    and the S3 server, which listen on the host's loopback."""

    def __init__(self, port, target):
        super().__init__(daemon=True)
        self.server = socket.create_server((GATEWAY, port), reuse_port=False)
        self.target = target

    def run(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.server.close()


KUBELET_PORT = 10250


class LogServer(threading.Thread):
    """The kubelet's log endpoint (`/containerLogs/NAMESPACE/POD/CONTAINER`, HTTPS), which the API
    server proxies `kubectl logs` to; served from the agent's log files."""

    def __init__(self, agent):
        super().__init__(daemon=True)
        import http.server
        import ssl

        key, cert = agent.folder / "kubelet.key", agent.folder / "kubelet.crt"
        sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
           "-subj", f"/CN={agent.name}", "-addext", f"subjectAltName=IP:{GATEWAY}")

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parts = self.path.split("?", 1)[0].strip("/").split("/")
                if len(parts) == 4 and parts[0] == "containerLogs":
                    body = agent.logs(parts[1], parts[2]).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((GATEWAY, KUBELET_PORT), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)

    def run(self):
        self.server.serve_forever()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Pod:
    """One pod the agent runs: its namespaces, folders, process and log."""

    def __init__(self, agent, obj, index):
        self.agent, self.obj, self.index = agent, obj, index
        meta = obj["metadata"]
        self.namespace, self.name, self.uid = meta["namespace"], meta["name"], meta["uid"]
        self.netns = f"ks3-{index}"
        self.ip = f"{SUBNET}.{index + 10}"
        self.folder = agent.folder / "pods" / f"{self.namespace}_{self.name}"
        self.log = self.folder / "container.log"
        self.message = self.folder / "termination-log"
        self.process = None
        self.started = None
        self.done = False
        # After a CreateContainerConfigError the kubelet tries again, backing off (up to 30 s).
        self.retry_at, self.backoff = None, 1.0

    # -- the API server's view ------------------------------------------------------------

    def patch_status(self, status):
        self.agent.cluster.kubectl("patch", "pod", self.name, "-n", self.namespace, "--subresource=status",
                                   "--type=merge", "-p", json.dumps({"status": status}), check=False)

    def container_status(self, state, ready):
        container = self.obj["spec"]["containers"][0]
        return [{"name": container["name"], "image": container.get("image", ""), "imageID": "",
                 "ready": ready, "started": "running" in state, "restartCount": 0, "state": state}]

    # -- what a kubelet does ----------------------------------------------------------------

    def network(self):
        veth = f"ks3v{self.index}"
        sh("ip", "netns", "add", self.netns)
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", self.netns)
        sh("ip", "link", "set", veth, "master", BRIDGE, "up")
        run = lambda *a: sh("ip", "netns", "exec", self.netns, *a)
        run("ip", "addr", "add", f"{self.ip}/24", "dev", "eth0")
        run("ip", "link", "set", "eth0", "up")
        run("ip", "link", "set", "lo", "up")
        run("ip", "route", "add", "default", "via", GATEWAY)
        etc = Path("/etc/netns") / self.netns
        etc.mkdir(parents=True, exist_ok=True)
        names = "kubernetes kubernetes.default kubernetes.default.svc kubernetes.default.svc.cluster.local"
        (etc / "hosts").write_text(f"127.0.0.1 localhost\n{self.ip} {self.name} {socket.gethostname()}\n"
                                   f"{GATEWAY} {names}\n" + self.service_hosts())
        (etc / "resolv.conf").write_text(f"nameserver {GATEWAY}\n")

    def service_hosts(self):
        """Cluster DNS for this node's pods, as hosts lines: each Service of the pod's namespace
        whose selector matches a pod this node runs resolves to that pod's IP (what a headless
        Service, such as a Spark driver's, resolves to). Written when the pod starts: Spark makes
        the driver's Service before its executors."""
        services = json.loads(self.agent.cluster.kubectl("get", "services", "-n", self.namespace, "-o", "json").stdout)
        lines = []
        for service in services["items"]:
            selector = service["spec"].get("selector") or {}
            name = service["metadata"]["name"]
            for pod in list(self.agent.pods.values()):
                labels = pod.obj["metadata"].get("labels", {})
                if selector and pod.namespace == self.namespace and selector.items() <= labels.items():
                    domain = f"{name}.{self.namespace}"
                    lines.append(f"{pod.ip} {name} {domain} {domain}.svc {domain}.svc.cluster.local\n")
                    break
        return "".join(lines)

    def secret(self, name):
        found = self.agent.cluster.kubectl("get", "secret", name, "-n", self.namespace, "-o", "json", check=False)
        if found.returncode != 0:
            raise ConfigError(f'secret "{name}" not found' if "NotFound" in found.stderr
                              else f'secret "{name}": {found.stderr.strip()[-300:]}')
        return {k: base64.b64decode(v).decode() for k, v in json.loads(found.stdout).get("data", {}).items()}

    def config_map(self, name):
        found = self.agent.cluster.kubectl("get", "configmap", name, "-n", self.namespace, "-o", "json", check=False)
        if found.returncode != 0:
            raise ConfigError(f'configmap "{name}" not found' if "NotFound" in found.stderr
                              else f'configmap "{name}": {found.stderr.strip()[-300:]}')
        return json.loads(found.stdout).get("data", {})

    def field(self, path):
        spec = self.obj["spec"]
        fields = {"metadata.name": self.name, "metadata.namespace": self.namespace, "metadata.uid": self.uid,
                  "status.podIP": self.ip, "status.hostIP": GATEWAY, "spec.nodeName": spec.get("nodeName", ""),
                  "spec.serviceAccountName": spec.get("serviceAccountName", "default")}
        return fields[path] if path in fields else metadata_field(self.obj, path)

    def write_items(self, folder, data, items=None):
        folder.mkdir(parents=True, exist_ok=True)
        for key, path in ([(i["key"], i["path"]) for i in items] if items else [(k, k) for k in data]):
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(data[key])

    def volumes(self):
        """{volume name: host folder}, made as the admitted pod asks."""
        out = {}
        for volume in self.obj["spec"].get("volumes", []):
            folder = self.folder / "volumes" / volume["name"]
            if "emptyDir" in volume:
                folder.mkdir(parents=True, exist_ok=True)
                folder.chmod(0o1777)
            elif "configMap" in volume:
                self.write_items(folder, self.config_map(volume["configMap"]["name"]), volume["configMap"].get("items"))
            elif "secret" in volume:
                self.write_items(folder, self.secret(volume["secret"]["secretName"]), volume["secret"].get("items"))
            elif "downwardAPI" in volume:
                data = {i["path"]: self.field(i["fieldRef"]["fieldPath"]) for i in volume["downwardAPI"]["items"]}
                self.write_items(folder, data)
            elif "persistentVolumeClaim" in volume:
                claim = json.loads(self.agent.cluster.kubectl(
                    "get", "pvc", volume["persistentVolumeClaim"]["claimName"], "-n", self.namespace, "-o", "json").stdout)
                bound = claim["spec"].get("volumeName")
                if not bound:
                    raise ConfigError(f"volume {volume['name']}: claim {claim['metadata']['name']} is not bound")
                pv = json.loads(self.agent.cluster.kubectl("get", "pv", bound, "-o", "json").stdout)
                folder = Path(pv["spec"]["hostPath"]["path"])
            elif "projected" in volume:
                folder.mkdir(parents=True, exist_ok=True)
                for source in volume["projected"]["sources"]:
                    if "serviceAccountToken" in source:
                        token = self.agent.cluster.kubectl(
                            "create", "token", self.obj["spec"].get("serviceAccountName", "default"), "-n", self.namespace,
                            "--bound-object-kind=Pod", f"--bound-object-name={self.name}", f"--bound-object-uid={self.uid}",
                            f"--duration={source['serviceAccountToken'].get('expirationSeconds', 3607)}s").stdout.strip()
                        (folder / source["serviceAccountToken"]["path"]).write_text(token)
                    elif "configMap" in source:
                        self.write_items(folder, self.config_map(source["configMap"]["name"]), source["configMap"].get("items"))
                    elif "downwardAPI" in source:
                        self.write_items(folder, {i["path"]: self.field(i["fieldRef"]["fieldPath"])
                                                  for i in source["downwardAPI"]["items"]})
            else:
                raise ConfigError(f"volume {volume['name']}: this test node supports configMap, secret, emptyDir, "
                                  "downwardAPI, projected and persistentVolumeClaim volumes")
            out[volume["name"]] = folder
        return out

    def environment(self, container, image):
        env = {"KUBERNETES_SERVICE_HOST": GATEWAY, "KUBERNETES_SERVICE_PORT": "443", "HOSTNAME": self.name,
               "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", **image.get("env", {})}
        for item in container.get("env", []):
            if "value" in item:
                env[item["name"]] = expand(item["value"], env)
            elif "valueFrom" in item:
                source = item["valueFrom"]
                if "fieldRef" in source:
                    env[item["name"]] = self.field(source["fieldRef"]["fieldPath"])
                elif "secretKeyRef" in source:
                    ref = source["secretKeyRef"]
                    data = self.secret(ref["name"])
                    if ref["key"] not in data:
                        raise ConfigError(f"couldn't find key {ref['key']} in Secret {self.namespace}/{ref['name']}")
                    env[item["name"]] = data[ref["key"]]
                elif "configMapKeyRef" in source:
                    ref = source["configMapKeyRef"]
                    env[item["name"]] = self.config_map(ref["name"])[ref["key"]]
                else:
                    raise ConfigError(f"env {item['name']}: unsupported source {sorted(source)}")
        return env

    def user(self, container, image):
        """(uid, gid, supplementary groups) the container runs as, as a kubelet works them out."""
        pod = self.obj["spec"].get("securityContext") or {}
        context = {**pod, **(container.get("securityContext") or {})}
        image_uid, image_gid = image.get("user", (0, 0))
        uid = context.get("runAsUser", image_uid)
        gid = context.get("runAsGroup", image_gid if "runAsUser" not in context else 0)
        if context.get("runAsNonRoot") and uid == 0:
            raise ConfigError("container has runAsNonRoot and image will run as root")
        return uid, gid, [pod["fsGroup"]] if "fsGroup" in pod else []

    def start(self):
        """Prepares and starts the pod's (single) container; reports CreateContainerConfigError."""
        self.folder.mkdir(parents=True, exist_ok=True)
        container = self.obj["spec"]["containers"][0]
        image = self.agent.images[container["image"]]
        try:
            volumes = self.volumes()
            env = self.environment(container, image)
            uid, gid, groups = self.user(container, image)
        except ConfigError as error:
            self.patch_status({"phase": "Pending", "containerStatuses": self.container_status(
                {"waiting": {"reason": "CreateContainerConfigError", "message": str(error)}}, False)})
            return False
        args = [expand(a, env) for a in container.get("args", [])]
        argv = [expand(c, env) for c in container["command"]] + args if container.get("command") else image["entrypoint"](args, env)
        mounts = dict(image["paths"])
        for mount in container.get("volumeMounts", []):
            mounts[mount["mountPath"]] = volumes[mount["name"]]
        # The termination message file, writable by the container's user, as the kubelet gives it.
        self.message.touch()
        os.chown(self.message, uid, gid)
        mounts[container.get("terminationMessagePath", "/dev/termination-log")] = str(self.message)
        script = ["set -e", "mount --make-rprivate /"]
        # Every source is held first under the pod's folder, so a mount over /tmp cannot hide a
        # source that lives under /tmp; then outer paths first, a missing mount point made (on
        # the host, empty, or in the image).
        stage = self.folder / "stage"
        ordered = sorted(mounts.items())
        make = {True: "mkdir -p", False: "touch"}
        script.append(f"mkdir -p {sh_quote(stage)}")
        for i, (_, source) in enumerate(ordered):
            script.append(f"{make[Path(source).is_dir()]} {sh_quote(stage / str(i))}")
            script.append(f"mount --bind {sh_quote(source)} {sh_quote(stage / str(i))}")
        # Host folders the image hides (a fresh empty one each), so that a user other than root
        # can reach the image's paths below them (a Python under /root, which is 0700).
        for mask in image.get("masks", []):
            script.append(f"mount -t tmpfs -o mode=0755 tmpfs {sh_quote(mask)}")
        for i, (target, source) in enumerate(ordered):
            script.append(f"[ -e {sh_quote(target)} ] || {make[Path(source).is_dir()]} {sh_quote(target)}")
            script.append(f"mount --bind {sh_quote(stage / str(i))} {sh_quote(target)}")
        if (container.get("securityContext") or {}).get("readOnlyRootFilesystem"):
            for target, source in ordered:
                if image["paths"].get(target) == source:  # the image's, not a volume
                    script.append(f"mount -o remount,bind,ro {sh_quote(target)}")
        workdir = container.get("workingDir") or image.get("workdir", "/")
        script.append(f"cd {sh_quote(workdir)}")
        become = (f"setpriv --reuid={uid} --regid={gid} "
                  + (f"--groups={','.join(map(str, groups))} " if groups else "--clear-groups "))
        script.append(f"exec {become}env -i " + " ".join(sh_quote(f"{k}={v}") for k, v in env.items()) + " "
                      + " ".join(sh_quote(a) for a in argv))
        (self.folder / "run.sh").write_text("\n".join(script) + "\n")
        self.network()
        log = open(self.log, "wb")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", self.netns, "unshare", "--mount", "--propagation", "private",
             "sh", str(self.folder / "run.sh")], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.started = now()
        self.patch_status({
            "phase": "Running", "podIP": self.ip, "podIPs": [{"ip": self.ip}], "hostIP": GATEWAY, "startTime": self.started,
            "conditions": [{"type": t, "status": "True", "lastTransitionTime": self.started}
                           for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": self.container_status({"running": {"startedAt": self.started}}, True)})
        return True

    def finish(self):
        """Reports the exited container and the pod's phase (restartPolicy Never/OnFailure: no restarts)."""
        code = self.process.returncode
        code = 128 + -code if code < 0 else code
        container = self.obj["spec"]["containers"][0]
        state = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                 "startedAt": self.started, "finishedAt": now()}
        message = self.message.read_bytes()[:TERMINATION_MESSAGE] if self.message.exists() else b""
        if message:
            state["message"] = message.decode(errors="replace")
        elif code != 0 and container.get("terminationMessagePolicy") == "FallbackToLogsOnError":
            # The kubelet's fallback: the log's last 80 lines, at most 2048 bytes.
            tail = b"".join(self.log.read_bytes().splitlines(keepends=True)[-80:])[-TERMINATION_TAIL:]
            state["message"] = tail.decode(errors="replace")
        self.patch_status({"phase": "Succeeded" if code == 0 else "Failed",
                           "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": now()}],
                           "containerStatuses": self.container_status({"terminated": state}, False)})
        self.done = True

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def clean_up(self):
        self.kill()
        sh("ip", "netns", "delete", self.netns, check=False)
        shutil.rmtree(Path("/etc/netns") / self.netns, ignore_errors=True)


def sh_quote(text):
    return "'" + str(text).replace("'", "'\"'\"'") + "'"


class NodeAgent:
    """The test node: `start()`, then pods bound to it run; `stop()` removes everything."""

    def __init__(self, cluster, folder, images, name="test-node", forwards=()):
        self.cluster, self.folder, self.images, self.name = cluster, Path(folder), images, name
        self.forwards = {443: int(cluster.server.rsplit(":", 1)[1]), **dict(forwards)}
        self.pods = {}
        self.ran = []  # every pod this node ran, gone or not
        self.provisioned = {}  # (namespace, name) of every claim it provisioned -> the claim then
        self.errors = []
        self.proxies = []
        self.stopping = threading.Event()
        self.threads = []
        self.next_index = 0

    def start(self):
        # What an agent killed before its clean-up left: its namespaces (their veths go with them).
        for line in sh("ip", "netns", "list").stdout.splitlines():
            if line.startswith("ks3-"):
                sh("ip", "netns", "delete", line.split()[0], check=False)
                shutil.rmtree(Path("/etc/netns") / line.split()[0], ignore_errors=True)
        for veth in set(re.findall(r"\b(ks3v\d+)@", sh("ip", "-o", "link", "show").stdout)):
            sh("ip", "link", "delete", veth, check=False)
        sh("ip", "link", "add", BRIDGE, "type", "bridge", check=False)
        sh("ip", "addr", "add", f"{GATEWAY}/24", "dev", BRIDGE, check=False)
        sh("ip", "link", "set", BRIDGE, "up")
        for port, target in self.forwards.items():
            proxy = Proxy(port, target)
            proxy.start()
            self.proxies.append(proxy)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o755)  # pods run as their own users and read their volumes in here
        self.log_server = LogServer(self)
        self.log_server.start()
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": self.name, "labels": {"kubernetes.io/hostname": self.name, "kubernetes.io/os": "linux",
                                                            "kubernetes.io/arch": "amd64"}}}
        self.cluster.kubectl("apply", "-f", "-", input=json.dumps(node))
        self.heartbeat()
        for loop in (self.heartbeats, self.sync, self.provision):
            thread = threading.Thread(target=loop, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def heartbeat(self):
        stamp = now()
        capacity = {"cpu": "16", "memory": "64Gi", "pods": "110", "ephemeral-storage": "100Gi"}
        status = {"capacity": capacity, "allocatable": capacity,
                  "daemonEndpoints": {"kubeletEndpoint": {"Port": KUBELET_PORT}}, "addresses": [{"type": "InternalIP", "address": GATEWAY}],
                  "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "test node agent",
                                  "lastHeartbeatTime": stamp, "lastTransitionTime": stamp}],
                  "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux", "kubeletVersion": "v1.36.3",
                               "containerRuntimeVersion": "test-node-agent://1", "kernelVersion": "", "osImage": "",
                               "kubeProxyVersion": "", "machineID": "", "systemUUID": "", "bootID": ""}}
        self.cluster.kubectl("patch", "node", self.name, "--subresource=status", "--type=merge",
                             "-p", json.dumps({"status": status}), check=False)
        lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                 "metadata": {"name": self.name, "namespace": "kube-node-lease"},
                 "spec": {"holderIdentity": self.name, "leaseDurationSeconds": 40,
                          "renewTime": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}
        self.cluster.kubectl("apply", "-f", "-", input=json.dumps(lease), check=False)

    def provision(self):
        """The cluster's provisioner: a hostPath PersistentVolume for each pending claim (in a
        folder of this node anyone may write, as a fresh disk's root is made writable by fsGroup),
        bound to it by claimRef; the real PV controller then binds the claim."""
        while not self.stopping.wait(1):
            listed = self.cluster.kubectl("get", "pvc", "-A", "-o", "json", check=False)
            if listed.returncode != 0:
                continue
            for claim in json.loads(listed.stdout)["items"]:
                if claim["spec"].get("volumeName") or claim["metadata"].get("deletionTimestamp"):
                    continue
                meta = claim["metadata"]
                if claim["spec"].get("storageClassName"):
                    # The class the claim names, as this node's (the scheduler looks it up).
                    storage_class = {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                                     "metadata": {"name": claim["spec"]["storageClassName"]},
                                     "provisioner": "test-node.k8s-s3-spark/hostpath",
                                     "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate"}
                    self.cluster.kubectl("apply", "--server-side", "--field-manager=test-node", "-f", "-",
                                         input=json.dumps(storage_class), check=False)
                self.provisioned[(meta["namespace"], meta["name"])] = claim
                folder = self.folder / "claims" / meta["uid"]
                folder.mkdir(parents=True, exist_ok=True)
                folder.chmod(0o1777)
                volume = {"apiVersion": "v1", "kind": "PersistentVolume",
                          "metadata": {"name": f"pv-{meta['uid']}"},
                          "spec": {"capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
                                   "accessModes": claim["spec"]["accessModes"],
                                   "storageClassName": claim["spec"].get("storageClassName") or "",
                                   "persistentVolumeReclaimPolicy": "Retain",
                                   "hostPath": {"path": str(folder), "type": "Directory"},
                                   "claimRef": {"namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"]}}}
                self.cluster.kubectl("apply", "--server-side", "--field-manager=test-node", "-f", "-",
                                     input=json.dumps(volume), check=False)

    def heartbeats(self):
        while not self.stopping.wait(10):
            self.heartbeat()

    def sync(self):
        while not self.stopping.is_set():
            listed = self.cluster.kubectl("get", "pods", "-A", "--field-selector", f"spec.nodeName={self.name}",
                                          "-o", "json", check=False)
            if listed.returncode == 0:
                seen = set()
                for obj in json.loads(listed.stdout)["items"]:
                    uid = obj["metadata"]["uid"]
                    seen.add(uid)
                    pod = self.pods.get(uid)
                    if obj["metadata"].get("deletionTimestamp"):
                        if pod:
                            pod.clean_up()
                        # The kubelet's last word on a deleted pod: remove it now (kubectl needs --force
                        # to send a grace period of 0).
                        self.cluster.kubectl("delete", "pod", obj["metadata"]["name"], "-n", obj["metadata"]["namespace"],
                                             "--grace-period=0", "--force", "--wait=false", check=False)
                        continue
                    if pod is None and obj["status"].get("phase") in (None, "Pending"):
                        pod = self.pods[uid] = Pod(self, obj, self.next_index)
                        self.ran.append(pod)
                        self.next_index += 1
                        self.start_pod(pod)
                    elif pod and pod.retry_at is not None and time.monotonic() >= pod.retry_at:
                        self.start_pod(pod)
                    elif pod and pod.process and not pod.done and pod.process.poll() is not None:
                        pod.finish()
                for uid in [u for u in self.pods if u not in seen]:
                    self.pods.pop(uid).clean_up()
            time.sleep(0.5)

    def start_pod(self, pod):
        """Starts a pod's container; on CreateContainerConfigError (a Secret or ConfigMap not there
        yet) it stays waiting and is tried again later, as a kubelet does."""
        try:
            if pod.start():
                pod.retry_at = None
            else:
                pod.retry_at = time.monotonic() + pod.backoff
                pod.backoff = min(pod.backoff * 2, 30.0)
        except Exception:  # a bug of this agent: say so on the pod, keep serving the rest
            pod.done, pod.retry_at = True, None
            self.errors.append(f"{pod.namespace}/{pod.name}: {traceback.format_exc()}")
            pod.patch_status({"phase": "Failed", "reason": "TestNodeError", "message": self.errors[-1][-1000:]})

    def logs(self, namespace, name):
        """The log of a pod's container, as `kubectl logs` would show it."""
        pod = next((p for p in reversed(self.ran) if p.namespace == namespace and p.name == name), None)
        return pod.log.read_text(errors="replace") if pod and pod.log.exists() else ""

    def stop(self):
        self.stopping.set()
        for pod in self.pods.values():
            pod.clean_up()
        for proxy in self.proxies:
            proxy.close()
        self.log_server.close()
        sh("ip", "link", "delete", BRIDGE, check=False)
        self.cluster.kubectl("delete", "node", self.name, "--wait=false", check=False)
