"""The editor language server: `ngrok-lint --lsp` speaks LSP over stdio.

Diagnostics on open, change (full or incremental sync) and save, with the project configuration of
the document's folder; a quick fix for every fixable diagnostic and a `source.fixAll.ngrok-lint`
action that applies every safe fix. The client decides which documents to send (by file pattern);
the server lints whatever it is given.

This is the only module that imports pygls (the `lsp` extra), and only `--lsp` imports it.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple, Union
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.workspace import TextDocument, Workspace

from ngrok_lint import __version__, config, registry
from ngrok_lint.config import ConfigError, Overrides, Settings, settings_for
from ngrok_lint.edits import LineEdit, fix_edits, line_edit, secret_free
from ngrok_lint.engine import Analysis, analyze, collector_paused, finish
from ngrok_lint.model import Finding, Safety, Severity
from ngrok_lint.positions import LSP_BREAKS, Lines, split_lines, units
from ngrok_lint.reporters import fix_state

SOURCE = "ngrok-lint"
FIX_ALL_KIND = "source.fixAll.ngrok-lint"
FIX_ALL_TITLE = "ngrok-lint: fix all safe problems"
# A quick fix of its own sub-kind: clients asking for `quickfix` get it, and can tell it from a fix.
SUPPRESS_KIND = "quickfix.ngrok-lint.suppress"
CONFIG_GLOB = "**/{pyproject.toml,.ngrok-lint.toml,ngrok-lint.toml}"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
# Editors fade unnecessary code and strike through deprecated code.
_TAGS = {"NGL008": [types.DiagnosticTag.Unnecessary], "NGL401": [types.DiagnosticTag.Deprecated]}

log = logging.getLogger(__name__)


@dataclass
class Linted:
    """The last lint of one document version: what code actions work from."""

    version: Optional[int]
    text: str
    analysis: Optional[Analysis] = None
    findings: List[Finding] = field(default_factory=list)
    diagnostics: List[types.Diagnostic] = field(default_factory=list)
    # Code actions of this version, computed on the first request and kept: index into
    # `findings` -> its quick fix's edit (or why none), and the fix-all edit.
    edits: Optional[Dict[int, Any]] = None
    fix_all: Optional[Tuple[Optional[LineEdit]]] = None

    def quick_fixes(self) -> Dict[int, Any]:
        """Every finding's quick-fix edit, from one run of the fix engine for the whole document."""
        if self.edits is None:
            self.edits = fix_edits(self.analysis, self.findings, reasons=True) if self.analysis is not None else {}
        return self.edits


# --- what a client sends that does not fit -------------------------------------------------------


class Unreadable(NamedTuple):
    """A message whose params do not fit its method: a request gets an error response, a
    notification is dropped; either way one log line, never an error popup."""

    id: Optional[Union[int, str]]  # None for a notification
    method: str
    reason: str


def _invalid_params_reason(error: Exception) -> str:
    """What did not fit, in cattrs' words (`required field missing @ $.textDocument`)."""
    cause = error.__cause__
    if cause is not None:
        try:
            from cattrs import transform_error

            return "; ".join(transform_error(cause, path="params")) or str(cause)  # type: ignore[arg-type]
        except Exception:  # an older cattrs, or an error it cannot describe
            return str(cause)
    return str(error)


class Protocol(LanguageServerProtocol):
    """pygls's protocol, with the client's mistakes answered instead of shown as server errors."""

    def structure_message(self, data: Dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            method = data.get("method")
            if not isinstance(method, str) or "result" in data or "error" in data:
                raise
            return Unreadable(data.get("id"), method, _invalid_params_reason(error))

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Unreadable):
            note(self._server, f"ignored {message.method}: its params do not fit the protocol ({message.reason})")
            if message.id is not None:
                error = JsonRpcInvalidParams(f"invalid params for {message.method}: {message.reason}")
                self._send_response(message.id, None, error.to_response_error())
            return
        super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        # pygls would raise a KeyError (an error popup) for a document it never saw opened.
        if opened(self._server, params.text_document.uri) is None:
            note(self._server, f"ignored a change to {params.text_document.uri}, which is not open (didOpen comes first)")
            return
        yield from super().lsp_text_document__did_change(params)


def note(server: Any, message: str) -> None:
    """One line in the client's log (and ours): for what the client got wrong, not our errors."""
    log.info("%s", message)
    server.window_log_message(types.LogMessageParams(type=types.MessageType.Log, message=f"ngrok-lint: {message}"))


def opened(server: Any, uri: str) -> Optional[TextDocument]:
    """The document the client opened, or None: the server never reads an unopened URI from disk
    (pygls's `get_text_document` would)."""
    return server.workspace.text_documents.get(unquote(uri))


class NgrokLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental, protocol_cls=Protocol
        )
        self.linted: Dict[str, Linted] = {}
        self.config_mtimes: Dict[str, int] = {}


# --- positions -----------------------------------------------------------------------------------


class Positions:
    """Positions of the linted text as the client counts them.

    The linted text is the buffer without its BOM (if any). A finding's 1-based YAML line and
    column become an offset (YAML's line breaks), and the offset an LSP position: the protocol's
    lines end only at `\\r\\n`, `\\r` and `\\n`, and characters count in the negotiated encoding
    (:mod:`ngrok_lint.positions` owns both).
    """

    def __init__(self, server: LanguageServer, text: str) -> None:
        self.encoding = str(server.workspace.position_codec.encoding or "utf-16")
        self.bom = 1 if text.startswith("\ufeff") else 0
        self.yaml = Lines(text[self.bom:])
        self.lsp = Lines(text, LSP_BREAKS)

    def at_offset(self, offset: int) -> types.Position:
        """A 0-based offset into the linted text, clamped to it."""
        offset = max(0, min(offset, len(self.yaml.text))) + self.bom
        line, column = self.lsp.line_col(offset)
        start = self.lsp.start(line)
        return types.Position(line - 1, units(self.lsp.text[start:offset], self.encoding))

    def line_end(self, line: int) -> types.Position:
        """The end of a 0-based LSP line's content."""
        return self.at_offset(self.lsp.end(line + 1) - self.bom)

    def span(self, item: Finding) -> types.Range:
        span = item.span
        start = self.yaml.offset(span.line, span.column)
        end = max(start, self.yaml.offset(span.end_line, span.end_column))
        return types.Range(start=self.at_offset(start), end=self.at_offset(end))

    def edit(self, edit: LineEdit) -> types.TextEdit:
        """An edit of the BOM-less text as a text edit of the buffer."""
        # Offset 0 is just past a BOM, which stays in front of whatever the edit writes.
        span = types.Range(start=self.at_offset(edit.start), end=self.at_offset(edit.end))
        return types.TextEdit(range=span, new_text=edit.text)


class _Document(TextDocument):
    """pygls's document with the protocol's lines. pygls splits with `str.splitlines`, which also
    breaks at NEL, LS, PS, `\\v`, `\\f` and `\\x1c`-`\\x1e`: an incremental change the client
    placed after one of those would land on the wrong line."""

    @property
    def lines(self) -> Sequence[str]:
        return tuple(split_lines(self.source, LSP_BREAKS))


class _Workspace(Workspace):
    def _create_text_document(self, doc_uri: str, source: Optional[str] = None, version: Optional[int] = None,
                              language_id: Optional[str] = None) -> TextDocument:
        return _Document(doc_uri, source=source, version=version, language_id=language_id,
                         sync_kind=self._sync_kind, position_codec=self._position_codec)


def use_protocol_lines(workspace: Workspace) -> None:
    """Make the workspace's documents count lines as the protocol does (called on `initialize`)."""
    if type(workspace) is Workspace:
        workspace.__class__ = _Workspace


# --- linting -------------------------------------------------------------------------------------


def _fs_path(uri: str, path: Optional[str]) -> Optional[str]:
    """The file-system path of a `file:` document; None for unsaved buffers and other schemes."""
    if not uri.startswith("file:") or not path:
        return None
    return os.path.abspath(path)


def _settings(server: NgrokLintServer, path: Optional[str]) -> Settings:
    if path is None:
        return Settings()
    found = config.find_config(path)
    if found is not None:
        try:
            mtime = os.stat(found).st_mtime_ns
        except OSError:
            mtime = -1
        if server.config_mtimes.get(found) != mtime:
            # The config changed since it was read: drop the cached parse.
            config.load_config.cache_clear()
            server.config_mtimes[found] = mtime
    return settings_for(path, Overrides(), isolated=False, config_file=None)


def _forget_config_locations() -> None:
    """A config file may have been created or removed: look again next time."""
    cached = getattr(config, "_find_in", None)
    if cached is not None and hasattr(cached, "cache_clear"):
        cached.cache_clear()
    config.load_config.cache_clear()


def lint(server: NgrokLintServer, uri: str) -> Linted:
    document = opened(server, uri)
    if document is None:  # never opened (or closed): nothing to lint, and nothing read from disk
        return Linted(None, "")
    text = document.source
    path = _fs_path(uri, document.path)
    linted = Linted(document.version, text)
    positions = Positions(server, text)
    try:
        settings = _settings(server, path)
    except ConfigError as exc:
        linted.diagnostics = [
            types.Diagnostic(
                range=types.Range(start=types.Position(0, 0), end=positions.line_end(0)),
                message=f"ngrok-lint configuration error: {exc}",
                severity=types.DiagnosticSeverity.Error,
                source=SOURCE,
            )
        ]
        return linted
    display = path or (document.filename or "ngrok.yml")
    if path is not None and settings.exclude and settings.excluded(path):
        return linted
    analysis = analyze(display, text.encode("utf-8"), settings, os.path.dirname(path) if path else None)
    for message in analysis.internal_errors:
        server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))
    linted.analysis = analysis
    linted.findings = [f for f in finish([analysis])[display] if not f.suppressed]
    with collector_paused():  # thousands of small objects that live on: as the engine does
        linted.diagnostics = [diagnostic(item, positions) for item in linted.findings]
    return linted


def diagnostic(item: Finding, positions: Positions) -> types.Diagnostic:
    module = registry.by_code().get(item.code)
    meta = module.META if module is not None else None
    state = fix_state(item)
    data: Dict[str, Any] = {
        "code": item.code,
        "name": item.name,
        "start": item.span.start,
        "end": item.span.end,
        "line": item.span.line,
        "column": item.span.column,
        "fix": state,
        "fixTitle": item.fix.title if item.fix is not None and state else None,
    }
    return types.Diagnostic(
        range=positions.span(item),
        message=item.message,
        severity=_SEVERITIES.get(item.severity, types.DiagnosticSeverity.Warning),
        code=item.code,
        code_description=types.CodeDescription(href=meta.url) if meta is not None else None,
        source=SOURCE,
        tags=_TAGS.get(item.code),
        data=data,
    )


def refresh(server: NgrokLintServer, uri: str) -> None:
    if opened(server, uri) is None:
        note(server, f"ignored {uri}: it is not open")
        return
    try:
        linted = lint(server, uri)
    except Exception as exc:  # a bug must cost one lint, never the editor session
        log.exception("lint failed for %s", uri)
        server.window_log_message(
            types.LogMessageParams(
                type=types.MessageType.Error,
                message=f"ngrok-lint: internal error while linting {uri} ({type(exc).__name__}: {exc}); please report it",
            )
        )
        return
    server.linted[uri] = linted
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, version=linted.version, diagnostics=linted.diagnostics)
    )


def current(server: NgrokLintServer, uri: str) -> Linted:
    """The lint of the document as it is now (code actions may arrive before a re-lint)."""
    document = opened(server, uri)
    if document is None:
        return Linted(None, "")
    linted = server.linted.get(uri)
    if linted is None or linted.version != document.version or linted.text != document.source:
        linted = lint(server, uri)
        server.linted[uri] = linted
    return linted


# --- code actions --------------------------------------------------------------------------------


def _kind_wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    if not only:
        return True
    return any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def _overlaps(a: types.Range, b: types.Range) -> bool:
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def _workspace_edit(server: LanguageServer, uri: str, version: Optional[int], edit: types.TextEdit) -> types.WorkspaceEdit:
    capabilities = server.client_capabilities
    workspace = capabilities.workspace if capabilities else None
    edit_caps = workspace.workspace_edit if workspace else None
    if edit_caps is not None and edit_caps.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ]
        )
    return types.WorkspaceEdit(changes={uri: [edit]})


def _wanted_findings(linted: Linted, params: types.CodeActionParams) -> List[Tuple[int, Finding, types.Diagnostic]]:
    keys = set()
    for diag in params.context.diagnostics or []:
        if diag.source == SOURCE and isinstance(diag.data, dict):
            keys.add((diag.data.get("code"), diag.data.get("start"), diag.data.get("end"), diag.data.get("line"),
                      diag.data.get("column")))
    chosen = []
    for index, (item, diag) in enumerate(zip(linted.findings, linted.diagnostics)):
        key = (item.code, item.span.start, item.span.end, item.span.line, item.span.column)
        if key in keys or _overlaps(diag.range, params.range):
            chosen.append((index, item, diag))
    return chosen


def code_actions(server: NgrokLintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    uri = params.text_document.uri
    linted = current(server, uri)
    analysis = linted.analysis
    if analysis is None or analysis.source is None:
        return []
    positions = Positions(server, linted.text)
    only = params.context.only
    actions: List[types.CodeAction] = []
    if _kind_wanted(types.CodeActionKind.QuickFix, only):
        for index, item, diag in _wanted_findings(linted, params):
            state = fix_state(item)
            if state is None or item.fix is None:
                continue
            edit = linted.quick_fixes().get(index, "no fix")
            if not isinstance(edit, LineEdit):
                log.info("no quick fix for %s: %s", item.code, edit)
                continue
            unsafe = item.fix.safety == Safety.UNSAFE
            actions.append(
                types.CodeAction(
                    title=item.fix.title + (" (unsafe)" if unsafe else ""),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=not unsafe,
                    edit=_workspace_edit(server, uri, linted.version, positions.edit(edit)),
                )
            )
    if _kind_wanted(FIX_ALL_KIND, only) and any(fix_state(f) == "safe" for f in linted.findings):
        if linted.fix_all is None and _resolves_edits(server):
            # The whole file fixed costs a run of the fix engine: an editor that resolves code
            # actions gets the action now and its edit only when the user picks it (ruff's way).
            actions.append(types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND,
                                            data={"uri": uri, "version": linted.version}))
            return actions
        if linted.fix_all is None:
            linted.fix_all = (_fix_all_edit(analysis),)
        fix_all = linted.fix_all[0]
        if fix_all is not None:
            actions.append(
                types.CodeAction(
                    title=FIX_ALL_TITLE,
                    kind=FIX_ALL_KIND,
                    edit=_workspace_edit(server, uri, linted.version, positions.edit(fix_all)),
                )
            )
    return actions


def _resolves_edits(server: NgrokLintServer) -> bool:
    """Does the client ask for a code action's edit with `codeAction/resolve`?"""
    capabilities = getattr(server, "client_capabilities", None)
    document = getattr(capabilities, "text_document", None)
    action = getattr(document, "code_action", None)
    support = getattr(action, "resolve_support", None)
    return support is not None and "edit" in (support.properties or [])


def resolve_code_action(server: NgrokLintServer, action: types.CodeAction) -> types.CodeAction:
    """The fix-all action's edit, for the document as it is now (a later version than the one
    the action was offered for gets the edit of its own text, which is what the editor holds)."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    if action.kind != FIX_ALL_KIND or not isinstance(uri, str) or opened(server, uri) is None:
        return action
    linted = current(server, uri)
    if linted.analysis is None or linted.analysis.source is None:
        return action
    if linted.fix_all is None:
        linted.fix_all = (_fix_all_edit(linted.analysis),)
    fix_all = linted.fix_all[0]
    if fix_all is not None:
        action.edit = _workspace_edit(server, uri, linted.version, Positions(server, linted.text).edit(fix_all))
    return action


def _fix_all_edit(analysis: Analysis) -> Optional[LineEdit]:
    from ngrok_lint import fixer
    from ngrok_lint.source import Source, decode

    assert analysis.source is not None
    try:
        outcome = fixer.fix_analysis(analysis, unsafe=False)
    except Exception:  # a fixer bug must not break the editor's code-action menu
        log.exception("fix-all failed for %s", analysis.path)
        return None
    if outcome.new_bytes is None:
        return None
    decoded = decode(analysis.path, outcome.new_bytes)
    if not isinstance(decoded, Source):
        return None
    edit = line_edit(analysis.source.text, decoded.text)
    return secret_free(analysis, edit) if edit is not None else None


# --- suppress on this line ----------------------------------------------------------------------

SUPPRESS_REASON = "<reason>"  # for the user to replace: why the finding is acceptable here
_IGNORE_CODES = re.compile(r"(#\s*ngrok-lint:\s*ignore\[)([^\]]*)(\])")


def suppress_actions(server: NgrokLintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
    """A "suppress NGLxxx on this line" quick fix per finding in range: it writes (or extends) a
    `# ngrok-lint: ignore[NGLxxx] <reason>` comment, and is offered only when a re-lint of the
    edited text shows the finding suppressed and the file's data unchanged."""
    if not _kind_wanted(SUPPRESS_KIND, params.context.only):
        return []
    uri = params.text_document.uri
    linted = current(server, uri)
    analysis = linted.analysis
    if analysis is None or analysis.source is None or not analysis.settings.suppressions:
        return []
    positions = Positions(server, linted.text)
    actions: List[types.CodeAction] = []
    done = set()
    for _, item, diag in _wanted_findings(linted, params):
        if item.code == "NGL008" or (item.code, item.span.line) in done:
            continue  # NGL008 is about a suppression comment itself: its fix removes it
        done.add((item.code, item.span.line))
        edit = suppression_edit(analysis, item)
        if edit is None:
            log.info("no suppression comment for %s on line %d keeps the file's data", item.code, item.span.line)
            continue
        actions.append(
            types.CodeAction(
                title=f"Suppress {item.code} ({item.name}) on this line",
                kind=SUPPRESS_KIND,
                diagnostics=[diag],
                edit=_workspace_edit(server, uri, linted.version, positions.edit(edit)),
            )
        )
    return actions


def suppression_edit(analysis: Analysis, item: Finding) -> Optional[LineEdit]:
    """The first candidate comment that a re-lint proves right, as a line edit of the text."""
    assert analysis.source is not None
    text = analysis.source.text
    lines = split_lines(text)
    index = item.span.line - 1
    if not 0 <= index < len(lines):
        return None
    line = lines[index]
    content = line.rstrip("\r\n\x85\u2028\u2029")
    ending = line[len(content):] or next((l[len(l.rstrip("\r\n")):] for l in lines if l.rstrip("\r\n") != l), "\n")
    comment = f"# ngrok-lint: ignore[{item.code}] {SUPPRESS_REASON}"
    candidates: List[Tuple[List[str], int]] = []  # (new lines, how far the finding's line moves)
    above = lines[index - 1] if index > 0 else ""
    for number, existing in ((index, line), (index - 1, above)):
        # An ignore comment already aimed at the line: add the code to its list.
        match = _IGNORE_CODES.search(existing)
        if match is not None and number >= 0 and (number == index or existing.lstrip().startswith("#")):
            codes = match.group(2).strip()
            merged = existing[: match.start(2)] + (f"{codes}, {item.code}" if codes else item.code) + existing[match.end(2):]
            candidates.append((lines[:number] + [merged] + lines[number + 1:], 0))
    indent = content[: len(content) - len(content.lstrip(" "))]
    at_end = (lines[:index] + [f"{content}  {comment}{ending}"] + lines[index + 1:], 0)
    on_top = (lines[:index] + [f"{indent}{comment}{ending}"] + lines[index:], 1)
    candidates += [on_top, at_end] if "#" in content else [at_end, on_top]
    for new_lines, shift in candidates:
        new_text = "".join(new_lines)
        if _suppresses(analysis, item, new_text, shift):
            return line_edit(text, new_text)
    return None


def _suppresses(analysis: Analysis, item: Finding, new_text: str, shift: int) -> bool:
    """Does the edited text keep the file's data, and suppress this finding where it moved?"""
    base_dir = os.path.dirname(analysis.path) if os.path.isabs(analysis.path) else None
    try:
        after = analyze(analysis.path, new_text.encode("utf-8"), analysis.settings, base_dir)
        if (analysis.doc is None) != (after.doc is None):
            return False
        if analysis.doc is not None and after.doc is not None and analysis.doc.data != after.doc.data:
            return False
        findings = finish([after])[after.path]
    except Exception:  # a candidate that breaks the linter is not offered
        log.exception("checking a suppression comment failed for %s", analysis.path)
        return False
    return any(
        f.code == item.code and f.span.line == item.span.line + shift and f.span.column == item.span.column and f.suppressed
        for f in findings
    )


# --- hover ---------------------------------------------------------------------------------------


def _contains(where: types.Range, position: types.Position) -> bool:
    return (where.start.line, where.start.character) <= (position.line, position.character) <= (
        where.end.line,
        where.end.character,
    )


def hover(server: NgrokLintServer, params: types.HoverParams) -> Optional[types.Hover]:
    """On a diagnostic: each rule's one-paragraph explanation and a link to its docs."""
    linted = current(server, params.text_document.uri)
    hits = [(item, diag) for item, diag in zip(linted.findings, linted.diagnostics) if _contains(diag.range, params.position)]
    if not hits:
        return None
    from ngrok_lint import docs

    capabilities = server.client_capabilities.text_document
    formats = capabilities.hover.content_format if capabilities and capabilities.hover else None
    markdown = not formats or types.MarkupKind.Markdown in formats
    parts: List[str] = []
    for code in dict.fromkeys(item.code for item, _ in hits):
        meta = registry.lookup(code)
        if meta is None:
            continue
        explanation = docs.explanation(meta)
        if markdown:
            parts.append(f"**{meta.code} {meta.name}** ({meta.severity.label})\n\n{explanation}\n\n[{meta.code} docs]({meta.url})")
        else:
            parts.append(f"{meta.code} {meta.name} ({meta.severity.label})\n\n{explanation}\n\n{meta.url}")
    if not parts:
        return None
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText,
            value="\n\n---\n\n".join(parts),
        ),
        range=hits[0][1].range,
    )


# --- the server ----------------------------------------------------------------------------------


def build_server() -> NgrokLintServer:
    server = NgrokLintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: NgrokLintServer, params: types.InitializeParams) -> None:
        use_protocol_lines(ls.workspace)

    @server.feature(types.INITIALIZED)
    def initialized(ls: NgrokLintServer, params: types.InitializedParams) -> None:
        capabilities = ls.client_capabilities
        watched = capabilities.workspace.did_change_watched_files if capabilities.workspace else None
        if watched is not None and watched.dynamic_registration:
            # Re-lint open documents when a project config changes on disk.
            ls.client_register_capability(
                types.RegistrationParams(
                    registrations=[
                        types.Registration(
                            id="ngrok-lint-config",
                            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            register_options=types.DidChangeWatchedFilesRegistrationOptions(
                                watchers=[types.FileSystemWatcher(glob_pattern=CONFIG_GLOB)]
                            ),
                        )
                    ]
                )
            )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NgrokLintServer, params: types.DidOpenTextDocumentParams) -> None:
        _forget_config_locations()
        refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NgrokLintServer, params: types.DidChangeTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: NgrokLintServer, params: types.DidSaveTextDocumentParams) -> None:
        _forget_config_locations()
        refresh(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NgrokLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.linted.pop(params.text_document.uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: NgrokLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        _forget_config_locations()
        for uri in list(ls.linted):
            refresh(ls, uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, SUPPRESS_KIND, FIX_ALL_KIND],
                                resolve_provider=True),
    )
    def code_action(ls: NgrokLintServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        if opened(ls, params.text_document.uri) is None:
            note(ls, f"no code actions for {params.text_document.uri}: it is not open")
            return []
        actions: List[types.CodeAction] = []
        for make in (code_actions, suppress_actions):
            try:
                actions += make(ls, params)
            except Exception:  # an empty menu beats an error popup
                log.exception("code actions failed for %s", params.text_document.uri)
        return actions

    @server.feature(types.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: NgrokLintServer, action: types.CodeAction) -> types.CodeAction:
        try:
            return resolve_code_action(ls, action)
        except Exception:  # the action without its edit beats an error popup
            log.exception("resolving a code action failed")
            return action

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: NgrokLintServer, params: types.HoverParams) -> Optional[types.Hover]:
        if opened(ls, params.text_document.uri) is None:
            note(ls, f"no hover for {params.text_document.uri}: it is not open")
            return None
        try:
            return hover(ls, params)
        except Exception:  # no hover beats an error popup
            log.exception("hover failed for %s", params.text_document.uri)
            return None

    return server


def serve() -> None:
    """Run the language server on stdin/stdout until the client shuts it down."""
    logging.basicConfig(level=logging.WARNING, format="ngrok-lint lsp: %(levelname)s: %(message)s")
    build_server().start_io()
