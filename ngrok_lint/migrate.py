"""Migrations between ngrok config formats, computed as fixes (data) from a parsed document.

Two migrations live here, both pure functions of a :class:`Document`:

- **legacy → version 2** (NGL003, safe): what `ngrok config upgrade` does to an agent 2.x file,
  without adding `region`: `version: "2"` added, `bind_tls` → `schemes`, `auth` → `basic_auth`,
  `client_cas` → `mutual_tls_cas`, `http_proxy` / `socks5_proxy` → `proxy_url`, `update` dropped.
  The same per-key repairs apply to 2.x-only keys left in a version 2 or 3 file. These are
  structural :class:`Change` ops (RENAME, SET, REMOVE), which the fix engine applies byte-exactly.
- **version 2 → version 3** (NGL402, unsafe): agent settings under `agent:`, every tunnel an
  endpoint, module blocks as Traffic Policy actions. This restructures the whole document, so the
  new text is generated here (ruamel.yaml for the values, as written; comments carried to where
  their node went) and the fix is one TEXT change over the lines that differ. The result is
  checked before it is offered: it must parse to exactly the data the conversion computed, and
  keep every comment of the input.

ruamel.yaml is imported only inside the functions that write the version 3 text: the plain lint
path never loads it.
"""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import yaml

from ngrok_lint.loader import Document, parse
from ngrok_lint.model import Change, Fix, Op, Safety, YamlPath

# --- legacy (agent 2.x) → config version 2 ----------------------------------------------------

# Keys only agent 2.x knew (agent 3.x refuses them in version 2 and 3 files).
LEGACY_TOP_KEYS: Tuple[str, ...] = ("http_proxy", "socks5_proxy", "update")
LEGACY_TUNNEL_KEYS: Tuple[str, ...] = ("bind_tls", "auth", "client_cas")

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


# --- config version 2 → version 3 ----------------------------------------------------------------

# Agent settings of config version 3 (reference §3.2, plus the changelog-only names the schemas accept).
V3_AGENT_KEYS = frozenset({
    "api_key", "authtoken", "connect_cas", "connect_interface", "connect_timeout", "connect_url",
    "console_ui", "console_ui_color", "crl_noverify", "crl_url", "dns_resolver_ips", "heartbeat_interval",
    "heartbeat_tolerance", "inspect_db_size", "local_storage", "log", "log_format", "log_level", "metadata",
    "proxy_url", "remote_management", "update_channel", "update_check", "web_addr", "web_allow_hosts",
})
V3_AGENT_RENAMES = {"server_addr": "connect_url", "root_cas": "connect_cas"}

# Tunnel keys with no faithful version 3 equivalent, and why (shown in NGL402's message).
NOT_CONVERTIBLE = {
    "inspect": "has no documented version 3 equivalent (endpoints document no `inspect`)",
    "labels": "makes it a labeled tunnel (an edge), which version 3 does not support",
    "websocket_tcp_converter": "has no Traffic Policy equivalent",
    "user_agent_filter": "has no Traffic Policy action of its own (its regex lists would become hand-written expressions)",
    "subdomain": "names part of a host whose domain depends on the account: write the full `domain` first",
    "terminate_at": "has no consistently documented meaning beside `crt`/`key`",
    "upstream_tls_verify": "has no documented version 3 equivalent",
    "upstream_tls_verify_cas": "has no documented version 3 equivalent",
    "app_protocol": "has no documented version 3 equivalent",
    "name": "has no documented meaning on a version 2 tunnel",
    "url": "has no documented meaning on a version 2 tunnel",
}
_FIX_NGL003 = "is an agent 2.x key: run `ngrok-lint --fix` (NGL003) first"

_COMMON_KEYS = frozenset({
    "proto", "addr", "metadata", "description", "pooling_enabled", "bindings", "traffic_policy", "policy",
    "traffic_policy_file", "proxy_proto", "ip_restriction",
})
_PROTO_KEYS = {
    "http": _COMMON_KEYS | {
        "domain", "hostname", "schemes", "basic_auth", "oauth", "oidc", "verify_webhook", "host_header",
        "request_header", "response_header", "circuit_breaker", "compression", "mutual_tls_cas", "crt", "key",
    },
    "tcp": _COMMON_KEYS | {"remote_addr"},
    "tls": _COMMON_KEYS | {"domain", "hostname", "crt", "key", "mutual_tls_cas"},
}
_PHASES = ("on_tcp_connect", "on_http_request", "on_http_response")
_LEGACY_PHASES = {"inbound": "on_http_request", "outbound": "on_http_response"}
_IDENTITY = "actions.ngrok.oauth.identity.email"


@dataclass(frozen=True)
class Ref:
    """A value copied from the input, as written, from `path`."""

    path: YamlPath


@dataclass(frozen=True)
class Lit:
    """A new scalar; `quote` forces double quotes (CEL expressions read better quoted)."""

    value: Any
    quote: bool = False


Spec = Any  # dict / list of Spec, Ref, Lit, or a plain scalar


@dataclass(frozen=True)
class Blocker:
    """A key that keeps a tunnel (or the file) from being converted faithfully."""

    path: YamlPath
    reason: str

    def describe(self) -> str:
        if len(self.path) >= 3 and self.path[0] == "tunnels":
            key = ".".join(str(p) for p in self.path[2:])
            return f"tunnel `{self.path[1]}`: `{key}` {self.reason}"
        if len(self.path) == 2 and self.path[0] == "tunnels":
            return f"tunnel `{self.path[1]}` {self.reason}"
        return f"`{'.'.join(str(p) for p in self.path)}` {self.reason}"


@dataclass
class Plan:
    """What the version 3 conversion computes, before any text is written."""

    kind: str  # "v2": the whole file; "v3": the `tunnels:` of a version 3 file
    root: Dict[str, Spec] = field(default_factory=dict)  # v2: the new document
    endpoints: List[Spec] = field(default_factory=list)  # the endpoints made from tunnels
    # old path -> (new path, whether the old node's children follow it); None: dropped
    moves: Dict[YamlPath, Optional[Tuple[YamlPath, bool]]] = field(default_factory=dict)
    blockers: List[Blocker] = field(default_factory=list)
    tunnels: int = 0
    dropped: List[str] = field(default_factory=list)

    @property
    def convertible(self) -> bool:
        return not self.blockers


@dataclass(frozen=True)
class Conversion:
    plan: Plan
    fix: Optional[Fix]
    problem: Optional[str] = None  # why a convertible plan has no fix (writing it back failed)
    known: bool = False  # the problem is a known limit of the writer, not a bug to report


def plan_v3(doc: Document) -> Plan:
    """The version 3 conversion of a version 2 file, or of the `tunnels:` of a version 3 file."""
    data = doc.data if isinstance(doc.data, dict) else {}
    plan = _plan_v3_tunnels(doc, data) if doc.format == "v3" else _plan_v2_file(doc, data)
    for duplicate in doc.duplicates:  # which of the two the agent reads is not the file's intent
        plan.blockers.append(Blocker(duplicate.path, f"is written twice (also on line {duplicate.first_line}): keep one first (NGL004)"))
    return plan


def _plan_v2_file(doc: Document, data: Dict[Any, Any]) -> Plan:
    plan = Plan("v2")
    root: Dict[str, Spec] = {}
    if "version" not in data:
        root["version"] = Lit("3", quote=True)
    agent: Dict[str, Spec] = {}
    taken: Dict[str, Any] = {}
    for key in data:
        path: YamlPath = (key,)
        if key == "version":
            root["version"] = _version_3(doc)
            plan.moves[path] = (("version",), False)
        elif key == "tunnels":
            endpoints = _convert_tunnels(doc, data.get("tunnels"), plan, set())
            if endpoints:
                root["endpoints"] = endpoints
                plan.endpoints = endpoints
            plan.moves[path] = (("endpoints",), False) if endpoints else None
        elif key == "region":
            plan.dropped.append("region")
            plan.moves[path] = None
        elif key in ("agent", "endpoints"):
            plan.blockers.append(Blocker(path, "is version 3 structure in a version 2 file: fix NGL003's finding first"))
        elif key in LEGACY_TOP_KEYS:
            plan.blockers.append(Blocker(path, _FIX_NGL003))
        elif isinstance(key, str) and (key in V3_AGENT_KEYS or key in V3_AGENT_RENAMES):
            target = V3_AGENT_RENAMES.get(key, key)
            if target in taken:
                plan.blockers.append(Blocker(path, f"and `{taken[target]}` both become `agent.{target}`"))
                continue
            taken[target] = key
            if "agent" not in root:
                root["agent"] = agent
            agent[target] = Ref(path)
            plan.moves[path] = (("agent", target), True)
        else:
            plan.blockers.append(Blocker(path, "has no place in a version 3 file"))
    plan.root = root
    return plan


def _version_3(doc: Document) -> Lit:
    loc = doc.loc(("version",))
    if loc is not None and loc.style in ('"', "'"):
        return Lit("3", quote=True) if loc.style == '"' else Lit(_Single("3"))
    if isinstance(doc.data.get("version"), int):
        return Lit(3)
    return Lit("3", quote=True)


class _Single(str):
    """A new string to write in single quotes."""


def _plan_v3_tunnels(doc: Document, data: Dict[Any, Any]) -> Plan:
    plan = Plan("v3")
    existing = data.get("endpoints")
    names = set()
    if isinstance(existing, list):
        names = {str(e.get("name")) for e in existing if isinstance(e, dict) and e.get("name") is not None}
        loc = doc.loc(("endpoints",))
        if existing and loc is not None and loc.flow:
            plan.blockers.append(Blocker(("endpoints",), "is written in flow style (`[…]`): write it as a block list first"))
    elif existing is not None:
        plan.blockers.append(Blocker(("endpoints",), "is not a list"))
    offset = len(existing) if isinstance(existing, list) else 0
    plan.endpoints = _convert_tunnels(doc, data.get("tunnels"), plan, names, offset)
    plan.moves[("tunnels",)] = (("endpoints",), False)
    return plan


def _convert_tunnels(doc: Document, tunnels: Any, plan: Plan, names: set, offset: int = 0) -> List[Spec]:
    if tunnels is None:
        return []
    if not isinstance(tunnels, dict):
        plan.blockers.append(Blocker(("tunnels",), "is not a mapping of tunnels"))
        return []
    endpoints: List[Spec] = []
    all_names = set(names) | {str(n) for n in tunnels}
    for name, tunnel in tunnels.items():
        plan.tunnels += 1
        path: YamlPath = ("tunnels", name)
        converted = _Tunnel(doc, str(name), path, tunnel if isinstance(tunnel, dict) else None).convert()
        plan.blockers += converted.blockers
        if converted.blockers:
            continue
        for index, endpoint in enumerate(converted.endpoints):
            endpoint_name = str(endpoint["name"].value)
            if index and endpoint_name in all_names:
                plan.blockers.append(Blocker(path + ("schemes",), f"needs a second endpoint `{endpoint_name}`, a name already taken"))
            if not index and endpoint_name in names:
                plan.blockers.append(Blocker(path, f"would become endpoint `{endpoint_name}`, a name the file already uses"))
            all_names.add(endpoint_name)
        base = ("endpoints", offset + len(endpoints))
        for old, (new, subtree) in converted.moves.items():
            plan.moves[old] = (base + new, subtree)
        endpoints += converted.endpoints
    return endpoints


@dataclass
class _Converted:
    endpoints: List[Dict[str, Spec]] = field(default_factory=list)
    moves: Dict[YamlPath, Tuple[YamlPath, bool]] = field(default_factory=dict)
    blockers: List[Blocker] = field(default_factory=list)


class _Tunnel:
    """One version 2 tunnel as one endpoint (two for `schemes: [http, https]`)."""

    def __init__(self, doc: Document, name: str, path: YamlPath, data: Optional[Dict[Any, Any]]) -> None:
        self.doc = doc
        self.name = name
        self.path = path
        self.data = data
        self.out = _Converted()
        self.rules: Dict[str, List[Spec]] = {phase: [] for phase in _PHASES}

    # helpers
    def at(self, *keys: Any) -> YamlPath:
        return self.path + keys

    def block(self, key: str, reason: str) -> None:
        self.out.blockers.append(Blocker(self.at(key), reason))

    def move(self, old: YamlPath, new: YamlPath, subtree: bool = True) -> None:
        self.out.moves[old] = (new, subtree)

    def get(self, key: str) -> Any:
        return self.data.get(key) if self.data else None

    def has(self, key: str) -> bool:
        """Present and not null: a null value is the field's zero value, which is its default."""
        return self.data is not None and self.data.get(key) is not None

    def convert(self) -> _Converted:
        if self.data is None:
            self.out.blockers.append(Blocker(self.path, "is not a mapping of tunnel settings"))
            return self.out
        proto = self.data.get("proto")
        if "labels" in self.data:
            self.block("labels", NOT_CONVERTIBLE["labels"])
            return self.out
        if proto not in _PROTO_KEYS:
            self.block("proto", f"is {proto!r}: only http, tcp and tls tunnels have endpoints")
            return self.out
        self.proto: str = proto
        for key in self.data:
            if key in LEGACY_TUNNEL_KEYS:
                self.block(key, _FIX_NGL003)
            elif key == "inspect":
                self.block(key, NOT_CONVERTIBLE[key])  # even null: its zero value (off) differs from its default
            elif self.data[key] is None:
                continue
            elif key in NOT_CONVERTIBLE:
                self.block(key, NOT_CONVERTIBLE[key])
            elif key not in _PROTO_KEYS[proto]:
                self.block(key, f"is not a setting of a version 2 {proto} tunnel")
        if not self.has("addr"):
            self.out.blockers.append(Blocker(self.at("addr"), "is missing: the tunnel has no upstream"))
        if self.out.blockers:
            return self.out
        urls = self._urls()
        upstream: Dict[str, Spec] = {"url": Ref(self.at("addr"))}
        self.move(self.at("addr"), ("upstream", "url"))
        if self.has("proxy_proto") and self.get("proxy_proto") != "":
            if str(self.get("proxy_proto")) not in ("1", "2"):
                self.block("proxy_proto", "is not 1 or 2")
            upstream["proxy_protocol"] = Ref(self.at("proxy_proto"))
            self.move(self.at("proxy_proto"), ("upstream", "proxy_protocol"))
        termination = self._agent_tls_termination()
        self._modules()
        policy = self._policy()
        if self.out.blockers:
            return self.out
        for index, url in enumerate(urls):
            endpoint: Dict[str, Spec] = {"name": Lit(self.name if not index else f"{self.name}-http")}
            for key in ("description", "metadata"):
                if self.has(key):
                    endpoint[key] = Ref(self.at(key))
                    self.move(self.at(key), (key,))
            if url is not None:
                endpoint["url"] = url
            for key in ("bindings", "pooling_enabled"):
                if self.has(key):
                    endpoint[key] = Ref(self.at(key))
                    self.move(self.at(key), (key,))
            endpoint["upstream"] = copy.deepcopy(upstream)
            if termination:
                endpoint["agent_tls_termination"] = copy.deepcopy(termination)
            if policy is not None:
                endpoint["traffic_policy"] = copy.deepcopy(policy)
            if self.has("traffic_policy_file"):
                endpoint["traffic_policy_file"] = Ref(self.at("traffic_policy_file"))
                self.move(self.at("traffic_policy_file"), ("traffic_policy_file",))
            self.out.endpoints.append(endpoint)
        where = ("url",) if urls[0] is not None else ("name",)
        self.move(self.path, (), subtree=False)
        for key in ("proto", "schemes", "domain", "hostname", "remote_addr"):
            if key in self.data:
                self.move(self.at(key), where, subtree=False)
        for key in self.data:
            if self.at(key) not in self.out.moves:
                self.move(self.at(key), ("name",), subtree=False)  # dropped (null, `compression: false`, …)
        return self.out

    # url --------------------------------------------------------------------------------------
    def _host(self) -> Optional[str]:
        domain, hostname = self.get("domain"), self.get("hostname")
        if self.has("domain") and self.has("hostname") and str(domain) != str(hostname):
            self.block("hostname", "and `domain` name different hosts")
        value = domain if self.has("domain") else hostname if self.has("hostname") else None
        if value is None:
            return None
        host = str(value).strip()
        key = "domain" if self.has("domain") else "hostname"
        if "$" in host:
            self.block(key, "holds `$`: the agent does not expand variables in its config file (NGL006)")
            return None
        if not host or any(c in host for c in "/ :"):
            self.block(key, "is not a plain host name")
            return None
        return host

    def _urls(self) -> List[Optional[Lit]]:
        if self.proto == "tcp":
            if self.has("remote_addr"):
                return [_url(f"tcp://{self.get('remote_addr')}")]
            return [Lit("tcp://")]
        host = self._host()
        if self.proto == "tls":
            return [_url(f"tls://{host}") if host else Lit("tls://")]
        raw = self.get("schemes")
        if raw is None or raw == []:
            schemes = ["https"]
        elif isinstance(raw, list) and all(isinstance(s, str) and s.lower() in ("http", "https") for s in raw):
            schemes = [s for s in ("https", "http") if s in {s.lower() for s in raw}]
        else:
            self.block("schemes", "is not a list of `http` and `https`")
            return [None]
        if len(schemes) == 2 and host is None:
            self.block("schemes", "serves http and https on one random address; two version 3 endpoints "
                       "would get two different random addresses: set `domain` first")
        urls: List[Optional[Lit]] = []
        for scheme in schemes:
            if host:
                urls.append(_url(f"{scheme}://{host}"))
            else:
                urls.append(None if scheme == "https" else Lit("http://"))  # no url: a random https address
        return urls

    # agent TLS termination ----------------------------------------------------------------------
    def _agent_tls_termination(self) -> Optional[Dict[str, Spec]]:
        crt, key, cas = self.has("crt"), self.has("key"), self.has("mutual_tls_cas")
        if self.proto == "http":
            for name in ("crt", "key"):
                if self.has(name):
                    self.block(name, "on an http tunnel has no version 3 equivalent")
            if cas:
                self.block("mutual_tls_cas", "on an http tunnel is edge mTLS, whose Traffic Policy form "
                           "(`terminate-tls`) takes the CA certificates' contents, not a file path")
            return None
        if self.proto != "tls" or not (crt or key or cas):
            return None
        if not (crt and key):
            self.block("crt" if crt else "key" if key else "mutual_tls_cas", "needs both `crt` and `key`")
            return None
        base = ("agent_tls_termination",)
        termination: Dict[str, Spec] = {
            "server_certificate": Ref(self.at("crt")),
            "server_private_key": Ref(self.at("key")),
        }
        self.move(self.at("crt"), base + ("server_certificate",))
        self.move(self.at("key"), base + ("server_private_key",))
        if cas:
            termination["mutual_tls_certificate_authorities"] = [Ref(self.at("mutual_tls_cas"))]
            self.move(self.at("mutual_tls_cas"), base + ("mutual_tls_certificate_authorities", 0))
        return termination

    # module blocks → Traffic Policy actions ------------------------------------------------------
    def _rule(self, phase: str, key: str, rule: Dict[str, Spec]) -> int:
        """Append a rule made from module block `key`, which then stands for the rule."""
        index = len(self.rules[phase])
        self.rules[phase].append(rule)
        self.move(self.at(key), ("traffic_policy", phase, index), subtree=False)
        return index

    def _cel_free(self, key: str, value: Any) -> bool:
        """Traffic Policy reads `${…}` in these values as an expression; a 2.x literal must not have one."""
        for text in _strings(value):
            if "${" in text:
                self.block(key, "holds `${`, which Traffic Policy reads as an expression")
                return False
        return True

    def _mapping(self, key: str, allowed: Sequence[str]) -> Optional[Dict[Any, Any]]:
        value = self.get(key)
        if not isinstance(value, dict):
            self.block(key, "is not a mapping")
            return None
        extra = [k for k in value if k not in allowed]
        if extra:
            self.block(f"{key}.{extra[0]}", "is not a setting of this module block")
            return None
        return value

    def _modules(self) -> None:
        http = self.proto == "http"
        request = "on_http_request"
        if self.has("ip_restriction"):
            block = self._mapping("ip_restriction", ("allow_cidrs", "deny_cidrs"))
            if block is not None and self._cel_free("ip_restriction", block):
                config: Dict[str, Spec] = {}
                for old, new in (("allow_cidrs", "allow"), ("deny_cidrs", "deny")):
                    if block.get(old) is not None:
                        if not isinstance(block[old], list):
                            self.block(f"ip_restriction.{old}", "is not a list")
                            continue
                        if block[old]:
                            config[new] = Ref(self.at("ip_restriction", old))
                if config:
                    # ngrok's migration guide puts `restrict-ips` on connect, before any request rule.
                    index = self._rule("on_tcp_connect", "ip_restriction", _action("restrict-ips", config))
                    for old, new in (("allow_cidrs", "allow"), ("deny_cidrs", "deny")):
                        if new in config:
                            self.move(self.at("ip_restriction", old), _config_path("on_tcp_connect", index, new))
        if not http:
            return
        if self.has("basic_auth"):
            value = self.get("basic_auth")
            if not isinstance(value, list) or not all(isinstance(c, str) and ":" in c for c in value):
                self.block("basic_auth", "is not a list of `user:password`")
            elif len(value) > 10:
                self.block("basic_auth", "has more than the 10 credentials the `basic-auth` action takes")
            elif value and self._cel_free("basic_auth", value):
                index = self._rule(request, "basic_auth", _action("basic-auth", {"credentials": Ref(self.at("basic_auth"))}))
                for item in range(len(value)):  # the key stands for the rule, its items for the credentials
                    self.move(self.at("basic_auth", item), _config_path(request, index, "credentials") + (item,))
        if self.has("oauth"):
            self._oauth()
        if self.has("oidc"):
            block = self._mapping("oidc", ("issuer_url", "client_id", "client_secret", "scopes"))
            if block is not None and self._cel_free("oidc", block):
                config = {k: Ref(self.at("oidc", k)) for k in block if block[k] is not None}
                index = self._rule(request, "oidc", _action("openid-connect", config))
                for k in config:
                    self.move(self.at("oidc", k), _config_path(request, index, k))
        if self.has("verify_webhook"):
            block = self._mapping("verify_webhook", ("provider", "secret"))
            if block is not None and self._cel_free("verify_webhook", block):
                config = {k: Ref(self.at("verify_webhook", k)) for k in block if block[k] is not None}
                index = self._rule(request, "verify_webhook", _action("verify-webhook", config))
                for k in config:
                    self.move(self.at("verify_webhook", k), _config_path(request, index, k))
        if self.has("circuit_breaker"):
            value = self.get("circuit_breaker")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                self.block("circuit_breaker", "is not a ratio between 0 and 1")
            elif value:  # 0 is the zero value: no circuit breaker
                index = self._rule(request, "circuit_breaker",
                                   _action("circuit-breaker", {"error_threshold": Ref(self.at("circuit_breaker"))}))
                self.move(self.at("circuit_breaker"), _config_path(request, index, "error_threshold"))
        self._headers(request, "request_header", self._host_header())
        self._headers("on_http_response", "response_header", None)
        if self.has("compression"):
            value = self.get("compression")
            if not isinstance(value, bool):
                self.block("compression", "is not true or false")
            elif value:
                self._rule("on_http_response", "compression", _action("compress-response", None))

    def _oauth(self) -> None:
        block = self._mapping("oauth", ("provider", "allow_emails", "allow_domains", "scopes", "client_id", "client_secret"))
        if block is None or not self._cel_free("oauth", {k: v for k, v in block.items() if k not in ("allow_emails", "allow_domains")}):
            return
        if block.get("provider") is None:
            self.block("oauth.provider", "is missing")
            return
        config = {k: Ref(self.at("oauth", k)) for k in ("provider", "scopes", "client_id", "client_secret") if block.get(k) is not None}
        request = "on_http_request"
        index = self._rule(request, "oauth", _action("oauth", config))
        for k in config:
            self.move(self.at("oauth", k), _config_path(request, index, k))
        emails, domains = block.get("allow_emails") or [], block.get("allow_domains") or []
        if not isinstance(emails, list) or not isinstance(domains, list) or not all(
            isinstance(v, str) and v for v in emails + domains
        ):
            self.block("oauth", "`allow_emails` / `allow_domains` are not lists of text")
            return
        if not emails and not domains:
            return  # any account of the provider gets in, as before (NGL206 says so)
        tests: List[str] = []
        if emails:
            tests.append(f"{_IDENTITY} in [{', '.join(_cel_string(e) for e in emails)}]")
        tests += [f"{_IDENTITY}.endsWith({_cel_string('@' + d.lstrip('@'))})" for d in domains]
        expression = f"!({' || '.join(tests)})"
        deny = {"expressions": [Lit(expression, quote=True)], "actions": [{"type": Lit("deny")}]}
        index = len(self.rules[request])
        self.rules[request].append(deny)
        for k in ("allow_emails", "allow_domains"):
            if k in block:
                self.move(self.at("oauth", k), ("traffic_policy", request, index, "expressions", 0), subtree=False)

    def _host_header(self) -> Optional[Tuple[str, YamlPath]]:
        if not self.has("host_header"):
            return None
        value = self.get("host_header")
        text = str(value).strip()
        if text == "preserve":
            return None  # the default: the upstream gets the public Host header
        if text == "rewrite":
            self.block("host_header", "is `rewrite`, whose exact Host value is not documented: "
                       "write an `add-headers` action for `host` by hand")
            return None
        if not text or not isinstance(value, str):
            self.block("host_header", "is not a host name")
            return None
        if not self._cel_free("host_header", value):
            return None
        return text, self.at("host_header")

    def _headers(self, phase: str, key: str, host: Optional[Tuple[str, YamlPath]]) -> None:
        adds: Dict[str, Spec] = {}
        sources: Dict[str, YamlPath] = {}
        if host is not None:
            adds["host"] = Lit(host[0])
            sources["host"] = host[1]
        removes: List[Spec] = []
        block = self._mapping(key, ("add", "remove")) if self.has(key) else None
        if self.has(key) and block is None:
            return
        if block is not None and self._cel_free(key, block):
            add, remove = block.get("add") or [], block.get("remove") or []
            if not isinstance(add, list) or not isinstance(remove, list):
                self.block(key, "`add` / `remove` are not lists")
                return
            for i, item in enumerate(add):
                name, sep, value = str(item).partition(":") if isinstance(item, str) else ("", "", "")
                name = name.strip()
                if not sep or not name or " " in name:
                    self.block(f"{key}.add", f"item {i + 1} is not `name: value`")  # values may be secrets: not echoed
                    return
                if name.lower() in {n.lower() for n in adds}:
                    self.block(f"{key}.add", f"sets `{name}` twice (the `add-headers` action takes one value per header)")
                    return
                adds[name] = Lit(value.strip())
                sources[name] = self.at(key, "add", i)
            for i, item in enumerate(remove):
                if not isinstance(item, str) or not item.strip():
                    self.block(f"{key}.remove", f"item {i + 1} is not a header name")
                    return
                if item.strip().lower() in {n.lower() for n in adds}:
                    self.block(key, f"both adds and removes `{item.strip()}`")
                    return
                removes.append(Ref(self.at(key, "remove", i)) if item == item.strip() else Lit(item.strip()))
        if adds:
            index = len(self.rules[phase])
            self.rules[phase].append(_action("add-headers", {"headers": adds}))
            for name, old in sources.items():
                self.move(old, _config_path(phase, index, "headers") + (name,), subtree=False)
            if block is not None:
                self.move(self.at(key), ("traffic_policy", phase, index), subtree=False)
                self.move(self.at(key, "add"), _config_path(phase, index, "headers"), subtree=False)
        if removes:
            index = len(self.rules[phase])
            self.rules[phase].append(_action("remove-headers", {"headers": removes}))
            self.move(self.at(key, "remove"), _config_path(phase, index, "headers"))
            if not adds:
                self.move(self.at(key), ("traffic_policy", phase, index), subtree=False)

    # existing Traffic Policy --------------------------------------------------------------------
    def _policy(self) -> Optional[Dict[str, Spec]]:
        keys = [k for k in ("traffic_policy", "policy") if self.has(k)]
        rules = {phase: list(self.rules[phase]) for phase in _PHASES}
        if len(keys) == 2:
            self.block("policy", "and `traffic_policy` are both set")
            return None
        if keys and self.has("traffic_policy_file"):
            self.block("traffic_policy_file", f"and `{keys[0]}` are both set")
            return None
        if self.has("traffic_policy_file") and any(rules.values()):
            self.block("traffic_policy_file", "cannot be merged with the module blocks' actions")
            return None
        if keys:
            key = keys[0]
            value = self.get(key)
            parsed = False
            if isinstance(value, str):
                loaded = parse("<traffic policy>", value)
                value = getattr(loaded, "data", None)
                parsed = True
            if not isinstance(value, dict):
                self.block(key, "is not a Traffic Policy mapping")
                return None
            seen: Dict[str, str] = {}
            for phase_key, phase_rules in value.items():
                target = _LEGACY_PHASES.get(phase_key, phase_key)
                if phase_rules is None or phase_rules == []:
                    continue  # an empty phase: nothing to carry over
                if self.proto != "http" and phase_key in _LEGACY_PHASES:
                    # On a tcp or tls tunnel, `inbound` rules run on connection (the only phase there is).
                    if phase_key == "outbound":
                        self.block(f"{key}.{phase_key}", f"has no phase on a {self.proto} endpoint")
                        return None
                    target = "on_tcp_connect"
                if target not in _PHASES:
                    self.block(f"{key}.{phase_key}", "is not a Traffic Policy phase")
                    return None
                if target in seen:
                    self.block(f"{key}.{phase_key}", f"and `{seen[target]}` are the same phase")
                    return None
                seen[target] = phase_key
                if phase_rules is None:
                    continue
                if not isinstance(phase_rules, list):
                    self.block(f"{key}.{phase_key}", "is not a list of rules")
                    return None
                for i, rule in enumerate(phase_rules):
                    if parsed:
                        rules[target].append(Lit(rule))
                    else:
                        self.move(self.at(key, phase_key, i), ("traffic_policy", target, len(rules[target])))
                        rules[target].append(Ref(self.at(key, phase_key, i)))
                if not parsed:
                    self.move(self.at(key, phase_key), ("traffic_policy", target), subtree=False)
            self.move(self.at(key), ("traffic_policy",), subtree=False)
        policy = {phase: rules[phase] for phase in _PHASES if rules[phase]}
        return policy or None


def _action(kind: str, config: Optional[Dict[str, Spec]]) -> Dict[str, Spec]:
    action: Dict[str, Spec] = {"type": Lit(kind)}
    if config:
        action["config"] = config
    return {"actions": [action]}


def _config_path(phase: str, index: int, key: str) -> YamlPath:
    return ("traffic_policy", phase, index, "actions", 0, "config", key)


def _url(text: str) -> Lit:
    return Lit(text, quote="*" in text)


def _cel_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


# --- resolving a plan to plain data ---------------------------------------------------------------


def plain(spec: Spec, doc: Document) -> Any:
    """The data a plan's spec stands for, as the agent would read it."""
    if isinstance(spec, Ref):
        return copy.deepcopy(doc.get(spec.path))
    if isinstance(spec, Lit):
        return str(spec.value) if isinstance(spec.value, _Single) else copy.deepcopy(spec.value)
    if isinstance(spec, dict):
        return {k: plain(v, doc) for k, v in spec.items()}
    if isinstance(spec, list):
        return [plain(v, doc) for v in spec]
    return spec


def expected_data(doc: Document, plan: Plan) -> Any:
    """The whole converted document as plain data."""
    if plan.kind == "v2":
        return plain(plan.root, doc)
    data = copy.deepcopy(doc.data)
    tunnels_first = list(data).index("tunnels") if "tunnels" in data else len(data)
    data.pop("tunnels", None)
    new = [plain(e, doc) for e in plan.endpoints]
    if isinstance(data.get("endpoints"), list):
        data["endpoints"] = data["endpoints"] + new
    elif new and "endpoints" in data:  # `endpoints:` empty: the new ones take its place
        data["endpoints"] = new
    elif new:
        items = list(data.items())
        items.insert(min(tunnels_first, len(items)), ("endpoints", new))
        data = dict(items)
    return data


# --- writing the version 3 text ---------------------------------------------------------------------


def convert_v3(doc: Document) -> Conversion:
    """Plan the conversion and, when it is faithful, write it as one unsafe TEXT fix."""
    plan = plan_v3(doc)
    if not plan.convertible:
        return Conversion(plan, None)
    if any(sep in doc.text for sep in ("\x85", "\u2028", "\u2029")):
        # YAML counts these as line breaks, the writer only `\n`: the parser's line numbers would
        # not match the writer's lines (the round-trip engine refuses such files too).
        return Conversion(plan, None, "the file uses a Unicode line separator (U+0085, U+2028 or U+2029)", known=True)
    try:
        new_text = write_v3(doc, plan)
    except _WriteError as exc:
        return Conversion(plan, None, str(exc))
    plan.blockers += _schema_blockers(plan, new_text)
    if plan.blockers:
        return Conversion(plan, None)
    from ngrok_lint.edits import line_edit

    edit = line_edit(doc.text, new_text)
    if edit is None:
        return Conversion(plan, None, "the conversion changes nothing")
    endpoints = len(plan.endpoints)
    what = f"{plan.tunnels} tunnel{'s' if plan.tunnels != 1 else ''} → {endpoints} endpoint{'s' if endpoints != 1 else ''}"
    title = f"convert to config version 3 ({what}" + ("; `region` dropped)" if plan.dropped else ")")
    if plan.kind == "v3":
        title = f"convert `tunnels` to `endpoints` ({what})"
    changes = _text_changes(doc.text, edit.start, edit.end, edit.text, _renamed_blocks(doc, plan))
    return Conversion(plan, Fix(title, Safety.UNSAFE, changes))


def _renamed_blocks(doc: Document, plan: Plan) -> List[YamlPath]:
    """Top-level mappings the conversion removes (`tunnels`) or creates (`agent`)."""
    new = expected_data(doc, plan)
    old = doc.data
    gone = [(k,) for k in old if k not in new and isinstance(old[k], dict)]
    made = [(k,) for k in new if k not in old and isinstance(new[k], dict)]
    return gone + made


def _text_changes(text: str, start: int, end: int, value: str, names: List[YamlPath]) -> Tuple[Change, ...]:
    """One TEXT replacement of [start, end), as adjacent pieces that each name one top-level
    mapping the conversion removes or creates: a TEXT change names what it rewrites, so the fix
    engine's data check does not take a restructured block for an unintended change. The pieces
    concatenate to exactly the one replacement."""
    cuts = [start]
    position = start
    while len(cuts) < len(names):
        position = text.find("\n", position, end - 1) + 1
        if position <= 0 or position >= end:
            break
        cuts.append(position)
    if len(cuts) < len(names):  # a one-line region: cut inside it (any cut gives the same result)
        cuts = [start + i for i in range(min(len(names), max(end - start, 1)))]
    bounds = cuts + [end]
    changes = []
    for index, name in enumerate(names[: len(cuts)] or [()]):
        piece = value if index == len(cuts) - 1 else ""
        changes.append(Change(Op.TEXT, name, piece, start=bounds[index], end=bounds[index + 1]))
    return tuple(changes)


class _WriteError(Exception):
    pass


def _schema_blockers(plan: Plan, text: str) -> List[Blocker]:
    """The converted file must be valid version 3; a value that is not (often already invalid in
    version 2) stops the conversion, named by the key it came from."""
    from ngrok_lint.schema import violations

    new = parse("<converted>", text)
    if not isinstance(new, Document):
        return []
    found, _ = violations(new)
    if plan.kind == "v3":  # only what the conversion wrote; the rest of the file is other rules' business
        first = len(new.data.get("endpoints") or []) - len(plan.endpoints)
        found = [v for v in found if len(v.path) > 1 and v.path[0] == "endpoints"
                 and isinstance(v.path[1], int) and v.path[1] >= first]
    blockers: List[Blocker] = []
    for violation in found:
        origin: YamlPath = violation.path
        best = -1
        for old, move in plan.moves.items():
            if move is None:
                continue
            target, subtree = move
            if violation.path[: len(target)] == target and len(target) > best and (subtree or target == violation.path):
                origin, best = old + tuple(violation.path[len(target):]) if subtree else old, len(target)
        blockers.append(Blocker(origin, f"would not be valid in version 3 ({violation.message})"))
    return blockers


def write_v3(doc: Document, plan: Plan) -> str:
    """The converted text, checked: it parses to the planned data and keeps every comment."""
    lines = _Lines(doc.text)
    style = _detect_style(doc)
    if plan.kind == "v2":
        new_lines = _write_whole(doc, plan, lines, style)
    else:
        new_lines = _write_tunnels(doc, plan, lines, style)
    text = lines.join(new_lines)
    result = parse(doc.path, text)
    if not isinstance(result, Document):
        raise _WriteError(f"the converted text does not parse ({result.message})")
    if not _same(result.data, expected_data(doc, plan)):
        raise _WriteError("the converted text does not read back as the converted settings")
    if Counter(c.text for c in comments(doc)) != Counter(c.text for c in comments(result)):
        raise _WriteError("the converted text would lose a comment")
    return text


def _same(a: Any, b: Any) -> bool:
    """Equality that tells `True` from `1` (Python's == does not)."""
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return bool(a == b)


class _Lines:
    """The input's lines without line ends, and how to join new lines the same way."""

    def __init__(self, text: str) -> None:
        crlf = text.count("\r\n")
        self.newline = "\r\n" if crlf > text.count("\n") - crlf else "\n"
        self.final_newline = text.endswith("\n")
        body = text[:-1] if self.final_newline else text
        self.lines = [line[:-1] if line.endswith("\r") else line for line in body.split("\n")] if text else []

    def join(self, lines: List[str]) -> str:
        text = self.newline.join(lines)
        return text + self.newline if self.final_newline and lines else text


@dataclass(frozen=True)
class _Style:
    mapping: int = 2
    sequence: int = 4
    offset: int = 2


def _detect_style(doc: Document, prefer: Optional[YamlPath] = None) -> _Style:
    """Indentation as the file writes it: the commonest mapping step and block-sequence layout."""
    maps: Counter = Counter()
    seqs: Counter = Counter()
    lines = doc.text.split("\n")
    for path, loc in doc.locs.items():
        if not path or loc.key is None or loc.raw is not None or loc.flow:
            continue
        value = doc.get(path)
        if isinstance(value, dict) and value:
            first = doc.loc(path + (next(iter(value)),))
            if first is not None and first.key is not None and first.key.line > loc.key.line:
                maps[first.key.column - loc.key.column] += 1
        elif isinstance(value, list) and value:
            first = doc.loc(path + (0,))
            if first is None or first.value.line <= loc.key.line:
                continue
            text = lines[first.value.line - 1]
            dash = len(text) - len(text.lstrip(" "))
            if text[dash : dash + 1] != "-":
                continue
            layout = (first.value.column - loc.key.column, dash - (loc.key.column - 1))
            seqs[layout] += 5 if prefer is not None and path == prefer else 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    mapping = mapping if 1 < mapping <= 8 else 2
    if seqs:
        (sequence, offset), _ = seqs.most_common(1)[0]
        if offset >= 0 and sequence >= offset + 2:
            return _Style(mapping, sequence, offset)
    return _Style(mapping, mapping + 2, mapping)


# Writing: build a ruamel tree from the plan (values copied as written), dump it, then put the
# input's comments back beside the nodes they described.


def _ruamel_tree(spec: Spec, source: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    if isinstance(spec, Ref):
        return _copy_node(_lookup(source, spec.path))
    if isinstance(spec, Lit):
        value = spec.value
        if isinstance(value, _Single):
            return SingleQuotedScalarString(str(value))
        if isinstance(value, str):
            return DoubleQuotedScalarString(value) if spec.quote or not _plain_safe(value) else value
        if isinstance(value, (dict, list)):
            return _ruamel_tree(_as_lits(value), source)
        return value
    if isinstance(spec, dict):
        node = CommentedMap()
        for key, value in spec.items():
            node[key] = _ruamel_tree(value, source)
        return node
    if isinstance(spec, list):
        seq = CommentedSeq()
        for value in spec:
            seq.append(_ruamel_tree(value, source))
        return seq
    return _ruamel_tree(Lit(spec), source)


def _as_lits(value: Any) -> Spec:
    if isinstance(value, dict):
        return {k: _as_lits(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_lits(v) for v in value]
    return Lit(value)


def _plain_safe(text: str) -> bool:
    """Would a YAML 1.1 reader (the agent's) read `text`, written plain, as this string?"""
    if not text or text != text.strip() or "\n" in text:
        return False
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) == text
    except yaml.YAMLError:
        return False


def _lookup(node: Any, path: YamlPath) -> Any:
    for part in path:
        if isinstance(node, dict):
            if part in node:
                node = node[part]
                continue
            matches = [k for k in node if str(k) == str(part)]
            if not matches:
                raise _WriteError(f"`{part}` not found while copying a value")
            node = node[matches[-1]]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            raise _WriteError(f"`{part}` not found while copying a value")
    return node


def _copy_node(node: Any) -> Any:
    """A fresh copy of a round-trip node: style (quotes, flow) kept; comments and anchors left behind."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import ScalarString

    if isinstance(node, dict):
        new_map = CommentedMap()
        for key, value in node.items():
            new_map[key] = _copy_node(value)
        if isinstance(node, CommentedMap) and node.fa.flow_style():
            new_map.fa.set_flow_style()
        return new_map
    if isinstance(node, list):
        new_seq = CommentedSeq()
        for value in node:
            new_seq.append(_copy_node(value))
        if isinstance(node, CommentedSeq) and node.fa.flow_style():
            new_seq.fa.set_flow_style()
        return new_seq
    if isinstance(node, ScalarString):
        return type(node)(str(node))
    if isinstance(node, bool):
        return bool(node)
    return copy.copy(node)


def _dump(tree: Any, style: _Style) -> List[str]:
    import io

    from ruamel.yaml import YAML

    writer = YAML()
    writer.indent(mapping=style.mapping, sequence=style.sequence, offset=style.offset)
    writer.width = 4096
    stream = io.StringIO()
    writer.dump(tree, stream)
    return stream.getvalue().rstrip("\n").split("\n")


def _load_source(doc: Document) -> Any:
    from ruamel.yaml import YAML

    reader = YAML()
    reader.preserve_quotes = True
    try:
        return reader.load(doc.text)
    except Exception as exc:  # ruamel refuses some files PyYAML reads (duplicate keys, …)
        raise _WriteError(f"the file cannot be read for rewriting ({type(exc).__name__})") from exc


def _write_whole(doc: Document, plan: Plan, lines: _Lines, style: _Style) -> List[str]:
    source = _load_source(doc)
    new = _dump(_ruamel_tree(plan.root, source), style)
    first, last = _content_bounds(doc, lines)
    if first is None:
        return lines.lines
    head, tail = lines.lines[:first], lines.lines[last + 1 :]
    placed = _Placer(doc, lines, plan, new).place(first, last)
    return head + placed.render() + placed.trailing + tail


def _write_tunnels(doc: Document, plan: Plan, lines: _Lines, style: _Style) -> List[str]:
    data = doc.data
    first, last = _node_lines(doc, ("tunnels",))
    own_lines = {c.line for c in comments(doc) if c.own_line}
    while first > 0 and first - 1 in own_lines:
        first -= 1  # comments right above `tunnels:` are about the tunnels: they move with them
    existing = data.get("endpoints")
    appending = isinstance(existing, list) and bool(existing)
    style = _detect_style(doc, ("endpoints",)) if appending else style
    edits: List[Tuple[int, int, List[str]]] = []
    if plan.endpoints:
        source = _load_source(doc)
        fragment = _dump({"endpoints": [_ruamel_tree(e, source) for e in plan.endpoints]}, style)
        placer = _Placer(doc, lines, plan, fragment, len(existing) if isinstance(existing, list) else 0)
        placed = placer.place(first, last)
        if "endpoints" in data and not appending:
            # `endpoints:` empty or null is replaced: its own comments stay on the new key's line.
            start, end = _node_lines(doc, ("endpoints",))
            for comment in comments(doc):
                if start <= comment.line <= end:
                    if comment.line == start and not comment.own_line and 0 not in placed.eol:
                        placed.eol[0] = (comment.gap, comment.text)
                    else:
                        placed.after.setdefault(0, []).append(_indent(fragment[1]) + comment.text)
        rendered = placed.render()
        if appending:
            # Drop the dumped `endpoints:` line; its comments go before the first new item.
            rendered = _without_header(placed)
            _, end = _node_lines(doc, ("endpoints",))
            edits.append((end + 1, end + 1, rendered + placed.trailing))
            edits.append((first, last + 1, []))
        elif "endpoints" in data:  # `endpoints:` empty or null: replace it
            start, end = _node_lines(doc, ("endpoints",))
            edits.append((start, end + 1, rendered + placed.trailing))
            edits.append((first, last + 1, []))
        else:
            edits.append((first, last + 1, rendered + placed.trailing))
    else:
        placed = _Placer(doc, lines, plan, []).place(first, last)
        edits.append((first, last + 1, placed.loose + placed.trailing))
    out = list(lines.lines)
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):  # removals before insertions at one line
        out[start:end] = new
    return out


def _without_header(placed: "_Placed") -> List[str]:
    """The rendered fragment without its first line (`endpoints:`), keeping what was attached to it."""
    moved = placed.before.pop(0, []) + placed.after.pop(0, [])
    eol = placed.eol.pop(0, None)
    if eol is not None:
        moved.append(eol[1])
    indent = _indent(placed.lines[1]) if len(placed.lines) > 1 else ""
    placed.before.setdefault(1, [])
    placed.before[1] = [indent + c.lstrip() if c.strip() else c for c in moved] + placed.before[1]
    return placed.render()[1:]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _content_bounds(doc: Document, lines: _Lines) -> Tuple[Optional[int], int]:
    """First and last line (0-based) holding YAML content."""
    paths = [path for path in doc.locs if path]
    if not paths:
        return None, -1
    first = min((doc.locs[p].key or doc.locs[p].value).line for p in paths) - 1
    return first, max(_end_line(doc, p) for p in paths)


def _end_line(doc: Document, path: YamlPath) -> int:
    """The last line (0-based) of a scalar's text, or of a key (collections: their first line)."""
    loc = doc.locs[path]
    line = loc.value.end_line
    if loc.raw is not None and loc.value.end_column == 1 and loc.value.end_line > loc.value.line:
        line -= 1  # a block scalar's span ends at the start of the next line
    if loc.key is not None:  # an alias value points at its anchor's text, which may stand earlier
        line = max(line, loc.key.end_line)
    return line - 1


def _node_lines(doc: Document, path: YamlPath) -> Tuple[int, int]:
    """First (the key's) and last line, 0-based, of a top-level key and everything under it."""
    loc = doc.locs[path]
    first = (loc.key or loc.value).line - 1
    last = max(_end_line(doc, p) for p in doc.locs if p[: len(path)] == path)
    return first, last


# --- comments -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    line: int  # 0-based
    column: int  # 0-based column of `#`
    text: str  # from `#` to the end of the line
    own_line: bool  # nothing but blanks before it
    gap: str = ""  # the blanks between the content and an end-of-line comment


def comments(doc: Document) -> List[Comment]:
    """Every comment of the document, found with the parser's scalar positions (a `#` inside a
    quoted or block scalar is text, not a comment)."""
    import bisect

    spans = sorted(
        (span.start, span.end)
        for loc in doc.locs.values()
        for span in ((loc.value,) if loc.key is None else (loc.value, loc.key))
        if loc.raw is not None or span is loc.key
    )
    starts = [s for s, _ in spans]
    found: List[Comment] = []
    offset = 0
    for number, line in enumerate(doc.text.split("\n")):
        column = line.find("#")
        while column >= 0:
            at = offset + column
            index = bisect.bisect_right(starts, at) - 1
            inside = index >= 0 and spans[index][0] <= at < spans[index][1]
            if not inside and (column == 0 or line[column - 1] in " \t"):
                before = line[:column]
                text = line[column:].rstrip("\r")
                found.append(Comment(number, column, text, not before.strip(), before[len(before.rstrip()):]))
                break
            column = line.find("#", column + 1)
        offset += len(line) + 1
    return found


def _starts(doc: Document) -> Dict[int, List[YamlPath]]:
    """Paths whose key (or, for list items, value) starts on each line (0-based), shallowest first."""
    result: Dict[int, List[YamlPath]] = {}
    for path, loc in doc.locs.items():
        if not path or path[-1] == "<<":
            continue
        span = loc.key if loc.key is not None else loc.value
        result.setdefault(span.line - 1, []).append(path)
    for paths in result.values():
        paths.sort(key=len)
    return result


@dataclass
class _Placed:
    lines: List[str]
    before: Dict[int, List[str]] = field(default_factory=dict)
    after: Dict[int, List[str]] = field(default_factory=dict)
    eol: Dict[int, Tuple[str, str]] = field(default_factory=dict)  # line -> (gap, text)
    trailing: List[str] = field(default_factory=list)
    loose: List[str] = field(default_factory=list)  # comments with nowhere to go when nothing is written

    def render(self) -> List[str]:
        out: List[str] = []
        for number, line in enumerate(self.lines):
            out += self.before.get(number, [])
            if number in self.eol:
                gap, text = self.eol[number]
                line = f"{line}{gap or ' '}{text}"
            out.append(line)
            out += self.after.get(number, [])
        return out


class _Placer:
    """Carries the comments of the input lines [first, last] to the new lines, next to the nodes
    they stood beside (through the plan's moves)."""

    def __init__(self, doc: Document, lines: _Lines, plan: Plan, new: List[str], offset: int = 0) -> None:
        self.doc = doc
        self.lines = lines
        self.plan = plan
        self.new = new
        self.old_starts = _starts(doc)
        self.placed = _Placed(list(new))
        self.new_starts: Dict[YamlPath, int] = {}
        if new:
            parsed = parse("<new>", "\n".join(new) + "\n")
            if not isinstance(parsed, Document):
                raise _WriteError("the generated text does not parse")
            for line, paths in _starts(parsed).items():
                for path in paths:
                    if offset and len(path) > 1 and path[0] == "endpoints" and isinstance(path[1], int):
                        path = ("endpoints", path[1] + offset) + path[2:]  # the fragment's items follow the file's
                    self.new_starts.setdefault(path, line)

    # old path → new line
    def _target(self, old: YamlPath) -> Optional[int]:
        moves = self.plan.moves
        path = tuple(old)
        while path:
            if path in moves:
                move = moves[path]
                if move is None:
                    return None
                new, subtree = move
                new = new + (old[len(path):] if subtree else ())
                while new:
                    if new in self.new_starts:
                        return self.new_starts[new]
                    new = new[:-1]
                return 0 if self.new else None
            path = path[:-1]
        for new, line in self.new_starts.items():  # a key the plan left where it was (v2: none)
            if new == old:
                return line
        return None

    def _deepest(self, line: int) -> Optional[YamlPath]:
        while line >= 0:
            if line in self.old_starts:
                return self.old_starts[line][-1]
            line -= 1
        return None

    def place(self, first: int, last: int) -> _Placed:
        found = [c for c in comments(self.doc) if first <= c.line <= last]
        by_line = {c.line: c for c in found}
        content = [n for n in range(first, last + 1) if self.lines.lines[n].strip() and not (n in by_line and by_line[n].own_line)]
        pending: List[str] = []  # comment lines waiting for the next place they can go
        placed = self.placed
        previous: Optional[int] = None
        gap_lines: List[int] = []
        for number in range(first, last + 1):
            if number not in content:
                gap_lines.append(number)
                continue
            pending = self._place_gap(previous, number, gap_lines, by_line, pending)
            gap_lines = []
            comment = by_line.get(number)
            if comment is not None and not comment.own_line:
                old = self._deepest(number)
                target = self._target(old) if old is not None else None
                if target is None:
                    pending.append(comment.text)
                elif target in placed.eol or self._continues(target):
                    placed.after.setdefault(target, []).append(_indent(self.new[target]) + comment.text)
                else:
                    placed.eol[target] = (comment.gap, comment.text)
            previous = number
        # Lines after the last content line of the range: kept, in order, after everything.
        placed.trailing = [self.lines.lines[n] for n in gap_lines]
        if pending:
            if self.new:
                placed.after.setdefault(len(self.new) - 1, []).extend(pending)
            else:
                placed.loose = pending
        return placed

    def _continues(self, line: int) -> bool:
        """Does the new line open a multi-line flow or quoted scalar (a comment there would join it)?"""
        text = self.new[line]
        return text.count('"') % 2 == 1 or text.count("'") % 2 == 1 or text.rstrip().endswith(("[", "{", ","))

    def _place_gap(self, previous: Optional[int], following: int, gap: List[int],
                   by_line: Dict[int, Comment], pending: List[str]) -> List[str]:
        """Comment and blank lines between two content lines: those indented deeper than the next
        line stay after the previous node; the rest go before the next one."""
        placed = self.placed
        next_text = self.lines.lines[following]
        next_indent = len(next_text) - len(next_text.lstrip(" "))
        after: List[Comment] = []
        before: List[Optional[Comment]] = []
        for number in gap:
            comment = by_line.get(number)
            if comment is None:
                if before or after:
                    before.append(None)  # a blank line inside a block of comments
                elif previous is not None:
                    before.append(None)
                continue
            if previous is not None and not before and comment.column > next_indent:
                after.append(comment)
            else:
                before.append(comment)
        if after:
            old = self._deepest(previous) if previous is not None else None
            target = self._target(old) if old is not None else None
            if target is None:
                pending = pending + [c.text for c in after]
            else:
                indent = _indent(self.new[target])
                placed.after.setdefault(target, []).extend(indent + c.text for c in after)
        old_next = self.old_starts.get(following, [None])[0]
        target = self._target(old_next) if old_next is not None else None
        texts = [c.text if c is not None else "" for c in before]
        while texts and not texts[0]:
            texts.pop(0)
        if not any(texts):
            # Only blank lines: keep one before a top-level key or an endpoint.
            if texts or before:
                if target is not None and target > 0 and self._structural(target):
                    placed.before.setdefault(target, []).append("")
            return pending
        if target is None:
            return pending + [t for t in texts if t]
        indent = _indent(self.new[target])
        block = [indent + t if t else "" for t in pending + texts]
        if target > 0 and self._structural(target) and before and before[0] is None:
            block.insert(0, "")
        placed.before.setdefault(target, []).extend(block)
        return []

    def _structural(self, line: int) -> bool:
        return any(len(p) == 1 or (len(p) == 2 and p[0] == "endpoints") for p, n in self.new_starts.items() if n == line)
