"""Secrets are never echoed (rules.md, Terms): whatever ngrok-lint prints about a file holding an
authtoken, an API key, basic-auth passwords, webhook secrets, an OAuth client secret, a PEM private
key or proxy credentials shows none of them — neither whole nor any 8-character piece of one.

Every output path is exercised: each format, `--output`, `--diff`, `--fix --unsafe-fixes --diff`,
`--statistics`, `--explain`, `--list-rules`, a file that does not parse (NGL001 plus the line scan
for NGL301/NGL302), standard input, and the language server's diagnostics.

The values are fake but shaped like real ones, so that every secret rule fires on them.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from conftest import ROOT, run_cli

AUTHTOKEN = "2Nq8ZkVbXw5Rt3Lp9HyQe7Uc1Jd_4mFgTs6AoKiPv8WxYzBn"
API_KEY = "2Pk7HsDf4Gj8Lz1Xc5Vb9Nm3Qw_6Er2Ty7Ui0OpAs4DfGh5Jk"
LEGACY_AUTH_PASSWORD = "Tr0ub4dor-Kx9Qm2Vz"
BASIC_AUTH_PASSWORD = "Zq4Wm8Np2Rx6Kt1Ly"
V3_CREDENTIAL_PASSWORD = "Vb3Nc7Xm1Qw5Er9Ty"
WEBHOOK_SECRET_V2 = "whsec_9fJ2kL7mN4pQ8rS1tU6vW3xY"
WEBHOOK_SECRET_V3 = "sk_hook_Q7w3E9r1T5y8U2i4O6p0Zx"
CLIENT_SECRET = "GOCSPX-4bN8vC2xZ7mL1kJ9hG5fD3sA"
PROXY_PASSWORD = "Pr0xyP4ss-8Hq2Lw"
PEM_BODY = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu",
    "NMoSfm76oqFvAp8Gy0iz5sxjZmSnXyCdPEovGhLa0VzMaQ8s+CLOyS56YyCFGeJZ",
)
PEM = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END PRIVATE KEY-----\n"

SECRETS: Dict[str, str] = {
    "authtoken": AUTHTOKEN,
    "api_key": API_KEY,
    "legacy auth password": LEGACY_AUTH_PASSWORD,
    "v2 basic_auth password": BASIC_AUTH_PASSWORD,
    "v3 basic-auth credential password": V3_CREDENTIAL_PASSWORD,
    "verify_webhook secret": WEBHOOK_SECRET_V2,
    "verify-webhook secret": WEBHOOK_SECRET_V3,
    "oauth client_secret": CLIENT_SECRET,
    "proxy password": PROXY_PASSWORD,
    **{f"PEM line {i + 1}": line for i, line in enumerate(PEM_BODY)},
}


def _pieces(secret: str) -> List[str]:
    """The secret and every 8-character window of it (a mask shows the first 4 characters only)."""
    return [secret] + [secret[i:i + 8] for i in range(0, len(secret) - 7)]


FORBIDDEN: List[Tuple[str, str]] = [(name, piece) for name, secret in SECRETS.items() for piece in _pieces(secret)]


def assert_no_leak(where: str, *outputs: str) -> None:
    text = "\n".join(outputs)
    leaks = sorted({f"{name} ({piece!r})" for name, piece in FORBIDDEN if piece in text})
    assert not leaks, f"{where}: secret text in the output: {leaks}\n--- output ---\n{text[:3000]}"


# --- the files -------------------------------------------------------------------------------------

LEGACY = f"""\
authtoken: {AUTHTOKEN}
http_proxy: http://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:3128
web_addr: 0.0.0.0:4040
tunnels:
  admin:
    proto: http
    addr: 8080
    bind_tls: both
    auth: "alice:{LEGACY_AUTH_PASSWORD}"
"""

V2 = f"""\
version: "2"
authtoken: {AUTHTOKEN}
api_key: {API_KEY}
proxy_url: socks5://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:1080
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [http, https]
    basic_auth:
      - "bob:{BASIC_AUTH_PASSWORD}"
    oauth:
      provider: google
      client_id: 1234567890-abcdefg.apps.googleusercontent.com
      client_secret: {CLIENT_SECRET}
  hooks:
    proto: http
    addr: 9000
    verify_webhook:
      provider: github
      secret: {WEBHOOK_SECRET_V2}
"""

_PEM_INDENTED = "".join(f"        {line}\n" for line in PEM.splitlines())

V3 = f"""\
version: 3
agent:
  authtoken: {AUTHTOKEN}
  api_key: {API_KEY}
  proxy_url: http://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:3128
endpoints:
  - name: web
    url: http://web.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: basic-auth
              config:
                credentials:
                  - "carol:{V3_CREDENTIAL_PASSWORD}"
            - type: verify-webhook
              config:
                provider: github
                secret: {WEBHOOK_SECRET_V3}
            - type: oauth
              config:
                provider: google
                client_id: 1234567890-abcdefg.apps.googleusercontent.com
                client_secret: {CLIENT_SECRET}
  - name: tls
    url: tls://tls.example.com
    upstream:
      url: 8443
    agent_tls_termination:
      server_certificate: cert.pem
      server_private_key: |
{_PEM_INDENTED}"""

# Unterminated quote: NGL001, and the line scan still reports the token and key (NGL301/NGL302).
BROKEN = f"""\
authtoken: {AUTHTOKEN}
api_key: "{API_KEY}
tunnels:
  web: {{proto: http, addr: 80
    auth: "alice:{LEGACY_AUTH_PASSWORD}"
"""

# Secrets where the schema finds fault (wrong types, a bad scheme, a misspelt key, a duplicate key):
# NGL002/NGL004 messages that quote a value must mask it too.
ODD = f"""\
version: "2"
auth_token: {AUTHTOKEN}
api_key: [{API_KEY}]
proxy_url: ftp://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:3128
tunnels:
  web:
    proto: http
    addr: 8080
    basic_auth: "bob:{BASIC_AUTH_PASSWORD}"
    auth: "bob:{BASIC_AUTH_PASSWORD}"
    oauth:
      provider: google
      client_secret: {{x: {CLIENT_SECRET}}}
    verify_webhook:
      provider: nosuch
      secret: {WEBHOOK_SECRET_V2}
      secret: {WEBHOOK_SECRET_V2}
"""

FILES = {"legacy.ngrok.yml": LEGACY, "v2.ngrok.yml": V2, "v3.ngrok.yml": V3, "broken.ngrok.yml": BROKEN,
         "odd.ngrok.yml": ODD}

# Which rules must fire, per file, for the test to mean something (the secrets are read).
EXPECTED_CODES = {
    "legacy.ngrok.yml": {"NGL301", "NGL303"},
    "v2.ngrok.yml": {"NGL301", "NGL302", "NGL303"},
    "v3.ngrok.yml": {"NGL301", "NGL302", "NGL303"},
    "broken.ngrok.yml": {"NGL001", "NGL301"},
    "odd.ngrok.yml": {"NGL002", "NGL004", "NGL303"},
}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _sanity(folder: Path) -> None:
    """The files hold every secret, and the secret rules see them."""
    import json

    everything = "".join(FILES.values())
    for name, secret in SECRETS.items():
        assert secret in everything, name
    result = run_cli(["--isolated", "--format", "json", *FILES])
    codes: Dict[str, set] = {}
    for item in result.json()["findings"]:
        codes.setdefault(Path(item["path"]).name, set()).add(item["code"])
    for name, wanted in EXPECTED_CODES.items():
        assert wanted <= codes.get(name, set()), (name, codes.get(name), json.dumps(result.json()["summary"]))


RUNS: List[Tuple[str, List[str]]] = [
    ("text", []),
    ("json", ["--format", "json"]),
    ("sarif", ["--format", "sarif"]),
    ("github", ["--format", "github"]),
    ("statistics", ["--statistics"]),
    ("no-suppressions", ["--no-suppressions", "--fail-on", "info"]),
    ("diff", ["--diff"]),
    ("unsafe-diff", ["--fix", "--unsafe-fixes", "--diff"]),
    ("unsafe-diff-json", ["--unsafe-fixes", "--diff", "--format", "json"]),
    ("unsafe-diff-sarif", ["--unsafe-fixes", "--diff", "--format", "sarif"]),
    ("unsafe-diff-v402", ["--unsafe-fixes", "--diff", "--extend-select", "NGL402"]),
]


@pytest.mark.parametrize("name, args", RUNS, ids=[r[0] for r in RUNS])
def test_no_output_format_shows_a_secret(name: str, args: List[str], folder: Path) -> None:
    _sanity(folder)
    for files in [list(FILES)] + [[f] for f in FILES]:
        result = run_cli(["--isolated", *args, *files])
        assert "Traceback" not in result.out + result.err
        assert result.code in (0, 1), (result.code, result.err)
        assert_no_leak(f"{name} {files}", result.out, result.err)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_the_output_file_shows_no_secret(fmt: str, folder: Path) -> None:
    result = run_cli(["--isolated", "--format", fmt, "--output", "report.out", "--unsafe-fixes", "--diff", *FILES])
    assert result.code in (0, 1), result.err
    assert_no_leak(f"--output {fmt}", (folder / "report.out").read_text(encoding="utf-8"), result.out, result.err)


def test_fixing_in_place_reports_no_secret(folder: Path) -> None:
    """`--fix --unsafe-fixes` rewrites the files (removing the tokens); its report shows nothing."""
    result = run_cli(["--isolated", "--fix", "--unsafe-fixes", "--statistics", *FILES])
    assert result.code in (0, 1), result.err
    assert_no_leak("--fix --unsafe-fixes", result.out, result.err)
    after = (folder / "v2.ngrok.yml").read_text(encoding="utf-8")
    assert AUTHTOKEN not in after and API_KEY not in after  # NGL301/NGL302's unsafe fixes ran


@pytest.mark.parametrize("args", [["--explain", "NGL301"], ["--explain", "NGL303"], ["--explain", "inline-credential"],
                                  ["--list-rules"], ["--list-rules", "--format", "json"]])
def test_docs_output_shows_no_secret(args: List[str], folder: Path) -> None:
    result = run_cli(args)
    assert result.code == 0
    assert_no_leak(" ".join(args), result.out, result.err)


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--format", "sarif"], ["--format", "github"],
                                  ["--diff", "--unsafe-fixes"]], ids=["text", "json", "sarif", "github", "diff"])
def test_stdin_shows_no_secret(name: str, args: List[str], folder: Path) -> None:
    data = FILES[name].encode()
    for extra in ([], ["--stdin-filename", name]):
        result = run_cli(["--isolated", *args, *extra, "-"], stdin=data)
        assert result.code in (0, 1), result.err
        assert_no_leak(f"stdin {name} {args} {extra}", result.out, result.err)


def test_stdin_fix_reports_no_secret(folder: Path) -> None:
    """`-` with `--fix` writes the fixed file to stdout (its content, secrets included, by design:
    it is the file); the report goes to stderr and must not show them."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "ngrok_lint", "--isolated", "--fix", "--unsafe-fixes", "-"],
                          input=V2.encode(), capture_output=True, env=env, cwd=folder, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert AUTHTOKEN not in done.stdout.decode()  # the fixed file: NGL301's unsafe fix removed it
    assert_no_leak("stdin --fix report", done.stderr.decode())


def test_crlf_and_bom_variants_show_no_secret(folder: Path) -> None:
    for name, text in FILES.items():
        (folder / f"crlf-{name}").write_bytes(text.replace("\n", "\r\n").encode())
        (folder / f"bom-{name}").write_bytes(b"\xef\xbb\xbf" + text.encode())
    names = [f"{kind}-{name}" for kind in ("crlf", "bom") for name in FILES]
    for args in ([], ["--format", "sarif"], ["--unsafe-fixes", "--diff"]):
        result = run_cli(["--isolated", *args, *names])
        assert result.code in (0, 1), result.err
        assert_no_leak(f"crlf/bom {args}", result.out, result.err)


# --- the language server -------------------------------------------------------------------------


def _lsp_available() -> bool:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
        import pytest_lsp  # noqa: F401
    except ImportError:
        return False
    return (ROOT / "ngrok_lint" / "lsp.py").is_file()


if _lsp_available():
    import pytest_lsp
    from lsprotocol import types
    from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

    _ENV = dict(os.environ)
    _ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)

    @pytest_lsp.fixture(
        config=ClientServerConfig(server_command=[sys.executable, "-m", "ngrok_lint", "--lsp"], server_env=_ENV),
    )
    async def lsp(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
        @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register_capability(ls: LanguageClient, params: types.RegistrationParams) -> None:
            pass  # an editor would note the config-file watchers; nothing to check here

        await lsp_client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri())
        )
        yield
        await lsp_client.shutdown_session()

    async def _diagnostics(client: LanguageClient, uri: str, version: int) -> List[types.Diagnostic]:
        while True:
            params = await asyncio.wait_for(client.wait_for_notification("textDocument/publishDiagnostics"), 20)
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)

    @pytest.mark.asyncio
    async def test_language_server_diagnostics_show_no_secret(lsp: LanguageClient, tmp_path: Path) -> None:
        for name, text in FILES.items():
            uri = (tmp_path / name).as_uri()
            lsp.text_document_did_open(types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
            diagnostics = await _diagnostics(lsp, uri, 1)
            assert diagnostics, name
            shown = [d.message for d in diagnostics] + [str(d.code) for d in diagnostics]
            shown += [str(getattr(d, "data", "") or "") for d in diagnostics]
            shown += [r.message for d in diagnostics for r in (d.related_information or [])]
            assert_no_leak(f"LSP diagnostics {name}", *shown)
            # The quick-fix titles are shown in the editor's menu too.
            last = len(text.splitlines())
            actions = await lsp.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(0, 0), types.Position(last, 0)),
                context=types.CodeActionContext(diagnostics=diagnostics)))
            titles = [a.title for a in actions or [] if isinstance(a, types.CodeAction)]
            assert_no_leak(f"LSP code action titles {name}", *titles)
else:  # pragma: no cover

    def test_language_server_diagnostics_show_no_secret() -> None:
        pytest.skip("the language server (ngrok_lint.lsp with pygls, pytest-lsp) is not available")
