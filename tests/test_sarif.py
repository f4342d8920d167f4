"""SARIF output: valid against the SARIF 2.1.0 schema, every rule described, results with regions,
stable fingerprints, suppressions and fixes, and accepted by Microsoft's SARIF validator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import jsonschema
import pytest

from conftest import FIXTURES, ROOT, run_cli

SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-2.1.0.json"
TOKEN = "2abcdefghijklmnopqrstuvwxyz_123456789ABCDEFG"
# Relative to the repository root, as a CI job names them (SARIF consumers prefer relative URIs).
ALL_FIXTURES = sorted(p.relative_to(ROOT).as_posix() for p in FIXTURES.rglob("*.yml"))


def sarif(args: List[str], stdin: Optional[bytes] = None) -> Dict[str, Any]:
    result = run_cli(["--format", "sarif", *args], stdin=stdin)
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


def validate(log: Dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_class(schema).iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])


def results_of(log: Dict[str, Any]) -> List[Dict[str, Any]]:
    return log["runs"][0]["results"]


def apply_replacement(text: str, replacement: Dict[str, Any]) -> str:
    """Apply one SARIF replacement (a line/column region, 1-based, end exclusive) to a text."""
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    region = replacement["deletedRegion"]

    def offset(line: int, column: int) -> int:
        return (starts[line - 1] if line - 1 < len(starts) else len(text)) + column - 1

    start = offset(region["startLine"], region.get("startColumn", 1))
    end = offset(region["endLine"], region["endColumn"])
    return text[:start] + replacement.get("insertedContent", {}).get("text", "") + text[end:]


def test_run_over_every_fixture_is_schema_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert ALL_FIXTURES
    log = sarif(ALL_FIXTURES)
    validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    assert results_of(log), "the fixtures hold failing files: expected results"


def test_driver_describes_every_rule() -> None:
    from ngrok_lint import __version__, registry

    log = sarif([str(FIXTURES / "rules" / "NGL008" / "pass-used-suppression.yml")])
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ngrok-lint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    metas = registry.rules()
    assert [r["id"] for r in driver["rules"]] == [m.code for m in metas]
    for meta, rule in zip(metas, driver["rules"]):
        assert rule["name"] == meta.name
        assert rule["shortDescription"]["text"].rstrip(".").lower() == meta.summary.rstrip(".").lower()
        assert rule["fullDescription"]["text"] and "##" not in rule["fullDescription"]["text"]
        assert rule["helpUri"] == meta.url
        assert rule["help"]["markdown"].startswith("## What it does")
        assert "## " not in rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[
            meta.severity.label
        ]
        tags = rule["properties"]["tags"]
        if meta.security_severity is not None:
            value = rule["properties"]["security-severity"]
            assert isinstance(value, str) and float(value) == pytest.approx(meta.security_severity)
            assert "security" in tags
        else:
            assert "security-severity" not in rule["properties"]
            assert "security" not in tags
        if meta.code.startswith("NGL0"):
            assert "validity" in tags


def test_full_description_is_the_first_paragraph_of_what_it_does() -> None:
    from ngrok_lint import registry

    log = sarif([str(FIXTURES / "rules" / "NGL008" / "pass-used-suppression.yml")])
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "NGL008")
    docs = registry.lookup("NGL008").docs
    first = docs.split("## What it does", 1)[1].strip().split("\n\n", 1)[0]
    assert rule["fullDescription"]["text"].rstrip(".") == " ".join(first.split()).rstrip(".")


def test_result_fields_and_region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    addr: 81\n', encoding="utf-8"
    )
    log = sarif(["--isolated", "--select", "NGL004", "ngrok.yml"])
    validate(log)
    (item,) = results_of(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert item["ruleId"] == "NGL004"
    assert rules[item["ruleIndex"]]["id"] == "NGL004"
    assert item["level"] == "error"
    assert "addr" in item["message"]["text"]
    location = item["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "ngrok.yml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 6, "startColumn": 5, "endLine": 6, "endColumn": 9}
    assert item["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "tunnels.web.addr"
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_uri_is_relative_for_relative_paths_and_a_file_uri_otherwise(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ngrok_lint.reporters.sarif_format import artifact_location

    monkeypatch.chdir(tmp_path)
    assert artifact_location("conf/my ngrok.yml") == {"uri": "conf/my%20ngrok.yml", "uriBaseId": "%SRCROOT%"}
    assert artifact_location("./ngrok.yml") == {"uri": "ngrok.yml", "uriBaseId": "%SRCROOT%"}
    outside = artifact_location("../elsewhere/ngrok.yml")
    assert outside["uri"].startswith("file:///") and "uriBaseId" not in outside
    assert artifact_location(str(tmp_path / "ngrok.yml"))["uri"] == (tmp_path / "ngrok.yml").as_uri()


def test_fingerprints_survive_edits_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    addr: 81\n'
    (tmp_path / "ngrok.yml").write_text(body, encoding="utf-8")
    before = results_of(sarif(["--isolated", "--select", "NGL004", "ngrok.yml"]))
    (tmp_path / "ngrok.yml").write_text("# a comment\n\n" + body, encoding="utf-8")
    after = results_of(sarif(["--isolated", "--select", "NGL004", "ngrok.yml"]))
    assert before[0]["locations"][0]["physicalLocation"]["region"]["startLine"] + 2 == (
        after[0]["locations"][0]["physicalLocation"]["region"]["startLine"]
    )
    assert before[0]["partialFingerprints"] == after[0]["partialFingerprints"]
    (tmp_path / "other.yml").write_text(body, encoding="utf-8")
    other = results_of(sarif(["--isolated", "--select", "NGL004", "other.yml"]))
    assert other[0]["partialFingerprints"] != before[0]["partialFingerprints"]


def test_findings_sharing_code_and_path_get_distinct_fingerprints(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(
        'version: "2"\n# ngrok-lint: ignore[NGL998]\nweb_addr: 127.0.0.1:4040\n# ngrok-lint: ignore[NGL999]\n'
        "log: stdout\n",
        encoding="utf-8",
    )
    found = results_of(sarif(["--isolated", "--select", "NGL008", "ngrok.yml"]))
    assert len(found) == 2
    prints = {json.dumps(r["partialFingerprints"]) for r in found}
    assert len(prints) == 2


def test_suppressed_findings_carry_suppressions() -> None:
    path = FIXTURES / "rules" / "NGL008" / "pass-used-suppression.yml"
    log = sarif(["--isolated", "--select", "NGL004,NGL008", str(path)])
    validate(log)
    (item,) = results_of(log)
    assert item["ruleId"] == "NGL004"
    assert item["suppressions"] == [{"kind": "inSource", "justification": "kept on purpose for the demo"}]
    assert "fixes" not in item


@pytest.mark.parametrize("name", ["fail-nothing-suppressed", "fail-unknown-code-own-line"])
def test_fixes_rebuild_the_fixed_file(name: str) -> None:
    path = FIXTURES / "rules" / "NGL008" / f"{name}.yml"
    expected = (FIXTURES / "rules" / "NGL008" / f"{name}.fixed.yml").read_text(encoding="utf-8")
    log = sarif(["--isolated", "--select", "NGL008", "--extend-select", "NGL004", str(path)])
    validate(log)
    (item,) = results_of(log)
    (fix,) = item["fixes"]
    assert fix["description"]["text"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == item["locations"][0]["physicalLocation"]["artifactLocation"]
    (replacement,) = change["replacements"]
    region = replacement["deletedRegion"]
    assert region["endLine"] - region["startLine"] <= 1, "a one-line fix replaces one line, not the file"
    original = path.read_text(encoding="utf-8")
    assert apply_replacement(original, replacement) == expected


def test_fix_region_matches_the_fixer_preview() -> None:
    fixer = pytest.importorskip("ngrok_lint.fixer")
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze, finish

    path = FIXTURES / "rules" / "NGL008" / "fail-unknown-code-own-line.yml"
    data = path.read_bytes()
    settings = settings_from_table({"select": ["NGL008"]}, str(ROOT / "fixture-config.toml"))
    analysis = analyze(str(path), data, settings, str(path.parent))
    (found,) = finish([analysis])[str(path)]
    preview = fixer.preview(analysis, found)
    assert isinstance(preview, str)
    log = sarif(["--isolated", "--select", "NGL008", str(path)])
    replacement = results_of(log)[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert apply_replacement(data.decode("utf-8"), replacement) == preview


def test_fix_content_never_shows_a_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(
        f'version: "2"\nauthtoken: {TOKEN}  # ngrok-lint: ignore[NGL999]\n', encoding="utf-8"
    )
    result = run_cli(["--format", "sarif", "--isolated", "ngrok.yml"])
    assert TOKEN not in result.out
    assert TOKEN[:8] not in result.out
    log = json.loads(result.out)
    validate(log)
    fixes = [r for r in results_of(log) if r["ruleId"] == "NGL008"][0]["fixes"]
    replacement = fixes[0]["artifactChanges"][0]["replacements"][0]
    # The exact edit: the comment goes, the token's line is not rewritten (neither whole nor masked).
    assert replacement["insertedContent"]["text"] == ""
    assert replacement["deletedRegion"]["startColumn"] > len("authtoken: ") + len(TOKEN)
    fixed = apply_replacement((tmp_path / "ngrok.yml").read_text(encoding="utf-8"), replacement)
    assert fixed == f'version: "2"\nauthtoken: {TOKEN}\n'


def test_file_errors_become_tool_notifications(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.yml")
    result = run_cli(["--format", "sarif", missing])
    assert result.code == 2
    log = json.loads(result.out)
    validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"


def test_stdin_and_crlf_and_non_ascii_are_valid() -> None:
    text = 'version: "2"\r\n# ngrok-lint: ignore[NGL999] café\r\nweb_addr: 127.0.0.1:4040  # ☕\r\n'
    log = sarif(["--isolated", "--stdin-filename", "conf/ngrok.yml", "-"], stdin=text.encode("utf-8"))
    validate(log)
    assert results_of(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "conf/ngrok.yml"


def test_other_formats_compute_no_fix_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    import ngrok_lint.edits

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("fix previews are computed for SARIF only")

    monkeypatch.setattr(ngrok_lint.edits, "fix_edits", refuse)
    path = str(FIXTURES / "rules" / "NGL008" / "fail-unknown-code-own-line.yml")
    for fmt in ("text", "json", "github"):
        assert "NGL008" in run_cli(["--format", fmt, "--isolated", path]).out
    with pytest.raises(AssertionError, match="SARIF only"):
        run_cli(["--format", "sarif", "--isolated", path])


# --- Microsoft's SARIF validator (Sarif.Multitool), from the npm package ---------------------

MULTITOOL_PACKAGE = "@microsoft/sarif-multitool-linux"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ngrok-lint-sarif"


def _multitool() -> Path:
    """The validator binary: $NGROK_LINT_SARIF_MULTITOOL, or the npm package unpacked in the cache
    (fetched once with `npm pack`). Skips the test with the reason when it cannot be had."""
    configured = os.environ.get("NGROK_LINT_SARIF_MULTITOOL")
    if configured:
        return Path(configured)
    binary = CACHE / "package" / "Sarif.Multitool"
    if binary.exists():
        return binary
    if not sys.platform.startswith("linux"):
        pytest.skip(f"{MULTITOOL_PACKAGE} is for Linux only")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: cannot fetch {MULTITOOL_PACKAGE}")
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        packed = subprocess.run(
            [npm, "pack", MULTITOOL_PACKAGE, "--silent"], cwd=CACHE, capture_output=True, text=True, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"`npm pack {MULTITOOL_PACKAGE}` failed: {exc}")
    tarballs = sorted(CACHE.glob("microsoft-sarif-multitool-linux-*.tgz"))
    if packed.returncode != 0 or not tarballs:
        pytest.skip(f"`npm pack {MULTITOOL_PACKAGE}` failed: {(packed.stderr or packed.stdout).strip()[:300]}")
    import tarfile

    with tarfile.open(tarballs[-1]) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith("package/") and ".." not in m.name]
        archive.extractall(CACHE, members=members)  # noqa: S202 - names checked above
    if not binary.exists():
        pytest.skip(f"{MULTITOOL_PACKAGE} holds no Sarif.Multitool binary")
    return binary


def test_microsoft_sarif_validator_accepts_a_run_over_every_fixture(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    binary = _multitool()
    monkeypatch.chdir(ROOT)
    binary.chmod(binary.stat().st_mode | 0o100)
    log_path = tmp_path / "ngrok-lint.sarif"
    log_path.write_text(run_cli(["--format", "sarif", *ALL_FIXTURES]).out, encoding="utf-8")
    report_path = tmp_path / "validation.sarif"
    try:
        run = subprocess.run(
            [str(binary), "validate", str(log_path), "--output", str(report_path), "--log", "ForceOverwrite",
             "--level", "Error;Warning;Note", "--kind", "Fail"],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"},
        )
    except OSError as exc:
        pytest.skip(f"cannot run {binary}: {exc}")
    # The validator exits 0 even when it finds errors: its own SARIF log is what says so.
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert report_path.exists(), run.stdout + run.stderr
    report = json.loads(report_path.read_text(encoding="utf-8-sig"))
    findings = [r for run_ in report["runs"] for r in run_.get("results", [])]
    notifications = [
        n
        for run_ in report["runs"]
        for invocation in run_.get("invocations", [])
        for n in invocation.get("toolExecutionNotifications", []) + invocation.get("toolConfigurationNotifications", [])
        if n.get("level", "warning") == "error"
    ]
    problems = [r for r in findings if r.get("level", "warning") in ("error", "warning")]
    assert not notifications, notifications
    assert not problems, "\n".join(line for line in run.stdout.splitlines() if ": error " in line or ": warning " in line)
    assert all(run_["invocations"][0]["executionSuccessful"] for run_ in report["runs"])
    notes: Dict[str, int] = {}
    for r in findings:
        notes[r["ruleId"]] = notes.get(r["ruleId"], 0) + 1
    print("Sarif.Multitool validate: no errors or warnings; notes by rule:", notes)


def test_the_log_is_indented_with_each_result_on_one_line(tmp_path: Path) -> None:
    """Results are written by json's C encoder, one per line; the rest is indented by two spaces."""
    path = tmp_path / "ngrok.yml"
    path.write_text('version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 80\n'
                    "    schemes: [http, https]\n", encoding="utf-8")
    out = run_cli(["--isolated", "--format", "sarif", str(path)]).out
    log = json.loads(out)
    validate(log)
    results = results_of(log)
    assert len(results) >= 2
    lines = out.splitlines()
    shown = [json.loads(line.strip().rstrip(",")) for line in lines if line.lstrip().startswith('{"ruleId"')]
    assert shown == results
    assert '  "runs": [' in lines and out.endswith("}\n")
    empty = tmp_path / "clean.yml"
    empty.write_text('version: "2"\nlog_level: info\n', encoding="utf-8")
    clean = run_cli(["--isolated", "--format", "sarif", str(empty)]).out
    assert results_of(json.loads(clean)) == [] and '"results": []' in clean
