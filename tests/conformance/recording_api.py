"""A recording Kubernetes API server for real spark-submit (see shared/reference/real-tools.md).

spark-submit in cluster mode only needs an API server that accepts what it creates. This one binds
127.0.0.1 on a port the OS assigns (so it never takes someone else's), answers GETs with 404
Status objects, echoes POST/PUT/PATCH bodies back with a uid and resourceVersion, and records
every request. Use it as a context manager; it stops even when the test fails.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml


class RecordingApiServer:
    def __init__(self):
        self.requests = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _body(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if not raw:
                    return None
                try:
                    return json.loads(raw)
                except ValueError:
                    return yaml.safe_load(raw)  # server-side apply sends YAML

            def _reply(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self, body):
                with recorder._lock:
                    recorder.requests.append({
                        "method": self.command,
                        "path": self.path.split("?")[0],
                        "content_type": self.headers.get("Content-Type", ""),
                        "body": body,
                    })

            def do_GET(self):
                self._record(None)
                self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                  "reason": "NotFound", "code": 404, "message": "not found"})

            def _echo(self, code):
                body = self._body()
                self._record(body)
                obj = dict(body or {})
                meta = obj.setdefault("metadata", {})
                meta.setdefault("uid", str(uuid.uuid4()))
                meta["resourceVersion"] = "1"
                meta.setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
                self._reply(code, obj)

            def do_POST(self):
                self._echo(201)

            def do_PUT(self):
                self._echo(200)

            def do_PATCH(self):
                self._echo(200)

            def do_DELETE(self):
                self._record(None)
                self._reply(200, {"kind": "Status", "apiVersion": "v1", "status": "Success", "code": 200})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def created(self, resource):
        """Bodies of created or applied objects of a resource type (e.g. "pods"), with their namespace."""
        out = []
        for r in self.requests:
            parts = r["path"].strip("/").split("/")
            if r["method"] in ("POST", "PATCH", "PUT") and "namespaces" in parts and resource in parts and r["body"]:
                namespace = parts[parts.index("namespaces") + 1]
                out.append((namespace, r["body"]))
        return out
