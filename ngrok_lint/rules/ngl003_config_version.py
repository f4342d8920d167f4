"""
## What it does
Checks the `version` key against the structure of the file, as an ngrok agent 3.x reads it:

- `version` missing: a legacy ngrok agent 2.x file, which agent 3.x refuses
  (`` `version` property is required ``). When the file already uses config version 2 keys
  (`schemes`, `domain`, `traffic_policy`, …) or version 3 structure (`agent:`, `endpoints:`), the
  message says which `version` to add instead;
- `version` that is neither 2 nor 3 (`1`, `"2.0"`, empty), quoted in the message. For `1` the
  message says what is known: agent 3.x recognises it (agents before 3.16 refuse an unknown
  version with `valid versions are: [1 2]`), but ngrok documents only versions 2 and 3, so what
  the agent makes of it is unspecified;
- config version 3 structure (`agent:`, `endpoints:`) in a version 2 file;
- agent settings at the top level of a version 3 file (`authtoken` beside `version: "3"`, the
  shape agent 3.15.0's `ngrok config add-authtoken` wrote), each reported on its key;
- keys only agent 2.x knew, in a version 2 or 3 file, each on its key with the agent's error
  and the replacement: `bind_tls` (→ `schemes` on http tunnels; removed on tcp and tls tunnels,
  which have no `schemes`), `auth` (→ `basic_auth`), `client_cas` (→ `mutual_tls_cas` on tls
  tunnels; removed on http tunnels, where agent 2.x ignored it), `http_proxy` / `socks5_proxy`
  (→ `proxy_url`), `update` (gone).

The format is taken from `version` alone here; every other rule reads a version-less file by
its keys (see the catalogue's Terms).

## Why is this bad?
Agent 3.x refuses these files (a `version: 1` file aside, which it reads in an undocumented way):
it requires `version`, knows only versions 1, 2 and 3,
and rejects any key its format does not define (`field bind_tls not found in type
config.HTTPv2Tunnel`). Agent 2.x, for its part, silently ignores `agent:` and `endpoints:`, so a
version 3 file it reads runs with none of its settings.

## Example
```yaml
authtoken: your-authtoken
tunnels:
  web:
    proto: http
    addr: 8080
```

Use instead:
```yaml
version: "2"
authtoken: your-authtoken
tunnels:
  web:
    proto: http
    addr: 8080
```

## Fix
Safe, for agent settings at the top level of a version 3 file: they are moved under `agent:`
(created where the first of them stood when the file has none), `server_addr` becoming
`connect_url` and `root_cas` becoming `connect_cas` on the way, as version 3 names them. The
values are kept; the agent then reads the settings it was meant to. No fix for a key that `agent:`
already sets (which one is right is for a person to say), nor for `region`, which version 3 does
not have, nor for a number YAML 1.1 reads differently from how it is written (`1:20`).

Safe, for a file without `version` (unless it has version 3 structure): the legacy → version 2
migration `ngrok config upgrade` does, without adding the `region: us` it pins (current agents
pick the nearest region). `version: "2"` is added at the top (after the leading comments), and
the keys agent 3.x renamed are rewritten: `bind_tls` → `schemes` (`true` → `[https]`, `false` →
`[http]`, `both` or empty → `[http, https]`; on tcp and tls tunnels, where agent 2.x ignored it,
it is removed), `auth: user:password` → `basic_auth: [user:password]`, `client_cas` →
`mutual_tls_cas` on tls tunnels (removed on http tunnels, where agent 2.x ignored it),
`http_proxy` / `socks5_proxy` → `proxy_url`, and `update` is removed. A legacy http tunnel
without `bind_tls` gets no `schemes`: it then serves HTTPS only, agent 3.x's default.

Safe, for each of these keys left in a version 2 or 3 file: the same rewrite, key by key.

No fix when a key has no faithful form: a `bind_tls` value agent 2.x refused, both
`http_proxy` and `socks5_proxy`, or a replacement key that is already set.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ngrok_lint import walk
from ngrok_lint.formats import LEGACY_TOP_KEYS, LEGACY_TUNNEL_KEYS, V3_AGENT_KEYS, V3_AGENT_RENAMES
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, finding

META = RuleMeta(
    code="NGL003",
    name="config-version",
    severity=Severity.ERROR,
    summary="the file's `version` does not match its structure, or is missing or unknown",
    fix=FixKind.SAFE,
)

# Keys agent 2.x does not know (reference §1.2 against §2.1 and §2.2).
_AGENT3_TOP_KEYS = frozenset({"api_key", "connect_interface", "crl_noverify", "proxy_url", "web_allow_hosts"})
_AGENT3_TUNNEL_KEYS = frozenset({
    "app_protocol", "basic_auth", "bindings", "circuit_breaker", "compression", "description", "domain",
    "ip_restriction", "labels", "mutual_tls_cas", "oauth", "oidc", "policy", "pooling_enabled", "proxy_proto",
    "request_header", "response_header", "schemes", "terminate_at", "traffic_policy", "traffic_policy_file",
    "upstream_tls_verify", "upstream_tls_verify_cas", "user_agent_filter", "verify_webhook",
    "websocket_tcp_converter",
})
_DECIMAL = re.compile(r"^[-+]?(?:[1-9][0-9]*|0)(?:\.[0-9]+)?$")
_UPGRADE = "`ngrok config upgrade` migrates it"
_UPGRADE_OR_FIX = "`ngrok config upgrade` or `ngrok-lint --fix` migrates it"


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    data = doc.data
    if not isinstance(data, dict) or doc.is_v1:
        return  # an empty or non-mapping root is NGL002's; a 1.x file is NGL009's alone
    if "version" not in data:
        yield _missing_version(doc)
        return
    declared = doc.declared_format
    if declared == "legacy":
        yield _unknown_version(doc)
        return
    if declared == "v2":
        yield from _v3_structure_in_v2(doc)
    else:
        yield from _top_level_agent_keys(doc)
    yield from _legacy_keys(doc, declared)


# --- version itself ---------------------------------------------------------------------------


def _v3_keys(data: Dict[Any, Any]) -> List[str]:
    return [k for k in ("agent", "endpoints") if k in data]


def _v2_keys(data: Dict[Any, Any]) -> List[str]:
    """Keys only agent 3.x knows: the file was written for config version 2, not for agent 2.x.

    Wider than the catalogue's list (which decides how other rules read the file): this only
    chooses the advice.
    """
    found = [k for k in data if k in _AGENT3_TOP_KEYS]
    tunnels = data.get("tunnels")
    if isinstance(tunnels, dict):
        for tunnel in tunnels.values():
            if isinstance(tunnel, dict):
                found += [k for k in tunnel if k in _AGENT3_TUNNEL_KEYS and k not in found]
    return found


def _missing_version(doc: Document) -> Finding:
    data = doc.data
    v3 = _v3_keys(data)
    v2 = _v2_keys(data)
    refused = "agent 3.x refuses a file without it (`` `version` property is required ``)"
    if v3:
        where = ", ".join(f"`{k}:` on line {doc.key_span((k,)).line}" for k in v3)
        message = (
            f"`version` is missing, but the file uses config version 3 structure ({where}): {refused}, "
            "and agent 2.x silently ignores that structure; add `version: \"3\"` (agent 3.16 or later)"
        )
    elif v2:
        keys = ", ".join(f"`{k}`" for k in v2[:3])
        message = (
            f"`version` is missing, but the file uses config version 2 keys ({keys}): {refused}, and agent 2.x "
            "silently ignores those keys; add `version: \"2\"`"
        )
    else:
        fix = _migration_fix(doc)
        how = _UPGRADE_OR_FIX if fix is not None else _UPGRADE
        message = f"`version` is missing: this is a legacy agent 2.x file and {refused}; {how}"
        # The root mapping's first line: its first key, after any leading comments.
        return finding(META, message, doc.value_span(()), (), fix)
    return finding(META, message, doc.value_span(()), (), None if v3 else _migration_fix(doc))


def _migration_fix(doc: Document) -> Optional[Fix]:
    """The legacy → version 2 migration (`ngrok config upgrade` without `region`), when every 2.x key
    has a faithful version 2 form."""
    from ngrok_lint import migrate  # imported only when a fix is built: it is large

    return migrate.upgrade_legacy(doc).fix


def _unknown_version(doc: Document) -> Finding:
    loc = doc.loc(("version",))
    value = doc.data.get("version")
    if value is None:
        shown = "empty"
    elif isinstance(value, (dict, list)):
        shown = "a list" if isinstance(value, list) else "a mapping"
    else:
        raw = loc.raw if loc is not None and loc.raw is not None else str(value)
        shown = f"`{raw}`"
    hint = "`\"3\"` (agent 3.16 or later)" if _v3_keys(doc.data) else "`\"2\"` (or `\"3\"` for `agent:`/`endpoints:` files)"
    if str(value).strip() == "1":
        # Agents before 3.16 list `valid versions are: [1 2]` when they refuse a version: 1 is
        # recognised (reference, "Config version 2 and 3"), but no ngrok document says what it means.
        message = (
            f"`version` is {shown}: agent 3.x recognises config version 1 but ngrok documents only versions 2 "
            f"and 3, so how the file is read is unspecified; set it to {hint}"
        )
    else:
        message = (
            f"`version` is {shown}: agent 3.x knows config versions 1 and 2 (and 3 from 3.16) and refuses any "
            f"other (`unknown version`); set it to {hint}"
        )
    return finding(META, message, doc.value_span(("version",)), ("version",))


# --- structure against the declared version ---------------------------------------------------


def _v3_structure_in_v2(doc: Document) -> Iterator[Finding]:
    for key in _v3_keys(doc.data):
        instead = "move its settings to the top level" if key == "agent" else "write them as `tunnels:`"
        yield finding(
            META,
            f"`{key}:` is config version 3 structure, but the file declares version 2: agent 3.x refuses it "
            f"(`field {key} not found in type config.v2yamlConfig`); set `version: \"3\"` (agent 3.16 or later), "
            f"or {instead}",
            doc.key_span((key,)),
            (key,),
        )


def _top_level_agent_keys(doc: Document) -> Iterator[Finding]:
    data = doc.data
    candidates = [k for k in data if isinstance(k, str) and (k in V3_AGENT_KEYS or k in V3_AGENT_RENAMES or k == "region")]
    if not candidates:
        return
    block = data.get("agent")
    existing: Dict[Any, Any] = block if isinstance(block, dict) else {}
    can_edit = block is None or isinstance(block, dict)
    movable: List[Tuple[str, str]] = []
    taken: Dict[str, str] = {}
    for key in candidates:
        if key == "region":
            continue
        target = V3_AGENT_RENAMES.get(key, key)
        if target in existing or target in taken.values():
            taken[key] = target
            continue
        movable.append((key, target))
        taken[key] = target
    faithful = all(_faithful(doc, (key,)) for key, _ in movable)
    fix = _move_fix(doc, movable) if movable and can_edit and faithful else None
    for key in candidates:
        error = f"agent 3.x refuses it (`field {key} not found in type config.v3yamlConfig`)"
        if key == "region":
            message = (
                f"`region` at the top level of a version 3 file: {error}, and version 3 has no `region` at all "
                "(the agent picks the nearest one; a custom ingress is `agent.connect_url`): remove it"
            )
            yield finding(META, message, doc.key_span((key,)), (key,))
            continue
        target = taken[key]
        shape = " (the shape agent 3.15.0's `ngrok config add-authtoken` wrote)" if key == "authtoken" else ""
        if (key, target) in movable:
            rename = f" as `{target}`" if target != key else ""
            message = f"`{key}` is an agent setting at the top level of a version 3 file{shape}: {error}; move it under `agent:`{rename}"
            yield finding(META, message, doc.key_span((key,)), (key,), fix)
        else:
            if target in existing:
                line = doc.key_span(("agent", target)).line
            else:  # two top-level keys for one setting (`server_addr` and `connect_url`): the first one moves
                other = next(k for k, t in movable if t == target)
                line = doc.key_span((other,)).line
            message = (
                f"`{key}` is an agent setting at the top level of a version 3 file{shape}: {error}; "
                f"`agent.{target}` is already set (line {line}): keep one of them under `agent:`"
            )
            yield finding(META, message, doc.key_span((key,)), (key,))


def _faithful(doc: Document, path: Tuple[Any, ...]) -> bool:
    """Can the value be written back from its plain data without changing it?

    YAML 1.1 reads `1:20` as a base-60 number and `0x1F` as hex: rewritten from the number, such a
    value would change, so it is not moved.
    """
    value = doc.get(path)
    loc = doc.loc(path)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or loc is None or loc.raw is None:
        return True
    return _DECIMAL.match(loc.raw) is not None


def _move_fix(doc: Document, movable: List[Tuple[str, str]]) -> Fix:
    data = doc.data
    changes: List[Change] = []
    if data.get("agent") is None:
        # No `agent:` (or an empty one): create it where the first moved key stands.
        block = {target: data[key] for key, target in movable}
        index = list(data).index(movable[0][0])
        changes.append(Change(Op.SET, ("agent",), block, index=index))
    else:
        changes += [Change(Op.SET, ("agent", target), data[key], index=-1) for key, target in movable]
    changes += [Change(Op.REMOVE, (key,)) for key, _ in movable]
    names = ", ".join(f"`{key}`" for key, _ in movable)
    return Fix(f"move {names} under `agent:`", Safety.SAFE, tuple(changes))


# --- keys only agent 2.x knew ------------------------------------------------------------------


def _legacy_keys(doc: Document, declared: str) -> Iterator[Finding]:
    data = doc.data
    top_type = "config.v3yamlConfig" if declared == "v3" else "config.v2yamlConfig"
    proxy = "`agent.proxy_url`" if declared == "v3" else "`proxy_url`"
    places: List[Tuple[Tuple[Any, ...], Dict[Any, Any], str]] = [((), data, top_type)]
    block = data.get("agent")
    if declared == "v3" and isinstance(block, dict):
        places.append((("agent",), block, "config.Agent"))
    for prefix, mapping, type_name in places:
        for key in LEGACY_TOP_KEYS:
            if key not in mapping:
                continue
            if key == "update":
                instead = "remove it: agent 3.x updates through `update_channel` and `update_check`"
            else:
                instead = f"use {proxy} instead (one URL: `http://`, `https://` or `socks5://`)"
            yield finding(
                META,
                f"`{key}` is an agent 2.x setting: agent 3.x refuses it (`field {key} not found in type {type_name}`); {instead}",
                doc.key_span(prefix + (key,)),
                prefix + (key,),
                _key_fix(doc, prefix + (key,)),
            )
    for site in walk.sites(doc):
        if site.kind != "tunnel":
            continue
        for key in LEGACY_TUNNEL_KEYS:
            if key not in site.data:
                continue
            error = _tunnel_error(key, site.proto)
            instead = _tunnel_instead(key, site.data.get(key), site.proto)
            yield finding(
                META,
                f"`{key}` is an agent 2.x tunnel setting: agent 3.x refuses it ({error}); {instead}",
                doc.key_span(site.at(key)),
                site.at(key),
                _key_fix(doc, site.at(key)),
            )


def _key_fix(doc: Document, path: Tuple[Any, ...]) -> Optional[Fix]:
    """The migration's rewrite of one 2.x-only key, when it has a faithful form."""
    from ngrok_lint.migrate import legacy_key_fix  # imported only when a fix is built: it is large

    return legacy_key_fix(doc, path).fix


def _tunnel_error(key: str, proto: Optional[str]) -> str:
    # Only the http tunnel's struct name is attested (`config.HTTPv2Tunnel`); others stay unnamed.
    type_name = {"http": "config.HTTPv2Tunnel"}.get(proto or "")
    return f"`field {key} not found in type {type_name}`" if type_name else f"`field {key} not found in type …`"


def _tunnel_instead(key: str, value: Any, proto: Optional[str]) -> str:
    """What to write instead, by the tunnel's proto: the same choice the fix makes
    (`ngrok_lint.migrate.legacy.legacy_key_changes`), so the message never names a setting the
    tunnel cannot have."""
    if key == "bind_tls":
        if proto in ("tcp", "tls"):
            # `schemes` is an http setting; 2.x ignored `bind_tls` here, so the fix removes it.
            return f"remove it: {proto} tunnels have no `schemes`, and agent 2.x ignored `bind_tls` on them"
        text = "" if value is None else str(value).strip().lower()
        schemes = {"true": "[https]", "false": "[http]", "both": "[http, https]", "": "[http, https]"}.get(text)
        write = f"write `schemes: {schemes}` instead" if schemes else "write `schemes` (a list of `http`, `https`) instead"
        return write if proto == "http" else f"{write} on an http tunnel, or remove it on a tcp or tls tunnel"
    if key == "auth":
        if proto in ("tcp", "tls"):
            return f"remove it: {proto} tunnels have no basic authentication (`basic_auth` is an http setting)"
        if proto == "http" and (value is None or value == ""):
            return "remove it: it is empty, so it set no authentication"  # what the fix does
        return "write `basic_auth` (a list of `user:password`) instead"
    if proto == "http":
        return "remove it: agent 2.x ignored `client_cas` on http tunnels (`mutual_tls_cas` would turn on mutual TLS)"
    if proto == "tcp":
        return "remove it: tcp tunnels have no `mutual_tls_cas`"
    return "write `mutual_tls_cas` instead"
