"""Structural changes written straight into the text, without the ruamel.yaml round trip, for the
one shape most fixes take: a new key appended to a block mapping (`traffic_policy:` added to a
tunnel, `min_version:` to an action's `config:`).

Why a second path: the round trip (:mod:`ngrok_lint.roundtrip`) loads and dumps the whole file
through ruamel.yaml, about 3 ms per tunnel, so fixing or previewing the fixes of a 2,000-tunnel
file took tens of seconds. Appending a key needs none of that: the fast parse
(:mod:`ngrok_lint.loader`) says where the mapping's last line ends and at which column its keys
stand, and the new entry is written there in the file's own indentation.

The text written is the one the round trip writes for the same change (the same indentation
style from :func:`ngrok_lint.layout.detect_style`, the same quoting from
:func:`ngrok_lint.layout.needs_quotes`, inserted after the mapping's last content line and
before any comment that follows it); `tests/test_blockedit.py` compares the two on every block
mapping of the real-world corpus. Anything else returns None and goes to the round trip: other
operations, a new key at another position, a missing parent, a mapping that is anchored,
aliased, tagged or merges keys, one whose last value is a block scalar, a multi-line scalar, an
empty value or a flow collection over several lines, and values this module does not write
(floats, non-ASCII or escaped strings, a list directly inside a list, null list items). Like
every fix, the result is proven by :mod:`ngrok_lint.proof` before it is used.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint.layout import Style

from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Op, YamlPath

LineSplice = Tuple[int, int, List[str]]  # as roundtrip.LineSplice: lines [start, end) -> new lines

_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:+=@-]*\Z")  # written plain by the round trip too
_QUOTABLE = re.compile(r"[ -~]*\Z")  # printable ASCII: double-quoted without escapes unless `"` or `\`
_MAX_SCALAR = 1000  # longer strings go to the round trip (it folds nothing below 4,096 columns)


class _Unsupported(Exception):
    """This change is not one this module writes; the round trip takes the whole batch."""


class Insertion(NamedTuple):
    """The lines one change adds: before original line `line` (0-based, lines counted by `\\n`),
    which is character `offset` of the original text; `text` is what goes there, line ends
    included (the file's own)."""

    offset: int
    text: str
    line: int
    lines: List[str]


def insertions(text: str, doc: Document, changes: Sequence[Change]) -> Optional[List[Insertion]]:
    """What each of `changes` inserts into `text` (the text `doc` was parsed from), in the order
    of the changes, or None when one is not a new key added to a block mapping that this module
    can write (the caller then uses the round trip). Several at one offset go in change order."""
    if not changes or doc.text != text or doc.duplicates or not isinstance(doc.data, dict):
        return None
    if any(sep in text for sep in ("\x85", "\u2028", "\u2029")) or text.count("\r") != text.count("\r\n"):
        return None  # the round trip refuses these with its own reasons
    known = _layout(doc)
    if known is None:
        return None
    style, flow_lines, extents, risky, starts = known
    owners: Dict[int, YamlPath] = {}  # the mapping each insertion point belongs to
    seen: Dict[YamlPath, int] = {}
    newline = "\r\n" if "\r\n" in text else "\n"
    open_end = bool(text) and not text.endswith("\n")  # the last line has no line end
    found: List[Insertion] = []
    try:
        for change in changes:
            line, parent, lines = _append(doc, change, style, extents, risky, flow_lines, starts, seen)
            if owners.setdefault(line, parent) != parent:
                raise _Unsupported  # keys of two mappings after one line: their order decides nesting
            at = starts[line + 1] if line + 1 < len(starts) else len(text)
            if at == len(text) and open_end:
                written = "".join(newline + item for item in lines)  # and the file still ends without one
            else:
                written = "".join(item + newline for item in lines)
            found.append(Insertion(at, written, line + 1, lines))
    except _Unsupported:
        return None
    return found


_Layout = Tuple[Style, Set[int], Dict[YamlPath, Tuple[int, int]], Set[int], List[int]]


def _layout(doc: Document) -> Optional[_Layout]:
    """What every change to `doc`'s text needs, worked out once per document (the fix engine
    asks for a batch, then for its parts): the indentation style, the lines of flow collections
    written over several lines, node extents, risky scalar ends and line starts."""
    if "blockedit" in doc.memo:
        return doc.memo["blockedit"]  # type: ignore[no-any-return]
    from ngrok_lint import layout, proof

    try:
        style, flows = layout.detect_style(doc.text)
    except layout.Unavailable:
        doc.memo["blockedit"] = None
        return None
    flow_lines: Set[int] = {n for first, last in flows.items() for n in range(first, last + 1)}
    known = (style, flow_lines, proof.node_extents(doc), _risky_ends(doc), _line_starts(doc.text))
    doc.memo["blockedit"] = known
    return known


def line_edits(text: str, doc: Document, changes: Sequence[Change]) -> Optional[Tuple[str, List[LineSplice]]]:
    """`text` with `changes` applied and the line insertions that make it, as
    :func:`ngrok_lint.roundtrip.line_edits` gives them; None as for :func:`insertions`."""
    found = insertions(text, doc, changes)
    if found is None:
        return None
    by_line: Dict[int, List[Insertion]] = {}
    for item in found:
        by_line.setdefault(item.line, []).append(item)
    pieces: List[str] = []
    splices: List[LineSplice] = []
    cursor = 0
    for line in sorted(by_line):
        group = by_line[line]
        at = group[0].offset
        pieces.append(text[cursor:at])
        pieces.extend(item.text for item in group)
        cursor = at
        splices.append((line, line, [new for item in group for new in item.lines]))
    pieces.append(text[cursor:])
    return "".join(pieces), splices


def _append(doc: Document, change: Change, style: Style, extents: Dict[YamlPath, Tuple[int, int]],
            risky: Set[int], flow_lines: Set[int], starts: List[int],
            seen: Dict[YamlPath, int]) -> Tuple[int, YamlPath, List[str]]:
    """The original line after which `change`'s entry goes, the mapping it goes in, and its lines."""
    path = tuple(change.path)
    if change.op != Op.SET or not path or not isinstance(path[-1], str):
        raise _Unsupported
    parent, key = path[:-1], path[-1]
    mapping = doc.get(parent)
    if not isinstance(mapping, dict) or not mapping or key in mapping:
        raise _Unsupported
    keys = list(mapping)
    position = len(keys) if change.index == -1 or change.index >= len(keys) else change.index
    if position < 0 or seen.get(parent, len(keys)) != len(keys) or (parent in seen and position != len(keys)):
        # A key put before others shifts the positions the next change to this mapping counts
        # from, and two changes naming one key compete: the round trip applies them in order.
        raise _Unsupported
    seen[parent] = position
    text = doc.text
    for size in range(len(parent) + 1):  # the mapping and every container above it
        above = parent[:size]
        loc = doc.locs.get(above)
        if loc is None or loc.flow or text[loc.value.start:loc.value.start + 1] in ("&", "*", "!"):
            raise _Unsupported
        if above + ("<<",) in doc.locs:
            raise _Unsupported
    first_key = doc.locs.get(parent + (keys[0],))
    if first_key is None or first_key.key is None or parent not in extents:
        raise _Unsupported
    column = first_key.key.start - starts[_line_of(starts, first_key.key.start)]
    if position == 0:
        line = _key_line(doc, parent, first_key.key.start, starts)
    else:
        line = _last_line(doc, extents.get(parent if position == len(keys) else parent + (keys[position - 1],)),
                          risky, flow_lines, starts)
    return line, parent, _entry(key, change.value, column, style)


def _last_line(doc: Document, extent: Optional[Tuple[int, int]], risky: Set[int], flow_lines: Set[int],
               starts: List[int]) -> int:
    """The line a node's text ends on, when the round trip inserts right after it."""
    if extent is None or extent[1] in risky or extent[1] <= 0:
        raise _Unsupported
    last = extent[1]
    line = _line_of(starts, last - 1)
    if line in flow_lines:
        raise _Unsupported
    rest = doc.text[last:starts[line + 1] if line + 1 < len(starts) else len(doc.text)].strip(" \t\r\n")
    if rest and not rest.startswith("#"):
        raise _Unsupported  # a flow closer, another value: not a line this module reasons about
    return line


_KEY_LINE_REST = re.compile(r"[ \t]*:[ \t]*(#.*)?\r?\Z")


def _key_line(doc: Document, parent: YamlPath, first_key: int, starts: List[int]) -> int:
    """For a key put first in a mapping: the line of the mapping's own key (`traffic_policy:`),
    after which the round trip writes it; only when that line holds the key alone."""
    loc = doc.locs.get(parent)
    if loc is None or loc.key is None:
        raise _Unsupported  # a list item's mapping, or the top level: its first line is shared
    line = _line_of(starts, loc.key.start)
    if _line_of(starts, loc.key.end) != line or _line_of(starts, first_key) <= line:
        raise _Unsupported
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(doc.text)
    if not _KEY_LINE_REST.match(doc.text, loc.key.end, end):
        raise _Unsupported
    return line


def _risky_ends(doc: Document) -> Set[int]:
    """End offsets of scalars after which "the next line" is not where the round trip inserts:
    block scalars, scalars over several lines, and empty values (their mark lies on a later line)."""
    ends: Set[int] = set()
    for loc in doc.locs.values():
        if loc.raw is None:
            continue
        span = loc.value
        if loc.style in ("|", ">") or span.line != span.end_line or (loc.raw == "" and not loc.style):
            ends.add(span.end)
    return ends


def _line_starts(text: str) -> List[int]:
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _line_of(starts: List[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


# --- writing a value as the round trip does ---------------------------------------------------------


def _entry(key: Any, value: Any, column: int, style: Style) -> List[str]:
    """`key: value` as lines at `column`, nested values indented by `style` (mapping indent,
    sequence indent, dash offset), as ruamel.yaml writes them."""
    head = " " * column + _scalar(key) + ":"
    if isinstance(value, dict) and value:
        return [head] + _mapping(value, column + style.mapping, style)
    if isinstance(value, (list, tuple)) and value:
        return [head] + _sequence(value, column, style)
    return [head + (" " + _scalar(value) if value is not None else "")]


def _mapping(value: Dict[Any, Any], column: int, style: Style) -> List[str]:
    lines: List[str] = []
    for key, item in value.items():
        lines.extend(_entry(key, item, column, style))
    return lines


def _sequence(items: Sequence[Any], column: int, style: Style) -> List[str]:
    """Items of a list under a key at `column`: the dash at `column + offset`, the item's text
    at `column + sequence`."""
    dash = " " * (column + style.offset) + "-" + " " * (style.sequence - style.offset - 1)
    content = column + style.sequence
    lines: List[str] = []
    for item in items:
        if item is None or (isinstance(item, (list, tuple)) and item):
            raise _Unsupported  # ruamel writes `- ` and `- - a`: left to it
        if isinstance(item, dict) and item:
            nested = _mapping(item, content, style)
            lines.append(dash + nested[0][content:])
            lines.extend(nested[1:])
        else:
            lines.append(dash + _scalar(item))
    return lines


def _scalar(value: Any) -> str:
    from ngrok_lint.layout import needs_quotes

    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict) and not value:
        return "{}"
    if isinstance(value, (list, tuple)) and not value:
        return "[]"
    if not isinstance(value, str) or len(value) > _MAX_SCALAR:
        raise _Unsupported  # floats, None inside flow, other types: the round trip decides
    if not needs_quotes(value):
        if _PLAIN.match(value):
            return value
        raise _Unsupported  # plain for YAML, but ruamel.yaml may still choose quotes
    if _QUOTABLE.match(value) and '"' not in value and "\\" not in value:
        return '"' + value + '"'
    raise _Unsupported
