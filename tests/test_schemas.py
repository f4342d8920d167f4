"""Tests of the published JSON Schemas (schemas/*.schema.json).

Facts come from shared/reference/ngrok-agent-config.md ("Verified corrections" first). YAML is
loaded with ``yaml.safe_load`` (YAML 1.1, like the agent: ``yes``/``no`` are booleans).
"""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
CORPUS = ROOT.parent / "shared" / "corpus" / "real-world"

FILES = {
    "legacy": "ngrok-agent-legacy.schema.json",
    "v2": "ngrok-agent-v2.schema.json",
    "v3": "ngrok-agent-v3.schema.json",
    "combined": "ngrok-agent.schema.json",
}
SCHEMA = {key: json.loads((SCHEMAS / name).read_text(encoding="utf-8")) for key, name in FILES.items()}
VALIDATOR = {key: jsonschema.Draft7Validator(schema) for key, schema in SCHEMA.items()}


def load(text: str):
    return yaml.safe_load(textwrap.dedent(text))


def errors(fmt: str, doc) -> list:
    return sorted(VALIDATOR[fmt].iter_errors(doc), key=lambda e: (list(map(str, e.absolute_path)), e.validator))


def signature(errs) -> set:
    return {(tuple(e.absolute_path), e.validator) for e in errs}


def show(errs) -> str:
    return "\n".join(f"  {'.'.join(map(str, e.absolute_path)) or '<root>'}: [{e.validator}] {e.message[:160]}" for e in errs)


# ---------------------------------------------------------------------------------------------
# The schemas themselves
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(FILES))
def test_schema_is_valid_draft07(key):
    schema = SCHEMA[key]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    from ngrok_lint.home import schema_url

    assert schema["$id"] == schema_url(FILES[key])
    assert schema["title"] and schema["description"]
    jsonschema.Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("key", ["legacy", "v2", "v3"])
def test_format_marker_and_strict_top_level(key):
    schema = SCHEMA[key]
    assert schema["x-ngrok-lint-format"] == key
    assert schema["additionalProperties"] is False


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


@pytest.mark.parametrize("key", sorted(FILES))
def test_schema_is_self_contained(key):
    schema = SCHEMA[key]
    for target in _refs(schema):
        assert target.startswith("#/definitions/"), target
        assert target.rsplit("/", 1)[1] in schema["definitions"], target


def _properties(node, path=""):
    """Yield (path, name, schema) for every declared property; `if` conditions are not declarations."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, sub in props.items():
                yield f"{path}/properties/{name}", name, sub
        for k, v in node.items():
            if k == "if":
                continue
            if k == "properties" and isinstance(v, dict):
                for name, sub in v.items():
                    yield from _properties(sub, f"{path}/properties/{name}")
            else:
                yield from _properties(v, f"{path}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _properties(v, f"{path}/{i}")


@pytest.mark.parametrize("key", sorted(FILES))
def test_every_property_is_documented(key):
    missing = [
        path
        for path, _name, sub in _properties(SCHEMA[key])
        if not (isinstance(sub, dict) and sub.get("description") and sub.get("markdownDescription"))
    ]
    assert not missing, "properties without description/markdownDescription:\n" + "\n".join(missing)


@pytest.mark.parametrize("key", sorted(FILES))
def test_deprecated_properties_name_a_replacement(key):
    for path, _name, sub in _properties(SCHEMA[key]):
        if sub.get("deprecated"):
            assert "Deprecated" in sub["description"], path


def _build_module():
    spec = importlib.util.spec_from_file_location("ngrok_lint_schema_build", SCHEMAS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_json_equals_generator_output():
    build = _build_module()
    generated = build.build()
    assert sorted(generated) == sorted(FILES.values())
    for name, schema in generated.items():
        on_disk = (SCHEMAS / name).read_text(encoding="utf-8")
        assert on_disk == build.render(schema), f"{name} is stale: run `python schemas/build.py`"


def test_field_coverage():
    """Every field the reference lists per format is declared (and nothing 3.x-only in legacy)."""
    legacy, v2, v3 = SCHEMA["legacy"], SCHEMA["v2"], SCHEMA["v3"]
    legacy_top = {
        "authtoken", "console_ui", "console_ui_color", "connect_timeout", "dns_resolver_ips",
        "heartbeat_interval", "heartbeat_tolerance", "http_proxy", "inspect_db_size", "log",
        "log_format", "log_level", "metadata", "region", "remote_management", "root_cas",
        "server_addr", "socks5_proxy", "tunnels", "update", "update_channel", "update_check",
        "web_addr", "compress_conn", "crash_report_url", "json_resolver_url", "pprof_addr", "server_sni",
    }
    assert set(legacy["properties"]) == legacy_top
    assert set(legacy["definitions"]["legacy_tunnel"]["properties"]) == {
        "proto", "addr", "auth", "bind_tls", "client_cas", "crt", "key", "host_header", "hostname",
        "subdomain", "inspect", "metadata", "remote_addr", "ip_policy",
    }
    v2_agent = {
        "api_key", "authtoken", "connect_interface", "connect_timeout", "console_ui",
        "console_ui_color", "crl_noverify", "dns_resolver_ips", "heartbeat_interval",
        "heartbeat_tolerance", "inspect_db_size", "log", "log_format", "log_level", "metadata",
        "proxy_url", "remote_management", "update_channel", "update_check", "web_addr", "web_allow_hosts",
    }
    assert v2_agent | {"version", "region", "root_cas", "server_addr", "tunnels"} <= set(v2["properties"])
    agent = set(v3["definitions"]["v3_agent"]["properties"])
    assert v2_agent | {"connect_cas", "connect_url"} <= agent
    assert not agent & {"region", "root_cas", "server_addr", "version", "tunnels"}
    assert set(v3["properties"]) == {"version", "agent", "endpoints", "tunnels"}
    assert v3["required"] == ["version"]  # `agent` is optional in practice
    tunnel = set(v2["definitions"]["v2_tunnel"]["properties"])
    assert {
        "proto", "addr", "metadata", "inspect", "domain", "hostname", "subdomain", "schemes",
        "basic_auth", "host_header", "crt", "key", "circuit_breaker", "compression", "ip_restriction",
        "mutual_tls_cas", "oauth", "proxy_proto", "request_header", "response_header",
        "user_agent_filter", "verify_webhook", "websocket_tcp_converter", "policy", "traffic_policy",
        "remote_addr", "terminate_at", "labels", "pooling_enabled",
    } <= tunnel
    assert not tunnel & {"bind_tls", "auth", "client_cas"}
    assert set(v3["definitions"]["v3_tunnel"]["properties"]) == tunnel - {"labels"}
    endpoint = v3["definitions"]["v3_endpoint"]
    assert {
        "name", "url", "description", "metadata", "bindings", "traffic_policy", "traffic_policy_file",
        "upstream", "agent_tls_termination", "pooling_enabled",
    } <= set(endpoint["properties"])
    assert set(endpoint["properties"]["upstream"]["properties"]) == {"url", "protocol", "proxy_protocol"}
    assert set(endpoint["properties"]["agent_tls_termination"]["properties"]) == {
        "server_certificate", "server_private_key", "mutual_tls_certificate_authorities",
    }
    typed = set()
    for clause in v3["definitions"]["tp_action"]["allOf"]:
        cond = clause["if"]["properties"]["type"]
        typed |= {cond["const"]} if "const" in cond else set(cond["enum"])
    assert typed >= {
        "restrict-ips", "basic-auth", "oauth", "openid-connect", "jwt-validation", "verify-webhook",
        "terminate-tls", "rate-limit",
    }


# ---------------------------------------------------------------------------------------------
# Valid examples: reference §1–§4 snippets and §8 examples 1–20
# ---------------------------------------------------------------------------------------------
VALID = [
    # ---- §1.2 legacy 2.x format (no `version`) ----
    ("s1.2-legacy-all-keys", "legacy", """
        authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        console_ui: iftty
        console_ui_color: transparent
        connect_timeout: 10s
        dns_resolver_ips:
          - 1.1.1.1
          - "2606:4700:4700::1111"
        heartbeat_interval: 1m
        heartbeat_tolerance: 15s
        http_proxy: http://user:pass@proxy.example.com:3128
        inspect_db_size: 0
        log: stdout
        log_format: logfmt
        log_level: info
        metadata: '{"serial": "00012xa-33rUtz9"}'
        region: eu
        remote_management: true
        root_cas: trusted
        update: false
        update_channel: stable
        update_check: true
        web_addr: 127.0.0.1:4040
        tunnels:
          web:
            proto: http
            addr: 8080
            auth: "user:secretpassword"
            bind_tls: true
            host_header: rewrite
            subdomain: myapp
            inspect: false
            metadata: web tunnel
          site:
            proto: http
            addr: https://localhost:8443
            hostname: app.example.com
            bind_tls: both
          ssh:
            proto: tcp
            addr: 22
            remote_addr: 1.tcp.ngrok.io:12345
          secure:
            proto: tls
            addr: 443
            hostname: tls.example.com
            crt: /etc/ngrok/tls.crt
            key: /etc/ngrok/tls.key
            client_cas: /etc/ngrok/ca.pem
        """),
    ("s1.2-legacy-hidden-keys", "legacy", """
        compress_conn: true
        crash_report_url: https://crash.example.com
        json_resolver_url: https://resolver.example.com
        pprof_addr: 127.0.0.1:6060
        server_sni: tunnel.example.com
        server_addr: tunnel.example.com:443
        socks5_proxy: socks5://localhost:9150
        root_cas: host
        tunnels:
          a:
            proto: tcp
            addr: 22
            ip_policy: ipp_123
        """),
    ("s1.2-legacy-bind-tls-values", "legacy", """
        tunnels:
          t1: {proto: http, addr: 80, bind_tls: true}
          t2: {proto: http, addr: 81, bind_tls: false}
          t3: {proto: http, addr: 82, bind_tls: both}
          t4: {proto: http, addr: 83, bind_tls: "true"}
          t5: {proto: http, addr: 84, bind_tls: "false"}
          t6: {proto: http, addr: 85, bind_tls: yes}
          t7: {proto: http, addr: 86, bind_tls: TRUE}
          t8: {proto: http, addr: 87, bind_tls: }
          t9: {proto: tcp, addr: 22, bind_tls: maybe}
        """),
    ("s1.2-legacy-web-addr-false", "legacy", "web_addr: false\n"),
    ("s1.2-legacy-web-addr-quoted-false", "legacy", 'web_addr: "false"\n'),
    ("s1.2-legacy-web-addr-no", "legacy", "web_addr: no\n"),
    ("s1.2-legacy-web-addr-bare-port", "legacy", "web_addr: 4040\n"),
    ("s1.2-legacy-web-addr-colon-port", "legacy", 'web_addr: ":4040"\n'),
    ("s1.2-legacy-web-addr-v6", "legacy", 'web_addr: "[::1]:4040"\n'),
    *[(f"s1.2-legacy-region-{r}", "legacy", f"region: {r}\n") for r in ["us", "eu", "ap", "au", "sa", "jp", "in", '""']],
    ("s1.2-legacy-update-channel-beta", "legacy", "update_channel: beta\n"),
    ("s1.2-legacy-update-channel-testing", "legacy", "update_channel: testing\n"),
    ("s1.2-legacy-console-ui-color-black", "legacy", "console_ui_color: black\n"),
    ("s1.2-legacy-console-ui-free-string", "legacy", "console_ui: fasle\n"),
    ("s1.2-legacy-addr-forms", "legacy", """
        tunnels:
          a: {proto: http, addr: 80}
          b: {proto: http, addr: "80"}
          c: {proto: http, addr: localhost}
          d: {proto: http, addr: "localhost:80"}
          e: {proto: http, addr: ":80"}
          f: {proto: http, addr: "[::1]:80"}
          g: {proto: http, addr: "http://localhost:80"}
          h: {proto: http, addr: "file:///tmp"}
          i: {proto: tcp, addr: "10.0.0.5:5432"}
          j: {proto: tls, addr: "tls://localhost:443"}
        """),
    ("s1.2-legacy-scalar-typing", "legacy", """
        authtoken: 12345
        metadata: 123
        web_addr: false
        log: false
        tunnels:
          a: {proto: http, addr: 80, auth: 12345, host_header: 1}
        """),
    ("s1.2-legacy-durations", "legacy", """
        connect_timeout: 0
        heartbeat_interval: -5s
        heartbeat_tolerance: 1m30s
        """),
    ("s1.2-legacy-durations-bare-numbers", "legacy", """
        connect_timeout: 10
        heartbeat_interval: 1.5
        heartbeat_tolerance: 15s
        """),
    ("s1.2-legacy-inspect-db-disabled", "legacy", "inspect_db_size: -1\n"),
    ("s1.2-legacy-inspect-db-float-truncated", "legacy", "inspect_db_size: 1.5\n"),
    ("s1.2-legacy-remote-addr-ignored-on-http", "legacy", """
        tunnels:
          a: {proto: http, addr: 80, remote_addr: 9000}
        """),
    ("s1.2-legacy-empty-values", "legacy", """
        authtoken:
        region:
        tunnels:
        """),
    ("s1.2-legacy-authtoken-only", "legacy", "authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n"),
    # ---- §1.3 config version 2 ----
    ("s1.3-v2-int-version", "v2", "version: 2\nauthtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n"),
    ("s1.3-v2-string-version", "v2", 'version: "2"\nauthtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n'),
    ("s1.3-v2-config-upgrade-output", "v2", """
        version: "2"
        authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        region: us
        tunnels:
          web:
            proto: http
            addr: 8080
            schemes: [http, https]
            basic_auth: ["user:secretpassword"]
        """),
    # ---- §1.4 config version 3 ----
    ("s1.4-v3-add-authtoken", "v3", 'version: "3"\nagent:\n  authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n'),
    ("s1.4-v3-endpoints-and-tunnels", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        endpoints:
          - name: api
            url: https://api.example.com
            upstream:
              url: 8080
        tunnels:
          legacy-web:
            proto: http
            addr: 3000
        """),
    # ---- §2.1 v2 top level, every key ----
    ("s2.1-v2-all-top-level-keys", "v2", """
        version: 2
        authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        api_key: 24yRd5U3DestCQapJrrVHLOqiAC_7RviwRqpd3wc9dKLujQZN
        connect_interface: eth0
        connect_timeout: 30s
        console_ui: iftty
        console_ui_color: transparent
        crl_noverify: false
        dns_resolver_ips: [1.1.1.1, 8.8.8.8]
        heartbeat_interval: 1m
        heartbeat_tolerance: 5s
        inspect_db_size: 104857600
        log: /var/log/ngrok.log
        log_format: json
        log_level: debug
        metadata: '{"serial": "00012xa-33rUtz9", "comment": "For customer alan@example.com"}'
        proxy_url: socks5://localhost:9150
        region: us-cal-1
        remote_management: false
        root_cas: /etc/ssl/ngrok-ca.pem
        server_addr: tunnel.us.ingress.example.com:443
        update_channel: unstable
        update_check: false
        web_addr: localhost:4040
        web_allow_hosts:
          - 8.8.8.8
          - "1:2:3:4:5:6:7:8"
          - 10.0.0.0/8
          - example.com
          - .example.com
        """),
    ("s2.1-v2-console-ui-bool", "v2", "version: 2\nconsole_ui: false\n"),
    ("s2.1-v2-region-auto-unverified", "v2", "version: 2\nregion: auto\n"),
    ("s2.1-v2-web-addr-false", "v2", "version: 2\nweb_addr: false\n"),
    ("s2.1-v2-proxy-url-http", "v2", "version: 2\nproxy_url: https://proxy.example.com:8443\n"),
    # ---- §2.2 v2 tunnels, every key ----
    ("s2.2-v2-http-tunnel-all-keys", "v2", """
        version: 2
        tunnels:
          web:
            proto: http
            addr: https://localhost:8443
            metadata: web
            inspect: true
            domain: '*.example.com'
            schemes: [https]
            basic_auth:
              - "bob:bobpassword"
            host_header: preserve
            circuit_breaker: 0.5
            compression: true
            ip_restriction:
              allow_cidrs: [110.0.0.0/8, "2001:db8::/32"]
              deny_cidrs: [110.2.3.4/32]
            mutual_tls_cas: /path/to/cas.pem
            oauth:
              provider: google
              allow_domains: [example.com]
              allow_emails: [kate.libby@gmail.com]
              scopes: [openid, email]
              client_id: my-client
              client_secret: my-secret
            proxy_proto: 2
            request_header:
              add: ["X-Env: prod"]
              remove: [X-Debug]
            response_header:
              add: ["Access-Control-Allow-Origin: *"]
              remove: [Server]
            user_agent_filter:
              allow: ["^curl/"]
              deny: [".*bot.*"]
            verify_webhook:
              provider: slack
              secret: "{slack webhook secret}"
            websocket_tcp_converter: false
            pooling_enabled: true
        """),
    ("s2.2-v2-http-deprecated-hostname-subdomain", "v2", """
        version: "2"
        tunnels:
          a: {proto: http, addr: 80, hostname: app.example.com}
          b: {proto: http, addr: 81, subdomain: myapp}
        """),
    ("s2.2-v2-http-oidc-unverified", "v2", """
        version: 2
        tunnels:
          a:
            proto: http
            addr: 80
            oidc:
              issuer_url: https://accounts.example.com
              client_id: abc
              client_secret: def
              scopes: [openid]
        """),
    ("s2.2-v2-unverified-cli-keys", "v2", """
        version: 2
        tunnels:
          a:
            proto: http
            addr: 80
            name: a
            url: https://a.example.com
            description: my tunnel
            traffic_policy_file: /etc/ngrok/policy.yml
            upstream_tls_verify: true
            upstream_tls_verify_cas: /etc/ngrok/upstream-ca.pem
            app_protocol: http2
            bindings: [public]
        """),
    ("s2.2-v2-tcp-tunnel", "v2", """
        version: 2
        tunnels:
          db:
            proto: tcp
            addr: 5432
            remote_addr: 1.tcp.ngrok.io:12345
            ip_restriction:
              allow_cidrs: [1.1.1.1/32]
            proxy_proto: "1"
            traffic_policy:
              on_tcp_connect:
                - actions:
                    - type: restrict-ips
                      config:
                        allow: [1.1.1.1/32]
        """),
    ("s2.2-v2-tls-tunnel", "v2", """
        version: 2
        tunnels:
          tls:
            proto: tls
            addr: 443
            domain: app.example.com
            crt: example.crt
            key: example.key
            mutual_tls_cas: ca.pem
            terminate_at: agent
            ip_restriction:
              deny_cidrs: [10.0.0.0/8]
        """),
    ("s2.2-v2-labeled-tunnel", "v2", """
        version: 2
        tunnels:
          my-cool-website:
            labels:
              - env=prod
              - team=infra
            addr: 8000
            inspect: false
          ssh-tunnel:
            labels:
              - hostname=my-hostname
              - edge=edghts_2gYaK9XAVa3ANouaDEPrkeaxkYT
            addr: 22
            crt: a.crt
            key: a.key
        """),
    ("s2.2-v2-deprecated-policy", "v2", """
        version: 2
        tunnels:
          a:
            proto: http
            addr: 80
            policy:
              inbound:
                - name: DenyAll
                  expressions: ["req.url.path.startsWith('/admin')"]
                  actions:
                    - type: deny
              outbound:
                - actions:
                    - type: add-headers
                      config:
                        headers:
                          x-frame-options: DENY
        """),
    ("s2.2-v2-traffic-policy-phases", "v2", """
        version: 2
        tunnels:
          a:
            proto: http
            addr: 80
            traffic_policy:
              on_http_request:
                - actions:
                    - type: basic-auth
                      config:
                        credentials: ["user:password123"]
              on_http_response:
                - actions:
                    - type: remove-headers
                      config:
                        headers: [server]
        """),
    # ---- §3 config version 3 ----
    ("s3.2-v3-agent-all-keys", "v3", """
        version: 3
        agent:
          api_key: 24yRd5U3DestCQapJrrVHLOqiAC_7RviwRqpd3wc9dKLujQZN
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
          connect_cas: host
          connect_interface: eth0
          connect_timeout: 10s
          connect_url: connect.example.com:443
          console_ui: true
          console_ui_color: black
          crl_noverify: false
          dns_resolver_ips: [1.1.1.1]
          heartbeat_interval: 10s
          heartbeat_tolerance: 15s
          inspect_db_size: -1
          log: stderr
          log_format: logfmt
          log_level: warn
          metadata: agent-7
          proxy_url: http://proxy.example.com:3128
          remote_management: true
          update_channel: beta
          update_check: true
          web_addr: 127.0.0.1:4040
          web_allow_hosts: [localhost]
        """),
    ("s3.1-v3-no-agent-block", "v3", """
        version: "3"
        endpoints:
          - name: web
            upstream:
              url: 8080
        """),
    ("s3.3-v3-endpoint-all-keys", "v3", """
        version: 3
        endpoints:
          - name: full
            url: https://example.ngrok.app:443
            description: the full endpoint
            metadata: '{"team": "infra"}'
            bindings: [public]
            traffic_policy:
              on_http_request:
                - actions:
                    - type: deny
            upstream:
              url: http://localhost:8080
              protocol: http2
              proxy_protocol: "2"
            pooling_enabled: false
            inspect: false
          - name: tls
            url: tls://app.example.com
            upstream:
              url: tls://localhost:443
            agent_tls_termination:
              server_certificate: /etc/ngrok/app.crt
              server_private_key: /etc/ngrok/app.key
              mutual_tls_certificate_authorities: [/etc/ngrok/ca.pem]
        """),
    ("s3.3-v3-url-forms", "v3", """
        version: 3
        endpoints:
          - {name: a, url: example.org, upstream: {url: 80}}
          - {name: b, url: "https://example.ngrok.app", upstream: {url: 80}}
          - {name: c, url: "http://example.ngrok.app:80", upstream: {url: 80}}
          - {name: d, url: "tcp://1.tcp.ngrok.io:12345", upstream: {url: 22}}
          - {name: e, url: "tls://example.ngrok.app", upstream: {url: 443}}
          - {name: f, url: "https://", upstream: {url: 80}}
          - {name: g, url: "http://", upstream: {url: 80}}
          - {name: h, url: "tcp://", upstream: {url: 22}}
          - {name: i, url: "tls://", upstream: {url: 443}}
          - {name: j, url: "", upstream: {url: 80}}
          - {name: k, url: "https://*.example.com", upstream: {url: 80}}
          - {name: l, url: "https://api.internal", upstream: {url: 80}}
          - {name: m, url: "tls://x.internal:12345", upstream: {url: 443}}
          - {name: n, url: "tcp://x.internal:12345", upstream: {url: 22}}
          - {name: o, url: "https://example-service.example-namespace", bindings: [kubernetes], upstream: {url: 80}}
          - {name: p, url: "https://api.internal", bindings: [internal], upstream: {url: 80}}
          - {name: q, upstream: {url: 80}}
        """),
    ("s3.3-v3-upstream-url-forms", "v3", """
        version: 3
        endpoints:
          - {name: a, upstream: {url: 8080}}
          - {name: b, upstream: {url: "192.168.1.2:5432"}}
          - {name: c, upstream: {url: "http://example.org:80"}}
          - {name: d, upstream: {url: "https://example.org"}}
          - {name: e, upstream: {url: "tcp://127.0.0.1:80"}}
          - {name: f, upstream: {url: "tls://localhost:443"}}
          - {name: g, upstream: {url: example.org}}
          - {name: h, upstream: {url: "https://"}}
          - {name: i, upstream: {url: "file:///var/log"}}
          - {name: j, upstream: {url: 443}}
          - {name: k, upstream: {url: 80, proxy_protocol: 1}}
        """),
    ("s3.4-v3-tunnels-v2-syntax", "v3", """
        version: 3
        tunnels:
          web:
            proto: http
            addr: 80
            schemes: [https]
            domain: app.example.com
            traffic_policy:
              on_http_request:
                - actions: [{type: deny}]
        """),
    # ---- §4 Traffic Policy ----
    ("s4.3-tp-security-actions", "v3", """
        version: 3
        endpoints:
          - name: secured
            url: https://secure.example.com
            upstream:
              url: 8080
            traffic_policy:
              on_tcp_connect:
                - name: tls
                  actions:
                    - type: terminate-tls
                      config:
                        min_version: "1.3"
                        max_version: "1.3"
                        server_certificate: "${secrets.get('vault', 'crt')}"
                        server_private_key: "${secrets.get('vault', 'key')}"
                        mutual_tls_certificate_authorities: [cas_123]
                        mutual_tls_verification_strategy: require-and-verify
                - actions:
                    - type: restrict-ips
                      config:
                        enforce: true
                        allow: [1.1.1.1/32, "2001:db8::/32", "${vars.allowed}"]
                        deny: [10.0.0.0/8]
                        ip_policies: [ipp_123]
              on_http_request:
                - actions:
                    - type: basic-auth
                      config:
                        credentials:
                          - "alice:${secrets.get('vault', 'alice')}"
                          - username1:password1
                        realm: internal
                        enforce: true
                - actions:
                    - type: oauth
                      config:
                        provider: github
                        auth_id: gh
                        client_id: abc
                        client_secret: "${secrets.get('vault', 'gh')}"
                        scopes: [read:user]
                        authz_url_params: {prompt: consent}
                        max_session_duration: 24h
                        idle_session_timeout: 30m
                        userinfo_refresh_interval: 1h
                        allow_cors_preflight: false
                        auth_cookie_domain: example.com
                - expressions:
                    - "!(actions.ngrok.oauth.identity.email in ['alice@example.com'])"
                  actions:
                    - type: deny
                      config:
                        status_code: 403
                - actions:
                    - type: openid-connect
                      config:
                        issuer_url: https://accounts.google.com
                        client_id: abc
                        client_secret: def
                        scopes: [openid, email]
                        idle_session_duration: 30m
                - actions:
                    - type: oidc
                      config:
                        issuer_url: https://idp.example.com
                - actions:
                    - type: jwt-validation
                      config:
                        issuer:
                          allow_list:
                            - value: https://idp.example.com
                        audience:
                          allow_list:
                            - value: api
                        http:
                          tokens:
                            - type: jwt
                              method: header
                              name: Authorization
                              prefix: "Bearer "
                        jws:
                          allowed_algorithms: [RS256]
                          keys:
                            sources:
                              additional_jkus: [https://idp.example.com/.well-known/jwks.json]
                - actions:
                    - type: verify-webhook
                      config:
                        provider: github
                        secret: "${secrets.get('vault', 'gh-hook')}"
                        enforce: true
                - actions:
                    - type: rate-limit
                      config:
                        name: per-ip
                        algorithm: sliding_window
                        capacity: 100
                        rate: 60s
                        bucket_key: [conn.client_ip]
                        enforce: true
        """),
    ("s4.3-tp-other-actions", "v3", """
        version: 3
        endpoints:
          - name: misc
            upstream: {url: 80}
            traffic_policy:
              on_http_request:
                - actions:
                    - type: add-headers
                      config: {headers: {x-country: "${conn.geo.country_code}"}}
                    - type: remove-headers
                      config: {headers: [referrer]}
                    - type: redirect
                      config: {from: "^/old", to: "/new", status_code: 301}
                    - type: url-rewrite
                      config: {from: "^/a", to: "/b"}
                    - type: custom-response
                      config: {status_code: 200, body: ok, headers: {content-type: text/plain}}
                    - type: forward-internal
                      config: {url: "https://api.internal", on_error: continue}
                    - type: circuit-breaker
                      config: {error_threshold: 0.5, volume_threshold: 10}
                    - type: set-vars
                      config: {vars: [{a: b}]}
                    - type: log
                    - type: close-connection
              on_http_response:
                - actions:
                    - type: compress-response
                      config: {algorithms: [gzip]}
        """),
    ("s4.1-tp-as-string", "v3", """
        version: 3
        endpoints:
          - name: s
            upstream: {url: 80}
            traffic_policy: |
              on_http_request:
                - actions:
                    - type: deny
        """),
    ("s4.3-tp-unquoted-tls-version", "v3", """
        version: 3
        endpoints:
          - name: t
            url: tls://t.example.com
            upstream: {url: 443}
            traffic_policy:
              on_tcp_connect:
                - actions:
                    - type: terminate-tls
                      config: {min_version: 1.2, max_version: 1.3}
        """),
    ("s4.2-tp-null-leaves", "v3", """
        version: 3
        endpoints:
          - name: n
            upstream: {url: 80}
            traffic_policy:
              on_http_request:
              on_http_response:
                - actions:
                    - type: custom-response
                      config:
        """),
    # ---- §8 examples 1–20 ----
    ("ex01-v3-minimal", "v3", """
        version: 3
        agent:
          authtoken: <token>
        endpoints:
          - name: basic
            url: basic.ngrok.app
            upstream:
              url: 8080
        """),
    ("ex02-v3-multiple-endpoints", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        endpoints:
          - name: foo
            description: the foo endpoint
            metadata: '{"id": "foo"}'
            upstream:
              url: 8080
              protocol: http1
          - name: bar
            upstream:
              url: 8080
        """),
    ("ex03-v3-inline-policy", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        endpoints:
          - name: example
            url: example.ngrok.app
            upstream:
              url: 8080
            traffic_policy:
              on_http_request:
                - actions:
                    - type: custom-response
                      config:
                        status_code: 200
                        body: Hello, World!
                        headers:
                          content-type: text/plain
        """),
    ("ex04-v3-policy-file", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        endpoints:
          - name: example
            url: example.ngrok.app
            traffic_policy_file: /path/to/your/traffic-policy.yml
            upstream:
              url: 8080
              protocol: http2
        """),
    ("ex05-v3-random-address", "v3", """
        version: 3
        endpoints:
          - name: random
            upstream:
              url: 8080
          - name: random-https
            url: https://
            upstream:
              url: 8080
          - name: random-http
            url: http://
            upstream:
              url: 8080
          - name: random-tcp
            url: tcp://
            upstream:
              url: 22
        """),
    ("ex06-v3-basic-auth", "v3", """
        version: 3
        endpoints:
          - name: example
            url: https://your-subdomain-here.ngrok-free.app
            upstream:
              url: 80
            traffic_policy:
              on_http_request:
                - actions:
                    - type: basic-auth
                      config:
                        credentials:
                          - username1:password1
                          - username2:password2
        """),
    ("ex07-v3-oauth-google", "v3", """
        version: 3
        endpoints:
          - name: example
            url: https://example.ngrok.app
            upstream:
              url: 80
            traffic_policy:
              on_http_request:
                - actions:
                    - type: oauth
                      config:
                        provider: google
        """),
    ("ex08-v3-headers", "v3", """
        version: 3
        endpoints:
          - name: example
            url: https://example.ngrok.app
            upstream:
              url: 80
            traffic_policy:
              on_http_request:
                - actions:
                    - type: add-headers
                      config:
                        headers:
                          country: ${conn.geo.country_code}
                    - type: remove-headers
                      config:
                        headers: ["referrer"]
                    - type: add-headers
                      config:
                        headers:
                          host: localhost
        """),
    ("ex09-v3-https-upstream", "v3", """
        version: 3
        endpoints:
          - name: example
            url: https://example.ngrok.app
            upstream:
              url: https://localhost:8443
          - name: nonlocal
            url: http://example.ngrok.app
            upstream:
              url: http://192.168.1.2
        """),
    ("ex10-v3-file-server", "v3", """
        version: 3
        endpoints:
          - name: files
            url: https://files.ngrok.app
            upstream:
              url: "file:///var/log"
          - name: windows-files
            url: https://winfiles.ngrok.app
            upstream:
              url: "file://C:\\\\Users\\\\alan\\\\Directory Name"
        """),
    ("ex11-v3-tcp", "v3", """
        version: 3
        endpoints:
          - name: rdp
            url: tcp://1.tcp.eu.ngrok.io:12345
            upstream:
              url: 3389
          - name: ssh
            url: tcp://
            upstream:
              url: 22
          - name: postgres
            url: tcp://
            upstream:
              url: 192.168.1.2:5432
          - name: proxied
            url: tcp://
            upstream:
              url: 25565
              proxy_protocol: 2
        """),
    ("ex12-v3-tls", "v3", """
        version: 3
        endpoints:
          - name: passthrough
            url: tls://app.example.com
            upstream:
              url: localhost:443
          - name: edge-termination
            url: tls://edge.example.com
            upstream:
              url: 8080
            traffic_policy:
              on_tcp_connect:
                - actions:
                    - type: terminate-tls
                      config:
                        min_version: "1.2"
          - name: reencrypt
            url: tls://re.example.com
            upstream:
              url: tls://localhost:443
          - name: example
            url: tls://agent.example.com
            upstream:
              url: 80
            agent_tls_termination:
              server_certificate: /path/to/app-example-com-crt.pem
              server_private_key: /path/to/app-example-com-crt.key
              mutual_tls_certificate_authorities: ["/path/to/cas.pem"]
        """),
    ("ex13-v3-connect-url", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
          connect_url: connect.example.com:443
        """),
    ("ex14-v3-pooling", "v3", """
        version: 3
        endpoints:
          - name: service
            url: 'https://service.internal'
            pooling_enabled: true
            upstream:
              url: http://localhost:8080
        """),
    ("ex15-v3-kubernetes-binding", "v3", """
        version: 3
        endpoints:
          - name: k8s
            url: https://example-service.example-namespace
            bindings: [kubernetes]
            upstream:
              url: 8080
        """),
    ("ex16-v2-full-example", "v2", """
        authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        api_key: 24yRd5U3DestCQapJrrVHLOqiAC_7RviwRqpd3wc9dKLujQZN
        connect_timeout: 30s
        console_ui: iftty
        console_ui_color: transparent
        crl_noverify: false
        dns_resolver_ips:
          - 1.1.1.1
          - 8.8.8.8
        heartbeat_interval: 1m
        heartbeat_tolerance: 5s
        inspect_db_size: 104857600 # 100mb
        log_level: info
        log_format: json
        log: /var/log/ngrok.log
        metadata: '{"serial": "00012xa-33rUtz9", "comment": "For customer alan@example.com"}'
        proxy_url: socks5://localhost:9150
        remote_management: false
        root_cas: trusted
        server_addr: tunnel.us.ingress.example.com:443
        update_channel: stable
        update_check: false
        version: 2
        web_addr: localhost:4040
        web_allow_hosts:
          - 8.8.8.8
          - example.com
        tunnels:
          example-website:
            addr: 8888
            basic_auth:
              - "bob:bobpassword"
            schemes:
              - https
            host_header: "app.local"
            inspect: false
            proto: http
            domain: myapp.ngrok.app
          example-e2e-tls:
            addr: 9000
            proto: tls
            domain: myapp.example.com
            crt: example.crt
            key: example.key
          example-traffic-policy:
            traffic_policy:
              on_tcp_connect:
                - name: LimitIPs
                  expressions:
                    - "conn.client_ip != '1.1.1.1'"  # Example rule to deny specific IPs.
                  actions:
                    - type: deny
            addr: 8000
            proto: tcp
          example-ssh-access:
            addr: 22
            proto: tcp
            remote_addr: 1.tcp.ngrok.io:12345
          example-load-balanced-edge:
            labels:
              - env=prod
              - team=infra
            addr: 8000
        """),
    ("ex17-v2-legacy-policy-syntax", "v2", """
        version: 2
        tunnels:
          example:
            proto: tcp
            addr: 22
            traffic_policy:
              inbound:
                - name: LimitIPs
                  expressions:
                    - "conn.client_ip != '1.1.1.1'"
                  actions:
                    - type: deny
        """),
    ("ex18-v2-2023-full-example", "v2", """
        version: 2
        authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        region: us
        root_cas: trusted
        proxy_url: socks5://localhost:9150
        web_addr: localhost:4040
        inspect_db_size: 50000000
        inspect_db_size: 104857600
        tunnels:
          httpbin:
            proto: http
            addr: 8000
            domain: alan-httpbin.ngrok.dev
          ssh:
            proto: tcp
            addr: 22
            ip_restriction:
              allow_cidrs: [1.1.1.1/32]
        """),
    ("ex19-v2-region-pin", "v2", "version: 2\nregion: eu\n"),
    ("ex20-v3-legacy-tunnels", "v3", """
        version: 3
        agent:
          authtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p
        tunnels:
          basic:
            proto: http
            addr: 80
        """),
    # ---- §7 web inspection: the official Docker images ----
    ("s7-docker-image-v3", "v3", "version: 3\nagent:\n  web_addr: 0.0.0.0:4040\n"),
    ("s7-docker-image-v2", "v2", "version: 2\nweb_addr: 0.0.0.0:4040\n"),
    # ---- Terms: values as the agent reads them ----
    ("terms-v2-scalars-and-nulls", "v2", """
        version: "2"
        authtoken: 12345
        metadata: 123
        web_addr:
        inspect_db_size:
        tunnels:
          a:
            proto: http
            addr: 80
            inspect: no
            schemes:
            basic_auth:
          b:
        """),
    ("terms-v2-unexpanded-variables-left-to-ngl006", "v2", """
        version: "2"
        authtoken: ${NGROK_AUTHTOKEN}
        web_addr: $WEBADDR
        tunnels:
          a:
            proto: http
            addr: 80
            domain: ${NGROK_DOMAIN}
        """),
    # Issue 14's false errors, each allowed by ngrok's docs (ngrok_lint/facts/ rows cite the pages).
    # agent/config/v2.mdx: a subdomain is "any valid combination of letters, numbers, hyphens or periods";
    # agent 2.3.41 loads one with a period too.
    ("docs-subdomain-with-periods-v2", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, subdomain: app.example}\n"),
    ("docs-subdomain-with-periods-legacy", "legacy", "tunnels:\n  a: {proto: http, addr: 80, subdomain: research.ionlights}\n"),
    # agent/config/v2.mdx: `--url` becomes `url`; the protocol then comes from the URL.
    ("docs-v2-tunnel-url-without-proto", "v2", "version: 2\ntunnels:\n  a:\n    url: https://app.ngrok.app\n    addr: 8080\n"),
    ("docs-v3-tunnel-url-without-proto", "v3", "version: 3\ntunnels:\n  a:\n    url: tcp://1.tcp.ngrok.io:12345\n    addr: 22\n"),
    # agent/config/v3.mdx: upstream.proxy_protocol is "empty if not using".
    ("docs-v3-upstream-proxy-protocol-empty", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {url: 80, proxy_protocol: ''}}\n"),
    ("docs-v2-proxy-proto-empty", "v2", "version: 2\ntunnels:\n  a: {proto: tcp, addr: 22, proxy_proto: ''}\n"),
    # A bare-port web_addr: agent 2.3.41 loads it; nothing in the 3.x docs or changelog refuses it.
    ("bare-port-web-addr-v2", "v2", "version: 2\nweb_addr: 4040\n"),
    ("bare-port-web-addr-v2-quoted", "v2", "version: 2\nweb_addr: '4040'\n"),
    ("bare-port-web-addr-v3", "v3", "version: 3\nagent:\n  web_addr: 4041\n"),
]

VALID_IDS = [case[0] for case in VALID]
assert len(VALID_IDS) == len(set(VALID_IDS))


@pytest.mark.parametrize("case_id,fmt,text", VALID, ids=VALID_IDS)
def test_reference_example_is_valid(case_id, fmt, text):
    doc = load(text)
    errs = errors(fmt, doc)
    assert not errs, f"{case_id} should be valid against {fmt}:\n{show(errs)}"
    combined = errors("combined", doc)
    assert not combined, f"{case_id}: the combined schema disagrees:\n{show(combined)}"


# ---------------------------------------------------------------------------------------------
# Invalid cases: each fails with an error at the expected path
# ---------------------------------------------------------------------------------------------
T = "tunnels"
EP = "endpoints"


def tp(*rest):
    return ("endpoints", 0, "traffic_policy", *rest)


def v3_policy(body: str) -> str:
    """A v3 file with one endpoint whose traffic_policy is `body` (indented YAML)."""
    return "version: 3\nendpoints:\n  - name: e\n    upstream: {url: 80}\n    traffic_policy:\n" + textwrap.indent(
        textwrap.dedent(body), "      "
    )


INVALID = [
    # unknown keys (reported on the mapping that holds them)
    ("unknown-legacy-tunnel-key", "legacy", "tunnels:\n  web: {proto: http, addr: 80, host-header: rewrite}\n", (T, "web"), "additionalProperties"),
    ("unknown-legacy-auth_token", "legacy", "auth_token: abc\n", (), "additionalProperties"),
    ("unknown-legacy-tunnel-region", "legacy", "tunnels:\n  a: {proto: http, addr: 80, region: us}\n", (T, "a"), "additionalProperties"),
    ("unknown-legacy-1x-keys", "legacy", "server_addr: a.example.com:4443\ntrust_host_root_certs: true\n", (), "additionalProperties"),
    ("unknown-v2-top-level", "v2", "version: 2\nfirst-app:\n  proto: http\n", (), "additionalProperties"),
    ("unknown-v2-tunnel-key", "v2", "version: 2\ntunnels:\n  w: {proto: http, addr: 80, request_headers: {add: [a:b]}}\n", (T, "w"), "additionalProperties"),
    ("unknown-v2-module-key", "v2", "version: 2\ntunnels:\n  w: {proto: http, addr: 80, ip_restriction: {allow: [1.1.1.1/32]}}\n", (T, "w", "ip_restriction"), "additionalProperties"),
    ("unknown-v3-examples", "v3", "version: 3\nexamples:\n  - name: a\n", (), "additionalProperties"),
    ("unknown-v3-endpoint-key", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {url: 80}, upstream_url: 80}\n", (EP, 0), "additionalProperties"),
    ("unknown-v3-upstream-key", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {url: 80, tls_verify: true}}\n", (EP, 0, "upstream"), "additionalProperties"),
    ("unknown-v3-agent-key", "v3", "version: 3\nagent:\n  authtoken: x\n  auth_token: y\n", ("agent",), "additionalProperties"),
    # keys of the other formats
    ("v3-top-level-region", "v3", "version: 3\nregion: us\n", (), "additionalProperties"),
    ("v3-top-level-authtoken", "v3", 'version: "3"\nauthtoken: 4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p\n', (), "additionalProperties"),
    ("v3-top-level-web-addr", "v3", "version: 3\nweb_addr: 0.0.0.0:4040\n", (), "additionalProperties"),
    ("v3-agent-root-cas", "v3", "version: 3\nagent:\n  root_cas: host\n", ("agent",), "additionalProperties"),
    ("v3-agent-server-addr", "v3", "version: 3\nagent:\n  server_addr: a.example.com:443\n", ("agent",), "additionalProperties"),
    ("v3-agent-region", "v3", "version: 3\nagent:\n  region: eu\n", ("agent",), "additionalProperties"),
    ("v3-tunnel-labels", "v3", "version: 3\ntunnels:\n  a: {proto: http, addr: 80, labels: [env=prod]}\n", (T, "a"), "additionalProperties"),
    ("v2-bind_tls", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, bind_tls: true}\n", (T, "a"), "additionalProperties"),
    ("v2-auth", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, auth: 'u:p'}\n", (T, "a"), "additionalProperties"),
    ("v2-client_cas", "v2", "version: 2\ntunnels:\n  a: {proto: tls, addr: 443, client_cas: ca.pem}\n", (T, "a"), "additionalProperties"),
    ("v2-http_proxy", "v2", "version: 2\nhttp_proxy: http://proxy:3128\n", (), "additionalProperties"),
    ("v2-socks5_proxy", "v2", "version: 2\nsocks5_proxy: socks5://proxy:1080\n", (), "additionalProperties"),
    ("v2-update", "v2", "version: 2\nupdate: true\n", (), "additionalProperties"),
    ("v2-agent-block", "v2", "version: 2\nagent:\n  authtoken: x\n", (), "additionalProperties"),
    ("v2-endpoints", "v2", "version: 2\nendpoints:\n  - name: a\n", (), "additionalProperties"),
    ("legacy-schemes", "legacy", "tunnels:\n  a: {proto: http, addr: 80, schemes: [https]}\n", (T, "a"), "additionalProperties"),
    ("legacy-domain", "legacy", "tunnels:\n  a: {proto: http, addr: 80, domain: a.example.com}\n", (T, "a"), "additionalProperties"),
    ("legacy-basic_auth", "legacy", "tunnels:\n  a: {proto: http, addr: 80, basic_auth: ['u:password']}\n", (T, "a"), "additionalProperties"),
    ("legacy-traffic_policy", "legacy", "tunnels:\n  a: {proto: http, addr: 80, traffic_policy: {}}\n", (T, "a"), "additionalProperties"),
    ("legacy-proxy_url", "legacy", "proxy_url: http://proxy:3128\n", (), "additionalProperties"),
    ("legacy-endpoints", "legacy", "endpoints:\n  - name: a\n", (), "additionalProperties"),
    ("legacy-version-1", "legacy", "version: 1\nauthtoken: x\n", (), "additionalProperties"),
    ("oauth_scopes", "v2", "version: 2\ntunnels:\n  w:\n    proto: http\n    addr: 80\n    oauth: {provider: google, oauth_scopes: [email]}\n", (T, "w", "oauth"), "additionalProperties"),
    ("server_key", "v3", "version: 3\nendpoints:\n  - name: t\n    url: tls://a.example.com\n    upstream: {url: 443}\n    agent_tls_termination: {server_certificate: a.crt, server_key: a.key}\n", (EP, 0, "agent_tls_termination"), "additionalProperties"),
    # wrong types
    ("type-inspect-quoted-true", "v2", "version: 2\ntunnels:\n  w: {proto: http, addr: 80, inspect: 'true'}\n", (T, "w", "inspect"), "type"),
    ("type-legacy-inspect-int", "legacy", "tunnels:\n  w: {proto: http, addr: 80, inspect: 1}\n", (T, "w", "inspect"), "type"),
    ("type-crl_noverify-string", "v2", "version: 2\ncrl_noverify: 'false'\n", ("crl_noverify",), "type"),
    ("type-tunnels-list", "legacy", "tunnels:\n  - proto: http\n    addr: 80\n", (T,), "type"),
    ("type-authtoken-list", "v2", "version: 2\nauthtoken: [a, b]\n", ("authtoken",), "type"),
    ("type-authtoken-flow-map", "v2", "version: '2'\nauthtoken: { authToken }\n", ("authtoken",), "type"),
    ("type-addr-list", "v3", "version: 3\ntunnels:\n  a: {proto: http, addr: [80]}\n", (T, "a", "addr"), "type"),
    ("type-endpoints-map", "v3", "version: 3\nendpoints:\n  web: {name: web}\n", (EP,), "type"),
    ("type-agent-list", "v3", "version: 3\nagent: [authtoken]\n", ("agent",), "type"),
    ("type-upstream-url-map", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {url: {port: 80}}}\n", (EP, 0, "upstream", "url"), "type"),
    ("type-dns-resolver-scalar", "legacy", "dns_resolver_ips: 1.1.1.1\n", ("dns_resolver_ips",), "type"),
    ("type-inspect-db-size-string", "legacy", "inspect_db_size: '100'\n", ("inspect_db_size",), "type"),
    ("type-update-string", "legacy", "update: 'yes'\n", ("update",), "type"),
    ("type-metadata-map", "legacy", "metadata: {a: 1}\n", ("metadata",), "type"),
    ("type-legacy-1x-proto-map", "legacy", "tunnels:\n  a:\n    proto:\n      http: 80\n    addr: 80\n", (T, "a", "proto"), "enum"),
    ("type-tp-config-pem-string", "v3", v3_policy("""
        on_tcp_connect:
          - actions:
              - type: terminate-tls
                config: "-----BEGIN CERTIFICATE-----"
        """), tp("on_tcp_connect", 0, "actions", 0, "config"), "type"),
    ("type-tp-phase-map", "v3", v3_policy("on_http_request: {actions: []}\n"), tp("on_http_request"), "type"),
    # enums
    ("enum-legacy-region-US", "legacy", "region: US\n", ("region",), "enum"),
    ("enum-legacy-region-us-cal-1", "legacy", "region: us-cal-1\n", ("region",), "enum"),
    ("enum-legacy-region-auto", "legacy", "region: auto\n", ("region",), "enum"),
    ("enum-v2-region-US", "v2", "version: 2\nregion: US\n", ("region",), "enum"),
    ("enum-legacy-update-channel-unstable", "legacy", "update_channel: unstable\n", ("update_channel",), "enum"),
    ("enum-v2-update-channel-testing", "v2", "version: 2\nupdate_channel: testing\n", ("update_channel",), "enum"),
    ("enum-schemes-ftp", "v2", "version: 2\ntunnels:\n  w: {proto: http, addr: 80, schemes: [https, ftp]}\n", (T, "w", "schemes", 1), "enum"),
    ("enum-bind-tls-maybe", "legacy", "tunnels:\n  a: {proto: http, addr: 80, bind_tls: maybe}\n", (T, "a", "bind_tls"), "enum"),
    ("enum-bind-tls-1", "legacy", "tunnels:\n  a: {proto: http, addr: 80, bind_tls: 1}\n", (T, "a", "bind_tls"), "enum"),
    ("enum-bind-tls-quoted-yes", "legacy", "tunnels:\n  a: {proto: http, addr: 80, bind_tls: 'yes'}\n", (T, "a", "bind_tls"), "enum"),
    ("enum-legacy-proto-HTTP", "legacy", "tunnels:\n  a: {proto: HTTP, addr: 80}\n", (T, "a", "proto"), "enum"),
    ("enum-v2-proto-ftp", "v2", "version: 2\ntunnels:\n  a: {proto: ftp, addr: 21}\n", (T, "a", "proto"), "enum"),
    ("enum-console-ui-color", "legacy", "console_ui_color: Black\n", ("console_ui_color",), "enum"),
    ("enum-v2-console-ui-typo", "v2", "version: 2\nconsole_ui: fasle\n", ("console_ui",), "enum"),
    ("enum-v2-log-level", "v2", "version: 2\nlog_level: verbose\n", ("log_level",), "enum"),
    ("enum-v3-log-format", "v3", "version: 3\nagent:\n  log_format: xml\n", ("agent", "log_format"), "enum"),
    ("enum-v2-terminate-at", "v2", "version: 2\ntunnels:\n  a: {proto: tls, addr: 443, terminate_at: gateway}\n", (T, "a", "terminate_at"), "enum"),
    ("enum-v2-proxy-proto-3", "v2", "version: 2\ntunnels:\n  a: {proto: tcp, addr: 22, proxy_proto: 3}\n", (T, "a", "proxy_proto"), "enum"),
    ("enum-v2-oauth-provider", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, oauth: {provider: okta}}\n", (T, "a", "oauth", "provider"), "enum"),
    ("enum-v3-bindings", "v3", "version: 3\nendpoints:\n  - {name: a, bindings: [private], upstream: {url: 80}}\n", (EP, 0, "bindings", 0), "enum"),
    ("enum-v3-upstream-protocol", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {url: 80, protocol: http3}}\n", (EP, 0, "upstream", "protocol"), "enum"),
    ("enum-v3-version", "v3", "version: 4\n", ("version",), "enum"),
    ("enum-tp-oauth-provider", "v3", v3_policy("""
        on_http_request:
          - actions:
              - type: oauth
                config: {provider: okta}
        """), tp("on_http_request", 0, "actions", 0, "config", "provider"), "enum"),
    ("enum-tp-min-version", "v3", v3_policy("""
        on_tcp_connect:
          - actions:
              - type: terminate-tls
                config: {min_version: "1.1"}
        """), tp("on_tcp_connect", 0, "actions", 0, "config", "min_version"), "enum"),
    ("enum-tp-mtls-strategy", "v3", v3_policy("""
        on_tcp_connect:
          - actions:
              - type: terminate-tls
                config: {mutual_tls_verification_strategy: none}
        """), tp("on_tcp_connect", 0, "actions", 0, "config", "mutual_tls_verification_strategy"), "enum"),
    ("enum-tp-rate-limit-algorithm", "v3", v3_policy("""
        on_http_request:
          - actions:
              - type: rate-limit
                config: {name: x, algorithm: token_bucket, capacity: 10, rate: 60s, bucket_key: [conn.client_ip]}
        """), tp("on_http_request", 0, "actions", 0, "config", "algorithm"), "enum"),
    # host:port
    ("hostport-legacy-web-addr-host-only", "legacy", "web_addr: localhost\n", ("web_addr",), "pattern"),
    ("hostport-legacy-web-addr-true", "legacy", "web_addr: true\n", ("web_addr",), "const"),
    ("hostport-legacy-web-addr-disabled", "legacy", "web_addr: disabled\n", ("web_addr",), "pattern"),
    ("hostport-v2-web-addr-bad-port", "v2", "version: 2\nweb_addr: localhost:99999\n", ("web_addr",), "pattern"),
    ("hostport-v3-web-addr-true", "v3", "version: 3\nagent:\n  web_addr: true\n", ("agent", "web_addr"), "const"),
    ("hostport-legacy-server-addr", "legacy", "server_addr: tunnel.example.com\n", ("server_addr",), "pattern"),
    ("hostport-v2-server-addr-url", "v2", "version: 2\nserver_addr: https://tunnel.example.com:443\n", ("server_addr",), "pattern"),
    ("hostport-v3-connect-url", "v3", "version: 3\nagent:\n  connect_url: connect.example.com\n", ("agent", "connect_url"), "pattern"),
    ("hostport-v2-remote-addr", "v2", "version: 2\ntunnels:\n  a: {proto: tcp, addr: 22, remote_addr: 1.tcp.ngrok.io}\n", (T, "a", "remote_addr"), "pattern"),
    ("hostport-legacy-tcp-remote-addr-port", "legacy", "tunnels:\n  a: {proto: tcp, addr: 22, remote_addr: 9000}\n", (T, "a", "remote_addr"), "type"),
    ("hostport-legacy-pprof-addr", "legacy", "pprof_addr: foo\n", ("pprof_addr",), "pattern"),
    # CIDR and IP lists
    ("cidr-ip-restriction-prefix", "v2", "version: 2\ntunnels:\n  a:\n    proto: tcp\n    addr: 22\n    ip_restriction: {allow_cidrs: [10.0.0.0/33]}\n", (T, "a", "ip_restriction", "allow_cidrs", 0), "pattern"),
    ("cidr-ip-restriction-octet", "v2", "version: 2\ntunnels:\n  a:\n    proto: tcp\n    addr: 22\n    ip_restriction: {deny_cidrs: [1.1.1.1/32, 300.1.1.1/8]}\n", (T, "a", "ip_restriction", "deny_cidrs", 1), "pattern"),
    # a bare address is accepted (ngrok's guides write one: tests/test_traffic_policy_facts.py)
    ("cidr-restrict-ips-bad-prefix", "v3", v3_policy("""
        on_tcp_connect:
          - actions:
              - type: restrict-ips
                config: {allow: [1.2.3.4/33]}
        """), tp("on_tcp_connect", 0, "actions", 0, "config", "allow", 0), "pattern"),
    ("ip-dns-resolver-with-port", "legacy", "dns_resolver_ips: [1.1.1.1:53]\n", ("dns_resolver_ips", 0), "pattern"),
    ("ip-dns-resolver-int", "v2", "version: 2\ndns_resolver_ips: [1]\n", ("dns_resolver_ips", 0), "type"),
    ("web-allow-hosts-bad", "v2", "version: 2\nweb_allow_hosts: ['not a host!']\n", ("web_allow_hosts", 0), "pattern"),
    # durations
    ("duration-words", "legacy", "heartbeat_interval: 10 seconds\n", ("heartbeat_interval",), "pattern"),
    ("duration-negative-connect-timeout", "legacy", "connect_timeout: -5s\n", ("connect_timeout",), "pattern"),
    ("duration-negative-connect-timeout-int", "v3", "version: 3\nagent:\n  connect_timeout: -5\n", ("agent", "connect_timeout"), "minimum"),
    ("duration-quoted-number", "v2", "version: 2\nconnect_timeout: '30'\n", ("connect_timeout",), "pattern"),
    ("duration-bool", "v3", "version: 3\nagent:\n  heartbeat_tolerance: true\n", ("agent", "heartbeat_tolerance"), "type"),
    ("duration-tp-rate", "v3", v3_policy("""
        on_http_request:
          - actions:
              - type: rate-limit
                config: {name: x, algorithm: sliding_window, capacity: 10, rate: 1 minute, bucket_key: [conn.client_ip]}
        """), tp("on_http_request", 0, "actions", 0, "config", "rate"), "pattern"),
    # URLs
    ("url-proxy-ftp", "v2", "version: 2\nproxy_url: ftp://proxy:21\n", ("proxy_url",), "pattern"),
    ("url-proxy-no-scheme", "v3", "version: 3\nagent:\n  proxy_url: proxy.example.com:3128\n", ("agent", "proxy_url"), "pattern"),
    ("url-legacy-http-proxy-socks", "legacy", "http_proxy: socks5://proxy:1080\n", ("http_proxy",), "pattern"),
    ("url-legacy-http-proxy-bare", "legacy", "http_proxy: localhost\n", ("http_proxy",), "pattern"),
    ("url-legacy-socks5-proxy-http", "legacy", "socks5_proxy: http://proxy:3128\n", ("socks5_proxy",), "pattern"),
    ("url-endpoint-path", "v3", "version: 3\nendpoints:\n  - {name: a, url: 'https://example.com/path', upstream: {url: 80}}\n", (EP, 0, "url"), "pattern"),
    ("url-endpoint-stray-quote", "v3", "version: 3\nendpoints:\n  - name: a\n    url: tls://app.example.com\"\n    upstream: {url: 443}\n", (EP, 0, "url"), "pattern"),
    ("url-endpoint-placeholder", "v3", "version: 3\nendpoints:\n  - {name: a, url: 'https://<reserved-subdomain>.ngrok.app', upstream: {url: 80}}\n", (EP, 0, "url"), "pattern"),
    ("url-endpoint-ftp", "v3", "version: 3\nendpoints:\n  - {name: a, url: 'ftp://example.com', upstream: {url: 80}}\n", (EP, 0, "url"), "pattern"),
    # host names and labels
    ("subdomain-underscore-dash-edge", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, subdomain: -app}\n", (T, "a", "subdomain"), "pattern"),
    ("domain-placeholder", "v3", "version: 3\ntunnels:\n  a: {proto: http, addr: 80, domain: <domain here>}\n", (T, "a", "domain"), "pattern"),
    ("domain-url", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, domain: 'https://app.example.com'}\n", (T, "a", "domain"), "pattern"),
    ("hostname-semicolon", "legacy", "tunnels:\n  a: {proto: http, addr: 80, hostname: 'kljadskl;j'}\n", (T, "a", "hostname"), "pattern"),
    ("labels-no-equals", "v2", "version: 2\ntunnels:\n  a: {addr: 80, labels: ['env:prod']}\n", (T, "a", "labels", 0), "pattern"),
    # numbers
    ("number-legacy-inspect-db-size", "legacy", "inspect_db_size: -2\n", ("inspect_db_size",), "exclusiveMinimum"),
    ("number-v2-inspect-db-size", "v2", "version: 2\ninspect_db_size: -2\n", ("inspect_db_size",), "minimum"),
    ("number-v2-inspect-db-size-float", "v2", "version: 2\ninspect_db_size: 1.5\n", ("inspect_db_size",), "type"),
    ("number-circuit-breaker", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, circuit_breaker: 1.5}\n", (T, "a", "circuit_breaker"), "maximum"),
    ("number-metadata-too-long", "v2", "version: 2\nmetadata: " + "x" * 4097 + "\n", ("metadata",), "maxLength"),
    # missing required keys
    ("required-legacy-addr", "legacy", "tunnels:\n  a: {proto: http}\n", (T, "a"), "required"),
    ("required-legacy-proto", "legacy", "tunnels:\n  a: {addr: 80}\n", (T, "a"), "required"),
    ("required-v2-addr", "v2", "version: 2\ntunnels:\n  a: {proto: http, domain: a.example.com}\n", (T, "a"), "required"),
    ("required-v2-labeled-addr", "v2", "version: 2\ntunnels:\n  a: {labels: [env=prod]}\n", (T, "a"), "required"),
    ("required-v2-proto", "v2", "version: 2\ntunnels:\n  a: {addr: 80}\n", (T, "a"), "required"),
    ("required-v3-tunnel-addr", "v3", "version: 3\ntunnels:\n  a: {proto: tcp}\n", (T, "a"), "required"),
    ("required-v3-endpoint-name", "v3", "version: 3\nendpoints:\n  - upstream: {url: 80}\n", (EP, 0), "required"),
    ("required-v3-endpoint-upstream", "v3", "version: 3\nendpoints:\n  - {name: a, url: https://a.example.com}\n", (EP, 0), "required"),
    ("required-v3-upstream-url", "v3", "version: 3\nendpoints:\n  - {name: a, upstream: {protocol: http2}}\n", (EP, 0, "upstream"), "required"),
    ("required-tp-action-type", "v3", v3_policy("on_http_request:\n  - actions:\n      - config: {status_code: 403}\n"), tp("on_http_request", 0, "actions", 0), "required"),
    ("required-tp-rule-actions", "v3", v3_policy("on_http_request:\n  - name: nothing\n    expressions: ['true']\n"), tp("on_http_request", 0), "required"),
    ("required-basic-auth-credentials", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: basic-auth\n        config: {realm: x}\n"), tp("on_http_request", 0, "actions", 0, "config"), "required"),
    ("required-verify-webhook-secret", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: verify-webhook\n        config: {provider: github}\n"), tp("on_http_request", 0, "actions", 0, "config"), "required"),
    ("required-oauth-provider", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: oauth\n        config: {scopes: [email]}\n"), tp("on_http_request", 0, "actions", 0, "config"), "required"),
    ("required-openid-connect-issuer", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: openid-connect\n        config: {client_id: a}\n"), tp("on_http_request", 0, "actions", 0, "config"), "required"),
    ("required-rate-limit", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: rate-limit\n        config: {name: x}\n"), tp("on_http_request", 0, "actions", 0, "config"), "required"),
    # Traffic Policy structure
    ("tp-unknown-phase", "v3", v3_policy("on_request:\n  - actions: [{type: deny}]\n"), tp(), "additionalProperties"),
    ("tp-unknown-rule-key", "v3", v3_policy("on_http_request:\n  - action: [{type: deny}]\n    actions: [{type: deny}]\n"), tp("on_http_request", 0), "additionalProperties"),
    ("tp-unknown-action-key", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: deny\n        configs: {status_code: 403}\n"), tp("on_http_request", 0, "actions", 0), "additionalProperties"),
    ("tp-jws-none", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: jwt-validation\n        config:\n          jws: {allowed_algorithms: [none]}\n"), tp("on_http_request", 0, "actions", 0, "config", "jws", "allowed_algorithms", 0), "not"),
    ("tp-v2-policy-unknown-phase", "v2", "version: 2\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    policy:\n      inbound_rules: []\n", (T, "a", "policy"), "additionalProperties"),
    ("tp-basic-auth-enforce-string", "v3", v3_policy("on_http_request:\n  - actions:\n      - type: basic-auth\n        config: {credentials: ['a:password1'], enforce: 'false'}\n"), tp("on_http_request", 0, "actions", 0, "config", "enforce"), "type"),
    # root
    ("root-not-a-mapping-v2", "v2", "- version: 2\n", (), "type"),
    # Still refused after the false errors went: no proto and neither url nor labels; a subdomain
    # with characters the docs do not list; a bare port out of range.
    ("v2-tunnel-no-proto-no-url", "v2", "version: 2\ntunnels:\n  a: {addr: 8080}\n", (T, "a"), "required"),
    ("subdomain-with-slash-v2", "v2", "version: 2\ntunnels:\n  a: {proto: http, addr: 80, subdomain: a/b}\n", (T, "a", "subdomain"), "pattern"),
    ("bare-port-web-addr-v2-too-big", "v2", "version: 2\nweb_addr: 70000\n", ("web_addr",), "maximum"),
]

INVALID_IDS = [case[0] for case in INVALID]
assert len(INVALID_IDS) == len(set(INVALID_IDS))


@pytest.mark.parametrize("case_id,fmt,text,path,validator", INVALID, ids=INVALID_IDS)
def test_invalid_case_fails_at_path(case_id, fmt, text, path, validator):
    doc = load(text)
    errs = errors(fmt, doc)
    assert errs, f"{case_id} should be invalid against {fmt}"
    found = signature(errs)
    assert (tuple(path), validator) in found, (
        f"{case_id}: expected [{validator}] at {'.'.join(map(str, path)) or '<root>'}, got:\n{show(errs)}"
    )


def route(doc: dict) -> str:
    """The per-format schema the combined schema picks for a mapping (by `version` only)."""
    version = doc.get("version")
    return "v3" if version in (3, "3") else "v2" if version in (2, "2") else "legacy"


@pytest.mark.parametrize("case_id,fmt,text,path,validator", INVALID, ids=INVALID_IDS)
def test_combined_schema_agrees_on_invalid_case(case_id, fmt, text, path, validator):
    doc = load(text)
    combined = errors("combined", doc)
    assert combined, f"{case_id}: the combined schema accepts it"
    if isinstance(doc, dict) and route(doc) != fmt:
        return  # e.g. `version: 4`: the combined schema reads it as legacy; same verdict, other errors
    assert signature(combined) == signature(errors(fmt, doc))


@pytest.mark.parametrize("case_id,fmt,text", VALID, ids=VALID_IDS)
def test_combined_schema_agrees_on_valid_case(case_id, fmt, text):
    doc = load(text)
    assert signature(errors("combined", doc)) == signature(errors(fmt, doc)) == set()


def test_combined_schema_picks_by_version():
    tunnel_v2 = {"tunnels": {"a": {"proto": "http", "addr": 80, "schemes": ["https"]}}}
    assert not errors("combined", {"version": 2, **tunnel_v2})
    assert not errors("combined", {"version": "2", **tunnel_v2})
    assert errors("combined", tunnel_v2)  # no version: legacy, which has no `schemes`
    assert errors("combined", {"version": 3, **tunnel_v2}) == []  # v3 still parses v2 tunnels
    assert errors("combined", {"version": 3, "authtoken": "x"})
    assert not errors("combined", {"version": "3", "agent": {"authtoken": "x"}})
    assert not errors("combined", {"tunnels": {"a": {"proto": "http", "addr": 80, "bind_tls": "both"}}})


# ---------------------------------------------------------------------------------------------
# Real-world corpus (shared/corpus/real-world/INDEX.tsv)
# ---------------------------------------------------------------------------------------------
V2_ONLY_KEYS = {
    "schemes", "domain", "basic_auth", "traffic_policy", "policy", "ip_restriction", "oauth",
    "verify_webhook", "mutual_tls_cas", "circuit_breaker", "proxy_url",
}


def corpus_rows():
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    with index.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def read_format(doc: dict) -> str:
    """The format every rule but NGL003 reads the file as (rules.md, Terms)."""
    version = doc.get("version")
    if version in (3, "3"):
        return "v3"
    if version in (2, "2"):
        return "v2"
    if "version" not in doc:
        if "agent" in doc or "endpoints" in doc:
            return "v3"
        keys = set(doc)
        tunnels = doc.get("tunnels")
        if isinstance(tunnels, dict):
            for tunnel in tunnels.values():
                if isinstance(tunnel, dict):
                    keys |= set(tunnel)
        if keys & V2_ONLY_KEYS:
            return "v2"
    return "legacy"


def load_corpus(name: str):
    try:
        doc = yaml.safe_load((CORPUS / name).read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


# The docs snippets (kind "docs-snippet", 121-137) are fragments cut out of ngrok's config pages,
# which are about agent 3.x; the fragment lost the page's `version` line (2, or 3 for `endpoints`).
# Read as committed (no `version`), 125 (`bindings`) and 134 (`proxy_proto`) would be legacy files
# whose keys agent 2.x never had: NGL003 is the finding for that, not the schema. So a versionless
# docs fragment is checked as the version 2 file it comes from.
def corpus_doc_and_format(row):
    doc = load_corpus(row["file"])
    if doc is None:
        return None, None
    if "version" not in doc and row["kind"].startswith("docs-snippet"):
        doc = {"version": 3 if read_format(doc) == "v3" else 2, **doc}
    return doc, read_format(doc)


VALID_ROWS = [row for row in corpus_rows() if row["validity"] == "looks valid"]


@pytest.mark.skipif(not VALID_ROWS, reason="shared/corpus/real-world is not available")
@pytest.mark.parametrize("row", VALID_ROWS, ids=[row["file"][:40] for row in VALID_ROWS])
def test_corpus_valid_file_passes_its_format_schema(row):
    doc, fmt = corpus_doc_and_format(row)
    if doc is None:
        pytest.skip("does not parse as a YAML mapping")
    errs = errors(fmt, doc)
    assert not errs, f"{row['file']} ({fmt}):\n{show(errs)}"
    assert signature(errors("combined", doc)) == set()


# INVALID / QUESTIONABLE files whose defect is the schema's to find (NGL002), with one expected
# error each. Files the index calls INVALID only for a missing `version` are NGL003's, and pass
# the legacy schema. Where this table and the index differ, the comment says why.
CORPUS_INVALID = [
    ("005-", "legacy", ("tunnels", "dubbo", "proto"), "enum"),  # ngrok 1.x `proto: {tcp: 20880}` map
    ("008-", "legacy", (), "additionalProperties"),  # 1.x `trust_host_root_certs`
    ("009-", "v2", ("tunnels", "proxy"), "additionalProperties"),  # `bind_tls` under version 2
    ("013-", "legacy", (), "additionalProperties"),  # `auth_token`
    ("019-", "v3", ("tunnels", "basic", "domain"), "pattern"),  # `domain: <domain here>`
    ("032-", "v2", (), "additionalProperties"),  # top-level `api:`
    ("050-", "legacy", ("region",), "enum"),  # `region: <Ngrok region>`
    ("051-", "v3", ("endpoints", 0, "url"), "pattern"),  # `url: TODO`
    ("053-", "v3", ("endpoints", 0, "url"), "pattern"),  # placeholder host with <…>
    ("058-", "v3", ("endpoints", 0, "url"), "pattern"),
    ("062-", "v2", ("authtoken",), "type"),  # `authtoken: { authToken }` is a map
    ("063-", "legacy", (), "additionalProperties"),  # 1.x
    ("089-", "legacy", ("tunnels", "devanewbot"), "additionalProperties"),  # `host-header`
    ("094-", "legacy", ("tunnels", "ipfs-daemon", "hostname"), "pattern"),  # 'kljadskl;j'
    ("097-", "legacy", ("tunnels", "erp_server"), "additionalProperties"),  # per-tunnel `region`
    ("113-", "v3", (), "additionalProperties"),  # top-level authtoken under version "3"
    ("127-", "v3", ("endpoints", 0, "agent_tls_termination"), "additionalProperties"),  # server_key
    ("136-", "v3", ("endpoints", 0, "url"), "pattern"),  # stray quote
    ("137-", "v3", ("tunnels", "example"), "additionalProperties"),  # endpoint keys in a tunnel
]
# Index entries this schema deliberately does not refuse:
# - 006: `remote_addr: 9000` on an *http* tunnel and `bind_tls` on a tcp tunnel: agent 2.x ignores
#   both there (reference: bind_tls "ignored on tcp and tls", remote_addr "ignored on http";
#   checked with the 2.x oracle), so only the missing `version` (NGL003) remains.
# - 029: `authtoken: 123456` is an int, but string fields accept any scalar (reference, Typing of scalars).
# - 109: `console_ui: fasle` is a legacy file, where console_ui is a free string in 2.x (reference).
#   Under version 2 the same value fails (see enum-v2-console-ui-typo).
# - 031, 061, 102: placeholders inside `addr` (`$INPUT_SSH_PORT`, `<api-endpoint>:443`,
#   `${…}:${…}`): `addr` has no format pattern (its forms depend on `proto`), and variables are NGL006's.
# - 085: an `rd_…` value in `authtoken` is NGL301's finding, not a schema error.
# - 071 (QUESTIONABLE): `region: auto` in the file is UNVERIFIED, so it is accepted.
# - 067 (QUESTIONABLE): a bare-port `web_addr` under version 2. Agent 2.3.41 loads it, the 3.x
#   reference shows `host:port` without saying a port alone is refused, and nothing in the changelog
#   changed it: without evidence of a refusal it is accepted (the file itself is a 3.x-era one).
# - 092: dotted subdomains. agent/config/v2.mdx: "letters, numbers, hyphens or periods"; agent
#   2.3.41 loads them too. Only the missing `version` (NGL003) remains.


@pytest.mark.skipif(not corpus_rows(), reason="shared/corpus/real-world is not available")
@pytest.mark.parametrize("prefix,fmt,path,validator", CORPUS_INVALID, ids=[c[0] for c in CORPUS_INVALID])
def test_corpus_invalid_file_fails_where_expected(prefix, fmt, path, validator):
    (row,) = [row for row in corpus_rows() if row["file"].startswith(prefix)]
    doc, read_as = corpus_doc_and_format(row)
    assert doc is not None
    assert read_as == fmt
    errs = errors(fmt, doc)
    assert (tuple(path), validator) in signature(errs), f"{row['file']}:\n{show(errs)}"


# ---------------------------------------------------------------------------------------------
# Optional differential check of the legacy schema against a real ngrok 2.x agent
# (shared/tools/ngrok-v2-oracle). About a second per case; it downloads the agent once. It runs
# wherever the oracle can (CI runs as root), skips where the oracle says it cannot (exit 77), and
# NGROK_LINT_ORACLE=0 turns it off for a quick local run.
# ---------------------------------------------------------------------------------------------
ORACLE = ROOT.parent / "shared" / "tools" / "ngrok-v2-oracle"
RUN_ORACLE = os.environ.get("NGROK_LINT_ORACLE") != "0" and ORACLE.exists()
# Valid for the schema, refused by 2.x for reasons outside any schema: the certificate files named
# in the example do not exist on the test machine.
ORACLE_NEEDS_FILES = {"s1.2-legacy-all-keys"}
# Refused by the schema, loaded by 2.x: unknown keys (2.x ignores them; reported on purpose), and
# host names the agent leaves to ngrok's service.
ORACLE_CANNOT_JUDGE = {"hostname-semicolon"}


def run_oracle(tmp_path, case_id, text):
    import subprocess

    path = tmp_path / f"{case_id}.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    proc = subprocess.run([str(ORACLE), str(path)], capture_output=True, text=True, timeout=120)
    if proc.returncode == 77:
        pytest.skip(proc.stdout.strip())
    return proc.returncode == 0, proc.stdout


LEGACY_VALID = [case for case in VALID if case[1] == "legacy" and case[0] not in ORACLE_NEEDS_FILES]
LEGACY_INVALID = [
    case for case in INVALID
    if case[1] == "legacy" and case[4] != "additionalProperties" and case[0] not in ORACLE_CANNOT_JUDGE
]


@pytest.mark.skipif(not RUN_ORACLE, reason="the ngrok 2.x oracle is off (NGROK_LINT_ORACLE=0) or missing")
@pytest.mark.parametrize("case_id,fmt,text", LEGACY_VALID, ids=[c[0] for c in LEGACY_VALID])
def test_oracle_accepts_valid_legacy_case(tmp_path, case_id, fmt, text):
    accepted, out = run_oracle(tmp_path, case_id, text)
    assert accepted, out


@pytest.mark.skipif(not RUN_ORACLE, reason="the ngrok 2.x oracle is off (NGROK_LINT_ORACLE=0) or missing")
@pytest.mark.parametrize("case_id,fmt,text,path,validator", LEGACY_INVALID, ids=[c[0] for c in LEGACY_INVALID])
def test_oracle_refuses_invalid_legacy_case(tmp_path, case_id, fmt, text, path, validator):
    accepted, out = run_oracle(tmp_path, case_id, text)
    assert not accepted, f"{case_id}: agent 2.x accepted it"
