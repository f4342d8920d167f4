"""
## What it does
Offers to convert a config version 2 file, or the deprecated `tunnels:` of a version 3 file, to
version 3 endpoints. Reported once per file, on the `tunnels` key (on `version` for a version 2
file without tunnels). Not in the default selection: enable it with `--select NGL402`,
`--extend-select NGL402` or `extend-select` in the project config.

The conversion:

- agent settings move under `agent:`; `server_addr` becomes `connect_url`, `root_cas`
  becomes `connect_cas`; `region` is dropped: version 3 has no region, and current agents pick
  the nearest one themselves (ngrok deprecated the setting in agent 3.5.0);
- each tunnel becomes an endpoint with its `name`: `url` from `proto`, `schemes`, `domain` (or
  `hostname`) and `remote_addr` (no `url` for a random HTTPS address); `upstream.url` from
  `addr`; `upstream.proxy_protocol` from `proxy_proto`; `metadata`, `description`, `bindings`,
  `pooling_enabled` and `traffic_policy_file` as they are. An http tunnel with
  `schemes: [http, https]` becomes two endpoints, `name` (https) and `name-http`;
- module blocks become Traffic Policy actions, in rules ahead of the tunnel's own policy:
  `ip_restriction` → `restrict-ips` (`on_tcp_connect`, as ngrok's migration guide places it),
  `basic_auth` → `basic-auth`, `oauth` → `oauth` followed by a rule that denies every email
  outside `allow_emails` / `allow_domains` (an expression on
  `actions.ngrok.oauth.identity.email`), `oidc` → `openid-connect`, `verify_webhook` →
  `verify-webhook`, `circuit_breaker` → `circuit-breaker` (`error_threshold`), a literal
  `host_header` and `request_header` → `add-headers` / `remove-headers` in `on_http_request`,
  `response_header` → the same in `on_http_response`, `compression: true` →
  `compress-response`. `host_header: preserve`, `compression: false` and a `circuit_breaker`
  of 0 are the defaults and are dropped;
- an existing `traffic_policy` (or `policy`) is merged in, `inbound` as `on_http_request` and
  `outbound` as `on_http_response`;
- a tls tunnel's `crt` and `key` (and `mutual_tls_cas`) become `agent_tls_termination`.

Comments travel with the settings they stand beside, and every comment of the file is kept.

No fix is offered when a tunnel has no faithful version 3 form, and the message names the key
that stops it: `inspect` (version 3 endpoints document no such setting), `labels`,
`subdomain` (the full domain depends on the account), `host_header: rewrite` (the exact Host
value is not documented), `websocket_tcp_converter`, `user_agent_filter`, `terminate_at`,
`mutual_tls_cas` on an http tunnel (its Traffic Policy form takes certificate contents, not a
path), `schemes: [http, https]` without a domain (two endpoints would get two different random
addresses), a value holding `${` that would move into a Traffic Policy (where it is an
expression), agent 2.x keys (NGL003 fixes those first), a value that would not be valid in
version 3, or an endpoint name that is already taken.

## Why is this bad?
ngrok lists config version 2 as deprecated and says the `tunnels:` of version 3 will be removed.
Module blocks such as `basic_auth` and `ip_restriction` are deprecated in favour of Traffic
Policy actions, which version 3 endpoints use directly. The upgrade is mechanical but long, and
easy to get subtly wrong by hand (an `oauth` block's allow lists, say, are no longer part of the
`oauth` action).

## Example
```yaml
version: "2"
authtoken: your-authtoken
region: eu
tunnels:
  # the web app
  web:
    proto: http
    addr: 8080
    domain: app.example.com
    basic_auth:
      - "admin:a-long-password"
  ssh:
    proto: tcp
    addr: 22
    remote_addr: 1.tcp.ngrok.io:12345  # reserved address
    ip_restriction:
      allow_cidrs: [203.0.113.0/24]
```

Use instead:
```yaml
version: "3"
agent:
  authtoken: your-authtoken
endpoints:
  # the web app
  - name: web
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: basic-auth
              config:
                credentials:
                  - "admin:a-long-password"
  - name: ssh
    url: tcp://1.tcp.ngrok.io:12345  # reserved address
    upstream:
      url: 22
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: restrict-ips
              config:
                allow: [203.0.113.0/24]
```

## Fix
Unsafe: the converted file needs agent 3.16 or later (3.17 for the Traffic Policy phase names,
3.19 for `agent_tls_termination`), and it cannot be proven to behave exactly like the module
blocks it replaces (their order relative to the tunnel's own policy, for one). The fix writes the
converted file (values as written, indentation as the file uses it, comments kept) and is only
offered when the result reads back as exactly the converted settings and is valid version 3.
Review the result before deploying it.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, FixKind, RuleMeta, Severity, finding

META = RuleMeta(
    code="NGL402",
    name="upgrade-to-v3",
    severity=Severity.INFO,
    summary="a config version 2 file, or the `tunnels` of a version 3 file, can be written as version 3 endpoints",
    fix=FixKind.UNSAFE,
    formats=("v2", "v3"),
    default_enabled=False,
)

_HOW = "`ngrok-lint --fix --unsafe-fixes --select NGL402` converts it"
_LISTED = 3


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    data = doc.data
    if not isinstance(data, dict):
        return
    if doc.format == "v2":
        subject = "config version 2 is deprecated"
        goal = "this file can be written as version 3"
        refused = "this file cannot be converted to version 3 faithfully yet"
    elif doc.format == "v3" and "tunnels" in data:
        subject = "`tunnels` is deprecated in config version 3"
        goal = "these tunnels can be written as `endpoints`"
        refused = "these tunnels cannot be converted to endpoints faithfully yet"
    else:
        return
    if "tunnels" in data:
        path: tuple = ("tunnels",)
        span = doc.key_span(path)
    elif "version" in data:
        path = ("version",)
        span = doc.value_span(path)
    else:
        path = ()
        span = doc.value_span(())
    from ngrok_lint import migrate  # imported only when a fix is built: it is large

    conversion = migrate.convert_v3(doc)
    plan = conversion.plan
    if plan.blockers:
        reasons = "; ".join(b.describe() for b in plan.blockers[:_LISTED])
        more = len(plan.blockers) - _LISTED
        extra = f"; and {more} more" if more > 0 else ""
        message = f"{subject}, but {refused}: {reasons}{extra}"
        yield finding(META, message, span, path)
        return
    if conversion.fix is None:
        report = "" if conversion.known else "; please report it"
        message = f"{subject}: {goal}, but the converted text could not be written exactly ({conversion.problem}){report}"
        yield finding(META, message, span, path)
        return
    endpoints = len(plan.endpoints)
    if plan.tunnels:
        counts = f"{plan.tunnels} tunnel{'s' if plan.tunnels != 1 else ''} → {endpoints} endpoint{'s' if endpoints != 1 else ''}"
    else:
        counts = "agent settings under `agent:`"
    dropped = "; `region` is dropped: version 3 has none, the agent picks the nearest" if plan.dropped else ""
    message = f"{subject}: {goal} ({counts}{dropped}); {_HOW} (agent 3.16 or later)"
    yield finding(META, message, span, path, conversion.fix)
