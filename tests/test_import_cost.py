"""What a plain lint run imports: neither the fix engine's ruamel.yaml, nor jsonschema (the compiled
validator covers the published schemas), nor the language server's pygls, nor the migration code,
nor `dataclasses` (its class building cost about 12 ms of a cold run: see `ngrok_lint/model.py`).

A behavioural check of `sys.modules` in a fresh interpreter, not a timing test: speed is measured by
`bench/run.py`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("ruamel", "jsonschema", "pygls", "lsprotocol", "ngrok_lint.migrate", "ngrok_lint.fixer", "ngrok_lint.roundtrip",
         "dataclasses", "celpy", "lark")

V2 = 'version: "2"\nauthtoken: ${NGROK_AUTHTOKEN}\nweb_addr: 127.0.0.1:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
V3 = (
    'version: "3"\nagent:\n  authtoken: ${NGROK_AUTHTOKEN}\nendpoints:\n  - name: web\n    url: https://a.example.com\n'
    "    upstream:\n      url: 8080\n    traffic_policy:\n      on_http_request:\n        - actions:\n"
    "            - type: deny\n"
)
WITH_ERRORS = 'version: "2"\ntunnels:\n  web:\n    proto: ftp\n    adr: 80\n    host-header: x\n'
LEGACY = "web_addr: localhost:4040\ntunnels:\n  ssh:\n    proto: tcp\n    addr: 22\n"


def imported_after(code: str, cwd: Path) -> List[str]:
    """The modules a fresh interpreter holds after running `code` (stdout is the lint's report)."""
    script = code + "\nimport sys, json\nsys.stderr.write('\\n' + json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert out.stderr.strip(), out
    return json.loads(out.stderr.strip().splitlines()[-1])


def heavy(modules: List[str]) -> List[str]:
    # A package counts with its submodules (`ngrok_lint.migrate.write`, `ruamel.yaml`).
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def lint_code(path: Path) -> str:
    return (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from ngrok_lint.cli import main\n"
        f"main(['--isolated', {str(path)!r}])\n"
    )


@pytest.mark.parametrize("text", [V2, V3, WITH_ERRORS], ids=["v2", "v3", "schema-errors"])
def test_a_lint_run_imports_no_heavy_module(tmp_path: Path, text: str) -> None:
    path = tmp_path / "ngrok.yml"
    path.write_text(text, encoding="utf-8")
    modules = imported_after(lint_code(path), tmp_path)
    assert "ngrok_lint.rules.ngl002_schema" in modules and "yaml" in modules  # it did lint
    assert heavy(modules) == []


def test_only_a_file_with_an_expression_imports_the_cel_parser(tmp_path: Path) -> None:
    # The V3 file above has a policy without expressions: no CEL parser (test above). One with an
    # expression needs it (when the `cel` extra is installed; its dependencies bring `dataclasses`),
    # and nothing else heavy: not the fix engine, jsonschema or the language server.
    pytest.importorskip("celpy")
    path = tmp_path / "ngrok.yml"
    path.write_text(V3.replace("        - actions:\n", "        - expressions: [\"req.method == 'GET'\"]\n          actions:\n"),
                    encoding="utf-8")
    modules = imported_after(lint_code(path), tmp_path)
    assert "celpy" in modules
    assert [m for m in heavy(modules) if not m.startswith(("celpy", "lark", "dataclasses"))] == []


def test_a_legacy_file_imports_the_migration_but_not_ruamel(tmp_path: Path) -> None:
    # NGL003 offers the legacy -> version 2 migration as a fix: building it needs ngrok_lint.migrate,
    # never the round-trip parser, which only applying a fix needs.
    path = tmp_path / "ngrok.yml"
    path.write_text(LEGACY, encoding="utf-8")
    modules = imported_after(lint_code(path), tmp_path)
    assert [m for m in modules if m.startswith(("ruamel", "jsonschema", "pygls"))] == []


def test_the_key_tables_ngl003_shares_with_the_migrations_are_light(tmp_path: Path) -> None:
    # NGL003 reads LEGACY_* / V3_AGENT_* on every run: they live in ngrok_lint.formats, not in the
    # migrate package, whose every submodule is heavy.
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport ngrok_lint.rules.ngl003_config_version"
    modules = imported_after(code, tmp_path)
    assert "ngrok_lint.formats" in modules and heavy(modules) == []


def test_importing_the_command_line_is_cheap(tmp_path: Path) -> None:
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport ngrok_lint.cli"
    modules = imported_after(code, tmp_path)
    assert heavy(modules) == []
    # the parser, the rules and the TOML reader come only when a run needs them
    assert [m for m in modules if m in ("yaml", "tomllib", "tomli", "ngrok_lint.engine", "ngrok_lint.registry")] == []


def test_linting_from_a_folder_with_a_pyproject_without_our_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    path = tmp_path / "ngrok.yml"
    path.write_text(V2, encoding="utf-8")
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from ngrok_lint.cli import main\n"
        f"main([{str(path)!r}])\n"
    )
    modules = imported_after(code, tmp_path)
    assert "tomllib" not in modules and heavy(modules) == []


def test_the_language_server_module_is_the_one_that_imports_pygls() -> None:
    sources = [p for p in (ROOT / "ngrok_lint").rglob("*.py") if p.name != "lsp.py"]
    offenders = [str(p) for p in sources if "import pygls" in p.read_text(encoding="utf-8")
                 or "from pygls" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_the_check_is_not_fooled(tmp_path: Path) -> None:
    # The helper sees an import that does happen.
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport jsonschema"
    assert "jsonschema" in heavy(imported_after(code, tmp_path))
    # ... and a submodule of a heavy package.
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r})\nimport ngrok_lint.migrate.legacy"
    assert "ngrok_lint.migrate.legacy" in heavy(imported_after(code, tmp_path))


def test_the_file_with_schema_errors_is_reported_without_jsonschema(tmp_path: Path) -> None:
    path = tmp_path / "ngrok.yml"
    path.write_text(WITH_ERRORS, encoding="utf-8")
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from ngrok_lint.cli import main\n"
        f"main(['--isolated', '--format', 'json', {str(path)!r}])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    codes = [f["code"] for f in json.loads(out.stdout)["findings"]]
    assert codes.count("NGL002") >= 3
