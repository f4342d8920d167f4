"""Checks shared by the hardening tests: what a fix run may change in a file, and what it must keep.

- :func:`comments` lists every comment of a YAML text (found with PyYAML's scanner, so a `#` inside
  a quoted or block scalar is not one);
- :func:`attribute` replays the fixes one at a time (through :func:`ngrok_lint.fixer.preview`) and
  gives the original lines they touched;
- :func:`changed_lines` gives the original lines a whole fix run changed (a line diff);
- :func:`strip_paths` removes YAML paths from plain data, to compare "everything else".
"""

from __future__ import annotations

import copy
import difflib
import re
from collections import Counter
from typing import Any, Iterable, List, Optional, Sequence, Set, Tuple

import yaml

from ngrok_lint import engine, fixer
from ngrok_lint.engine import Analysis
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, Safety, YamlPath

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> List[str]:
    """Lines without their line ends (CRLF and LF alike)."""
    return [line.rstrip("\r\n") for line in _LINE.findall(text)]


# --- comments --------------------------------------------------------------------------------------


def comments(text: str, skip: Iterable[int] = ()) -> Counter:
    """The multiset of comment texts (from `#` to the end of the line, trailing spaces dropped),
    leaving out the comments on the `skip` lines (0-based).

    Scalar tokens are masked out first: a `#` inside `"a # b"`, a plain `pa#ss` or a block
    scalar is text, not a comment. The text must parse (a scanner error raises yaml.YAMLError)."""
    text = text.replace("\r\n", "\n")
    covered = bytearray(len(text) + 1)
    for token in yaml.scan(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        if isinstance(token, yaml.ScalarToken):
            start, end = token.start_mark.index, token.end_mark.index
            covered[start:end] = b"\x01" * (end - start)
    found: Counter = Counter()
    offset = 0
    skipped = set(skip)
    for number, line in enumerate(text.split("\n")):
        if number in skipped:
            offset += len(line) + 1
            continue
        for index, char in enumerate(line):
            at = offset + index
            if char == "#" and not covered[at] and (index == 0 or line[index - 1] in " \t"):
                found[line[index:].rstrip()] += 1
                break
        offset += len(line) + 1
    return found


# --- what a fix may touch ------------------------------------------------------------------------------


def applicable(item: Finding, unsafe: bool) -> bool:
    fix = item.fix
    if fix is None or item.fix_unavailable or item.suppressed or not fix.changes:
        return False
    return fix.safety == Safety.SAFE or (unsafe and fix.safety == Safety.UNSAFE)


def _diff_ranges(old: Sequence[str], new: Sequence[str]) -> List[Tuple[int, int]]:
    """0-based half-open ranges of `old` lines a line diff replaces or deletes; an insertion between
    lines i-1 and i is (i, i)."""
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    return [(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]


def changed_lines(old: str, new: str) -> List[Tuple[int, int]]:
    """The original's line ranges a change replaced, deleted or inserted at (0-based)."""
    return _diff_ranges(split_lines(old), split_lines(new))


def _line_map(old: Sequence[str], new: Sequence[str]) -> List[Optional[int]]:
    """For each line of `new`, the index of the `old` line it is (unchanged), or None (new text)."""
    mapping: List[Optional[int]] = [None] * len(new)
    matcher = difflib.SequenceMatcher(None, list(old), list(new), autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[block.b + k] = block.a + k
    return mapping


#: Fixes that move whole parts of the tree to new paths: the format migration and the v3 conversion.
MOVERS = frozenset({"NGL003", "NGL402"})


class Attribution:
    """The original lines (and insertion points between them) that fixes touched, replayed one fix
    at a time: each step takes the first applicable fix the engine accepts alone (via
    :func:`ngrok_lint.fixer.preview`), maps the lines it touched back to the original text, and
    re-lints. A line an earlier fix wrote counts as that fix's."""

    def __init__(self) -> None:
        self.lines: Set[int] = set()
        self.gaps: Set[int] = set()
        self.steps: List[str] = []
        self.codes: Set[str] = set()
        self.moves = False  # a replayed fix renamed or moved keys (findings may change paths)
        self.paths: Set[YamlPath] = set()  # what the fixes are about (see :func:`fix_paths`)
        self.text: str = ""
        self.original: List[str] = []
        self.strays: List[str] = []  # a fix that changed lines away from what it is about

    def explains(self, start: int, end: int) -> bool:
        if start == end:
            return any(self._insertion_at(gap) for gap in self._slide(start))
        # Blank lines are interchangeable: which of two blank lines a line diff calls removed is
        # arbitrary, so a blank line in a range that a fix touched counts as touched.
        touched = [i for i in range(start, end) if i in self.lines]
        return bool(touched) and all(i in self.lines or not self.original[i].strip() for i in range(start, end))

    def _insertion_at(self, gap: int) -> bool:
        return gap in self.gaps or gap in self.lines or (gap - 1) in self.lines

    def _slide(self, gap: int) -> List[int]:
        """Where new lines land among blank and comment-only lines is a placement choice (fixes
        applied in another order place a new key before or after them): an insertion may slide
        across such lines."""
        spots = [gap]
        below = gap
        while below > 0 and _filler(self.original[below - 1]):
            below -= 1
            spots.append(below)
        above = gap
        while above < len(self.original) and _filler(self.original[above]):
            above += 1
            spots.append(above)
        return spots


def _filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#") or stripped in ("---", "...")


def attribute(analysis: Analysis, unsafe: bool, max_steps: int = 60) -> Attribution:
    assert analysis.source is not None
    original = split_lines(analysis.source.text)
    result = Attribution()
    result.original = original
    current = analysis
    origin: List[Optional[int]] = list(range(len(original)))  # current line -> original line
    refused: Set[Tuple[str, YamlPath, str]] = set()
    for _ in range(max_steps):
        if current.doc is None or current.source is None:
            break
        settled = engine.settle(current, list(current.findings))
        step = None
        for item in settled:
            key = (item.code, tuple(item.path), item.message)
            if not applicable(item, unsafe) or key in refused:
                continue
            preview = fixer.preview(current, item)
            if isinstance(preview, str):
                step = (item, preview)
                break
            refused.add(key)
        if step is None:
            break
        item, text = step
        refused.clear()  # the file changes: a fix refused before (duplicate keys, say) may apply now
        result.steps.append(f"{item.code}@{tuple(item.path)}")
        result.codes.add(item.code)
        if item.code in MOVERS or any(change.op.value == "rename" for change in item.fix.changes):  # type: ignore[union-attr]
            result.moves = True
        result.paths |= fix_paths(item, current.doc)
        result.paths |= _new_text_paths(item, current.source, text)
        old_lines, new_lines = split_lines(current.source.text), split_lines(text)
        region = fix_region(current.doc, item)
        for start, end in _diff_ranges(old_lines, new_lines):
            if not _within(region, start, end, old_lines):
                result.strays.append(f"{item.code}@{tuple(item.path)} changed lines {start + 1}-{end} of its "
                                     f"input, outside the lines of what it fixes ({_ranges(region)})")
            for index in range(start, end):
                if index < len(origin) and origin[index] is not None:
                    result.lines.add(origin[index])  # type: ignore[arg-type]
            if start == end:
                if start < len(origin) and origin[start] is not None:
                    result.gaps.add(origin[start])  # type: ignore[arg-type]
                elif start > 0 and start - 1 < len(origin) and origin[start - 1] is not None:
                    result.gaps.add(origin[start - 1] + 1)  # type: ignore[operator]
                elif start == 0:
                    result.gaps.add(0)
        mapping = _line_map(old_lines, new_lines)
        origin = [origin[m] if m is not None and m < len(origin) else None for m in mapping]
        data = current.source.encode(text)
        current = engine.analyze(current.path, data, current.settings, _base_dir(current))
    result.text = current.source.text if current.source is not None else ""
    return result


def fix_region(doc: Document, item: Finding) -> Set[int]:
    """The lines (0-based) a finding's fix may change: the finding's span, the TEXT ranges, and the
    block of every path a structural change names (for a key the change adds, its parent's block:
    the new key lands somewhere in it; the top level is the whole file)."""
    from ngrok_lint.model import Op

    lines: Set[int] = set(range(item.span.line - 1, item.span.end_line))
    text = doc.text
    for change in item.fix.changes if item.fix else ():
        if change.op == Op.TEXT:
            first = text.count("\n", 0, change.start)
            last = text.count("\n", 0, max(change.start, change.end - 1))
            lines |= set(range(first, last + 1))
            continue
        path = tuple(change.path)
        if change.op == Op.SET and path not in doc.locs or change.op == Op.INSERT:
            path = path if path in doc.locs else path[:-1]
        while path and path not in doc.locs:
            path = path[:-1]
        if change.op == Op.REMOVE and len(path) > 1:
            parent = doc.get(path[:-1])
            if isinstance(parent, (dict, list)) and len(parent) == 1:
                path = path[:-1]  # removing the only key or item may remove its emptied parent too
        lines |= _block(doc, path)
    return lines


def _block(doc: Document, path: YamlPath) -> Set[int]:
    """Lines from the key (or value) of `path` to the last line of its value, 0-based."""
    if not path:
        return set(range(0, doc.text.count("\n") + 1))
    size = len(path)
    spans = [loc for where, loc in doc.locs.items() if where[:size] == path]
    first = min((loc.key or loc.value).line for loc in spans) - 1
    last = max(loc.value.end_line for loc in spans) - 1
    return set(range(first, last + 1))


def _within(region: Set[int], start: int, end: int, lines: Sequence[str]) -> bool:
    """A replaced range inside the region (blank and comment lines at its edges may go along: a
    removed key takes its comment block); an insertion inside it or at its edge, across filler."""
    # Which of several identical adjacent lines a line diff calls changed is arbitrary (two equal
    # suppression comments, one removed): a run of identical lines counts as one.
    region = set(region)
    for index in sorted(region):
        for step in (-1, 1):
            other = index + step
            while 0 <= other < len(lines) and 0 <= index < len(lines) and lines[other] == lines[index]:
                region.add(other)
                other += step
    if start == end:
        spots = {start}
        low, high = start, start
        while low > 0 and _filler(lines[low - 1]):
            low -= 1
            spots.add(low)
        while high < len(lines) and _filler(lines[high]):
            high += 1
            spots.add(high)
        return any(s in region or s - 1 in region for s in spots)
    inside = [i for i in range(start, end) if i in region]
    return bool(inside) and all(i in region or _filler(lines[i]) for i in range(start, end))


def _ranges(lines: Set[int]) -> str:
    out: List[str] = []
    for index in sorted(lines):
        if out and out[-1].endswith(f"-{index}") or out and out[-1] == str(index):
            head = out[-1].split("-")[0]
            out[-1] = f"{head}-{index + 1}"
        else:
            out.append(str(index + 1))
    return ", ".join(out)


def fix_paths(item: Finding, doc: Optional[Document] = None) -> Set[YamlPath]:
    """The YAML paths a finding's fix is about: the finding's own path, every change's path (a
    renamed key's new name too) and, for a TEXT change, every key or value its range overlaps in
    `doc`. A path that ends in a list index, and an INSERT's list, stand for the whole list."""
    from ngrok_lint.model import Op

    paths: Set[YamlPath] = {_list_widened(tuple(item.path))}
    for change in item.fix.changes if item.fix else ():
        path = tuple(change.path)
        if path:
            paths.add(_list_widened(path))
        if change.op == Op.RENAME and isinstance(change.value, str) and path:
            paths.add(path[:-1] + (change.value,))
        if change.op == Op.TEXT and doc is not None:
            for where, loc in doc.locs.items():
                # A collection's span is only its first line: its key (if any) stands for it.
                scalar = loc.raw is not None
                spans = ([loc.value] if scalar else []) + ([loc.key] if loc.key is not None else [])
                if any(_overlap(span.start, span.end, change.start, change.end) for span in spans):
                    paths.add(_list_widened_any(where))
    return paths


def _new_text_paths(item: Finding, source: Any, new_text: str) -> Set[YamlPath]:
    """The keys and values a fix's TEXT changes wrote, found in the fixed text (a key the fix
    adds, such as `endpoints` of the v3 conversion, is not in the old document)."""
    from ngrok_lint.loader import parse
    from ngrok_lint.model import Op

    texts = sorted((c for c in (item.fix.changes if item.fix else ()) if c.op == Op.TEXT), key=lambda c: c.start)
    if not texts:
        return set()
    parsed = parse("fixed.yml", new_text)
    if not isinstance(parsed, Document):
        return set()
    ranges: List[Tuple[int, int]] = []
    shift = 0
    for change in texts:
        value = str(change.value or "")
        if source.newline == "\r\n" and not source.mixed_newlines:
            value = value.replace("\r\n", "\n").replace("\n", "\r\n")
        ranges.append((change.start + shift, change.start + shift + len(value)))
        shift += len(value) - (change.end - change.start)
    found: Set[YamlPath] = set()
    for where, loc in parsed.locs.items():
        spans = ([loc.value] if loc.raw is not None else []) + ([loc.key] if loc.key is not None else [])
        if any(_overlap(span.start, span.end, start, end) for span in spans for start, end in ranges):
            found.add(_list_widened_any(where))
    return found


def _overlap(a_start: int, a_end: int, start: int, end: int) -> bool:
    if start == end:  # an insertion touches only what it lies inside
        return a_start < start < a_end
    return max(a_start, start) < min(a_end, max(a_start + 1, a_end))


def _list_widened_any(path: YamlPath) -> YamlPath:
    """Text that rewrites a list item may add, drop or reorder items: the list stands for it."""
    ints = [i for i, part in enumerate(path) if isinstance(part, int)]
    return path[: ints[-1]] if ints else path


def _list_widened(path: YamlPath) -> YamlPath:
    return path[:-1] if path and isinstance(path[-1], int) else path


def _base_dir(analysis: Analysis) -> Optional[str]:
    import os

    if analysis.path in ("-", "<stdin>"):
        return None
    return os.path.dirname(os.path.abspath(analysis.path))


def unexplained_changes(old: str, new: str, attribution: "Attribution") -> List[Tuple[int, int]]:
    """Ranges of the change old -> new (0-based original lines) that no replayed fix explains.

    When the replay ends at `new` itself, every change is one a single fix made (each step's lines
    are mapped back to the original as it goes), so nothing is left to explain; a line diff of the
    whole change would only add doubt where lines repeat (two identical tunnels). Otherwise the
    engine applied the fixes in another order, and the whole change is compared with the union."""
    if attribution.text == new:
        return []
    return [(s, e) for s, e in changed_lines(old, new) if not attribution.explains(s, e)]


def kept_in_order(old: str, new: str, allowed: Iterable[int]) -> Optional[str]:
    """Every line of `old` not in `allowed` (0-based) is still in `new`, in order; else the first
    line that is not."""
    skip = set(allowed)
    wanted = [line for index, line in enumerate(split_lines(old)) if index not in skip]
    have = split_lines(new)
    position = 0
    for line in wanted:
        while position < len(have) and have[position] != line:
            position += 1
        if position == len(have):
            return line
        position += 1
    return None


# --- data ------------------------------------------------------------------------------------------------


class _Stripped:
    """Stands in for a list item that was stripped (keeps the other items' indexes)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Stripped)

    def __repr__(self) -> str:
        return "<stripped>"


def strip_paths(data: Any, paths: Iterable[YamlPath]) -> Any:
    """A copy of `data` without the given paths (a list item is replaced by a marker), and without
    the mappings that only held them: `agent: {authtoken: x}` minus `agent.authtoken` reads as no
    `agent` at all, as an emptied `agent:` (null) does."""
    data = copy.deepcopy(data)
    for path in sorted(set(tuple(p) for p in paths), key=len, reverse=True):
        if not path:
            return _Stripped()
        _strip(data, path)
        for size in range(len(path) - 1, 0, -1):
            parent = _get(data, path[: size - 1])
            key = path[size - 1]
            if isinstance(parent, dict) and key in parent and parent[key] in (None, {}, []):
                del parent[key]
    return data


def _get(data: Any, path: YamlPath) -> Any:
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def _strip(data: Any, path: YamlPath) -> None:
    node = _get(data, path[:-1])
    last = path[-1]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = _Stripped()
