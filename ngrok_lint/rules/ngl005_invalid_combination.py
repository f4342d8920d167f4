"""
## What it does
Reports settings that the agent refuses together, or that cannot work together:

- agent settings: `region` with `server_addr`; `http_proxy` with `socks5_proxy`;
- a tunnel: `hostname` with `subdomain` (http and tls tunnels; agent 2.x ignores both on tcp);
  on a tls tunnel, `crt` without `key` or the reverse, and `client_cas` / `mutual_tls_cas`
  without `crt` and `key` (http tunnels ignore all three);
- a tunnel or endpoint: `bindings` with more than one item; `on_http_request` /
  `on_http_response` (or the legacy `outbound`) in the Traffic Policy of a tcp or tls one;
  `traffic_policy` with `traffic_policy_file`; `policy` with `traffic_policy`; a `terminate-tls`
  action whose `max_version` is below its `min_version`;
- an endpoint: `agent_tls_termination` on a URL that is not `tls://`; two endpoints with the same
  `name`;
- an endpoint (or a tunnel written with `url`) whose URL breaks what ngrok's docs require of it
  (rows of `ngrok_lint/facts/url_rules.json`, each message names its page): a public `http` URL on
  a port other than 80, a public `https` or `tls` one on a port other than 443
  (`snippets/gateway/shared/public-endpoints-source.mdx`); a `tcp` URL with a host and no port
  (same page; `endpoints/internal-endpoints.mdx` for internal ones); `bindings: [internal]` with no
  `.internal` host (random addresses are not supported there), `bindings: [public]` with a
  `.internal` host; on a `tcp` or `tls` endpoint, an `upstream.url` without a port (the domain
  form) or written as a scheme alone (`https://`: `agent/config/v3.mdx`, "for `tcp` and `tls`
  endpoints host and port is required"); on an http(s) endpoint an `upstream.url` with the
  `tcp://` scheme (the agent: `Endpoint 'main' specifies a URL with an unsupported scheme: tcp`,
  ngrok/ngrok#73). Kubernetes-bound endpoints and URLs holding a variable or a placeholder are
  not judged;
- two tunnels or endpoints that bind the same address (`domain`, `hostname`, `url`, or a tcp
  tunnel's `remote_addr`), unless every one of them sets `pooling_enabled: true`. Addresses are
  compared as the agent resolves them: host names case-insensitively, `https` when no scheme is
  written, the scheme's default port when none is. Random addresses (no `url`, `url: https://`)
  never clash.

Each finding stands on the later (or the dependent) key of the pair and names the line of the
other. The legacy `inbound` phase is not reported on tcp and tls: before agent 3.17 it was the
only connection phase, and ngrok's own examples used it on tcp tunnels.

## Why is this bad?
Agent 2.x refuses most of these outright (`You may not specify both 'region' and
'server_addr'`, `TLS tunnel 'a' must supply both 'crt' and 'key' or neither`, `Tunnel 'a' must not
specify both hostname and subdomain.`). The others cannot do what they say: a tcp or tls endpoint
has no HTTP phase, agent TLS termination needs a TLS endpoint, `ngrok start <name>` cannot tell
two endpoints of one name apart, and ngrok refuses a second agent session on an address that is
already bound unless both ask to be pooled. When two policy keys are set, only one of them can
apply.

## Example
```yaml
version: "3"
endpoints:
  - name: db
    url: tcp://1.tcp.ngrok.io:12345
    upstream:
      url: 5432
    traffic_policy:
      on_http_request:
        - actions:
            - type: deny
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: db
    url: tcp://1.tcp.ngrok.io:12345
    upstream:
      url: 5432
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: deny
```

## Fix
None: which of the two settings is meant is for a person to decide.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.rules import _urls
from ngrok_lint.model import Finding, RuleMeta, Severity, YamlPath, finding
from ngrok_lint.walk import Site

META = RuleMeta(
    code="NGL005",
    name="invalid-combination",
    severity=Severity.ERROR,
    summary="settings the agent refuses together, or that cannot work together",
)

_HTTP_PHASES = ("on_http_request", "on_http_response", "outbound")
_DEFAULT_PORTS = {"https": 443, "http": 80, "tls": 443}
_TLS_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    if not isinstance(doc.data, dict):
        return
    agent = walk.agent(doc)
    yield from _pair(
        doc, agent.prefix, agent.data, "region", "server_addr",
        "agent 2.x refuses them together (`You may not specify both 'region' and 'server_addr'`), and a custom "
        "connect URL is pinned to its own region: remove `region`",
    )
    yield from _pair(
        doc, agent.prefix, agent.data, "http_proxy", "socks5_proxy",
        "agent 2.x refuses them together (`You may not specify both a SOCKS5 proxy and an HTTP proxy`): keep one",
    )
    sites = list(walk.sites(doc, getattr(ctx, "base_dir", None)))
    for site in sites:
        yield from _site(doc, site)
    yield from _duplicate_names(doc, sites)
    yield from _shared_addresses(doc, sites)


def _present(mapping: Dict[Any, Any], key: str) -> bool:
    """Set to something: an empty value is the field's zero value, as the agent reads it."""
    return key in mapping and mapping[key] is not None and mapping[key] != ""


def _offset(doc: Document, path: YamlPath) -> int:
    return doc.key_span(path).start


def _pair(doc: Document, prefix: YamlPath, mapping: Dict[Any, Any], a: str, b: str, why: str) -> Iterator[Finding]:
    """Both keys set: report the later one, naming the earlier one's line."""
    if not (_present(mapping, a) and _present(mapping, b)):
        return
    first, second = sorted((prefix + (a,), prefix + (b,)), key=lambda p: _offset(doc, p))
    yield finding(
        META,
        f"`{second[-1]}` is set together with `{first[-1]}` (line {doc.key_span(first).line}): {why}",
        doc.key_span(second),
        second,
    )


def _where(doc: Document, site: Site) -> str:
    """What decides the site's protocol, and on which line."""
    if site.kind == "tunnel":
        return f"`proto: {site.proto}` on line {doc.key_span(site.at('proto')).line}"
    if "url" in site.data:
        return f"`url` on line {doc.key_span(site.at('url')).line}"
    return "no `url`, so a random https address"


def _label(site: Site) -> str:
    return f"{site.kind} `{site.name}`"


def _site(doc: Document, site: Site) -> Iterator[Finding]:
    data = site.data
    label = _label(site)
    if site.kind == "tunnel" and site.proto in ("http", "tls"):
        yield from _pair(
            doc, site.path, data, "hostname", "subdomain",
            f"agent 2.x refuses {'an' if site.proto == 'http' else 'a'} {site.proto} tunnel with both (`Tunnel '{site.name}' must not specify both hostname "
            "and subdomain.`): keep one (or use `domain`)",
        )
    if site.kind == "tunnel" and site.proto == "tls":
        yield from _tls_tunnel(doc, site)
    bindings = data.get("bindings")
    if isinstance(bindings, list) and len(bindings) > 1:
        yield finding(
            META,
            f"`bindings` of {label} lists {len(bindings)} items, but it takes at most one "
            f"(the first is on line {doc.value_span(site.at('bindings', 0)).line}): keep one",
            doc.value_span(site.at("bindings", 1)),
            site.at("bindings", 1),
        )
    yield from _http_phases_on_tcp(doc, site)
    if site.kind == "endpoint" and _present(data, "agent_tls_termination") and site.proto != "tls":
        scheme = walk.endpoint_scheme(site.url)
        yield finding(
            META,
            f"`agent_tls_termination` only works on a `tls://` endpoint, and {label} is {scheme} ({_where(doc, site)}): "
            "use a `tls://` URL, or drop the block",
            doc.key_span(site.at("agent_tls_termination")),
            site.at("agent_tls_termination"),
        )
    yield from _pair(
        doc, site.path, data, "traffic_policy", "traffic_policy_file",
        "only one Traffic Policy can apply (which one the agent uses is not documented): keep one",
    )
    yield from _pair(
        doc, site.path, data, "policy", "traffic_policy",
        "`policy` is the old name of `traffic_policy` (agent 3.14 renamed it), and only one of them can apply: "
        "merge them into `traffic_policy`",
    )
    yield from _tls_versions(doc, site)
    for problem in _urls.problems(doc, site):
        yield finding(META, problem.message, problem.span, problem.path)


def _tls_tunnel(doc: Document, site: Site) -> Iterator[Finding]:
    data = site.data
    crt, key = _present(data, "crt"), _present(data, "key")
    if crt != key:
        given, missing = ("crt", "key") if crt else ("key", "crt")
        yield finding(
            META,
            f"tls tunnel `{site.name}` sets `{given}` without `{missing}`: agent 2.x refuses it (`TLS tunnel "
            f"'{site.name}' must supply both 'crt' and 'key' or neither`); give both, or neither",
            doc.key_span(site.at(given)),
            site.at(given),
        )
    if crt or key:
        return  # one of the pair is there: the finding above is the one to act on
    for cas in ("client_cas", "mutual_tls_cas"):
        if _present(data, cas):
            yield finding(
                META,
                f"`{cas}` on tls tunnel `{site.name}` needs `crt` and `key`, which it does not set: mutual TLS is "
                f"checked where the agent terminates TLS (agent 2.x: `Tunnel '{site.name}' specified client CA roots "
                "but no crt and key for TLS termination`); add both",
                doc.key_span(site.at(cas)),
                site.at(cas),
            )


def _http_phases_on_tcp(doc: Document, site: Site) -> Iterator[Finding]:
    policy = site.policy
    if site.proto not in ("tcp", "tls") or policy is None:
        return
    for phase in _HTTP_PHASES:
        if phase not in policy.data:
            continue
        path = policy.path + (phase,) if policy.inline else policy.path
        if policy.inline:
            source = ""
        elif policy.path[-1] == "traffic_policy_file":
            source = " (in the file `traffic_policy_file` names)"
        else:
            source = f" (in the `{policy.path[-1]}` text)"
        yield finding(
            META,
            f"`{phase}`{source} on {site.proto} {site.kind} `{site.name}` ({_where(doc, site)}): a {site.proto} "
            f"{site.kind} has no HTTP phase, so these rules never run; use `on_tcp_connect`",
            doc.key_span(path),
            path,
        )


def _version(value: Any) -> Optional[Tuple[int, int]]:
    match = _TLS_VERSION.match(str(value)) if value is not None else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _tls_versions(doc: Document, site: Site) -> Iterator[Finding]:
    for action in site.actions():
        if action.type != "terminate-tls":
            continue
        low, high = _version(action.config.get("min_version")), _version(action.config.get("max_version"))
        if low is None or high is None or high >= low:
            continue
        inline = site.policy is not None and site.policy.inline
        path = action.path + ("config", "max_version") if inline else action.path
        other = f", line {doc.key_span(action.path + ('config', 'min_version')).line}" if inline else ""
        yield finding(
            META,
            f"`terminate-tls` on {_label(site)} allows TLS up to {high[0]}.{high[1]} (`max_version`) but from "
            f"{low[0]}.{low[1]} (`min_version`{other}): no TLS version is left, so every handshake fails; "
            "raise `max_version` or lower `min_version`",
            doc.key_span(path),
            path,
        )


def _duplicate_names(doc: Document, sites: List[Site]) -> Iterator[Finding]:
    seen: Dict[str, Site] = {}
    for site in sites:
        if site.kind != "endpoint" or not _present(site.data, "name"):
            continue
        name = str(site.data["name"])
        first = seen.get(name)
        if first is None:
            seen[name] = site
            continue
        yield finding(
            META,
            f"endpoint name `{name}` is used again here (first on line {doc.key_span(first.at('name')).line}): "
            "`ngrok start` and the agent API tell endpoints apart by name; rename one",
            doc.key_span(site.at("name")),
            site.at("name"),
        )


# --- two sessions on one address --------------------------------------------------------------


def _addresses(site: Site) -> List[Tuple[Tuple[str, str, int], YamlPath]]:
    """(scheme, host, port) of every address the site binds, with the key that names it."""
    data = site.data
    if site.kind == "endpoint":
        url = site.url
        if not url or not url.strip():
            return []
        scheme = walk.endpoint_scheme(url)
        host, port, _ = walk.split_host_port(url if "://" in url else f"{scheme}://{url}")
        host = host.rstrip(".")
        if not host:
            return []  # `https://`, `tcp://`: a random address
        if port is None:
            port = _DEFAULT_PORTS.get(scheme)
        if port is None:
            return []  # a tcp URL without a port gets a random one
        return [((scheme, host, port), site.at("url"))]
    if site.proto == "tcp":
        if not _present(data, "remote_addr"):
            return []
        host, port, _ = walk.split_host_port(data["remote_addr"])
        return [(("tcp", host.rstrip("."), port or 0), site.at("remote_addr"))] if host and port else []
    key = next((k for k in ("domain", "hostname") if _present(data, k) and isinstance(data[k], str)), None)
    if key is None or site.proto not in ("http", "tls"):
        return []
    host = str(data[key]).strip().lower().rstrip(".")
    schemes = sorted(site.schemes) if site.proto == "http" else ["tls"]
    return [((scheme, host, _DEFAULT_PORTS[scheme]), site.at(key)) for scheme in schemes]


def _shared_addresses(doc: Document, sites: List[Site]) -> Iterator[Finding]:
    groups: Dict[Tuple[str, str, int], List[Tuple[Site, YamlPath]]] = {}
    for site in sites:
        for address, path in _addresses(site):
            members = groups.setdefault(address, [])
            if not any(member is site for member, _ in members):
                members.append((site, path))
    reported: set = set()
    for (scheme, host, port), members in groups.items():
        if len(members) < 2 or all(m.data.get("pooling_enabled") is True for m, _ in members):
            continue
        members.sort(key=lambda item: _offset(doc, item[1]))
        first, first_path = members[0]
        shown = f"{scheme}://{host}" + ("" if _DEFAULT_PORTS.get(scheme) == port else f":{port}")
        for site, path in members[1:]:
            if path in reported:
                continue  # a legacy `bind_tls: both` tunnel clashes on http and https: one finding
            reported.add(path)
            unpooled = [m.name for m, _ in members if m.data.get("pooling_enabled") is not True]
            which = ", ".join(f"`{name}`" for name in dict.fromkeys(unpooled))
            yield finding(
                META,
                f"{_label(site)} binds {shown}, which {_label(first)} (line {doc.key_span(first_path).line}) binds "
                f"too: ngrok refuses the second session unless every endpoint on the address sets "
                f"`pooling_enabled: true` (not set on {which})",
                doc.key_span(path),
                path,
            )
