"""Shared test helpers: run the CLI in-process, lint a text, read fixture headers."""

from __future__ import annotations

import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RULE_FIXTURES = FIXTURES / "rules"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "real-world"

sys.path.insert(0, str(ROOT))

# Tests that need this folder to be a git checkout (pre-commit's try-repo clones it) skip when the
# suite runs from an unpacked sdist, which has no `.git` (tests/test_release.py runs it that way).
needs_git_checkout = pytest.mark.skipif(
    not (ROOT / ".git").exists(), reason="needs a git checkout of ngrok-lint (an unpacked sdist has no .git)"
)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(args: Sequence[str], stdin: Optional[bytes] = None, monkeypatch: Any = None) -> CliResult:
    """`main([...])` in-process, capturing stdout and stderr (and feeding stdin bytes)."""
    from ngrok_lint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr = out, err
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        code = main(list(args))
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    return CliResult(code, out.getvalue(), err.getvalue())


_EXPECT = re.compile(r"#\s*expect:\s*(.*)$")
_OPTIONS = re.compile(r"#\s*options:\s*(\{.*\})\s*$")
_ITEM = re.compile(r"(NGL\d{3})@(\d+):(\d+)")


@dataclass
class Header:
    expected: List[Tuple[str, int, int]] = field(default_factory=list)
    options: Dict[str, Any] = field(default_factory=dict)
    unsafe: bool = False


def read_header(text: str) -> Header:
    """Expectations from the leading comment lines: `# expect: NGL101@4:5, NGL101@9:7`,
    `# options: {"min-tls-version": "1.3"}` (project-config keys), `# fix: unsafe`."""
    header = Header()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _EXPECT.search(stripped)
        if match:
            header.expected += [(c, int(l), int(k)) for c, l, k in _ITEM.findall(match.group(1))]
        match = _OPTIONS.search(stripped)
        if match:
            header.options.update(json.loads(match.group(1)))
        if re.search(r"#\s*fix:\s*unsafe", stripped):
            header.unsafe = True
    return header


def settings_for_fixture(code: str, header: Header, path: str = "fixture.yml"):
    from ngrok_lint.config import settings_from_table

    table = dict(header.options)
    table["select"] = [code]
    return settings_from_table(table, str(ROOT / "fixture-config.toml"))


def lint(text: str, path: str = "ngrok.yml", select: Optional[Sequence[str]] = None, **options: Any):
    """Findings for a text, with optional selection and project options (keys with `_` for `-`)."""
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import lint_text

    table: Dict[str, Any] = {k.replace("_", "-"): v for k, v in options.items()}
    if select is not None:
        table["select"] = list(select)
    settings = settings_from_table(table, str(ROOT / "fixture-config.toml"))
    return lint_text(text, path, settings)


@pytest.fixture
def cli():
    return run_cli
