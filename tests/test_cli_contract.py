"""ruff's command-line contract, habit by habit (README "Command line"): what writes, what exits how,
what goes to stdout and what to stderr, short flags, colours, and the text output's source lines.
Every usage and configuration error is one line naming what to change, exit 2, nothing written.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from conftest import run_cli
from test_cli import INSECURE_V2
from test_cli import write as write_text

ONLY_SAFE = 'version: "2"\nweb_addr: 127.0.0.1:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [http, https]\n'
TOKEN = "2Nq8ZkVbXw5Rt3Lp9HyQe7Uc1Jd_4mFgTs6AoKiPv8WxYzBn"


def write(tmp_path: Path, name: str, text: str) -> Path:
    return Path(write_text(tmp_path, name, text))


# --- what exits how ------------------------------------------------------------------------------


def test_fix_exits_as_a_plain_run_on_the_fixed_file(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", ONLY_SAFE)
    result = run_cli([str(path), "--isolated", "--fix", "--select", "NGL101"])
    assert result.code == 0, result.out  # it fixed everything: nothing failing remains
    assert "[https]" in path.read_text() and "fixed 1 in 1 file" in result.out


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", ONLY_SAFE)
    assert run_cli([str(path), "--isolated", "--fix", "--exit-non-zero-on-fix", "--select", "NGL101"]).code == 1
    again = run_cli([str(path), "--isolated", "--fix", "--exit-non-zero-on-fix", "--select", "NGL101"])
    assert again.code == 0  # nothing changed this time


def test_fix_still_exits_one_when_failing_findings_remain(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    assert run_cli([str(path), "--isolated", "--fix", "--select", "NGL101,NGL201"]).code == 1


# --- configuration that does not parse ----------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, where",
    [
        ("pyproject.toml", '[project]\nname = "x"\n[tool.ngrok-lint]\nexclude = ["a",\n', ":5:1:"),
        ("pyproject.toml", '[tool.ngrok-lint]\nignore = [NGL201]\n', ":2:11:"),
        (".ngrok-lint.toml", 'select = ["NGL201"\n', ":2:1:"),
    ],
)
def test_a_project_config_that_does_not_parse_is_exit_two_with_line_and_column(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    target = write(tmp_path, "ngrok.yml", INSECURE_V2)
    config = write(tmp_path, name, text)
    result = run_cli([str(target), "--fix", "--unsafe-fixes"])
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"ngrok-lint: error: {config}{where}") and "TOML" in result.err
    assert result.err.count("\n") == 1
    assert target.read_text() == INSECURE_V2  # nothing written


def test_a_broken_pyproject_without_our_table_is_not_ours(tmp_path: Path) -> None:
    target = write(tmp_path, "ngrok.yml", 'version: "3"\nagent:\n  web_addr: 127.0.0.1:4040\n')
    write(tmp_path, "pyproject.toml", "[project\nname = 'x'\n")
    assert run_cli([str(target)]).code == 0


# --- the language server without its extra ------------------------------------------------------


def test_lsp_without_the_extra_is_exit_two_with_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # `import pygls` raises ImportError
    result = run_cli(["--lsp"])
    assert result.code == 2
    assert result.err == "ngrok-lint: error: --lsp needs the language-server extra: run `pip install 'ngrok-lint[lsp]'`\n"


# --- nothing to lint ----------------------------------------------------------------------------


def test_an_empty_folder_says_so_on_stderr(tmp_path: Path) -> None:
    write(tmp_path, "docs/readme.md", "# nothing here\n")
    result = run_cli([str(tmp_path), "--isolated"])
    assert result.code == 0
    assert result.err == f"ngrok-lint: warning: no ngrok config file found in {tmp_path} (name a file to lint it whatever its name)\n"


# --- --diff -------------------------------------------------------------------------------------


def test_diff_piped_into_git_apply_applies(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    write(repo, "ngrok.yml", INSECURE_V2)
    write(repo, "deploy/dev.ngrok.yml", ONLY_SAFE)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        result = run_cli(["--isolated", "--diff", "--unsafe-fixes", "--select", "NGL101,NGL201"])
        fixed = run_cli(["--isolated", "--diff", "--select", "NGL101,NGL201"])
    finally:
        os.chdir(cwd)
    assert result.code == 1 and result.err == "Would fix 3 findings in 2 files.\n"
    assert fixed.code == 1
    applied = subprocess.run(["git", "apply", "-v", "-"], cwd=repo, input=result.out, text=True, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert (repo / "ngrok.yml").read_text() == INSECURE_V2.replace("0.0.0.0", "127.0.0.1").replace("[http, https]", "[https]")
    assert "[https]" in (repo / "deploy" / "dev.ngrok.yml").read_text()
    after = run_cli([str(repo), "--isolated", "--diff", "--unsafe-fixes", "--select", "NGL101,NGL201"])
    assert after.code == 0 and after.out == ""


# --- short flags and empty values ---------------------------------------------------------------


def test_short_flags(tmp_path: Path) -> None:
    path = str(write(tmp_path, "ngrok.yml", INSECURE_V2))
    quiet, long_quiet = run_cli([path, "--isolated", "-q"]), run_cli([path, "--isolated", "--quiet"])
    assert quiet.out == long_quiet.out and quiet.code == 1
    silent = run_cli([path, "--isolated", "-s"])
    assert silent.code == 1 and silent.out == "" and silent.err == ""
    assert run_cli([path, "--isolated", "-e"]).code == 0
    helped = run_cli(["-h"])
    assert helped.code == 0 and "--exit-non-zero-on-fix" in helped.out


@pytest.mark.parametrize(
    "args, words",
    [
        (["--select", ""], "--select needs at least one rule code"),
        (["--select", " , "], "--select needs at least one rule code"),
        (["--ignore", ""], "--ignore needs at least one rule code"),
        (["--extend-select", ""], "--extend-select needs at least one rule code"),
        (["--explain", ""], "--explain needs a rule code or name"),
        (["--explain", " "], "--explain needs a rule code or name"),
        (["--format", "nope"], "argument --format: invalid choice"),
        (["--stdin-filename", "x.yml", "a.yml"], "--stdin-filename goes with reading stdin"),
        (["--config", "missing.toml"], "--config names no readable file"),
    ],
)
def test_usage_errors_are_one_line_exit_two_and_write_nothing(tmp_path: Path, args: List[str], words: str) -> None:
    path = write(tmp_path, "ngrok.yml", ONLY_SAFE)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_cli(["--fix", *args, str(path)] if "--stdin-filename" not in args else ["--fix", *args])
    finally:
        os.chdir(cwd)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("ngrok-lint: error: ") and words in result.err and result.err.count("\n") == 1
    assert path.read_text() == ONLY_SAFE


# --- stdin --------------------------------------------------------------------------------------


def test_an_excluded_stdin_file_is_echoed_unchanged_when_fixing(tmp_path: Path) -> None:
    write(tmp_path, ".ngrok-lint.toml", 'exclude = ["excluded"]\n')
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = run_cli(["--fix", "--force-exclude", "--stdin-filename", "excluded/ngrok.yml", "-"],
                         stdin=INSECURE_V2.encode())
        linted = run_cli(["--fix", "--force-exclude", "--stdin-filename", "included/ngrok.yml", "-"],
                         stdin=ONLY_SAFE.encode())
    finally:
        os.chdir(cwd)
    assert result.code == 0 and result.out == INSECURE_V2
    assert linted.out == ONLY_SAFE.replace("[http, https]", "[https]")


# --- the text output ----------------------------------------------------------------------------


def test_text_output_shows_the_source_line_with_a_marker_under_the_span(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    out = run_cli([str(path), "--isolated", "--select", "NGL201"]).out.splitlines()
    assert out[0].startswith(f"{path}:3:11: NGL201 [error] inspector-exposed: ")
    assert out[1:5] == [
        "  |",
        "3 | web_addr: 0.0.0.0:4040",
        "  |           ^^^^^^^^^^^^",
        "  |",
    ]
    assert out[5] == "" and out[6].startswith("Found 1 finding")


def test_concise_keeps_the_one_line_form(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", INSECURE_V2)
    out = run_cli([str(path), "--isolated", "--select", "NGL201", "--format", "concise"]).out.splitlines()
    assert len(out) == 2 and out[0].startswith(f"{path}:3:11: NGL201 [error]") and out[1].startswith("Found 1")


def test_the_source_line_masks_secrets(tmp_path: Path) -> None:
    text = f'version: "2"\nauthtoken: {TOKEN}\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    auth: "user:{TOKEN}"\n'
    path = write(tmp_path, "ngrok.yml", text)
    result = run_cli([str(path), "--isolated"])
    assert "NGL301" in result.out
    assert TOKEN[:12] not in result.out and TOKEN[-12:] not in result.out
    assert f"2 | authtoken: {TOKEN[:4]}…" in result.out


def test_the_marker_follows_a_masked_value(tmp_path: Path) -> None:
    text = f'version: "2"\nauthtoken: {TOKEN}  # committed\n'
    path = write(tmp_path, "ngrok.yml", text)
    out = run_cli([str(path), "--isolated", "--select", "NGL301"]).out.splitlines()
    line = next(i for i, l in enumerate(out) if l.startswith("2 | "))
    assert out[line] == f"2 | authtoken: {TOKEN[:4]}…  # committed"
    assert out[line + 1] == "  |            ^^^^^"


def test_a_long_line_is_cut_around_the_span(tmp_path: Path) -> None:
    text = 'version: "2"\nweb_addr: 0.0.0.0:4040  # ' + "x" * 5000 + "\n"
    out = run_cli([str(write(tmp_path, "ngrok.yml", text)), "--isolated", "--select", "NGL201"]).out
    assert max(len(line) for line in out.splitlines()[1:5]) < 200 and "…" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "env, flag, coloured",
    [
        ({}, [], True),
        ({"NO_COLOR": "1"}, [], False),
        ({"NO_COLOR": ""}, [], True),  # set but empty: no effect (no-color.org)
        ({"FORCE_COLOR": "1"}, [], True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, [], True),
        ({"FORCE_COLOR": "1"}, ["--color", "never"], False),
        ({"NO_COLOR": "1"}, ["--color", "always"], True),
    ],
)
def test_colours_follow_no_color_and_force_color(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict, flag: List[str], coloured: bool
) -> None:
    from ngrok_lint.cli import main

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    main([str(write(tmp_path, "ngrok.yml", INSECURE_V2)), "--isolated", *flag])
    assert ("\033[" in terminal.getvalue()) is coloured


def test_force_color_colours_a_pipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\033[" in run_cli([str(write(tmp_path, "ngrok.yml", INSECURE_V2)), "--isolated"]).out
    monkeypatch.delenv("FORCE_COLOR")
    assert "\033[" not in run_cli([str(write(tmp_path, "b/ngrok.yml", INSECURE_V2)), "--isolated"]).out


# --- nothing raw from a file reaches the terminal or the GitHub log -----------------------------

HOSTILE_KEY = 'version: "3"\nagent:\n  "evil\\e[2J\\a\\r\\n::error file=x::pwned": 1\n'


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_control_characters_from_a_file_are_escaped_in_text(tmp_path: Path, fmt: str) -> None:
    path = write(tmp_path, "ngrok.yml", HOSTILE_KEY)
    result = run_cli([str(path), "--isolated", "--format", fmt])
    assert "NGL002" in result.out
    for raw in ("\x1b", "\x07", "\r"):
        assert raw not in result.out
    assert not any(line.lstrip().startswith("::") for line in result.out.splitlines())
    assert "evil\\x1b[2J\\x07\\r\\n::error file=x::pwned" in result.out


def test_control_characters_and_workflow_commands_from_a_file_are_escaped_in_github(tmp_path: Path) -> None:
    path = write(tmp_path, "ngrok.yml", HOSTILE_KEY)
    out = run_cli([str(path), "--isolated", "--format", "github"]).out
    lines = out.splitlines()
    assert all(line.startswith("::") or line.startswith("Found ") for line in lines), out
    assert sum(1 for line in lines if line.startswith("::error file=x")) == 0
    for raw in ("\x1b", "\x07", "\r"):
        assert raw not in out
    assert "evil\\x1b[2J\\x07%0D%0A::error file=x::pwned" in out


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\x85", "\u2028"])
def test_the_source_line_is_the_line_yaml_counts(tmp_path: Path, brk: str) -> None:
    text = brk.join(['version: "2"', "tunnels: {}", "web_addr: 0.0.0.0:4040", ""])
    path = tmp_path / "ngrok.yml"
    path.write_bytes(text.encode("utf-8"))
    out = run_cli([str(path), "--isolated", "--select", "NGL201"]).out.splitlines()
    assert out[0].startswith(f"{path}:3:11: NGL201")
    assert out[2] == "3 | web_addr: 0.0.0.0:4040" and out[3] == "  |           ^^^^^^^^^^^^"
