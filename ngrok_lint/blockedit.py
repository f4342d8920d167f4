"""Structural changes written straight into the text, without the ruamel.yaml round trip, for the
three shapes most fixes take: a new key added to a block mapping (`traffic_policy:` appended to a
tunnel, `min_version:` to an action's `config:`, `version: "2"` put first in a legacy file), a
key renamed in place (`hostname` -> `domain`, a misspelt key -> its real name), and a key removed
(`enforce: false`, a `bind_tls` the migration replaces).

Why a second path: the round trip (:mod:`ngrok_lint.roundtrip`) loads and dumps the whole file
through ruamel.yaml, about 3 ms per tunnel and seconds for one long value, so fixing or
previewing the fixes of a 2,000-tunnel file took tens of seconds. These two changes need none of
that: the fast parse (:mod:`ngrok_lint.loader`) says where a mapping's lines end, at which column
its keys stand and where a key is written, and the change is made there in the file's own
indentation.

A new key is written where and as the round trip writes it (the same indentation style from
:func:`ngrok_lint.layout.detect_style`, the same quoting from :func:`ngrok_lint.layout.needs_quotes`;
at the end, after the mapping's last content line and before any comment that follows; first,
after the mapping's own key line, or after the file's header comments; between two keys, after
the first one's lines). A renamed key has its characters replaced and nothing else, where the
round trip rewrites the whole line (it drops trailing spaces). A removed key takes its value's
lines, the comment block directly above it and a blank line by the round trip's rules
(`roundtrip._widen_deletion`). `tests/test_blockedit.py` compares the two paths on every block
mapping and every key of the real-world corpus.

Anything else returns None and goes to the round trip: other operations, a missing parent, a
mapping that is anchored, aliased, tagged, written in flow style or merges keys, a mapping whose
last value is a block scalar, a multi-line scalar, an empty value or a flow collection over
several lines, a list item's mapping asked for a first key, a quoted key to rename, two changes
naming one key, a key moved (removed here and set there: its comments move with it), the last
key of a mapping, a removal next to another edit, and values this module does not write (floats, non-ASCII or escaped strings, a
list directly inside a list, null list items). Like every fix, the result is proven by
:mod:`ngrok_lint.proof` before it is used.
"""

from __future__ import annotations

import bisect
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint import layout, proof
from ngrok_lint.layout import Style, needs_quotes
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Op, YamlPath
from ngrok_lint.positions import Lines

LineSplice = Tuple[int, int, List[str]]  # as roundtrip.LineSplice: lines [start, end) -> new lines

_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:+=@-]*\Z")  # written plain by the round trip too
_QUOTABLE = re.compile(r"[ -~]*\Z")  # printable ASCII: double-quoted without escapes unless `"` or `\`
_MAX_SCALAR = 1000  # longer strings go to the round trip (it folds nothing below 4,096 columns)


class _Unsupported(Exception):
    """This change is not one this module writes; the round trip takes the whole batch."""


class Edit(NamedTuple):
    """What one change does to the original text: characters [start, end) become `text` (the
    file's own line ends); as whole lines, original lines [line, end_line) (0-based, counted by
    `\\n`) become `lines`. A new key is an insertion (start == end, line == end_line); a renamed
    key replaces the key's characters, and its line."""

    start: int
    end: int
    text: str
    line: int
    end_line: int
    lines: List[str]


def edits(text: str, doc: Document, changes: Sequence[Change]) -> Optional[List[Edit]]:
    """What each of `changes` does to `text` (the text `doc` was parsed from), in the order of the
    changes, or None when one is neither a new key added to a block mapping nor a key renamed in
    place that this module can write (the caller then uses the round trip). Several insertions at
    one offset go in change order."""
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
    names: Dict[YamlPath, Set[Any]] = {}  # per mapping, the keys the changes set or rename (from and to)
    newline = "\r\n" if "\r\n" in text else "\n"
    open_end = bool(text) and not text.endswith("\n")  # the last line has no line end
    found: List[Edit] = []
    sets = [tuple(c.path) for c in changes if c.op == Op.SET and c.path]
    for change in changes:  # a key moved (removed here, set with its value there): its comments
        path = tuple(change.path)  # move with it, which the round trip's rules do
        if change.op == Op.REMOVE and path and any(
                other != path and other[-1] == path[-1] for other in sets):
            return None
    try:
        for change in changes:
            path = tuple(change.path)
            parent = path[:-1]
            touched = {path[-1], change.value} if change.op == Op.RENAME else {path[-1]} if path else set()
            mine = names.setdefault(parent, set())
            if mine & touched:
                raise _Unsupported  # one key named by two changes: the round trip applies them in order
            mine.update(touched)
            if change.op == Op.RENAME:
                found.append(_rename(doc, change, starts))
                continue
            if change.op == Op.REMOVE:
                found.append(_remove(doc, change, extents, risky, flow_lines, starts))
                continue
            line, parent, lines = _append(doc, change, style, extents, risky, flow_lines, starts, seen)
            if owners.setdefault(line, parent) != parent:
                raise _Unsupported  # keys of two mappings after one line: their order decides nesting
            at = starts[line + 1] if line + 1 < len(starts) else len(text)
            if at == len(text) and open_end:
                written = "".join(newline + item for item in lines)  # and the file still ends without one
            else:
                written = "".join(item + newline for item in lines)
            found.append(Edit(at, at, written, line + 1, line + 1, lines))
        _apart(text, starts, found)
    except _Unsupported:
        return None
    return found


def _apart(text: str, starts: List[int], found: List[Edit]) -> None:
    """A removal stands apart from every other edit: a kept content line lies between them. The
    round trip sees two edits with only comments and blank lines between as one hunk and places
    those comments by other rules."""
    ordered = sorted(found, key=lambda e: (e.line, e.end_line))
    for before, after in zip(ordered, ordered[1:]):
        if not _removal(before) and not _removal(after):
            continue
        if after.line <= before.end_line:
            raise _Unsupported
        between = text[starts[before.end_line]:starts[after.line] if after.line < len(starts) else len(text)]
        if not any(line.strip() and not line.lstrip().startswith("#") for line in between.split("\n")):
            raise _Unsupported


def _removal(edit: Edit) -> bool:
    return not edit.lines and edit.end_line > edit.line


_DIRECTIVE = re.compile(r"#\s*(ngrok-lint:\s*ignore-file|yaml-language-server:)")


def _remove(doc: Document, change: Change, extents: Dict[YamlPath, Tuple[int, int]], risky: Set[int],
            flow_lines: Set[int], starts: List[int]) -> Edit:
    """A key removed with its value's lines, the comment block directly above it (not the file's
    header, not a tool directive, not one indented less than the key) and one blank line where
    it stood between two: the round trip's rules (`roundtrip._widen_deletion`)."""
    path = tuple(change.path)
    if not path or not isinstance(path[-1], str):
        raise _Unsupported  # a list item: the round trip renumbers the rest
    parent = path[:-1]
    mapping = doc.get(parent)
    loc = doc.locs.get(path)
    if not isinstance(mapping, dict) or path[-1] not in mapping or len(mapping) < 2 or loc is None or loc.key is None:
        raise _Unsupported  # the last key of a mapping leaves `{}`: the round trip writes that
    _check_containers(doc, parent)
    text = doc.text
    if loc.raw is None and text[loc.value.start:loc.value.start + 1] in ("&", "*", "!"):
        raise _Unsupported
    if loc.raw is not None and loc.style is None and text[loc.value.start:loc.value.start + 1] in ("&", "*", "!"):
        raise _Unsupported
    keys = list(mapping)
    position = keys.index(path[-1])
    first = _line_of(starts, loc.key.start)
    indent = loc.key.start - starts[first]
    if text[starts[first]:loc.key.start].strip(" "):
        raise _Unsupported  # the key shares its line with a list dash or a flow opener
    last = _last_line(doc, extents.get(path), risky, flow_lines, starts)
    # Where the text before the key ends: the previous key's value, or the line of the mapping's key.
    if position:
        floor = _last_line(doc, extents.get(parent + (keys[position - 1],)), risky, flow_lines, starts) + 1
    else:
        parent_loc = doc.locs.get(parent)
        floor = _line_of(starts, parent_loc.key.start) + 1 if parent_loc is not None and parent_loc.key is not None else 0
    if any(n in flow_lines for n in range(floor, first)):
        raise _Unsupported

    def line_text(number: int) -> str:
        return text[starts[number]:starts[number + 1] if number + 1 < len(starts) else len(text)].rstrip("\r\n")

    def kind(number: int) -> str:
        stripped = line_text(number).strip(" \t")
        if not stripped:
            return "blank"
        if stripped.startswith("#"):
            return "comment"
        if _MARKER.match(line_text(number)):
            return "marker"
        return "content"

    top = first
    while (top > floor and kind(top - 1) == "comment" and not _DIRECTIVE.search(line_text(top - 1))
           and len(line_text(top - 1)) - len(line_text(top - 1).lstrip(" ")) >= indent):
        top -= 1
    start = first
    if top < first:
        above = top - 1
        header = above < 0 or kind(above) == "marker" or _DIRECTIVE.search(line_text(above)) is not None
        if not header:
            start = top
    end = last + 1
    total = len(starts) - 1 if text.endswith("\n") else len(starts)  # lines as the round trip counts them
    if start > 0 and kind(start - 1) == "blank":
        if end < total and kind(end) == "blank":
            end += 1
        elif end == total:
            start -= 1
    begin = starts[start] if start < len(starts) else len(text)
    finish = starts[end] if end < len(starts) else len(text)
    if finish == len(text) and text and not text.endswith("\n") and begin > 0:
        begin -= 2 if text[begin - 2:begin] == "\r\n" else 1  # the file still ends without a line end
    return Edit(begin, finish, "", start, end, [])


def _rename(doc: Document, change: Change, starts: List[int]) -> Edit:
    """A key renamed in place: its characters replaced, the rest of its line as it was."""
    path = tuple(change.path)
    new = change.value
    if not path or not isinstance(new, str) or not new or not isinstance(path[-1], str):
        raise _Unsupported
    parent = path[:-1]
    mapping = doc.get(parent)
    loc = doc.locs.get(path)
    if not isinstance(mapping, dict) or path[-1] not in mapping or new in mapping or loc is None or loc.key is None:
        raise _Unsupported
    _check_containers(doc, parent, flow=True)  # a key's characters read the same in flow style
    text = doc.text
    start, end = loc.key.start, loc.key.end
    if text[start:end] != path[-1] or loc.key.line != loc.key.end_line:
        raise _Unsupported  # a quoted or otherwise written key: the round trip decides
    written = _scalar(new)
    line = _line_of(starts, start)
    line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[starts[line]:line_end].rstrip("\r\n")
    column = start - starts[line]
    return Edit(start, end, written, line, line + 1, [content[:column] + written + content[column + end - start:]])


def _check_containers(doc: Document, path: YamlPath, flow: bool = False) -> None:
    """No change inside or of a node that aliases share, that is tagged, or that merges keys, nor
    (unless `flow`) inside a flow collection: the round trip refuses or rewrites those."""
    text = doc.text
    for size in range(len(path) + 1):  # the mapping and every container above it
        above = path[:size]
        loc = doc.locs.get(above)
        if loc is None or (loc.flow and not flow) or text[loc.value.start:loc.value.start + 1] in ("&", "*", "!"):
            raise _Unsupported
        if above + ("<<",) in doc.locs:
            raise _Unsupported


_Layout = Tuple[Style, Set[int], Dict[YamlPath, Tuple[int, int]], Set[int], List[int]]


def _layout(doc: Document) -> Optional[_Layout]:
    """What every change to `doc`'s text needs, worked out once per document (the fix engine
    asks for a batch, then for its parts): the indentation style, the lines of flow collections
    written over several lines, node extents, risky scalar ends and line starts."""
    if "blockedit" in doc.memo:
        return doc.memo["blockedit"]  # type: ignore[no-any-return]
    try:
        style, flows = layout.detect_style(doc.text)
    except layout.Unavailable:
        doc.memo["blockedit"] = None
        return None
    flow_lines: Set[int] = {n for first, last in flows.items() for n in range(first, last + 1)}
    # Lines as ngrok_lint.positions counts them: `\n` and `\r\n` alone here (other breaks are refused).
    known = (style, flow_lines, proof.node_extents(doc), _risky_ends(doc), Lines(doc.text).starts)
    doc.memo["blockedit"] = known
    return known


def line_edits(text: str, doc: Document, changes: Sequence[Change]) -> Optional[Tuple[str, List[LineSplice]]]:
    """`text` with `changes` applied and the line replacements that make it, as
    :func:`ngrok_lint.roundtrip.line_edits` gives them; None as for :func:`edits`."""
    found = edits(text, doc, changes)
    if found is None:
        return None
    order = sorted(range(len(found)), key=lambda i: (found[i].start, found[i].end, i))  # stable: change order
    pieces: List[str] = []
    cursor = 0
    for index in order:
        item = found[index]
        if item.start < cursor:
            return None  # two edits of the same characters (cannot happen for keys; never guess)
        pieces.append(text[cursor:item.start])
        pieces.append(item.text)
        cursor = item.end
    pieces.append(text[cursor:])
    splices: List[LineSplice] = []
    for index in sorted(range(len(found)), key=lambda i: (found[i].line, found[i].end_line, i)):
        item = found[index]
        if splices and splices[-1][0] == item.line and splices[-1][1] == item.end_line == item.line:
            splices[-1][2].extend(item.lines)  # insertions at one line: one splice, in change order
        else:
            splices.append((item.line, item.end_line, list(item.lines)))
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
    _check_containers(doc, parent)
    first_key = doc.locs.get(parent + (keys[0],))
    if first_key is None or first_key.key is None or parent not in extents:
        raise _Unsupported
    column = first_key.key.start - starts[_line_of(starts, first_key.key.start)]
    if position == 0 and not parent:
        line = _top_line(doc.text, first_key.key.start, starts)
    elif position == 0:
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


_MARKER = re.compile(r"(---|\.\.\.)(\s|$)|%")  # as the round trip classifies lines


def _top_line(text: str, first_key: int, starts: List[int]) -> int:
    """For a key put first in the file: the line after which the round trip writes it (-1: the
    very start). After the file's header comments, but above a comment block that introduces the
    first key when a blank line parts it from the header; only when nothing but comments, blank
    lines and document markers comes before the first key."""
    first = _line_of(starts, first_key)
    if text[starts[first]:first_key].strip(" \t"):
        raise _Unsupported  # the key shares its line with a marker or a tag
    kinds: List[str] = []
    for number in range(first):
        line = text[starts[number]:starts[number + 1]].rstrip("\r\n")
        stripped = line.strip(" \t")
        if not stripped:
            kinds.append("blank")
        elif stripped.startswith("#"):
            kinds.append("comment")
        elif _MARKER.match(line):
            kinds.append("marker")
        else:
            raise _Unsupported
    at = top = first
    while top > 0 and kinds[top - 1] == "comment":
        top -= 1
    if top > 0 and kinds[top - 1] == "blank" and "comment" in kinds[:top]:
        at = top
    return at - 1


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


def _line_of(starts: List[int], offset: int) -> int:
    """The 0-based line of an offset, by the line starts of :class:`ngrok_lint.positions.Lines`."""
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
