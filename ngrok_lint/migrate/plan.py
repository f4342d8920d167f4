"""config version 2 → version 3, as data: which endpoints the tunnels become, and where each old
key goes.

A :class:`Plan` is computed from the parsed document alone: agent settings under `agent:`, every
tunnel an endpoint (two for `schemes: [http, https]`), module blocks as Traffic Policy actions,
and `moves` (old path → new path) that the comment placer follows. A key with no faithful version
3 form becomes a :class:`Blocker` instead. Nothing here writes text: the plan is what NGL402
reports on, and `write` turns a convertible plan into the new file, which is checked against
`expected_data` (the plan resolved to plain data).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from ngrok_lint.formats import LEGACY_TOP_KEYS, LEGACY_TUNNEL_KEYS, V3_AGENT_KEYS, V3_AGENT_RENAMES
from ngrok_lint.loader import Document, parse
from ngrok_lint.model import YamlPath

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
        return Lit("3", quote=True) if loc.style == '"' else Lit(Single("3"))
    if isinstance(doc.data.get("version"), int):
        return Lit(3)
    return Lit("3", quote=True)


class Single(str):
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
        base: YamlPath = ("endpoints", offset + len(endpoints))
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
        return str(spec.value) if isinstance(spec.value, Single) else copy.deepcopy(spec.value)
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
