"""Writing a fixed file back: the one place that replaces a file's bytes on disk.

The new bytes are written into the file itself (same inode), so everything that makes it *that*
file stays: hard links, owner and group, mode, ACLs and extended attributes, and a symlink keeps
pointing at it. A rename of a new file over the old one would lose all of these but the mode.

Before the file is touched, a copy of its original bytes is written beside it (or, when its folder
is not writable, in the system's temporary folder), flushed and read back. If writing the new bytes
fails, the original bytes are put back from memory; if even that fails, the copy stays on disk and
the error names it. The copy is removed once the new bytes are on disk and read back equal.

Refused without writing anything: a read-only file (no write permission bit, or not writable by
this user — root included, as with `chmod a-w`), and a file that changed on disk since it was read.
"""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Optional


def write_fixed(path: str, data: bytes, original: bytes) -> Optional[str]:
    """Write `data` into the file at `path` (which held `original`); None on success, else a
    one-line reason. A symlink is followed: its target is written and the link stays a link."""
    if data == original:
        return None
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except OSError as exc:
        return f"cannot re-read the file before writing ({exc.strerror or exc}); not written"
    if not stat.S_IMODE(status.st_mode) & 0o222 or not os.access(target, os.W_OK):
        return "the file is read-only; not written (make it writable to apply fixes)"
    try:
        with open(target, "rb") as handle:
            on_disk = handle.read()
    except OSError as exc:
        return f"cannot re-read the file before writing ({exc.strerror or exc}); not written"
    if on_disk != original:
        return "the file changed on disk while it was being fixed; not written (run again)"
    copy = _verified_copy(target, original)
    if copy is None:
        return "cannot keep a copy of the original before writing (no writable folder); not written"
    try:
        _write_into(target, data)
    except OSError as exc:
        why = exc.strerror or str(exc)
        try:
            _write_into(target, original)
        except OSError:
            return f"cannot write the fixed file ({why}); its original bytes are kept in {copy}"
        _remove(copy)
        return f"cannot write the fixed file ({why}); left unchanged"
    _remove(copy)
    return None


def _write_into(target: str, data: bytes) -> None:
    """Overwrite the file's bytes in place, flush them to disk and read them back."""
    with open(target, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
        handle.seek(0)
        if handle.read() != data:
            raise OSError(0, "the bytes read back differ from the bytes written")


def _verified_copy(target: str, original: bytes) -> Optional[str]:
    """A private copy of `original` beside `target` (else in the temporary folder), read back
    equal; its path, or None when no folder takes it."""
    name = os.path.basename(target)
    for folder in (os.path.dirname(target) or ".", tempfile.gettempdir()):
        try:
            fd, copy = tempfile.mkstemp(prefix=f".{name}.", suffix=".ngrok-lint-original", dir=folder)
        except OSError:
            continue
        try:
            with os.fdopen(fd, "w+b") as handle:  # mkstemp's mode is 0600: the copy may hold secrets
                handle.write(original)
                handle.flush()
                os.fsync(handle.fileno())
                handle.seek(0)
                if handle.read() == original:
                    return copy
        except OSError:
            pass
        _remove(copy)
    return None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
