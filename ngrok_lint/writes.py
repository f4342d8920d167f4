"""Writing a fixed file back: the one place that replaces a file's bytes on disk."""

from __future__ import annotations

import os
import stat
import tempfile
from typing import Optional


def write_atomic(path: str, data: bytes, original: bytes) -> Optional[str]:
    """Replace the file's bytes atomically, keeping its mode; None on success, else a reason.

    Refuses when the file changed on disk since it was read. A symlink is followed: its target is
    rewritten and the link stays a link.
    """
    if data == original:
        return None
    target = os.path.realpath(path)
    try:
        with open(target, "rb") as handle:
            on_disk = handle.read()
    except OSError as exc:
        return f"cannot re-read the file before writing ({exc.strerror or exc}); not written"
    if on_disk != original:
        return "the file changed on disk while it was being fixed; not written (run again)"
    folder = os.path.dirname(target) or "."
    fd, temporary = -1, ""
    try:
        status = os.stat(target)
        fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".ngrok-lint", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            fd = -1  # the file object owns it now
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        if hasattr(os, "chown"):
            try:  # keep the owner when allowed (a root-run hook fixing a user's file)
                os.chown(temporary, status.st_uid, status.st_gid)
            except OSError:
                pass
        os.replace(temporary, target)
        temporary = ""
    except OSError as exc:
        return f"cannot write the fixed file ({exc.strerror or exc}); left unchanged"
    finally:
        if fd >= 0:
            os.close(fd)
        if temporary:
            try:
                os.unlink(temporary)
            except OSError:
                pass
    return None
