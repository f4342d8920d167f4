"""legacy (agent 2.x) → config version 2: NGL003's safe fix, as structural changes.

What `ngrok config upgrade` does to an agent 2.x file, without adding `region`: `version: "2"`
added, `bind_tls` → `schemes`, `auth` → `basic_auth`, `client_cas` → `mutual_tls_cas`,
`http_proxy` / `socks5_proxy` → `proxy_url`, `update` dropped. The same per-key repairs apply to
2.x-only keys left in a version 2 or 3 file. These are :class:`Change` ops (RENAME, SET, REMOVE)
that the fix engine applies byte-exactly. Nothing here plans or writes a new document, which is
why it is separate from the version 3 conversion (`plan`, `write`, `comments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Union

from ngrok_lint.formats import LEGACY_TOP_KEYS, LEGACY_TUNNEL_KEYS
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Fix, Op, Safety, YamlPath

# `bind_tls` as 2.x read it: YAML booleans, the strings "true"/"false"/"both", or empty (= both).
_BIND_TLS = {"true": ["https"], "false": ["http"], "both": ["http", "https"], "": ["http", "https"]}


def bind_tls_schemes(value: Any) -> Optional[List[str]]:
    """The `schemes` list a 2.x `bind_tls` value means; None for a value 2.x refused."""
    if value is None:
        return ["http", "https"]
    if value is True:
        return ["https"]
    if value is False:
        return ["http"]
    if isinstance(value, str):
        schemes = _BIND_TLS.get(value)
        return list(schemes) if schemes is not None else None
    return None


@dataclass(frozen=True)
class Outcome:
    """A migration fix, or why there is none."""

    fix: Optional[Fix]
    reason: Optional[str] = None


def legacy_key_changes(doc: Document, path: YamlPath) -> Union[List[Change], str]:
    """The changes that repair one 2.x-only key (top level, `agent:` or a tunnel), or why none can.

    `path` ends in the key: (`update`,), (`agent`, `http_proxy`), (`tunnels`, name, `bind_tls`).
    """
    path = tuple(path)
    key = path[-1]
    parent = doc.get(path[:-1])
    if not isinstance(parent, dict) or key not in parent:
        return f"`{key}` is not where it was expected"
    value = parent[key]
    in_tunnel = len(path) == 3 and path[0] == "tunnels"
    if not in_tunnel:
        if key == "update":
            return [Change(Op.REMOVE, path)]
        if key in ("http_proxy", "socks5_proxy"):
            if "http_proxy" in parent and "socks5_proxy" in parent:
                return "both `http_proxy` and `socks5_proxy` are set (agent 2.x refused that): keep one as `proxy_url`"
            if "proxy_url" in parent:
                return "`proxy_url` is already set: keep one of them"
            if value is None:
                return [Change(Op.REMOVE, path)]  # empty: no proxy, as 2.x read it
            return [Change(Op.RENAME, path, "proxy_url")]
        return f"`{key}` is not an agent 2.x key here"
    proto = parent.get("proto")
    here = path[:-1]
    if key == "bind_tls":
        if proto in ("tcp", "tls"):
            return [Change(Op.REMOVE, path)]  # 2.x ignored it on tcp and tls tunnels
        if proto != "http":
            return "the tunnel has no `proto: http` (agent 2.x read `bind_tls` on http tunnels only)"
        if "schemes" in parent:
            return "`schemes` is already set: keep one of them"
        schemes = bind_tls_schemes(value)
        if schemes is None:
            return f"`bind_tls` is {value!r}, which agent 2.x refused (it takes true, false or both)"
        return [Change(Op.RENAME, path, "schemes"), Change(Op.SET, here + ("schemes",), schemes)]
    if key == "auth":
        if proto != "http":
            return "`auth` is basic authentication of http tunnels; this tunnel is not `proto: http`"
        if "basic_auth" in parent:
            return "`basic_auth` is already set: keep one of them"
        if value is None or value == "":
            return [Change(Op.REMOVE, path)]  # empty: no authentication, as 2.x read it
        if not isinstance(value, str):
            return "`auth` is not a `user:password` string"
        return [Change(Op.RENAME, path, "basic_auth"), Change(Op.SET, here + ("basic_auth",), [value])]
    if key == "client_cas":
        if proto == "http":
            return [Change(Op.REMOVE, path)]  # 2.x ignored it on http tunnels (tested)
        if proto != "tls":
            return "the tunnel has no `proto: tls`"
        if "mutual_tls_cas" in parent:
            return "`mutual_tls_cas` is already set: keep one of them"
        return [Change(Op.RENAME, path, "mutual_tls_cas")]
    return f"`{key}` is not an agent 2.x tunnel key"


def legacy_key_fix(doc: Document, path: YamlPath) -> Outcome:
    """The safe fix for one 2.x-only key left in a version 2 or 3 file."""
    changes = legacy_key_changes(doc, path)
    if isinstance(changes, str):
        return Outcome(None, changes)
    key = path[-1]
    title = {
        "update": "remove `update` (agent 3.x has no such setting)",
        "http_proxy": "rename `http_proxy` to `proxy_url`",
        "socks5_proxy": "rename `socks5_proxy` to `proxy_url`",
        "auth": "rewrite `auth` as `basic_auth`",
        "client_cas": "rename `client_cas` to `mutual_tls_cas`",
    }.get(str(key), f"rewrite `{key}`")
    if key == "bind_tls":
        title = "rewrite `bind_tls` as `schemes`" if changes[0].op is Op.RENAME else "remove `bind_tls` (ignored on tcp/tls)"
    elif changes[0].op is Op.REMOVE and key != "update":
        title = f"remove `{key}`"
    return Outcome(Fix(title, Safety.SAFE, tuple(changes)))


def legacy_keys(doc: Document) -> Iterator[YamlPath]:
    """Every 2.x-only key of the file: top level, `agent:`, and tunnels."""
    data = doc.data if isinstance(doc.data, dict) else {}
    for prefix, mapping in (((), data), (("agent",), data.get("agent"))):
        if isinstance(mapping, dict):
            for key in LEGACY_TOP_KEYS:
                if key in mapping:
                    yield prefix + (key,)
    tunnels = data.get("tunnels")
    if isinstance(tunnels, dict):
        for name, tunnel in tunnels.items():
            if isinstance(tunnel, dict):
                for key in LEGACY_TUNNEL_KEYS:
                    if key in tunnel:
                        yield ("tunnels", name, key)


def upgrade_legacy(doc: Document) -> Outcome:
    """legacy → version 2 for a file without `version`: one safe fix with every change."""
    data = doc.data
    if not isinstance(data, dict) or "version" in data:
        return Outcome(None, "the file already has `version`")
    if "agent" in data or "endpoints" in data:
        return Outcome(None, "the file has version 3 structure (`agent:`, `endpoints:`), not an agent 2.x layout")
    changes: List[Change] = [Change(Op.SET, ("version",), "2", index=0)]
    for path in legacy_keys(doc):
        more = legacy_key_changes(doc, path)
        if isinstance(more, str):
            where = f"tunnel `{path[1]}`: " if path[0] == "tunnels" else ""
            return Outcome(None, f"{where}{more}")
        changes += more
    return Outcome(Fix('upgrade to config version 2 (`version: "2"` and the renamed keys)', Safety.SAFE, tuple(changes)))
