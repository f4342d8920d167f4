"""
## What it does
Reports a public tunnel or endpoint that forwards to a remote-administration or database port with
no IP restriction:

- a tcp tunnel/endpoint whose upstream port is in the sensitive list;
- an http(s) tunnel/endpoint whose upstream port is one of the HTTP-speaking admin ports of that
  list (2375, 2376 Docker API, 5985, 5986 WinRM, 9200 Elasticsearch).

The default list is built from the IANA service-name registry (the services IANA registers for
remote administration, databases, message queues, caches and monitoring), plus a few services
whose default port IANA does not register for them, from their vendors' documentation; the table
and its sources are in `ngrok_lint/sensitive_ports.py`. Remote administration: 22 SSH, 23 Telnet,
445 SMB, 512/513/514 rexec/rlogin/rsh, 2375/2376 Docker API, 3389 RDP, 4822 guacd (Apache
Guacamole: opens RDP, VNC and SSH sessions into the network behind it), 5900/5901 VNC, 5985/5986
WinRM. Databases: 1433 SQL Server, 1521 Oracle, 3306 MySQL, 5432 PostgreSQL, 5984 CouchDB, 7474
Neo4j, 9042 Cassandra, 9200 Elasticsearch, 27017 MongoDB. Caches: 6379 Redis, 11211 Memcached.
Message queues: 1883 MQTT, 5672 AMQP, 9092 Kafka. Monitoring: 4949 Munin, 5666 Nagios NRPE, 6557
Checkmk Livestatus (runs monitoring commands), 10050 Zabbix agent.

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

from typing import Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._access import describe, ip_restricted
from ngrok_lint.sensitive_ports import HTTP_ADMIN_PORTS, SERVICES

META = RuleMeta(
    code="NGL202",
    name="exposed-admin-port",
    severity=Severity.WARNING,
    summary="a remote-administration or database port published with no IP restriction",
    options=("sensitive-ports",),
    security_severity=6.5,
)



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
