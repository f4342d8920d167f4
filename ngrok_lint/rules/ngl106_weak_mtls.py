"""
## What it does
Reports a `terminate-tls` action whose `mutual_tls_verification_strategy` is `request` or
`require-any`: client certificates are asked for (or required) but not verified against the
configured certificate authorities.

## Why is this bad?
Mutual TLS is there to let in only clients holding a certificate your CA signed. With `request`,
a client without a certificate gets in; with `require-any`, any certificate does, a self-signed
one included. Either way the endpoint looks protected by mTLS and is not. The default,
`require-and-verify`, checks the certificate against `mutual_tls_certificate_authorities`.

## Example
```yaml
version: "3"
endpoints:
  - name: api
    url: https://api.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: terminate-tls
              config:
                mutual_tls_certificate_authorities:
                  - cas_2abc
                mutual_tls_verification_strategy: require-any
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
      on_tcp_connect:
        - actions:
            - type: terminate-tls
              config:
                mutual_tls_certificate_authorities:
                  - cas_2abc
                mutual_tls_verification_strategy: require-and-verify
```

## Fix
None: an upstream that reads the client certificate itself may rely on the weaker strategy, and
clients without a CA-signed certificate would be locked out; only you can tell.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._transport import TERMINATE_TLS, action_span, label
from ngrok_lint.walk import sites

META = RuleMeta(
    code="NGL106",
    name="weak-mtls",
    severity=Severity.WARNING,
    summary="`terminate-tls` does not verify client certificates against the CAs",
    formats=("v2", "v3"),
    security_severity=6.0,
)

_WHY = {
    "request": "a client certificate is asked for but not required, and not verified: clients without one get in",
    "require-any": "a client certificate is required but not verified against the CAs: any certificate, "
    "a self-signed one included, gets in",
}


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in sites(doc, ctx.base_dir):
        for action in site.actions():
            if action.type != TERMINATE_TLS:
                continue
            strategy = action.config.get("mutual_tls_verification_strategy")
            if not isinstance(strategy, str) or strategy.strip().lower() not in _WHY:
                continue
            key = "mutual_tls_verification_strategy"
            message = (
                f"{label(site)}: `terminate-tls` uses `{key}: {strategy}`: {_WHY[strategy.strip().lower()]}; "
                "use `require-and-verify` (the default) so that only certificates your CAs signed are accepted"
            )
            path = action.path + ("config", key) if action.path + ("config", key) in doc.locs else action.path
            yield finding(META, message, action_span(doc, action, key), path)
