"""
## What it does
Reports `crl_noverify: true` in the agent settings (the top level of legacy and v2 files, the
`agent:` block of v3). A YAML 1.1 spelling such as `yes` counts too, as the agent reads it.

## Why is this bad?
Since agent 3.9 the agent checks, when its session starts, that ngrok's server certificate chain
has not been revoked (the CRL at `crl.ngrok-agent.com`). `crl_noverify: true` turns that check
off: a revoked, possibly stolen, certificate would still be trusted for the session that carries
the authtoken and every tunnel's traffic. The option exists as an escape hatch for custom connect
URLs whose CRL is unreachable; it is not meant to stay on.

## Example
```yaml
version: "3"
agent:
  connect_url: tunnel.example.com:443
  crl_noverify: true
```

Use instead:
```yaml
version: "3"
agent:
  connect_url: tunnel.example.com:443
```

## Fix
Unsafe: the key is removed. An agent behind a custom connect URL whose CRL is broken then fails
to connect until the CRL (or `crl_url`) is sorted out.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, Fix, FixKind, RuleMeta, Safety, Severity, finding
from ngrok_lint.rules._transport import remove_line
from ngrok_lint.walk import agent

META = RuleMeta(
    code="NGL105",
    name="crl-check-disabled",
    severity=Severity.WARNING,
    summary="`crl_noverify: true` turns off the revocation check of ngrok's server certificate",
    fix=FixKind.UNSAFE,
    security_severity=5.5,
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    settings = agent(doc)
    if settings.get("crl_noverify") is not True:
        return
    path = settings.path("crl_noverify")
    where = "agent.crl_noverify" if settings.prefix else "crl_noverify"
    raw = doc.loc(path).raw if doc.loc(path) is not None else "true"  # type: ignore[union-attr]
    message = (
        f"`{where}: {raw}` turns off the agent's check that ngrok's server certificate was not revoked: "
        "a revoked certificate would still be trusted for the session; remove it unless your custom "
        "connect URL's CRL is unreachable"
    )
    fix = Fix("remove `crl_noverify`", Safety.UNSAFE, (remove_line(doc, path),))
    yield finding(META, message, doc.value_span(path), path, fix)
