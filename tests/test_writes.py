"""Writing a fixed file back (`ngrok_lint.writes`): into the file itself, so that everything that
makes it *that* file stays — its inode (hard links), owner, mode, ACLs and extended attributes —
with a verified copy of the original kept beside it until the new bytes are on disk. A read-only
file is not written. tests/test_fix_writes.py covers the same through the command line.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, List

import pytest

from ngrok_lint import writes


def _names(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir())


def test_writes_the_new_bytes_into_the_same_inode_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old text that is longer\n")
    os.chmod(target, 0o640)
    inode = os.stat(target).st_ino
    assert writes.write_fixed(str(target), b"new\n", b"old text that is longer\n") is None
    assert target.read_bytes() == b"new\n"
    assert os.stat(target).st_ino == inode
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert _names(tmp_path) == ["ngrok.yml"]  # the verified copy is gone once the write succeeded


def test_a_hard_link_sees_the_fixed_bytes(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")
    other = tmp_path / "shared.yml"
    os.link(target, other)
    assert writes.write_fixed(str(target), b"new\n", b"old\n") is None
    assert other.read_bytes() == b"new\n" and os.stat(target).st_nlink == 2
    assert os.stat(other).st_ino == os.stat(target).st_ino


def test_extended_attributes_stay(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")
    try:
        os.setxattr(target, "user.ngrok-lint-test", b"kept")
    except (OSError, AttributeError):
        pytest.skip("this file system has no user extended attributes")
    assert writes.write_fixed(str(target), b"new\n", b"old\n") is None
    assert os.getxattr(target, "user.ngrok-lint-test") == b"kept"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_the_owner_stays_when_root_fixes_a_users_file(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")
    os.chown(target, 4321, 4321)
    assert writes.write_fixed(str(target), b"new\n", b"old\n") is None
    assert (os.stat(target).st_uid, os.stat(target).st_gid) == (4321, 4321)


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o000])
def test_a_read_only_file_is_not_written(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")
    os.chmod(target, mode)
    try:
        reason = writes.write_fixed(str(target), b"new\n", b"old\n")
    finally:
        os.chmod(target, 0o600)
    assert reason and "read-only" in reason and "\n" not in reason
    assert target.read_bytes() == b"old\n" and _names(tmp_path) == ["ngrok.yml"]


def test_follows_a_symlink_to_its_target(tmp_path: Path) -> None:
    real = tmp_path / "configs" / "ngrok.yml"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    link = tmp_path / "ngrok.yml"
    link.symlink_to(real)
    assert writes.write_fixed(str(link), b"new\n", b"old\n") is None
    assert link.is_symlink() and real.read_bytes() == b"new\n"


def test_refuses_when_the_file_changed_on_disk(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"edited meanwhile\n")
    reason = writes.write_fixed(str(target), b"new\n", b"old\n")
    assert reason and "changed on disk" in reason and "\n" not in reason
    assert target.read_bytes() == b"edited meanwhile\n"


def test_does_not_write_when_nothing_changed(tmp_path: Path) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"same\n")
    os.utime(target, (1_000_000, 1_000_000))
    assert writes.write_fixed(str(target), b"same\n", b"same\n") is None
    assert os.stat(target).st_mtime == 1_000_000


def test_a_failed_write_restores_the_original_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up half-way through the write: the file gets its original bytes back."""
    target = tmp_path / "ngrok.yml"
    original = b"version: 2\nauthtoken: keep-me\n" * 50
    target.write_bytes(original)
    real_fsync = os.fsync
    calls: List[int] = []

    def failing_fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:  # the first fsync is the verified copy's, the second the new bytes'
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    reason = writes.write_fixed(str(target), b"short\n", original)
    assert reason and "No space left on device" in reason and "left unchanged" in reason
    assert target.read_bytes() == original
    assert _names(tmp_path) == ["ngrok.yml"]


def test_a_write_that_cannot_be_undone_keeps_the_verified_copy_and_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")

    def always_fails(fd: int) -> None:
        if fd_is_target(fd):
            raise OSError(5, "Input/output error")

    def fd_is_target(fd: int) -> bool:
        return os.stat(fd).st_ino == os.stat(target).st_ino

    monkeypatch.setattr(os, "fsync", always_fails)
    reason = writes.write_fixed(str(target), b"new\n", b"old\n")
    assert reason and "Input/output error" in reason
    copies = [name for name in _names(tmp_path) if name != "ngrok.yml"]
    assert len(copies) == 1 and copies[0] in reason
    assert (tmp_path / copies[0]).read_bytes() == b"old\n"


def test_the_verified_copy_goes_elsewhere_when_the_folder_is_read_only(tmp_path: Any) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "ngrok.yml"
    target.write_bytes(b"old\n")
    os.chmod(folder, 0o500)
    try:
        reason = writes.write_fixed(str(target), b"new\n", b"old\n")
    finally:
        os.chmod(folder, 0o700)
    assert reason is None and target.read_bytes() == b"new\n"
    assert _names(folder) == ["ngrok.yml"]
