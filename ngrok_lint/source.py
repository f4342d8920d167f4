"""Raw bytes to text, remembering the facts a fix must restore (BOM, line endings, final newline).

UTF-8 with or without a BOM, and UTF-16/UTF-32 with a BOM, are accepted, as YAML 1.1 requires.
Anything else is not text to us: the caller turns the error into an NGL001 finding.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple, Optional, Tuple, Union

from ngrok_lint.positions import byte_position

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: Tuple[Tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)


class Source(NamedTuple):
    path: str
    text: str  # decoded, without BOM, line endings as in the file
    encoding: str
    bom: bytes
    newline: str  # "\n" or "\r\n": the file's dominant line ending
    mixed_newlines: bool
    final_newline: bool

    def encode(self, text: str) -> bytes:
        """Text back to bytes the way this file was written."""
        return self.bom + text.encode(self.encoding)


class DecodeError(NamedTuple):
    path: str
    message: str
    line: int
    column: int


def decode(path: str, data: bytes) -> Union[Source, DecodeError]:
    bom = b""
    encoding = "utf-8"
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    body = data[len(bom):]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        # A line and a code-point column of the text before the bad byte, as every position is.
        line, column = byte_position(body, exc.start, encoding)
        return DecodeError(
            path,
            f"the file is not valid {encoding.upper()} text (byte 0x{body[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8",
            line,
            column,
        )
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    newline = "\r\n" if crlf > lf else "\n"
    return Source(
        path=path,
        text=text,
        encoding=encoding,
        bom=bom,
        newline=newline,
        mixed_newlines=bool(crlf and lf),
        final_newline=text.endswith("\n") or text == "",
    )


def read_path(path: str, limit: int = 10 * 1024 * 1024) -> Union[bytes, str]:
    """The file's bytes (at most `limit` + 1 of them), or a one-line reason it cannot be read."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            return "is a directory, not a file; name the directory itself to search it for configs"
        if not stat.S_ISREG(mode):
            return "is not a regular file (a device, socket or pipe); pass a config file"
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except FileNotFoundError:
        if os.path.islink(path):
            return "is a symbolic link to a missing file; fix or remove the link"
        return "no such file; check the path"
    except PermissionError:
        return "permission denied; make the file readable"
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            return "is a symbolic link loop; fix or remove the link"
        return f"cannot read ({exc.strerror or exc}); check the path"
