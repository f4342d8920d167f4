"""The smallest run of whole lines that differs between a text and its fixed version.

Editors and SARIF consumers apply a fix as "replace this region with that text"; a fix preview is
the whole new text. Both the SARIF reporter and the language server turn one into the other here,
so that a fix never claims to touch more lines than it changes.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from ngrok_lint.model import Finding
from ngrok_lint.positions import Lines, is_break, split_lines

if TYPE_CHECKING:  # the engine imports every rule; only the type is needed here
    from ngrok_lint.engine import Analysis


@dataclass(frozen=True)
class LineEdit:
    """Lines [first_line, last_line) of the old text (0-based) are replaced by `text`.

    Lines are YAML's (:mod:`ngrok_lint.positions`). `start` and `end` are the same region as
    character offsets into the old text, which is what an output with other lines (LSP) converts;
    the region starts at (first_line, 0) and ends at (end_line, end_character), 0-based, characters
    in code points. The end is the start of line `last_line`, or the end of the text when the last
    replaced line has no line end.
    """

    first_line: int
    last_line: int
    start: int
    end: int
    text: str
    end_line: int
    end_character: int
    start_character: int = 0  # a narrowed edit (:func:`secret_free`) starts inside its first line


def line_edit(old: str, new: str) -> Optional[LineEdit]:
    """The minimal whole-line replacement turning `old` into `new`; None when they are equal."""
    if old == new:
        return None
    old_lines, new_lines = split_lines(old), split_lines(new)
    prefix = 0
    limit = min(len(old_lines), len(new_lines))
    while prefix < limit and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < limit - prefix
        and old_lines[len(old_lines) - 1 - suffix] == new_lines[len(new_lines) - 1 - suffix]
    ):
        suffix += 1
    start = sum(len(line) for line in old_lines[:prefix])
    removed = old_lines[prefix: len(old_lines) - suffix]
    end = start + sum(len(line) for line in removed)
    inserted = "".join(new_lines[prefix: len(new_lines) - suffix])
    last = len(old_lines) - suffix
    end_line, end_character = last, 0
    if removed and not is_break(removed[-1][-1:]):
        end_line, end_character = last - 1, len(removed[-1])
    return LineEdit(prefix, last, start, end, inserted, end_line, end_character)


def region_edit(text: str, starts: List[int], start: int, end: int, value: str) -> Optional[LineEdit]:
    """The whole-line edit for replacing characters [start, end) of `text` with `value`, given the
    offsets at which its lines start: only the lines around the region are looked at."""
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_right(starts, max(start, end - 1)) - 1 if end > start else first
    segment_start = starts[first]
    segment_end = starts[last + 1] if last + 1 < len(starts) else len(text)
    old = text[segment_start:segment_end]
    new = text[segment_start:start] + value + text[end:segment_end]
    edit = line_edit(old, new)
    if edit is None:
        return None
    return LineEdit(edit.first_line + first, edit.last_line + first, edit.start + segment_start, edit.end + segment_start,
                    edit.text, edit.end_line + first, edit.end_character)


def line_starts(text: str) -> List[int]:
    """The offset at which each line of `text` starts (by :func:`split_lines`)."""
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    if len(starts) > 1 and starts[-1] == len(text) and not is_break(text[-1:]):
        starts.pop()  # the last line has no line end: no line starts after it
    return starts


def preview_edit(analysis: "Analysis", item: Finding) -> Union[LineEdit, str]:
    """The edit that applies only `item`'s fix to the analysed text, or why there is none."""
    if analysis.source is None or item.fix is None or item.fix_unavailable:
        return item.fix_unavailable or "no fix"
    edits = fix_edits(analysis, [item], reasons=True)
    return edits[0]


def fix_edits(analysis: "Analysis", findings: Sequence[Finding], reasons: bool = False) -> Dict[int, Any]:
    """Edits for the applicable fixes of the unsuppressed `findings`, keyed by list index: all of
    them from one run of the fix engine (:func:`ngrok_lint.fixer.previews`), never one whole-file
    preview per finding. With `reasons`, a finding without an edit maps to why not (a string)."""
    out: Dict[int, Any] = {}
    if analysis.source is None:
        return {i: "no fix" for i in range(len(findings))} if reasons else out
    from ngrok_lint import fixer

    wanted = [i for i, item in enumerate(findings) if not item.suppressed and item.fix is not None and not item.fix_unavailable]
    try:
        results = fixer.previews(analysis, [findings[i] for i in wanted])
    except Exception as exc:  # a bug in one fix must not cost the report or the editor session
        why = f"internal error while previewing the fixes ({type(exc).__name__}: {exc}); please report it"
        return {i: why for i in range(len(findings))} if reasons else out
    text = analysis.source.text
    starts = line_starts(text)
    lines = Lines(text)  # one index for every edit's positions: a lookup per edit, not a scan
    for index, result in zip(wanted, results):
        if isinstance(result, tuple):
            edit = region_edit(text, starts, *result)
            shown = secret_free(analysis, edit, lines) if edit is not None else None
            if shown is not None:
                out[index] = shown
            elif reasons:
                out[index] = "the fix changes nothing" if edit is None else "the fix would write a secret of the file into its edit"
        elif reasons:
            out[index] = str(getattr(result, "reason", None) or result)
    if reasons:
        for index, item in enumerate(findings):
            out.setdefault(index, item.fix_unavailable or "no fix")
    return out


def secret_free(analysis: "Analysis", edit: LineEdit, lines: Optional[Lines] = None) -> Optional[LineEdit]:
    """`edit` narrowed to the characters that change, or None when even so the text it inserts
    would carry a secret of the file: a fix shown as an edit (SARIF `fixes`, an editor's quick
    fix) never holds a secret, and never a masked one, which would corrupt the file it is applied to."""
    from ngrok_lint import secrets

    assert analysis.source is not None
    text = analysis.source.text
    index = secrets.index_for(analysis.doc) if analysis.doc is not None else secrets.index_for(text=text)
    narrowed = secrets.guard_edit(text, edit.start, edit.end, edit.text, index)
    if narrowed is None:
        return None
    start, end, inserted = narrowed
    if text[start - 1:start + 1] == "\r\n":  # never split a CRLF line end
        start, inserted = start - 1, "\r" + inserted
    if text[end - 1:end + 1] == "\r\n":
        end, inserted = end + 1, inserted + "\n"
    lines = lines if lines is not None and lines.text is text else Lines(text)
    first_line, start_column = lines.line_col(start)
    end_line, end_column = lines.line_col(end)
    return LineEdit(first_line - 1, end_line - (1 if end_column == 1 else 0), start, end, inserted, end_line - 1,
                    end_column - 1, start_column - 1)
