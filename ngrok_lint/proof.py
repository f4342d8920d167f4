"""The fix proof: a fixed text is accepted only when it differs from the original exactly as the
applied fixes declared, in its data and in its comments.

Run by the fix engine on every result before it is kept (and so before anything is written), in
production, in time linear in the file (plus sorting).

**Declarations.** Structural changes (SET, REMOVE, RENAME, INSERT) declare themselves. A TEXT
change (a splice) declares what it touches from the original parse:

- a splice that overlaps no key and no scalar (only comments, blanks or line breaks) declares no
  data change;
- a splice of exactly one value's text (a scalar, the inside of a quoted scalar, or a flow
  collection from its bracket to its closing bracket) declares ``SET path = <the replacement read
  as YAML>``;
- a deletion that covers whole nodes (a ``key: value`` line, a ``- item`` line) declares their
  removal;
- otherwise the splice declares the paths it names (``Change.path``) and the deepest paths whose
  text it overlaps as rewritten: their new value is free, every other path is still checked (the
  version 3 conversion, which checks its own output against its plan, works this way).

**Data.** The old data with every declaration applied must equal the new data, paths declared as
rewritten left out on both sides.

**Comments.** Every comment of the input (a ``#`` outside every key and scalar) is *attached* to a
path of the parse: an end-of-line comment to the deepest node that starts on its line (else the
last node before it); a comment on its own line to the nearest following node at the same or an
enclosing level (a node whose key, or whose ``-`` for a list item, is not to the right of the
``#``), or to the end of the document. In the output each comment must be present with the same
text, attached to the same path carried through the declarations (a RENAME renames it, list
items shift with removals and insertions), except:

- a comment inside a splice that declares no data change (a suppression comment NGL008 rewrites)
  or that deletes whole keys (a `key: value  # comment` line) may change or go;
- a comment attached to a path a fix removes may go with it, or stay attached elsewhere;
- a comment attached to a path a fix replaces (SET) or rewrites as text, or lying inside a splice
  that rewrites data, must be present with the same text, attached anywhere;
- a comment attached in the output to a key a fix created is accepted there.

A comment in the output that the input did not have is accepted only when a splice wrote it.
"""

from __future__ import annotations

import bisect
import copy
from collections import Counter
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint.loader import Document, parse
from ngrok_lint.model import Change, Op, YamlPath
from ngrok_lint.paths import dotted

ANY = "any"  # the declaration of a path whose new value is free (a text rewrite)
#: How every refusal of the proof starts (and no other reason a fix is skipped does).
REFUSALS = ("the fix would ", "the fix's changes do not fit")


def is_refusal(reason: Optional[str]) -> bool:
    """Is this skip reason the proof's (a fix that changed more, or other, than it declared)?"""
    return bool(reason) and str(reason).startswith(REFUSALS)


class Comment(NamedTuple):
    """One comment of a text."""

    line: int  # 0-based
    column: int  # 0-based column of `#`
    text: str  # from `#` to the end of the line
    own_line: bool  # nothing but blanks before it
    gap: str = ""  # the blanks between the content and an end-of-line comment
    offset: int = 0  # of the `#` in the text


def comments(doc: Document) -> List[Comment]:
    """Every comment of the document, found with the parser's scalar positions (a `#` inside a
    quoted or block scalar is text, not a comment)."""
    spans = sorted(
        (span.start, span.end)
        for loc in doc.locs.values()
        for span in ((loc.value,) if loc.key is None else (loc.value, loc.key))
        if loc.raw is not None or span is loc.key
    )
    starts = [s for s, _ in spans]
    found: List[Comment] = []
    offset = 0
    for number, line in enumerate(doc.text.split("\n")):
        column = line.find("#")
        while column >= 0:
            at = offset + column
            index = bisect.bisect_right(starts, at) - 1
            inside = index >= 0 and spans[index][0] <= at < spans[index][1]
            if not inside and (column == 0 or line[column - 1] in " \t"):
                before = line[:column]
                text = line[column:].rstrip("\r")
                found.append(Comment(number, column, text, not before.strip(), before[len(before.rstrip()):], at))
                break
            column = line.find("#", column + 1)
        offset += len(line) + 1
    return found


# --- declarations --------------------------------------------------------------------------------


class Declared(NamedTuple):
    """What one change does to the data, as the proof reads it."""

    op: str  # "set", "remove", "rename", "insert", or ANY
    path: YamlPath
    value: Any = None
    position: int = 0  # INSERT: where in the list


class _Nodes:
    """The old parse as sorted leaves (keys and scalars) and node extents, for splices."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        leaves: List[Tuple[int, int, YamlPath, bool]] = []  # start, end, path, is the value
        for path, loc in doc.locs.items():
            if loc.key is not None:
                leaves.append((loc.key.start, loc.key.end, path, False))
            if loc.raw is not None:
                leaves.append((loc.value.start, loc.value.end, path, True))
        leaves.sort(key=lambda leaf: (leaf[0], leaf[1]))
        self.leaves = leaves
        self.starts = [leaf[0] for leaf in leaves]
        self._extents: Optional[Dict[YamlPath, Tuple[int, int]]] = None

    def touching(self, start: int, end: int) -> List[Tuple[int, int, YamlPath, bool]]:
        """The leaves a splice of [start, end) overlaps (a pure insertion: those it lies inside)."""
        index = max(0, bisect.bisect_right(self.starts, start) - 1)
        found = []
        while index < len(self.leaves) and self.leaves[index][0] <= end:
            leaf = self.leaves[index]
            if _overlaps(leaf[0], leaf[1], start, end):
                found.append(leaf)
            index += 1
        return found

    def extents(self) -> Dict[YamlPath, Tuple[int, int]]:
        """Each node from its key (or first character) to the end of its last leaf."""
        if self._extents is None:
            extents: Dict[YamlPath, Tuple[int, int]] = {}
            for path, loc in self.doc.locs.items():
                first = loc.key.start if loc.key is not None else loc.value.start
                last = loc.value.end if loc.raw is not None else (loc.key.end if loc.key is not None else loc.value.start)
                for size in range(len(path), -1, -1):
                    prefix = path[:size]
                    known = extents.get(prefix)
                    if known is None:
                        extents[prefix] = (first, last)
                    elif known[0] <= first and known[1] >= last:
                        break
                    else:
                        extents[prefix] = (min(known[0], first), max(known[1], last))
            self._extents = extents
        return self._extents


def node_extents(doc: Document) -> Dict[YamlPath, Tuple[int, int]]:
    """Each node of `doc` from its key (or first character) to the end of its last key or scalar."""
    return _Nodes(doc).extents()


_SCALARS: Dict[str, Tuple[bool, Any]] = {}


def _read_value(text: str) -> Tuple[bool, Any]:
    """The replacement text of a splice read as a YAML value, as the loader reads it."""
    known = _SCALARS.get(text)
    if known is not None:
        return known
    parsed = parse("<fix>", "k: " + text.strip() + "\n") if "\n" not in text.strip() else None
    result: Tuple[bool, Any] = (False, None)
    if isinstance(parsed, Document) and isinstance(parsed.data, dict) and "k" in parsed.data:
        result = (True, parsed.data["k"])
    if len(_SCALARS) < 4096:
        _SCALARS[text] = result
    return result


def text_declarations(doc: Document, changes: Sequence[Change], nodes: Optional[_Nodes] = None) -> List[Declared]:
    """What TEXT `changes` of `doc`'s text declare (see the module docs)."""
    if not changes:
        return []
    nodes = nodes or _Nodes(doc)
    text = doc.text
    declared: List[Declared] = []
    removals: List[Declared] = []
    for change in changes:
        start, end = change.start, change.end
        new = change.value if isinstance(change.value, str) else ""
        touched = nodes.touching(start, end)
        if not touched and not change.path:
            continue  # comments and blanks only
        named = tuple(change.path) if change.path else None
        exact = _exact_value(doc, nodes, touched, start, end)
        if exact is not None and named in (None, exact):
            quoted = doc.locs[exact].style if text[start - 1 : start] in ("'", '"') and doc.locs[exact].value.start == start - 1 else None
            ok, value = _read_value(f"{quoted}{new}{quoted}" if quoted else new)
            if ok:
                declared.append(Declared("set", exact, value))
                continue
        if new == "" and touched:
            gone = _removed(nodes, touched, start, end)
            if gone and named in (None, *gone) and (named is None or len(gone) == 1):
                removals.extend(Declared("remove", path) for path in gone)
                continue
        paths = {_widen(leaf[2]) for leaf in _deepest(touched)}
        if named:
            paths.add(_widen(named))
        declared.extend(Declared(ANY, path, (start, end)) for path in sorted(paths, key=lambda p: (len(p), str(p))))
    # List items go from the last: earlier removals would shift the later indexes.
    removals.sort(key=lambda d: tuple((0, p) if isinstance(p, int) else (1, str(p)) for p in d.path), reverse=True)
    return declared + removals


def _exact_value(doc: Document, nodes: _Nodes, touched: List[Tuple[int, int, YamlPath, bool]],
                 start: int, end: int) -> Optional[YamlPath]:
    """The path whose whole value the splice replaces, if it replaces exactly one value."""
    if len(touched) == 1 and touched[0][3]:
        path = touched[0][2]
        scalar = doc.locs[path]
        if (start, end) == (scalar.value.start, scalar.value.end):
            return path
        quote = scalar.style in ("'", '"')
        if quote and (start, end) == (scalar.value.start + 1, scalar.value.end - 1):
            return path
        return None
    if touched:  # a flow collection rewritten from its bracket through its closing bracket
        for path in _common_parents(touched):
            loc = doc.locs.get(path)
            if loc is None or not loc.flow or loc.value.start != start or end < 1:
                continue
            closing = doc.text[end - 1]
            extent = nodes.extents().get(path)
            if closing in "]}" and extent is not None and extent[1] <= end - 1:
                if all(leaf[2][: len(path)] == path and len(leaf[2]) > len(path) for leaf in touched):
                    return path
    return None


def _common_parents(touched: List[Tuple[int, int, YamlPath, bool]]) -> List[YamlPath]:
    first = touched[0][2]
    return [first[:size] for size in range(len(first) - 1, -1, -1)]


def _removed(nodes: _Nodes, touched: List[Tuple[int, int, YamlPath, bool]], start: int, end: int) -> List[YamlPath]:
    """The outermost nodes wholly inside a deletion, when every leaf it touches is in one of them."""
    extents = nodes.extents()
    gone: List[YamlPath] = []
    for leaf in touched:
        path = leaf[2]
        best = None
        for size in range(len(path), 0, -1):
            extent = extents.get(path[:size])
            if extent is None or not (start <= extent[0] and extent[1] <= end):
                break
            best = path[:size]
        if best is None:
            return []
        if best not in gone:
            gone.append(best)
    return [p for p in gone if not any(len(q) < len(p) and p[: len(q)] == q for q in gone)]


def _deepest(touched: Iterable[Tuple[int, int, YamlPath, bool]]) -> List[Tuple[int, int, YamlPath, bool]]:
    leaves = list(touched)
    paths = {leaf[2] for leaf in leaves}
    return [leaf for leaf in leaves if not any(len(q) > len(leaf[2]) and q[: len(leaf[2])] == leaf[2] for q in paths)]


def _widen(path: YamlPath) -> YamlPath:
    """A list item stands for its list: a text rewrite may add, drop or reorder items."""
    ints = [i for i, part in enumerate(path) if isinstance(part, int)]
    return path[: ints[-1]] if ints else path


def _overlaps(a_start: int, a_end: int, start: int, end: int) -> bool:
    if start == end:  # a pure insertion: only what it lies inside (or an empty value it fills)
        return a_start < start < a_end or a_start == a_end == start
    if a_start == a_end:
        return start <= a_start < end
    return max(a_start, start) < min(a_end, end)


def structural_declarations(changes: Sequence[Change]) -> List[Declared]:
    out = []
    for change in changes:
        op = {Op.SET: "set", Op.REMOVE: "remove", Op.RENAME: "rename", Op.INSERT: "insert"}.get(change.op)
        if op is None:
            raise ValueError(change.op)
        out.append(Declared(op, tuple(change.path), change.value, change.index))  # the Change field
    return out


# --- the proof -----------------------------------------------------------------------------------


class _Gone:
    """Stands in for a list item a text rewrite declared free (keeps the other indexes)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Gone)

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<free>"


_REMOVED = object()


class _Carry:
    """Carries old paths to new ones through the declarations (for comments), and collects the
    paths that are removed, replaced, rewritten or created."""

    def __init__(self) -> None:
        self.moves: Dict[YamlPath, YamlPath] = {}  # a key removed here and written there
        self.steps: List[Tuple[str, YamlPath, Any]] = []
        self.removed: List[YamlPath] = []
        self.loose: List[YamlPath] = []  # SET, ANY: comments under them may move within the file
        self.created: List[YamlPath] = []

    def index(self) -> None:
        """Steps by the path they act on, and list steps by their list too: a path looks up only
        the steps of its own prefixes (linear in the comments, not comments x steps)."""
        self.by_path: Dict[YamlPath, List[int]] = {}
        for number, (kind, at, _) in enumerate(self.steps):
            self.by_path.setdefault(at, []).append(number)
            if kind == "remove" and at and isinstance(at[-1], int):
                self.by_path.setdefault(at[:-1], []).append(number)
        self.removed_set = set(self.removed)
        self.loose_set = set(self.loose)
        self.created_set = set(self.created)

    def path(self, old: YamlPath) -> Any:
        path = old
        done = -1
        while True:
            later = [n for size in range(len(path) + 1) for n in self.by_path.get(path[:size], ()) if n > done]
            if not later:
                return path
            done = min(later)
            path = self._step(path, *self.steps[done])
            if path is _REMOVED:
                return path

    @staticmethod
    def _step(path: YamlPath, kind: str, at: YamlPath, arg: Any) -> Any:
        size = len(at)
        here = path[size - 1] if 0 < size <= len(path) else None
        there = path[size] if len(path) > size else None
        if kind == "rename" and path[:size] == at:
            return at[:-1] + (arg,) + path[size:]
        if kind == "move" and path[:size] == at:
            return arg + path[size:]
        if kind == "remove":
            if path[:size] == at:
                return _REMOVED
            if isinstance(at[-1], int) and isinstance(here, int) and path[: size - 1] == at[:-1] and here > at[-1]:
                return path[: size - 1] + (here - 1,) + path[size:]
        if kind == "insert" and path[:size] == at and isinstance(there, int) and there >= arg:  # `arg`: the position
            return path[:size] + (there + 1,) + path[size + 1:]
        return path


def prove(old: Document, new: Document, changes: Sequence[Change],
          moved: Optional[Dict[Tuple[int, int], Tuple[int, int]]] = None) -> Optional[str]:
    """None when `new` is `old` changed exactly as `changes` declare, else why not (one line).

    `moved` gives each TEXT change's range in the new text (old range -> new range) when no
    structural change followed the splices: a rewrite declared by its text (ANY) also frees the
    paths its replacement text writes."""
    nodes = _Nodes(old)
    text_changes = [c for c in changes if c.op == Op.TEXT]
    declared = text_declarations(old, text_changes, nodes) + structural_declarations([c for c in changes if c.op != Op.TEXT])
    if moved:
        fresh = _Nodes(new)
        for item in list(declared):
            if item.op == ANY and isinstance(item.value, tuple) and item.value in moved:
                start, end = moved[item.value]
                declared.extend(Declared(ANY, _widen(leaf[2])) for leaf in _deepest(fresh.touching(start, end)))
    expected = copy.deepcopy(old.data)
    carry = _Carry()
    carry.moves = _moves(old, declared)
    free: List[YamlPath] = []
    lenient: Set[YamlPath] = set()
    for item in declared:
        if item.op == ANY:
            free.append(item.path)
            carry.loose.append(item.path)
            continue
        try:
            expected = _apply(expected, item, carry)
        except (KeyError, IndexError, TypeError):
            return f"the fix's changes do not fit the file's data (`{_dotted(item.path)}`)"
        if item.op == "remove" and text_changes:
            lenient.add(item.path[:-1])  # a mapping a text deletion emptied reads back as null
    actual = new.data
    if free:
        actual = copy.deepcopy(actual)
        for path in free:
            expected = _drop(expected, path)
            actual = _drop(actual, path)
    where = _first_difference(expected, actual, (), lenient)
    if where is not None:
        return f"the fix would also change `{_dotted(where)}`"
    written = [c.value for c in text_changes if isinstance(c.value, str) and "#" in c.value]
    quiet: List[Tuple[int, int]] = []  # splices of comments and blanks, or deleting whole keys
    rewrites: List[Tuple[int, int]] = []  # splices of data
    for c in text_changes:
        touched = nodes.touching(c.start, c.end)
        if not c.value and touched and _removed(nodes, touched, c.start, c.end):
            quiet.append((c.start, c.end))  # a deletion of whole keys: their comments go with them
        elif c.path or touched:
            rewrites.append((c.start, c.end))
        else:
            quiet.append((c.start, c.end))
    return _comment_problem(old, new, carry, quiet, written, rewrites)


def _moves(old: Document, declared: Sequence[Declared]) -> Dict[YamlPath, YamlPath]:
    """Keys a fix moves: removed at one path and set, with the same name and value, at another
    (`log_level` moved under `agent:`). Their comments must move with them."""
    removed = [d.path for d in declared if d.op == "remove" and d.path]
    if not removed:
        return {}
    sets: Dict[Any, List[Declared]] = {}
    for item in declared:
        if item.op == "set" and item.path:
            sets.setdefault(item.path[-1], []).append(item)
    moves: Dict[YamlPath, YamlPath] = {}
    for path in removed:
        for item in sets.get(path[-1], []):
            if item.path != path and item.path not in moves.values() and _plain(item.value) == old.get(path, _MISSING):
                moves[path] = item.path
                break
    return moves


_MISSING = object()


def _apply(data: Any, item: Declared, carry: _Carry) -> Any:
    """One declaration on plain data, with the engine's semantics (missing mappings created)."""
    path = item.path
    if not path:
        raise KeyError(path)
    node = data
    for depth, part in enumerate(path[:-1]):
        if isinstance(node, dict):
            if node.get(part) is None and item.op in ("set", "insert"):
                node[part] = {}
                carry.created.append(path[: depth + 1])
            node = node[part]
        else:
            node = node[part]
    last = path[-1]
    value = _plain(item.value)
    if item.op == "set":
        if isinstance(node, dict) and last not in node:
            carry.created.append(path)
        node[last] = value
        if path not in carry.moves.values():
            carry.loose.append(path)
    elif item.op == "remove":
        del node[last]
        if path in carry.moves:
            carry.steps.append(("move", path, carry.moves[path]))
        else:
            carry.steps.append(("remove", path, None))
            carry.removed.append(path)
    elif item.op == "rename":
        if not isinstance(node, dict) or not isinstance(value, str) or (value in node and value != last):
            raise KeyError(last)
        renamed = {}
        for key, inner in node.items():
            renamed[value if key == last else key] = inner
        node.clear()
        node.update(renamed)
        carry.steps.append(("rename", path, value))
    elif item.op == "insert":
        if isinstance(node, dict) and node.get(last) is None:
            node[last] = [value]
            carry.created.append(path)
            position = 0
        else:
            seq = node[last]
            if not isinstance(seq, list):
                raise TypeError(last)
            index = item.position
            if index == -1 or index >= len(seq):
                position = len(seq)
            elif index < -1:
                position = max(0, len(seq) + index + 1)
            else:
                position = index
            seq.insert(position, value)
        carry.steps.append(("insert", path, position))
        carry.created.append(path + (position,))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _drop(data: Any, path: YamlPath) -> Any:
    if not path:
        return _Gone()
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return data
    last = path[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = _Gone()
    return data


def _first_difference(a: Any, b: Any, path: YamlPath, lenient: Set[YamlPath]) -> Optional[YamlPath]:
    if path in lenient and ((a is None and b in ({}, [])) or (b is None and a in ({}, []))):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        if len(a) == len(b) and a == b:
            return None
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return path + (key,)
            found = _first_difference(a[key], b[key], path + (key,), lenient)
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        for index, (x, y) in enumerate(zip(a, b)):
            found = _first_difference(x, y, path + (index,), lenient)
            if found is not None:
                return found
        return None if len(a) == len(b) else path + (min(len(a), len(b)),)
    if type(a) is not type(b) or a != b:
        return path
    return None


def _dotted(path: YamlPath) -> str:
    return dotted(path) if path else "the whole file"


# --- comments ------------------------------------------------------------------------------------


def attached(doc: Document, found: Optional[List[Comment]] = None) -> List[Tuple[Comment, YamlPath]]:
    """Each comment of `doc` with the path it is attached to (see the module docs); () is the end
    of the document."""
    found = comments(doc) if found is None else found
    if not found:
        return []
    text = doc.text
    nodes: List[Tuple[int, int, int, YamlPath]] = []  # start, line (0-based), column, path
    for path, loc in doc.locs.items():
        if not path or path[-1] == "<<":
            continue
        span = loc.key if loc.key is not None else loc.value
        column = span.column - 1
        if loc.key is None:  # a block list item: its `-` is its column
            line_start = span.start - column
            before = text[line_start:span.start].rstrip()
            if before.endswith("-"):
                column = len(before) - 1
        nodes.append((span.start, span.line - 1, column, path))
    order = sorted(range(len(nodes)), key=lambda i: (nodes[i][0], i))  # shallow first at a start
    ordered = [nodes[i] for i in order]
    starts = [n[0] for n in ordered]
    result: List[Tuple[Comment, YamlPath]] = [(c, ()) for c in found]
    # End-of-line comments: the deepest node starting on the line before the `#`, else the last
    # node before it.
    own: List[int] = []
    for index, comment in enumerate(found):
        if comment.own_line:
            own.append(index)
            continue
        at = bisect.bisect_left(starts, comment.offset) - 1
        best: Optional[YamlPath] = None
        while at >= 0:
            node = ordered[at]
            if best is None:
                best = node[3]
            if node[1] != comment.line:
                break
            if len(node[3]) >= len(best):
                best = node[3]
            at -= 1
        result[index] = (comment, best or ())
    # Own-line comments: the nearest following node not to the right of the `#`. A stack of the
    # nodes after the current position, nearest on top, columns strictly falling towards the
    # bottom, answers each by binary search.
    stack_columns: List[int] = []  # bottom .. top, strictly rising
    stack_paths: List[YamlPath] = []
    pending = sorted(own, key=lambda i: found[i].offset, reverse=True)
    cursor = len(ordered) - 1
    for index in pending:
        comment = found[index]
        while cursor >= 0 and ordered[cursor][0] > comment.offset:
            column, path = ordered[cursor][2], ordered[cursor][3]
            while stack_columns and stack_columns[-1] >= column:
                stack_columns.pop()
                stack_paths.pop()
            stack_columns.append(column)
            stack_paths.append(path)
            cursor -= 1
        # The nearest (topmost) entry with column <= the comment's: the columns rise to the top.
        where = bisect.bisect_right(stack_columns, comment.column) - 1
        result[index] = (comment, stack_paths[where] if where >= 0 else ())
    return result


def _inside(path: Any, roots: Set[YamlPath]) -> bool:
    return isinstance(path, tuple) and any(path[:size] in roots for size in range(len(path) + 1))


def _within(ranges: List[Tuple[int, int]], starts: List[int], offset: int) -> bool:
    spot = bisect.bisect_right(starts, offset) - 1
    return spot >= 0 and ranges[spot][0] <= offset < ranges[spot][1]


def _comment_problem(old: Document, new: Document, carry: _Carry, free_ranges: List[Tuple[int, int]],
                     written: List[str], rewritten: List[Tuple[int, int]]) -> Optional[str]:
    carry.index()
    before = attached(old)
    if not before:
        return _new_comments(new, Counter(), written)
    after = attached(new)
    strict: Counter = Counter()
    loose: Counter = Counter()
    optional: Counter = Counter()
    lines: Dict[Tuple[str, Any], int] = {}
    gone: Dict[str, int] = {}
    free_ranges.sort()
    starts = [s for s, _ in free_ranges]
    rewritten.sort()
    rewritten_starts = [s for s, _ in rewritten]
    for comment, path in before:
        comment = comment._replace(text=comment.text.rstrip())
        if _within(free_ranges, starts, comment.offset):
            optional[comment.text] += 1
            continue
        if _within(rewritten, rewritten_starts, comment.offset):  # a text rewrite places it anew
            loose[comment.text] += 1
            lines.setdefault((comment.text, None), comment.line + 1)
            continue
        target = carry.path(path)
        if target is _REMOVED or _inside(path, carry.removed_set):
            if comment.own_line:  # it may stay where it is, above whatever follows now
                optional[comment.text] += 1
            else:  # the end of a removed key's line goes with it, never onto another key
                gone.setdefault(comment.text, comment.line + 1)
        elif _inside(path, carry.loose_set) or _inside(target, carry.loose_set):
            loose[comment.text] += 1
            lines.setdefault((comment.text, None), comment.line + 1)
        else:
            strict[(comment.text, target)] += 1
            lines.setdefault((comment.text, target), comment.line + 1)
    present: Counter = Counter()
    spare: List[Tuple[str, YamlPath]] = []
    for comment, path in after:
        comment = comment._replace(text=comment.text.rstrip())
        key = (comment.text, path)
        if strict[key] > 0:
            strict[key] -= 1
        else:
            spare.append(key)
        present[comment.text] += 1
    # What is left of the strict ones may sit beside a new key, or where a loose one may be.
    leftover: List[Tuple[str, YamlPath]] = []
    for text, path in spare:
        if loose[text] > 0:
            loose[text] -= 1
        elif _inside(path, carry.created_set) and +strict and _take_by_text(strict, text):
            pass
        elif optional[text] > 0:
            optional[text] -= 1
        else:
            leftover.append((text, path))
    for (text, path), count in strict.items():
        if count > 0:
            line = lines.get((text, path))
            moved = [p for t, p in leftover if t == text]
            if moved:
                return f"the fix would move the comment of line {line} from `{_dotted(path)}` to `{_dotted(moved[0])}`"
            return f"the fix would drop the comment of line {line}"
    for text, count in loose.items():
        if count > 0:
            return f"the fix would drop the comment of line {lines.get((text, None))}"
    for text, path in leftover:
        if text in gone:
            return f"the fix would move the comment of line {gone[text]} (of a removed key) to `{_dotted(path)}`"
    extra = [text for text, _ in leftover if not any(text in piece for piece in written)]
    if extra:
        return "the fix would add a comment"
    return None


def _take_by_text(strict: Counter, text: str) -> bool:
    for key in strict:
        if key[0] == text and strict[key] > 0:
            strict[key] -= 1
            return True
    return False


def _new_comments(new: Document, _: Counter, written: List[str]) -> Optional[str]:
    for comment in comments(new):
        if not any(comment.text.rstrip() in piece for piece in written):
            return "the fix would add a comment"
    return None
