"""
## What it does
Reports an `# ngrok-lint: ignore[...]` comment that suppressed nothing, and any code or name in
it that is unknown or suppressed nothing, so that suppressions do not outlive the problem they
were written for. Not reported with `--no-suppressions`, and not for rules that are not selected
in this run.

A malformed suppression is reported too, with its position: a comment starting
`# ngrok-lint:` that does not read as `ignore[...]` or `ignore-file[...]` (another word, a `[` that
is not closed, empty brackets, text glued to the `]`), or that names an unknown rule. It
suppresses nothing, not even the codes in it that are known. The catalogue has no code of its own
for this: a malformed suppression is a suppression that suppresses nothing, which is this rule's.

Only YAML comments are suppressions: `# ngrok-lint: ...` written inside a value (a block scalar, a
quoted string, a plain scalar over several lines) is text of the value, never read and never
removed.

## Why is this bad?
A stale suppression hides the next real finding on that line. An unknown code is a typo that
suppresses nothing at all, and so is a malformed comment: `# ngrok-lint: ignore[NGL201` without its
`]` looks like a suppression and is not one.

## Example
```yaml
version: "2"
web_addr: 127.0.0.1:4040  # ngrok-lint: ignore[inspector-exposd]
```

Use instead:
```yaml
version: "2"
web_addr: 127.0.0.1:4040
```

## Fix
Safe: the whole comment is removed when nothing in it is used or every code in it is unknown (the
whole line when the comment stands alone), otherwise only the dead codes are. The fix edits the
comment alone, from its `#` to the end of its line. A malformed comment, or one that mixes known
and unknown codes, has no fix: correcting it would start suppressing, which is the author's call.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, List

from ngrok_lint import registry
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, finding
from ngrok_lint.suppress import Suppression

META = RuleMeta(
    code="NGL008",
    name="unused-suppression",
    severity=Severity.INFO,
    summary="a suppression comment that suppressed nothing",
    fix=FixKind.SAFE,
)


def check(doc: Any, ctx: Any) -> Iterable[Finding]:
    """Suppressions are judged after every other rule ran; see :func:`unused`."""
    return ()


def unused(suppressions: Iterable[Suppression], text: str, enabled: frozenset) -> Iterator[Finding]:
    for sup in suppressions:
        if sup.problem is not None:
            yield finding(META, f"malformed suppression: {sup.problem}; it suppresses nothing", sup.comment)
            continue
        if sup.unknown:
            names = ", ".join(f"`{t}`" for t in sup.unknown)
            if len(sup.unknown) == len(sup.codes):
                yield _finding(sup, text, f"unknown rule {names}: remove it", [])
            else:  # removing the typo would start suppressing the rest: the author decides
                yield finding(META, f"unknown rule {names}: the suppression suppresses nothing until it is corrected",
                              sup.comment)
            continue
        if not sup.codes:
            if "*" not in sup.used:
                yield _finding(sup, text, f"`ngrok-lint: {sup.kind}` suppressed nothing: remove it", [])
            continue
        dead = [
            token for token in sup.codes
            if token not in sup.used and any(registry.matches(token, m) and m.code in enabled for m in registry.rules())
        ]
        if dead:
            keep = [t for t in sup.codes if t not in dead]
            message = f"{', '.join(f'`{t}`' for t in dead)} suppressed nothing: remove {'it' if not keep else 'the dead codes'}"
            yield _finding(sup, text, message, keep)


def _finding(sup: Suppression, text: str, message: str, keep: List[str]) -> Finding:
    """The finding, with a fix that edits only the comment: from its `#` to its line break (and
    the whole line when the comment stands alone on it). Comments come from the scanner, so no
    edit reaches into a value."""
    if keep:
        new = f"# ngrok-lint: {sup.kind}[{', '.join(keep)}]" + (f" {sup.reason}" if sup.reason else "")
        change = Change(Op.TEXT, value=new, start=sup.comment.start, end=sup.comment.end)
        title = "remove the dead codes"
    elif sup.own_line:
        change = Change(Op.TEXT, value="", start=sup.line_start, end=sup.line_end)
        title = "remove the comment line"
    else:
        start = sup.comment.start
        while start > sup.line_start and text[start - 1] in " \t":
            start -= 1
        change = Change(Op.TEXT, value="", start=start, end=sup.comment.end)
        title = "remove the comment"
    return finding(META, message, sup.comment, (), Fix(title, Safety.SAFE, (change,)))
