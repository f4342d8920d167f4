"""The smallest run of whole lines that differs between a text and its fixed version.

Editors and SARIF consumers apply a fix as "replace this region with that text"; a fix preview is
the whole new text. Both the SARIF reporter and the language server turn one into the other here,
so that a fix never claims to touch more lines than it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Union

from ngrok_lint.model import Finding
from ngrok_lint.positions import is_break, line_col, split_lines

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


def preview_edit(analysis: "Analysis", item: Finding) -> Union[LineEdit, str]:
    """The edit that applies only `item`'s fix to the analysed text, or why there is none.

    The fix engine previews the whole new text; this narrows it to the lines that change.
    """
    if analysis.source is None or item.fix is None or item.fix_unavailable:
        return item.fix_unavailable or "no fix"
    from ngrok_lint import fixer

    try:
        result = fixer.preview(analysis, item)
    except Exception as exc:  # a bug in one fix must not cost the report or the editor session
        return f"internal error while previewing the fix ({type(exc).__name__}: {exc}); please report it"
    if not isinstance(result, str):
        return str(getattr(result, "reason", None) or result)
    edit = line_edit(analysis.source.text, result)
    if edit is None:
        return "the fix changes nothing"
    return secret_free(analysis, edit) or "the fix would write a secret of the file into its edit"


def fix_edits(analysis: "Analysis", findings: Sequence[Finding]) -> Dict[int, LineEdit]:
    """Edits for the applicable fixes of the unsuppressed `findings`, keyed by list index."""
    edits: Dict[int, LineEdit] = {}
    for index, item in enumerate(findings):
        if item.suppressed or item.fix is None or item.fix_unavailable:
            continue
        edit = preview_edit(analysis, item)
        if isinstance(edit, LineEdit):
            edits[index] = edit
    return edits


def secret_free(analysis: "Analysis", edit: LineEdit) -> Optional[LineEdit]:
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
    first_line, start_column = line_col(text, start)
    end_line, end_column = line_col(text, end)
    return LineEdit(first_line - 1, end_line - (1 if end_column == 1 else 0), start, end, inserted, end_line - 1,
                    end_column - 1, start_column - 1)
