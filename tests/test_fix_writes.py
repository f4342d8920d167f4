"""How `--fix` writes, through the command line (tests/test_writes.py covers `write_fixed` itself):
into the file itself (the same inode: hard links, owner, mode stay; no copy left behind), through a
symlink to its target (the link stays a link), not at all to a read-only file (exit 2, the file
named), and not at all when the file needs nothing or its fix cannot be verified.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import List

import pytest

from conftest import run_cli

# NGL201's fix (unsafe) rewrites `web_addr`; NGL101's (safe) the scheme.
INSECURE = 'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [http, https]\n'


def _fix(*paths: Path) -> None:
    result = run_cli(["--isolated", "--fix", "--unsafe-fixes", "--select", "NGL101,NGL201", *map(str, paths)])
    assert result.code == 0, (result.out, result.err)  # everything fixed: nothing failing remains
    assert "error:" not in result.out.replace("[error]", ""), result.out


def _names(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir())


def test_fix_writes_into_the_same_file(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_text(INSECURE)
    before = os.stat(target).st_ino
    linked = tmp_path / "linked.yml"
    os.link(target, linked)
    _fix(target)
    assert "127.0.0.1:4040" in target.read_text() and "[https]" in target.read_text()
    assert os.stat(target).st_ino == before, "the file was replaced by a new one (a rename breaks hard links)"
    assert linked.read_text() == target.read_text()
    assert _names(tmp_path) == ["linked.yml", "ngrok.yml"], "a copy was left behind"


def test_a_read_only_file_is_not_written_and_the_run_says_so(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_text(INSECURE)
    os.chmod(target, 0o444)
    result = run_cli(["--isolated", "--fix", "--unsafe-fixes", "--select", "NGL101,NGL201", str(target)])
    os.chmod(target, 0o644)
    assert result.code == 2
    assert f"{target}: error: the file is read-only; not written" in result.out + result.err
    assert target.read_text() == INSECURE and _names(tmp_path) == ["ngrok.yml"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o604])
def test_fix_keeps_the_mode(mode: int, tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_text(INSECURE)
    os.chmod(target, mode)
    _fix(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == mode
    assert "127.0.0.1:4040" in target.read_text()


def test_fix_through_a_symlink_updates_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    configs = tmp_path / "configs"
    configs.mkdir()
    real = configs / "real-ngrok.yml"
    real.write_text(INSECURE)
    os.chmod(real, 0o600)
    link = tmp_path / "ngrok.yml"
    link.symlink_to(os.path.relpath(real, tmp_path))
    _fix(link)
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(real, tmp_path)
    assert "127.0.0.1:4040" in real.read_text()
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600
    assert _names(tmp_path) == ["configs", "ngrok.yml"] and _names(configs) == ["real-ngrok.yml"]


def test_fix_through_a_chain_of_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "real.yml"
    real.write_text(INSECURE)
    middle = tmp_path / "middle.yml"
    middle.symlink_to("real.yml")
    link = tmp_path / "ngrok.yml"
    link.symlink_to("middle.yml")
    _fix(link)
    assert link.is_symlink() and middle.is_symlink()
    assert os.readlink(link) == "middle.yml" and os.readlink(middle) == "real.yml"
    assert "127.0.0.1:4040" in real.read_text()
    assert _names(tmp_path) == ["middle.yml", "ngrok.yml", "real.yml"]


def test_a_file_with_nothing_to_fix_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_text('version: "2"\nweb_addr: 127.0.0.1:4040\n')
    os.utime(target, (1_000_000, 1_000_000))
    inode = os.stat(target).st_ino
    result = run_cli(["--isolated", "--fix", "--unsafe-fixes", str(target)])
    assert result.code in (0, 1)
    assert os.stat(target).st_ino == inode and os.stat(target).st_mtime == 1_000_000


def test_a_fix_that_cannot_be_verified_leaves_the_file_byte_identical(tmp_path: Path) -> None:
    """Mixed CRLF/LF line ends: the structural migration (NGL003) cannot keep them faithfully."""
    data = b"tunnels:\r\n  web:\n    proto: http\r\n    addr: 8080\n    bind_tls: true\r\n"
    target = tmp_path / "ngrok.yml"
    target.write_bytes(data)
    inode = os.stat(target).st_ino
    result = run_cli(["--isolated", "--fix", "--unsafe-fixes", "--select", "NGL003", str(target)])
    assert result.code == 1
    assert target.read_bytes() == data and os.stat(target).st_ino == inode
    assert "fix skipped: the file mixes CRLF and LF line endings" in result.out
    assert _names(tmp_path) == ["ngrok.yml"]


def test_diff_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_text(INSECURE)
    inode = os.stat(target).st_ino
    result = run_cli(["--isolated", "--diff", "--unsafe-fixes", str(target)])
    assert result.code == 1 and "+web_addr: 127.0.0.1:4040" in result.out
    assert target.read_text() == INSECURE and os.stat(target).st_ino == inode
    assert _names(tmp_path) == ["ngrok.yml"]
