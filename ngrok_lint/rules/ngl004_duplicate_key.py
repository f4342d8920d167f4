"""
## What it does
Reports a key that appears twice in one mapping, tunnel names included. The finding stands on
the later key and names the line of the earlier one.

## Why is this bad?
The agent keeps the last value without a word, so the earlier setting (an auth block, a
`schemes` list, a whole tunnel) is silently dropped. Other YAML tools refuse the file outright.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [https]
    schemes: [http, https]
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [https]
```

## Fix
None: which of the two values was meant is for a person to decide.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL004",
    name="duplicate-key",
    severity=Severity.ERROR,
    summary="a key appears twice in one mapping",
)


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    for dup in doc.duplicates:
        yield finding(
            META,
            f"`{dotted(dup.path)}` is set again here (first on line {dup.first_line}); "
            "the agent silently keeps only this last value: remove one of them",
            dup.span,
            dup.path,
        )
