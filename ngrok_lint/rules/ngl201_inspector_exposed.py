"""
## What it does
Reports the agent's local inspector and API reachable from outside the machine:

- `web_addr` (agent settings: the top level of legacy and v2 files, `agent.web_addr` in v3)
  bound to anything but a loopback host (`localhost`, `127.0.0.0/8`, `::1`): `0.0.0.0`, `::`,
  a LAN address, or a host name other than `localhost`;
- a tunnel or public endpoint whose upstream is the inspector's own address (the `web_addr`
  port, 4040 by default, on a loopback host, or the exact `web_addr` address), which publishes
  the inspector on the internet.

Not reported: `web_addr: false` (or `no`, `"false"`), which turns the inspector off; a bare port
(`web_addr: 4040` or `":4040"`), which agent 2.3.41 reads as `localhost:4040` and binds to
`127.0.0.1` only (where a format refuses a bare port, NGL002 says so); a value the agent refuses
(a host without a port, a URL), which NGL002 reports; an internal endpoint (`.internal` URL,
`bindings: [internal]`) forwarding to the inspector, which nothing on the internet reaches
directly.

In a container (a file under a `docker/` folder, or with a Dockerfile or Compose file in its
folder or the one above), `0.0.0.0` is how the inspector port gets published: whether anyone
outside reaches it depends on the port mapping, not on this file. There the rule reads the Compose
files beside the config (up to two folders above) and reports the bind only when an ngrok
service publishes that port on every interface of the host (`"4040:4040"`, `- 4040`); published
on `127.0.0.1`, or not published at all, it stays quiet, and so it does when no Compose file shows
the mapping (a value the rule cannot classify is not guessed). The choice was between this and a
lower severity in containers; a rule keeps one severity, and the mapping is the evidence.

## Why is this bad?
The local inspector and agent API have no authentication. Whoever reaches the port reads every
captured request and response (cookies, tokens, form posts), replays them, and can start new
public tunnels on your account through `POST /api/tunnels`. In a container, `0.0.0.0:4040` is how
the port gets published to the host; publishing it as `127.0.0.1:4040:4040` (Docker `-p`, Compose
`ports:`) keeps it on the host instead of every network the host is on.

## Example
```yaml
version: "3"
agent:
  web_addr: 0.0.0.0:4040
```

Use instead:
```yaml
version: "3"
agent:
  web_addr: 127.0.0.1:4040
```

## Fix
Unsafe: the host of `web_addr` becomes `127.0.0.1` and the port is kept (quotes too). Container
setups publish this port on purpose, so the container's port mapping has to change with it, or the
inspector is no longer reachable from the host. A tunnel that forwards to the inspector has no
fix: remove it, or put the inspector behind authentication on purpose and suppress the finding.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any, Iterator, Optional, Tuple

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.rules._access import describe

META = RuleMeta(
    code="NGL201",
    name="inspector-exposed",
    severity=Severity.ERROR,
    summary="the unauthenticated local inspector and agent API are reachable from the network",
    fix=FixKind.UNSAFE,
    security_severity=8.0,
)

DEFAULT_INSPECTOR = ("127.0.0.1", 4040)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    settings = walk.agent(doc)
    path = settings.path("web_addr")
    raw = settings.get("web_addr")
    inspector = _inspector(raw)
    if raw is not None and inspector is not None:
        host, port = inspector
        if not _loopback(host):
            plain = _message(str(raw).strip(), host, port)
            message = _in_container(doc, ctx, str(raw).strip(), port, plain) if _unspecified(host) else plain
            if message is not None:
                yield finding(META, message, doc.value_span(path), path, _fix(doc, path, port))
    if inspector is None:
        return
    for site in walk.sites(doc, ctx.base_dir):
        if not site.public or site.upstream is None:
            continue
        host, upstream_port, scheme = walk.split_host_port(site.upstream)
        if upstream_port != inspector[1] or scheme in ("https", "tls", "file"):
            continue  # the inspector speaks plain HTTP only; a TLS upstream there cannot reach it
        if host == inspector[0] or (_loopback(host) and (_loopback(inspector[0]) or _unspecified(inspector[0]))):
            where = "the default `127.0.0.1:4040`" if raw is None else f"`web_addr: {str(raw).strip()}`"
            yield finding(
                META,
                f"{describe(site)} forwards to `{site.upstream}`, the agent's own inspector and API ({where}): "
                "this publishes them on the internet, where anyone can read captured requests and start "
                "tunnels on your account",
                doc.value_span(site.upstream_path),
                site.upstream_path,
            )


def _inspector(raw: Any) -> Optional[Tuple[str, int]]:
    """(host, port) the inspector listens on; None when it is off or the agent refuses the value."""
    if raw is None:
        return DEFAULT_INSPECTOR
    if raw is False or isinstance(raw, (list, dict)):
        return None
    text = str(raw).strip()
    if text.lower() == "false" or "://" in text:
        return None
    host, port, _ = walk.split_host_port(text)  # `4040` and `:4040` come back as localhost
    if port is None or port > 65535 or not host:
        return None  # a host without a port, or a port out of range: the agent refuses it (NGL002)
    return host, port


def _in_container(doc: Document, ctx: Context, value: str, port: int, message: str) -> Optional[str]:
    """`0.0.0.0` inside a container is how the port gets published; whether anyone outside reaches
    it is the port mapping's call. With a Compose file beside the config that maps the port, judge
    by the mapping; in a container whose mapping is not visible, say nothing (not guessed)."""
    from ngrok_lint import filekind

    context = filekind.container_context(doc.path, ctx.base_dir)
    if context is None:
        return message
    published = filekind.published_port(ctx.base_dir, port)
    if published is None or not published[2]:
        return None  # not published, or published on the host's loopback only
    compose, mapping, _ = published
    return (
        f"`web_addr: {value}` in a container that `{os.path.basename(compose)}` publishes on every "
        f"interface of the host (`{mapping}`): the inspector and agent API, which have no authentication, "
        f"are open to the host's networks; publish it as `127.0.0.1:{port}:{port}`"
    )


def _loopback(host: str) -> bool:
    """Loopback as rules.md defines it: `localhost`, 127.0.0.0/8, ::1 (no other host name)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _message(value: str, host: str, port: int) -> str:
    risk = (
        "the inspector and agent API have no authentication: whoever reaches the port reads captured "
        "requests and can start tunnels on your account"
    )
    if _unspecified(host):
        return (
            f"`web_addr: {value}` binds every network interface; {risk}. Inside a container this bind is how "
            f"the port gets published: publish it as `127.0.0.1:{port}:{port}` to keep it on the host"
        )
    if walk.is_ip(host):
        return f"`web_addr: {value}` binds `{host}`, which is not a loopback address; {risk}"
    return (
        f"`web_addr: {value}` binds the host name `{host}`, which is not `localhost` and may resolve to a "
        f"network interface; {risk}"
    )


def _fix(doc: Document, path: YamlPath, port: int) -> Optional[Fix]:
    loc = doc.loc(path)
    if loc is None or loc.key is None or loc.raw is None or loc.style in ("|", ">"):
        return None
    if loc.value.start < loc.key.end:
        return None  # an alias: the text belongs to the anchored value elsewhere
    written = doc.text[loc.value.start : loc.value.end]
    if written.startswith("&"):
        return None  # an anchored value may be used elsewhere too: a person should decide
    quote = loc.style if loc.style in ("'", '"') else ""
    if quote:
        start = loc.value.start + written.find(quote)  # after a tag such as `!!str`
    else:
        start = loc.value.end - len(loc.raw)
        if doc.text[start : loc.value.end] != loc.raw:
            return None  # a plain scalar over several lines: not a simple splice
    return Fix(
        f"bind the inspector to `127.0.0.1:{port}`",
        Safety.UNSAFE,
        (Change(Op.TEXT, tuple(path), f"{quote}127.0.0.1:{port}{quote}", start=start, end=loc.value.end),),
    )
