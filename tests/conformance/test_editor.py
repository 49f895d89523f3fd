"""The editor's view: the real yaml-language-server (npm, pinned), driven over its protocol (LSP
on stdio) as VS Code, Neovim or Helix drive it, on the config and schema `init` writes. With the
modeline `init` puts on the first line, an unknown field and a wrong type get diagnostics on their
lines, and completion under `spec.executor.` offers the real fields with their descriptions."""

import json
import queue
import shutil
import subprocess
import threading

import pytest

from conftest import ROOT, run

SERVER = "yaml-language-server@2.0.0"


@pytest.fixture(scope="session")
def language_server():
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    folder = ROOT / ".cache/npm/yaml-language-server"
    binary = folder / "node_modules/.bin/yaml-language-server"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(folder), SERVER],
                       check=True, capture_output=True)
    return binary


class Client:
    """A minimal LSP client: JSON-RPC with Content-Length framing, answering the server's own
    requests (configuration) and collecting its notifications."""

    def __init__(self, command, settings):
        self.process = subprocess.Popen([str(c) for c in command], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.settings, self.next_id = settings, 0
        self.responses, self.notifications = {}, queue.Queue()
        self.arrived = threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()

    def write(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self):
        stream = self.process.stdout
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if length is None:
                return
            message = json.loads(stream.read(length))
            if "id" in message and "method" in message:  # the server asks us
                result = [self.settings.get(i.get("section"), {}) for i in message["params"].get("items", [])] \
                    if message["method"] == "workspace/configuration" else None
                self.write({"id": message["id"], "result": result})
            elif "id" in message:
                with self.arrived:
                    self.responses[message["id"]] = message
                    self.arrived.notify_all()
            else:
                self.notifications.put(message)

    def request(self, method, params, timeout=30):
        self.next_id += 1
        self.write({"id": self.next_id, "method": method, "params": params})
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.next_id in self.responses, timeout), f"no answer to {method}"
            response = self.responses.pop(self.next_id)
        assert "error" not in response, response
        return response["result"]

    def notify(self, method, params):
        self.write({"method": method, "params": params})

    def diagnostics(self, uri, timeout=30):
        """The first non-empty diagnostics the server publishes for uri."""
        while True:
            message = self.notifications.get(timeout=timeout)
            if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri \
                    and message["params"]["diagnostics"]:
                return message["params"]["diagnostics"]

    def close(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.process.wait(timeout=10)
        finally:
            self.process.kill()


@pytest.fixture
def editor(language_server, tmp_path):
    settings = {"yaml": {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}}}
    client = Client([language_server, "--stdio"], settings)
    client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {
        "textDocument": {"completion": {"completionItem": {"documentationFormat": ["plaintext"]}},
                         "publishDiagnostics": {}},
        "workspace": {"configuration": True}}})
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": settings})
    yield client
    client.close()


def starter(binary, folder):
    """The config and schema `init` writes, as a user starts."""
    run([binary, "init", folder, "--name", "nightly-report"])
    path = folder / "spark-job.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=spark-job.schema.json\n"), text[:200]
    return path, text


def test_an_unknown_field_and_a_wrong_type_are_marked_on_their_lines(binary, editor, tmp_path):
    path, text = starter(binary, tmp_path / "job")
    broken = text.replace("    instances: 2\n", "    instances: two\n    replicas: 3\n", 1)
    assert broken != text
    lines = broken.splitlines()
    wrong_type = lines.index("    instances: two")
    unknown = lines.index("    replicas: 3")
    uri = path.as_uri()
    editor.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                            "text": broken}})
    found = {d["range"]["start"]["line"]: d["message"] for d in editor.diagnostics(uri)}
    assert set(found) == {wrong_type, unknown}, found
    assert "integer" in found[wrong_type].lower(), found
    assert "replicas" in found[unknown] and "not allowed" in found[unknown].lower(), found
    # Our own validator agrees on both places.
    path.write_text(broken)
    refused = run([binary, "validate", path], check=False).stderr
    assert f"{path}:{wrong_type + 1}:" in refused and f"{path}:{unknown + 1}:" in refused, refused


def test_completion_under_the_executor_offers_its_fields_with_their_descriptions(binary, editor, tmp_path):
    path, text = starter(binary, tmp_path / "job")
    lines = text.splitlines()
    at = lines.index("  executor:") + 1
    # The user has typed `spec.executor.` and asks for completion on a fresh line below it.
    lines.insert(at, "    ")
    uri = path.as_uri()
    editor.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                            "text": "\n".join(lines) + "\n"}})
    result = editor.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                        "position": {"line": at, "character": 4}})
    items = {i["label"]: i for i in (result["items"] if isinstance(result, dict) else result)}
    executor = json.loads(run([binary, "schema"]).stdout)["definitions"]["ExecutorSpec"]
    for field in ("coreRequest", "deleteOnTermination", "env", "nodeSelector"):
        assert field in items, sorted(items)
        documentation = items[field].get("documentation", "")
        documentation = documentation.get("value", "") if isinstance(documentation, dict) else documentation
        assert executor["properties"][field]["description"].split("\n")[0][:40] in documentation, (field, items[field])
    # Fields the config already has (instances, cores, memory) are not offered again.
    assert not {"instances", "cores", "memory"} & set(items), sorted(items)
