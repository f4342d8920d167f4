"""The rule docs are the product's docs: complete, generated, and executed."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, lint

from ngrok_lint import docs, registry
from ngrok_lint.model import FixKind

RULES = registry.rules()


def test_rule_reference_and_readme_table_are_current() -> None:
    assert (ROOT / "docs" / "rules.md").read_text("utf-8") == docs.reference(), "run `python -m ngrok_lint.docs`"
    readme = (ROOT / "README.md").read_text("utf-8")
    assert docs.readme_with_table(readme) == readme, "run `python -m ngrok_lint.docs`"


@pytest.mark.parametrize("meta", RULES, ids=lambda m: m.code)
def test_rule_module_is_complete(meta) -> None:
    module = registry.by_code()[meta.code]
    assert module.__name__.rsplit(".", 1)[1] == f"{meta.code.lower()}_{meta.name.replace('-', '_')}"
    assert re.fullmatch(r"NGL\d{3}", meta.code) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta.name)
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert heading in meta.docs, f"{meta.code} docs lack {heading!r}"
    assert meta.summary and not meta.summary.endswith(".")
    if meta.code[3] in "123":
        assert meta.security_severity is not None, "security rules carry a SARIF security-severity"


def test_codes_and_names_are_unique() -> None:
    assert len({m.code for m in RULES}) == len(RULES)
    assert len({m.name for m in RULES}) == len(RULES)


# Rules whose trigger needs more than one file or a project option get them here.
_EXAMPLE_OPTIONS = {"NGL104": {"connect_url": "tunnel.example.com:443"}, "NGL108": {"min_tls_version": "1.3"}}
_NOT_SINGLE_FILE = {"NGL305"}


@pytest.mark.parametrize("meta", [m for m in RULES if m.code not in _NOT_SINGLE_FILE], ids=lambda m: m.code)
def test_doc_examples_run(meta, tmp_path) -> None:
    before, after = docs.examples(meta)
    assert before is not None and after is not None, f"{meta.code} docs need an Example and a Use instead block"
    options = _EXAMPLE_OPTIONS.get(meta.code, {})
    path = str(tmp_path / "ngrok.yml")
    fired = [f for f in lint(before, path, select=[meta.code], **options) if f.code == meta.code]
    assert fired, f"{meta.code}: the Example does not fire the rule"
    assert not [f for f in lint(after, path, select=[meta.code], **options) if f.code == meta.code], (
        f"{meta.code}: the Use instead example fires the rule"
    )
    if meta.fix == FixKind.SAFE and all(f.fix is not None for f in fired):
        from ngrok_lint.config import settings_from_table
        from ngrok_lint.engine import analyze
        from ngrok_lint import fixer

        table = {"select": [meta.code], **{k.replace("_", "-"): v for k, v in options.items()}}
        settings = settings_from_table(table, str(ROOT / "x.toml"))
        outcome = fixer.fix_analysis(analyze(path, before.encode(), settings, str(tmp_path)), unsafe=False)
        assert outcome.new_bytes is not None and outcome.new_bytes.decode() == after, (
            f"{meta.code}: fixing the Example does not give the Use instead example"
        )


def test_readme_json_shape_matches_the_output() -> None:
    import json

    from conftest import run_cli

    readme = (ROOT / "README.md").read_text("utf-8")
    documented = json.loads(readme.split("```json\n", 1)[1].split("```", 1)[0])
    actual = run_cli([str(ROOT / "examples" / "ngrok.yml"), "--isolated", "--format", "json"]).json()
    assert documented.keys() == actual.keys()
    assert documented["files"][0].keys() == actual["files"][0].keys()
    assert documented["findings"][0].keys() == actual["findings"][0].keys()
    assert documented["findings"][0]["fix"].keys() == actual["findings"][0]["fix"].keys()
    assert documented["summary"].keys() == actual["summary"].keys()
    documented_ngl101 = documented["findings"][0]
    real_ngl101 = next(f for f in actual["findings"] if f["code"] == "NGL101")
    for key in ("line", "column", "yaml_path", "fix", "url", "severity", "name"):
        assert documented_ngl101[key] == real_ngl101[key]


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in readme.split("```sh\n")[1:3]]
    assert blocks[0] == "pip install . && ngrok-lint examples/ngrok.yml"
    assert blocks[1] == "pip install -e '.[test]' && python -m pytest -q"
    assert blocks[1] in (ROOT / ".ci" / "run").read_text()


def _readme_option_rows() -> set:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    return {flag for row in table.splitlines()[2:] for flag in re.findall(r"`(--?[a-z][a-z-]*)", row.split("|")[1])}


def test_readme_option_table_lists_every_option() -> None:
    from ngrok_lint.cli import build_parser

    parser = build_parser()
    flags = {flag for action in parser._actions for flag in action.option_strings}
    assert _readme_option_rows() == flags


def test_readme_text_example_is_the_real_output() -> None:
    from conftest import run_cli

    readme = (ROOT / "README.md").read_text("utf-8")
    example = readme.split("summary. From the bundled example, messages shortened here:\n\n```\n", 1)[1].split("```", 1)[0]
    real = run_cli([str(ROOT / "examples" / "ngrok.yml"), "--isolated"]).out.replace(str(ROOT) + "/", "")
    real_lines = real.splitlines()
    for line in example.splitlines():
        if "…" in line and ": NGL" in line:  # a shortened message: its start and its end are real
            head, tail = line.split("…", 1)
            assert any(r.startswith(head) and r.endswith(tail) for r in real_lines), line
        else:
            assert line in real_lines, line
    assert example.splitlines()[-1] == real_lines[-1]
