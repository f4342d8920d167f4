"""Every rule's fixture folder: `tests/fixtures/rules/NGLxxx/{pass,fail}-*.yml`.

A fail file names its findings in its header (`# expect: NGL101@4:5`); a pass file expects none of
its rule. Each is linted with only its rule selected, so a fixture speaks for one rule. A fail file
with a `.fixed.yml` sibling is fixed (safe fixes, or unsafe with `# fix: unsafe`) and must give
exactly those bytes, also when the input is written with CRLF endings or a UTF-8 BOM; the fixed
file must be free of the fixed rule's fixable findings and be a fixed point.

A cross-file rule (its module has `check_across`, e.g. NGL305) cannot fire on one file alone: each
of its fixtures, pass or fail, is linted as the last file of a run that first lints every other
fixture of its folder (in name order, `.fixed.yml` files excepted), and only the fixture's own
findings are compared.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import List

import pytest

from conftest import RULE_FIXTURES, read_header, settings_for_fixture

from ngrok_lint import registry

CASES: List[Path] = sorted(
    p for p in RULE_FIXTURES.glob("NGL*/*.yml") if not p.name.endswith(".fixed.yml")
)


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _cross_file(code: str) -> bool:
    module = registry.by_code().get(code)
    return module is not None and hasattr(module, "check_across")


def _lint(path: Path, data: bytes):
    from ngrok_lint.engine import analyze, finish

    header = read_header(data.decode("utf-8-sig"))
    settings = settings_for_fixture(path.parent.name, header)
    analyses = []
    if _cross_file(path.parent.name):
        for other in sorted(path.parent.glob("*.yml")):
            if other != path and not other.name.endswith(".fixed.yml"):
                analyses.append(analyze(str(other), other.read_bytes(), settings, str(other.parent)))
    analysis = analyze(str(path), data, settings, str(path.parent))
    analyses.append(analysis)
    return analysis, finish(analyses)[str(path)]


@pytest.mark.parametrize("path", CASES, ids=_case_id)
def test_fixture_findings(path: Path) -> None:
    code = path.parent.name
    data = path.read_bytes()
    header = read_header(data.decode("utf-8-sig"))
    _, findings = _lint(path, data)
    got = sorted((f.code, f.span.line, f.span.column) for f in findings if f.code == code and not f.suppressed)
    if path.name.startswith("pass"):
        assert got == [], f"{path.name} should not trigger {code}"
        assert not header.expected, "a pass fixture carries no expectations"
    else:
        assert path.name.startswith("fail"), "fixture names start with pass- or fail-"
        assert header.expected, f"{path.name} has no `# expect:` header"
        assert got == sorted(header.expected)


FIX_CASES = [p for p in CASES if p.with_suffix(".fixed.yml").exists()]


def _variants(data: bytes, expected: bytes):
    yield "lf", data, expected
    yield "crlf", data.replace(b"\n", b"\r\n"), expected.replace(b"\n", b"\r\n")
    yield "bom", codecs.BOM_UTF8 + data, codecs.BOM_UTF8 + expected


@pytest.mark.parametrize("path", FIX_CASES, ids=_case_id)
def test_fixture_fix_is_byte_exact(path: Path, tmp_path: Path) -> None:
    from ngrok_lint import fixer

    code = path.parent.name
    expected_all = path.with_suffix(".fixed.yml").read_bytes()
    header = read_header(path.read_text("utf-8-sig"))
    for variant, data, expected in _variants(path.read_bytes(), expected_all):
        analysis, _ = _lint(path, data)
        outcome = fixer.fix_analysis(analysis, unsafe=header.unsafe)
        assert outcome.new_bytes is not None, f"{variant}: no fix was applied"
        assert outcome.new_bytes == expected, f"{variant}: fixed bytes differ from {path.with_suffix('.fixed.yml').name}"
        # The fixed file no longer has the fixed rule's applicable fixes, and fixing it again changes nothing.
        again_analysis, again = _lint(path, outcome.new_bytes)
        assert not [f for f in again if f.code == code and f.fix is not None and not f.fix_unavailable
                    and (header.unsafe or f.fix.safety.value == "safe")]
        assert fixer.fix_analysis(again_analysis, unsafe=header.unsafe).new_bytes is None


def test_every_rule_has_pass_and_fail_fixtures() -> None:
    missing = []
    for meta in registry.rules():
        folder = RULE_FIXTURES / meta.code
        names = [p.name for p in folder.glob("*.yml")] if folder.is_dir() else []
        if not any(n.startswith("pass") for n in names) or not any(n.startswith("fail") for n in names):
            missing.append(meta.code)
    assert missing == []


def test_every_safe_fixable_rule_has_a_fixed_fixture() -> None:
    from ngrok_lint.model import FixKind

    missing = [
        m.code for m in registry.rules()
        if m.fix != FixKind.NONE and not list((RULE_FIXTURES / m.code).glob("*.fixed.yml"))
    ]
    assert missing == []
