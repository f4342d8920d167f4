"""Attacks on positions and suppressions: every line break YAML knows, in comments and in values,
and suppression text in every scalar style.

- A finding after a line break of any kind is reported at YAML's line in text, JSON and SARIF, and
  at the protocol's line (`\\r\\n`, `\\r`, `\\n` only) and UTF-16 column in the language server.
- A fix on such a file changes the key it is about and nothing else, or is not applied.
- `# ngrok-lint: ...` written inside a value (plain, single- and double-quoted, literal, folded,
  over several lines) suppresses nothing and is never removed by NGL008's fix.
- A malformed suppression suppresses nothing and is reported (NGL008) where it stands.
- NGL008's fix removes exactly the comment (and its line when the comment stands alone).

Generated cases run under hypothesis (`NGROK_LINT_HYPOTHESIS_EXAMPLES` raises the counts).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, List, Tuple

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from conftest import run_cli

from ngrok_lint import engine, fixer
from ngrok_lint.config import Settings
from ngrok_lint.model import Finding

_OVERRIDE = int(os.environ.get("NGROK_LINT_HYPOTHESIS_EXAMPLES", "0") or 0)
_DERANDOMIZE = bool(os.environ.get("CI")) and not os.environ.get("NGROK_LINT_HYPOTHESIS_RANDOM")


def _settings(count: int) -> Any:
    return settings(
        max_examples=_OVERRIDE or count,
        deadline=None,
        derandomize=_DERANDOMIZE,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


# Every break YAML knows, and characters that str.splitlines (but not YAML) breaks at, which YAML
# refuses in a file (NGL001) but which may still stand in a comment of a file that fails to parse.
LINE_BREAKS = ["\r\n", "\r", "\n", "\x85", "\u2028", "\u2029"]  # what PyYAML counts (test_positions.py)
NOT_BREAKS = ["\v", "\f", "\x1c", "\x1d", "\x1e", "\xa0", "\u3000"]


def _lint(text: str) -> List[Finding]:
    return engine.lint_text(text, settings=Settings())


def _one(findings: List[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, findings
    return found[0]


def _expected(text: str, needle: str) -> Tuple[int, int]:
    """1-based YAML line and code-point column of `needle`, counted here without the module."""
    before = text[: text.index(needle)]
    for brk in LINE_BREAKS[1:]:
        before = before.replace("\r\n", "\n").replace(brk, "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _lsp_expected(text: str, needle: str) -> Tuple[int, int]:
    """0-based LSP line and UTF-16 character of `needle`, counted here without the module."""
    offset = text.index(needle)
    line, start, index = 0, 0, 0
    while index < offset:
        if text[index] == "\r" or text[index] == "\n":
            step = 2 if text[index: index + 2] == "\r\n" else 1
            if index + step > offset:
                break
            index += step
            line, start = line + 1, index
        else:
            index += 1
    return line, len(text[start:offset].encode("utf-16-le")) // 2


def _lsp_range(text: str, item: Finding) -> Any:
    pytest.importorskip("pygls")
    from ngrok_lint import lsp

    from lsprotocol import types
    from pygls.workspace.position_codec import PositionCodec

    codec = PositionCodec(encoding=types.PositionEncodingKind.Utf16)
    server = SimpleNamespace(workspace=SimpleNamespace(position_codec=codec))
    return lsp.Positions(server, text).span(item)  # type: ignore[arg-type]


# --- positions in every output ---------------------------------------------------------------------


def _file_with(brk: str) -> str:
    """A v2 file whose comment, single-quoted, double-quoted and block values hold `brk`, then an
    exposed inspector (NGL201) and an authtoken variable (NGL006, a removal fix) after them."""
    return (
        'version: "2"\n'
        f"# a comment é{brk}"
        f"region: eu  # 😀 trailing{brk}"
        f"log_format: 'json{brk}  '\n"
        f'log_level: "info{brk}  "\n'
        f"log: |\n  out{brk}  file\n"
        "authtoken: ${NGROK_AUTHTOKEN}\n"
        "web_addr: 0.0.0.0:4040\n"
    )


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[-1]):04X}" if len(b) == 1 else "CRLF" for b in LINE_BREAKS])
def test_positions_in_text_json_sarif_and_lsp_count_every_yaml_break(brk: str, tmp_path: Path) -> None:
    text = _file_with(brk)
    path = tmp_path / "ngrok.yml"
    path.write_bytes(text.encode("utf-8"))
    item = _one(_lint(text), "NGL201")
    line, column = _expected(text, "0.0.0.0:4040")
    assert (item.span.line, item.span.column) == (line, column)
    assert text.index("0.0.0.0:4040") == item.span.start

    position = _lsp_range(text, item).start
    assert (position.line, position.character) == _lsp_expected(text, "0.0.0.0:4040")
    out = run_cli(["--isolated", "--format", "text", str(path)])
    assert f"ngrok.yml:{line}:{column}: NGL201" in out.out, out.out
    out = run_cli(["--isolated", "--format", "json", str(path)])
    found = [f for f in json.loads(out.out)["findings"] if f["code"] == "NGL201"]
    assert [(f["line"], f["column"]) for f in found] == [(line, column)]
    out = run_cli(["--isolated", "--format", "sarif", str(path)])
    run = json.loads(out.out)["runs"][0]
    assert run["newlineSequences"] == LINE_BREAKS and run["columnKind"] == "unicodeCodePoints"
    region = next(r for r in run["results"] if r["ruleId"] == "NGL201")["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (line, column)



@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[-1]):04X}" if len(b) == 1 else "CRLF" for b in LINE_BREAKS])
def test_a_removal_fix_removes_its_key_or_nothing(brk: str) -> None:
    text = _file_with(brk)
    before = yaml.safe_load(text)
    analysis = engine.analyze("ngrok.yml", text.encode("utf-8"), Settings(), None)
    outcome = fixer.fix_analysis(analysis, unsafe=True)
    assert outcome.new_bytes is not None  # NGL201's fix, at least
    after = yaml.safe_load(outcome.new_bytes.decode("utf-8"))
    assert set(after) <= set(before)
    for key, value in before.items():
        if key == "authtoken":  # NGL006: removed, or its fix refused (the round-trip parser
            assert after.get(key, value) == value  # reads NEL/LS/PS and lone CRs differently)
        elif key == "web_addr":
            assert after[key] == "127.0.0.1:4040"
        else:
            assert after[key] == value, key
    if brk == "\n":  # other breaks here mix line ends, and mixed files get text fixes only
        assert "authtoken" not in after


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[-1]):04X}" if len(b) == 1 else "CRLF" for b in LINE_BREAKS])
def test_suppressions_aim_at_yaml_lines(brk: str) -> None:
    text = _file_with(brk).replace("web_addr: 0.0.0.0:4040\n", "# ngrok-lint: ignore[NGL201]\nweb_addr: 0.0.0.0:4040\n")
    assert _one(_lint(text), "NGL201").suppressed
    trailing = _file_with(brk).replace(f"# 😀 trailing{brk}", f"# ngrok-lint: ignore[NGL201]{brk}")
    trailing = trailing.replace("region: eu", "web_addr: 0.0.0.0:4040").replace("web_addr: 0.0.0.0:4040\n", "")
    findings = _lint(trailing)
    assert _one(findings, "NGL201").suppressed and not [f for f in findings if f.code == "NGL008"]


@st.composite
def _lines_with_breaks(draw: Callable) -> str:
    """A v2 file whose comments and values (quoted, block, plain over lines) hold random YAML
    breaks, with an exposed inspector at the end."""
    brk = st.sampled_from(LINE_BREAKS)
    words = st.text(alphabet="abcé😀 ", min_size=0, max_size=6)
    text = 'version: "2"\n'
    for index in range(draw(st.integers(1, 5))):
        style = draw(st.sampled_from(["comment", "single", "double", "literal", "folded", "plain", "trailing"]))
        a, b, c = draw(words), draw(words), draw(brk)
        if style == "comment":
            text += f"# {a}{c}# {b}\n"
        elif style == "trailing":
            text += f"key{index}: v  # {a}{c}\n"
        elif style == "single":
            text += f"key{index}: '{a}{c}  {b}'\n"
        elif style == "double":
            text += f'key{index}: "{a}{c}  {b}"\n'
        elif style in ("literal", "folded"):
            text += f"key{index}: {'|' if style == 'literal' else '>'}\n  x{a}{c}  y{b}\n"
        else:
            text += f"key{index}: x{a.strip()}{c}  y{b.strip()}\n"
    return text + "web_addr: 0.0.0.0:4040\n"


@given(text=_lines_with_breaks())
@_settings(80)
def test_generated_breaks_in_comments_and_values_keep_positions(text: str) -> None:
    note(repr(text))
    findings = _lint(text)
    if any(f.code == "NGL001" for f in findings):
        event("refused by YAML")
        return  # a generated value YAML refuses (a plain scalar ending in a break, say)
    item = _one(findings, "NGL201")
    assert (item.span.line, item.span.column) == _expected(text, "0.0.0.0:4040")
    start = _lsp_range(text, item).start
    assert (start.line, start.character) == _lsp_expected(text, "0.0.0.0:4040")
    above = text.replace("web_addr: 0.0.0.0:4040\n", "# ngrok-lint: ignore[NGL201]\nweb_addr: 0.0.0.0:4040\n")
    assert _one(_lint(above), "NGL201").suppressed


@pytest.mark.parametrize("char", NOT_BREAKS, ids=[f"U+{ord(c):04X}" for c in NOT_BREAKS])
def test_characters_that_are_not_yaml_breaks_do_not_move_lines(char: str) -> None:
    text = f'version: "2"\n# a{char}b\n# ngrok-lint: ignore[NGL201]\nweb_addr: 0.0.0.0:4040\n'
    findings = _lint(text)
    if any(f.code == "NGL001" for f in findings):  # YAML refuses the character: where it stands
        item = _one(findings, "NGL001")
        assert (item.span.line, item.span.column) == _expected(text, char)
        return
    assert _one(findings, "NGL201").suppressed and _one(findings, "NGL201").span.line == 4


@pytest.mark.parametrize("char", ["\v", "\f", "\x1c", "\x1d", "\x1e"])
def test_a_suppression_after_a_splitlines_break_aims_at_its_yaml_line(char: str) -> None:
    """YAML refuses these characters (NGL001), and the secret scan still runs on such a file: the
    suppression above the token must aim at the token's line, not one further."""
    token = "2" + "a" * 26 + "_" + "B" * 21
    text = f'version: "2"\n# a{char}b\n# ngrok-lint: ignore[NGL301]\nauthtoken: {token}\n'
    findings = _lint(text)
    assert _one(findings, "NGL301").suppressed and not [f for f in findings if f.code == "NGL008"]


def test_decode_error_columns_are_code_points() -> None:
    data = "é: 1\nkey: ü".encode("utf-8") + b"\xff\n"
    item = _one(engine.lint_bytes("ngrok.yml", data), "NGL001")
    assert (item.span.line, item.span.column) == (2, 7)
    utf16 = "\ufeffé: 1\nkey: 😀".encode("utf-16-le") + b"\x00\xdc\n\x00"  # a lone low surrogate
    item = _one(engine.lint_bytes("ngrok.yml", utf16), "NGL001")
    assert (item.span.line, item.span.column) == (2, 7)


def test_reader_error_columns_are_code_points() -> None:
    text = 'version: "2"\nlog_level: "é😀\x01"\n'
    item = _one(_lint(text), "NGL001")
    assert (item.span.line, item.span.column) == _expected(text, "\x01")


@pytest.mark.parametrize("brk", LINE_BREAKS, ids=[f"U+{ord(b[-1]):04X}" if len(b) == 1 else "CRLF" for b in LINE_BREAKS])
def test_a_second_document_is_found_after_any_break(brk: str) -> None:
    text = f'version: "2"{brk}---{brk}region: eu{brk}'
    item = _one(_lint(text), "NGL001")
    assert (item.span.line, item.span.column) == _expected(text, "---")


# --- suppression text inside values ----------------------------------------------------------------

DIRECTIVES = ["# ngrok-lint: ignore-file", "# ngrok-lint: ignore[NGL201]", "# ngrok-lint: ignore",
              "#ngrok-lint:ignore-file[inspector-exposed]", "# ngrok-lint: ignore[NGL999]"]


def _values(directive: str) -> List[str]:
    """`metadata: <value>` lines holding `directive` as text, one per scalar style."""
    single = directive.replace("'", "''")
    double = directive.replace('"', '\\"')
    plain = directive.replace(": ", ":")  # `: ` would end a plain scalar's key
    return [
        f"metadata: '{single}'",
        f'metadata: "{double}"',
        f"metadata: 'first\n  {single}'",
        f'metadata: "first\n  {double}"',
        f'metadata: "first \\\n  {double}"',
        f"metadata: |\n  first\n  {directive}",
        f"metadata: >-\n  {directive}\n  second",
        f"metadata: |2\n   {directive}",
        f"metadata: first\xa0{plain}",  # NBSP is not YAML whitespace: one plain scalar
        f"metadata: first\u3000{plain}",
        f"metadata: first\n  second\xa0{plain}",
        f"metadata: [\"{double}\", '{single}']",
    ]


STYLE_CASES = [(d, v) for d in DIRECTIVES for v in _values(d)]


@pytest.mark.parametrize("directive, value", STYLE_CASES)
def test_suppression_text_inside_a_value_is_not_a_suppression(directive: str, value: str) -> None:
    text = f'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    {value.replace(chr(10), chr(10) + "    ")}\n'
    assert isinstance(yaml.safe_load(text)["tunnels"]["web"]["metadata"], (str, list)), text
    findings = _lint(text)
    assert not any(f.suppressed for f in findings), findings
    assert not any(f.code == "NGL008" for f in findings), findings


@st.composite
def _values_with_stale_comments(draw: Callable) -> Tuple[str, List[Tuple[int, int]]]:
    """A file of values in every style holding suppression text, and stale suppression comments
    (trailing or alone on a line, with any YAML break); the comments' (start, end) offsets."""
    brk = draw(st.sampled_from(["\n", "\r\n"]))
    parts = ['version: "2"', 'web_addr: 127.0.0.1:4040', "tunnels:", "  web:", "    proto: http", "    addr: 80"]
    text = ""
    comments: List[Tuple[int, int]] = []
    body = [parts[0]]
    for index, value in enumerate(draw(st.lists(st.sampled_from(STYLE_CASES), min_size=1, max_size=4))):
        body.append(value[1].replace("metadata", f"key{index}"))
    for part in parts[1:]:
        body.append(part)
    for line in body:
        comment = draw(st.sampled_from(["", "own", "trailing"]))
        code = draw(st.sampled_from(["NGL999", "NGL105", "crl-check-disabled"]))  # nothing fires
        kind = draw(st.sampled_from(["ignore", "ignore-file"]))
        directive = f"# ngrok-lint: {kind}[{code}] stale"
        if comment == "own":
            start = len(text)
            text += directive + brk
            comments.append((start, start + len(directive) + len(brk)))
        text += line.replace("\n", brk)
        if comment == "trailing" and not line.rstrip().endswith(("|", ">-", "|2")) and "\n" not in line:
            start = len(text)
            text += "  " + directive
            comments.append((start, start + 2 + len(directive)))
        text += brk
    return text, comments


@given(case=_values_with_stale_comments())
@_settings(60)
def test_ngl008_fix_removes_exactly_the_stale_comments(case: Tuple[str, List[Tuple[int, int]]]) -> None:
    text, comments = case
    note(repr(text))
    findings = _lint(text)
    stale = [f for f in findings if f.code == "NGL008"]
    assert len(stale) == len(comments)
    assert not any(f.suppressed for f in findings)
    analysis = engine.analyze("ngrok.yml", text.encode("utf-8"), Settings(), None)
    outcome = fixer.fix_analysis(analysis, unsafe=False)
    if not comments:
        assert outcome.new_bytes is None
        return
    assert outcome.new_bytes is not None
    expected = text
    for start, end in reversed(comments):
        expected = expected[:start] + expected[end:]
    assert outcome.new_bytes.decode("utf-8") == expected
    assert yaml.safe_load(expected) == yaml.safe_load(text)


# --- malformed suppressions ------------------------------------------------------------------------

MALFORMED = [
    "# ngrok-lint: ignore[NGL201",
    "# ngrok-lint: ignore[NGL201, inspector-exposed",
    "# ngrok-lint: ignore[]",
    "# ngrok-lint: ignore[ ]",
    "# ngrok-lint: ignore[NGL201]because",
    "# ngrok-lint: ignore[NGL201 NGL202]",
    "# ngrok-lint: ignore[NGL201,]",
    "# ngrok-lint: ignroe[NGL201]",
    "# ngrok-lint:",
    "# ngrok-lint: NGL201",
    "# ngrok-lint: ignore-file[",
    "# ngrok-lint: ignore[NGL201, NGL2O1]",
]


@pytest.mark.parametrize("comment", MALFORMED)
@pytest.mark.parametrize("where", ["trailing", "above", "file"])
def test_a_malformed_suppression_suppresses_nothing_and_is_reported_where_it_stands(comment: str, where: str) -> None:
    if where == "trailing":
        text = f'version: "2"\nweb_addr: 0.0.0.0:4040  {comment}\n'
    elif where == "above":
        text = f'version: "2"\n{comment}\nweb_addr: 0.0.0.0:4040\n'
    else:
        text = f'{comment}\nversion: "2"\nweb_addr: 0.0.0.0:4040\n'
    findings = _lint(text)
    assert not _one(findings, "NGL201").suppressed
    item = _one(findings, "NGL008")
    assert (item.span.line, item.span.column) == _expected(text, comment)
    assert item.span.end - item.span.start == len(comment)
    assert "suppresses nothing" in item.message
    assert item.fix is None  # correcting it is the author's call


def test_an_unknown_code_alone_is_removed_by_the_safe_fix() -> None:
    text = 'version: "2"\nweb_addr: 127.0.0.1:4040  # ngrok-lint: ignore[NGL999]\n'
    item = _one(_lint(text), "NGL008")
    assert "unknown rule `NGL999`" in item.message and item.fix is not None


def test_well_formed_suppressions_still_work() -> None:
    for comment in ("# ngrok-lint: ignore[NGL201]", "# ngrok-lint: ignore[NGL201] a reason [with brackets]",
                    "#ngrok-lint:ignore[inspector-exposed]", "# note # ngrok-lint: ignore[NGL201]",
                    "# ngrok-lint: ignore", "# ngrok-lint: ignore reason"):
        findings = _lint(f'version: "2"\nweb_addr: 0.0.0.0:4040  {comment}\n')
        assert _one(findings, "NGL201").suppressed, comment
        assert not [f for f in findings if f.code == "NGL008"], comment
    findings = _lint('version: "2"\nlog: |  # ngrok-lint: ignore-file[NGL201]\n  x\nweb_addr: 0.0.0.0:4040\n')
    assert _one(findings, "NGL201").suppressed  # a block scalar's header comment is a comment


# --- the language server's document, changed incrementally -----------------------------------------

pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp drives the server over stdio")

import asyncio  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from lsprotocol import types as lsp_types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

from conftest import ROOT  # noqa: E402

_ENV = dict(os.environ)
_ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "ngrok_lint", "--lsp"], server_env=_ENV),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    @lsp_client.feature(lsp_types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(ls: LanguageClient, params: lsp_types.RegistrationParams) -> None:
        pass  # the server asks to watch its config files: nothing to do here

    await lsp_client.initialize_session(
        lsp_types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=ROOT.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str, version: int) -> List[Any]:
    deadline = time.monotonic() + 30
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no diagnostics for version {version}"
        params = await asyncio.wait_for(client.wait_for_notification("textDocument/publishDiagnostics"), remaining)
        if params.uri == uri and params.version == version:
            return list(params.diagnostics)


@pytest.mark.asyncio
@pytest.mark.parametrize("char", ["\u2028", "\x85", "\u2029", "\v", "\x1c"])
async def test_incremental_changes_count_the_protocols_lines(client: LanguageClient, tmp_path: Path, char: str) -> None:
    """The client counts lines at CR/LF only; a change after a line holding LS, NEL, PS, or a
    character str.splitlines breaks at, must land where the client put it."""
    text = f'version: "2"\nmetadata: "x{char}y"  # a{char}\nregion: eu\nweb_addr: 0.0.0.0:4040\n'
    uri = (tmp_path / "ngrok.yml").as_uri()
    client.text_document_did_open(lsp_types.DidOpenTextDocumentParams(
        text_document=lsp_types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)))
    first = await _diagnostics(client, uri, 1)
    assert "NGL201" in {d.code for d in first} or char in "\v\x1c", first
    line, character = _lsp_expected(text, "0.0.0.0")
    client.text_document_did_change(lsp_types.DidChangeTextDocumentParams(
        text_document=lsp_types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp_types.TextDocumentContentChangePartial(
            range=lsp_types.Range(start=lsp_types.Position(line, character),
                                  end=lsp_types.Position(line, character + len("0.0.0.0"))),
            text="127.0.0.1")],
    ))
    diagnostics = await _diagnostics(client, uri, 2)
    fixed = text.replace("0.0.0.0", "127.0.0.1")  # what the client holds now
    expected = []
    for item in _lint(fixed):
        if not item.suppressed:
            start = _lsp_range(fixed, item).start
            expected.append((item.code, start.line, start.character))
    assert sorted((str(d.code), d.range.start.line, d.range.start.character) for d in diagnostics) == sorted(expected)
    assert "NGL201" not in {d.code for d in diagnostics}, diagnostics
