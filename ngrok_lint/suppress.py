"""Suppression comments: `# ngrok-lint: ignore[NGL201, http-scheme] reason` at the end of the
finding's line or alone on the line directly above it, and `# ngrok-lint: ignore-file[...]` (or
bare `ignore-file`) anywhere. Suppressed findings are kept and marked, never dropped; a comment or
a code that suppressed nothing becomes NGL008.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint.model import Finding, Span

_COMMENT = re.compile(
    r"(?:^|(?<=\s))#\s*ngrok-lint:\s*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]]*)\])?(?P<reason>[^\r\n]*)"
)


class Suppression(NamedTuple):
    kind: str  # "ignore" or "ignore-file"
    codes: Tuple[str, ...]  # empty: every rule
    line: int  # the comment's own line
    target: int  # the line it applies to (0 for ignore-file)
    comment: Span  # the comment text, from `#` to the end of the line
    own_line: bool  # alone on its line
    line_start: int  # offset of the start of the comment's line
    line_end: int  # offset just past the line's newline
    reason: str
    used: Set[str]  # the codes ("*" for a bare comment) it suppressed; filled in by apply()


def find(text: str) -> List[Suppression]:
    found: List[Suppression] = []
    if "ngrok-lint:" not in text:  # the common case, decided without a regex over every line
        return found
    offset = 0
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if "ngrok-lint:" in line:
            match = _COMMENT.search(line)
            if match is not None:
                before = line[: match.start()]
                own_line = before.strip() == ""
                codes = tuple(c.strip() for c in (match.group("codes") or "").split(",") if c.strip())
                content_end = len(line.rstrip("\r\n"))
                comment = Span(
                    number, match.start() + 1, number, content_end + 1, offset + match.start(), offset + content_end
                )
                kind = match.group("kind")
                target = 0 if kind == "ignore-file" else (number + 1 if own_line else number)
                found.append(
                    Suppression(kind, codes, number, target, comment, own_line, offset, offset + len(line),
                                match.group("reason").strip(), set())
                )
        offset += len(line)
    return found


def _matches(token: str, item: Finding) -> bool:
    from ngrok_lint import registry

    meta = registry.lookup(item.code)
    if meta is None:
        return token.upper() == item.code
    return registry.matches(token, meta)


def apply(findings: Sequence[Finding], suppressions: Sequence[Suppression]) -> List[Finding]:
    """Mark the suppressed findings, recording which tokens were used."""
    result: List[Finding] = []
    for item in findings:
        reason: Optional[str] = None
        hit = False
        for sup in suppressions:
            if sup.kind == "ignore" and sup.target != item.span.line:
                continue
            if not sup.codes:
                sup.used.add("*")
                hit, reason = True, sup.reason or reason
                continue
            for token in sup.codes:
                if _matches(token, item):
                    sup.used.add(token)
                    hit, reason = True, sup.reason or reason
        result.append(item._replace(suppressed=True, suppression_reason=reason or None) if hit else item)
    return result
