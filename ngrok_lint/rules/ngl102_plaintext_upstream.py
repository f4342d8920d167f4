"""
## What it does
Reports an http(s) tunnel or endpoint whose upstream (`addr`, or `upstream.url` in v3) is
another machine reached over plain HTTP: its host is an IP address outside loopback or a dotted
DNS name (`app.example.com`, `192.168.1.20`), and it is not an `https://` URL. A port of 443
without a scheme counts as HTTPS, as the agent reads it; an explicit `http://…:443` stays plain.

Not reported: loopback hosts (`localhost`, `127.0.0.0/8`, `::1`, a bare port); single-label
names such as Docker Compose or Kubernetes service names (`web:8080`); addresses that reach the
same machine from a container or a local VM: `host.docker.internal` and its kin
(`gateway.docker.internal`, `host.containers.internal`, `host.lima.internal`, …), Docker Desktop's
VM networks (10.0.75.0/24, the Hyper-V DockerNAT; 192.168.65.0/24), the docker0 bridge gateway
172.17.0.1, the user-mode NAT host 10.0.2.2, and any address inside a network that a Docker
Compose file beside the config (or up to two folders above) declares in `networks.*.ipam.config`;
tcp and tls tunnels and endpoints.

## Why is this bad?
ngrok encrypts traffic up to the agent. From the agent to the upstream, an `http://` hop crosses
the local network or the internet in clear text: anyone on that network can read and alter the
requests, credentials included.

## Example
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 192.168.1.20:8080
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: https://192.168.1.20:8080
```

## Fix
Unsafe: `https://` is put in front of the address (or replaces `http://`). The upstream must
then serve TLS on that port, which only you can arrange; the alternative is to run the agent on
the upstream's own machine and forward to `localhost`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Iterator, Optional

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, Fix, FixKind, RuleMeta, Safety, Severity, finding
from ngrok_lint.rules._transport import label, replace_scalar
from ngrok_lint.walk import is_ip, is_loopback, sites, split_host_port

META = RuleMeta(
    code="NGL102",
    name="plaintext-upstream",
    severity=Severity.WARNING,
    summary="an http(s) tunnel or endpoint reaches its upstream over the network in plain HTTP",
    fix=FixKind.UNSAFE,
    security_severity=5.5,
)

_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_DOTTED_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})+\.?")
# Stays on the Docker host's private network (rules.md, NGL102).
# Names and addresses that reach this same machine from inside a container or a local VM: the
# hop never leaves the host (rules.md, NGL102: "like `host.docker.internal`").
_PRIVATE_NAMES = frozenset({
    "host.docker.internal", "gateway.docker.internal",  # Docker Desktop networking docs
    "docker.for.mac.localhost", "docker.for.win.localhost",  # their older Docker Desktop spellings
    "docker.for.mac.host.internal", "docker.for.win.host.internal",
    "host.containers.internal",  # Podman (containers.conf, host_containers_internal_ip)
    "host.lima.internal",  # Lima / Colima (Lima network docs)
    "host.minikube.internal",  # minikube (the host, from inside the cluster)
    "host.k3d.internal",  # k3d
})
_SAME_HOST_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.75.0/24",  # Docker for Windows' Hyper-V "DockerNAT" switch (the host is 10.0.75.1)
    "192.168.65.0/24",  # Docker Desktop's VM network (host.docker.internal resolves there)
    "172.17.0.1/32",  # the default docker0 bridge's gateway: the Docker host itself
    "10.0.2.2/32",  # QEMU / VirtualBox user-mode NAT (and the Android emulator): the host's loopback
))


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in sites(doc, ctx.base_dir):
        if site.proto != "http" or site.upstream is None or isinstance(site.upstream, (bool, dict, list)):
            continue
        host, port, scheme = split_host_port(site.upstream)
        if scheme not in ("", "http") or (scheme == "" and port == 443):
            continue
        if not _remote(host) or _compose_network(host, ctx.base_dir):
            continue
        where = f"{host}:{port}" if port is not None else host
        key = site.upstream_path[-1] if site.kind == "tunnel" else "upstream.url"
        message = (
            f"{label(site)} forwards to `{where}` over plain HTTP: between the agent and `{host}` the traffic, "
            f"credentials included, crosses the network unencrypted; serve TLS there and point `{key}` at an "
            "`https://` URL, or run the agent on that machine and forward to `localhost`"
        )
        new = _https(str(site.upstream).strip())
        fix: Optional[Fix] = None
        if new is not None:
            fix = Fix(f"forward to `{new}`", Safety.UNSAFE, (replace_scalar(doc, site.upstream_path, new),))
        yield finding(META, message, doc.value_span(site.upstream_path), site.upstream_path, fix)


def _remote(host: str) -> bool:
    """A host outside this machine's private reach: a non-loopback IP, or a dotted DNS name."""
    host = host.strip("[]").lower()
    if not host or is_loopback(host) or host in _PRIVATE_NAMES:
        return False
    if is_ip(host):
        address = ipaddress.ip_address(host)
        if any(address in network for network in _SAME_HOST_NETWORKS):
            return False
        return not address.is_unspecified  # 0.0.0.0 / :: dial this machine
    return bool(_DOTTED_NAME.fullmatch(host))


def _compose_network(host: str, base_dir: Optional[str]) -> bool:
    """Is `host` an address of a network a Compose file beside the config declares (a container
    or the gateway on the same Docker host)?"""
    host = host.strip("[]")
    if not is_ip(host) or base_dir is None:
        return False
    from ngrok_lint.filekind import compose_subnets

    address = ipaddress.ip_address(host)
    for declared in compose_subnets(base_dir):
        try:
            if address in ipaddress.ip_network(declared, strict=False):
                return True
        except ValueError:
            continue
    return False


def _https(value: str) -> Optional[str]:
    if "://" in value:
        scheme, rest = value.split("://", 1)
        return f"https://{rest}" if scheme.lower() == "http" else None
    return f"https://{value}"
