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


# --- every YAML form a secret can take (issue: masking from the parse, not from line patterns) -----
#
# The secrets above are written the plain way. A secret is the same secret when it is anchored
# (`authtoken: &tok …`), reused through an alias whose anchor stands elsewhere, written as a block
# scalar, on the line after its key, inside a flow map or list, quoted or tagged. Masking follows the
# positions the parser gives, so every output hides every form. A fixed file per form family, then
# hypothesis mixing forms and kinds.

FORMS_V2 = f"""\
version: "2"
x-shared: &tok {AUTHTOKEN}
authtoken: *tok
api_key:
  "{API_KEY}"
proxy_url: &proxy 'socks5://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:1080'
tunnels:
  web:
    proto: http
    addr: 8080
    metadata: *proxy
    basic_auth: [admin, "bob:{BASIC_AUTH_PASSWORD}"]
    oauth: {{provider: google, client_secret: !!str {CLIENT_SECRET}}}
  hooks:
    proto: http
    addr: 9000
    verify_webhook:
      provider: github
      secret: >-
        {WEBHOOK_SECRET_V2}
"""

FORMS_V3 = f"""\
version: 3
agent:
  authtoken: |-
    {AUTHTOKEN}
  api_key: &key
    {API_KEY}
endpoints:
  - name: web
    url: http://web.example.com
    metadata: *key
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: basic-auth
              config:
                credentials:
                  - |
                    carol:{V3_CREDENTIAL_PASSWORD}
            - type: verify-webhook
              config: {{provider: github, secret: "{WEBHOOK_SECRET_V3}"}}
            - type: oauth
              config:
                provider: google
                client_secret:
                  {CLIENT_SECRET}
  - name: tls
    url: tls://tls.example.com
    upstream:
      url: 8443
    agent_tls_termination:
      server_certificate: cert.pem
      server_private_key: "{PEM.replace(chr(10), chr(92) + 'n')}"
"""

FORMS_LEGACY = f"""\
authtoken: &t
  '{AUTHTOKEN}'
http_proxy: "http://proxyuser:{PROXY_PASSWORD}@proxy.corp.example:3128"
tunnels:
  admin:
    proto: http
    addr: *t
    auth: >
      alice:{LEGACY_AUTH_PASSWORD}
"""

FORM_FILES = {"forms-v2.ngrok.yml": FORMS_V2, "forms-v3.ngrok.yml": FORMS_V3, "forms-legacy.ngrok.yml": FORMS_LEGACY}
FORM_CODES = {
    "forms-v2.ngrok.yml": {"NGL301", "NGL302", "NGL303"},
    "forms-v3.ngrok.yml": {"NGL301", "NGL302", "NGL303"},
    "forms-legacy.ngrok.yml": {"NGL301", "NGL303"},
}


@pytest.fixture
def forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in FORM_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_form_files_hold_the_secrets_and_parse(forms: Path) -> None:
    import yaml

    everything = "".join(FORM_FILES.values())
    for name, secret in SECRETS.items():
        assert secret in everything or name.startswith("PEM line"), name
    for name, text in FORM_FILES.items():
        yaml.safe_load(text)  # every form is valid YAML: the masking must come from the parse
    result = run_cli(["--isolated", "--format", "json", *FORM_FILES])
    codes: Dict[str, set] = {}
    for item in result.json()["findings"]:
        codes.setdefault(Path(item["path"]).name, set()).add(item["code"])
    for name, wanted in FORM_CODES.items():
        assert wanted <= codes.get(name, set()), (name, codes.get(name))


@pytest.mark.parametrize("name, args", RUNS, ids=[r[0] for r in RUNS])
def test_no_output_format_shows_a_secret_in_any_yaml_form(name: str, args: List[str], forms: Path) -> None:
    for files in [list(FORM_FILES)] + [[f] for f in FORM_FILES]:
        result = run_cli(["--isolated", *args, *files])
        assert "Traceback" not in result.out + result.err
        assert result.code in (0, 1), (result.code, result.err)
        assert_no_leak(f"{name} {files}", result.out, result.err)


def test_a_diff_hunk_showing_a_masked_secret_says_it_is_no_patch(forms: Path) -> None:
    result = run_cli(["--isolated", "--unsafe-fixes", "--diff", "forms-v2.ngrok.yml"])
    assert result.code == 1, result.err
    assert_no_leak("diff", result.out, result.err)
    hunks = [line for line in result.out.splitlines() if line.startswith("@@")]
    masked = [h for h in hunks if h in result.err]
    assert masked, (result.out, result.err)
    assert "not an applicable patch" in result.err
    assert "2Nq8…" in result.out  # shown masked, where the anchor stands


def _apply(text: str, region: Dict[str, int], inserted: str) -> str:
    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return (starts[line - 1] if line - 1 < len(starts) else len(text)) + column - 1

    return text[:offset(region["startLine"], region["startColumn"])] + inserted + text[offset(region["endLine"], region["endColumn"]):]


@pytest.mark.parametrize("name", sorted({**FILES, **FORM_FILES}))
def test_sarif_fixes_are_exact_edits_that_carry_no_secret(name: str, folder: Path) -> None:
    """Each SARIF fix, applied alone, gives the fixer's own preview of that fix: never masked text
    (which would corrupt the file), and an edit that would have to carry a secret is left out."""
    import json

    from ngrok_lint import fixer
    from ngrok_lint.config import Settings
    from ngrok_lint.engine import analyze, finish

    text = {**FILES, **FORM_FILES}[name]
    (folder / name).write_text(text, encoding="utf-8")
    result = run_cli(["--isolated", "--format", "sarif", "--unsafe-fixes", name])
    assert_no_leak(f"sarif {name}", result.out, result.err)
    log = json.loads(result.out)
    analysis = analyze(name, text.encode(), Settings(), str(folder))
    findings = finish([analysis])[name]
    by_place = {(f.code, f.span.line, f.span.column): f for f in findings}
    for item in log["runs"][0]["results"]:
        for fix in item.get("fixes", []):
            (change,) = fix["artifactChanges"]
            (replacement,) = change["replacements"]
            inserted = replacement["insertedContent"]["text"]
            assert "…" not in inserted, (name, item["ruleId"], inserted)
            region = item["locations"][0]["physicalLocation"]["region"]
            finding = by_place[(item["ruleId"], region["startLine"], region["startColumn"])]
            preview = fixer.preview(analysis, finding)
            assert isinstance(preview, str)
            assert _apply(text, replacement["deletedRegion"], inserted) == preview, (name, item["ruleId"])


def test_a_schema_message_about_an_aliased_secret_masks_it(tmp_path: Path) -> None:
    """NGL002 quotes the value it rejects; the alias gives `web_addr` the authtoken's value."""
    (tmp_path / "ngrok.yml").write_text(
        f'version: "2"\nauthtoken: &t {AUTHTOKEN}\nweb_addr: *t\nregion: *t\n', encoding="utf-8")
    for fmt in ("text", "json", "sarif", "github"):
        result = run_cli(["--isolated", "--format", fmt, str(tmp_path / "ngrok.yml")])
        assert "NGL002" in result.out
        assert_no_leak(f"aliased {fmt}", result.out, result.err)


def test_a_parser_message_quoting_a_secret_masks_it(tmp_path: Path) -> None:
    """A value starting with `*` is an alias to PyYAML, whose message names it; the file does not
    parse, so the line scan finds the secret."""
    (tmp_path / "ngrok.yml").write_text(f'version: "2"\nauthtoken: *{AUTHTOKEN}\n', encoding="utf-8")
    for fmt in ("text", "json", "sarif", "github"):
        result = run_cli(["--isolated", "--format", fmt, str(tmp_path / "ngrok.yml")])
        assert "NGL001" in result.out
        assert_no_leak(f"parser {fmt}", result.out, result.err)


# --- hypothesis: the forms mixed over every kind of secret -------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_EXAMPLES = int(os.environ.get("NGROK_LINT_HYPOTHESIS_EXAMPLES", "0") or 0) or 25
# Block forms need a line of their own; flow contexts take only the one-line forms.
ONE_LINE = ["plain", "single", "double", "tagged", "anchored", "alias", "commented"]
BLOCK = ONE_LINE + ["literal", "literal-strip", "folded", "next-line", "next-line-quoted", "anchored-next-line"]


def _alphabet() -> st.SearchStrategy[str]:
    # No vowels: a drawn secret never spells a word that the rules' docs or messages hold.
    return st.text(st.sampled_from("BCDFGHJKLMNPQRSTVWXZbcdfghjkmnpqrstvwxz23456789_-"), min_size=18,
                   max_size=40).map(lambda s: "S3" + s)


class _Doc:
    """Builds one config, recording every secret written and the anchors to define at the top."""

    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.secrets: List[str] = []
        self.anchors: List[str] = []
        self.count = 0

    def name(self) -> str:
        self.count += 1
        return f"n{self.count}"

    def secret(self) -> str:
        value = self.draw(_alphabet())
        self.secrets.append(value)
        return value

    def value(self, key: str, value: str, indent: int, forms: List[str]) -> str:
        """`key: <value>` (key "-" for a list item) at `indent`, in a drawn form."""
        form = self.draw(st.sampled_from(forms))
        pad, deeper = " " * indent, " " * (indent + 2)
        head = f"{pad}- " if key == "-" else f"{pad}{key}: "
        bare = head.rstrip()
        if form == "plain":
            return f"{head}{value}\n"
        if form == "single":
            return f"{head}'{value}'\n"
        if form == "double":
            return f'{head}"{value}"\n'
        if form == "tagged":
            return f"{head}!!str {value}\n"
        if form == "commented":
            return f"{head}{value}  # a comment\n"
        if form == "anchored":
            return f"{head}&{self.name()} {value}\n"
        if form == "alias":
            name = f"a{len(self.anchors)}"
            self.anchors.append(f"x-{name}: &{name} \"{value}\"\n")
            return f"{head}*{name}\n"
        if form == "literal":
            return f"{head}|\n{deeper}{value}\n"
        if form == "literal-strip":
            return f"{head}|-\n{deeper}{value}\n"
        if form == "folded":
            return f"{head}>-\n{deeper}{value}\n"
        if form == "next-line":
            return f"{bare}\n{deeper}{value}\n"
        if form == "next-line-quoted":
            return f"{bare}\n{deeper}'{value}'\n"
        return f"{head}&{self.name()}\n{deeper}{value}\n"  # anchored-next-line

    def flow(self, key: str, value: str) -> str:
        """`key: value` inside a flow map, in a one-line form."""
        form = self.draw(st.sampled_from(["plain", "single", "double", "tagged", "anchored", "alias"]))
        if form == "alias":
            name = f"a{len(self.anchors)}"
            self.anchors.append(f"x-{name}: &{name} {value}\n")
            return f"{key}: *{name}"
        return {"plain": f"{key}: {value}", "single": f"{key}: '{value}'", "double": f'{key}: "{value}"',
                "tagged": f"{key}: !!str {value}", "anchored": f"{key}: &{self.name()} {value}"}[form]


@st.composite
def configs(draw: Any) -> Tuple[str, List[str]]:
    doc = _Doc(draw)
    fmt = draw(st.sampled_from(["v2", "v3", "legacy"]))
    body = ""
    if fmt == "v2":
        body += 'version: "2"\n'
        body += doc.value("authtoken", doc.secret(), 0, BLOCK)
        body += doc.value("api_key", doc.secret(), 0, BLOCK)
        body += doc.value("proxy_url", f"http://proxyuser:{doc.secret()}@proxy.example:3128", 0, ONE_LINE)
        body += "tunnels:\n  web:\n    proto: http\n    addr: 8080\n"
        if draw(st.booleans()):
            body += f"    basic_auth: [\"bob:{doc.secret()}\"]\n"
        else:
            body += "    basic_auth:\n" + doc.value("-", f"bob:{doc.secret()}", 6, BLOCK)
        if draw(st.booleans()):
            body += "    oauth: {provider: google, " + doc.flow("client_secret", doc.secret()) + "}\n"
        else:
            body += "    oauth:\n      provider: google\n" + doc.value("client_secret", doc.secret(), 6, BLOCK)
        body += "    verify_webhook:\n      provider: github\n" + doc.value("secret", doc.secret(), 6, BLOCK)
    elif fmt == "v3":
        body += "version: 3\nagent:\n"
        body += doc.value("authtoken", doc.secret(), 2, BLOCK)
        body += doc.value("api_key", doc.secret(), 2, BLOCK)
        body += "endpoints:\n  - name: web\n    url: https://web.example.com\n    upstream:\n      url: 8080\n"
        body += "    traffic_policy:\n      on_http_request:\n        - actions:\n"
        body += "            - type: basic-auth\n              config:\n                credentials:\n"
        body += doc.value("-", f"carol:{doc.secret()}", 18, BLOCK)
        body += "            - type: verify-webhook\n"
        if draw(st.booleans()):
            body += "              config: {provider: github, " + doc.flow("secret", doc.secret()) + "}\n"
        else:
            body += "              config:\n                provider: github\n" + doc.value("secret", doc.secret(), 16, BLOCK)
    else:
        body += doc.value("authtoken", doc.secret(), 0, BLOCK)
        body += doc.value("http_proxy", f"http://proxyuser:{doc.secret()}@proxy.example:3128", 0, ONE_LINE)
        body += "tunnels:\n  admin:\n    proto: http\n    addr: 8080\n"
        body += doc.value("auth", f"alice:{doc.secret()}", 4, BLOCK)
    return "".join(doc.anchors) + body, doc.secrets


def _hunks(diff: str) -> List[Tuple[str, str]]:
    """(`@@ … @@` header, the hunk's lines) of a unified diff within a report."""
    out: List[Tuple[str, str]] = []
    for line in diff.splitlines():
        if line.startswith("@@"):
            out.append((line, ""))
        elif out and line[:1] in (" ", "+", "-", "\\") and not line.startswith(("+++", "---")):
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
    return out


def _no_piece_of(secrets: List[str], where: str, *outputs: str) -> None:
    text = "\n".join(outputs)
    for secret in secrets:
        for piece in [secret] + [secret[i:i + 8] for i in range(len(secret) - 7)]:
            assert piece not in text, f"{where}: {piece!r} of {secret!r} shown\n{text[:3000]}"


OUTPUTS = [[], ["--format", "json"], ["--format", "sarif"], ["--format", "github"], ["--statistics"],
           ["--unsafe-fixes", "--diff"], ["--unsafe-fixes", "--diff", "--format", "sarif"]]


@settings(max_examples=_EXAMPLES, deadline=None, derandomize=bool(os.environ.get("CI")),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(configs())
def test_generated_secret_forms_never_reach_an_output(tmp_path_factory: pytest.TempPathFactory,
                                                       config: Tuple[str, List[str]]) -> None:
    import yaml

    text, written = config
    yaml.safe_load(text)  # the generator writes valid YAML: every secret is found from the parse
    folder = tmp_path_factory.mktemp("forms")
    path = folder / "ngrok.yml"
    path.write_text(text, encoding="utf-8")
    for args in OUTPUTS:
        result = run_cli(["--isolated", *args, str(path)])
        assert result.code in (0, 1), (args, result.err)
        _no_piece_of(written, f"{args}\n{text}", result.out, result.err)
        if "--diff" in args and "--format" not in args:
            for header, body in _hunks(result.out):
                if "…" in body:  # a masked secret: the hunk is no patch, and stderr says so
                    assert f"{header} shows secrets masked" in result.err, (text, result.out, result.err)
    # What the language server sends: diagnostics (message, fix title) and code-action edits.
    from ngrok_lint import edits, engine
    from ngrok_lint.config import Settings

    analysis = engine.analyze(str(path), text.encode(), Settings(), str(folder))
    shown: List[str] = []
    for item in engine.finish([analysis])[str(path)]:
        shown.append(item.message)
        if item.fix is not None:
            shown.append(item.fix.title)
            edit = edits.preview_edit(analysis, item)
            if isinstance(edit, edits.LineEdit):
                assert "…" not in edit.text
                shown.append(edit.text)
    _no_piece_of(written, f"LSP\n{text}", *shown)
