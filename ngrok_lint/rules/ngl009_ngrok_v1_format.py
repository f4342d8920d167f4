"""
## What it does
Recognises an ngrok 1.x client file: a tunnel whose `proto` is a map (`proto: {http: 80}`), or
the 1.x keys `inspect_addr` or `trust_host_root_certs`. It is reported once, at the top, and the
file gets no other finding. (`auth_token` alone does not make a file 1.x: it is the usual
misspelling of `authtoken`, which NGL002 reports.)

## Why is this bad?
ngrok 1.x files are still used with self-hosted ngrok 1.x servers (`ngrokd`), but no current
ngrok agent reads them: agent 2.x fails on the `proto` map and agent 3.x refuses the file. If the
file is meant for ngrok's service, it has to be rewritten in the current format.

## Example
```yaml
server_addr: ngrok.example.com:4443
trust_host_root_certs: true
tunnels:
  ssh:
    proto:
      tcp: 22
```

Use instead:
```yaml
version: "3"
agent:
  connect_url: ngrok.example.com:443
endpoints:
  - name: ssh
    url: tcp://
    upstream:
      url: 22
```

## Fix
None: the 1.x format has no faithful mapping to the current one.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, Span, finding

META = RuleMeta(
    code="NGL009",
    name="ngrok-v1-format",
    severity=Severity.INFO,
    summary="an ngrok 1.x client file, which no current agent reads",
)


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    if not doc.is_v1:
        return
    data = doc.data
    reasons = [k for k in ("inspect_addr", "trust_host_root_certs") if k in data]
    if not reasons:
        reasons = ["a tunnel `proto` written as a map"]
    else:
        reasons = [f"`{k}`" for k in reasons]
    yield finding(
        META,
        f"this is an ngrok 1.x client file ({', '.join(reasons)}): only self-hosted ngrok 1.x servers read it; "
        "current agents refuse it. Rewrite it in config version 3 if it is meant for ngrok's service",
        Span(1, 1, 1, max(2, len(doc.text.split("\n", 1)[0]) + 1), 0, 0),
    )
