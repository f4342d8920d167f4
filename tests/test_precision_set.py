"""The real-world precision set (tests/data/precision): ngrok config files from public repositories
that are not in the shared corpus, every finding judged by hand in JUDGEMENTS.tsv (TP / FP / NA,
with the reason, and whether the code found it before and after issue 13).

The test fails when a judged false positive comes back, when a true finding goes, or when a
finding nobody judged appears. Targets (issue 13): no false positive; errors and warnings a
reviewer would dismiss at most 1%; all not-actionable findings at most 10% (NGL103 counted apart).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from conftest import ROOT

from ngrok_lint.config import Overrides, settings_for
from ngrok_lint.engine import Analysis, analyze, finish

DATA = ROOT / "tests" / "data" / "precision"
NOT_NGROK = {"071", "072", "073"}  # a cloudflared config, a Compose file, a MediaMTX config


def _rows(name: str) -> List[Dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


INDEX = _rows("INDEX.tsv")
JUDGED = _rows("JUDGEMENTS.tsv")
Key = Tuple[str, int, str]


def _key(row: Dict[str, str]) -> Key:
    return row["file"], int(row["line"]), row["code"]


@pytest.fixture(scope="module")
def run() -> Tuple[Set[Key], Dict[str, str]]:
    """One run over the whole set, default selection, no project config: (findings, skipped)."""
    analyses: List[Analysis] = []
    for row in INDEX:
        path = DATA / row["file"]
        settings = settings_for(str(path), Overrides(), True, None)
        analyses.append(analyze(str(path), path.read_bytes(), settings, str(path.parent)))
    skipped = {Path(a.path).relative_to(DATA).as_posix(): a.skipped for a in analyses if a.skipped}
    found: Set[Key] = set()
    for path, findings in finish([a for a in analyses if not a.skipped]).items():
        for item in findings:
            if not item.suppressed:
                found.add((Path(path).relative_to(DATA).as_posix(), item.span.line, item.code))
    return found, skipped


def test_the_set_is_at_least_60_ngrok_configs_with_their_source() -> None:
    files = [row for row in INDEX if row["file"][:3] not in NOT_NGROK]
    assert len(files) >= 60
    for row in INDEX:
        assert (DATA / row["file"]).is_file()
        assert row["repo"].count("/") == 1 and len(row["commit"]) == 40


def test_files_that_are_not_ngrok_configs_are_skipped(run: Tuple[Set[Key], Dict[str, str]]) -> None:
    _, skipped = run
    assert {f[:3] for f in skipped} == NOT_NGROK


def test_every_finding_is_judged_and_every_judged_finding_is_found(run: Tuple[Set[Key], Dict[str, str]]) -> None:
    found, _ = run
    expected = {_key(r) for r in JUDGED if r["after"] == "yes"}
    unjudged = found - expected
    assert not unjudged, f"findings nobody judged (add them to JUDGEMENTS.tsv): {sorted(unjudged)}"
    gone = expected - found
    assert not gone, f"judged findings no longer found: {sorted(gone)}"


def test_no_judged_false_positive_comes_back(run: Tuple[Set[Key], Dict[str, str]]) -> None:
    found, _ = run
    back = {_key(r) for r in JUDGED if r["verdict"] == "FP"} & found
    assert not back, f"false positives are back: {sorted(back)}"


def test_every_true_finding_from_before_is_still_found(run: Tuple[Set[Key], Dict[str, str]]) -> None:
    found, _ = run
    lost = {_key(r) for r in JUDGED if r["verdict"] == "TP" and r["before"] == "yes"} - found
    assert not lost, f"true findings lost: {sorted(lost)}"


def _table(column: str) -> Dict[str, Counter]:
    table: Dict[str, Counter] = defaultdict(Counter)
    for row in JUDGED:
        if row[column] == "yes":
            table[row["code"]][row["verdict"]] += 1
    return table


KNOWN_DISMISSED = {
    ("055-Quadspace__ie-mcp-gateway/config/ngrok.yml", 23, "NGL002"),
    ("065-corrin__docketworks/ngrok.yml.example", 8, "NGL002"),
    ("069-ymeskini__broadcast-back/ngrok.example.yml", 10, "NGL002"),
}


def test_precision_targets_after(capsys: pytest.CaptureFixture) -> None:
    after = [r for r in JUDGED if r["after"] == "yes"]
    assert not [r for r in after if r["verdict"] == "FP"]
    loud = [r for r in after if r["severity"] in ("error", "warning")]
    dismissed = {_key(r) for r in loud if r["verdict"] == "NA"}
    # The 1% target is not met by exactly these: NGL002 on a placeholder domain the file asks the
    # reader to replace (`<DOMAIN>`, `YOUR_STATIC_DOMAIN`). The shared corpus' index judges the same
    # values "INVALID as committed" and pins NGL002 on them, so they stay until that is settled.
    assert dismissed <= KNOWN_DISMISSED, f"errors/warnings a reviewer would dismiss: {sorted(dismissed - KNOWN_DISMISSED)}"
    apart = [r for r in after if r["code"] != "NGL103"]
    not_actionable = [r for r in apart if r["verdict"] == "NA"]
    assert len(not_actionable) * 10 <= len(apart), f"{len(not_actionable)} of {len(apart)} not actionable"
    with capsys.disabled():
        for column in ("before", "after"):
            print(f"\nprecision set, {column}:")
            for code, counts in sorted(_table(column).items()):
                print(f"  {code}: TP {counts['TP']}, FP {counts['FP']}, NA {counts['NA']}")


def test_judgements_have_reasons_and_known_verdicts() -> None:
    for row in JUDGED:
        assert row["verdict"] in ("TP", "FP", "NA") and len(row["reason"]) > 10
        assert row["before"] in ("yes", "no") and row["after"] in ("yes", "no")
        assert row["before"] == "yes" or row["after"] == "yes"
