"""
## What it does
In a version 2 or version 3 file, reports keys ngrok has deprecated, naming what replaces them:

- on tunnels: `hostname` and `subdomain` (→ `domain`), `policy` (→ `traffic_policy`), the module
  blocks that Traffic Policy actions replace (`basic_auth` → `basic-auth`, `oauth` → `oauth`,
  `oidc` → `openid-connect`, `ip_restriction` → `restrict-ips`, `mutual_tls_cas` → `terminate-tls`
  with `mutual_tls_certificate_authorities`, `host_header`, `request_header` and
  `response_header` → `add-headers` / `remove-headers`, `circuit_breaker` → `circuit-breaker`,
  `compression` → `compress-response`, `verify_webhook` → `verify-webhook`,
  `user_agent_filter` → an expression on `req.user_agent` with `deny`, `websocket_tcp_converter`),
  and `labels` (labeled tunnels belong to ngrok Edges, which endpoints replace);
- in every Traffic Policy: the phases `inbound` and `outbound` (→ `on_http_request` and
  `on_http_response`);
- in version 2 agent settings: `region` (the agent picks the nearest region itself);
- in version 3: `tunnels` (→ `endpoints`).

Legacy (2.x) files are left to NGL003: agent 3.x refuses them outright. In a version 3 file
`region` is not deprecated but refused (NGL002).

## Why is this bad?
Deprecated keys stop working when ngrok removes them (version 3 already refuses `region` and
labeled tunnels; ngrok's docs say `tunnels:` in version 3 is to be removed), and the modules do not
get the features of their Traffic Policy actions (vault secrets, expressions, order of rules).

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    hostname: app.example.com
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    domain: app.example.com
```

## Fix
The pure renames: `hostname` → `domain`, `policy` → `traffic_policy`, `inbound` →
`on_http_request`, `outbound` → `on_http_response` (safe: the new names need agent 3.2.1, 3.14
and 3.17, and agents older than that are past ngrok's support window; the meaning is unchanged).
Not offered when the new name is already set beside the old one, for `hostname` on a tunnel
that is not http or tls (`domain` exists on those only), for the phases of a tcp or tls
tunnel or endpoint (their rules now belong under `on_tcp_connect`), nor for a policy read from a
`traffic_policy_file` or written as a string. Everything else needs a person: `subdomain` needs
the full domain, modules become Traffic Policy rules (NGL402 converts a whole file).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL401",
    name="deprecated-key",
    severity=Severity.INFO,
    summary="a key ngrok has deprecated, with its replacement named",
    fix=FixKind.SAFE,
    formats=("v2", "v3"),
)

# Tunnel keys: replacement advice, and the new name when the change is a pure rename.
_TUNNEL_KEYS: Dict[str, str] = {
    "hostname": "use `domain`",
    "subdomain": "use `domain` with the full host name (`<subdomain>.ngrok.app` or your own domain)",
    "policy": "renamed `traffic_policy` in agent 3.14",
    "basic_auth": "use a `basic-auth` Traffic Policy action",
    "oauth": "use an `oauth` Traffic Policy action",
    "oidc": "use an `openid-connect` Traffic Policy action",
    "ip_restriction": "use a `restrict-ips` Traffic Policy action",
    "mutual_tls_cas": "use a `terminate-tls` Traffic Policy action with `mutual_tls_certificate_authorities`",
    "host_header": "use an `add-headers` Traffic Policy action that sets `host`",
    "request_header": "use `add-headers` / `remove-headers` Traffic Policy actions in `on_http_request`",
    "response_header": "use `add-headers` / `remove-headers` Traffic Policy actions in `on_http_response`",
    "circuit_breaker": "use a `circuit-breaker` Traffic Policy action",
    "compression": "use a `compress-response` Traffic Policy action",
    "verify_webhook": "use a `verify-webhook` Traffic Policy action",
    "user_agent_filter": "use a Traffic Policy rule with an expression on `req.user_agent` and a `deny` action",
    "websocket_tcp_converter": "ngrok is replacing modules with Traffic Policy; move off this module",
    "labels": "labeled tunnels belong to ngrok Edges, which cloud and agent endpoints replace "
              "(version 3 files do not accept them)",
}
_TLS_MTLS = ("on a tls tunnel terminated by the agent, use a version 3 endpoint's "
             "`agent_tls_termination.mutual_tls_certificate_authorities`")
_RENAMES = {"hostname": "domain", "policy": "traffic_policy", "inbound": "on_http_request",
            "outbound": "on_http_response"}
_PHASES = {"inbound": "on_http_request", "outbound": "on_http_response"}
# A new name the agent refuses beside another key (NGL005): no rename while that key is there.
_CONFLICTS = {"traffic_policy": ("traffic_policy_file",)}


def _rename(doc: Document, path: YamlPath, siblings: Any) -> Optional[Fix]:
    old = str(path[-1])
    new = _RENAMES.get(old)
    if new is None or not isinstance(siblings, dict) or new in siblings or doc.loc(path) is None:
        return None  # the new name is taken: merging the two is for a person (NGL005 reports the pair)
    if any(other in siblings for other in _CONFLICTS.get(new, ())):
        return None  # `traffic_policy` beside `traffic_policy_file` is refused: which one wins is for a person
    return Fix(f"rename `{old}` to `{new}`", Safety.SAFE, (Change(Op.RENAME, path, new),))


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    fmt = doc.format
    if fmt not in ("v2", "v3") or not isinstance(doc.data, dict):
        return
    if fmt == "v2":
        agent = walk.agent(doc)
        if "region" in agent.data:
            path = agent.path("region")
            yield finding(
                META,
                f"`{dotted(path)}` is deprecated (agent 3.5): the agent connects to the nearest region by itself, "
                "and version 3 files refuse the key: remove it",
                doc.key_span(path),
                path,
            )
    if fmt == "v3" and "tunnels" in doc.data:
        yield finding(
            META,
            "`tunnels` is deprecated in version 3 files: write each tunnel as an item of `endpoints` "
            "(NGL402 can convert them)",
            doc.key_span(("tunnels",)),
            ("tunnels",),
        )
    for site in walk.sites(doc, getattr(ctx, "base_dir", None)):
        if site.kind == "tunnel":
            for key, advice in _TUNNEL_KEYS.items():
                if key not in site.data:
                    continue
                if key == "mutual_tls_cas" and site.proto == "tls":
                    advice = _TLS_MTLS
                path = site.at(key)
                # `domain` exists on http and tls tunnels only: elsewhere the rename would be a guess.
                fixable = key != "hostname" or site.proto in ("http", "tls")
                yield finding(
                    META,
                    f"`{dotted(path)}` is deprecated: {advice}",
                    doc.key_span(path),
                    path,
                    _rename(doc, path, site.data) if fixable else None,
                )
        policy = site.policy
        if policy is None:
            continue
        for phase, new in _PHASES.items():
            if phase not in policy.data:
                continue
            if site.proto in ("tcp", "tls"):
                # Before 3.17 a tcp/tls policy's rules stood under `inbound` too; their phase is now
                # `on_tcp_connect`, and `outbound` has none. Which one is meant is for a person to say.
                advice = ("on a tcp or tls endpoint the rules now go under `on_tcp_connect`" if phase == "inbound"
                          else "tcp and tls endpoints have no response phase: remove it")
            else:
                advice = f"the phase is called `{new}` since agent 3.17"
            if policy.inline:
                path = policy.path + (phase,)
                where = f"`{dotted(path)}`"
                fix = _rename(doc, path, policy.data) if site.proto == "http" else None
            else:
                path = policy.path
                where, fix = f"`{phase}` in the Traffic Policy at `{dotted(path)}`", None
            yield finding(META, f"{where} is deprecated: {advice}", doc.key_span(path), path, fix)
