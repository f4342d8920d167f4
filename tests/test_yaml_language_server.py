"""The published combined schema (schemas/ngrok-agent.schema.json) in the real YAML language server.

Editors (VS Code's YAML extension, Neovim, Helix, Zed...) read JSON Schemas through the npm package
`yaml-language-server`. These tests install it once into a cache folder outside the repository, start it
over stdio and talk LSP to it with the small JSON-RPC client below, configured the way a user would:
`yaml.schemas` maps the schema's file URI to `ngrok.yml` / `*.ngrok.yml`, or a
`# yaml-language-server: $schema=...` modeline names it.

Verdict parity runs the server over every file (rule fixtures that parse, plus the real-world corpus):
documents are opened in batches, so the server's 200 ms validation delay runs concurrently and the whole
run takes a few seconds. The server reads YAML 1.2 (`yes`/`no`/`on`/`off` are strings) while the agent
and ngrok-lint read YAML 1.1; a file whose verdict differs only for that reason is listed and excluded,
and re-checked on a server set to `yaml.yamlVersion: "1.1"`, where it must agree.

The module skips itself when node/npm are missing or the package cannot be installed (no network).
"""
from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import jsonschema
import pytest
import yaml
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schemas" / "ngrok-agent.schema.json"
SCHEMA_URI = SCHEMA_PATH.as_uri()
FIXTURES = ROOT / "tests" / "fixtures" / "rules"
CORPUS = ROOT.parent / "shared" / "corpus" / "real-world"

# Latest 1.x. 2.0.0 declares `engines.node >= 22.13`, newer than many editors' bundled/system node.
YLS_VERSION = "1.25.0"
CACHE_DIR = Path(
    os.environ.get("NGROK_LINT_YLS_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ngrok-lint-tests" / "yaml-language-server"
)
SERVER_JS = CACHE_DIR / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
INSTALL_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0
MIN_NODE_MAJOR = 18

# What a user puts in settings.json (VS Code) or the LSP `settings` table (Neovim, Helix).
USER_YAML_SETTINGS: Dict[str, Any] = {
    "schemas": {SCHEMA_URI: ["ngrok.yml", "*.ngrok.yml"]},
    "completion": True,
    "hover": True,
    "validate": True,
}
MODELINE_YAML_SETTINGS: Dict[str, Any] = {"completion": True, "hover": True, "validate": True}

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
COMBINED = jsonschema.Draft7Validator(SCHEMA)
PER_FORMAT = {
    fmt: jsonschema.Draft7Validator(json.loads((ROOT / "schemas" / f"ngrok-agent-{fmt}.schema.json").read_text("utf-8")))
    for fmt in ("legacy", "v2", "v3")
}

TIMINGS: Dict[str, float] = {}


def _report(capsys: pytest.CaptureFixture, text: str) -> None:
    """Print past pytest's capture: the versions and timings are part of what the tests report."""
    with capsys.disabled():
        print("\n[yaml-language-server] " + text)


# ---------------------------------------------------------------------------------------------------
# Install
# ---------------------------------------------------------------------------------------------------
def _installed_version() -> Optional[str]:
    package_json = CACHE_DIR / "node_modules" / "yaml-language-server" / "package.json"
    try:
        return json.loads(package_json.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        return None


def _install() -> str:
    """Path of the server script, installing the pinned version when the cache lacks it (else skip)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node and npm are needed to run yaml-language-server")
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"node does not run: {exc}")
    match = re.match(r"v(\d+)", out)
    if not match or int(match.group(1)) < MIN_NODE_MAJOR:
        pytest.skip(f"yaml-language-server {YLS_VERSION} needs node >= {MIN_NODE_MAJOR}, found {out or '?'}")
    start = time.monotonic()
    if _installed_version() != YLS_VERSION or not SERVER_JS.is_file():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        # Few, short retries: offline, the module should skip within the time budget, not hang.
        cmd = [npm, "install", "--prefix", str(CACHE_DIR), "--no-audit", "--no-fund", "--loglevel=error",
               "--fetch-retries=1", "--fetch-timeout=20000", f"yaml-language-server@{YLS_VERSION}"]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.skip(f"npm install yaml-language-server@{YLS_VERSION} failed (offline?): {exc}")
        if proc.returncode != 0 or _installed_version() != YLS_VERSION or not SERVER_JS.is_file():
            head = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()][:2]
            pytest.skip(f"npm install yaml-language-server@{YLS_VERSION} failed (offline?): {' | '.join(head)}")
        TIMINGS["npm install"] = time.monotonic() - start
    else:
        TIMINGS["npm install"] = 0.0  # reused from the cache
    return node


# ---------------------------------------------------------------------------------------------------
# A small LSP client: Content-Length framed JSON-RPC over the server's stdin/stdout
# ---------------------------------------------------------------------------------------------------
class LanguageServer:
    def __init__(self, node: str, yaml_settings: Dict[str, Any]) -> None:
        self.settings: Dict[str, Any] = {"yaml": yaml_settings, "http": {}, "[yaml]": {}, "editor": {}}
        self.proc = subprocess.Popen(
            [node, str(SERVER_JS), "--stdio"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._pending: Dict[int, "queue.Queue[Dict[str, Any]]"] = {}
        self._published: Dict[str, List[List[Dict[str, Any]]]] = {}
        self._cond = threading.Condition()
        self.stderr: List[str] = []
        self._uri_counter = 0
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # --- transport ---------------------------------------------------------------------------------
    def _send(self, message: Dict[str, Any]) -> None:
        body = json.dumps(message).encode("utf-8")
        assert self.proc.stdin is not None
        with self._write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    def _read_stdout(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers: Dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            message = json.loads(stream.read(int(headers["content-length"])).decode("utf-8"))
            if "method" in message and "id" in message:
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(message)})
            elif "id" in message:
                waiter = self._pending.pop(message["id"], None)
                if waiter is not None:
                    waiter.put(message)
            elif message.get("method") == "textDocument/publishDiagnostics":
                with self._cond:
                    params = message["params"]
                    self._published.setdefault(params["uri"], []).append(params["diagnostics"])
                    self._cond.notify_all()

    def _answer(self, message: Dict[str, Any]) -> Any:
        # An editor answers `workspace/configuration` with the user's settings, section by section.
        if message["method"] == "workspace/configuration":
            return [self.settings.get(item.get("section", ""), None) for item in message["params"]["items"]]
        return None  # client/registerCapability, window/workDoneProgress/create...

    def request(self, method: str, params: Any, timeout: float = REQUEST_TIMEOUT) -> Any:
        self._next_id += 1
        waiter: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self._pending[self._next_id] = waiter
        self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        try:
            reply = waiter.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reply to {method} in {timeout}s; stderr: {''.join(self.stderr)[-2000:]}")
        if "error" in reply:
            raise AssertionError(f"{method} failed: {reply['error']}")
        return reply.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    # --- session -----------------------------------------------------------------------------------
    def start(self) -> Dict[str, Any]:
        capabilities = {
            "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
            "textDocument": {
                "synchronization": {"didSave": True},
                "completion": {"completionItem": {"snippetSupport": True,
                                                  "documentationFormat": ["markdown", "plaintext"]}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": True},
            },
        }
        result = self.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": capabilities})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return result

    def stop(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def uri(self, name: str = "ngrok.yml") -> str:
        """A fresh document URI (the documents need not exist on disk: didOpen carries the text)."""
        self._uri_counter += 1
        return f"file:///ngrok-lint-yls/{self._uri_counter}/{name}"

    def open(self, uri: str, text: str) -> None:
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})

    def close(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def wait_diagnostics(self, uris: List[str], timeout: float = REQUEST_TIMEOUT,
                         accept: Callable[[List[Dict[str, Any]]], bool] = lambda d: True,
                         ) -> Dict[str, List[Dict[str, Any]]]:
        """The latest diagnostics of each uri, once every uri has a publication that `accept`s."""
        deadline = time.monotonic() + timeout

        def ready() -> bool:
            return all(self._published.get(u) and accept(self._published[u][-1]) for u in uris)

        with self._cond:
            if not self._cond.wait_for(lambda: ready() or self.proc.poll() is not None,
                                       timeout=max(0.0, deadline - time.monotonic())) or not ready():
                missing = [u for u in uris if not self._published.get(u)]
                raise AssertionError(f"no diagnostics for {missing[:5]} (of {len(uris)}); "
                                     f"stderr: {''.join(self.stderr)[-2000:]}")
            return {u: self._published[u][-1] for u in uris}

    def diagnostics(self, text: str, name: str = "ngrok.yml") -> List[Dict[str, Any]]:
        uri = self.uri(name)
        self.open(uri, text)
        try:
            return self.wait_diagnostics([uri])[uri]
        finally:
            self.close(uri)

    def completion(self, text_with_cursor: str, name: str = "ngrok.yml") -> List[Dict[str, Any]]:
        text, position = _cursor(text_with_cursor)
        uri = self.uri(name)
        self.open(uri, text)
        try:
            result = self.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": position})
        finally:
            self.close(uri)
        return result["items"] if isinstance(result, dict) else (result or [])

    def hover(self, text_with_cursor: str, name: str = "ngrok.yml") -> Optional[Dict[str, Any]]:
        text, position = _cursor(text_with_cursor)
        uri = self.uri(name)
        self.open(uri, text)
        try:
            return self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position})
        finally:
            self.close(uri)

    def wait_schema_active(self, probe: str, name: str = "ngrok.yml") -> None:
        """Block until the schema association is in force: the probe gets a schema diagnostic.

        The server applies settings asynchronously (it pulls them with workspace/configuration) and
        revalidates open documents once they change, so the probe eventually gets its schema error."""
        uri = self.uri(name)
        self.open(uri, probe)
        try:
            self.wait_diagnostics([uri], accept=lambda diags: any(_is_schema(d) for d in diags))
        finally:
            self.close(uri)


CURSOR = "|"


def _cursor(text: str) -> Tuple[str, Dict[str, int]]:
    """Remove the single `|` marker and give its LSP position (0-based line, UTF-16 column: ASCII here)."""
    assert text.count(CURSOR) == 1, "mark exactly one cursor position with |"
    before = text[: text.index(CURSOR)]
    line = before.count("\n")
    return text.replace(CURSOR, "", 1), {"line": line, "character": len(before) - (before.rfind("\n") + 1)}


def _is_schema(diagnostic: Dict[str, Any]) -> bool:
    # Schema problems carry `yaml-schema: <schema title>`; YAML syntax problems carry `YAML`.
    return str(diagnostic.get("source", "")).startswith("yaml-schema")


def _labels(items: List[Dict[str, Any]]) -> List[str]:
    return [item["label"] for item in items]


PROBE = 'version: "2"\ntunnels:\n  probe:\n    proto: http\n    addr: 80\n    not_a_key: 1\n'


def _start(node: str, yaml_settings: Dict[str, Any]) -> LanguageServer:
    server = LanguageServer(node, yaml_settings)
    info = server.start().get("serverInfo", {})
    assert info.get("name") == "yaml-language-server" and info.get("version") == YLS_VERSION, info
    return server


@pytest.fixture(scope="module")
def node() -> str:
    return _install()


@pytest.fixture(scope="module")
def server(node: str) -> Iterator[LanguageServer]:
    start = time.monotonic()
    srv = _start(node, USER_YAML_SETTINGS)
    srv.wait_schema_active(PROBE)
    TIMINGS["server start (schemas setting)"] = time.monotonic() - start
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def modeline_server(node: str) -> Iterator[LanguageServer]:
    srv = _start(node, MODELINE_YAML_SETTINGS)
    srv.wait_schema_active(MODELINE + PROBE, name="config.yaml")
    yield srv
    srv.stop()


MODELINE = f"# yaml-language-server: $schema={SCHEMA_URI}\n"


# ---------------------------------------------------------------------------------------------------
# (1) completion
# ---------------------------------------------------------------------------------------------------
V3_ENDPOINT = """\
version: 3
agent:
  authtoken: abcd
endpoints:
  - name: web
    |
"""
V3_AGENT = """\
version: 3
agent:
  log_level: info
  |
endpoints:
  - name: web
    upstream:
      url: 8080
"""
V2_TUNNEL = """\
version: "2"
authtoken: abcd
tunnels:
  web:
    addr: 8080
    |
"""
V2_PROTO = """\
version: "2"
tunnels:
  web:
    addr: 8080
    proto: |
"""


def test_server_version_and_install(server: LanguageServer, capsys: pytest.CaptureFixture) -> None:
    npm = subprocess.run([shutil.which("npm") or "npm", "--version"], capture_output=True, text=True, timeout=30)
    node = subprocess.run([shutil.which("node") or "node", "--version"], capture_output=True, text=True, timeout=30)
    assert _installed_version() == YLS_VERSION
    _report(capsys, f"yaml-language-server {YLS_VERSION} (npm {npm.stdout.strip()}, node {node.stdout.strip()}) "
                    f"in {CACHE_DIR}; npm install {TIMINGS['npm install']:.1f}s (0 = cached), "
                    f"server start until the schema is active {TIMINGS['server start (schemas setting)']:.2f}s")


def test_completion_v3_endpoint(server: LanguageServer) -> None:
    labels = _labels(server.completion(V3_ENDPOINT))
    for key in ("upstream", "traffic_policy", "url"):
        assert key in labels, labels
    # The root if/then/else picked the v3 branch: no v2 tunnel key is offered.
    assert "schemes" not in labels and "proto" not in labels, labels


def test_completion_v3_agent(server: LanguageServer) -> None:
    labels = _labels(server.completion(V3_AGENT))
    for key in ("web_addr", "authtoken"):
        assert key in labels, labels
    assert "log_level" not in labels, "keys already present are not offered again"


def test_completion_v2_tunnel(server: LanguageServer) -> None:
    labels = _labels(server.completion(V2_TUNNEL))
    for key in ("schemes", "proto"):
        assert key in labels, labels
    assert "upstream" not in labels, labels


def test_completion_v2_proto_enum(server: LanguageServer) -> None:
    labels = _labels(server.completion(V2_PROTO))
    for value in ("http", "tcp", "tls"):
        assert value in labels, labels


def test_completion_matches_glob_star_ngrok_yml(server: LanguageServer) -> None:
    """The `*.ngrok.yml` pattern of the setting works too; an unrelated file name gets no schema."""
    assert "upstream" in _labels(server.completion(V3_ENDPOINT, name="staging.ngrok.yml"))
    assert "upstream" not in _labels(server.completion(V3_ENDPOINT, name="docker-compose.yml"))


def test_snippet_labels_are_titles_not_definition_names(server: LanguageServer) -> None:
    docs = [V3_ENDPOINT, "authtoken: abcd\ntunnels:\n  web:\n    addr: 8080\n    |\n",
            'version: "2"\ntunnels:\n  web:\n    |\n']
    # The snippet item has kind Class (7); property items are kind Property (10).
    labels = {item["label"] for doc in docs for item in server.completion(doc) if item.get("kind") == 7}
    assert labels, "the server offers a required-properties snippet"
    assert not labels & set(SCHEMA["definitions"]), sorted(labels)


# ---------------------------------------------------------------------------------------------------
# (2) hover
# ---------------------------------------------------------------------------------------------------
def _hover_text(hover: Optional[Dict[str, Any]]) -> str:
    assert hover, "no hover"
    contents = hover["contents"]
    if isinstance(contents, dict):
        return str(contents.get("value", ""))
    if isinstance(contents, list):
        return "\n".join(c if isinstance(c, str) else str(c.get("value", "")) for c in contents)
    return str(contents)


def test_hover_web_addr(server: LanguageServer) -> None:
    text = 'version: 3\nagent:\n  web_a|ddr: 127.0.0.1:4040\n'
    shown = _hover_text(server.hover(text))
    prop = SCHEMA["definitions"]["v3_agent"]["properties"]["web_addr"]
    # Editors render markdownDescription when the schema has one; description is its plain twin.
    assert prop["markdownDescription"] in shown, shown
    assert prop["description"] in shown.replace("`", ""), shown


def test_hover_v2_tunnel_key(server: LanguageServer) -> None:
    text = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    sche|mes: [https]\n'
    shown = _hover_text(server.hover(text))
    prop = SCHEMA["definitions"]["v2_tunnel"]["properties"]["schemes"]
    assert prop["description"] in shown.replace("`", ""), shown


# ---------------------------------------------------------------------------------------------------
# (3) diagnostics
# ---------------------------------------------------------------------------------------------------
INVALID_V2 = """\
version: "2"
tunnels:
  web:
    proto: htp
    addr: 8080
    host-header: rewrite
"""
VALID_V2 = """\
version: "2"
authtoken: abcd
web_addr: 127.0.0.1:4040
tunnels:
  web:
    proto: http
    addr: 8080
    host_header: rewrite
    schemes: [https]
"""
VALID_V3 = """\
version: 3
agent:
  authtoken: abcd
endpoints:
  - name: web
    url: https://example.ngrok.app
    upstream:
      url: 8080
"""


def test_diagnostics_unknown_key_and_bad_enum(server: LanguageServer) -> None:
    diags = server.diagnostics(INVALID_V2)
    schema_diags = [d for d in diags if _is_schema(d)]
    assert schema_diags == diags, "only schema diagnostics expected: the YAML is well formed"
    at = {(d["range"]["start"]["line"], d["range"]["start"]["character"]): d["message"] for d in schema_diags}
    assert any(line == 5 and "host-header" in msg and "not allowed" in msg for (line, _), msg in at.items()), at
    assert any(line == 3 and "http" in msg and "tcp" in msg for (line, _), msg in at.items()), at
    assert all(d["severity"] == 1 for d in schema_diags)


@pytest.mark.parametrize("text", [VALID_V2, VALID_V3], ids=["v2", "v3"])
def test_diagnostics_valid_file_has_none(server: LanguageServer, text: str) -> None:
    assert server.diagnostics(text) == []


def test_trailing_newline_verdict_matches_jsonschema(server: LanguageServer) -> None:
    text = 'version: 3\nagent:\n  web_addr: |\n    127.0.0.1:4040\n'  # a block scalar keeps the newline
    assert yaml.safe_load(text)["agent"]["web_addr"] == "127.0.0.1:4040\n"
    server_says = any(_is_schema(d) for d in server.diagnostics(text))
    assert server_says, "the server rejects the value (the agent cannot listen on it either)"
    assert _has_errors(yaml.safe_load(text)) == server_says


# ---------------------------------------------------------------------------------------------------
# (4) the modeline, without any yaml.schemas setting
# ---------------------------------------------------------------------------------------------------
def test_modeline_completion_and_diagnostics(modeline_server: LanguageServer) -> None:
    # A name that no setting maps: only the modeline brings the schema in.
    labels = _labels(modeline_server.completion(MODELINE + V3_ENDPOINT, name="config.yaml"))
    for key in ("upstream", "traffic_policy", "url"):
        assert key in labels, labels
    labels = _labels(modeline_server.completion(MODELINE + V2_TUNNEL, name="config.yaml"))
    assert "schemes" in labels and "proto" in labels, labels
    labels = _labels(modeline_server.completion(MODELINE + V2_PROTO, name="config.yaml"))
    assert {"http", "tcp", "tls"} <= set(labels), labels
    assert modeline_server.diagnostics(MODELINE + VALID_V3, name="config.yaml") == []
    assert any(_is_schema(d) for d in modeline_server.diagnostics(MODELINE + INVALID_V2, name="config.yaml"))
    # Without the modeline the same file gets nothing from the schema.
    assert "upstream" not in _labels(modeline_server.completion(V3_ENDPOINT, name="config.yaml"))


# ---------------------------------------------------------------------------------------------------
# (5) verdict parity
# ---------------------------------------------------------------------------------------------------
def _corpus_files() -> List[Path]:
    fixtures = sorted(FIXTURES.glob("*/*.yml"))
    corpus = sorted(CORPUS.glob("*.yml")) if CORPUS.is_dir() else []
    return fixtures + corpus


def _read(path: Path) -> str:
    # The server receives text: the BOM is not part of it (an editor strips it on decoding).
    return path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")


def _load_12(text: str) -> Any:
    # ruamel's safe loader reads YAML 1.2 (core schema), like the server's `yaml` package.
    loader = YAML(typ="safe", pure=True)
    loader.allow_duplicate_keys = True
    return loader.load(text)


def _has_errors(data: Any) -> bool:
    return next(COMBINED.iter_errors(data), None) is not None


def _first_difference(a: Any, b: Any, path: Tuple[Any, ...] = ()) -> Optional[str]:
    if isinstance(a, dict) and isinstance(b, dict) and list(map(str, a)) == list(map(str, b)):
        for (ka, va), vb in zip(a.items(), b.values()):
            found = _first_difference(va, vb, path + (ka,))
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (va, vb) in enumerate(zip(a, b)):
            found = _first_difference(va, vb, path + (i,))
            if found:
                return found
        return None
    if a == b and type(a) is type(b):
        return None
    where = ".".join(map(str, path)) or "<root>"
    return f"{where}: YAML 1.1 reads {a!r}, YAML 1.2 reads {b!r}"


class Sample:
    def __init__(self, path: Path, text: str, data: Any) -> None:
        self.path, self.text, self.data = path, text, data
        self.name = str(path.relative_to(ROOT) if ROOT in path.parents else path.relative_to(CORPUS.parent))


def _samples() -> Tuple[List[Sample], List[Sample]]:
    """(files yaml.safe_load reads, files it rejects: `data` is None for those)."""
    samples: List[Sample] = []
    unparsed: List[Sample] = []
    for path in _corpus_files():
        text = _read(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError:
            unparsed.append(Sample(path, text, None))
            continue
        samples.append(Sample(path, text, data))
    return samples, unparsed


def _server_verdicts(server: LanguageServer, samples: List[Sample], batch: int = 100,
                     any_diagnostic: bool = False) -> Dict[str, bool]:
    """Has each file schema errors (or any diagnostic at all), by the server?

    Documents are opened a batch at a time, so the server's per-document validation delay overlaps."""
    verdicts: Dict[str, bool] = {}
    for start in range(0, len(samples), batch):
        chunk = samples[start:start + batch]
        uris = [server.uri() for _ in chunk]
        for uri, sample in zip(uris, chunk):
            server.open(uri, sample.text)
        published = server.wait_diagnostics(uris, timeout=60)
        for uri, sample in zip(uris, chunk):
            verdicts[sample.name] = any(any_diagnostic or _is_schema(d) for d in published[uri])
            server.close(uri)
    return verdicts


def _is_empty_document(sample: Sample) -> bool:
    # No node at all (empty or comments only): the server validates nothing, jsonschema sees null.
    return sample.data is None and not any(
        line.strip() and not line.lstrip().startswith("#") and line.strip() not in ("---", "...")
        for line in sample.text.splitlines()
    )


def test_verdict_parity_with_jsonschema(server: LanguageServer, node: str, capsys: pytest.CaptureFixture) -> None:
    samples, unparsed = _samples()
    assert len(samples) >= 500, f"expected the fixtures and the corpus, found {len(samples)} files"
    start = time.monotonic()
    verdicts = _server_verdicts(server, samples)
    elapsed = time.monotonic() - start

    yaml12: List[Tuple[Sample, str]] = []
    empty: List[Sample] = []
    mismatches: List[str] = []
    for sample in samples:
        expected = _has_errors(sample.data)
        got = verdicts[sample.name]
        if got == expected:
            continue
        if _is_empty_document(sample) and not got:
            empty.append(sample)
            continue
        data12 = _load_12(sample.text)
        difference = _first_difference(sample.data, data12)
        if difference and _has_errors(data12) == got:
            yaml12.append((sample, difference))
            continue
        mismatches.append(f"{sample.name}: server {'errors' if got else 'valid'}, "
                          f"jsonschema {'errors' if expected else 'valid'}")
    assert not mismatches, "verdicts differ:\n" + "\n".join(mismatches)
    invalid = sum(verdicts.values())
    assert 50 <= invalid <= len(samples) - 50, f"a degenerate run: {invalid} of {len(samples)} files have errors"

    # Real-world files PyYAML rejects cannot be compared with jsonschema; the editor must still flag them
    # (a YAML error, or a schema error where the YAML 1.2 parser reads e.g. a `{{ template }}` as a map).
    rejected = [s for s in unparsed if s.path.parent == CORPUS]
    rejected_verdicts = _server_verdicts(server, rejected, any_diagnostic=True)
    silent = [s.name for s in rejected if not rejected_verdicts[s.name]]
    assert not silent, f"corpus files PyYAML rejects got no diagnostic from the server: {silent}"

    # The YAML 1.2 exclusions are exactly that: with yaml.yamlVersion "1.1" the server agrees.
    if yaml12:
        srv11 = _start(node, dict(USER_YAML_SETTINGS, yamlVersion="1.1"))
        try:
            srv11.wait_schema_active(PROBE)
            as11 = _server_verdicts(srv11, [s for s, _ in yaml12])
        finally:
            srv11.stop()
        wrong = [s.name for s, _ in yaml12 if as11[s.name] != _has_errors(s.data)]
        assert not wrong, f"still different with yaml.yamlVersion 1.1: {wrong}"

    lines = [f"verdict parity: {len(samples)} files (fixtures that parse + real-world corpus) in {elapsed:.1f}s, "
             f"{invalid} with schema errors; {len(samples) - len(yaml12) - len(empty)} agree with jsonschema, "
             f"{len(yaml12)} excluded (YAML 1.2), {len(empty)} excluded (empty document)",
             f"  not compared, yaml.safe_load rejects them: {len(unparsed) - len(rejected)} fixtures, "
             f"{len(rejected)} corpus files (each gets a server diagnostic)"]
    lines += [f"  excluded, YAML 1.2 (agrees with yaml.yamlVersion 1.1): {s.name}: {why}" for s, why in yaml12]
    lines += [f"  excluded, empty document (the server validates no node; jsonschema rejects null): {s.name}"
              for s in empty]
    _report(capsys, "\n".join(lines))


def test_combined_schema_verdict_matches_per_format_schema() -> None:
    """jsonschema alone: the combined schema and the schema picked by `version` agree on every file."""
    samples, _ = _samples()
    assert len(samples) >= 500
    differ = []
    for sample in samples:
        version = sample.data.get("version") if isinstance(sample.data, dict) else None
        fmt = {3: "v3", "3": "v3", 2: "v2", "2": "v2"}.get(version, "legacy") if not isinstance(version, bool) else "legacy"
        per_format = next(PER_FORMAT[fmt].iter_errors(sample.data), None) is not None
        if per_format != _has_errors(sample.data):
            differ.append(f"{sample.name} ({fmt})")
    assert not differ, differ
