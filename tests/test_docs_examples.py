"""ngrok's own config examples (tests/data/docs_examples/, extracted from ngrok/ngrok-docs with
their page and line) linted with the default rules: every error and warning must be one the table
in tests/data/docs_examples/README.md lists and explains, and every listed one must still appear.
A finding judged `fragment` may only be a missing required key of a block the page marks partial.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from ngrok_lint.config import settings_from_table
from ngrok_lint.engine import analyze

HERE = Path(__file__).resolve().parent / "data" / "docs_examples"
EXAMPLES = sorted(HERE.glob("*.yml"))
_ROW = re.compile(r"^\| (?P<file>[\w.-]+\.yml) \| (?P<code>NGL\d{3})@(?P<line>\d+) \| (?P<verdict>[^|]+?) \| (?P<why>[^|]+?) \|$")


def _table() -> Dict[Tuple[str, str, int], str]:
    rows = {}
    for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[(match["file"], match["code"], int(match["line"]))] = match["verdict"]
    return rows


def _text(path: Path) -> str:
    """The example as the page means it: a block of a version 2 or 3 page gets that version."""
    text = path.read_text(encoding="utf-8")
    header, _, body = text.partition("\n")
    page_format = re.search(r"page format: version (\d)", header)
    if page_format and not re.search(r"^version:", body, re.M):
        return f'{header}\nversion: "{page_format.group(1)}"\n{body}'
    return text


def _findings(path: Path) -> List[Tuple[str, int, str]]:
    settings = settings_from_table({}, str(HERE / "ngrok-lint.toml"))
    analysis = analyze(str(path), _text(path).encode("utf-8"), settings, str(HERE))
    added = 1 if _text(path) != path.read_text(encoding="utf-8") else 0  # the version line
    return [(f.code, f.span.line - added, f.message) for f in analysis.findings
            if f.severity.name in ("ERROR", "WARNING") and not f.suppressed]


def test_every_example_is_here():
    assert len(EXAMPLES) == 35
    for path in EXAMPLES:
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.match(r"^# ngrok-docs agent/[\w/.-]+\.mdx@[0-9a-f]{12}, YAML block at line \d+", header), path.name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_findings_are_the_explained_ones(path):
    table = _table()
    expected: Set[Tuple[str, int]] = {(code, line) for (file, code, line) in table if file == path.name}
    got = _findings(path)
    assert {(code, line) for code, line, _ in got} == expected, got
    for code, line, message in got:
        if table[(path.name, code, line)] == "fragment":
            assert "a fragment" in path.read_text(encoding="utf-8").splitlines()[0]
            assert code == "NGL002" and "missing required key" in message


def test_no_false_error_on_a_complete_example():
    table = _table()
    false = [key for key, verdict in table.items() if verdict not in ("true", "example wrong", "fragment")]
    assert not false
