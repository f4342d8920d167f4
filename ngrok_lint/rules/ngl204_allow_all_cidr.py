"""
## What it does
Reports an allow list that lets every address in: `0.0.0.0/0` or `::/0` (any network with a
`/0` prefix) in a `restrict-ips` action's `allow`, in the `ip_restriction.allow_cidrs` module block
of a v2 tunnel, or in the agent's `web_allow_hosts`. The finding stands on the list item.

## Why is this bad?
The allow list looks like a restriction but is none: `restrict-ips` lets a client through when
its address matches any allow entry, so one allow-everyone range cancels the others.
`web_allow_hosts` is the inspector's only defence against DNS rebinding; a `/0` entry turns it
off. Often the entry was added while debugging and never taken out.

## Example
```yaml
version: "3"
endpoints:
  - name: api
    url: https://api.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: restrict-ips
              config:
                allow:
                  - 203.0.113.0/24
                  - 0.0.0.0/0
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: api
    url: https://api.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: restrict-ips
              config:
                allow:
                  - 203.0.113.0/24
```

## Fix
None: removing the entry locks out whoever relies on it today, and which ranges they need is for
a person to decide.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._access import allow_list_items, describe, is_allow_all

META = RuleMeta(
    code="NGL204",
    name="allow-all-cidr",
    severity=Severity.WARNING,
    summary="an allow list that contains 0.0.0.0/0 or ::/0 and so lets everyone in",
    security_severity=5.5,
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    settings = walk.agent(doc)
    hosts = settings.get("web_allow_hosts")
    if isinstance(hosts, list):
        for index, item in enumerate(hosts):
            if is_allow_all(item):
                path = settings.path("web_allow_hosts") + (index,)
                yield finding(
                    META,
                    f"`web_allow_hosts` allows `{item}`, every address: the inspector's Host-header check "
                    "then lets any request in; list the names or addresses you use instead",
                    doc.value_span(path),
                    path,
                )
    for site in walk.sites(doc, ctx.base_dir):
        for path, item, where in allow_list_items(doc, site):
            if is_allow_all(item):
                yield finding(
                    META,
                    f"the {where} of {describe(site)} allows `{item}`, every address: the restriction lets "
                    "everyone in; list only the ranges that need access",
                    doc.value_span(path),
                    path,
                )
