"""Suppression comments: `# ngrok-lint: ignore[NGL201, http-scheme] reason` at the end of the
finding's line or alone on the line directly above it, and `# ngrok-lint: ignore-file[...]` (or
bare `ignore-file`) anywhere. Suppressed findings are kept and marked, never dropped; a comment or
a code that suppressed nothing becomes NGL008.

Only YAML comments count: a `#` inside a scalar (a block scalar `|`/`>`, a quoted string on one or
several lines, a plain scalar over several lines) is text of the value, which can neither suppress
nor be removed as a suppression. Comments are where the scanner found none of its tokens: libyaml's
tokens (the loader's own scanner) cover every scalar, anchor, tag and indicator, so a `#` outside
them, at the start of a line or after a space, starts a comment that runs to the line break
(:mod:`ngrok_lint.positions`). The one comment inside a token is the one on a block scalar's header
line (`key: |  # comment`), which is read from the header. Past a syntax error there are no more
tokens; a `#` at the start of a line or after a space counts there.

A comment that starts `# ngrok-lint:` and does not read as a suppression (an unknown word, an
unclosed or empty `[...]`, text glued to the `]`, a code that names no rule) is malformed: it
suppresses nothing and NGL008 reports it with its position.

The common case, a text without `ngrok-lint:`, costs one substring search.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any, List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint.model import Finding, Span
from ngrok_lint.positions import break_length, line_col, line_end

MARKER = "ngrok-lint:"
# The directive, after the comment's `#`: the kind, an optional closed list of codes, a reason.
# Pattern texts, compiled (and cached by `re`) only for a text that holds the marker.
_DIRECTIVE = r"\s*ngrok-lint:\s*(?P<kind>ignore-file|ignore)(?P<list>\[(?P<codes>[^\]]*)\])?(?:\s+(?P<reason>.*?))?\s*\Z"
_CODE = r"[A-Za-z][A-Za-z0-9-]*\Z"
_BLOCK_HEADER = r"[|>][0-9+-]*[ \t]+(?=#)"


class Suppression(NamedTuple):
    kind: str  # "ignore" or "ignore-file"
    codes: Tuple[str, ...]  # empty: every rule
    line: int  # the comment's own line
    target: int  # the line it applies to (0 for ignore-file)
    comment: Span  # the comment text, from `#` to the end of the line (its break excluded)
    own_line: bool  # alone on its line
    line_start: int  # offset of the start of the comment's line
    line_end: int  # offset just past the line's break
    reason: str
    used: Set[str]  # the codes ("*" for a bare comment) it suppressed; filled in by apply()
    problem: Optional[str] = None  # why a malformed suppression is not one (it suppresses nothing)
    unknown: Tuple[str, ...] = ()  # codes that name no rule (the suppression is then malformed)


def find(text: str) -> List[Suppression]:
    """The suppression comments of `text`, in order (malformed ones included, with their problem)."""
    found: List[Suppression] = []
    if MARKER not in text:  # the common case, decided without a scan
        return found
    comments = _comments(text)
    for start, end in comments:
        body = text[start + 1: end]
        if MARKER not in body:
            continue
        hash_at = start
        # `# note # ngrok-lint: ...`: the directive may follow other words in the comment.
        if not body.lstrip().startswith(MARKER):
            inner = re.search(r"(?<=\s)#\s*ngrok-lint:", body)
            if inner is None:
                continue
            hash_at = start + 1 + inner.start()
            body = text[hash_at + 1: end]
        found.append(_suppression(text, hash_at, end, body))
    return found


def _suppression(text: str, start: int, end: int, body: str) -> Suppression:
    number, column = line_col(text, start)
    line_start = start - column + 1
    own_line = text[line_start:start].strip(" \t") == ""
    span = Span(number, column, number, column + (end - start), start, end)
    match = re.match(_DIRECTIVE, body)
    problem: Optional[str] = None
    kind, codes, reason, unknown = "ignore", (), "", ()  # type: Tuple[str, Tuple[str, ...], str, Tuple[str, ...]]
    if match is None:
        problem = _why_malformed(body)
    else:
        kind = match.group("kind")
        reason = (match.group("reason") or "").strip()
        if match.group("list") is not None:
            codes = tuple(c.strip() for c in match.group("codes").split(","))
            if not any(codes):
                problem = f"`{kind}[]` names no rule: name the codes, or write `{kind}` alone for every rule"
                codes = ()
            elif not all(re.match(_CODE, c) for c in codes):
                problem = f"`[{match.group('codes')}]` is not a list of rule codes or names separated by commas"
                codes = ()
            else:
                unknown = tuple(c for c in codes if not _known(c))
    target = 0 if kind == "ignore-file" else (number + 1 if own_line else number)
    return Suppression(kind, codes, number, target, span, own_line, line_start, end + break_length(text, end),
                       reason, set(), problem, unknown)


def _why_malformed(body: str) -> str:
    rest = body.split(MARKER, 1)[1].strip()
    word = re.match(r"[A-Za-z-]*", rest).group(0)  # type: ignore[union-attr]
    if word not in ("ignore", "ignore-file"):
        shown = f"`{word}`" if word else "nothing"
        return f"`ngrok-lint:` is followed by {shown}, not `ignore[...]` or `ignore-file[...]`"
    after = rest[len(word):]
    if after.startswith("[") and "]" not in after:
        return f"`{word}[` is not closed with `]`"
    return f"text right after `{word}{after[: after.find(']') + 1] if after.startswith('[') else ''}`: put a space before the reason"


def _known(token: str) -> bool:
    from ngrok_lint import registry

    return any(registry.matches(token, m.META) or token.upper() == m.META.code for m in registry.modules())


# --- where the comments are ----------------------------------------------------------------------


def _comments(text: str) -> List[Tuple[int, int]]:
    """(start, end) of every comment up to the last marker, from its `#` to its line break.

    The scan stops at the last `ngrok-lint:` of the text: a suppression at the top of a large
    file costs a few tokens, not the whole file."""
    last = text.rfind(MARKER)
    import yaml

    loader_class: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the loader's scanner
    starts: List[int] = []
    ends: List[int] = []
    headers: List[int] = []  # offsets of block scalars' header comments
    loader = loader_class(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            start, end = token.start_mark.index, token.end_mark.index
            if start > last:
                break
            if end <= start:
                continue
            starts.append(start)
            ends.append(end)
            if getattr(token, "style", None) in ("|", ">"):
                header = re.compile(_BLOCK_HEADER).match(text, start, line_end(text, start))
                if header is not None:
                    headers.append(header.end())
    except yaml.YAMLError:  # past a syntax error: no tokens, a `#` after a space is a comment
        pass
    finally:
        loader.dispose()
    found: List[Tuple[int, int]] = [(h, line_end(text, h)) for h in headers]
    index = text.find("#", 0, last)
    while index >= 0:
        at = bisect_right(starts, index) - 1
        inside = at >= 0 and index < ends[at]
        after_space = index == 0 or text[index - 1] in " \t\r\n\x85\u2028\u2029\ufeff"
        if not inside and after_space:
            end = line_end(text, index)
            found.append((index, end))
            index = text.find("#", end, last)
        else:
            index = text.find("#", index + 1, last)
    return sorted(set(found))


def _matches(token: str, item: Finding) -> bool:
    from ngrok_lint import registry

    meta = registry.lookup(item.code)
    if meta is None:
        return token.upper() == item.code
    return registry.matches(token, meta)


def apply(findings: Sequence[Finding], suppressions: Sequence[Suppression]) -> List[Finding]:
    """Mark the suppressed findings, recording which tokens were used. Malformed suppressions
    (with a problem or an unknown code) suppress nothing."""
    active = [s for s in suppressions if s.problem is None and not s.unknown]
    result: List[Finding] = []
    for item in findings:
        reason: Optional[str] = None
        hit = False
        for sup in active:
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
