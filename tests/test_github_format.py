"""GitHub Actions annotations, and `--output FILE` for every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

DUPLICATE = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    addr: 81\n'


def test_escaping_follows_the_workflow_command_rules() -> None:
    from ngrok_lint.reporters.github_format import annotation, escape_data, escape_property

    assert escape_data("100% a\r\nb: c, d") == "100%25 a%0D%0Ab: c, d"
    assert escape_property("100% a\r\nb: c, d") == "100%25 a%0D%0Ab%3A c%2C d"
    assert annotation("error", "x:y,z", file="a,b:c.yml", line=3, title="NGL1 n") == (
        "::error file=a%2Cb%3Ac.yml,line=3,title=NGL1 n::x:y,z"
    )
    # `%` first, so that an escape is never escaped twice.
    assert escape_property("%3A") == "%253A"


def test_one_annotation_per_finding_with_positions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(DUPLICATE, encoding="utf-8")
    result = run_cli(["--format", "github", "--isolated", "--select", "NGL004", "ngrok.yml"])
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "::error file=ngrok.yml,line=6,col=5,endLine=6,endColumn=9,title=NGL004 duplicate-key::"
    )
    assert "addr" in lines[0]
    assert not lines[-1].startswith("::") and lines[-1].startswith("Found 1 finding")
    assert len(lines) == 2


def test_severities_map_to_error_warning_notice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ngrok_lint.model import FileResult, Finding, Severity, Span
    from ngrok_lint.reporters import RenderOptions, Run
    from ngrok_lint.reporters.github_format import render

    span = Span(2, 3, 2, 7)
    findings = [
        Finding("NGL201", "inspector-exposed", Severity.ERROR, "e", span),
        Finding("NGL102", "plaintext-upstream", Severity.WARNING, "w", span),
        Finding("NGL203", "no-access-control", Severity.INFO, "i: 100%,\nnext", span),
        Finding("NGL101", "http-scheme", Severity.ERROR, "hidden", span, suppressed=True),
    ]
    out = render(Run([FileResult("dir,1/ngrok:x.yml", findings)]), RenderOptions()).splitlines()
    assert [line.split(" ", 1)[0] for line in out[:3]] == ["::error", "::warning", "::notice"]
    assert out[0] == "::error file=dir%2C1/ngrok%3Ax.yml,line=2,col=3,endLine=2,endColumn=7,title=NGL201 inspector-exposed::e"
    assert out[2].endswith("::i: 100%25,%0Anext")
    assert not any("hidden" in line for line in out), "suppressed findings are not annotated"
    assert len(out) == 4 and "1 suppressed" in out[3]


def test_suppressed_findings_are_not_printed_but_counted() -> None:
    path = FIXTURES / "rules" / "NGL008" / "pass-used-suppression.yml"
    result = run_cli(["--format", "github", "--isolated", "--select", "NGL004,NGL008", str(path)])
    assert result.code == 0
    assert "::" not in result.out
    assert "1 suppressed" in result.out


def test_file_errors_are_error_annotations(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yml"
    result = run_cli(["--format", "github", str(missing)])
    assert result.code == 2
    assert result.out.splitlines()[0].startswith(f"::error file={missing},title=ngrok-lint::")


def test_github_is_the_default_under_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (tmp_path / "ngrok.yml").write_text(DUPLICATE, encoding="utf-8")
    result = run_cli(["--isolated", "--select", "NGL004", "ngrok.yml"])
    assert result.out.startswith("::error file=ngrok.yml,")
    explicit = run_cli(["--isolated", "--select", "NGL004", "--format", "text", "ngrok.yml"])
    assert explicit.out.startswith("ngrok.yml:6:5: NGL004")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_output_file_for_every_format(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "ngrok.yml").write_text(DUPLICATE, encoding="utf-8")
    report = tmp_path / "out" / f"report.{fmt}"
    report.parent.mkdir()
    result = run_cli(["--format", fmt, "--output", str(report), "--isolated", "--select", "NGL004", "ngrok.yml"])
    assert result.code == 1, result.err
    assert result.out == "", "the report goes to the file, not to stdout"
    written = report.read_text(encoding="utf-8")
    same = run_cli(["--format", fmt, "--isolated", "--select", "NGL004", "ngrok.yml"]).out
    assert written == same
    if fmt == "json":
        assert json.loads(written)["findings"][0]["code"] == "NGL004"
    elif fmt == "sarif":
        assert json.loads(written)["runs"][0]["results"][0]["ruleId"] == "NGL004"
    elif fmt == "github":
        assert written.startswith("::error file=ngrok.yml,line=6,")
    else:
        assert written.startswith("ngrok.yml:6:5: NGL004")
        assert "\033[" not in written, "no colour in a file"


def test_output_file_that_cannot_be_written_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(DUPLICATE, encoding="utf-8")
    result = run_cli(["--format", "github", "--output", str(tmp_path / "no" / "such" / "dir.txt"), "ngrok.yml"])
    assert result.code == 2
    assert "cannot write" in result.err
