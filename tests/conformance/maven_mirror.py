"""A Maven repository for the test node's pods, which reach nothing outside the test network: a
caching mirror of Maven Central on 127.0.0.1 (what a cluster without Internet access uses, e.g.
a Nexus or Artifactory proxy), which the node forwards to its pods. Test code, not product.

GET and HEAD of `/maven2/<path>` answer with Maven Central's file at that path, downloaded once
into .cache/maven-mirror; a path Maven Central does not have is a 404, as it is there. Every
path asked for is recorded, so a test can show what a pod resolved through it."""

import http.server
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port
from s3_server import CACHE

CENTRAL = "https://repo1.maven.org/maven2/"
PREFIX = "/maven2/"


class Mirror:
    def __init__(self, folder):
        self.folder = folder
        self.asked = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/maven2"
        mirror = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                mirror.answer(self, body=True)

            def do_HEAD(self):
                mirror.answer(self, body=False)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def file(self, path):
        """The cached file of a repository path, downloaded first if missing; None for a 404."""
        if not path or ".." in path.split("/") or path.startswith("/"):
            return None
        target = self.folder / path
        missing = self.folder / (path + ".404")
        with self.lock:
            if target.exists():
                return target
            if missing.exists():
                return None
            try:
                with urllib.request.urlopen(CENTRAL + path, timeout=120) as response:
                    data = response.read()
            except urllib.error.HTTPError as error:
                if error.code != 404:
                    raise
                missing.parent.mkdir(parents=True, exist_ok=True)
                missing.touch()
                return None
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            partial.write_bytes(data)
            partial.rename(target)
            return target

    def answer(self, request, body):
        path = request.path.split("?", 1)[0]
        self.asked.append(path)
        try:
            found = self.file(path[len(PREFIX):]) if path.startswith(PREFIX) else None
        except (OSError, urllib.error.URLError) as error:
            request.send_error(502, f"Maven Central: {error}")
            return
        if found is None:
            request.send_error(404)
            return
        data = found.read_bytes()
        request.send_response(200)
        request.send_header("Content-Length", str(len(data)))
        request.send_header("Content-Type", "application/octet-stream")
        request.end_headers()
        if body:
            request.wfile.write(data)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def maven_mirror():
    mirror = Mirror(Path(CACHE) / "maven-mirror")
    try:
        yield mirror
    finally:
        mirror.close()
