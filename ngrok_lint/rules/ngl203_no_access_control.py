"""
## What it does
Reports a public HTTP(S) tunnel or endpoint that anyone on the internet can use: it has no
authentication and no IP restriction. Any one of these counts as access control:

- Traffic Policy actions `basic-auth`, `oauth`, `openid-connect` (and its `oidc` spelling),
  `jwt-validation`, `verify-webhook`, `restrict-ips`, `saml`, or a `terminate-tls` action with
  `mutual_tls_certificate_authorities` (client certificates);
- the module blocks of legacy and v2 tunnels: `auth`, `basic_auth`, `oauth`, `oidc`,
  `ip_restriction`, `verify_webhook`, `mutual_tls_cas`.

Not reported: internal endpoints (`.internal` URL, `bindings: [internal]` or `[kubernetes]`),
tcp and tls sites, and a site whose `traffic_policy_file` cannot be read (its policy may hold the
access control).

## Why is this bad?
An ngrok URL is not a secret: it shows up in certificate transparency logs, browser histories and
referrer headers, and random URLs are scanned. A development server, an admin panel or a webhook
receiver behind it is then open to everyone. This is informational: a public website is meant to
be open.

## Example
```yaml
version: "3"
endpoints:
  - name: admin
    url: https://admin.example.com
    upstream:
      url: 8080
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: admin
    url: https://admin.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: oauth
              config:
                provider: google
        - expressions:
            - "!actions.ngrok.oauth.identity.email.endsWith('@example.com')"
          actions:
            - type: deny
```

## Fix
None: the right kind of access control depends on who should get in.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._access import describe, site_path, site_span
from ngrok_lint.walk import Site

META = RuleMeta(
    code="NGL203",
    name="no-access-control",
    severity=Severity.INFO,
    summary="a public HTTP(S) endpoint with no authentication and no IP restriction",
    security_severity=3.0,
)

ACCESS_ACTIONS = frozenset(
    {"basic-auth", "oauth", "openid-connect", "oidc", "jwt-validation", "verify-webhook", "restrict-ips", "saml"}
)
ACCESS_BLOCKS = ("auth", "basic_auth", "oauth", "oidc", "ip_restriction", "verify_webhook", "mutual_tls_cas")


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in walk.sites(doc, ctx.base_dir):
        if site.proto != "http" or not site.public or site.policy_unreadable or _controlled(site):
            continue
        scheme = "HTTPS" if site.schemes == frozenset({"https"}) else "HTTP"
        yield finding(
            META,
            f"public {scheme} {describe(site)} has no authentication and no IP restriction: anyone who finds "
            "the URL reaches the upstream. If that is not meant, add `oauth`, `basic-auth`, `restrict-ips` "
            "or another access-control action",
            site_span(doc, site),
            site_path(site),
        )


def _controlled(site: Site) -> bool:
    if any(site.data.get(key) not in (None, "", [], {}) for key in ACCESS_BLOCKS):
        return True
    for action in site.actions():
        if action.type in ACCESS_ACTIONS:
            return True
        if action.type == "terminate-tls" and action.config.get("mutual_tls_certificate_authorities"):
            return True
    return False
