"""Writing a fixed file back (`ngrok_lint.writes`); tests/test_fix_writes.py covers it through the command line."""

from __future__ import annotations

import os
import stat
from typing import Any

import pytest

from ngrok_lint import writes


def test_write_atomic_replaces_the_file_and_keeps_its_mode(tmp_path: Any) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o640)
    assert writes.write_atomic(str(target), b"new\n", b"old\n") is None
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ngrok.yml"]  # no temporary file left


def test_write_atomic_follows_a_symlink_to_its_target(tmp_path: Any) -> None:
    real = tmp_path / "configs" / "ngrok.yml"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    link = tmp_path / "ngrok.yml"
    link.symlink_to(real)
    assert writes.write_atomic(str(link), b"new\n", b"old\n") is None
    assert link.is_symlink() and real.read_bytes() == b"new\n"


def test_write_atomic_refuses_when_the_file_changed_on_disk(tmp_path: Any) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"edited meanwhile\n")
    reason = writes.write_atomic(str(target), b"new\n", b"old\n")
    assert reason and "changed on disk" in reason and "\n" not in reason
    assert target.read_bytes() == b"edited meanwhile\n"


def test_write_atomic_does_not_write_when_nothing_changed(tmp_path: Any) -> None:
    target = tmp_path / "ngrok.yml"
    target.write_bytes(b"same\n")
    os.utime(target, (1_000_000, 1_000_000))
    assert writes.write_atomic(str(target), b"same\n", b"same\n") is None
    assert os.stat(target).st_mtime == 1_000_000


def test_write_atomic_reports_an_unwritable_folder(tmp_path: Any) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "ngrok.yml"
    target.write_bytes(b"old\n")
    os.chmod(folder, 0o500)
    try:
        reason = writes.write_atomic(str(target), b"new\n", b"old\n")
    finally:
        os.chmod(folder, 0o700)
    assert reason and "cannot write" in reason
    assert target.read_bytes() == b"old\n"
