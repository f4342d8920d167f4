"""What ngrok's docs say endpoint URLs and upstream URLs must be: checks for NGL005.

Each check names its rule in ``ngrok_lint/facts/url_rules.json`` (source page and commit there),
and its message ends with that source. Only what a rule states is checked; a URL that holds a
variable (`$…`, `${…}`) or a placeholder (`<…>`) is left to NGL006 and NGL002.
"""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Optional, Set

from ngrok_lint import facts
from ngrok_lint.loader import Document
from ngrok_lint.model import Span, YamlPath
from ngrok_lint.walk import Site, endpoint_scheme, split_host_port

_PUBLIC_PORTS = {"http": 80, "https": 443, "tls": 443}


class Problem(NamedTuple):
    message: str
    span: Span
    path: YamlPath


def _source(rule_id: str) -> str:
    return f"(ngrok: {facts.url_rule(rule_id)['source']})"


def _opaque(value: str) -> bool:
    return any(mark in value for mark in ("$", "<", ">", "{", "}")) or any(c.isspace() for c in value.strip())


def _bindings(site: Site) -> Set[str]:
    raw = site.data.get("bindings")
    if isinstance(raw, list):
        # More than one binding is refused on its own (NGL005's `bindings` check): which one is
        # meant is unknown, so no binding rule is judged.
        return {str(item).lower() for item in raw if item is not None} if len(raw) == 1 else set()
    return {raw.lower()} if isinstance(raw, str) else set()


def _label(site: Site) -> str:
    return f"{site.kind} `{site.name}`"


def problems(doc: Document, site: Site) -> Iterator[Problem]:
    """Every URL rule the site breaks."""
    if site.kind == "endpoint" or ("url" in site.data and site.format != "legacy"):  # 2.x has no `url`
        yield from _url(doc, site)
    if site.kind == "endpoint":
        yield from _upstream(doc, site)


def _url(doc: Document, site: Site) -> Iterator[Problem]:
    raw = site.data.get("url")
    url = "" if raw is None else str(raw).strip()
    if _opaque(url):
        return
    bindings = _bindings(site)
    if "kubernetes" in bindings:
        return  # a Kubernetes service URL: the docs give no port or host rule for it
    scheme = endpoint_scheme(url or None)
    host, port, _ = split_host_port(url if "://" in url else f"{scheme}://{url}") if url else ("", None, scheme)
    host = host.rstrip(".")
    internal_host = host.endswith(".internal")
    where = site.at("url") if raw is not None else site.path
    span = doc.value_span(where) if raw is not None else doc.key_span(site.path)
    if "internal" in bindings and not internal_host:
        bound = site.at("bindings", 0) if isinstance(site.data.get("bindings"), list) else site.at("bindings")
        got = f"`url: {url}`" if host else ("no `url`" if raw is None else f"`url: {url}`, a random address")
        yield Problem(
            f"{_label(site)} is bound `internal` but has {got}: an internal endpoint needs an explicit host "
            f"ending in `.internal` (random addresses are not supported) {_source('internal-host')}",
            doc.value_span(bound), bound,
        )
        return
    if "public" in bindings and internal_host:
        yield Problem(
            f"{_label(site)} is bound `public` but `url: {url}` is a `.internal` host: public endpoints cannot use "
            f"`.internal`; drop `bindings` (a `.internal` URL is internal by itself) {_source('public-not-internal')}",
            span, where,
        )
        return
    if not host:
        return  # a random address (`https://`, `tcp://`, or no url)
    if scheme == "tcp" and port is None:
        rule = "internal-tcp-port" if internal_host else "public-tcp-port"
        yield Problem(
            f"{_label(site)}: `url: {url}` is a tcp URL without a port: a tcp endpoint URL must name its port "
            f"(`tcp://host:port`; `tcp://` alone asks for a random address) {_source(rule)}",
            span, where,
        )
        return
    expected = _PUBLIC_PORTS.get(scheme)
    if internal_host or expected is None or port is None or port == expected:
        return
    rule = "public-http-port" if scheme == "http" else "public-https-port"
    yield Problem(
        f"{_label(site)}: `url: {url}` is a public {scheme} endpoint on port {port}, but a public {scheme} "
        f"endpoint takes port {expected} only: drop the port {_source(rule)}",
        span, where,
    )


def _upstream(doc: Document, site: Site) -> Iterator[Problem]:
    value: Optional[Any] = site.upstream
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
        return
    text = str(value).strip()
    if not text or _opaque(text) or text.startswith("file://"):
        return
    path = site.upstream_path
    span = doc.value_span(path)
    host, port, scheme = split_host_port(text)
    shown = f"`upstream.url: {text}`"
    if site.proto == "http" and scheme == "tcp":
        url = site.data.get("url")
        served = f"`url: {url}`" if url is not None else "no `url`, so a random https address"
        yield Problem(
            f"{_label(site)} is an http(s) endpoint ({served}) and {shown} uses the tcp scheme: the agent refuses "
            "it (`specifies a URL with an unsupported scheme: tcp`); use `http://`/`https://`, or a `tcp://` url "
            f"for the endpoint {_source('http-upstream-no-tcp')}",
            span, path,
        )
        return
    if site.proto not in ("tcp", "tls"):
        return
    if scheme and not host:
        yield Problem(
            f"{_label(site)} is a {site.proto} endpoint and {shown} is a scheme alone: that shorthand works for http "
            f"and https endpoints only; write `host:port` {_source('upstream-scheme-shorthand')}",
            span, path,
        )
    elif port is None and scheme not in ("http", "https"):
        yield Problem(
            f"{_label(site)} is a {site.proto} endpoint and {shown} names no port: a {site.proto} endpoint's upstream "
            f"needs a host and a port (or a port alone) {_source('upstream-tcp-tls-host-port')}",
            span, path,
        )
