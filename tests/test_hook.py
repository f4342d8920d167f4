"""The real pre-commit running both hooks from this checkout (`pre-commit try-repo`) on a
temporary git repository: an insecure config in a subfolder and a YAML file that is no ngrok config.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, needs_git_checkout

from ngrok_lint.discovery import FILE_PATTERN

INSECURE = """\
# ngrok agent config for the demo environment
version: "2"
tunnels:
    web:
        proto: http
        addr: 8080
        addr: 8081
        inspect: false  # ngrok-lint: ignore[NGL999]
"""
NOT_NGROK = "tunnels:\n  web:\n    addr: 1\n    addr: 2\n"


def test_hook_files_pattern_is_the_discovery_pattern() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"ngrok-lint", "ngrok-lint-fix"}
    for hook in hooks:
        assert hook["files"] == FILE_PATTERN
        assert hook["language"] == "python" and hook["require_serial"] is True
    # Only the fixes of findings that fail the run: the fix hook never fails a commit the check
    # hook passes (product.md, "The pre-commit hook").
    assert next(h for h in hooks if h["id"] == "ngrok-lint-fix")["entry"].split()[:2] == ["ngrok-lint", "--fix-failing"]
    for hook in hooks:  # pre-commit appends the file names: none of them may be read as an option
        assert hook["entry"].split()[-1] == "--", hook["id"]


def _pre_commit() -> list:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    return [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "ngrok.yml").write_text(INSECURE)
    (repo / "other.yml").write_text(NOT_NGROK)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return repo


def _try_repo(repo: Path, hook: str, home: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": home}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [*_pre_commit(), "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )


@needs_git_checkout
def test_check_hook_fails_on_the_config_and_never_sees_other_yaml(tmp_path: Path, pre_commit_home: str) -> None:
    repo = _repo(tmp_path)
    result = _try_repo(repo, "ngrok-lint", pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"deploy/ngrok\.yml:7:9: NGL004 \[error\] duplicate-key", output), output
    assert "other.yml" not in output
    assert "Traceback" not in output


FIXABLE = """\
version: "2"
authtoken: ${NGROK_AUTHTOKEN}
tunnels:
  web:
    proto: http
    addr: 8080
    inspect: false  # ngrok-lint: ignore[NGL999]
"""
# Passes the check hook: its only findings are infos, and NGL103's has a safe fix that plain
# `--fix` would apply (a `terminate-tls` pin).
PASSES = """\
version: "3"
endpoints:
  - name: web
    url: https://web.example.com
    upstream:
      url: 8080
"""


def _commit_repo(tmp_path: Path, files: dict) -> Path:
    repo = tmp_path / "repo"
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    return repo


@needs_git_checkout
def test_fix_hook_fixes_what_fails_and_fails_because_it_changed_a_file(tmp_path: Path, pre_commit_home: str) -> None:
    repo = _commit_repo(tmp_path, {"deploy/ngrok.yml": FIXABLE, "other.yml": NOT_NGROK})
    result = _try_repo(repo, "ngrok-lint-fix", pre_commit_home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "files were modified by this hook" in output
    fixed = (repo / "deploy" / "ngrok.yml").read_text()
    # NGL006 (a warning: it fails the run) is fixed; NGL008's dead suppression (an info) is not.
    assert fixed == FIXABLE.replace("authtoken: ${NGROK_AUTHTOKEN}\n", "")
    assert (repo / "other.yml").read_text() == NOT_NGROK


@needs_git_checkout
def test_fix_hook_never_modifies_a_file_the_check_hook_passes(tmp_path: Path, pre_commit_home: str) -> None:
    repo = _commit_repo(tmp_path, {"ngrok.yml": PASSES})
    check = _try_repo(repo, "ngrok-lint", pre_commit_home)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "NGL103" in check.stdout + check.stderr  # reported (an info), with a fix plain --fix applies
    fix = _try_repo(repo, "ngrok-lint-fix", pre_commit_home)
    output = fix.stdout + fix.stderr
    assert fix.returncode == 0, output
    assert "files were modified by this hook" not in output
    assert (repo / "ngrok.yml").read_text() == PASSES
    plain = subprocess.run([sys.executable, "-m", "ngrok_lint", "--fix", "ngrok.yml"], cwd=repo,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert plain.returncode == 0 and "min_version" in (repo / "ngrok.yml").read_text()  # plain --fix: every safe fix


@needs_git_checkout
def test_a_file_name_is_never_read_as_an_option(tmp_path: Path, pre_commit_home: str) -> None:
    """A committed file named `--output=prod.ngrok.yml` (it matches the hooks' `files` pattern) is
    linted as a file: neither hook writes the report over `prod.ngrok.yml`."""
    repo = _repo(tmp_path)
    clean = 'version: "3"\nagent:\n  web_addr: 127.0.0.1:4040\n'
    (repo / "prod.ngrok.yml").write_text(clean)
    (repo / "--output=prod.ngrok.yml").write_text(INSECURE)
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    for args in (["add", "-A"], ["commit", "-qm", "hostile name"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    for hook in ("ngrok-lint", "ngrok-lint-fix"):
        result = _try_repo(repo, hook, pre_commit_home)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert (repo / "prod.ngrok.yml").read_text() == clean, f"{hook} wrote over prod.ngrok.yml"
        assert "--output=prod.ngrok.yml:7:9: NGL004 [error] duplicate-key" in output, output
        assert "Traceback" not in output
