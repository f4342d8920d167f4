"""Comments of the input, found and carried to the converted text.

PyYAML drops comments and ruamel.yaml's own placement does not follow nodes that move, so the
conversion finds every comment itself (:func:`comments`, also the check that none is lost) and
:class:`Placer` puts each one beside the node it described, through the plan's moves. Separate
from `write` because it is its own algorithm over lines and paths, independent of how the YAML
is dumped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ngrok_lint.loader import Document, parse
from ngrok_lint.migrate.plan import Plan
from ngrok_lint.migrate.text import Lines, WriteError, indentation
from ngrok_lint.model import YamlPath
from ngrok_lint.proof import Comment, comments

__all__ = ["Comment", "Placed", "Placer", "comments"]


def _starts(doc: Document) -> Dict[int, List[YamlPath]]:
    """Paths whose key (or, for list items, value) starts on each line (0-based), shallowest first."""
    result: Dict[int, List[YamlPath]] = {}
    for path, loc in doc.locs.items():
        if not path or path[-1] == "<<":
            continue
        span = loc.key if loc.key is not None else loc.value
        result.setdefault(span.line - 1, []).append(path)
    for paths in result.values():
        paths.sort(key=len)
    return result


@dataclass
class Placed:
    lines: List[str]
    before: Dict[int, List[str]] = field(default_factory=dict)
    after: Dict[int, List[str]] = field(default_factory=dict)
    eol: Dict[int, Tuple[str, str]] = field(default_factory=dict)  # line -> (gap, text)
    trailing: List[str] = field(default_factory=list)
    loose: List[str] = field(default_factory=list)  # comments with nowhere to go when nothing is written

    def render(self) -> List[str]:
        out: List[str] = []
        for number, line in enumerate(self.lines):
            out += self.before.get(number, [])
            if number in self.eol:
                gap, text = self.eol[number]
                line = f"{line}{gap or ' '}{text}"
            out.append(line)
            out += self.after.get(number, [])
        return out


class Placer:
    """Carries the comments of the input lines [first, last] to the new lines, next to the nodes
    they stood beside (through the plan's moves)."""

    def __init__(self, doc: Document, lines: Lines, plan: Plan, new: List[str], offset: int = 0) -> None:
        self.doc = doc
        self.lines = lines
        self.plan = plan
        self.new = new
        self.old_starts = _starts(doc)
        self.placed = Placed(list(new))
        self.new_starts: Dict[YamlPath, int] = {}
        if new:
            parsed = parse("<new>", "\n".join(new) + "\n")
            if not isinstance(parsed, Document):
                raise WriteError("the generated text does not parse")
            for line, paths in _starts(parsed).items():
                for path in paths:
                    if offset and len(path) > 1 and path[0] == "endpoints" and isinstance(path[1], int):
                        shifted: YamlPath = ("endpoints", path[1] + offset)
                        path = shifted + path[2:]  # the fragment's items follow the file's
                    self.new_starts.setdefault(path, line)

    # old path → new line
    def _target(self, old: YamlPath) -> Optional[int]:
        moves = self.plan.moves
        path = tuple(old)
        while path:
            if path in moves:
                move = moves[path]
                if move is None:
                    return None
                new, subtree = move
                new = new + (old[len(path):] if subtree else ())
                while new:
                    if new in self.new_starts:
                        return self.new_starts[new]
                    new = new[:-1]
                return 0 if self.new else None
            path = path[:-1]
        for new, line in self.new_starts.items():  # a key the plan left where it was (v2: none)
            if new == old:
                return line
        return None

    def _deepest(self, line: int) -> Optional[YamlPath]:
        while line >= 0:
            if line in self.old_starts:
                return self.old_starts[line][-1]
            line -= 1
        return None

    def place(self, first: int, last: int) -> Placed:
        found = [c for c in comments(self.doc) if first <= c.line <= last]
        by_line = {c.line: c for c in found}
        content = [n for n in range(first, last + 1) if self.lines.lines[n].strip() and not (n in by_line and by_line[n].own_line)]
        pending: List[str] = []  # comment lines waiting for the next place they can go
        placed = self.placed
        previous: Optional[int] = None
        gap_lines: List[int] = []
        for number in range(first, last + 1):
            if number not in content:
                gap_lines.append(number)
                continue
            pending = self._place_gap(previous, number, gap_lines, by_line, pending)
            gap_lines = []
            comment = by_line.get(number)
            if comment is not None and not comment.own_line:
                old = self._deepest(number)
                target = self._target(old) if old is not None else None
                if target is None:
                    pending.append(comment.text)
                elif target in placed.eol or self._continues(target):
                    placed.after.setdefault(target, []).append(indentation(self.new[target]) + comment.text)
                else:
                    placed.eol[target] = (comment.gap, comment.text)
            previous = number
        # Lines after the last content line of the range: kept, in order, after everything.
        placed.trailing = [self.lines.lines[n] for n in gap_lines]
        if pending:
            if self.new:
                placed.after.setdefault(len(self.new) - 1, []).extend(pending)
            else:
                placed.loose = pending
        return placed

    def _continues(self, line: int) -> bool:
        """Does the new line open a multi-line flow or quoted scalar (a comment there would join it)?"""
        text = self.new[line]
        return text.count('"') % 2 == 1 or text.count("'") % 2 == 1 or text.rstrip().endswith(("[", "{", ","))

    def _place_gap(self, previous: Optional[int], following: int, gap: List[int],
                   by_line: Dict[int, Comment], pending: List[str]) -> List[str]:
        """Comment and blank lines between two content lines: those indented deeper than the next
        line stay after the previous node; the rest go before the next one."""
        placed = self.placed
        next_text = self.lines.lines[following]
        next_indent = len(next_text) - len(next_text.lstrip(" "))
        after: List[Comment] = []
        before: List[Optional[Comment]] = []
        for number in gap:
            comment = by_line.get(number)
            if comment is None:
                if before or after:
                    before.append(None)  # a blank line inside a block of comments
                elif previous is not None:
                    before.append(None)
                continue
            if previous is not None and not before and comment.column > next_indent:
                after.append(comment)
            else:
                before.append(comment)
        if after:
            old = self._deepest(previous) if previous is not None else None
            target = self._target(old) if old is not None else None
            if target is None:
                pending = pending + [c.text for c in after]
            else:
                indent = indentation(self.new[target])
                placed.after.setdefault(target, []).extend(indent + c.text for c in after)
        old_next = self.old_starts.get(following, [None])[0]
        target = self._target(old_next) if old_next is not None else None
        texts = [c.text if c is not None else "" for c in before]
        while texts and not texts[0]:
            texts.pop(0)
        if not any(texts):
            # Only blank lines: keep one before a top-level key or an endpoint.
            if texts or before:
                if target is not None and target > 0 and self._structural(target):
                    placed.before.setdefault(target, []).append("")
            return pending
        if target is None:
            return pending + [t for t in texts if t]
        indent = indentation(self.new[target])
        block = [indent + t if t else "" for t in pending + texts]
        if target > 0 and self._structural(target) and before and before[0] is None:
            block.insert(0, "")
        placed.before.setdefault(target, []).extend(block)
        return []

    def _structural(self, line: int) -> bool:
        return any(len(p) == 1 or (len(p) == 2 and p[0] == "endpoints") for p, n in self.new_starts.items() if n == line)
