"""
## What it does
When the project config names the organisation's custom agent ingress
(`connect-url = "tunnel.example.com:443"`), reports a file that does not connect there: it sets
no `server_addr` (legacy and v2 files) or `agent.connect_url` (v3), or sets another value.
Without the option this rule is silent.

## Why is this bad?
Agents of an organisation with a custom connect URL are expected to connect through it: that
ingress is what the firewall allows, where the organisation's policies apply, and the only place
its credentials are accepted. An agent left on ngrok's default ingress
(`connect.ngrok-agent.com:443`) bypasses it, or simply fails to connect.

## Example
```yaml
# project config: connect-url = "tunnel.example.com:443"
version: "3"
agent:
  connect_url: connect.ngrok-agent.com:443
```

Use instead:
```yaml
# project config: connect-url = "tunnel.example.com:443"
version: "3"
agent:
  connect_url: tunnel.example.com:443
```

## Fix
Safe: the project config prescribes the value. The key is set (or added, creating `agent:` in a
v3 file when needed). In a legacy or v2 file, a `region` is removed in the same edit: the agent
refuses `region` together with `server_addr`, and a custom ingress is pinned to its own region.

## Options
`connect-url` (project config): the `host:port` every agent must connect to.
"""

from __future__ import annotations

from typing import Iterator, List

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, Span, finding
from ngrok_lint.rules._transport import replace_scalar
from ngrok_lint.walk import agent

META = RuleMeta(
    code="NGL104",
    name="connect-url",
    severity=Severity.ERROR,
    summary="the file does not connect through the project's custom connect URL",
    fix=FixKind.SAFE,
    options=("connect-url",),
    security_severity=8.0,
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    wanted = ctx.options.connect_url
    root = doc.data
    if not wanted or not isinstance(root, dict):
        return
    settings = agent(doc)
    key = "connect_url" if settings.prefix else "server_addr"  # v3 renamed it under `agent:`
    block = root.get("agent") if settings.prefix else root
    if settings.prefix and block is not None and not isinstance(block, dict):
        return  # `agent:` that is not a mapping is NGL002's
    path = settings.path(key)
    value = settings.get(key)
    where = f"`agent.{key}`" if settings.prefix else f"`{key}`"
    if value is not None:
        if str(value).strip().lower() == wanted.lower():
            return
        message = (
            f"{where} is `{value}`, but the project's connect URL is `{wanted}` (`connect-url`): the agent "
            f"would connect through another ingress than the organisation's; set {where} to `{wanted}`"
        )
        changes: List[Change] = [replace_scalar(doc, path, wanted)]
        span = doc.value_span(path)
    else:
        message = (
            f"the file sets no {where}, so the agent connects through ngrok's default ingress, not the project's "
            f"connect URL `{wanted}` (`connect-url`); set {where} to `{wanted}`"
        )
        changes = _add(doc, settings.prefix, key, wanted)
        span = _top(doc, settings.prefix, key)
    if not settings.prefix and "region" in root:
        # The agent refuses `region` with `server_addr`. Every edit stays structural here so that
        # their order does not matter: the new key takes `region`'s place.
        if value is not None:
            changes = [Change(Op.SET, path, wanted)]
        elif key not in root:
            changes = [Change(Op.SET, path, wanted, index=list(root).index("region"))]
        changes.append(Change(Op.REMOVE, ("region",)))
    yield finding(META, message, span, path, Fix(f"connect through `{wanted}`", Safety.SAFE, tuple(changes)))


def _add(doc: Document, prefix: tuple, key: str, wanted: str) -> List[Change]:
    root = doc.data
    keys = list(root.keys())
    if prefix:
        if isinstance(root.get("agent"), dict):
            return [Change(Op.SET, prefix + (key,), wanted, index=-1)]
        if "agent" in root:  # `agent:` left empty
            return [Change(Op.SET, prefix, {key: wanted})]
        index = keys.index("version") + 1 if "version" in keys else 0
        return [Change(Op.SET, prefix, {key: wanted}, index=index)]
    # Agent settings go before the tunnels, as `ngrok config add-server-addr` users keep them.
    index = keys.index("tunnels") if "tunnels" in keys else -1
    if key in root:  # `server_addr:` left empty
        return [Change(Op.SET, (key,), wanted)]
    return [Change(Op.SET, (key,), wanted, index=index)]


def _top(doc: Document, prefix: tuple, key: str) -> Span:
    """Where a missing setting is reported: an empty key, the `agent:` key, or the first key."""
    if prefix + (key,) in doc.locs:
        return doc.key_span(prefix + (key,))
    if prefix and prefix in doc.locs:
        return doc.key_span(prefix)
    first = next(iter(doc.data), None)
    return doc.key_span((first,)) if first is not None else Span(1, 1, 1, 1)
