"""The command line through `main([...])`: every flag and every exit code."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

DUPLICATE = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    addr: 81\n'
CLEAN = 'version: "3"\nagent:\n  web_addr: 127.0.0.1:4040\n'
UNUSED = 'version: "3"\nagent:\n  web_addr: 127.0.0.1:4040  # ngrok-lint: ignore[NGL999]\n'


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def test_version() -> None:
    from ngrok_lint import __version__

    result = run_cli(["--version"])
    assert result.code == 0 and result.out.strip() == f"ngrok-lint {__version__}"


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    result = run_cli([write(tmp_path, "ngrok.yml", CLEAN), "--isolated", "--select", "NGL0"])
    assert result.code == 0
    assert result.out.strip() == "No findings in 1 file."


def test_finding_line_format_and_exit_one(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    result = run_cli([path, "--isolated", "--select", "NGL004"])
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert first.startswith(f"{path}:6:5: NGL004 [error] duplicate-key: ")
    assert result.out.splitlines()[-1] == "Found 1 finding (1 error) in 1 of 1 file."


def test_json_format_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    result = run_cli([path, "--isolated", "--select", "NGL004", "--format", "json"])
    data = result.json()
    assert data["version"] == 1 and result.code == 1
    assert data["files"] == [{"path": path, "findings": 1, "changed": False}]
    (item,) = data["findings"]
    assert {k: item[k] for k in ("code", "name", "severity", "line", "column", "yaml_path", "fix", "suppressed")} == {
        "code": "NGL004", "name": "duplicate-key", "severity": "error", "line": 6, "column": 5,
        "yaml_path": "tunnels.web.addr", "fix": None, "suppressed": False,
    }
    assert item["url"].endswith("#ngl004-duplicate-key")
    assert data["summary"]["findings"] == 1 and data["summary"]["files"] == 1


@pytest.mark.parametrize(
    "flags, expected",
    [
        (["--select", "NGL004"], {"NGL004"}),
        (["--select", "duplicate-key"], {"NGL004"}),
        (["--select", "NGL0"], {"NGL004", "NGL008"}),
        (["--select", "NGL0", "--ignore", "NGL008"], {"NGL004"}),
        (["--select", "NGL004,NGL008"], {"NGL004", "NGL008"}),
        (["--select", "NGL004", "--extend-select", "unused-suppression"], {"NGL004", "NGL008"}),
    ],
)
def test_selection(tmp_path: Path, flags, expected) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE + "# ngrok-lint: ignore-file[NGL999]\n")
    result = run_cli([path, "--isolated", "--format", "json", *flags])
    assert {f["code"] for f in result.json()["findings"]} == expected


def test_unknown_rule_in_select_is_usage_error(tmp_path: Path) -> None:
    result = run_cli([write(tmp_path, "ngrok.yml", CLEAN), "--select", "NGL999"])
    assert result.code == 2 and "unknown rule 'NGL999'" in result.err


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", UNUSED)  # NGL008 is info: does not fail by default
    assert run_cli([path, "--isolated", "--select", "NGL008"]).code == 0
    assert run_cli([path, "--isolated", "--select", "NGL008", "--fail-on", "info"]).code == 1
    dup = write(tmp_path, "b/ngrok.yml", DUPLICATE)
    assert run_cli([dup, "--isolated", "--select", "NGL004", "--exit-zero"]).code == 0
    assert run_cli([dup, "--isolated", "--select", "NGL004", "--fail-on", "error"]).code == 1


def test_missing_path_is_exit_two_and_others_still_linted(tmp_path: Path) -> None:
    dup = write(tmp_path, "ngrok.yml", DUPLICATE)
    result = run_cli([str(tmp_path / "nope.yml"), dup, "--isolated", "--select", "NGL004"])
    assert result.code == 2
    assert "nope.yml: error: no such file or directory" in result.out
    assert "NGL004" in result.out and "Traceback" not in result.out + result.err


def test_directory_discovery(tmp_path: Path) -> None:
    write(tmp_path, "ngrok.yml", DUPLICATE)
    write(tmp_path, "sub/.ngrok2/ngrok.yml", DUPLICATE)
    write(tmp_path, "deploy/ngrok-prod.yaml", DUPLICATE)
    write(tmp_path, "node_modules/x/ngrok.yml", DUPLICATE)
    write(tmp_path, ".venv/pyvenv.cfg", "")
    write(tmp_path, ".venv/ngrok.yml", DUPLICATE)
    write(tmp_path, "docs/other.yml", DUPLICATE)
    result = run_cli([str(tmp_path), "--isolated", "--select", "NGL004", "--format", "json"])
    paths = sorted(os.path.relpath(f["path"], tmp_path) for f in result.json()["files"])
    assert paths == ["deploy/ngrok-prod.yaml", "ngrok.yml", "sub/.ngrok2/ngrok.yml"]


def test_explicit_file_is_linted_whatever_its_name(tmp_path: Path) -> None:
    path = write(tmp_path, "whatever.txt", DUPLICATE)
    assert run_cli([path, "--isolated", "--select", "NGL004"]).code == 1


def test_stdin_with_filename(tmp_path: Path) -> None:
    result = run_cli(["-", "--stdin-filename", "conf/ngrok.yml", "--isolated", "--select", "NGL004"],
                     stdin=DUPLICATE.encode())
    assert result.code == 1 and result.out.startswith("conf/ngrok.yml:6:5: NGL004")


def test_stdin_without_filename() -> None:
    result = run_cli(["-", "--isolated", "--select", "NGL004"], stdin=DUPLICATE.encode())
    assert result.out.startswith("-:6:5: NGL004")


def test_quiet_hides_info_and_clean_summary(tmp_path: Path) -> None:
    assert run_cli([write(tmp_path, "ngrok.yml", CLEAN), "--isolated", "--quiet", "--select", "NGL0"]).out == ""
    out = run_cli([write(tmp_path, "b/ngrok.yml", UNUSED), "--isolated", "--quiet", "--select", "NGL008"]).out
    assert "NGL008" not in out


def test_statistics_in_ruffs_shape(tmp_path: Path) -> None:
    """count, code, fixable mark (`[*]` all, `[ ]` none; no marks when nothing is fixable), name."""
    result = run_cli([write(tmp_path, "ngrok.yml", DUPLICATE), "--isolated", "--select", "NGL004", "--statistics"])
    assert result.out.splitlines()[0] == "1\tNGL004\tduplicate-key"
    assert "NGL004 [error]" not in result.out  # the table replaces the findings
    mixed = write(tmp_path, "b/ngrok.yml", DUPLICATE.replace("addr: 80", "addr: 80\n    schemes: [http, https]"))
    rows = run_cli([mixed, "--isolated", "--select", "NGL004,NGL101", "--statistics"]).out.splitlines()
    assert rows[:2] == ["1\tNGL004\t[ ] duplicate-key", "1\tNGL101\t[*] http-scheme"]


def test_color(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    assert "\033[" in run_cli([path, "--isolated", "--select", "NGL004", "--color", "always"]).out
    assert "\033[" not in run_cli([path, "--isolated", "--select", "NGL004", "--color", "never"]).out


def test_list_rules_text_and_json() -> None:
    from ngrok_lint import registry

    text = run_cli(["--list-rules"])
    assert text.code == 0 and all(m.code in text.out for m in registry.rules())
    data = json.loads(run_cli(["--list-rules", "--format", "json"]).out)
    assert [r["code"] for r in data] == [m.code for m in registry.rules()]


def test_explain_by_code_and_name() -> None:
    by_code = run_cli(["--explain", "NGL004"])
    by_name = run_cli(["--explain", "duplicate-key"])
    assert by_code.code == 0 and by_code.out == by_name.out and "## What it does" in by_code.out
    missing = run_cli(["--explain", "nope"])
    assert missing.code == 2 and "no rule `nope`" in missing.err


def test_bad_flag_is_usage_error() -> None:
    result = run_cli(["--no-such-flag"])
    assert result.code == 2 and "unrecognized arguments" in result.err


def test_project_config_applies_and_isolated_ignores_it(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    write(tmp_path, ".ngrok-lint.toml", 'ignore = ["duplicate-key"]\n')
    assert run_cli([path, "--select", "NGL004"]).code == 1  # a command-line --select starts afresh
    assert run_cli([path]).out.count("NGL004") == 0
    assert run_cli([path, "--isolated"]).out.count("NGL004") == 1


def test_pyproject_table_and_config_flag(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    write(tmp_path, "pyproject.toml", '[tool.ngrok-lint]\nfail-on = "error"\nignore = ["NGL004"]\n')
    assert "NGL004" not in run_cli([path]).out
    other = write(tmp_path, "other/strict.toml", 'select = ["NGL004"]\n')
    assert "NGL004" in run_cli([path, "--config", other]).out


@pytest.mark.parametrize(
    "config, words",
    [
        ('selct = ["NGL004"]\n', ["key `selct`", "did you mean `select`"]),
        ('fail-on = "bad"\n', ["key `fail-on`"]),
        ('min-tls-version = 1.3\n', ["key `min-tls-version`", "quoted"]),
        ('sensitive-ports = [0]\n', ["key `sensitive-ports`"]),
        ('connect-url = "nope"\n', ["key `connect-url`"]),
        ('select = ["NGL999"]\n', ["key `select`", "unknown rule"]),
        ('per-file-ignores = { "a/*" = "NGL004" }\n', ["per-file-ignores.a/*"]),
        ("not toml [\n", ["not valid TOML"]),
    ],
)
def test_invalid_config_is_exit_two_naming_file_and_key(tmp_path: Path, config: str, words) -> None:
    path = write(tmp_path, "ngrok.yml", CLEAN)
    cfg = write(tmp_path, ".ngrok-lint.toml", config)
    result = run_cli([path])
    assert result.code == 2 and cfg in result.err
    for word in words:
        assert word in result.err
    assert "Traceback" not in result.err


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    write(tmp_path, ".ngrok-lint.toml", 'per-file-ignores = { "legacy/*" = ["NGL004"] }\nexclude = ["vendor"]\n')
    a = write(tmp_path, "legacy/ngrok.yml", DUPLICATE)
    b = write(tmp_path, "vendor/ngrok.yml", DUPLICATE)
    c = write(tmp_path, "app/ngrok.yml", DUPLICATE)
    data = run_cli([str(tmp_path), "--select", "NGL004", "--format", "json"]).json()
    assert {os.path.relpath(f["path"], tmp_path) for f in data["findings"]} == {"app/ngrok.yml"}
    assert b not in [f["path"] for f in data["files"]]
    # Named explicitly, an excluded file is linted, unless --force-exclude.
    assert run_cli([b, "--select", "NGL004"]).code == 1
    assert run_cli([b, "--select", "NGL004", "--force-exclude"]).out.strip() == "No findings in 0 files."
    assert a and c


def test_suppressions_counted_and_no_suppressions(tmp_path: Path) -> None:
    text = DUPLICATE.replace("addr: 81", "addr: 81  # ngrok-lint: ignore[NGL004] demo")
    path = write(tmp_path, "ngrok.yml", text)
    result = run_cli([path, "--isolated", "--select", "NGL004"])
    assert result.code == 0 and "1 suppressed" in result.out
    data = run_cli([path, "--isolated", "--select", "NGL004", "--format", "json"]).json()
    assert data["findings"][0]["suppressed"] is True and data["findings"][0]["suppression_reason"] == "demo"
    assert data["summary"]["suppressed"] == 1 and data["summary"]["findings"] == 0
    assert run_cli([path, "--isolated", "--select", "NGL004", "--no-suppressions"]).code == 1


def test_suppression_on_line_above_and_file_wide(tmp_path: Path) -> None:
    above = DUPLICATE.replace("    addr: 81", "    # ngrok-lint: ignore[duplicate-key]\n    addr: 81")
    assert run_cli([write(tmp_path, "a/ngrok.yml", above), "--isolated", "--select", "NGL004"]).code == 0
    whole = "# ngrok-lint: ignore-file\n" + DUPLICATE
    assert run_cli([write(tmp_path, "b/ngrok.yml", whole), "--isolated", "--select", "NGL004"]).code == 0


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", []),
        (b"# only a comment\n", []),
        (b"- a\n- b\n", []),
        (b"just a string\n", []),
        (b"key: [unclosed\n", ["NGL001"]),
        (b"\xff\xfe\x00", ["NGL001"]),
        (b"version: 2\nauthtoken: \xe9t\xe9\n", ["NGL001", "not valid UTF-8"]),
        (b"a: 1\x00\n", ["NGL001"]),
    ],
)
def test_bad_input_never_tracebacks(tmp_path: Path, content: bytes, words) -> None:
    path = tmp_path / "ngrok.yml"
    path.write_bytes(content)
    result = run_cli([str(path), "--isolated"])
    assert result.code in (0, 1) and "Traceback" not in result.out + result.err
    for word in words:
        assert word in result.out


def test_directory_given_as_stdin_name_is_error(tmp_path: Path) -> None:
    result = run_cli([str(tmp_path / "a"), "--stdin-filename", "x.yml"])
    assert result.code == 2 and "--stdin-filename" in result.err


def test_example_config_has_findings() -> None:
    result = run_cli([str(ROOT / "examples" / "ngrok.yml"), "--isolated"])
    assert result.code == 1 and "NGL201" in result.out and "NGL101" in result.out


INSECURE_V2 = """\
# staging tunnels
version: "2"
web_addr: 0.0.0.0:4040
tunnels:
    web:
        proto: http
        addr: 8080
        schemes: [http, https]  # keep both for now
"""


def test_fix_applies_safe_fixes_only_and_exits_one(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    result = run_cli([path, "--isolated", "--fix", "--select", "NGL101,NGL201"])
    assert result.code == 1
    assert Path(path).read_text() == INSECURE_V2.replace("[http, https]", "[https]")
    assert "fixed 1 in 1 file" in result.out and "NGL201" in result.out and "NGL101" not in result.out
    again = run_cli([path, "--isolated", "--fix", "--select", "NGL101"])
    assert again.code == 0 and Path(path).read_text() == INSECURE_V2.replace("[http, https]", "[https]")


def test_unsafe_fixes(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    result = run_cli([path, "--isolated", "--fix", "--unsafe-fixes", "--select", "NGL101,NGL201"])
    assert result.code == 0
    assert Path(path).read_text() == INSECURE_V2.replace("[http, https]", "[https]").replace("0.0.0.0", "127.0.0.1")


def test_unsafe_fixes_alone_writes_nothing_and_shows_the_fixes(tmp_path: Path) -> None:
    """ruff's contract: only --fix writes; --unsafe-fixes alone shows unsafe fixes as available."""
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    os.utime(path, (1_000_000, 1_000_000))
    result = run_cli([path, "--isolated", "--unsafe-fixes", "--select", "NGL101,NGL201"])
    assert result.code == 1 and Path(path).read_text() == INSECURE_V2 and os.stat(path).st_mtime == 1_000_000
    assert "NGL201 [error] inspector-exposed" in result.out and "NGL101" in result.out
    assert "1 fixable with --fix; 1 fixable with --fix --unsafe-fixes" in result.out


def test_diff_writes_nothing_and_prints_only_the_patch(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    result = run_cli([path, "--isolated", "--diff", "--select", "NGL101"])
    assert result.code == 1 and Path(path).read_text() == INSECURE_V2
    assert result.out.startswith("--- a/") and "NGL101" not in result.out  # the patch, nothing else
    assert "-        schemes: [http, https]  # keep both for now" in result.out
    assert "+        schemes: [https]  # keep both for now" in result.out
    assert result.err == "Would fix 1 finding in 1 file.\n"
    clean = run_cli([path, "--isolated", "--diff", "--select", "NGL004"])
    assert clean.code == 0 and clean.out == "" and clean.err == "No fixes to apply.\n"


def test_fix_from_stdin_prints_the_fixed_file(tmp_path: Path) -> None:
    result = run_cli(["-", "--stdin-filename", "ngrok.yml", "--isolated", "--fix", "--select", "NGL101"],
                     stdin=INSECURE_V2.encode())
    assert result.out == INSECURE_V2.replace("[http, https]", "[https]")
    unchanged = run_cli(["-", "--isolated", "--fix", "--select", "NGL004"], stdin=INSECURE_V2.encode())
    assert unchanged.out == INSECURE_V2


def test_output_file(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", DUPLICATE)
    report = tmp_path / "report.json"
    result = run_cli([path, "--isolated", "--select", "NGL004", "--format", "json", "--output", str(report)])
    assert result.code == 1 and result.out == ""
    assert json.loads(report.read_text())["findings"][0]["code"] == "NGL004"


def test_github_is_default_under_github_actions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli([write(tmp_path, "ngrok.yml", DUPLICATE), "--isolated", "--select", "NGL004"])
    assert result.out.startswith("::error file=")
    assert run_cli([write(tmp_path, "b/ngrok.yml", DUPLICATE), "--isolated", "--select", "NGL004",
                    "--format", "text"]).out.startswith(str(tmp_path))
