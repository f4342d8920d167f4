"""
## What it does
Reports `root_cas` (legacy and v2 files) or `connect_cas` (v3 `agent:`) set to `host` or to a
certificate file, instead of the default `trusted`.

## Why is this bad?
With `trusted`, the agent accepts only the ngrok root it ships with for its session to ngrok,
the session that carries the authtoken and all tunnel traffic. `host` makes it trust every
certificate authority of the operating system, and a file adds the CAs in it: a TLS-inspecting
proxy, or anyone able to add a CA to the machine, can then read and alter the session. Sometimes
that is needed (a corporate proxy, a custom connect URL with a public certificate); it is worth
knowing where it is.

## Example
```yaml
version: "3"
agent:
  connect_cas: host
```

Use instead:
```yaml
version: "3"
agent:
  connect_cas: trusted
```

## Fix
None: the setting is usually there because the network requires it.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.walk import agent

META = RuleMeta(
    code="NGL107",
    name="custom-root-cas",
    severity=Severity.INFO,
    summary="the agent's session to ngrok trusts CAs other than ngrok's own root",
    security_severity=3.0,
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    settings = agent(doc)
    for key in ("root_cas", "connect_cas"):
        value = settings.get(key)
        if not isinstance(value, str) or not value.strip() or value.strip().lower() == "trusted":
            continue
        path = settings.path(key)
        where = f"agent.{key}" if settings.prefix else key
        if value.strip().lower() == "host":
            what = "trusts every certificate authority of the operating system"
        else:
            what = f"trusts the certificate authorities in `{value}`"
        message = (
            f"`{where}: {value}`: the agent's session to ngrok {what}, not only ngrok's own root, so a "
            "TLS-inspecting proxy or a CA added to this machine can read the session (authtoken included); "
            "use `trusted` (the default) unless your network requires this"
        )
        yield finding(META, message, doc.value_span(path), path)
