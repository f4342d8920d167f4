"""Structural fixes (SET, REMOVE, RENAME, INSERT) through a ruamel.yaml round-trip, merged back onto
the original text so that everything a fix is not about stays byte-identical.

ruamel.yaml does not reproduce every file exactly (it drops `~`, trailing spaces, comments before
`---`, and places comments around edited keys badly: model-codebases.md section 8). So the text is
never taken from ruamel wholesale. Instead:

1. the file is loaded, its comments are dropped from the tree, and the unmodified tree is dumped
   (A) with the file's own indentation; the changes are applied and the tree is dumped again (B);
2. the line diff A -> B says which content lines the fix changes;
3. A's lines are mapped onto the original's content lines (difflib), and each hunk is applied to
   the original text. Comments and blank lines are placed by explicit rules here: a changed line
   keeps its end-of-line comment, a removed key takes the comment block directly above it along,
   comments after a removed key stay for the next one, and a new key goes before the comments that
   introduce the key after it.

A hunk that does not map cleanly onto the original raises :class:`Unavailable`, and the caller
reports the fix as unavailable for that file. This module is imported only when a structural fix
is applied: the lint path never pays for ruamel.yaml.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Set, Sized, Tuple, cast

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from ngrok_lint import linediff
from ngrok_lint.layout import Style, Unavailable, detect_style, needs_quotes
from ngrok_lint.model import Change, Op, YamlPath

__all__ = ["Style", "Unavailable", "apply_changes", "detect_style", "dotted", "line_edits", "needs_quotes", "to_node"]

WIDTH = 4096  # never fold a long scalar (gotcha 16)
_MISSING = object()


def dotted(path: YamlPath) -> str:
    """`tunnels.web.schemes[0]`: a YAML path as people write it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# --- the whole operation -------------------------------------------------------------------------


def apply_changes(text: str, changes: Sequence[Change]) -> str:
    """`text` with the structural `changes` applied, in order; raises :class:`Unavailable`."""
    return line_edits(text, changes)[0]


LineSplice = Tuple[int, int, List[str]]  # original lines [start, end) (0-based) -> new lines, no line ends


def line_edits(text: str, changes: Sequence[Change]) -> Tuple[str, List[LineSplice]]:
    """`text` with the structural `changes` applied, and the line replacements that make it
    (in order, not overlapping; lines counted by `\n`); raises :class:`Unavailable`."""
    crlf = text.count("\r\n")
    if text.count("\r") != crlf:
        raise Unavailable("the file holds a carriage return that does not end a line")
    if crlf and text.count("\n") != crlf:
        raise Unavailable("the file mixes CRLF and LF line endings")
    if any(sep in text for sep in ("\x85", "\u2028", "\u2029")):
        raise Unavailable("the file uses a Unicode line separator (U+0085, U+2028 or U+2029)")
    newline = "\r\n" if crlf else "\n"
    work = text.replace("\r\n", "\n") if crlf else text
    final_newline = work.endswith("\n") or work == ""
    if not final_newline:
        work += "\n"

    style, flows = detect_style(work)
    lines = _classify(work, flows)
    tree = _load(work, style)
    _strip_comments(tree)
    before = _dump(tree, style)
    moved = _moved_keys(tree, changes)
    for change in changes:
        _apply(tree, change)
    after = _dump(tree, style)
    if before == after:
        return text, []
    renames = {(str(c.path[-1]), str(c.value)) for c in changes if c.op == Op.RENAME and c.path}
    edits = _merge_edits(lines, before.split("\n")[:-1], after.split("\n")[:-1], renames, moved)
    merged: List[str] = []
    cursor = 0
    for edit in edits:
        merged.extend(line.text for line in lines[cursor:edit.start])
        merged.extend(edit.lines)
        cursor = max(cursor, edit.end)
    merged.extend(line.text for line in lines[cursor:])
    splices = [(edit.start, edit.end, list(edit.lines)) for edit in edits]
    result = "".join(line + "\n" for line in merged)
    if not final_newline and result.endswith("\n"):
        result = result[:-1]
    return (result.replace("\n", "\r\n") if newline == "\r\n" else result), splices


# --- reading the file ----------------------------------------------------------------------------


class _Float(float):
    """A float that is written back as it was read: ruamel.yaml re-formats floats and loses digits
    (`2.668949152189049e+16` comes back as `...048e+16`), which the fix proof then refuses."""

    text: str = ""


class _Constructor(RoundTripConstructor):
    def construct_yaml_float(self, node: Any) -> Any:
        value = super().construct_yaml_float(node)
        kept = _Float(value)
        kept.text = node.value
        return kept


_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)


class _Representer(RoundTripRepresenter):
    def represent_kept_float(self, data: _Float) -> Any:
        return self.represent_scalar("tag:yaml.org,2002:float", data.text)


_Representer.add_representer(_Float, _Representer.represent_kept_float)


def _yaml(style: Style) -> YAML:
    # A fresh instance per file: ruamel.yaml keeps state between loads (gotcha 25).
    instance = YAML(typ="rt")
    instance.Constructor = _Constructor
    instance.Representer = _Representer
    instance.preserve_quotes = True
    instance.width = WIDTH
    instance.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    return instance


def _load(text: str, style: Style) -> CommentedMap:
    try:
        tree = _yaml(style).load(text)
    except RuamelError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "duplicate key" in str(exc):
            raise Unavailable("the file has duplicate keys; remove them first") from None
        raise Unavailable(f"the round-trip parser cannot read the file ({first})") from None
    except RecursionError:
        raise Unavailable("the file nests too deeply for the round-trip parser") from None
    if not isinstance(tree, CommentedMap):
        raise Unavailable("the file's top level is not a mapping")
    return tree


def _strip_comments(node: Any) -> None:
    """Comments and blank lines are placed by this module from the original text, not by ruamel."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CommentedBase):
            item.ca.items.clear()
            item.ca.comment = None
            item.ca.end = None
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _dump(tree: CommentedMap, style: Style) -> str:
    out = io.StringIO()
    _yaml(style).dump(tree, out)
    return out.getvalue()


# --- the changes, on the tree --------------------------------------------------------------------


def _anchor(node: Any) -> Optional[str]:
    anchor = getattr(node, "anchor", None)
    return getattr(anchor, "value", None) if anchor is not None else None


def _guard(node: Any, path: YamlPath) -> None:
    """No edit inside or of a node that aliases share (gotcha 24), nor in a map that merges keys."""
    name = _anchor(node)
    if name:
        raise Unavailable(f"`{dotted(path)}` is anchored (&{name}) and shared through aliases; editing it would change every alias")
    if isinstance(node, CommentedMap) and len(node.merge):
        raise Unavailable(f"`{dotted(path)}` takes keys from a merge (`<<`)")


def _find_key(mapping: CommentedMap, part: Any) -> Any:
    """The key object for a path part: the loader's paths hold keys as text (`80`, `true`)."""
    if isinstance(part, str) and part in mapping:
        return part
    for key in mapping:
        if isinstance(key, str) or isinstance(part, bool):
            continue
        text = str(key)
        if text == str(part) or (isinstance(key, bool) and text.lower() == str(part).lower()):
            return key
    return _MISSING


def _walk(root: CommentedMap, path: YamlPath, create: bool) -> Any:
    """The container at `path`; with `create`, missing or null mappings on the way are added."""
    node: Any = root
    for depth, part in enumerate(path):
        _guard(node, path[:depth])
        here = path[: depth + 1]
        if isinstance(node, CommentedMap):
            key = _find_key(node, part)
            child = _MISSING if key is _MISSING else node[key]
            if create and (child is _MISSING or child is None):
                child = CommentedMap()
                if key is _MISSING:
                    node[part] = child
                else:
                    node[key] = child
            if child is _MISSING:
                raise Unavailable(f"`{dotted(here)}` is not in the file")
            node = child
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        else:
            raise Unavailable(f"`{dotted(here)}` is not in the file")
    _guard(node, path)
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        raise Unavailable(f"`{dotted(path)}` is not a mapping or a list")
    return node


def _position(index: int, size: int) -> int:
    if index == -1 or index >= size:
        return size
    if index < -1:
        return max(0, size + index + 1)
    return index


def to_node(value: Any, old: Any = None) -> Any:
    """A Python value as ruamel.yaml should write it: new strings that YAML 1.1 would read as
    another type are double-quoted (gotchas 5 and 28); a replaced quoted string keeps its quotes."""
    if isinstance(value, str):
        if isinstance(old, (SingleQuotedScalarString, DoubleQuotedScalarString)):
            return type(old)(value)
        return DoubleQuotedScalarString(value) if needs_quotes(value) else str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[to_node(key) if isinstance(key, str) else key] = to_node(item)
        return mapping
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq([to_node(item) for item in value])
        if isinstance(old, CommentedSeq) and old.fa.flow_style():
            seq.fa.set_flow_style()  # a list written `[a, b]` stays written so
        return seq
    raise Unavailable(f"a fix value of type {type(value).__name__} cannot be written")


def _blockify(container: Any, value: Any) -> None:
    """An empty flow `{}` / `[]` that receives a collection becomes a block collection."""
    if isinstance(value, (dict, list)) and value and isinstance(container, CommentedBase) and not len(cast(Sized, container)):
        container.fa.set_block_style()


def _apply(root: CommentedMap, change: Change) -> None:
    path = tuple(change.path)
    if change.op == Op.TEXT:
        raise Unavailable("a text change reached the structural engine")
    if not path:
        raise Unavailable("a structural change needs a path")
    parent_path, last = path[:-1], path[-1]
    if change.op == Op.SET:
        parent = _walk(root, parent_path, create=True)
        if isinstance(parent, CommentedMap):
            key = _find_key(parent, last)
            if key is _MISSING:
                new = to_node(change.value)
                _blockify(parent, new)
                parent.insert(_position(change.index, len(parent)), to_node(last) if isinstance(last, str) else last, new)
            else:
                _guard(parent[key], path)
                parent[key] = to_node(change.value, parent[key])
        elif isinstance(last, int) and -len(parent) <= last < len(parent):
            _guard(parent[last], path)
            parent[last] = to_node(change.value, parent[last])
        else:
            raise Unavailable(f"`{dotted(path)}` is not in the file")
    elif change.op == Op.REMOVE:
        parent = _walk(root, parent_path, create=False)
        if isinstance(parent, CommentedMap):
            key = _find_key(parent, last)
            if key is _MISSING:
                raise Unavailable(f"`{dotted(path)}` is not in the file")
            _guard(parent[key], path)
            del parent[key]
        elif isinstance(last, int) and -len(parent) <= last < len(parent):
            _guard(parent[last], path)
            del parent[last]
        else:
            raise Unavailable(f"`{dotted(path)}` is not in the file")
    elif change.op == Op.RENAME:
        parent = _walk(root, parent_path, create=False)
        new_name = change.value
        if not isinstance(parent, CommentedMap) or not isinstance(new_name, str):
            raise Unavailable(f"`{dotted(path)}` cannot be renamed")
        key = _find_key(parent, last)
        if key is _MISSING:
            raise Unavailable(f"`{dotted(path)}` is not in the file")
        if _find_key(parent, new_name) is not _MISSING and str(key) != new_name:
            raise Unavailable(f"`{dotted(parent_path + (new_name,))}` already exists")
        position = list(parent.keys()).index(key)
        value = parent[key]
        del parent[key]
        parent.insert(position, to_node(new_name), value)
    elif change.op == Op.INSERT:
        container = _walk(root, parent_path, create=True)
        if isinstance(container, CommentedMap):
            key = _find_key(container, last)
            target = None if key is _MISSING else container[key]
        elif isinstance(last, int) and -len(container) <= last < len(container):
            key, target = last, container[last]
        else:
            raise Unavailable(f"`{dotted(path)}` is not in the file")
        if target is None:  # a missing or empty list: write a new one
            seq = CommentedSeq([to_node(change.value)])
            _blockify(container, seq)
            container[last if key is _MISSING else key] = seq
            return
        if not isinstance(target, CommentedSeq):
            raise Unavailable(f"`{dotted(path)}` is not a list")
        _guard(target, path)
        target.insert(_position(change.index, len(target)), to_node(change.value))
    else:
        raise Unavailable(f"unknown change {change.op}")


# --- the original text, line by line -------------------------------------------------------------


@dataclass
class _Line:
    text: str  # without the line end
    kind: str  # "content", "comment" (a full-line comment), "blank", "marker" (`---`, `...`, `%YAML`),
    #            "flow" (a later line of a flow collection written over several lines: part of the
    #            content line above it, with its own end-of-line comment in `tail`)
    body: str = ""  # content without its end-of-line comment and trailing spaces
    tail: str = ""  # what follows the body: spaces and an end-of-line comment


_MARKER = re.compile(r"^(---|\.\.\.)(\s|$)|^%")
_DIRECTIVE = re.compile(r"#\s*(ngrok-lint:\s*ignore-file|yaml-language-server:)")


class _CommentFinder(yaml.SafeLoader):
    """PyYAML's pure-Python scanner, recording where each comment starts (libyaml reports none)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.comments: Dict[int, int] = {}

    def scan_to_next_token(self) -> None:  # same as PyYAML's, plus the record (and tabs skipped)
        if self.index == 0 and self.peek() == "\ufeff":
            self.forward()
        found = False
        while not found:
            while self.peek() in " \t":
                self.forward()
            if self.peek() == "#":
                self.comments.setdefault(self.line, self.column)
                while self.peek() not in "\0\r\n\x85\u2028\u2029":
                    self.forward()
            if self.scan_line_break():
                if not self.flow_level:
                    self.allow_simple_key = True
            else:
                found = True


def _comment_columns(text: str) -> Dict[int, int]:
    finder = _CommentFinder(text)
    try:
        while finder.check_token():
            finder.get_token()
    except yaml.YAMLError as exc:
        raise Unavailable(f"the file's comments cannot be located ({str(exc).splitlines()[0]})") from None
    finally:
        finder.dispose()
    return finder.comments


def _classify(text: str, flows: Optional[Dict[int, int]] = None) -> List[_Line]:
    comments = _comment_columns(text)
    continued: Set[int] = {n for first, last in (flows or {}).items() for n in range(first + 1, last + 1)}
    result: List[_Line] = []
    for number, line in enumerate(text.split("\n")[:-1]):
        column = comments.get(number)
        if number in continued:
            body = (line[:column] if column is not None else line).rstrip()
            result.append(_Line(line, "flow", body, line[len(body):]))
        elif column is not None and not line[:column].strip():
            result.append(_Line(line, "comment"))
        elif not line.strip():
            result.append(_Line(line, "blank"))
        elif _MARKER.match(line):
            result.append(_Line(line, "marker"))
        else:
            body = (line[:column] if column is not None else line).rstrip()
            result.append(_Line(line, "content", body, line[len(body):]))
    return result


# --- the three-way merge -------------------------------------------------------------------------


@dataclass
class _Edit:
    start: int  # original lines [start, end) are replaced by `lines`
    end: int
    lines: List[str]
    order: int
    deletion: bool = False


_KEY = re.compile(r"""^((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"][^#]*?))\s*:(?:\s|$)""")


def _line_key(text: str) -> str:
    """The mapping key a line starts, without indentation or sequence dashes (for pairing lines)."""
    stripped = text.strip()
    while stripped.startswith("- ") or stripped == "-":
        stripped = stripped[2:].lstrip()
    match = _KEY.match(stripped)
    return match.group(1) if match else stripped


def _is_item(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("- ") or stripped == "-"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _opens_block(line: str, child: str) -> bool:
    """Is `child` the first line of a block value of the key `line` (`key:` with a null value)?"""
    if not line.rstrip().endswith(":"):
        return False
    if _indent(child) > _indent(line):
        return True
    return _indent(child) == _indent(line) and child.lstrip().startswith("- ") and not line.lstrip().startswith("- ")


def _with_tail(line: str, tail: str) -> str:
    """A changed line keeps the original line's end-of-line comment, with its spacing."""
    return line.rstrip() + tail if "#" in tail else line


def _same_line(old: str, new: str, renames: Set[Tuple[str, str]]) -> bool:
    """Is `new` the line `old` written differently (same key, a renamed key, or a list item)
    rather than another key that took its place?"""
    if _is_item(old) != _is_item(new):
        return False  # a key line became list items (`bind_tls: true` -> `schemes:` + `- https`)
    if _is_item(old):
        return True
    was, now = _unquote(_line_key(old)), _unquote(_line_key(new))
    return was == now or (was, now) in renames


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"" else key


def _replacement(lines: List[_Line], start: int, end: int, new: List[str],
                 renames: Set[Tuple[str, str]] = frozenset()) -> List[str]:  # type: ignore[assignment]
    """Original lines [start, end) rewritten as `new`: lines that stay keep their comments (the
    block above them and the one at their end); the comment blocks above lines that are rewritten
    away stay too, at the top (only a key removed on its own takes its comments along: see
    :func:`_widen_deletion`). A line that another key replaces is not kept: its end-of-line
    comment goes with it instead of landing on the other key."""
    content = [k for k in range(start, end) if lines[k].kind == "content"]
    pairs: Dict[int, int] = {}
    if len(content) == len(new):
        # Same-sized: the same lines written differently, unless another key took a line's place.
        pairs = {k: j for j, k in enumerate(content) if _same_line(lines[k].body, new[j], renames)}
    if len(pairs) < len(content):
        # The others by key (or renamed key), in order, among the new lines not taken yet.
        taken = set(pairs.values())
        cursor = 0
        for k in content:
            if k in pairs:
                cursor = max(cursor, pairs[k] + 1)
                continue
            key = _unquote(_line_key(lines[k].body))
            for j in range(cursor, len(new)):
                other = _unquote(_line_key(new[j]))
                if j not in taken and (other == key or ((key, other) in renames and not _is_item(new[j]))):
                    pairs[k] = j
                    taken.add(j)
                    cursor = j + 1
                    break
    above: Dict[int, List[int]] = {}
    block: List[int] = []
    for k in range(start, end):
        if lines[k].kind == "content":
            above[k], block = block, []
        elif lines[k].kind != "flow":  # a flow collection's later lines belong to the line above
            block.append(k)
    partner = {j: k for k, j in pairs.items()}
    # A line rewritten away inside a replacement (a rename into several lines, say) is not a key
    # removed on its own: the comment block above it stays, at the top of the rewritten lines.
    out: List[str] = [
        lines[t].text for k in content if k not in pairs for t in above[k] if lines[t].kind == "comment"
    ]
    for j, line in enumerate(new):
        kept = partner.get(j)
        if kept is None:
            out.append(line)
            continue
        out.extend(lines[t].text for t in above[kept] if lines[t].kind in ("comment", "blank"))
        tails = [lines[kept].tail] + [lines[t].tail for t in _continuation(lines, kept)]
        tails = [tail for tail in tails if "#" in tail]
        indent = line[: _indent(line)]
        # A flow collection written on one line now: the comments of its other lines go above it.
        out.extend(indent + tail.strip() for tail in tails[:-1])
        out.append(_with_tail(line, tails[-1] if tails else ""))
    return out


def _continuation(lines: List[_Line], k: int) -> range:
    """The later lines of a flow collection that starts on content line `k`."""
    end = k + 1
    while end < len(lines) and lines[end].kind == "flow":
        end += 1
    return range(k + 1, end)


def _after(lines: List[_Line], k: int) -> int:
    """The line after content line `k` and the flow lines that continue it."""
    return _continuation(lines, k).stop


def _moved_keys(tree: CommentedMap, changes: Sequence[Change]) -> Set[str]:
    """Names of keys the changes move: removed at one path and set, with the same name and
    value, at another (`log_level` moved under `agent:`). Their comments move with them."""
    sets = [c for c in changes if c.op == Op.SET and c.path]
    moved: Set[str] = set()
    for change in changes:
        if change.op != Op.REMOVE or not change.path:
            continue
        path = tuple(change.path)
        try:
            parent = _walk(tree, path[:-1], create=False)
        except Unavailable:
            continue
        key = _find_key(parent, path[-1]) if isinstance(parent, CommentedMap) else _MISSING
        if key is _MISSING:
            continue
        value = parent[key]
        if any(tuple(s.path) != path and s.path[-1] == path[-1] and s.value == value for s in sets):
            moved.add(str(path[-1]))
    return moved


def _carry_comments(lines: List[_Line], edits: List["_Edit"], moved: Set[str]) -> None:
    """A moved key takes the comment block directly above it and its end-of-line comment from
    the place it was removed to the line it is written on now."""
    for name in moved:
        source = target = None
        for edit in edits:
            if edit.deletion and source is None:
                keyed = [k for k in range(edit.start, edit.end)
                         if lines[k].kind == "content" and _unquote(_line_key(lines[k].body)) == name]
                if keyed:
                    source = (edit, keyed[0])
            elif not edit.deletion and target is None:
                originals = {lines[k].text.rstrip() for k in range(edit.start, edit.end)}
                for j, line in enumerate(edit.lines):
                    if _unquote(_line_key(line)) == name and not _is_item(line) and line.rstrip() not in originals:
                        target = (edit, j)
                        break
        if source is None or target is None:
            continue
        (removal, k), (insertion, j) = source, target
        line = insertion.lines[j]
        indent = line[: _indent(line)]
        block = [indent + lines[t].text.strip() for t in range(removal.start, k) if lines[t].kind == "comment"]
        insertion.lines[j:j + 1] = block + [_with_tail(line, lines[k].tail)]


def _merge_edits(lines: List[_Line], before: List[str], after: List[str], renames: Set[Tuple[str, str]],
                 moved: Set[str]) -> List[_Edit]:
    content = [k for k, line in enumerate(lines) if line.kind == "content"]
    where: Dict[int, int] = {}  # dump line -> original line
    exact: Set[int] = set()
    for tag, i1, i2, j1, j2 in linediff.opcodes([b.rstrip() for b in before], [lines[k].body for k in content]):
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            # Same-sized differing runs are the same lines written differently (`~`, spacing).
            for t in range(i2 - i1):
                where[i1 + t] = content[j1 + t]
                if tag == "equal":
                    exact.add(i1 + t)

    # Blank lines inside block scalars: a run of them between two mapped lines maps onto the
    # same number of blank lines between those lines in the original.
    index = 0
    while index < len(before):
        if index in where or before[index].strip():
            index += 1
            continue
        end = index
        while end < len(before) and end not in where and not before[end].strip():
            end += 1
        if index > 0 and index - 1 in where and end in where:
            first, last = where[index - 1] + 1, where[end]
            if last - first == end - index and all(lines[k].kind == "blank" for k in range(first, last)):
                for offset in range(end - index):
                    where[index + offset] = first + offset
        index = end

    def unmapped(index: int) -> Unavailable:
        previous = [where[i] for i in range(index - 1, -1, -1) if i in where][:1]
        line = previous[0] + 2 if previous else 1  # the first original line after the last one that maps
        return Unavailable(f"the round-trip does not map back onto the original text at line {line}")

    edits: List[_Edit] = []
    for order, (tag, i1, i2, j1, j2) in enumerate(linediff.opcodes(before, after)):
        if tag == "equal":
            continue
        new = after[j1:j2]
        if i1 == i2:  # lines inserted before dump line i1
            if i1 == 0:
                if 0 not in where:
                    raise unmapped(0)
                # At the top: after the file's header comments, but above a comment block that
                # introduces the first key (one separated from the header by a blank line).
                at = top = where[0]
                while top > 0 and lines[top - 1].kind == "comment":
                    top -= 1
                if top > 0 and lines[top - 1].kind == "blank" and any(l.kind == "comment" for l in lines[:top]):
                    at = top
                edits.append(_Edit(at, at, new, order))
                continue
            prev = where.get(i1 - 1)
            if prev is None:
                raise unmapped(i1 - 1)
            if i1 - 1 not in exact and _opens_block(before[i1 - 1], new[0]):
                # `key: ~` gains children: that line is rewritten as the dump writes it.
                after_prev = _after(lines, prev)
                edits.append(_Edit(prev, after_prev, _replacement(lines, prev, after_prev, [before[i1 - 1]] + new, renames), order))
            else:
                after_prev = _after(lines, prev)
                edits.append(_Edit(after_prev, after_prev, new, order))  # before the next key's comments
            continue
        rows = [where.get(i) for i in range(i1, i2)]
        for offset, row in enumerate(rows):
            if row is None:
                raise unmapped(i1 + offset)
            if offset and not (
                row > rows[offset - 1]  # type: ignore[operator]
                and all(lines[k].kind in ("comment", "blank", "flow") for k in range(rows[offset - 1] + 1, row))  # type: ignore[operator]
            ):
                raise unmapped(i1 + offset)
        # The loop above raised on any unmapped (None) row.
        start, end = cast(int, rows[0]), _after(lines, cast(int, rows[-1]))
        if new:
            edits.append(_Edit(start, end, _replacement(lines, start, end, new, renames), order))
        else:
            edits.append(_Edit(start, end, [], order, deletion=True))

    edits.sort(key=lambda e: (e.start, e.order))
    for index, edit in enumerate(edits):
        if edit.deletion:
            _widen_deletion(lines, edit, edits[index - 1] if index else None, edits[index + 1] if index + 1 < len(edits) else None)
    for earlier, later in zip(edits, edits[1:]):
        if later.start < earlier.end:
            raise Unavailable("two parts of the fix touch the same lines")
    if moved:
        _carry_comments(lines, edits, moved)
    return edits


def _widen_deletion(lines: List[_Line], edit: _Edit, before: Optional[_Edit], after: Optional[_Edit]) -> None:
    """A removed key takes the comment block directly above it (no blank line between, and not the
    file's header block, nor tool directives); and a blank line when it stood between two."""
    floor = before.end if before is not None else 0
    top = edit.start
    # A comment indented less than the key is about what encloses it (the fix proof attaches it
    # there too): it stays.
    key_indent = _indent(lines[edit.start].text) if edit.start < len(lines) else 0
    while (top > floor and lines[top - 1].kind == "comment" and not _DIRECTIVE.search(lines[top - 1].text)
           and _indent(lines[top - 1].text) >= key_indent):
        top -= 1
    if top < edit.start:
        above = top - 1
        header = above < 0 or lines[above].kind == "marker" or _DIRECTIVE.search(lines[above].text) is not None
        if not header:
            edit.start = top
    ceiling = after.start if after is not None else len(lines)
    if edit.start > floor and lines[edit.start - 1].kind == "blank":
        if edit.end < ceiling and lines[edit.end].kind == "blank":
            edit.end += 1
        elif edit.end == len(lines):
            edit.start -= 1
