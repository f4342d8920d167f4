"""
## What it does
In a version 2 or version 3 file, reports keys ngrok has deprecated, naming what replaces them.
The table is data, one row per key and context with the replacement and its source
(`ngrok_lint/facts/deprecations.json`, read from ngrok's docs at a recorded commit):

- on tunnels, per protocol: `hostname` and `subdomain` on http and tls (→ `domain`; the CLI
  reference `agent/cli.mdx` marks `--hostname`/`--subdomain` deprecated), `policy` (→
  `traffic_policy`, changelog 3.14.0), on http the module blocks that Traffic Policy actions
  replace (`basic_auth`, `oauth`, `oidc`, `ip_restriction`, `mutual_tls_cas`, `host_header`,
  `request_header`, `response_header`, `circuit_breaker`, `compression`, `verify_webhook`,
  `user_agent_filter`, `websocket_tcp_converter`, `app_protocol`: `ngrok http` marks each flag
  "deprecated, use traffic policy instead", changelog 3.36.0), on tls `terminate_at` (→
  `terminate-tls` or `agent_tls_termination`, changelog 3.34.0), and `labels` (labeled tunnels
  belong to ngrok Edges; `agent/config/v3.mdx`: no longer supported in version 3);
- in every Traffic Policy: the phases `inbound` and `outbound` (→ `on_http_request` and
  `on_http_response`, changelog 3.17.0);
- in version 2 agent settings: `region` (`agent/config/v2.mdx` marks it deprecated);
- in version 3: `tunnels` (→ `endpoints`, `agent/config/v3.mdx`).

A file key follows its CLI flag (`agent/config/v2.mdx`: "`--host-header` becomes `host_header:`"),
so a key is deprecated where the CLI reference deprecates its flag for that tunnel type, and
nowhere else: `ip_restriction` on tcp and tls tunnels and `mutual_tls_cas` on tls tunnels are
not reported (`ngrok tcp`/`ngrok tls` keep `--cidr-allow` and `--mutual-tls-cas`), nor are
`domain`, `schemes` and `remote_addr` (their flags gave way to `--url`, but the version 2
reference documents the keys without a deprecation). Keys on a tunnel whose protocol is unknown
are not judged. Legacy (2.x) files are left to NGL003: agent 3.x refuses them outright. In a
version 3 file `region` is not deprecated but refused (NGL002).

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
The pure renames the table names: `hostname` → `domain`, `policy` → `traffic_policy`, `inbound`
→ `on_http_request`, `outbound` → `on_http_response` (safe: the new names need agent 3.2.1, 3.14
and 3.17, and agents older than that are past ngrok's support window; the meaning is unchanged).
Not offered when the new name is already set beside the old one, for the phases of a tcp or tls
tunnel or endpoint (their rules now belong under `on_tcp_connect`), nor for a policy read from a
`traffic_policy_file` or written as a string. Everything else needs a person: `subdomain` needs
the full domain, modules become Traffic Policy rules (NGL402 converts a whole file).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Optional

from ngrok_lint import facts, walk
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

_PHASES = ("inbound", "outbound")
# A new name the agent refuses beside another key (NGL005): no rename while that key is there.
_CONFLICTS = {"traffic_policy": ("traffic_policy_file",)}


def _rename(doc: Document, path: YamlPath, siblings: Any, new: Optional[str]) -> Optional[Fix]:
    old = str(path[-1])
    if new is None or not isinstance(siblings, dict) or new in siblings or doc.loc(path) is None:
        return None  # the new name is taken: merging the two is for a person (NGL005 reports the pair)
    if any(other in siblings for other in _CONFLICTS.get(new, ())):
        return None  # `traffic_policy` beside `traffic_policy_file` is refused: which one wins is for a person
    return Fix(f"rename `{old}` to `{new}`", Safety.SAFE, (Change(Op.RENAME, path, new),))


def _context(site: walk.Site) -> Optional[str]:
    """The deprecation table's context of a tunnel: its protocol, or a labeled tunnel."""
    if site.proto is not None:
        return f"tunnel.{site.proto}"
    return "tunnel.labeled" if "labels" in site.data else None


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    fmt = doc.format
    if fmt not in ("v2", "v3") or not isinstance(doc.data, dict):
        return
    agent = walk.agent(doc)
    for row in facts.deprecations(fmt, "agent"):
        if row["key"] in agent.data:
            path = agent.path(row["key"])
            yield finding(META, f"`{dotted(path)}` is deprecated: {row['replacement']}", doc.key_span(path), path)
    for row in facts.deprecations(fmt, "root"):
        if row["key"] in doc.data:
            path = (row["key"],)
            yield finding(META, f"`{dotted(path)}` is deprecated in version 3 files: {row['replacement']}",
                          doc.key_span(path), path)
    for site in walk.sites(doc, getattr(ctx, "base_dir", None)):
        context = _context(site) if site.kind == "tunnel" else None
        for row in facts.deprecations(fmt, context) if context else ():
            key = row["key"]
            if key not in site.data:
                continue
            path = site.at(key)
            yield finding(
                META,
                f"`{dotted(path)}` is deprecated: {row['replacement']}",
                doc.key_span(path),
                path,
                _rename(doc, path, site.data, row.get("rename")),
            )
        yield from _phases(doc, fmt, site)


def _phases(doc: Document, fmt: str, site: walk.Site) -> Iterator[Finding]:
    policy = site.policy
    if policy is None:
        return
    for phase in _PHASES:
        row = facts.deprecation(fmt, "traffic_policy", phase)
        if row is None or phase not in policy.data:
            continue
        if site.proto in ("tcp", "tls"):
            # Before 3.17 a tcp/tls policy's rules stood under `inbound` too; their phase is now
            # `on_tcp_connect`, and `outbound` has none. Which one is meant is for a person to say.
            advice = ("on a tcp or tls endpoint the rules now go under `on_tcp_connect`" if phase == "inbound"
                      else "tcp and tls endpoints have no response phase: remove it")
        else:
            advice = row["replacement"]
        if policy.inline:
            path = policy.path + (phase,)
            where = f"`{dotted(path)}`"
            fix = _rename(doc, path, policy.data, row.get("rename")) if site.proto == "http" else None
        else:
            path = policy.path
            where, fix = f"`{phase}` in the Traffic Policy at `{dotted(path)}`", None
        yield finding(META, f"{where} is deprecated: {advice}", doc.key_span(path), path, fix)
