"""What kind of file: YAML that is not an ngrok agent config is skipped (CLI, --fix, stdin, the
language server's fix-all); templates; containers and the Compose files beside a config."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT

from ngrok_lint import filekind
from ngrok_lint.cli import main
from ngrok_lint.config import Settings
from ngrok_lint.engine import analyze

COMPOSE = 'version: "3.8"\nservices:\n  web:\n    image: nginx\n    ports:\n      - "80:80"\n'
WORKFLOW = "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
KUBERNETES = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ngrok\ndata:\n  ngrok.yml: |\n    version: 2\n"
KUBERNETES_MULTI = KUBERNETES + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
MEDIAMTX = "logLevel: info\nrtmp: yes\nrtmpAddress: :1935\nwebrtc: yes\nhls: no\npaths:\n  all:\n"
CLOUDFLARED = "tunnel: 0d45\ncredentials-file: /x.json\ningress:\n  - service: http_status:404\n"
FOREIGN = {"compose": COMPOSE, "workflow": WORKFLOW, "kubernetes": KUBERNETES,
           "kubernetes-multi": KUBERNETES_MULTI, "mediamtx": MEDIAMTX, "cloudflared": CLOUDFLARED}


@pytest.mark.parametrize("text, kind", [
    (COMPOSE, "a Docker Compose file"),
    (WORKFLOW, "a GitHub Actions workflow"),
    (KUBERNETES, "a Kubernetes manifest"),
    (CLOUDFLARED, "a cloudflared config"),
    (MEDIAMTX, "YAML with top-level keys"),
])
def test_foreign_content_is_recognised(text: str, kind: str) -> None:
    found = filekind.foreign(yaml.safe_load(text))
    assert found is not None and found.startswith(kind)


@pytest.mark.parametrize("text", [
    "",  # empty: nothing to tell
    "authtoken: x\n",
    'version: "2"\n',
    "version: 2\napi:\n  addr: 8080\n",  # an ngrok version and no sign of another kind of file
    "tunnel: web\nweb:\n  proto: http\n",  # a broken ngrok file: `tunnel` is a near miss of `tunnels`
    "tunnels:\n  web:\n    addr: 80\n",
    'version: "3"\nagent:\n  authtoken: x\nendpoints: []\n',
    "server_addr: tunnel.example.com:4443\ntrust_host_root_certs: false\n",  # ngrok 1.x
    "- authtoken: x\n",  # a list: NGL002 says the root must be a mapping
])
def test_ngrok_content_is_not_foreign(text: str) -> None:
    assert filekind.foreign(yaml.safe_load(text)) is None


def test_the_known_keys_cover_every_schema_top_level_property() -> None:
    keys = set()
    for path in (ROOT / "schemas").glob("ngrok-agent-*.schema.json"):
        keys.update(json.loads(path.read_text()).get("properties", {}))
    assert keys - {"version"} <= filekind.NGROK_TOP_KEYS


@pytest.mark.parametrize("name", sorted(FOREIGN))
def test_cli_skips_foreign_yaml_named_explicitly_with_one_line_and_exit_0(name: str, tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "ngrok.yml"  # even under an ngrok name: the content decides
    path.write_text(FOREIGN[name])
    for argv in ([str(path)], ["--fix", str(path)], ["--fix", "--unsafe-fixes", str(path)]):
        assert main(argv) == 0
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"ngrok-lint: skipped {path}: ")
        assert "not an ngrok agent config" in err
        assert path.read_text() == FOREIGN[name], "never written (no `version: \"2\"` prepended)"


def test_stdin_fix_echoes_foreign_yaml_unchanged() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ngrok_lint", "--fix", "--stdin-filename", "docker-compose.yml", "-"],
        input=COMPOSE.encode(), capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0
    assert result.stdout == COMPOSE.encode()
    assert b"skipped docker-compose.yml: a Docker Compose file" in result.stderr


def test_json_output_has_no_finding_for_a_skipped_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "docker-compose.yml"
    path.write_text(COMPOSE)
    assert main(["--format", "json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_language_server_gives_no_diagnostic_and_no_fix_all_for_foreign_yaml() -> None:
    from ngrok_lint import lsp

    analysis = analyze("docker-compose.yml", COMPOSE.encode(), Settings(), None)
    assert analysis.skipped == "a Docker Compose file" and analysis.findings == []
    assert lsp._fix_all_edit(analysis) is None  # no `version: "2"` prepended by fix-all


# --- templates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [
    "ngrok.yml.template", "ngrok.tmpl.yml", "ngrok.yml.dist", "ngrok.example.yml", "ngrok.yml.example",
    "ngrok.sample.yml", "ngrok-template.yml",
])
def test_template_names(name: str) -> None:
    assert filekind.is_template(name)


def test_envsubst_beside_the_file_makes_it_a_template(tmp_path: Path) -> None:
    (tmp_path / "ngrok.yml").write_text("authtoken: ${NGROK_AUTHTOKEN}\n")
    assert filekind.is_template(str(tmp_path / "ngrok.yml"), "", str(tmp_path)) is None
    (tmp_path / "entrypoint.sh").write_text("#!/bin/sh\nenvsubst < /etc/ngrok.yml.in > ngrok.yml\n")
    filekind._envsubst_beside.cache_clear()
    assert "entrypoint.sh" in str(filekind.is_template(str(tmp_path / "ngrok.yml"), "", str(tmp_path)))
    assert filekind.is_template("ngrok.yml", "# rendered with envsubst\n")


# --- containers and Compose port mappings -----------------------------------------------------------

def test_container_context(tmp_path: Path) -> None:
    assert filekind.container_context("repo/docker/ngrok/ngrok.yml", None)
    (tmp_path / "ngrok").mkdir()
    assert filekind.container_context(str(tmp_path / "ngrok" / "ngrok.yml"), str(tmp_path / "ngrok")) is None
    (tmp_path / "docker-compose.yml").write_text(COMPOSE)
    assert "in the folder above" in str(filekind.container_context(str(tmp_path / "ngrok" / "ngrok.yml"),
                                                                   str(tmp_path / "ngrok")))


@pytest.mark.parametrize("mapping, every_interface", [
    ('"4040:4040"', True), ("- 4040", None), ('"0.0.0.0:4040:4040"', True), ('"127.0.0.1:4040:4040"', False),
    ('"[::1]:4040:4040"', False), ('"14040:4040/tcp"', True),
    ("{target: 4040, published: 4040, host_ip: 127.0.0.1}", False), ("{target: 4040, published: 4040}", True),
])
def test_published_port(mapping: str, every_interface: Any, tmp_path: Path) -> None:
    entry = mapping if mapping.startswith("- ") else f"- {mapping}"
    (tmp_path / "compose.yaml").write_text(f"services:\n  ngrok:\n    image: ngrok/ngrok\n    ports:\n      {entry}\n")
    filekind.load_compose.cache_clear()
    found = filekind.published_port(str(tmp_path), 4040)
    if every_interface is None:  # `- 4040`: a random host port on every interface
        assert found is not None and found[2] is True
    else:
        assert found is not None and found[2] is every_interface


def test_published_port_ignores_other_services_and_ports(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        'services:\n  web:\n    image: nginx\n    ports: ["4040:4040"]\n  ngrok:\n    image: ngrok/ngrok\n    ports: ["8080:80"]\n')
    filekind.load_compose.cache_clear()
    assert filekind.published_port(str(tmp_path), 4040) is None


def test_compose_subnets(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  ngrok:\n    networks:\n      inner:\n        ipv4_address: 172.100.2.10\n"
        "networks:\n  lan:\n    ipam:\n      config:\n        - subnet: 172.28.0.0/16\n          gateway: 172.28.0.1\n")
    filekind.load_compose.cache_clear()
    assert set(filekind.compose_subnets(str(tmp_path))) == {"172.100.2.10/24", "172.28.0.0/16", "172.28.0.1"}


def test_unreadable_compose_is_no_evidence(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text("services: [\n")
    filekind.load_compose.cache_clear()
    assert filekind.published_port(str(tmp_path), 4040) is None and filekind.compose_subnets(str(tmp_path)) == []


def test_run_output_is_plain(capsys: pytest.CaptureFixture) -> None:
    # main() writes to sys.stdout/sys.stderr (no traceback on a foreign stdin either)
    sys.stdin = io.TextIOWrapper(io.BytesIO(WORKFLOW.encode()))
    try:
        assert main(["-"]) == 0
    finally:
        sys.stdin = sys.__stdin__
    assert "a GitHub Actions workflow" in capsys.readouterr().err
