"""The language server, driven by a real LSP client over stdio (pytest-lsp starts
`python -m ngrok_lint --lsp` as a subprocess and talks JSON-RPC to it)."""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence

import pytest

pytest.importorskip("pygls", reason="the language server needs the `lsp` extra (pygls)")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp drives the server over stdio")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from conftest import ROOT  # noqa: E402

from ngrok_lint.home import RULES_DOCS as DOCS  # noqa: E402

FIX_ALL = "source.fixAll.ngrok-lint"

INSECURE = """\
version: "2"
web_addr: 0.0.0.0:4040
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [http, https]
"""


def _fixer_available() -> bool:
    try:
        importlib.import_module("ngrok_lint.fixer")
    except ImportError:
        return False
    return True


needs_fixer = pytest.mark.skipif(not _fixer_available(), reason="ngrok_lint.fixer is not written yet")

_ENV = dict(os.environ)
_ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "ngrok_lint", "--lsp"], server_env=_ENV),
)
async def client(lsp_client: LanguageClient):
    registrations: List[types.Registration] = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(ls: LanguageClient, params: types.RegistrationParams) -> None:
        # What an editor does: note the watchers (the server asks for config-file changes).
        registrations.extend(params.registrations)

    lsp_client.registrations = registrations  # type: ignore[attr-defined]

    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


# --- helpers -------------------------------------------------------------------------------------


async def wait_diagnostics(client: LanguageClient, uri: str, version: Optional[int] = None,
                           timeout: float = 20.0) -> List[types.Diagnostic]:
    """The next diagnostics published for `uri` (and `version`, when given)."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no diagnostics for {uri} (version {version})"
        params = await asyncio.wait_for(client.wait_for_notification("textDocument/publishDiagnostics"), remaining)
        if params.uri == uri and (version is None or params.version == version):
            return list(params.diagnostics)


async def open_document(client: LanguageClient, path: Path, text: str) -> List[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    return await wait_diagnostics(client, uri, 1)


async def replace_all(client: LanguageClient, path: Path, text: str, version: int) -> List[types.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    return await wait_diagnostics(client, uri, version)


def offset_of(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position (what the VS Code capabilities negotiate) as a string offset."""
    lines = text.splitlines(keepends=True)
    if position.line >= len(lines):
        return len(text)
    line = lines[position.line]
    units = 0
    index = 0
    while index < len(line) and units < position.character:
        units += 2 if ord(line[index]) > 0xFFFF else 1
        index += 1
    return sum(len(x) for x in lines[: position.line]) + index


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset_of(text, edit.range.start), offset_of(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_of(action: types.CodeAction, uri: str) -> List[types.TextEdit]:
    assert action.edit is not None
    if action.edit.document_changes:
        return [e for change in action.edit.document_changes if change.text_document.uri == uri for e in change.edits]
    return list((action.edit.changes or {}).get(uri, []))


def by_code(diagnostics: Sequence[types.Diagnostic], code: str) -> types.Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert found, f"no {code} in {[d.code for d in diagnostics]}"
    return found[0]


def _require(*codes: str) -> None:
    from ngrok_lint import registry

    missing = [c for c in codes if registry.lookup(c) is None]
    if missing:
        pytest.skip(f"rules {', '.join(missing)} are not written yet")


async def code_actions(client: LanguageClient, uri: str, diagnostic: Optional[types.Diagnostic],
                       only: Optional[List[str]] = None) -> List[types.CodeAction]:
    where = diagnostic.range if diagnostic else types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[diagnostic] if diagnostic else [], only=only),
        )
    )
    return [a for a in (result or []) if isinstance(a, types.CodeAction)]


# --- tests ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_diagnostics_on_open_have_codes_ranges_and_links(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL101", "NGL201")
    diagnostics = await open_document(client, tmp_path / "ngrok.yml", INSECURE)
    inspector = by_code(diagnostics, "NGL201")
    assert inspector.range == types.Range(start=types.Position(1, 10), end=types.Position(1, 22))
    assert inspector.severity == types.DiagnosticSeverity.Error
    assert inspector.source == "ngrok-lint"
    assert inspector.code_description is not None
    assert inspector.code_description.href == f"{DOCS}#ngl201-inspector-exposed"
    assert inspector.data["fix"] == "unsafe"
    scheme = by_code(diagnostics, "NGL101")
    assert scheme.range.start == types.Position(6, 14)
    assert scheme.data["fix"] == "safe"


@pytest.mark.asyncio
async def test_incremental_and_full_changes_update_the_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    diagnostics = await open_document(client, path, INSECURE)
    assert "NGL201" in {d.code for d in diagnostics}
    # Incremental: replace `0.0.0.0` with `127.0.0.1` on line 2.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(1, 10), end=types.Position(1, 17)), text="127.0.0.1"
                )
            ],
        )
    )
    diagnostics = await wait_diagnostics(client, uri, 2)
    assert "NGL201" not in {d.code for d in diagnostics}
    # Full: back to the insecure text.
    diagnostics = await replace_all(client, path, INSECURE, 3)
    assert "NGL201" in {d.code for d in diagnostics}


@pytest.mark.asyncio
async def test_save_relints_and_close_clears(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    await open_document(client, path, INSECURE)
    # Another config appears beside the file; a save picks it up.
    (tmp_path / ".ngrok-lint.toml").write_text('ignore = ["NGL201"]\n', encoding="utf-8")
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    diagnostics = await wait_diagnostics(client, uri)
    assert "NGL201" not in {d.code for d in diagnostics}
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await wait_diagnostics(client, uri) == []


@pytest.mark.asyncio
async def test_config_changes_on_disk_relint_open_documents(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    assert "NGL201" in {d.code for d in await open_document(client, path, INSECURE)}
    watchers = [
        w
        for r in client.registrations  # type: ignore[attr-defined]
        if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in r.register_options["watchers"]
    ]
    assert any("pyproject.toml" in w["globPattern"] and ".ngrok-lint.toml" in w["globPattern"] for w in watchers)
    config = tmp_path / "ngrok-lint.toml"
    config.write_text('ignore = ["NGL201"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=config.as_uri(), type=types.FileChangeType.Created)])
    )
    assert "NGL201" not in {d.code for d in await wait_diagnostics(client, uri)}


@pytest.mark.asyncio
async def test_project_config_of_the_documents_folder_applies(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL101", "NGL201")
    project = tmp_path / "project"
    (project / "deploy").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.ngrok-lint]\nignore = ["inspector-exposed"]\n', encoding="utf-8")
    diagnostics = await open_document(client, project / "deploy" / "ngrok.yml", INSECURE)
    codes = {d.code for d in diagnostics}
    assert "NGL201" not in codes and "NGL101" in codes
    other = await open_document(client, tmp_path / "ngrok.yml", INSECURE)
    assert "NGL201" in {d.code for d in other}


@pytest.mark.asyncio
async def test_config_error_is_one_diagnostic_at_the_top(client: LanguageClient, tmp_path: Path) -> None:
    config = tmp_path / ".ngrok-lint.toml"
    config.write_text('selec = ["NGL101"]\n', encoding="utf-8")
    diagnostics = await open_document(client, tmp_path / "ngrok.yml", INSECURE)
    assert len(diagnostics) == 1
    (problem,) = diagnostics
    assert problem.range.start == types.Position(0, 0)
    assert str(config) in problem.message and "selec" in problem.message
    assert problem.severity == types.DiagnosticSeverity.Error
    # Fixing the config on disk and saving the document brings the findings back.
    config.write_text('select = ["NGL1", "NGL2"]\n', encoding="utf-8")
    uri = (tmp_path / "ngrok.yml").as_uri()
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    diagnostics = await wait_diagnostics(client, uri)
    assert diagnostics and all(d.code and d.code.startswith(("NGL1", "NGL2")) for d in diagnostics)


@pytest.mark.asyncio
async def test_broken_yaml_gives_ngl001_and_the_server_keeps_running(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "ngrok.yml"
    diagnostics = await open_document(client, path, 'version: "2"\ntunnels:\n  web:\n    addr: "8080\n')
    assert [d.code for d in diagnostics] == ["NGL001"]
    assert diagnostics[0].severity == types.DiagnosticSeverity.Error
    for version, text in enumerate(["\x00\x01binary", "\t- [", "a: b: c", ""], start=2):
        await replace_all(client, path, text, version)
    diagnostics = await replace_all(client, path, 'version: "2"\nlog_level: info\n', 10)
    assert "NGL001" not in {d.code for d in diagnostics}


@pytest.mark.asyncio
async def test_positions_are_utf16_after_non_ascii(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL101")
    text = 'version: "2"\ntunnels:\n  "😀": {proto: http, addr: 80, schemes: [http]}\n'
    diagnostics = await open_document(client, tmp_path / "ngrok.yml", text)
    scheme = by_code(diagnostics, "NGL101")
    line = text.splitlines()[2]
    points = line.index("[http]") + 1
    assert scheme.range.start == types.Position(2, points + 1), "the emoji is two UTF-16 units"


@needs_fixer
@pytest.mark.asyncio
async def test_quick_fix_applied_by_the_client_clears_the_diagnostic(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL101", "NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    diagnostics = await open_document(client, path, INSECURE)
    scheme = by_code(diagnostics, "NGL101")
    actions = await code_actions(client, uri, scheme)
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert len(quick) == 1, [a.title for a in actions]
    (action,) = quick
    assert action.title == scheme.data["fixTitle"]
    assert action.is_preferred
    assert action.diagnostics and action.diagnostics[0].code == "NGL101"
    edits = edits_of(action, uri)
    schemes_line = next(i for i, line in enumerate(INSECURE.splitlines()) if "schemes:" in line)
    # The exact edit: characters of the schemes line, nothing else.
    assert all(e.range.start.line == e.range.end.line == schemes_line for e in edits), edits
    fixed = apply_edits(INSECURE, edits)
    assert "schemes: [https]" in fixed
    diagnostics = await replace_all(client, path, fixed, 2)
    codes = {d.code for d in diagnostics}
    assert "NGL101" not in codes and "NGL201" in codes

    # The unsafe fix says so in its title.
    inspector = by_code(diagnostics, "NGL201")
    (unsafe,) = [a for a in await code_actions(client, uri, inspector) if a.kind == types.CodeActionKind.QuickFix]
    assert unsafe.title.endswith("(unsafe)")
    assert not unsafe.is_preferred
    again = apply_edits(fixed, edits_of(unsafe, uri))
    diagnostics = await replace_all(client, path, again, 3)
    assert "NGL201" not in {d.code for d in diagnostics}


@needs_fixer
@pytest.mark.asyncio
async def test_fix_all_applies_every_safe_fix(client: LanguageClient, tmp_path: Path) -> None:
    _require("NGL101", "NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    text = INSECURE + "# ngrok-lint: ignore[NGL999]\nlog_level: info\n"
    diagnostics = await open_document(client, path, text)
    assert {"NGL101", "NGL008", "NGL201"} <= {d.code for d in diagnostics}
    for only in ([FIX_ALL], ["source.fixAll"], ["source"]):
        actions = await code_actions(client, uri, None, only=only)
        assert [a.kind for a in actions] == [FIX_ALL], only
    quick_only = await code_actions(client, uri, None, only=[types.CodeActionKind.QuickFix])
    assert all(a.kind == types.CodeActionKind.QuickFix for a in quick_only)
    (fix_all,) = await code_actions(client, uri, None, only=[FIX_ALL])
    # The client resolves code actions (VS Code's capabilities): the edit comes with resolve.
    assert fix_all.edit is None and fix_all.data is not None
    fix_all = await client.code_action_resolve_async(fix_all)
    fixed = apply_edits(text, edits_of(fix_all, uri))
    diagnostics = await replace_all(client, path, fixed, 2)
    codes = {d.code for d in diagnostics}
    assert "NGL101" not in codes and "NGL008" not in codes
    assert "NGL201" in codes, "fix-all applies safe fixes only"
    assert await code_actions(client, uri, None, only=[FIX_ALL]) == []


def _two_hundred_lines() -> str:
    lines = ['version: "2"', "authtoken: ${NGROK_AUTHTOKEN}", "web_addr: 0.0.0.0:4040", "tunnels:"]
    index = 0
    while len(lines) < 198:
        lines += [
            f"  app{index}:",
            "    proto: http",
            f"    addr: {8000 + index}",
            "    schemes: [http, https]" if index % 3 == 0 else "    schemes: [https]",
            f"    domain: app{index}.example.com",
            "    inspect: false",
        ]
        index += 1
    return "\n".join(lines[:200]) + "\n"


@pytest.mark.asyncio
async def test_a_burst_of_changes_ends_with_the_diagnostics_of_the_last_text(client: LanguageClient,
                                                                             tmp_path: Path) -> None:
    """Typing sends changes faster than a lint may take: whatever the server skips or publishes on
    the way, the diagnostics of the last version are those of the last text, never an older one.
    (How fast this is, is `bench/run.py`'s to measure: 200 lines, target under 10 ms.)"""
    from ngrok_lint.engine import lint_text

    _require("NGL101", "NGL201")
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    text = _two_hundred_lines()
    assert text.count("\n") == 200
    await open_document(client, path, text)
    last = 41
    for version in range(2, last + 1):
        edited = text.replace("addr: 8000", f"addr: {8000 + version}", 1)
        if version == last:  # only the last text binds the inspector to loopback
            edited = edited.replace("web_addr: 0.0.0.0:4040", "web_addr: 127.0.0.1:4040")
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
    diagnostics = await wait_diagnostics(client, uri, last)
    expected = sorted((f.code, f.span.line - 1) for f in lint_text(edited, str(path)) if not f.suppressed)
    assert sorted((str(d.code), d.range.start.line) for d in diagnostics) == expected
    assert "NGL201" not in {d.code for d in diagnostics} and "NGL101" in {d.code for d in diagnostics}


def test_pygls_is_imported_only_by_the_server() -> None:
    import subprocess

    code = (
        "import sys; from ngrok_lint.cli import main; "
        "main(['--version']); "
        "assert 'pygls' not in sys.modules and 'lsprotocol' not in sys.modules, 'pygls imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_client_that_cannot_resolve_code_actions_gets_the_fix_all_edit_at_once(tmp_path: Path) -> None:
    """No `resolveSupport` for `edit` (older clients): the edit is computed with the action."""
    from pygls.workspace import Workspace

    from ngrok_lint import lsp

    server = lsp.build_server()
    server.protocol._workspace = Workspace(None)  # what `initialize` would set up
    server.protocol.client_capabilities = types.ClientCapabilities()
    path = tmp_path / "ngrok.yml"
    text = INSECURE
    uri = path.as_uri()
    server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    server.linted[uri] = lsp.lint(server, uri)
    actions = lsp.code_actions(server, types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        context=types.CodeActionContext(diagnostics=[], only=[FIX_ALL])))
    assert [a.kind for a in actions] == [FIX_ALL]
    fixed = apply_edits(text, edits_of(actions[0], uri))
    assert fixed != text and "schemes: [https]" in fixed and "http, https" not in fixed
    assert lsp.resolve_code_action(server, actions[0]) is actions[0]  # nothing left to resolve
