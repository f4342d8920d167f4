"""Text output, as ruff prints it. Each finding is a line

    path:line:col: CODE [severity] name: message [*]

sorted by file and position; in the "full" form (the default) the source line follows in a gutter
with `^` under the finding's span, secrets masked; `--format concise` keeps the one-line form.
`--statistics` prints a count per rule instead. A summary ends the run.

Nothing from a file reaches the terminal raw: control characters in file names, messages and source
lines are shown as backslash escapes, and a file name is never at the start of a line as `::`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from ngrok_lint.model import Finding, Severity
from ngrok_lint.positions import BREAK_CHARS, split_lines
from ngrok_lint.reporters import RenderOptions, Run, display_path, fix_skipped, fix_state, printable

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _BLUE, _RESET = "\033[1m", "\033[34m", "\033[0m"
_WINDOW = 80  # characters of context shown either side of a span on a long line
_TAB = 4
_SPAN_SHOWN = 2 * _WINDOW  # characters of a long span shown before the line is cut


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(run: Run, options: RenderOptions) -> str:
    concise = options.concise
    lines: List[str] = []
    if options.statistics:
        lines.extend(_statistics(run))
    else:
        for result in sorted(run.files, key=lambda r: r.path):
            shown = [f for f in result.findings if not f.suppressed and not (options.quiet and f.severity < run.fail_on)]
            if not shown:
                continue
            source = None if concise else _SourceLines.of((run.sources or {}).get(result.path))
            for item in shown:
                lines.append(_headline(display_path(result.path), item, options.color))
                if source is not None:
                    lines.extend(source.snippet(item, options.color))
    for error in run.errors:
        lines.append(f"{display_path(error.path)}: error: {printable(error.message)}")
    if not options.quiet or run.active():
        lines.append(_summary(run))
    return "\n".join(lines) + ("\n" if lines else "")


def _headline(path: str, item: Finding, color: bool) -> str:
    marker = ""
    state = fix_state(item)
    if state == "safe":
        marker = " [*]"
    elif state == "unsafe":
        marker = " [unsafe fix]"
    elif fix_skipped(item):
        marker = f" ({fix_skipped(item)})"
    severity, code = item.severity.label, item.code
    location = f"{path}:{item.span.line}:{item.span.column}:"
    if color:
        severity = f"{_COLORS[item.severity]}{severity}{_RESET}"
        code = f"{_BOLD}{code}{_RESET}"
        location = f"{_BOLD}{location}{_RESET}"
    return f"{location} {code} [{severity}] {item.name}: {printable(item.message + marker)}"


class SourceView(NamedTuple):
    """What the text format shows of a file: its text and the [start, end) offsets of its secrets."""

    text: str
    secrets: Tuple[Tuple[int, int], ...] = ()
    spans: Tuple[Any, ...] = ()  # secrets.secret_spans of the parse


def secret_ranges(doc: Any) -> Tuple[Tuple[int, int], ...]:
    """The offsets of every scalar written under a secret key (at any depth: `api_key: [..]`,
    `client_secret: {x: ..}`, block scalars, values on the next line), from the parse."""
    from ngrok_lint.secrets import SECRET_KEYS

    keys = frozenset(SECRET_KEYS)
    ranges = []
    for path, loc in doc.locs.items():
        if loc.raw is not None and any(isinstance(p, str) and p.lower() in keys for p in path):
            ranges.append((loc.value.start, loc.value.end))
    return tuple(sorted(ranges))


class _SourceLines:
    """A file's lines for display, secrets masked, and where each column went after masking."""

    def __init__(self, view: SourceView) -> None:
        from ngrok_lint.secrets import Secret, mask_text, redact

        text = view.text
        self.original = _lines(text)
        # Masked twice: by the parse (`secrets.secret_spans` and every scalar under a secret key)
        # and by the line patterns (what the parse cannot see: a duplicate key's first value).
        secrets = list(view.spans) + [Secret(start, end, "") for start, end in view.secrets]
        masked = _lines(redact(mask_text(text, secrets)))
        # The redactor keeps the line structure; should it ever not, show no source rather than a
        # line that might not be the finding's.
        self.masked = masked if len(masked) == len(self.original) else None

    @classmethod
    def of(cls, view: Optional[SourceView]) -> Optional["_SourceLines"]:
        return None if view is None else cls(view)

    def snippet(self, item: Finding, color: bool) -> List[str]:
        span = item.span
        if self.masked is None or not 1 <= span.line <= len(self.original):
            return []
        original, masked = self.original[span.line - 1], self.masked[span.line - 1]
        start = max(span.column - 1, 0)
        end = span.end_column - 1 if span.end_line == span.line else len(original)
        start, end = min(start, len(original)), min(max(end, start), len(original))
        if masked != original:
            start, end = _moved(original, masked, start, end)
        text, mark_at, mark_width = _window(masked, start, end)
        number = str(span.line)
        pad = " " * len(number)
        bar = f"{_BLUE}|{_RESET}" if color else "|"
        marks = "^" * mark_width
        if color:
            marks = f"{_COLORS[item.severity]}{marks}{_RESET}"
            number = f"{_BLUE}{number}{_RESET}"
        return [f"{pad} {bar}", f"{number} {bar} {text}".rstrip(), f"{pad} {bar} {' ' * mark_at}{marks}", f"{pad} {bar}", ""]


def _lines(text: str) -> List[str]:
    """The lines as Span.line counts them, without their breaks (a final break ends an empty line)."""
    lines = [line.rstrip(BREAK_CHARS) for line in split_lines(text)]
    if not text or text[-1] in BREAK_CHARS:
        lines.append("")
    return lines


def _moved(original: str, masked: str, start: int, end: int) -> Tuple[int, int]:
    """Where columns `start`..`end` of `original` are in `masked` (a masked value shrinks). The
    characters are matched by :mod:`ngrok_lint.linediff`: the common head and tail first, so a
    1 MB line with one masked value costs a pass, not difflib's product of the two lengths."""
    from ngrok_lint import linediff

    codes = linediff.opcodes(original, masked)

    def place(column: int, at_end: bool) -> int:
        for tag, a0, a1, b0, b1 in codes:
            if a0 <= column < a1 or (at_end and column == a1):
                if tag == "equal":
                    return b0 + (column - a0)
                return b1 if at_end else b0
        return len(masked)

    new_start = place(start, False)
    return new_start, max(place(end, True), new_start)


def _window(line: str, start: int, end: int) -> Tuple[str, int, int]:
    """The line as shown (escaped, tabs expanded, cut around the span when long), with the display
    column of the span's start and the span's display width (at least 1)."""
    left = max(0, start - _WINDOW)
    # A span longer than a screen (a 1 MB value) shows its start: the marks end at the cut.
    right = min(len(line), min(max(end, start + 1), start + _SPAN_SHOWN) + _WINDOW)
    pieces: List[str] = ["…"] if left else []
    width = len(pieces)
    mark_at, mark_width = width, 0
    for index in range(left, right):
        char = line[index]
        shown = " " * _TAB if char == "\t" else printable(char)
        size = 2 if len(shown) == 1 and unicodedata.east_asian_width(char) in "WF" else len(shown)
        if index == start:
            mark_at = width
        if start <= index < end:
            mark_width += size
        pieces.append(shown)
        width += size
    if start >= right:
        mark_at = width
    if right < len(line):
        pieces.append("…")
    return "".join(pieces), mark_at, max(mark_width, 1)


def _statistics(run: Run) -> List[str]:
    """ruff's shape: count, code, fixable mark (`[*]` all, `[~]` some, `[ ]` none), name."""
    counts: Counter = Counter()
    fixable: Dict[str, int] = {}
    names: Dict[str, str] = {}
    for item in run.active():
        counts[item.code] += 1
        names[item.code] = item.name
        if fix_state(item) == "safe" or (run.unsafe and fix_state(item) == "unsafe"):
            fixable[item.code] = fixable.get(item.code, 0) + 1
    if not counts:
        return []
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    count_width = max(len(str(count)) for _, count in rows)
    code_width = max(len(code) for code, _ in rows)
    lines = []
    for code, count in rows:
        mark = ""
        if fixable:
            done = fixable.get(code, 0)
            mark = "[*] " if done == count else "[~] " if done else "[ ] "
        lines.append(f"{count:>{count_width}}\t{code:<{code_width}}\t{mark}{names[code]}")
    return lines


def _summary(run: Run) -> str:
    s = run.summary()
    if s["findings"] == 0:
        head = f"No findings in {_plural(s['files'], 'file')}"
    else:
        parts = [_plural(s[k], w) for k, w in (("errors", "error"), ("warnings", "warning"), ("infos", "info")) if s[k]]
        head = (
            f"Found {_plural(s['findings'], 'finding')} ({', '.join(parts)}) in "
            f"{s['files_with_findings']} of {_plural(s['files'], 'file')}"
        )
    tail = []
    if s["fixed"]:
        tail.append(f"fixed {s['fixed']} in {_plural(s['files_changed'], 'file')}")
    if s["fixable"]:
        tail.append(f"{s['fixable']} fixable with --fix")
    if s["unsafe_fixable"]:
        tail.append(f"{s['unsafe_fixable']} more with --unsafe-fixes" if not run.unsafe else f"{s['unsafe_fixable']} fixable with --fix --unsafe-fixes")
    if s["suppressed"]:
        tail.append(f"{s['suppressed']} suppressed")
    if s["file_errors"]:
        tail.append(f"{_plural(s['file_errors'], 'file')} could not be read")
    return head + ("; " + "; ".join(tail) if tail else "") + "."
