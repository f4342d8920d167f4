"""
## What it does
Reports a public tunnel or endpoint where ngrok terminates TLS (every https one; a tls one with a
`terminate-tls` action) that does not pin a minimum TLS version: no `terminate-tls` action in
`on_tcp_connect` sets `min_version`. It then accepts whatever ngrok's default floor is (today
TLS 1.2).

A tls endpoint without `terminate-tls` passes TLS through to the upstream, which chooses the
versions, and is not reported; nor are internal endpoints (a `.internal` host,
`bindings: [internal]` or `[kubernetes]`). When the project's `min-tls-version` asks for more
than the default (`"1.3"`), NGL108 (`tls-floor-below-policy`) reports the endpoint instead.

## Why is this bad?
It is not wrong today, which is why this is only information: the floor is ngrok's choice, not
yours, and is not written down anywhere you review. Pinning it records the decision (and lets a
policy such as NGL108's check it). Choose `"1.3"` when every client supports it.

## Example
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 8080
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: terminate-tls
              config:
                min_version: "1.2"
```

## Fix
Adds a `terminate-tls` action with `min_version: "1.2"` (quoted: an unquoted `1.2` is a YAML
number) in a new `on_tcp_connect` rule, or sets `min_version` in the existing `terminate-tls`
action. Safe on v3 https endpoints (the same floor, now explicit). Unsafe on v2 tunnels and v3
`tunnels:` entries (`on_tcp_connect` needs agent 3.17) and on tls endpoints (`terminate-tls`
turns TLS pass-through into termination at ngrok). No fix for agent 2.x files, which have no
Traffic Policy, nor for a policy read from a file or a string.

## Options
`min-tls-version` (project config): at `"1.3"`, NGL108 takes over these findings.
"""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, RuleMeta, Severity, finding
from ngrok_lint.rules._transport import (
    action_span,
    anchor,
    complete_changes,
    label,
    pin_changes,
    pin_safety,
    policy_unreadable,
    terminate_actions,
    version_tuple,
)
from ngrok_lint.walk import sites

META = RuleMeta(
    code="NGL103",
    name="min-tls-version",
    severity=Severity.INFO,
    summary="ngrok terminates TLS here without a pinned minimum TLS version",
    fix=FixKind.SOMETIMES_SAFE,
    options=("min-tls-version",),
    security_severity=3.0,
)

DEFAULT_FLOOR = "1.2"


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    wanted = version_tuple(ctx.options.min_tls_version)
    if wanted is not None and wanted > (1, 2):
        return  # the project asks for more than ngrok's default: NGL108 reports these endpoints
    for site in sites(doc, ctx.base_dir):
        if not site.public or not site.terminates_tls or policy_unreadable(site):
            continue
        actions = terminate_actions(site)
        if any(a.config.get("min_version") is not None for a in actions):
            continue
        safety = pin_safety(site)
        changes: Optional[Tuple[Change, ...]]
        if actions:
            action = actions[0]
            span = action_span(doc, action)
            path = action.path
            what = "its `terminate-tls` action sets no `min_version`"
            changes = complete_changes(doc, action, DEFAULT_FLOOR) if safety else None
            title = 'pin the floor: `min_version: "1.2"`'
        else:
            span = anchor(doc, site)
            path = site.path
            what = "no minimum TLS version pinned"
            changes = pin_changes(doc, site, DEFAULT_FLOOR) if safety else None
            title = 'pin the floor: a `terminate-tls` action with `min_version: "1.2"`'
        if site.format == "legacy":
            todo = "agent 2.x cannot pin one (config version 2 or 3 can)"
        else:
            todo = 'pin one with `terminate-tls` `min_version: "1.2"` (or `"1.3"`)'
        message = f"{label(site)}: {what}, so ngrok's default (TLS {DEFAULT_FLOOR}) applies; {todo}"
        fix = Fix(title, safety, changes) if changes and safety else None
        yield finding(META, message, span, path, fix)
