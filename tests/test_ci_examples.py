"""The CI examples of docs/ci.md: valid GitHub workflows (SchemaStore's schema, as vendored by
check-jsonschema, offline), and their `run:` commands work on a sample repository."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import jsonschema
import pytest
import yaml

from conftest import ROOT

DOC = (ROOT / "docs" / "ci.md").read_text("utf-8")
README = (ROOT / "README.md").read_text("utf-8")
INSECURE = 'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'


def _workflows() -> Dict[str, str]:
    """{file name: YAML} for each workflow the doc gives (the block after a `.github/workflows/` line)."""
    found = dict(re.findall(r"`\.github/workflows/([\w.-]+\.yml)`:\s*\n\s*```yaml\n(.*?)```", DOC, re.S))
    assert set(found) == {"ngrok-lint.yml", "pre-commit.yml", "ngrok-lint-action.yml"}, found.keys()
    return found


def _check_jsonschema(schema: str, files: List[Path]) -> subprocess.CompletedProcess:
    if shutil.which("check-jsonschema") is None and not _has_module("check_jsonschema"):
        pytest.skip("check-jsonschema is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, files)],
        capture_output=True, text=True, timeout=120,
    )


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _steps(workflow: str) -> List[dict]:
    data = yaml.safe_load(workflow)
    (job,) = data["jobs"].values()
    return job["steps"]


def _run_step(workflow: str, name: str) -> str:
    return next(step["run"] for step in _steps(workflow) if step.get("name") == name)


def test_workflows_are_valid_against_schemastores_workflow_schema(tmp_path: Path) -> None:
    files = []
    for name, text in _workflows().items():
        path = tmp_path / name
        path.write_text(text, "utf-8")
        files.append(path)
    result = _check_jsonschema("vendor.github-workflows", files)
    assert result.returncode == 0, result.stdout + result.stderr
    # The same check refuses a broken workflow (a step with neither `run` nor `uses`).
    broken = tmp_path / "broken.yml"
    broken.write_text(_workflows()["ngrok-lint.yml"].replace("run: ngrok-lint", "runs: ngrok-lint"), "utf-8")
    assert _check_jsonschema("vendor.github-workflows", [broken]).returncode == 1


def test_sarif_workflow_uploads_what_the_lint_step_writes() -> None:
    workflow = _workflows()["ngrok-lint.yml"]
    data = yaml.safe_load(workflow)
    (job,) = data["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert upload["if"] == "always()"
    lint = shlex.split(_run_step(workflow, "Lint ngrok configs"))
    assert lint[lint.index("--output") + 1] == upload["with"]["sarif_file"]
    install = _run_step(workflow, "Install ngrok-lint")
    assert "git+https://git.example.com/your-team/ngrok-lint.git@v" in install  # the README's placeholder


def test_sarif_workflow_lint_step_runs_and_writes_valid_sarif(tmp_path: Path) -> None:
    """The lint step's command, as the runner runs it in the checked-out repository."""
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "ngrok.yml").write_text(INSECURE, "utf-8")
    (repo / "other.yml").write_text("a: 1\n", "utf-8")
    argv = shlex.split(_run_step(_workflows()["ngrok-lint.yml"], "Lint ngrok configs"))
    assert argv[0] == "ngrok-lint"
    env = {**os.environ, "GITHUB_ACTIONS": "true", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "ngrok_lint", *argv[1:]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # findings remain: the job fails, upload still runs
    sarif = json.loads((repo / "ngrok-lint.sarif").read_text("utf-8"))
    schema = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"NGL201"}
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for r in results for loc in r["locations"]}
    assert uris == {"deploy/ngrok.yml"}


def test_pre_commit_workflow_runs_every_hook_on_every_file(tmp_path: Path) -> None:
    """The job's last step, in a repository whose pre-commit config is the README's `repo: local` form
    (ngrok-lint on PATH, as after `pip install`)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not _has_module("pre_commit"):
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    workflow = _workflows()["pre-commit.yml"]
    command = shlex.split(_run_step(workflow, "Run every hook on every file"))
    assert command[:3] == ["pre-commit", "run", "--all-files"]
    section = README.split("## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    local = next(b for b in re.findall(r"```yaml\n(.*?)```", section, re.S) if "repo: local" in b)

    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "ngrok-lint"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ngrok_lint "$@"\n', "utf-8")
    shim.chmod(0o755)
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "ngrok.yml").write_text(INSECURE, "utf-8")
    (repo / "other.yml").write_text("a: 1\n", "utf-8")
    (repo / ".pre-commit-config.yaml").write_text(local, "utf-8")
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT),
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    env.pop("GITHUB_ACTIONS", None)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=repo, check=True, env=env)
    proc = subprocess.run([sys.executable, "-m", "pre_commit", *command[1:]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert re.search(r"deploy/ngrok\.yml:2:\d+: NGL201", output), output
    assert "other.yml" not in output and "Traceback" not in output
    (repo / "deploy" / "ngrok.yml").write_text('version: "2"\ntunnels: {}\n', "utf-8")
    clean = subprocess.run([sys.executable, "-m", "pre_commit", *command[1:]], cwd=repo, env=env,
                           capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stdout + clean.stderr


# --- the composite action ------------------------------------------------------------------------

ACTION = ROOT / "action.yml"


def test_action_is_valid_against_schemastores_action_schema(tmp_path: Path) -> None:
    result = _check_jsonschema("vendor.github-actions", [ACTION])
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "action.yml"
    broken.write_text(ACTION.read_text("utf-8").replace("using: composite", "using: compose"), "utf-8")
    assert _check_jsonschema("vendor.github-actions", [broken]).returncode == 1
    workflow = yaml.safe_load(_workflows()["ngrok-lint-action.yml"])
    (job,) = workflow["jobs"].values()
    step = next(s for s in job["steps"] if s.get("id") == "ngrok-lint")
    inputs = yaml.safe_load(ACTION.read_text("utf-8"))["inputs"]
    assert set(step["with"]) <= set(inputs), "the docs' workflow passes inputs the action has"


_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def _evaluate(value: str, inputs: Dict[str, str], action_path: Path) -> str:
    """The two expressions the action's step environments use; any other fails the test."""

    def one(match: "re.Match[str]") -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(action_path)
        if expression.startswith("inputs."):
            return inputs[expression[len("inputs."):]]
        raise AssertionError(f"the local runner does not evaluate {expression!r}")

    return _EXPRESSION.sub(one, value)


def _run_action_steps(action: dict, inputs: Dict[str, str], repo: Path, runner_temp: Path, action_path: Path,
                      only: Optional[str] = None) -> Tuple[List[subprocess.CompletedProcess], Dict[str, str]]:
    """Each `run:` step as the runner runs a `shell: bash` step: `bash --noprofile --norc -eo pipefail`."""
    given = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    given.update(inputs)
    output_file = runner_temp / "github_output"
    output_file.write_text("", "utf-8")
    results = []
    for step in action["runs"]["steps"]:
        assert "uses" not in step, "every step of the action runs locally"
        assert step["shell"] == "bash"
        if only is not None and step.get("name") != only:
            continue
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GITHUB_ACTIONS")}
        env.update(RUNNER_TEMP=str(runner_temp), GITHUB_OUTPUT=str(output_file), GITHUB_ACTIONS="true")
        env.update({name: _evaluate(str(value), given, action_path) for name, value in step.get("env", {}).items()})
        script = runner_temp / "step.sh"
        script.write_text(_evaluate(step["run"], given, action_path), "utf-8")
        results.append(subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=repo,
                                      env=env, capture_output=True, text=True, timeout=600))
    outputs = dict(line.split("=", 1) for line in output_file.read_text("utf-8").splitlines() if "=" in line)
    return results, outputs


def test_action_steps_run_locally_sarif_then_annotations(tmp_path: Path) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    action = yaml.safe_load(ACTION.read_text("utf-8"))
    repo = tmp_path / "repo"
    (repo / "deploy").mkdir(parents=True)
    (repo / "deploy" / "ngrok.yml").write_text(INSECURE, "utf-8")
    (repo / "other.yml").write_text("a: 1\n", "utf-8")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    # The action's checkout: this repository's files, without what a build or a test run leaves.
    action_path = tmp_path / "action"
    shutil.copytree(ROOT, action_path, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache", ".hypothesis", ".benchmarks"))
    python = {"python": sys.executable}
    (install, lint), outputs = _run_action_steps(action, python, repo, runner_temp, action_path)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    assert lint.returncode == 1, lint.stdout + lint.stderr  # findings remain: the step fails the job
    assert outputs == {"sarif-file": "ngrok-lint.sarif"}
    sarif = json.loads((repo / "ngrok-lint.sarif").read_text("utf-8"))
    jsonschema.Draft7Validator(json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text("utf-8"))).validate(sarif)
    assert "NGL201" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    # The installed copy is the action's own (the venv's), not this test process's.
    where = subprocess.run([str(runner_temp / "ngrok-lint-venv" / "bin" / "python"), "-c",
                            "import ngrok_lint; print(ngrok_lint.__file__)"], capture_output=True, text=True, timeout=60,
                           cwd=tmp_path)
    assert str(runner_temp / "ngrok-lint-venv") in where.stdout
    # No SARIF file: annotations in the log, with options from `args` and the paths given.
    (again,), outputs = _run_action_steps(
        action, {**python, "sarif-file": "", "args": "--fail-on error", "paths": "deploy"}, repo, runner_temp,
        action_path, only="Lint ngrok configs",
    )
    assert again.returncode == 1, again.stdout + again.stderr
    assert outputs == {"sarif-file": ""}
    assert re.search(r"^::error file=deploy/ngrok\.yml,line=2,", again.stdout, re.M), again.stdout
