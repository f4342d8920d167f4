"""One walk over tunnels, endpoints and agent settings for every format, so rules never branch on
the format themselves.

A :class:`Site` is a tunnel (legacy, v2, or v3's deprecated `tunnels:`) or a v3 endpoint, with what
the rules ask of it already worked out: protocol, the schemes it serves, whether it is public, its
upstream and its Traffic Policy.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from typing import Any, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Tuple

from ngrok_lint.loader import Document
from ngrok_lint.model import YamlPath

PHASES = ("on_tcp_connect", "on_http_request", "on_http_response", "on_event_stream_message", "inbound", "outbound")


class Agent(NamedTuple):
    """Agent settings: the top level of legacy and v2 files, the `agent:` block of v3."""

    prefix: YamlPath
    data: Dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def path(self, key: str) -> YamlPath:
        return self.prefix + (key,)


class Action(NamedTuple):
    type: str
    config: Dict[str, Any]
    phase: str
    rule_index: int
    index: int  # type: ignore[assignment]  # shadows tuple.index on purpose: rules read `action.index`
    path: YamlPath  # the action's own path (a file policy's path is the site's policy key)
    rule: Dict[str, Any]  # the policy rule that holds the action


class Policy(NamedTuple):
    data: Dict[str, Any]
    path: YamlPath  # where it is written: traffic_policy / policy / traffic_policy_file
    inline: bool  # False when read from traffic_policy_file (positions then point at that key)

    def rules(self, phase: str) -> List[Dict[str, Any]]:
        rules = self.data.get(phase)
        return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []

    def actions(self) -> Iterator[Action]:
        for phase in PHASES:
            raw = self.data.get(phase)
            if not isinstance(raw, list):
                continue
            for rule_index, rule in enumerate(raw):
                if not isinstance(rule, dict) or not isinstance(rule.get("actions"), list):
                    continue
                for index, action in enumerate(rule["actions"]):
                    if not isinstance(action, dict) or not isinstance(action.get("type"), str):
                        continue
                    config = action.get("config")
                    path = self.path + (phase, rule_index, "actions", index) if self.inline else self.path
                    yield Action(
                        action["type"], config if isinstance(config, dict) else {}, phase, rule_index, index, path, rule
                    )


class Site(NamedTuple):
    kind: str  # "tunnel" or "endpoint"
    name: str
    path: YamlPath
    data: Dict[str, Any]
    proto: Optional[str]  # "http", "tcp", "tls", or None (labeled tunnel / unknown)
    schemes: FrozenSet[str]  # for http: the schemes served ("http", "https"); else empty
    public: bool
    upstream: Any  # addr / upstream.url as written
    upstream_path: YamlPath
    policy: Optional[Policy]
    format: str

    def at(self, *keys: Any) -> YamlPath:
        return self.path + keys

    @property
    def terminates_tls(self) -> bool:
        """Does ngrok terminate TLS here? Every https site; a tls site only with `terminate-tls`."""
        if self.proto == "http":
            return "https" in self.schemes
        if self.proto == "tls":
            return any(a.type == "terminate-tls" for a in self.actions())
        return False

    def actions(self) -> Iterator[Action]:
        return self.policy.actions() if self.policy else iter(())

    @property
    def policy_unreadable(self) -> bool:
        """The site names a Traffic Policy (inline, as a string, or `traffic_policy_file`) that could
        not be read; rules that need the policy then give no finding for the site (rules.md, Terms)."""
        if self.policy is not None:
            return False
        return any(self.data.get(key) is not None for key in ("traffic_policy", "policy", "traffic_policy_file"))

    @property
    def url(self) -> Optional[str]:
        value = self.data.get("url")
        return None if value is None else str(value)


def agent(doc: Document) -> Agent:
    data = doc.data if isinstance(doc.data, dict) else {}
    if doc.format == "v3":
        block = data.get("agent")
        return Agent(("agent",), block if isinstance(block, dict) else {})
    return Agent((), data)


def agent_scopes(doc: Document) -> Iterator[Agent]:
    """Every mapping that holds agent settings as written: `agent(doc)`, plus, in a v3 file, the
    top level, where agent 3.15.0's `add-authtoken` put `authtoken` (NGL003 reports the place;
    rules about what a value leaks still need to see it)."""
    main = agent(doc)
    yield main
    if main.prefix and isinstance(doc.data, dict):
        yield Agent((), doc.data)


def sites(doc: Document, base_dir: Optional[str] = None) -> Iterator[Site]:
    """Every tunnel and endpoint of the file, in file order (tunnels first).

    Worked out once per document and folder: every rule asks, and a policy written as text or in
    a file is parsed only once."""
    memo = getattr(doc, "memo", None)
    if memo is None:  # a stand-in document (tests): nothing to keep it in
        return _sites(doc, base_dir)
    key = ("sites", base_dir)
    found = memo.get(key)
    if found is None:
        found = memo[key] = tuple(_sites(doc, base_dir))
    return iter(found)


def _sites(doc: Document, base_dir: Optional[str]) -> Iterator[Site]:
    data = doc.data if isinstance(doc.data, dict) else {}
    fmt = doc.format
    tunnels = data.get("tunnels")
    if isinstance(tunnels, dict):
        for name, tunnel in tunnels.items():
            if isinstance(tunnel, dict):
                yield _tunnel(doc, str(name), tunnel, fmt, base_dir)
    endpoints = data.get("endpoints")
    if fmt == "v3" and isinstance(endpoints, list):
        for index, endpoint in enumerate(endpoints):
            if isinstance(endpoint, dict):
                yield _endpoint(doc, index, endpoint, base_dir)


def _tunnel(doc: Document, name: str, tunnel: Dict[str, Any], fmt: str, base_dir: Optional[str]) -> Site:
    path: YamlPath = ("tunnels", name)
    proto = tunnel.get("proto")
    proto = proto if proto in ("http", "tcp", "tls") else None
    url = tunnel.get("url")
    url = None if url is None or fmt == "legacy" else str(url)
    if proto is None and url is not None:
        # agent/config/v2.mdx: `--url` becomes `url`; without `proto`, the URL's scheme says it.
        proto = _URL_PROTO.get(endpoint_scheme(url))
    schemes: FrozenSet[str] = frozenset()
    if proto == "http" and url is not None and "schemes" not in tunnel:
        schemes = frozenset({endpoint_scheme(url)})
    elif proto == "http":
        if fmt == "legacy":
            schemes = _bind_tls_schemes(tunnel.get("bind_tls", None))
        else:
            raw = tunnel.get("schemes")
            if isinstance(raw, list) and raw:
                schemes = frozenset(str(s).lower() for s in raw if s is not None)
            elif "bind_tls" in tunnel:  # a 2.x key left in a v2 file: read it as 2.x did
                schemes = _bind_tls_schemes(tunnel.get("bind_tls"))
            else:
                schemes = frozenset({"https"})
    policy = _policy(doc, path, tunnel, base_dir)
    public = _public(url, tunnel.get("bindings"))
    return Site("tunnel", name, path, tunnel, proto, schemes, public, tunnel.get("addr"), path + ("addr",), policy, fmt)


_URL_PROTO = {"https": "http", "http": "http", "tcp": "tcp", "tls": "tls"}


def _public(url: Optional[str], bindings: Any) -> bool:
    """Not public: a `.internal` host, or an `internal`/`kubernetes` binding (rules.md, Terms)."""
    bound = {str(b).lower() for b in bindings} if isinstance(bindings, list) else set()
    if isinstance(bindings, str):
        bound = {bindings.lower()}
    return not (url_host(url).lower().endswith(".internal") or bound & {"internal", "kubernetes"})


def _bind_tls_schemes(value: Any) -> FrozenSet[str]:
    text = str(value).lower() if value is not None else "both"
    if value is True or text == "true":
        return frozenset({"https"})
    if value is False or text == "false":
        return frozenset({"http"})
    return frozenset({"http", "https"})


def endpoint_scheme(url: Optional[str]) -> str:
    """The scheme a v3 endpoint URL serves: https when none is written."""
    if not url:
        return "https"
    if "://" in url:
        return url.split("://", 1)[0].lower()
    return "https"


def url_host(url: Optional[str]) -> str:
    if not url:
        return ""
    rest = url.split("://", 1)[1] if "://" in url else url
    host = rest.split("/", 1)[0]
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _endpoint(doc: Document, index: int, endpoint: Dict[str, Any], base_dir: Optional[str]) -> Site:
    path: YamlPath = ("endpoints", index)
    url = endpoint.get("url")
    url = None if url is None else str(url)
    scheme = endpoint_scheme(url)
    proto = _URL_PROTO.get(scheme)
    schemes = frozenset({scheme}) if proto == "http" else frozenset()
    public = _public(url, endpoint.get("bindings"))
    upstream = endpoint.get("upstream")
    upstream_url = upstream.get("url") if isinstance(upstream, dict) else None
    name = endpoint.get("name")
    return Site(
        "endpoint",
        str(name) if name is not None else f"endpoints[{index}]",
        path,
        endpoint,
        proto,
        schemes,
        public,
        upstream_url,
        path + ("upstream", "url"),
        _policy(doc, path, endpoint, base_dir),
        "v3",
    )


def _policy(doc: Document, path: YamlPath, site: Dict[str, Any], base_dir: Optional[str]) -> Optional[Policy]:
    for key in ("traffic_policy", "policy"):
        if key in site and site[key] is not None:
            value = site[key]
            if isinstance(value, str):  # a policy written as a YAML string is read as YAML
                parsed = _parse_policy_text(value)
                return Policy(parsed, path + (key,), False) if parsed is not None else None
            return Policy(value, path + (key,), True) if isinstance(value, dict) else None
    file_name = site.get("traffic_policy_file")
    if isinstance(file_name, str) and base_dir is not None:
        full = file_name if os.path.isabs(file_name) else os.path.join(base_dir, file_name)
        try:
            # Only a regular file: a FIFO or `/dev/stdin` would block the run. A NUL in the name
            # raises ValueError, not OSError.
            if not stat.S_ISREG(os.stat(full).st_mode):
                return None
            with open(full, "rb") as handle:
                raw = handle.read(1_000_000)
        except (OSError, ValueError):
            return None
        parsed = _parse_policy_text(raw.decode("utf-8", "replace"))
        if parsed is not None:
            return Policy(parsed, path + ("traffic_policy_file",), False)
    return None


def _parse_policy_text(text: str) -> Optional[Dict[str, Any]]:
    from ngrok_lint.loader import parse

    doc = parse("<traffic policy>", text)
    data = getattr(doc, "data", None)
    return data if isinstance(data, dict) else None


# --- small value helpers shared by rules ------------------------------------------------------


def split_host_port(value: Any) -> Tuple[str, Optional[int], str]:
    """(host, port, scheme) of an address written as a port, host, host:port or URL.

    A bare port means localhost, as the agent reads it.
    """
    if value is None:
        return "", None, ""
    text = str(value).strip()
    scheme = ""
    if "://" in text:
        scheme, text = text.split("://", 1)
        scheme = scheme.lower()
        text = text.split("/", 1)[0]
        if "@" in text:
            text = text.rsplit("@", 1)[1]
    if _is_port(text):
        return "localhost", int(text), scheme
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest.startswith(":") and _is_port(rest[1:]):
            port = int(rest[1:])
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = int(port_text) if _is_port(port_text) else None
        if host == "":
            host = "localhost"
    return host.lower(), port, scheme


def _is_port(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts `³` and `²`, which `int` refuses."""
    return text.isascii() and text.isdigit()


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False
