"""config version 2 → version 3, as text: NGL402's unsafe fix.

A convertible :class:`~ngrok_lint.migrate.plan.Plan` is written with ruamel.yaml (values copied
as written: quotes and flow style kept), in the file's own indentation and line ends, with the
input's comments put back (`comments`). The result is checked before it is offered: it must parse
to exactly `expected_data`, keep every comment, and be valid version 3; the fix is then TEXT
changes over the lines that differ. ruamel.yaml, the schema check and the line diff are imported
only inside the functions that need them, so importing this package never loads them.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Any, List, Optional, Tuple

import yaml

from ngrok_lint.loader import Document, parse
from ngrok_lint.migrate.comments import Placed, Placer, comments
from ngrok_lint.migrate.plan import Blocker, Lit, Plan, Ref, Single, Spec, expected_data, plan_v3
from ngrok_lint.migrate.text import Lines, WriteError, indentation
from ngrok_lint.model import Change, Fix, Op, Safety, YamlPath


@dataclass(frozen=True)
class Conversion:
    """A plan and the fix written from it (None when it is not convertible or could not be written)."""

    plan: Plan
    fix: Optional[Fix]
    problem: Optional[str] = None  # why a convertible plan has no fix (writing it back failed)
    known: bool = False  # the problem is a known limit of the writer, not a bug to report


def convert_v3(doc: Document) -> Conversion:
    """Plan the conversion and, when it is faithful, write it as one unsafe TEXT fix."""
    plan = plan_v3(doc)
    if not plan.convertible:
        return Conversion(plan, None)
    if any(sep in doc.text for sep in ("\x85", "\u2028", "\u2029")):
        # YAML counts these as line breaks, the writer only `\n`: the parser's line numbers would
        # not match the writer's lines (the round-trip engine refuses such files too).
        return Conversion(plan, None, "the file uses a Unicode line separator (U+0085, U+2028 or U+2029)", known=True)
    try:
        new_text = write_v3(doc, plan)
    except WriteError as exc:
        return Conversion(plan, None, str(exc))
    plan.blockers += _schema_blockers(plan, new_text)
    if plan.blockers:
        return Conversion(plan, None)
    from ngrok_lint.edits import line_edit

    edit = line_edit(doc.text, new_text)
    if edit is None:
        return Conversion(plan, None, "the conversion changes nothing")
    endpoints = len(plan.endpoints)
    what = f"{plan.tunnels} tunnel{'s' if plan.tunnels != 1 else ''} → {endpoints} endpoint{'s' if endpoints != 1 else ''}"
    title = f"convert to config version 3 ({what}" + ("; `region` dropped)" if plan.dropped else ")")
    if plan.kind == "v3":
        title = f"convert `tunnels` to `endpoints` ({what})"
    changes = _text_changes(doc.text, edit.start, edit.end, edit.text, _renamed_blocks(doc, plan))
    return Conversion(plan, Fix(title, Safety.UNSAFE, changes))


def _renamed_blocks(doc: Document, plan: Plan) -> List[YamlPath]:
    """Top-level mappings the conversion removes (`tunnels`) or creates (`agent`)."""
    new = expected_data(doc, plan)
    old = doc.data
    gone: List[YamlPath] = [(k,) for k in old if k not in new and isinstance(old[k], dict)]
    made: List[YamlPath] = [(k,) for k in new if k not in old and isinstance(new[k], dict)]
    return gone + made


def _text_changes(text: str, start: int, end: int, value: str, names: List[YamlPath]) -> Tuple[Change, ...]:
    """One TEXT replacement of [start, end), as adjacent pieces that each name one top-level
    mapping the conversion removes or creates: a TEXT change names what it rewrites, so the fix
    engine's data check does not take a restructured block for an unintended change. The pieces
    concatenate to exactly the one replacement."""
    cuts = [start]
    position = start
    while len(cuts) < len(names):
        position = text.find("\n", position, end - 1) + 1
        if position <= 0 or position >= end:
            break
        cuts.append(position)
    if len(cuts) < len(names):  # a one-line region: cut inside it (any cut gives the same result)
        cuts = [start + i for i in range(min(len(names), max(end - start, 1)))]
    bounds = cuts + [end]
    changes = []
    for index, name in enumerate(names[: len(cuts)] or [()]):
        piece = value if index == len(cuts) - 1 else ""
        changes.append(Change(Op.TEXT, name, piece, start=bounds[index], end=bounds[index + 1]))
    return tuple(changes)


def _schema_blockers(plan: Plan, text: str) -> List[Blocker]:
    """The converted file must be valid version 3; a value that is not (often already invalid in
    version 2) stops the conversion, named by the key it came from."""
    from ngrok_lint.schema import violations

    new = parse("<converted>", text)
    if not isinstance(new, Document):
        return []
    found, _ = violations(new)
    if plan.kind == "v3":  # only what the conversion wrote; the rest of the file is other rules' business
        first = len(new.data.get("endpoints") or []) - len(plan.endpoints)
        found = [v for v in found if len(v.path) > 1 and v.path[0] == "endpoints"
                 and isinstance(v.path[1], int) and v.path[1] >= first]
    blockers: List[Blocker] = []
    for violation in found:
        origin: YamlPath = violation.path
        best = -1
        for old, move in plan.moves.items():
            if move is None:
                continue
            target, subtree = move
            if violation.path[: len(target)] == target and len(target) > best and (subtree or target == violation.path):
                origin, best = old + tuple(violation.path[len(target):]) if subtree else old, len(target)
        blockers.append(Blocker(origin, f"would not be valid in version 3 ({violation.message})"))
    return blockers


def write_v3(doc: Document, plan: Plan) -> str:
    """The converted text, checked: it parses to the planned data and keeps every comment."""
    lines = Lines(doc.text)
    style = _detect_style(doc)
    if plan.kind == "v2":
        new_lines = _write_whole(doc, plan, lines, style)
    else:
        new_lines = _write_tunnels(doc, plan, lines, style)
    text = lines.join(new_lines)
    result = parse(doc.path, text)
    if not isinstance(result, Document):
        raise WriteError(f"the converted text does not parse ({result.message})")
    if not _same(result.data, expected_data(doc, plan)):
        raise WriteError("the converted text does not read back as the converted settings")
    if Counter(c.text for c in comments(doc)) != Counter(c.text for c in comments(result)):
        raise WriteError("the converted text would lose a comment")
    return text


def _same(a: Any, b: Any) -> bool:
    """Equality that tells `True` from `1` (Python's == does not)."""
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


@dataclass(frozen=True)
class _Style:
    mapping: int = 2
    sequence: int = 4
    offset: int = 2


def _detect_style(doc: Document, prefer: Optional[YamlPath] = None) -> _Style:
    """Indentation as the file writes it: the commonest mapping step and block-sequence layout."""
    maps: Counter = Counter()
    seqs: Counter = Counter()
    lines = doc.text.split("\n")
    for path, loc in doc.locs.items():
        if not path or loc.key is None or loc.raw is not None or loc.flow:
            continue
        value = doc.get(path)
        if isinstance(value, dict) and value:
            first = doc.loc(path + (next(iter(value)),))
            if first is not None and first.key is not None and first.key.line > loc.key.line:
                maps[first.key.column - loc.key.column] += 1
        elif isinstance(value, list) and value:
            first = doc.loc(path + (0,))
            if first is None or first.value.line <= loc.key.line:
                continue
            text = lines[first.value.line - 1]
            dash = len(text) - len(text.lstrip(" "))
            if text[dash : dash + 1] != "-":
                continue
            layout = (first.value.column - loc.key.column, dash - (loc.key.column - 1))
            seqs[layout] += 5 if prefer is not None and path == prefer else 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    mapping = mapping if 1 < mapping <= 8 else 2
    if seqs:
        (sequence, offset), _ = seqs.most_common(1)[0]
        if offset >= 0 and sequence >= offset + 2:
            return _Style(mapping, sequence, offset)
    return _Style(mapping, mapping + 2, mapping)


# Writing: build a ruamel tree from the plan (values copied as written), dump it, then put the
# input's comments back beside the nodes they described.


def _ruamel_tree(spec: Spec, source: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(spec, Ref):
        return _copy_node(_lookup(source, spec.path))
    if isinstance(spec, Lit):
        value = spec.value
        if isinstance(value, Single):
            return SingleQuotedScalarString(str(value))
        if isinstance(value, str):
            return DoubleQuotedScalarString(value) if spec.quote or not _plain_safe(value) else value
        if isinstance(value, (dict, list)):
            return _ruamel_tree(_as_lits(value), source)
        return value
    if isinstance(spec, dict):
        node = CommentedMap()
        for key, value in spec.items():
            node[key] = _ruamel_tree(value, source)
        return node
    if isinstance(spec, list):
        seq = CommentedSeq()
        for value in spec:
            seq.append(_ruamel_tree(value, source))
        return seq
    return _ruamel_tree(Lit(spec), source)


def _as_lits(value: Any) -> Spec:
    if isinstance(value, dict):
        return {k: _as_lits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_lits(v) for v in value]
    return Lit(value)


def _plain_safe(text: str) -> bool:
    """Would a YAML 1.1 reader (the agent's) read `text`, written plain, as this string?"""
    if not text or text != text.strip() or "\n" in text:
        return False
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == text
    except yaml.YAMLError:
        return False


def _lookup(node: Any, path: YamlPath) -> Any:
    for part in path:
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                continue
            matches = [k for k in node if str(k) == str(part)]
            if not matches:
                raise WriteError(f"`{part}` not found while copying a value")
            node = node[matches[-1]]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            raise WriteError(f"`{part}` not found while copying a value")
    return node


def _copy_node(node: Any) -> Any:
    """A fresh copy of a round-trip node: style (quotes, flow) kept; comments and anchors left behind."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(node, dict):
        new_map = CommentedMap()
        for key, value in node.items():
            new_map[key] = _copy_node(value)
        if isinstance(node, CommentedMap) and node.fa.flow_style():
            new_map.fa.set_flow_style()
        return new_map
    if isinstance(node, list):
        new_seq = CommentedSeq()
        for value in node:
            new_seq.append(_copy_node(value))
        if isinstance(node, CommentedSeq) and node.fa.flow_style():
            new_seq.fa.set_flow_style()
        return new_seq
    if isinstance(node, ScalarString):
        return type(node)(str(node))
    if isinstance(node, bool):
        return bool(node)
    return copy.copy(node)


def _dump(tree: Any, style: _Style) -> List[str]:
    import io

    from ruamel.yaml import YAML

    writer = YAML()
    writer.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    writer.width = 4096
    stream = io.StringIO()
    writer.dump(tree, stream)
    return stream.getvalue().rstrip("\n").split("\n")


def _load_source(doc: Document) -> Any:
    from ruamel.yaml import YAML

    reader = YAML()
    reader.preserve_quotes = True
    try:
        return reader.load(doc.text)
    except Exception as exc:  # ruamel refuses some files PyYAML reads (duplicate keys, …)
        raise WriteError(f"the file cannot be read for rewriting ({type(exc).__name__})") from exc


def _write_whole(doc: Document, plan: Plan, lines: Lines, style: _Style) -> List[str]:
    source = _load_source(doc)
    new = _dump(_ruamel_tree(plan.root, source), style)
    first, last = _content_bounds(doc, lines)
    if first is None:
        return lines.lines
    head, tail = lines.lines[:first], lines.lines[last + 1 :]
    placed = Placer(doc, lines, plan, new).place(first, last)
    return head + placed.render() + placed.trailing + tail


def _write_tunnels(doc: Document, plan: Plan, lines: Lines, style: _Style) -> List[str]:
    data = doc.data
    first, last = _node_lines(doc, ("tunnels",))
    own_lines = {c.line for c in comments(doc) if c.own_line}
    while first > 0 and first - 1 in own_lines:
        first -= 1  # comments right above `tunnels:` are about the tunnels: they move with them
    existing = data.get("endpoints")
    appending = isinstance(existing, list) and bool(existing)
    style = _detect_style(doc, ("endpoints",)) if appending else style
    edits: List[Tuple[int, int, List[str]]] = []
    if plan.endpoints:
        source = _load_source(doc)
        fragment = _dump({"endpoints": [_ruamel_tree(e, source) for e in plan.endpoints]}, style)
        placer = Placer(doc, lines, plan, fragment, len(existing) if isinstance(existing, list) else 0)
        placed = placer.place(first, last)
        if "endpoints" in data and not appending:
            # `endpoints:` empty or null is replaced: its own comments stay on the new key's line.
            start, end = _node_lines(doc, ("endpoints",))
            for comment in comments(doc):
                if start <= comment.line <= end:
                    if comment.line == start and not comment.own_line and 0 not in placed.eol:
                        placed.eol[0] = (comment.gap, comment.text)
                    else:
                        placed.after.setdefault(0, []).append(indentation(fragment[1]) + comment.text)
        rendered = placed.render()
        if appending:
            # Drop the dumped `endpoints:` line; its comments go before the first new item.
            rendered = _without_header(placed)
            _, end = _node_lines(doc, ("endpoints",))
            edits.append((end + 1, end + 1, rendered + placed.trailing))
            edits.append((first, last + 1, []))
        elif "endpoints" in data:  # `endpoints:` empty or null: replace it
            start, end = _node_lines(doc, ("endpoints",))
            edits.append((start, end + 1, rendered + placed.trailing))
            edits.append((first, last + 1, []))
        else:
            edits.append((first, last + 1, rendered + placed.trailing))
    else:
        placed = Placer(doc, lines, plan, []).place(first, last)
        edits.append((first, last + 1, placed.loose + placed.trailing))
    out = list(lines.lines)
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):  # removals before insertions at one line
        out[start:end] = new
    return out


def _without_header(placed: Placed) -> List[str]:
    """The rendered fragment without its first line (`endpoints:`), keeping what was attached to it."""
    moved = placed.before.pop(0, []) + placed.after.pop(0, [])
    eol = placed.eol.pop(0, None)
    if eol is not None:
        moved.append(eol[1])
    indent = indentation(placed.lines[1]) if len(placed.lines) > 1 else ""
    placed.before.setdefault(1, [])
    placed.before[1] = [indent + c.lstrip() if c.strip() else c for c in moved] + placed.before[1]
    return placed.render()[1:]


def _content_bounds(doc: Document, lines: Lines) -> Tuple[Optional[int], int]:
    """First and last line (0-based) holding YAML content."""
    paths = [path for path in doc.locs if path]
    if not paths:
        return None, -1
    first = min((doc.locs[p].key or doc.locs[p].value).line for p in paths) - 1
    return first, max(_end_line(doc, p) for p in paths)


def _end_line(doc: Document, path: YamlPath) -> int:
    """The last line (0-based) of a scalar's text, or of a key (collections: their first line)."""
    loc = doc.locs[path]
    line = loc.value.end_line
    if loc.raw is not None and loc.value.end_column == 1 and loc.value.end_line > loc.value.line:
        line -= 1  # a block scalar's span ends at the start of the next line
    if loc.key is not None:  # an alias value points at its anchor's text, which may stand earlier
        line = max(line, loc.key.end_line)
    return line - 1


def _node_lines(doc: Document, path: YamlPath) -> Tuple[int, int]:
    """First (the key's) and last line, 0-based, of a top-level key and everything under it."""
    loc = doc.locs[path]
    first = (loc.key or loc.value).line - 1
    last = max(_end_line(doc, p) for p in doc.locs if p[: len(path)] == path)
    return first, last
