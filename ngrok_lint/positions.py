"""Where things stand in a text: the one owner of line breaks, lines, columns and offsets.

Every position the tool shows or applies comes from here, so that a line means the same thing to
the parser, the rules, the suppressions, the fixes and every output format.

**Line breaks.** A line ends at `\\r\\n` (one break), `\\r`, `\\n`, U+0085 (NEL), U+2028 (LS) or
U+2029 (PS): the YAML 1.1 break set, which PyYAML (pure and libyaml) and ruamel.yaml count in their
marks. Nothing else ends a line here: `\\v`, `\\f` and `\\x1c`–`\\x1e` (which `str.splitlines`
breaks at) are ordinary characters of a line. ``tests/test_positions.py`` checks the set against
the three parsers on every code point.

**Lines and columns.** Lines and columns are 1-based; a column counts code points from the start of
the line. Offsets are 0-based code-point indexes into the decoded text (no BOM). A :class:`Span`
of :mod:`ngrok_lint.model` holds both: PyYAML's marks already count this way.

**What each output needs.**

- text, JSON, GitHub: 1-based YAML lines and code-point columns, as above.
- SARIF: the same regions, with ``columnKind: unicodeCodePoints`` and the run's
  ``newlineSequences`` listing exactly :data:`BREAKS`, so a consumer splits lines as we do.
- LSP: the protocol's lines end only at `\\r\\n`, `\\r` and `\\n`, and characters count in the
  negotiated encoding (UTF-16 code units unless the client asked for UTF-8 or UTF-32). A YAML
  position is turned into an offset, and the offset into an LSP position: :class:`Lines` with
  :data:`LSP_BREAKS`, then :func:`units`.
- A file that does not decode: the position of the first bad byte as a line and a code-point
  column of the text before it (:func:`byte_position`), like every other position.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import List, NamedTuple, Pattern, Sequence, Tuple

#: The line breaks of YAML 1.1 (and so of PyYAML, libyaml and ruamel.yaml), longest first.
BREAKS: Tuple[str, ...] = ("\r\n", "\r", "\n", "\x85", "\u2028", "\u2029")
#: The line breaks of the Language Server Protocol.
LSP_BREAKS: Tuple[str, ...] = ("\r\n", "\r", "\n")
#: The characters that may end a line (the set of the single-character breaks of BREAKS).
BREAK_CHARS = "\r\n\x85\u2028\u2029"

# Compiled on first use: a plain lint of a file with `\n` breaks only needs none of them.
_BREAK = "\r\n|[\r\n\x85\u2028\u2029]"
_LSP_BREAK = "\r\n|[\r\n]"


class _Patterns(NamedTuple):
    brk: Pattern[str]
    lsp: Pattern[str]
    line: Pattern[str]  # one line with its break
    lsp_line: Pattern[str]


_compiled: List[_Patterns] = []


def _re() -> _Patterns:
    if not _compiled:
        _compiled.append(_Patterns(
            re.compile(_BREAK),
            re.compile(_LSP_BREAK),
            re.compile("[^\r\n\x85\u2028\u2029]*(?:\r\n|[\r\n\x85\u2028\u2029])|[^\r\n\x85\u2028\u2029]+\\Z"),
            re.compile("[^\r\n]*(?:\r\n|[\r\n])|[^\r\n]+\\Z"),
        ))
    return _compiled[0]


def _unicode_breaks(text: str) -> bool:
    """Does the text hold NEL, LS or PS?"""
    return not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text)


def _pattern(breaks: Sequence[str]) -> Pattern[str]:
    if tuple(breaks) == BREAKS:
        return _re().brk
    if tuple(breaks) == LSP_BREAKS:
        return _re().lsp
    raise ValueError(f"unknown line-break set {breaks!r}")


class Lines:
    """The lines of one text under one break set: offsets <-> (line, column), both ways.

    Built once per text in linear time; each lookup is a binary search.
    """

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, breaks: Sequence[str] = BREAKS) -> None:
        self.text = text
        starts = [0]
        ends: List[int] = []
        if "\r" in text or (tuple(breaks) == BREAKS and _unicode_breaks(text)):
            for match in _pattern(breaks).finditer(text):
                ends.append(match.start())
                starts.append(match.end())
        else:  # the common case: `\n` is the only break a text can hold
            find = text.find
            index = find("\n")
            while index >= 0:
                ends.append(index)
                starts.append(index + 1)
                index = find("\n", index + 1)
        ends.append(len(text))
        #: offset of the first character of each line (0-based list; line n is index n - 1)
        self.starts = starts
        #: offset of each line's break (the end of its content)
        self.ends = ends

    def __len__(self) -> int:
        return len(self.starts)

    def line_col(self, offset: int) -> Tuple[int, int]:
        """1-based line and code-point column of a 0-based offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column, clamped to that line's content (its break
        excluded); a line past the last is the end of the text."""
        if line > len(self.starts):
            return len(self.text)
        index = max(line, 1) - 1
        start = self.starts[index]
        return start + max(0, min(column - 1, self.ends[index] - start))

    def start(self, line: int) -> int:
        """Offset of the first character of a 1-based line (the end of the text past the last)."""
        return self.starts[line - 1] if 0 < line <= len(self.starts) else len(self.text)

    def end(self, line: int) -> int:
        """Offset of a 1-based line's break (the end of its content)."""
        return self.ends[line - 1] if 0 < line <= len(self.ends) else len(self.text)

    def next_start(self, line: int) -> int:
        """Offset just past a 1-based line's break: the start of the next line."""
        return self.starts[line] if 0 < line < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        """A 1-based line's content, without its break ("" past the end)."""
        if not 0 < line <= len(self.starts):
            return ""
        return self.text[self.starts[line - 1]: self.ends[line - 1]]


def line_col(text: str, offset: int) -> Tuple[int, int]:
    """1-based line and code-point column of an offset, without building an index."""
    offset = max(0, min(offset, len(text)))
    if "\r" in text or _unicode_breaks(text):
        line, start = 1, 0
        for match in _re().brk.finditer(text, 0, offset + 1):  # one past: a `\r\n` is one break
            if match.end() > offset:
                break
            line, start = line + 1, match.end()
        return line, offset - start + 1
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def split_lines(text: str, breaks: Sequence[str] = BREAKS) -> List[str]:
    """The lines of `text`, each with its break (the last one may have none)."""
    if tuple(breaks) == LSP_BREAKS:
        return _re().lsp_line.findall(text)
    return _re().line.findall(text)


def line_end(text: str, offset: int) -> int:
    """The offset of the first line break at or after `offset` (the end of the text if none)."""
    end = text.find("\n", offset)
    if end < 0:
        end = len(text)
    for char in "\r\x85\u2028\u2029":  # str.find, not a pattern: the loader asks once per collection
        found = text.find(char, offset, end)
        if found >= 0:
            end = found
    return end


def break_length(text: str, offset: int) -> int:
    """The length of the line break that starts at `offset` (0 when none does)."""
    match = _re().brk.match(text, offset)
    return match.end() - offset if match else 0


def is_break(char: str) -> bool:
    """Does this one character end a line? (`\\r` does, alone or before `\\n`.)"""
    return len(char) == 1 and char in BREAK_CHARS


# --- units of the Language Server Protocol -------------------------------------------------------


def units(text: str, encoding: str = "utf-16") -> int:
    """How many code units of `encoding` ("utf-8", "utf-16", "utf-32") `text` takes."""
    if text.isascii():
        return len(text)
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if char > "\uffff")


def column_of_units(line: str, count: int, encoding: str = "utf-16") -> int:
    """The code-point column (0-based) that `count` code units into `line` reach; a count inside
    a character reaches that character's end, a count past the line its end."""
    if line.isascii() or encoding == "utf-32":
        return max(0, min(count, len(line)))
    seen = 0
    for index, char in enumerate(line):
        if seen >= count:
            return index
        seen += units(char, encoding)
    return len(line)


# --- bytes ---------------------------------------------------------------------------------------


def byte_position(body: bytes, offset: int, encoding: str) -> Tuple[int, int]:
    """1-based line and code-point column of a byte offset in an encoded text whose bytes before
    `offset` decode (the first undecodable byte, say)."""
    before = body[:offset].decode(encoding, "replace")
    return line_col(before, len(before))
