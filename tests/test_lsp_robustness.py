"""The language server with a client that makes mistakes, and its suppress action and hover
(pytest-lsp drives `python -m ngrok_lint --lsp` over stdio, as in tests/test_lsp.py)."""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any, List

import pytest

pytest.importorskip("pygls", reason="the language server needs the `lsp` extra (pygls)")
pytest.importorskip("pytest_lsp", reason="pytest-lsp drives the server over stdio")

from lsprotocol import types  # noqa: E402
from pygls.exceptions import JsonRpcException  # noqa: E402
from pytest_lsp import LanguageClient  # noqa: E402

from test_lsp import (  # noqa: E402,F401  (`client` is the fixture that starts the server)
    INSECURE,
    apply_edits,
    by_code,
    client,
    code_actions,
    edits_of,
    open_document,
    replace_all,
)

from ngrok_lint import docs, registry  # noqa: E402


def _no_error_popups(client: LanguageClient) -> None:
    shown = [m.message for m in client.messages if m.type in (types.MessageType.Error, types.MessageType.Warning)]
    assert not shown, shown


def _logged(client: LanguageClient, text: str) -> List[str]:
    return [m.message for m in client.log_messages if text in m.message]


async def raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """A request sent as the raw JSON a careless client writes (the typed API would refuse it)."""
    msg_id = str(uuid.uuid4())
    future: Future = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(future), 20)


def raw_notification(client: LanguageClient, method: str, params: Any) -> None:
    client.protocol._send_data({"jsonrpc": "2.0", "method": method, "params": params})


async def _hover(client: LanguageClient, uri: str, line: int, character: int):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line, character))
    )


# --- bad params ----------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "method,params",
    [
        ("textDocument/hover", {"textDocument": {"uri": "file:///x/ngrok.yml"}}),  # no position
        ("textDocument/codeAction", {"textDocument": 7, "range": None, "context": {}}),
    ],
    ids=["hover-without-position", "code-action-of-wrong-types"],
)
async def test_request_with_bad_params_gets_invalid_params_error(client: LanguageClient, tmp_path: Path,
                                                                method: str, params: dict) -> None:
    with pytest.raises(JsonRpcException) as raised:
        await raw_request(client, method, params)
    assert raised.value.code == -32602, raised.value
    assert method in raised.value.message
    _no_error_popups(client)
    assert _logged(client, f"ignored {method}: its params do not fit")
    # The server goes on working.
    assert await open_document(client, tmp_path / "ngrok.yml", INSECURE)


@pytest.mark.asyncio
async def test_notification_with_bad_params_is_dropped_with_a_log_line(client: LanguageClient, tmp_path: Path) -> None:
    raw_notification(client, "textDocument/didOpen", {"textDocument": {"uri": "file:///x/ngrok.yml"}})
    assert await open_document(client, tmp_path / "ngrok.yml", INSECURE)  # processed after the bad one
    _no_error_popups(client)
    assert _logged(client, "ignored textDocument/didOpen: its params do not fit")


# --- unopened documents --------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unopened_documents_are_ignored_and_never_read_from_disk(client: LanguageClient, tmp_path: Path) -> None:
    on_disk = tmp_path / "ngrok.yml"
    on_disk.write_text(INSECURE, encoding="utf-8")  # insecure on disk: a server that reads it would say so
    uri = on_disk.as_uri()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=INSECURE + "# edited\n")],
        )
    )
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    whole = types.Range(start=types.Position(0, 0), end=types.Position(10, 0))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri), range=whole,
                               context=types.CodeActionContext(diagnostics=[]))
    )
    assert not actions
    assert await _hover(client, uri, 1, 12) is None
    # A document that is open answers as usual (and shows what the file on disk would have given).
    other = tmp_path / "sub" / "ngrok.yml"
    diagnostics = await open_document(client, other, INSECURE)
    assert "NGL201" in {d.code for d in diagnostics}
    assert uri not in client.diagnostics, "diagnostics were published for a document that is not open"
    assert _logged(client, f"ignored a change to {uri}, which is not open")
    assert _logged(client, f"ignored {uri}: it is not open")  # the save
    _no_error_popups(client)


# --- suppress on this line -----------------------------------------------------------------------


def _suppress_action(actions: List[types.CodeAction], code: str) -> types.CodeAction:
    found = [a for a in actions if a.title.startswith(f"Suppress {code} ")]
    assert len(found) == 1, [a.title for a in actions]
    return found[0]


@pytest.mark.asyncio
async def test_suppress_action_writes_the_comment_at_the_end_of_the_line(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    diagnostics = await open_document(client, path, INSECURE)
    inspector = by_code(diagnostics, "NGL201")
    action = _suppress_action(await code_actions(client, uri, inspector), "NGL201")
    assert action.kind == "quickfix.ngrok-lint.suppress"  # a quick fix (a sub-kind), told apart from the fixes
    only_quickfix = await code_actions(client, uri, inspector, only=[types.CodeActionKind.QuickFix])
    assert action.title in {a.title for a in only_quickfix}
    assert action.title == "Suppress NGL201 (inspector-exposed) on this line"
    fixed = apply_edits(INSECURE, edits_of(action, uri))
    assert fixed == INSECURE.replace(
        "web_addr: 0.0.0.0:4040\n", "web_addr: 0.0.0.0:4040  # ngrok-lint: ignore[NGL201] <reason>\n"
    )
    after = await replace_all(client, path, fixed, 2)
    codes = {d.code for d in after}
    assert "NGL201" not in codes and "NGL008" not in codes
    assert codes == {d.code for d in diagnostics} - {"NGL201"}


async def _suppressed(client: LanguageClient, path: Path, text: str, code: str) -> str:
    """Open `text`, apply the suppress action of `code`'s finding, check the finding is gone; the new text."""
    uri = path.as_uri()
    diagnostics = await open_document(client, path, text)
    action = _suppress_action(await code_actions(client, uri, by_code(diagnostics, code)), code)
    fixed = apply_edits(text, edits_of(action, uri))
    assert code not in {d.code for d in await replace_all(client, path, fixed, 2)}
    return fixed


@pytest.mark.asyncio
async def test_suppress_action_goes_above_a_line_that_has_a_comment(client: LanguageClient, tmp_path: Path) -> None:
    text = INSECURE.replace("    schemes: [http, https]\n", "    schemes: [http, https]  # both, for now\n")
    assert await _suppressed(client, tmp_path / "ngrok.yml", text, "NGL101") == text.replace(
        "    schemes: [http, https]  # both, for now\n",
        "    # ngrok-lint: ignore[NGL101] <reason>\n    schemes: [http, https]  # both, for now\n",
    )


@pytest.mark.asyncio
async def test_suppress_action_extends_an_existing_ignore_comment(client: LanguageClient, tmp_path: Path) -> None:
    text = INSECURE.replace("    schemes: [http, https]\n", "    # ngrok-lint: ignore[NGL203] kept\n    schemes: [http, https]\n")
    fixed = await _suppressed(client, tmp_path / "ngrok.yml", text, "NGL101")
    assert fixed == text.replace("ignore[NGL203] kept", "ignore[NGL203, NGL101] kept")


@pytest.mark.asyncio
async def test_no_suppress_action_when_no_comment_keeps_the_data(client: LanguageClient, tmp_path: Path) -> None:
    """`http` sits on a line that ends inside one quoted scalar and starts inside another: a comment at
    its end or on a line above would be text of a scalar, so the action is not offered (the fix is)."""
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    text = (
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
        '    schemes: ["https\\\n      ", http, "https\\\n      "]\n'
    )
    diagnostics = await open_document(client, path, text)
    scheme = by_code(diagnostics, "NGL101")
    assert scheme.range.start.line == 6
    titles = [a.title for a in await code_actions(client, uri, scheme)]
    assert "Suppress NGL101 (http-scheme) on this line" not in titles and titles, titles


# --- hover ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hover_on_a_diagnostic_shows_the_rules_explanation(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "ngrok.yml"
    uri = path.as_uri()
    diagnostics = await open_document(client, path, INSECURE)
    inspector = by_code(diagnostics, "NGL201")
    result = await _hover(client, uri, inspector.range.start.line, inspector.range.start.character + 2)
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    meta = registry.lookup("NGL201")
    assert meta is not None
    assert result.contents.kind == types.MarkupKind.Markdown
    assert docs.explanation(meta) in result.contents.value
    assert docs.explanation(meta).startswith("The local inspector and agent API have no authentication.")
    assert f"({meta.url})" in result.contents.value
    assert result.range == inspector.range
    assert await _hover(client, uri, 0, 0) is None  # `version: "2"` has no finding
