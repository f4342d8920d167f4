"""The line-break set of `ngrok_lint.positions` against the parsers, on every code point.

PyYAML's two paths (libyaml's C scanner, which the loader uses, and the pure-Python one) must count
lines exactly as `positions.Lines` does: for every character either could treat as a break, in a
comment, in quoted, plain and block scalars, the parser's mark of the next key is the line, column
and offset that `Lines` computes. Every other code point is swept in bulk (long comments), so no
character outside the set ends a line for either parser.

ruamel.yaml (the fix engine's round-trip parser) follows YAML 1.2 in its marks, where NEL, LS and
PS are not breaks, yet ends comments and block-scalar lines at them: the test pins that exact
disagreement, which is why the fix engine refuses texts holding those characters.
"""

from __future__ import annotations

import sys
import unicodedata
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest
import yaml

from ngrok_lint import positions
from ngrok_lint.positions import BREAK_CHARS, Lines

Parser = Callable[[str], Any]


def _libyaml(text: str) -> Any:
    return yaml.compose(text, Loader=yaml.CSafeLoader)


def _pure(text: str) -> Any:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _ruamel(text: str) -> Any:
    from ruamel.yaml import YAML

    return YAML(typ="rt").compose(text)


# Every character that str.splitlines, Unicode (control, format, separator) or Latin-1 could make a
# break: the candidates, each tried on its own.
CANDIDATES = sorted(
    code
    for code in range(sys.maxunicode + 1)
    if not 0xD800 <= code < 0xE000
    and (
        len(f"a{chr(code)}b".splitlines()) > 1
        or unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Zs")
        or code < 0x100
    )
)

# Where a break may stand, and the key whose mark tells the line after it.
TEMPLATES = {
    "comment after a value": "a: 1 # x{}b: 2\n",
    "comment line": "# x{}b: 2\n",
    "single-quoted": "a: 'x{}y'\nb: 2\n",
    "double-quoted": 'a: "x{}y"\nb: 2\n',
    "plain": "a: x{}  y\nb: 2\n",
    "literal": "a: |\n  x{}  y\nb: 2\n",
    "folded": "a: >\n  x{}  y\nb: 2\n",
}


def _mark_of_b(parse: Parser, text: str) -> Optional[Tuple[int, int, int]]:
    """The 1-based line and column and the offset of key `b`, or None (no such key, or an error)."""
    try:
        node = parse(text)
    except Exception:
        return None
    if node is None or not isinstance(node.value, list):
        return None
    for key, _ in node.value:
        if key.value == "b":
            mark = key.start_mark
            return mark.line + 1, mark.column + 1, mark.index
    return None


def _disagreements(parse: Parser) -> Dict[str, List[str]]:
    """For each template, the candidates where the parser and `Lines` place `b` differently."""
    found: Dict[str, List[str]] = {}
    for name, template in TEMPLATES.items():
        for code in CANDIDATES:
            char = chr(code)
            text = template.format(char)
            mark = _mark_of_b(parse, text)
            expected: Optional[Tuple[int, int, int]] = None
            offset = text.index("b: 2")
            if positions.is_break(char) or mark is not None:
                line, column = Lines(text).line_col(offset)
                expected = (line, column, offset)
            # A break must always give a parse with `b` where Lines puts it; a non-break either
            # is refused by the reader, or leaves `b` where Lines puts it (or inside a comment).
            if mark != expected:
                found.setdefault(name, []).append(f"U+{code:04X}")
    return found


@pytest.mark.parametrize("parse", [_libyaml, _pure], ids=["libyaml", "pure-python"])
def test_pyyaml_breaks_lines_exactly_where_positions_does(parse: Parser) -> None:
    assert _disagreements(parse) == {}


def test_the_break_set_is_what_pyyaml_reads_and_nothing_that_splitlines_adds() -> None:
    assert set(BREAK_CHARS) == {"\r", "\n", "\x85", "\u2028", "\u2029"}
    for char in "\v\f\x1c\x1d\x1e":
        assert not positions.is_break(char)
        assert len(Lines(f"a{char}b")) == 1
    assert len(Lines("a\r\nb")) == 2 and len(Lines("a\r\rb")) == 3 and len(Lines("a\n\rb")) == 3


def test_ruamel_disagrees_exactly_on_nel_ls_ps() -> None:
    found = _disagreements(_ruamel)
    assert found and all(set(codes) == {"U+0085", "U+2028", "U+2029"} for codes in found.values()), found


@pytest.mark.parametrize("parse", [_libyaml, _pure, _ruamel], ids=["libyaml", "pure-python", "ruamel"])
def test_no_other_code_point_ends_a_line(parse: Parser) -> None:
    """Every printable code point outside the candidates, in comments of 4,096 characters."""
    skip = set(CANDIDATES)
    chars = [
        chr(code)
        for code in range(0x20, sys.maxunicode + 1)
        if code not in skip and not 0xD800 <= code < 0xE000 and code not in (0xFFFE, 0xFFFF)
    ]
    for first in range(0, len(chars), 4096):
        chunk = "".join(chars[first: first + 4096])
        text = f"a: 1 # {chunk}\nb: 2\n"
        assert _mark_of_b(parse, text) == (2, 1, text.index("b: 2")), (f"U+{ord(chunk[0]):04X}", f"U+{ord(chunk[-1]):04X}")
        assert len(Lines(text)) == 3


def test_offsets_and_lines_round_trip() -> None:
    text = "é: 1\r\nb: \U0001F600x\rc: 3\x85d\u2028e\u2029f\n\vg\n"
    lines = Lines(text)
    assert [lines.line_text(n) for n in range(1, len(lines) + 1)] == ["é: 1", "b: \U0001F600x", "c: 3", "d", "e", "f", "\vg", ""]
    assert positions.split_lines(text) == ["é: 1\r\n", "b: \U0001F600x\r", "c: 3\x85", "d\u2028", "e\u2029", "f\n", "\vg\n"]
    for offset in range(len(text) + 1):
        line, column = lines.line_col(offset)
        assert positions.line_col(text, offset) == (line, column)
        if offset == len(text) or not positions.is_break(text[offset]) and text[offset - 1: offset + 1] != "\r\n":
            assert lines.offset(line, column) == offset
    assert lines.offset(99, 1) == len(text) and lines.offset(2, 99) == lines.end(2)


def test_lsp_lines_end_only_at_cr_and_lf() -> None:
    text = "a\u2028b\r\nc\rd\x85e\n"
    assert [Lines(text, positions.LSP_BREAKS).line_text(n) for n in (1, 2, 3, 4)] == ["a\u2028b", "c", "d\x85e", ""]


def test_units_count_the_negotiated_encoding() -> None:
    line = "a\U0001F600é"
    assert positions.units(line, "utf-16") == 4
    assert positions.units(line, "utf-8") == 7
    assert positions.units(line, "utf-32") == 3
    assert positions.column_of_units(line, 3, "utf-16") == 2
    assert positions.column_of_units(line, 2, "utf-16") == 2  # inside the emoji: its end
    assert positions.column_of_units(line, 5, "utf-8") == 2


def test_byte_position_is_a_code_point_column() -> None:
    body = "é: 1\nb: ü\xff".encode("utf-8")
    bad = body.index(b"\xc3\xbf")
    assert positions.byte_position(body, bad, "utf-8") == (2, 5)
