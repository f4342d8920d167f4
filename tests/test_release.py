"""A release someone can pin: one home, one version, a changelog, and the release step run for real.

The build tests run `python -m build` (the sdist, then the wheel built from the unpacked sdist, as
`docs/release.md` says), `twine check --strict` on both, install the wheel in a fresh virtual
environment and run the README's example there, and run part of this suite from the unpacked sdist,
which has no `.git`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import ROOT, run_cli

from ngrok_lint import __version__
from ngrok_lint.home import HOME, RULES_DOCS, schema_url

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
README = (ROOT / "README.md").read_text("utf-8")
SCHEMA_FILES = ["ngrok-agent.schema.json", "ngrok-agent-legacy.schema.json", "ngrok-agent-v2.schema.json",
                "ngrok-agent-v3.schema.json"]
BUILD_TIMEOUT = 600


# --- one home -------------------------------------------------------------------------------------


def test_the_home_is_written_once_in_pyproject_and_the_package_repeats_it() -> None:
    assert PYPROJECT["project"]["urls"] == {"Homepage": HOME}
    assert RULES_DOCS.startswith(HOME + "/")


def _project_texts() -> Dict[str, str]:
    """Every text the project ships or publishes: package, schemas, docs, README, hooks, changelog."""
    paths: List[Path] = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / ".pre-commit-hooks.yaml",
                         ROOT / "pyproject.toml"]
    paths += sorted((ROOT / "ngrok_lint").rglob("*.py")) + sorted((ROOT / "schemas").glob("*"))
    paths += sorted((ROOT / "docs").glob("*.md"))
    action = ROOT / "action.yml"
    if action.exists():
        paths.append(action)
    return {str(p.relative_to(ROOT)): p.read_text("utf-8") for p in paths if p.is_file() and p.suffix != ".pyc"}


def test_no_text_claims_a_home_the_project_does_not_have() -> None:
    """A URL naming the project is under the home, or a documentation placeholder (example.com)."""
    claims = []
    for name, text in _project_texts().items():
        for url in re.findall(r"https?://[^\s\"'`)<>\]]+", text):
            if "ngrok-lint" not in url and "ngrok_lint" not in url:
                continue
            host = url.split("/")[2]
            if url.startswith(HOME) or host == "example.com" or host.endswith(".example.com"):
                continue
            claims.append(f"{name}: {url}")
    assert not claims, "URLs outside the project's home:\n" + "\n".join(claims)


def test_outputs_and_schemas_derive_their_urls_from_the_home() -> None:
    example = str(ROOT / "examples" / "ngrok.yml")
    report = run_cli([example, "--isolated", "--format", "json"]).json()
    assert report["findings"]
    for finding in report["findings"]:
        assert finding["url"] == f"{RULES_DOCS}#{finding['code'].lower()}-{finding['name']}"
    sarif = run_cli([example, "--isolated", "--format", "sarif"]).json()
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == HOME
    assert driver["rules"] and all(rule["helpUri"].startswith(RULES_DOCS + "#") for rule in driver["rules"])
    for name in SCHEMA_FILES:
        schema = json.loads((ROOT / "schemas" / name).read_text("utf-8"))
        assert schema["$id"] == schema_url(name) and schema["$id"].startswith(HOME + "/")
    catalog = json.loads((ROOT / "schemas" / "catalog.json").read_text("utf-8"))
    assert [entry["url"] for entry in catalog["schemas"]] == [schema_url("ngrok-agent.schema.json")]
    assert schema_url("ngrok-agent.schema.json") in (ROOT / "docs" / "editors.md").read_text("utf-8")


# --- one version ----------------------------------------------------------------------------------


def test_one_version_number() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ngrok_lint.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_readme_pre_commit_snippet_pins_the_package_version() -> None:
    section = README.split("## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    pins = re.findall(r"^\s*rev:\s*(\S+)\s*$", section, re.M)
    assert pins == [f"v{__version__}"]
    assert "repo: local" in section, "the README shows the `repo: local` form for teams that vendor it"
    # The git-URL install line pins the same tag, and the wheel name is this version's.
    assert f"@v{__version__}'" in README and f"ngrok_lint-{__version__}-py3-none-any.whl" in README


def test_readme_local_hook_matches_the_published_hook() -> None:
    import yaml

    section = README.split("## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", section, re.S)]
    local = next(repo for block in blocks for repo in block["repos"] if repo["repo"] == "local")
    published = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))}
    (hook,) = local["hooks"]
    for key in ("id", "entry", "files", "types", "require_serial"):
        assert hook[key] == published["ngrok-lint"][key], key


def test_changelog_has_the_version_and_the_release_step_is_documented() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{__version__}]" in changelog
    release = (ROOT / "docs" / "release.md").read_text("utf-8")
    for step in ("git tag -a vX.Y.Z", "python -m build", "twine check", "CHANGELOG.md", "__version__"):
        assert step in release, step


# --- the release step, for real -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of this checkout: the sdist, then the wheel built from the unpacked sdist."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def _one(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"{pattern}: {found}"
    return found[0]


def test_build_makes_an_sdist_and_a_wheel_of_this_version_and_twine_checks_them(dist: Path) -> None:
    sdist = _one(dist, "*.tar.gz")
    wheel = _one(dist, "*.whl")
    assert sdist.name == f"ngrok_lint-{__version__}.tar.gz"
    assert wheel.name == f"ngrok_lint-{__version__}-py3-none-any.whl"
    proc = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(f"ngrok_lint-{__version__}.dist-info/METADATA").decode("utf-8")
    for name in SCHEMA_FILES + ["catalog.json"]:
        assert f"ngrok_lint/schemas/{name}" in names
    assert f"Version: {__version__}" in metadata.splitlines()
    assert f"Project-URL: Homepage, {HOME}" in metadata.splitlines()


def test_wheel_in_a_fresh_venv_runs_the_readme_example(dist: Path, tmp_path: Path) -> None:
    wheel = _one(dist, "*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)],
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # The README's first command, less its `pip install .`: from the checkout's folder, as a user would.
    first = README.split("```sh\n", 1)[1].split("```", 1)[0].strip()
    assert first.startswith("pip install . && ")
    command = first.split(" && ", 1)[1].split()
    assert command[0] == "ngrok-lint"
    run = subprocess.run([str(bindir / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**env, "NO_COLOR": "1"})
    assert run.returncode == 1, run.stdout + run.stderr  # "exit code 1, findings shown"
    assert re.search(r"^examples/ngrok\.yml:\d+:\d+: NGL201\b", run.stdout, re.M), run.stdout
    assert "Traceback" not in run.stderr
    where = subprocess.run([str(python), "-c", "import ngrok_lint, sys; print(ngrok_lint.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout  # the wheel, not the checkout
    version = subprocess.run([str(bindir / "ngrok-lint"), "--version"], capture_output=True, text=True,
                             timeout=60, env=env)
    assert version.stdout.strip() == f"ngrok-lint {__version__}"


# What the tests need besides the package (tests/, their fixtures, and the files they check).
SDIST_NEEDS = ["tests/conftest.py", "tests/test_release.py", "tests/fixtures", "tests/data/sarif-2.1.0.json",
               "tests/data/schema-catalog.schema.json", "examples/ngrok.yml", "docs/rules.md", "docs/editors.md",
               "docs/ci.md", "docs/release.md", "schemas/build.py", "schemas/catalog.json", ".pre-commit-hooks.yaml",
               ".ci/run", "README.md", "CHANGELOG.md", "pyproject.toml", "MANIFEST.in", "action.yml"]


@pytest.fixture(scope="module")
def unpacked_sdist(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    sdist = _one(dist, "*.tar.gz")
    target = tmp_path_factory.mktemp("sdist")
    with tarfile.open(sdist) as tf:
        members = tf.getmembers()
        assert all(not m.name.startswith("/") and ".." not in Path(m.name).parts for m in members)
        tf.extractall(target)  # noqa: S202 - our own archive, checked above
    return target / f"ngrok_lint-{__version__}"


def test_sdist_holds_the_tests_and_what_they_need_and_no_git(unpacked_sdist: Path) -> None:
    missing = [name for name in SDIST_NEEDS if not (unpacked_sdist / name).exists()]
    assert not missing, f"not in the sdist: {missing}"
    assert not (unpacked_sdist / ".git").exists()
    in_checkout = {p.relative_to(ROOT / "tests") for p in (ROOT / "tests").rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    in_sdist = {p.relative_to(unpacked_sdist / "tests") for p in (unpacked_sdist / "tests").rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert in_checkout - in_sdist == set(), "test files the sdist leaves out"


def test_tests_pass_from_the_unpacked_sdist_and_git_tests_skip_with_a_reason(unpacked_sdist: Path) -> None:
    """A quick part of the suite, from the sdist: docs, hooks (their try-repo tests need git), CLI basics."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(unpacked_sdist)
    env.pop("GITHUB_ACTIONS", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_docs.py",
         "tests/test_hook.py", "tests/test_editor_names.py", "tests/test_release.py", "-k",
         "not build and not wheel and not sdist"],
        cwd=unpacked_sdist, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert re.search(r"\d+ passed", output), output[-2000:]
    skipped = re.findall(r"SKIPPED \[(\d+)\] tests/test_hook\.py:\d+: (.*)", output)
    try_repo_tests = (ROOT / "tests" / "test_hook.py").read_text().count("\n@needs_git_checkout\n")
    assert sum(int(count) for count, _ in skipped) == try_repo_tests >= 2, output[-2000:]  # the try-repo tests
    assert all("needs a git checkout" in reason for _, reason in skipped), output[-2000:]
