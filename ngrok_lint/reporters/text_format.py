"""`path:line:col: CODE [severity] name: message [*]`, sorted, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import List

from ngrok_lint.model import Severity
from ngrok_lint.reporters import RenderOptions, Run, fix_skipped, fix_state

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(run: Run, options: RenderOptions) -> str:
    lines: List[str] = []
    for result in sorted(run.files, key=lambda r: r.path):
        if result.diff:
            lines.append(result.diff.rstrip("\n"))
        for item in result.findings:
            if item.suppressed:
                continue
            if options.quiet and item.severity < run.fail_on:
                continue
            marker = ""
            state = fix_state(item)
            if state == "safe":
                marker = " [*]"
            elif state == "unsafe":
                marker = " [unsafe fix]"
            elif fix_skipped(item):
                marker = f" ({fix_skipped(item)})"
            severity = item.severity.label
            code = item.code
            location = f"{result.path}:{item.span.line}:{item.span.column}:"
            if options.color:
                severity = f"{_COLORS[item.severity]}{severity}{_RESET}"
                code = f"{_BOLD}{code}{_RESET}"
                location = f"{_BOLD}{location}{_RESET}"
            lines.append(f"{location} {code} [{severity}] {item.name}: {item.message}{marker}")
    for error in run.errors:
        lines.append(f"{error.path}: error: {error.message}")
    if options.statistics:
        counts = Counter((f.code, f.name, f.severity.label) for f in run.active())
        for (code, name, severity), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{count:6d}  {code}  {name} [{severity}]")
    if not options.quiet or run.active():
        lines.append(_summary(run))
    return "\n".join(lines) + ("\n" if lines else "")


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
        tail.append(f"{s['unsafe_fixable']} more with --unsafe-fixes" if not run.unsafe else f"{s['unsafe_fixable']} fixable with --unsafe-fixes")
    if s["suppressed"]:
        tail.append(f"{s['suppressed']} suppressed")
    if s["file_errors"]:
        tail.append(f"{_plural(s['file_errors'], 'file')} could not be read")
    return head + ("; " + "; ".join(tail) if tail else "") + "."
