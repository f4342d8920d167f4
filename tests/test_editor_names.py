"""Schemas where editors look: one set of ngrok config names, said five ways, kept equal.

The folder search (`ngrok_lint/discovery.py`), the hooks' `files` pattern, the `yaml.schemas` globs
of `docs/editors.md`, the `fileMatch` of `schemas/catalog.json` (the SchemaStore catalog entry) and
the schema `$id`s must agree. The globs are checked on a list of names with the semantics of the
YAML language server (it prefixes `**/` and matches with picomatch, whose `*` and `**` skip hidden
names), once in Python and once with the real picomatch that yaml-language-server installs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import List

import jsonschema
import pytest
import yaml

from conftest import ROOT

from ngrok_lint.discovery import is_config_name
from ngrok_lint.home import schema_url

CATALOG = json.loads((ROOT / "schemas" / "catalog.json").read_text("utf-8"))
EDITORS = (ROOT / "docs" / "editors.md").read_text("utf-8")
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))

# (path in a project, is it an ngrok config?) Folders are plain ones except the agent's default
# locations, which editors' globs name explicitly.
NAMES = [
    ("ngrok.yml", True), ("ngrok.yaml", True), ("deploy/ngrok.yml", True), ("a/b/c/ngrok.yaml", True),
    (".ngrok.yml", True), ("svc/.ngrok.yaml", True), ("ngrok-dev.yml", True), ("ops/ngrok-prod.yaml", True),
    ("ngrok_staging.yml", True), ("x/ngrok_prod.yaml", True), ("ngrok.local.yml", True), ("ngrok.ci.yaml", True),
    (".ngrok-dev.yml", True), ("dev.ngrok.yml", True), ("x/prod.ngrok.yaml", True), ("ngrok/config.yml", True),
    ("srv/ngrok/config.yaml", True), ("ngrok2/config.yml", True), ("home/u/.ngrok2/ngrok.yml", True),
    ("home/u/.config/ngrok/ngrok.yml", True), ("home/u/.config/ngrok/ngrok.yaml", True),
    ("home/u/.ngrok/config.yml", True), (".ngrok2/ngrok.yml", True),
    # Not ngrok configs.
    ("config.yml", False), ("deploy/config.yaml", False), ("ngrokfoo.yml", False), ("my-ngrok.yml", False),
    ("ngrok.json", False), ("ngrok.yml.bak", False), ("ngrok.toml", False), ("docker-compose.yml", False),
    ("ngrok/other.yml", False), ("ngrokconfig.yml", False), ("x/ngrok3/config.yml", False), ("ngrok.yml/x", False),
    (".github/workflows/ngrok.txt", False), ("k8s/ngrok-operator.json", False),
]


def _hook_pattern() -> str:
    patterns = {hook["files"] for hook in HOOKS}
    assert len(patterns) == 1, patterns
    return patterns.pop()


def _editor_globs() -> List[str]:
    """The `yaml.schemas` list of docs/editors.md (the only JSON block that has the key)."""
    for block in re.findall(r"```json\n(.*?)```", EDITORS, re.S):
        if '"yaml.schemas"' in block:
            table = json.loads("{" + block + "}")["yaml.schemas"]
            (globs,) = table.values()
            return globs
    raise AssertionError("docs/editors.md has no yaml.schemas block")


def _entry() -> dict:
    (entry,) = CATALOG["schemas"]
    return entry


def _glob_regex(glob: str) -> "re.Pattern[str]":
    """A glob as the YAML language server reads it: `**/` prefixed, then picomatch's defaults
    (`*` is any run of non-`/` characters, `**` any number of folders, neither starts a hidden name;
    `{a,b}` alternatives)."""
    glob = "**/" + glob.lstrip("/")
    out = []
    i = 0
    at_segment_start = True
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append(r"(?:[^./][^/]*/)*")
            i += 3
            at_segment_start = True
            continue
        char = glob[i]
        if char == "*":
            out.append(r"(?!\.)[^/]*" if at_segment_start else r"[^/]*")
        elif char == "?":
            out.append(r"[^/]")
        elif char == "{":
            end = glob.index("}", i)
            out.append("(?:" + "|".join(re.escape(a) for a in glob[i + 1:end].split(",")) + ")")
            i = end
        else:
            out.append(re.escape(char))
        at_segment_start = char == "/"
        i += 1
    return re.compile("".join(out) + r"\Z")


def _glob_match(globs: List[str], path: str) -> bool:
    return any(_glob_regex(g).match(path) for g in globs)


@pytest.mark.parametrize("path,expected", NAMES, ids=[n for n, _ in NAMES])
def test_every_place_agrees_on_the_name(path: str, expected: bool) -> None:
    assert is_config_name(path) is expected, "discovery.py"
    assert (re.search(_hook_pattern(), path) is not None) is expected, ".pre-commit-hooks.yaml files"
    assert _glob_match(_entry()["fileMatch"], path) is expected, "schemas/catalog.json fileMatch"
    assert _glob_match(_editor_globs(), path) is expected, "docs/editors.md yaml.schemas"


def test_editor_globs_are_the_catalog_file_match() -> None:
    assert _editor_globs() == _entry()["fileMatch"]


def test_catalog_entry_names_the_combined_schema_by_its_id() -> None:
    combined = json.loads((ROOT / "schemas" / "ngrok-agent.schema.json").read_text("utf-8"))
    assert _entry()["url"] == combined["$id"] == schema_url("ngrok-agent.schema.json")
    assert _entry()["name"] and _entry()["description"]
    assert combined["$id"] in EDITORS


def test_catalog_is_valid_against_schemastores_catalog_schema() -> None:
    schema = json.loads((ROOT / "tests" / "data" / "schema-catalog.schema.json").read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(CATALOG)]
    assert not errors, errors
    # The schema says no to what SchemaStore refuses (a check that the check can fail).
    bad = {**CATALOG, "schemas": [{**_entry(), "url": "http://x/s.json", "fileMatch": ["a", "a"]}]}
    assert len(list(validator.iter_errors(bad))) == 2


def test_globs_with_the_real_picomatch_of_yaml_language_server() -> None:
    """The Python reading above against picomatch itself, on the same names (as file paths)."""
    from test_yaml_language_server import CACHE_DIR, _install

    node = _install()  # skips without node/npm or network, like the yaml-language-server tests
    picomatch = CACHE_DIR / "node_modules" / "picomatch"
    if not picomatch.is_dir():
        pytest.skip("yaml-language-server's install has no picomatch")
    assert shutil.which(node) or Path(node).exists()
    globs = ["**/" + g.lstrip("/") for g in _entry()["fileMatch"]]
    script = (
        "const pm = require(process.argv[1]);"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const isMatch = pm(input.globs, {noglobstar: false});"
        "process.stdout.write(JSON.stringify(input.paths.map(p => isMatch(p))));"
    )
    paths = ["/work/project/" + name for name, _ in NAMES]
    proc = subprocess.run([node, "-e", script, str(picomatch)], input=json.dumps({"globs": globs, "paths": paths}),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    verdicts = json.loads(proc.stdout)
    wrong = [(name, expected) for (name, expected), got in zip(NAMES, verdicts) if got is not expected]
    assert not wrong, f"picomatch disagrees on {wrong}"
