"""File names are data, never options and never a crash: a name after `--` is a path whatever it
looks like, and any name the operating system gives (bytes that are not UTF-8, control characters)
is printed escaped, in every output format, with no traceback. The real pre-commit run with a
hostile name is in tests/test_hook.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from conftest import ROOT, run_cli

INSECURE = 'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [http, https]\n'
CLEAN = 'version: "3"\nagent:\n  web_addr: 127.0.0.1:4040\n'


def test_a_name_after_double_dash_is_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prod.ngrok.yml").write_text(CLEAN)
    (tmp_path / "--output=prod.ngrok.yml").write_text(INSECURE)
    (tmp_path / "-q").write_text(INSECURE)
    result = run_cli(["--isolated", "--fix", "--", "--output=prod.ngrok.yml", "-q"])
    assert (tmp_path / "prod.ngrok.yml").read_text() == CLEAN
    assert "[https]" in (tmp_path / "--output=prod.ngrok.yml").read_text()
    assert "[https]" in (tmp_path / "-q").read_text()
    assert result.code == 1 and "--output=prod.ngrok.yml:2:11: NGL201" in result.out


def test_an_option_after_double_dash_is_a_missing_file_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ngrok.yml").write_text(CLEAN)
    result = run_cli(["--isolated", "--", "ngrok.yml", "--select=NGL201"])
    assert result.code == 2
    assert "--select=NGL201: error: no such file or directory; after `--` every argument is a file name" in result.out


def _run(args: List[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "ngrok_lint", "--isolated", *args], cwd=cwd,
                          capture_output=True, timeout=120, env=env)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses file names that are not UTF-8")
@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_a_name_that_is_not_utf8_is_printed_escaped_in_every_format(tmp_path: Path, fmt: str) -> None:
    folder = os.fsencode(str(tmp_path))
    name = b"caf\xe9-\xff.ngrok.yml"
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(INSECURE.encode())
    result = _run(["--fix", "--format", fmt, "."], tmp_path)
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")  # both are valid UTF-8
    assert "Traceback" not in out + err, err
    assert result.returncode == 1, out + err
    with open(os.path.join(folder, name), "rb") as handle:
        assert b"[https]" in handle.read()  # the file was fixed under its real name
    if fmt == "sarif":
        uri = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "caf%E9-%FF.ngrok.yml"
    elif fmt == "json":
        assert json.loads(out)["findings"][0]["path"] == "caf\\xe9-\\xff.ngrok.yml"
    else:
        assert "caf\\xe9-\\xff.ngrok.yml" in out


@pytest.mark.parametrize("fmt", ["text", "concise", "github"])
def test_control_characters_in_a_name_never_reach_the_terminal(tmp_path: Path, fmt: str) -> None:
    name = "evil\x1b[2J\x07\rname.ngrok.yml"
    (tmp_path / name).write_text(INSECURE)
    result = _run(["--format", fmt, "."], tmp_path)
    out, err = result.stdout.decode("utf-8"), result.stderr.decode("utf-8")
    assert "Traceback" not in out + err and result.returncode == 1
    assert "\x1b" not in out + err and "\x07" not in out + err and "\r" not in out + err
    assert "evil\\x1b[2J\\x07\\rname.ngrok.yml" in out or "evil\\x1b[2J\\x07%0Dname.ngrok.yml" in out
