"""
## What it does
**Opt-in**: not in the default selection. Most public development tunnels are public on purpose
(on a set of real configs, 64 of 67 such findings were true but not actionable). Turn it on with
`--extend-select NGL203` on the command line, or in the project configuration:

```toml
[tool.ngrok-lint]
extend-select = ["NGL203"]
```

Reports a public HTTP(S) tunnel or endpoint that anyone on the internet can use: nothing checks
who the caller is. Any one of these counts as access control:

- Traffic Policy actions `basic-auth`, `oauth`, `openid-connect` (and its `oidc` spelling),
  `jwt-validation`, `verify-webhook`, `restrict-ips`, `saml`;
- a rule that refuses the request (`deny`, `custom-response`) when its expression tests a request
  header (`!('authorization' in req.headers)`: an API key or bearer token), the client IP, a JWT,
  a webhook signature, or an identity from an `oauth` / `openid-connect` action;
- mutual TLS: a `terminate-tls` action with `mutual_tls_certificate_authorities`,
  `agent_tls_termination` with them, or `mutual_tls_cas`;
- the module blocks of legacy and v2 tunnels: `auth`, `basic_auth`, `oauth`, `oidc`,
  `ip_restriction`, `verify_webhook`, `mutual_tls_cas`.

Not reported: internal endpoints (`.internal` URL, `bindings: [internal]` or `[kubernetes]`),
tcp and tls sites, and a site whose `traffic_policy_file` cannot be read (its policy may hold the
access control).

## Why is this bad?
An ngrok URL is not a secret: it shows up in certificate transparency logs, browser histories and
referrer headers, and random URLs are scanned. A development server, an admin panel or a webhook
receiver behind it is then open to everyone. This is informational, and opt-in: a public website
or a demo is meant to be open.

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
from ngrok_lint.rules._access import access_controlled, describe, site_path, site_span
from ngrok_lint.walk import Site

META = RuleMeta(
    code="NGL203",
    name="no-access-control",
    severity=Severity.INFO,
    summary="a public HTTP(S) endpoint with no authentication and no IP restriction",
    security_severity=3.0,
    default_enabled=False,
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in walk.sites(doc, ctx.base_dir):
        if site.proto != "http" or not site.public or site.policy_unreadable or access_controlled(site):
            continue
        scheme = "HTTPS" if site.schemes == frozenset({"https"}) else "HTTP"
        yield finding(
            META,
            f"public {scheme} {describe(site)} has no access control: anyone who finds the URL reaches "
            "the upstream; if that is not meant, add `oauth`, `basic-auth`, `restrict-ips` or another check",
            site_span(doc, site),
            site_path(site),
        )
