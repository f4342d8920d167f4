"""Output formats. A reporter only formats a finished run; it never decides anything.

Registry of formats: ``FORMATS`` maps a name to a module with ``render(run, options) -> str``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Dict, List, NamedTuple, Optional, Sequence

from ngrok_lint.model import FileError, FileResult, Finding, Safety, Severity

FORMATS = ("text", "json", "sarif", "github")


class Run(NamedTuple):
    files: List[FileResult]
    errors: Sequence[FileError] = ()
    fail_on: Severity = Severity.WARNING
    fix_mode: bool = False  # --fix or --diff: says "fixed" rather than "fixable"
    unsafe: bool = False
    fixed_count: int = 0
    sources: Optional[Dict[str, Any]] = None  # path -> text_format.SourceView, for the source lines

    def active(self) -> List[Finding]:
        return [f for r in self.files for f in r.findings if not f.suppressed]

    def summary(self) -> Dict[str, int]:
        active = self.active()
        suppressed = sum(1 for r in self.files for f in r.findings if f.suppressed)
        return {
            "findings": len(active),
            "errors": sum(1 for f in active if f.severity == Severity.ERROR),
            "warnings": sum(1 for f in active if f.severity == Severity.WARNING),
            "infos": sum(1 for f in active if f.severity == Severity.INFO),
            "fixable": sum(1 for f in active if fix_state(f) == "safe"),
            "unsafe_fixable": sum(1 for f in active if fix_state(f) == "unsafe"),
            "suppressed": suppressed,
            "fixed": self.fixed_count,
            "files": len(self.files),
            "files_with_findings": sum(1 for r in self.files if any(not f.suppressed for f in r.findings)),
            "files_changed": sum(1 for r in self.files if r.changed),
            "file_errors": len(self.errors),
        }


def fix_skipped(item: Finding) -> Optional[str]:
    """"fix skipped: <reason>" for a finding whose fix was not applied (the proof refused it, or it
    cannot apply to this file); the same words in every output format."""
    if item.fix is None or not item.fix_unavailable:
        return None
    return f"fix skipped: {item.fix_unavailable}"


def fix_state(item: Finding) -> Optional[str]:
    """"safe", "unsafe", or None when there is no applicable fix."""
    if item.fix is None or item.fix_unavailable:
        return None
    return "safe" if item.fix.safety == Safety.SAFE else "unsafe"


class RenderOptions(NamedTuple):
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    concise: bool = False  # text: one line per finding, without the source line


# Characters that must never reach a terminal raw from a file or a file name: C0 and C1 controls,
# DEL, line and paragraph separators, and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character as a backslash escape (`\\x1b`, `\\n`), and bytes
    that were not UTF-8 (surrogate escapes of an OS file name) as `\\xff`: always encodable."""
    if text.isprintable() and text.isascii():
        return text
    if any("\udc80" <= char <= "\udcff" for char in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "backslashreplace") if _has_surrogate(text) else text
    return _UNPRINTABLE.sub(_escape, text)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)


def _escape(match: "re.Match[str]") -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def display_path(path: str) -> str:
    """A file name as shown at the start of a text line: printable, and never starting with `::`
    (GitHub's runner would read the line as a workflow command)."""
    shown = printable(path)
    return "./" + shown if shown.lstrip().startswith("::") else shown


def render(name: str, run: Run, options: RenderOptions) -> str:
    module = importlib.import_module(f"ngrok_lint.reporters.{name}_format")
    return module.render(run, options)  # type: ignore[no-any-return]
