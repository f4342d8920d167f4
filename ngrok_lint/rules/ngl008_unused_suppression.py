"""
## What it does
Reports an `# ngrok-lint: ignore[...]` comment that suppressed nothing, and any code or name in
it that is unknown or suppressed nothing, so that suppressions do not outlive the problem they
were written for. Not reported with `--no-suppressions`, and not for rules that are not selected
in this run.

## Why is this bad?
A stale suppression hides the next real finding on that line. An unknown code is a typo that
suppresses nothing at all.

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
Safe: the whole comment is removed when nothing in it is used (the whole line when the comment
stands alone), otherwise only the dead codes are.
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
        if not sup.codes:
            if "*" not in sup.used:
                yield _finding(sup, text, f"`ngrok-lint: {sup.kind}` suppressed nothing: remove it", [])
            continue
        dead: List[str] = []
        unknown: List[str] = []
        for token in sup.codes:
            meta = next((m for m in registry.rules() if registry.matches(token, m)), None)
            if meta is None:
                unknown.append(token)
            elif token not in sup.used and any(registry.matches(token, m) and m.code in enabled for m in registry.rules()):
                dead.append(token)
        if not dead and not unknown:
            continue
        parts = []
        if unknown:
            parts.append(f"unknown rule {', '.join(f'`{t}`' for t in unknown)}")
        if dead:
            parts.append(f"{', '.join(f'`{t}`' for t in dead)} suppressed nothing")
        keep = [t for t in sup.codes if t not in dead and t not in unknown]
        yield _finding(sup, text, f"{'; '.join(parts)}: remove {'it' if not keep else 'the dead codes'}", keep)


def _finding(sup: Suppression, text: str, message: str, keep: List[str]) -> Finding:
    if keep:
        new = f"# ngrok-lint: {sup.kind}[{', '.join(keep)}]" + (f" {sup.reason}" if sup.reason else "")
        change = Change(Op.TEXT, value=new, start=sup.comment.start, end=sup.comment.end)
        title = "remove the dead codes"
    elif sup.own_line:
        change = Change(Op.TEXT, value="", start=sup.line_start, end=sup.line_end)
        title = "remove the comment line"
    else:
        start = sup.comment.start
        while start > 0 and text[start - 1] in " \t":
            start -= 1
        change = Change(Op.TEXT, value="", start=start, end=sup.comment.end)
        title = "remove the comment"
    return finding(META, message, sup.comment, (), Fix(title, Safety.SAFE, (change,)))
