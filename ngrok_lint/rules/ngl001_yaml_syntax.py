"""
## What it does
Reports a file that is not valid YAML, or that the agent cannot read as text: a syntax error
(unterminated quote, bad indentation, merge-conflict markers), an undefined alias such as the
`***REMOVED***` a secret scrubber leaves behind, more than one YAML document, bytes that are not
UTF-8/UTF-16/UTF-32 text, control characters, and tab characters (agent 2.x refuses a tab
anywhere in the file, even inside a comment). The position is the parser's.

## Why is this bad?
Agent 3.x refuses to start with a broken file. Agent 2.x is worse: it silently ignores a file it
cannot parse and starts with its defaults, so every setting in it, the security ones included,
is lost without a word.

A file with this finding gets no other finding (nothing else can be read reliably), except a
line scan for a committed `authtoken` or `api_key` (NGL301, NGL302).

When the file holds template markers (`{{`, `{%`, `<%`) it is probably rendered by a template
tool before the agent reads it: exclude it with `exclude` in the project configuration.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: "8080
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: "8080"
```

## Fix
None: a fixer never touches a file it cannot parse.
"""

from __future__ import annotations

from typing import Iterable, Iterator, List, Optional

from ngrok_lint import registry
from ngrok_lint.loader import Document, ParseProblem
from ngrok_lint.model import Finding, RuleMeta, Severity, Span, finding
from ngrok_lint.positions import line_col
from ngrok_lint.source import DecodeError

META = RuleMeta(
    code="NGL001",
    name="yaml-syntax",
    severity=Severity.ERROR,
    summary="the file does not parse as YAML",
)

_AGENT_2 = "agent 2.x silently ignores a file it cannot parse and runs on its defaults"
_TEMPLATE_MARKERS = ("{{", "{%", "<%")


def _template_hint(text: str) -> str:
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        return (
            "; the file looks like a template (it holds `{{`, `{%` or `<%`): lint the rendered file, "
            "or list this one under `exclude` in the project configuration"
        )
    return ""


def from_decode_error(error: DecodeError) -> Iterator[Finding]:
    yield finding(META, f"{error.message}; {_AGENT_2}", Span.point(error.line, error.column))


def too_large(size: int, limit: int) -> Finding:
    return finding(
        META,
        f"the file is larger than {limit // 1048576} MB, the most ngrok-lint reads "
        "(an ngrok config is a few KB): is this really an ngrok config? If not, exclude it",
        Span.point(1, 1),
    )


def from_parse_problem(problem: ParseProblem, text: str, enabled: frozenset) -> Iterator[Finding]:
    span = problem.span
    conflict = text.find("\n<<<<<<< ") if not text.startswith("<<<<<<< ") else 0
    message = problem.message
    if conflict >= 0:
        line, column = line_col(text, conflict + (1 if conflict else 0))
        span = Span.point(line, column)
        message = "the file holds merge-conflict markers (`<<<<<<<`): resolve the conflict"
    yield finding(META, f"{message} ({_AGENT_2}){_template_hint(text)}", span)
    # Secrets are still worth finding in a broken file: a plain line scan, no YAML needed.
    yield from (f for f in _secret_scan(text) if f.code in enabled)


def _secret_scan(text: str) -> Iterator[Finding]:
    """NGL301/NGL302's line scan, for files whose only other finding is NGL001 (callers filter by selection)."""
    for code in ("NGL301", "NGL302"):
        module = registry.by_code().get(code)
        scan = getattr(module, "scan_text", None)
        if scan is not None:
            yield from scan(text)


def file_level(doc: Document) -> Optional[List[Finding]]:
    """Findings that replace every other finding of a parsed file, or None."""
    if doc.is_v1:
        from ngrok_lint.rules import ngl009_ngrok_v1_format

        return list(ngl009_ngrok_v1_format.check(doc, None))
    tab = doc.text.find("\t")
    if tab >= 0 and doc.declared_format == "legacy":
        line, column = line_col(doc.text, tab)
        return [
            finding(
                META,
                "a tab character: agent 2.x refuses any tab in the file, even in a comment or a quoted "
                f"string ({_AGENT_2.replace('a file it cannot parse', 'such a file')}); use spaces",
                Span(line, column, line, column + 1, tab, tab + 1),
            )
        ] + list(_secret_scan(doc.text))
    return None


def check(doc: Document, ctx: object) -> Iterable[Finding]:
    """Parse problems are found by the loader; see :func:`from_parse_problem`."""
    return ()
