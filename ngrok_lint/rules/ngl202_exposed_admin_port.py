"""
## What it does
Reports a public tunnel or endpoint that forwards to a remote-administration or database port with
no IP restriction:

- a tcp tunnel/endpoint whose upstream port is in the sensitive list (by default 22 SSH, 23
  Telnet, 445 SMB, 1433 SQL Server, 1521 Oracle, 2375/2376 Docker API, 3306 MySQL, 3389 RDP, 5432
  PostgreSQL, 5900/5901 VNC, 5985/5986 WinRM, 6379 Redis, 9200 Elasticsearch, 11211 Memcached,
  27017 MongoDB);
- an http(s) tunnel/endpoint whose upstream port is one of the HTTP-speaking admin ports of that
  list (2375, 2376, 5985, 5986, 9200).

The upstream port is read from `addr` / `upstream.url`; a bare port means localhost.

An IP restriction is: an enforced `restrict-ips` action with an allow list that does not hold
`0.0.0.0/0` or `::/0` (or with `ip_policies`, whose contents the file cannot show); the
`ip_restriction.allow_cidrs` module block of v2 tunnels; or a `deny` action in a rule whose
expressions test `conn.client_ip`. On a tcp or tls site only `on_tcp_connect` rules count.
Not reported: internal endpoints (`.internal` URL, `bindings: [internal]`), which nothing on the
internet reaches directly; a site whose `traffic_policy_file` cannot be read.

## Why is this bad?
ngrok's TCP addresses are scanned continuously. An SSH, RDP, database or Docker API port
published to the whole internet gets brute-forced within minutes, and several of these services
(Redis, Memcached, Elasticsearch, the Docker API) have no authentication by default.

## Example
```yaml
version: "3"
endpoints:
  - name: ssh
    url: tcp://
    upstream:
      url: 22
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: ssh
    url: tcp://
    upstream:
      url: 22
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: restrict-ips
              config:
                allow:
                  - 203.0.113.0/24
```

## Fix
None: which addresses should get in is for a person to decide.

## Options
- `sensitive-ports` (list of port numbers): replaces the default list above.
"""

from __future__ import annotations

from typing import Dict, Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._access import describe, ip_restricted

META = RuleMeta(
    code="NGL202",
    name="exposed-admin-port",
    severity=Severity.WARNING,
    summary="a remote-administration or database port published with no IP restriction",
    options=("sensitive-ports",),
    security_severity=6.5,
)

# Admin ports of the default list that speak HTTP, so an http(s) tunnel to them exposes them too.
HTTP_ADMIN_PORTS = frozenset({2375, 2376, 5985, 5986, 9200})

SERVICES: Dict[int, str] = {
    22: "SSH", 23: "Telnet", 445: "SMB", 1433: "SQL Server", 1521: "Oracle", 2375: "Docker API",
    2376: "Docker API over TLS", 3306: "MySQL", 3389: "RDP", 5432: "PostgreSQL", 5900: "VNC",
    5901: "VNC", 5985: "WinRM", 5986: "WinRM over HTTPS", 6379: "Redis", 9200: "Elasticsearch",
    11211: "Memcached", 27017: "MongoDB",
}


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    sensitive = frozenset(ctx.options.sensitive_ports)
    for site in walk.sites(doc, ctx.base_dir):
        if not site.public or site.upstream is None or site.proto not in ("tcp", "http"):
            continue
        _, port, _ = walk.split_host_port(site.upstream)
        if port is None or port not in sensitive:
            continue
        if site.proto == "http" and port not in HTTP_ADMIN_PORTS:
            continue
        if site.policy_unreadable or ip_restricted(site):
            continue
        service = SERVICES.get(port)
        what = f"port {port} ({service})" if service else f"port {port}"
        yield finding(
            META,
            f"{site.proto} {describe(site)} forwards to `{site.upstream}`, {what}, and lets the whole internet "
            "in: add a `restrict-ips` action with an `allow` list of the addresses that need it",
            doc.value_span(site.upstream_path),
            site.upstream_path,
        )
