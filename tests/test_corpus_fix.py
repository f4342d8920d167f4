"""`--fix --unsafe-fixes` on a copy of every real-world corpus file (product.md, "Reliability
promises": a fix changes nothing but the findings' own lines, and fixing twice changes nothing more).

Each file is fixed through the command line, with and without the opt-in NGL402 conversion, and:
- every changed line belongs to a fix: the fixes are replayed one at a time with
  :func:`ngrok_lint.fixer.preview` (re-linting between steps, so a fix that only becomes possible
  after another, such as NGL103 on a file NGL003 just migrated, is attributed too) and each line
  the command changed must be one a replayed fix touched;
- every other line of the original is still there, in order;
- every comment survives (multiset of comment texts), except those a fix removes by design;
- the result parses, and a second run changes nothing.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

import fixcheck
from conftest import CORPUS, run_cli

from ngrok_lint import engine, fixer, proof, registry
from ngrok_lint.config import Overrides, settings_for
from ngrok_lint.loader import Document, parse
from ngrok_lint.source import Source, decode

FILES = sorted(CORPUS.glob("*.yml")) if CORPUS.is_dir() else []

#: Fixes that remove comments on purpose: (rule code, why). A lost comment is accepted only when a
#: fix of one of these rules ran on the file and the comment matches the pattern.
COMMENT_REMOVERS: Dict[str, Tuple[str, str]] = {
    "NGL008": (r"#\s*ngrok-lint:", "removes a suppression comment that suppresses nothing"),
}

#: Corpus files whose fix run is known to break one of the checks above: file name -> reason.
#: Empty: every corpus file passes every check (keep it that way, or say here why not).
EXPECTED_EXCEPTIONS: Dict[str, str] = {}

MODES: List[Tuple[str, Tuple[str, ...]]] = [("default", ())]
if registry.lookup("NGL402") is not None:
    MODES.append(("with-NGL402", ("--extend-select", "NGL402")))


def _text(data: bytes) -> Source:
    decoded = decode("ngrok.yml", data)
    assert isinstance(decoded, Source)
    return decoded


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("mode, extra", MODES, ids=[m for m, _ in MODES])
def test_fix_changes_only_the_findings_lines(mode: str, extra: Tuple[str, ...], tmp_path: Path) -> None:
    problems: List[str] = []
    overrides = Overrides(extend_select=tuple(a for a in extra if a.startswith("NGL")) or None)
    changed_files = 0
    for source_path in FILES:
        copy = tmp_path / source_path.name
        shutil.copyfile(source_path, copy)
        before = copy.read_bytes()
        settings = settings_for(str(copy), overrides, True, None)
        analysis = engine.analyze(str(copy), before, settings, str(tmp_path))
        attribution = fixcheck.attribute(analysis, unsafe=True) if analysis.doc is not None else None

        result = run_cli([str(copy), "--fix", "--unsafe-fixes", "--isolated", *extra])
        output = result.out + result.err
        after = copy.read_bytes()
        name = source_path.name
        found: List[str] = []
        if "Traceback" in output or result.code == 2:
            found.append(f"the run failed (exit {result.code}): {output[-400:]}")
        if after != before:
            changed_files += 1
            if analysis.doc is None or attribution is None:
                found.append("a file that does not parse was rewritten")
            else:
                found += _check_change(analysis.source.text, _text(after).text, attribution)  # type: ignore[union-attr]
            again = run_cli([str(copy), "--fix", "--unsafe-fixes", "--isolated", *extra])
            if copy.read_bytes() != after:
                found.append("a second run changed the file again (not a fixed point)")
            if "Traceback" in again.out + again.err or again.code == 2:
                found.append(f"the second run failed (exit {again.code})")
        if found and name not in EXPECTED_EXCEPTIONS:
            problems.append(f"{name}: " + "; ".join(found))
        elif not found and name in EXPECTED_EXCEPTIONS:
            problems.append(f"{name}: listed in EXPECTED_EXCEPTIONS but passes now; remove the entry")
    assert changed_files > 0, "no corpus file was changed: the fixes did not run"
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(not FILES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("mode, extra", MODES, ids=[m for m, _ in MODES])
def test_the_fix_proof_refuses_no_fix_on_the_corpus(mode: str, extra: Tuple[str, ...], tmp_path: Path) -> None:
    """`--fix --unsafe-fixes` with the run-time fix proof on: a fix the proof refuses on a real
    file is a bug in that fix (it would have moved or dropped a comment, or changed data it does
    not declare). The target, and the state, is zero."""
    overrides = Overrides(extend_select=tuple(a for a in extra if a.startswith("NGL")) or None)
    refused: List[str] = []
    applied = 0
    for source_path in FILES:
        settings = settings_for(str(source_path), overrides, True, None)
        analysis = engine.analyze(str(source_path), source_path.read_bytes(), settings, str(source_path.parent))
        if analysis.doc is None:
            continue
        outcome = fixer.fix_analysis(analysis, unsafe=True)
        applied += outcome.fixed
        refused += [f"{source_path.name}: {f.code} at {f.path}: {f.fix_unavailable}"
                    for f in outcome.analysis.findings if proof.is_refusal(f.fix_unavailable)]
    assert applied > 0, "no fix was applied: the proof was never exercised"
    assert not refused, "\n".join(refused)


def _check_change(old: str, new: str, attribution: fixcheck.Attribution) -> List[str]:
    found: List[str] = []
    parsed = parse("fixed.yml", new)
    if not isinstance(parsed, Document):
        return [f"the fixed file does not parse: {parsed.message}"]
    found += attribution.strays
    bad = fixcheck.unexplained_changes(old, new, attribution)
    if bad:
        lines = fixcheck.split_lines(old)
        shown = [f"{s + 1}-{e}" + (f" {lines[s]!r}" if s < len(lines) and s < e else " (insertion)") for s, e in bad]
        found.append(f"lines changed that no fix touches: {shown} (fixes replayed: {attribution.steps})")
    missing = fixcheck.kept_in_order(old, new, attribution.lines)
    if missing is not None:
        found.append(f"an untouched line is gone or out of order: {missing!r}")
    lost = fixcheck.comments(old) - fixcheck.comments(new)
    codes = {step.split("@")[0] for step in attribution.steps}
    unexplained = Counter({
        text: count for text, count in lost.items()
        if not any(code in codes and re.search(pattern, text)
                   for code, (pattern, _why) in COMMENT_REMOVERS.items())
    })
    if unexplained:
        found.append(f"comments lost: {sorted(unexplained.elements())}")
    return found
