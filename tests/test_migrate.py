"""The migrations (`ngrok_lint.migrate`): legacy → version 2 (NGL003's fix) and version 2 →
version 3 endpoints (NGL402's fix).

Tables of tunnel shapes with the endpoint YAML each becomes; the keys that stop a conversion;
every converted file valid against the version 3 schema; every comment kept; the real-world
corpus (every version 2 file converts or names the key that stops it); the migration section of
the docs run as written.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from conftest import CORPUS, ROOT, RULE_FIXTURES, lint, run_cli

from ngrok_lint import migrate
from ngrok_lint.loader import Document, parse
from ngrok_lint.model import Change, Fix, Op, Safety

SCHEMAS = ROOT / "schemas"


def _validator(name: str) -> Any:
    from jsonschema.validators import Draft7Validator

    return Draft7Validator(json.loads((SCHEMAS / f"ngrok-agent-{name}.schema.json").read_text("utf-8")))


V3 = _validator("v3")
V2 = _validator("v2")


def _doc(text: str) -> Document:
    doc = parse("ngrok.yml", text)
    assert isinstance(doc, Document), doc
    return doc


def _apply(text: str, fix: Fix) -> str:
    for change in sorted(fix.changes, key=lambda c: c.start, reverse=True):
        assert change.op is Op.TEXT
        text = text[: change.start] + (change.value or "") + text[change.end :]
    return text


def convert(text: str) -> Tuple[Optional[str], migrate.Conversion]:
    conversion = migrate.convert_v3(_doc(text))
    return (_apply(text, conversion.fix) if conversion.fix else None), conversion


def _schema_errors(text: str, validator: Any = V3) -> List[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(_doc(text).data)]


def _comment_texts(text: str) -> collections.Counter:
    return collections.Counter(c.text for c in migrate.comments(_doc(text)))


# --- version 2 tunnels → version 3 endpoints: one table row per tunnel shape ---------------------

TUNNELS: Dict[str, Tuple[str, str]] = {
    "http-random": ("proto: http\naddr: 8080\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "http-domain": ("proto: http\naddr: 8080\ndomain: app.example.com\n", """
        - name: t
          url: https://app.example.com
          upstream:
            url: 8080
        """),
    "http-hostname": ("proto: http\naddr: 8080\nhostname: app.example.com\n", """
        - name: t
          url: https://app.example.com
          upstream:
            url: 8080
        """),
    "http-wildcard-domain": ("proto: http\naddr: 8080\ndomain: '*.example.com'\n", """
        - name: t
          url: "https://*.example.com"
          upstream:
            url: 8080
        """),
    "http-schemes-empty": ("proto: http\naddr: 8080\nschemes: []\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "http-schemes-https": ("proto: http\naddr: 8080\nschemes: [https]\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "http-schemes-http": ("proto: http\naddr: 8080\nschemes: [http]\n", """
        - name: t
          url: http://
          upstream:
            url: 8080
        """),
    "http-schemes-http-domain": ("proto: http\naddr: 8080\ndomain: app.example.com\nschemes:\n  - http\n", """
        - name: t
          url: http://app.example.com
          upstream:
            url: 8080
        """),
    "http-schemes-both-domain": ("proto: http\naddr: 8080\ndomain: app.example.com\nschemes: [http, https]\n", """
        - name: t
          url: https://app.example.com
          upstream:
            url: 8080
        - name: t-http
          url: http://app.example.com
          upstream:
            url: 8080
        """),
    "http-https-upstream": ("proto: http\naddr: https://localhost:8443\n", """
        - name: t
          upstream:
            url: https://localhost:8443
        """),
    "http-file-upstream": ("proto: http\naddr: file:///var/www\n", """
        - name: t
          upstream:
            url: file:///var/www
        """),
    "tcp-random": ("proto: tcp\naddr: 22\n", """
        - name: t
          url: tcp://
          upstream:
            url: 22
        """),
    "tcp-remote-addr": ("proto: tcp\naddr: 22\nremote_addr: 1.tcp.ngrok.io:12345\n", """
        - name: t
          url: tcp://1.tcp.ngrok.io:12345
          upstream:
            url: 22
        """),
    "tcp-proxy-proto": ("proto: tcp\naddr: 5432\nproxy_proto: 2\n", """
        - name: t
          url: tcp://
          upstream:
            url: 5432
            proxy_protocol: 2
        """),
    "tls-random": ("proto: tls\naddr: 443\n", """
        - name: t
          url: tls://
          upstream:
            url: 443
        """),
    "tls-domain": ("proto: tls\naddr: 443\ndomain: tls.example.com\n", """
        - name: t
          url: tls://tls.example.com
          upstream:
            url: 443
        """),
    "tls-proxy-proto": ("proto: tls\naddr: 443\nproxy_proto: \"1\"\n", """
        - name: t
          url: tls://
          upstream:
            url: 443
            proxy_protocol: "1"
        """),
    "tls-crt-key": ("proto: tls\naddr: 8080\ndomain: tls.example.com\ncrt: /certs/tls.crt\nkey: /certs/tls.key\n", """
        - name: t
          url: tls://tls.example.com
          upstream:
            url: 8080
          agent_tls_termination:
            server_certificate: /certs/tls.crt
            server_private_key: /certs/tls.key
        """),
    "tls-crt-key-mutual-tls": ("proto: tls\naddr: 8080\ncrt: /certs/tls.crt\nkey: /certs/tls.key\nmutual_tls_cas: /certs/ca.pem\n", """
        - name: t
          url: tls://
          upstream:
            url: 8080
          agent_tls_termination:
            server_certificate: /certs/tls.crt
            server_private_key: /certs/tls.key
            mutual_tls_certificate_authorities:
              - /certs/ca.pem
        """),
    "basic-auth": ("proto: http\naddr: 8080\nbasic_auth:\n  - \"alice:a-long-password\"\n  - \"bob:another-password\"\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: basic-auth
                    config:
                      credentials:
                        - "alice:a-long-password"
                        - "bob:another-password"
        """),
    "ip-restriction-http": ("proto: http\naddr: 8080\nip_restriction:\n  allow_cidrs: [192.0.2.0/24]\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_tcp_connect:
              - actions:
                  - type: restrict-ips
                    config:
                      allow: [192.0.2.0/24]
        """),
    "ip-restriction-tcp": ("proto: tcp\naddr: 22\nip_restriction:\n  allow_cidrs: [192.0.2.0/24]\n  deny_cidrs: [192.0.2.7/32]\n", """
        - name: t
          url: tcp://
          upstream:
            url: 22
          traffic_policy:
            on_tcp_connect:
              - actions:
                  - type: restrict-ips
                    config:
                      allow: [192.0.2.0/24]
                      deny: [192.0.2.7/32]
        """),
    "oauth-any-account": ("proto: http\naddr: 8080\noauth:\n  provider: github\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: oauth
                    config:
                      provider: github
        """),
    "oauth-allow-lists": (
        "proto: http\naddr: 8080\noauth:\n  provider: google\n  scopes: [email]\n"
        "  allow_emails: [alice@example.org, \"o'brien@example.org\"]\n  allow_domains: [example.com]\n", r"""
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: oauth
                    config:
                      provider: google
                      scopes: [email]
              - expressions:
                  - "!(actions.ngrok.oauth.identity.email in ['alice@example.org', 'o\\'brien@example.org'] || actions.ngrok.oauth.identity.email.endsWith('@example.com'))"
                actions:
                  - type: deny
        """),
    "oidc": ("proto: http\naddr: 8080\noidc:\n  issuer_url: https://id.example.com\n  client_id: app\n  client_secret: a-client-secret\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: openid-connect
                    config:
                      issuer_url: https://id.example.com
                      client_id: app
                      client_secret: a-client-secret
        """),
    "verify-webhook": ("proto: http\naddr: 8080\nverify_webhook:\n  provider: stripe\n  secret: whsec_abc\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: verify-webhook
                    config:
                      provider: stripe
                      secret: whsec_abc
        """),
    "request-header": ("proto: http\naddr: 8080\nrequest_header:\n  add: [\"X-One: 1\", \"X-Two:two\", \"X-Yes: yes\"]\n  remove: [Cookie]\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: add-headers
                    config:
                      headers:
                        X-One: "1"
                        X-Two: two
                        X-Yes: "yes"
              - actions:
                  - type: remove-headers
                    config:
                      headers:
                        - Cookie
        """),
    "response-header": ("proto: http\naddr: 8080\nresponse_header:\n  add: [\"X-Frame-Options: DENY\"]\n  remove: [Server]\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_response:
              - actions:
                  - type: add-headers
                    config:
                      headers:
                        X-Frame-Options: DENY
              - actions:
                  - type: remove-headers
                    config:
                      headers:
                        - Server
        """),
    "host-header-literal": ("proto: http\naddr: 8080\nhost_header: example.local\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: add-headers
                    config:
                      headers:
                        host: example.local
        """),
    "host-header-preserve-is-the-default": ("proto: http\naddr: 8080\nhost_header: preserve\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "compression-on": ("proto: http\naddr: 8080\ncompression: true\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_response:
              - actions:
                  - type: compress-response
        """),
    "compression-off-is-the-default": ("proto: http\naddr: 8080\ncompression: false\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "circuit-breaker": ("proto: http\naddr: 8080\ncircuit_breaker: 0.25\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: circuit-breaker
                    config:
                      error_threshold: 0.25
        """),
    "circuit-breaker-zero-is-off": ("proto: http\naddr: 8080\ncircuit_breaker: 0\n", """
        - name: t
          upstream:
            url: 8080
        """),
    "policy-phase-names": ("proto: http\naddr: 8080\ntraffic_policy:\n  on_http_request:\n    - actions:\n        - type: deny\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: deny
        """),
    "policy-inbound-outbound-after-modules": (
        "proto: http\naddr: 8080\nbasic_auth: [\"u:a-long-password\"]\ntraffic_policy:\n  inbound:\n    - actions:\n"
        "        - type: deny\n  outbound:\n    - actions:\n        - type: compress-response\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: basic-auth
                    config:
                      credentials: ["u:a-long-password"]
              - actions:
                  - type: deny
            on_http_response:
              - actions:
                  - type: compress-response
        """),
    "policy-old-name-on-tcp": (
        "proto: tcp\naddr: 22\npolicy:\n  inbound:\n    - expressions: [\"conn.client_ip != '192.0.2.1'\"]\n"
        "      actions:\n        - type: deny\n", """
        - name: t
          url: tcp://
          upstream:
            url: 22
          traffic_policy:
            on_tcp_connect:
              - expressions: ["conn.client_ip != '192.0.2.1'"]
                actions:
                  - type: deny
        """),
    "policy-written-as-text": ("proto: http\naddr: 8080\ntraffic_policy: |\n  on_http_request:\n    - actions:\n        - type: deny\n", """
        - name: t
          upstream:
            url: 8080
          traffic_policy:
            on_http_request:
              - actions:
                  - type: deny
        """),
    "metadata-and-pooling": ("proto: http\naddr: 8080\nmetadata: team-a\npooling_enabled: true\n", """
        - name: t
          metadata: team-a
          pooling_enabled: true
          upstream:
            url: 8080
        """),
    "null-values-are-defaults": ("proto: http\naddr: 8080\ndomain:\nbasic_auth:\n", """
        - name: t
          upstream:
            url: 8080
        """),
}


def _v2_file(body: str, name: str = "t") -> str:
    return f'version: "2"\ntunnels:\n  {name}:\n' + textwrap.indent(body, "    ")


@pytest.mark.parametrize("case", list(TUNNELS), ids=list(TUNNELS))
def test_tunnel_becomes_endpoints(case: str) -> None:
    body, expected = TUNNELS[case]
    new, conversion = convert(_v2_file(body))
    assert conversion.plan.blockers == [], [b.describe() for b in conversion.plan.blockers]
    assert conversion.fix is not None and conversion.fix.safety is Safety.UNSAFE
    assert new == 'version: "3"\nendpoints:\n' + textwrap.indent(textwrap.dedent(expected).strip("\n"), "  ") + "\n"
    assert _schema_errors(new) == []


# Shapes with no faithful version 3 form: the key (as the message names it) that stops them.
BLOCKED: Dict[str, Tuple[str, str]] = {
    "inspect": ("proto: http\naddr: 8080\ninspect: false\n", "inspect"),
    "labels": ("labels: [edge=edghts_x]\naddr: 8080\n", "labels"),
    "subdomain": ("proto: http\naddr: 8080\nsubdomain: app\n", "subdomain"),
    "host-header-rewrite": ("proto: http\naddr: 8080\nhost_header: rewrite\n", "host_header"),
    "websocket-tcp-converter": ("proto: http\naddr: 8080\nwebsocket_tcp_converter: true\n", "websocket_tcp_converter"),
    "user-agent-filter": ("proto: http\naddr: 8080\nuser_agent_filter:\n  deny: [bot]\n", "user_agent_filter"),
    "mutual-tls-on-http": ("proto: http\naddr: 8080\nmutual_tls_cas: /ca.pem\n", "mutual_tls_cas"),
    "crt-on-http": ("proto: http\naddr: 8080\ncrt: /a.crt\nkey: /a.key\n", "crt"),
    "crt-without-key": ("proto: tls\naddr: 443\ncrt: /a.crt\n", "crt"),
    "terminate-at": ("proto: tls\naddr: 443\nterminate_at: agent\n", "terminate_at"),
    "both-schemes-random-address": ("proto: http\naddr: 8080\nschemes: [http, https]\n", "schemes"),
    "bind-tls-is-ngl003s": ("proto: http\naddr: 8080\nbind_tls: true\n", "bind_tls"),
    "auth-is-ngl003s": ("proto: http\naddr: 8080\nauth: \"u:p\"\n", "auth"),
    "expression-in-header": ("proto: http\naddr: 8080\nrequest_header:\n  add: [\"X-Ip: ${conn.client_ip}\"]\n", "request_header"),
    "variable-in-domain": ("proto: http\naddr: 8080\ndomain: ${NGROK_DOMAIN}\n", "domain"),
    "missing-addr": ("proto: http\n", "addr"),
    "unknown-proto": ("proto: ftp\naddr: 21\n", "proto"),
    "outbound-on-tcp": ("proto: tcp\naddr: 22\ntraffic_policy:\n  outbound:\n    - actions: [{type: deny}]\n", "traffic_policy.outbound"),
    "domain-on-tcp": ("proto: tcp\naddr: 22\ndomain: a.example.com\n", "domain"),
    "policy-and-policy-file": ("proto: http\naddr: 80\ntraffic_policy: {}\ntraffic_policy_file: p.yml\n", "traffic_policy_file"),
    "header-added-twice": ("proto: http\naddr: 80\nrequest_header:\n  add: [\"X-A: 1\", \"x-a: 2\"]\n", "request_header.add"),
    "unknown-tunnel-key": ("proto: http\naddr: 80\nhost-header: rewrite\n", "host-header"),
}


@pytest.mark.parametrize("case", list(BLOCKED), ids=list(BLOCKED))
def test_unfaithful_tunnel_names_the_key(case: str) -> None:
    body, key = BLOCKED[case]
    text = _v2_file(body)
    new, conversion = convert(text)
    assert new is None
    described = [b.describe() for b in conversion.plan.blockers]
    assert any(d.startswith(f"tunnel `t`: `{key}` ") for d in described), described
    found = [f for f in lint(text, select=["NGL402"]) if f.code == "NGL402"]
    assert len(found) == 1 and found[0].fix is None
    assert f"tunnel `t`: `{key}`" in found[0].message and "faithfully" in found[0].message


def test_second_endpoint_name_already_taken() -> None:
    text = _v2_file("proto: http\naddr: 80\ndomain: a.example.com\nschemes: [http, https]\n", "web")
    text += "  web-http:\n    proto: http\n    addr: 81\n"
    _, conversion = convert(text)
    assert any("web-http" in b.describe() and "taken" in b.describe() for b in conversion.plan.blockers)


def test_special_tunnel_names_stay_text() -> None:
    new, _ = convert('version: "2"\ntunnels:\n  1:\n    proto: http\n    addr: 80\n  "yes":\n    proto: http\n    addr: 81\n')
    assert new is not None
    assert '- name: "1"' in new and '- name: "yes"' in new
    assert [e["name"] for e in _doc(new).data["endpoints"]] == ["1", "yes"]


# --- agent settings ------------------------------------------------------------------------------


def test_agent_settings_move_and_rename() -> None:
    text = textwrap.dedent("""\
        version: 2
        authtoken: your-authtoken
        server_addr: connect.example.com:443
        root_cas: host
        dns_resolver_ips:
          - 1.1.1.1
        tunnels:
          web:
            proto: http
            addr: 80
        log_level: debug
        """)
    new, conversion = convert(text)
    assert new == textwrap.dedent("""\
        version: 3
        agent:
          authtoken: your-authtoken
          connect_url: connect.example.com:443
          connect_cas: host
          dns_resolver_ips:
            - 1.1.1.1
          log_level: debug
        endpoints:
          - name: web
            upstream:
              url: 80
        """)
    assert _schema_errors(new) == []
    assert conversion.plan.dropped == []


def test_region_is_dropped_and_said_so() -> None:
    """Version 3 has no `region` (the agent refuses the key there): current agents pick the nearest
    region themselves (ngrok deprecated the setting in 3.5.0), so the conversion drops it, says so
    in the message and the fix title, and does not count it as a reason to refuse."""
    text = 'version: "2"\nauthtoken: your-authtoken\nregion: eu  # Europe\n'
    new, conversion = convert(text)
    assert new == 'version: "3"\nagent:\n  authtoken: your-authtoken\n# Europe\n'
    assert conversion.plan.dropped == ["region"]
    assert conversion.fix is not None and "`region` dropped" in conversion.fix.title
    found = [f for f in lint(text, select=["NGL402"]) if f.code == "NGL402"]
    assert "`region` is dropped" in found[0].message and found[0].fix is not None


@pytest.mark.parametrize(
    "key, reason",
    [
        ("http_proxy: http://proxy:3128", "agent 2.x key"),
        ("update: false", "agent 2.x key"),
        ("unknown_thing: 1", "no place in a version 3 file"),
        ("agent:\n  authtoken: x", "version 3 structure"),
        ("web_addr: localhost", "would not be valid in version 3"),
    ],
)
def test_top_level_keys_that_stop_the_conversion(key: str, reason: str) -> None:
    _, conversion = convert(f'version: "2"\n{key}\n')
    described = [b.describe() for b in conversion.plan.blockers]
    assert any(reason in d for d in described), described


def test_duplicate_key_stops_the_conversion() -> None:
    _, conversion = convert('version: "2"\nauthtoken: a\nauthtoken: b\n')
    assert [b.describe() for b in conversion.plan.blockers] == [
        "`authtoken` is written twice (also on line 2): keep one first (NGL004)"
    ]


def test_file_read_as_version_2_by_its_keys_gets_a_version() -> None:
    new, _ = convert("tunnels:\n  web:\n    proto: http\n    addr: 80\n    schemes: [https]\n")
    assert new == 'version: "3"\nendpoints:\n  - name: web\n    upstream:\n      url: 80\n'


# --- version 3 files with tunnels ----------------------------------------------------------------


def test_v3_tunnels_are_appended_to_endpoints_and_the_rest_is_untouched() -> None:
    text = textwrap.dedent("""\
        version: "3"
        agent: {authtoken: your-authtoken}   # flow, kept as written
        endpoints:
          - name: site
            url: "https://site.example.com"
            upstream: {url: 80}
        tunnels:
          api:
            proto: http
            addr: 8080
        log_level:    info
        """)
    new, conversion = convert(text)
    assert new == textwrap.dedent("""\
        version: "3"
        agent: {authtoken: your-authtoken}   # flow, kept as written
        endpoints:
          - name: site
            url: "https://site.example.com"
            upstream: {url: 80}
          - name: api
            upstream:
              url: 8080
        log_level:    info
        """)
    assert conversion.fix is not None and conversion.fix.title.startswith("convert `tunnels` to `endpoints`")


@pytest.mark.parametrize("endpoints", ["", "endpoints:\n", "endpoints: []\n"])
def test_v3_tunnels_become_the_endpoints(endpoints: str) -> None:
    text = f"version: 3\n{endpoints}tunnels:\n  api:\n    proto: tcp\n    addr: 22\n"
    new, _ = convert(text)
    assert new == "version: 3\nendpoints:\n  - name: api\n    url: tcp://\n    upstream:\n      url: 22\n"


def test_v3_tunnels_before_an_empty_endpoints_key() -> None:
    new, _ = convert("version: 3\ntunnels:\n  api:\n    proto: tcp\n    addr: 22\nendpoints: []  # none yet\n")
    assert new == "version: 3\nendpoints:  # none yet\n  - name: api\n    url: tcp://\n    upstream:\n      url: 22\n"


def test_v3_tunnel_named_like_an_endpoint_stops_the_conversion() -> None:
    text = "version: 3\nendpoints:\n  - name: api\n    upstream:\n      url: 1\ntunnels:\n  api:\n    proto: tcp\n    addr: 22\n"
    _, conversion = convert(text)
    assert any("name the file already uses" in b.describe() for b in conversion.plan.blockers)


def test_v3_flow_endpoints_stop_the_conversion() -> None:
    text = "version: 3\nendpoints: [{name: a, upstream: {url: 1}}]\ntunnels:\n  api:\n    proto: tcp\n    addr: 22\n"
    _, conversion = convert(text)
    assert any("flow style" in b.describe() for b in conversion.plan.blockers)


def test_v3_file_without_tunnels_and_legacy_files_are_not_reported() -> None:
    assert not lint("version: 3\nendpoints: []\n", select=["NGL402"])
    assert not lint("authtoken: x\ntunnels:\n  web:\n    proto: http\n    addr: 80\n", select=["NGL402"])


def test_rule_is_opt_in() -> None:
    from ngrok_lint import registry

    meta = registry.by_code()["NGL402"].META
    assert meta.default_enabled is False and meta.fix.value == "unsafe"
    text = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n'
    assert not [f for f in lint(text) if f.code == "NGL402"]
    assert [f for f in lint(text, extend_select=["NGL402"]) if f.code == "NGL402"]


# --- comments --------------------------------------------------------------------------------------

COMMENTED = textwrap.dedent("""\
    # My ngrok setup.
    version: "2"
    # The token comes from the dashboard.
    authtoken: your-authtoken  # replace me
    region: eu  # closest to the team

    tunnels:  # started with --all
      # The web front end.
      web:
        proto: http  # plain upstream
        addr: 8080   # the dev server
        domain: app.example.com
        # Only the team gets in.
        basic_auth:
          - "team:a-long-password"  # rotate monthly
        oauth:
          provider: google  # managed app
          allow_domains: [example.com]  # staff only
        # inspect: false
      # SSH for the build box.
      ssh:
        proto: tcp
        addr: 22
        remote_addr: 1.tcp.ngrok.io:12345  # reserved
        ip_restriction:
          allow_cidrs:
            - 192.0.2.0/24  # office
    # end of file
    """)


def test_every_comment_is_kept_and_travels_with_its_tunnel() -> None:
    new, _ = convert(COMMENTED)
    assert new is not None
    assert _comment_texts(new) == _comment_texts(COMMENTED)
    lines = new.splitlines()
    web = lines.index("  - name: web")
    ssh = lines.index("  - name: ssh")
    assert lines[web - 1] == "  # The web front end."
    assert lines[ssh - 1] == "  # SSH for the build box."
    # Comments written inside a tunnel stay inside its endpoint.
    for comment in ("# plain upstream", "# the dev server", "# Only the team gets in.", "# rotate monthly",
                    "# managed app", "# staff only", "# inspect: false"):
        at = next(i for i, line in enumerate(lines) if comment in line)
        assert web < at < ssh, comment
    for comment in ("# reserved", "# office"):
        assert next(i for i, line in enumerate(lines) if comment in line) > ssh
    assert "  authtoken: your-authtoken  # replace me" in lines
    assert lines[0] == "# My ngrok setup." and lines[-1] == "# end of file"
    assert _schema_errors(new) == []


def test_comment_like_text_in_values_is_not_a_comment() -> None:
    text = 'version: "2"\nmetadata: "a # b"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    metadata: |\n      # not a comment\n'
    assert not migrate.comments(_doc(text))
    new, _ = convert(text)
    assert new is not None and _doc(new).data["endpoints"][0]["metadata"] == "# not a comment\n"


@pytest.mark.parametrize("path", sorted((RULE_FIXTURES / "NGL402").glob("fail-*.yml")), ids=lambda p: p.name)
def test_fixtures_keep_every_comment_and_validate(path: Path) -> None:
    if path.name.endswith(".fixed.yml"):
        fixed = path.read_text("utf-8")
        original = path.with_name(path.name.replace(".fixed.yml", ".yml")).read_text("utf-8")
        assert _comment_texts(fixed) == _comment_texts(original)
        assert _schema_errors(fixed) == []
        assert _doc(fixed).format == "v3" and "tunnels" not in _doc(fixed).data


def test_indentation_follows_the_file() -> None:
    """Mapping steps of 4 and list dashes at their key's column, as this file writes them."""
    text = 'version: "2"\ntunnels:\n    web:\n        proto: http\n        addr: 80\n        basic_auth:\n        - "u:a-long-password"\n'
    new, _ = convert(text)
    assert new == textwrap.dedent("""\
        version: "3"
        endpoints:
        - name: web
          upstream:
              url: 80
          traffic_policy:
              on_http_request:
              - actions:
                - type: basic-auth
                  config:
                      credentials:
                      - "u:a-long-password"
        """)


def test_crlf_is_kept() -> None:
    text = 'version: "2"\r\nauthtoken: x  # t\r\ntunnels:\r\n  web:\r\n    proto: http\r\n    addr: 80\r\n'
    new, _ = convert(text)
    assert new == 'version: "3"\r\nagent:\r\n  authtoken: x  # t\r\nendpoints:\r\n  - name: web\r\n    upstream:\r\n      url: 80\r\n'


def test_missing_final_newline_is_kept() -> None:
    new, _ = convert('version: "2"\ntunnels:\n  web:\n    proto: tcp\n    addr: 22')
    assert new == 'version: "3"\nendpoints:\n  - name: web\n    url: tcp://\n    upstream:\n      url: 22'


# --- the real-world corpus -------------------------------------------------------------------------


def _corpus_v2() -> List[Path]:
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    rows = index.read_text("utf-8").splitlines()
    header = rows[0].split("\t")
    column, name = header.index("version"), header.index("file")
    found = []
    for row in rows[1:]:
        cells = row.split("\t")
        if len(cells) > column and cells[column] == "2":
            path = CORPUS / cells[name]
            if isinstance(parse(str(path), path.read_bytes().decode("utf-8-sig")), Document):
                found.append(path)
    return found


CORPUS_V2 = _corpus_v2()


@pytest.mark.skipif(not CORPUS_V2, reason="the real-world corpus is not present")
def test_corpus_version_2_files_convert_or_say_why(capsys: pytest.CaptureFixture) -> None:
    converted: List[str] = []
    reasons: collections.Counter = collections.Counter()
    stopped: List[str] = []
    for path in CORPUS_V2:
        text = path.read_bytes().decode("utf-8-sig")
        doc = _doc(text)
        if not isinstance(doc.data, dict):
            continue
        new, conversion = convert(text)
        if new is not None:
            assert _schema_errors(new) == [], path.name
            assert _comment_texts(new) == _comment_texts(text), path.name
            assert not [f for f in lint(new, select=["NGL402"]) if f.code == "NGL402"], path.name
            converted.append(path.name)
            continue
        assert conversion.plan.blockers, f"{path.name}: no fix and no reason ({conversion.problem})"
        found = [f for f in lint(text, select=["NGL402"]) if f.code == "NGL402"]
        assert len(found) == 1 and found[0].fix is None
        first = conversion.plan.blockers[0]
        key = str(first.path[2] if first.path[0] == "tunnels" and len(first.path) > 2 else first.path[0])
        assert f"`{key}" in found[0].message, (path.name, found[0].message)
        stopped.append(path.name)
        for blocker in conversion.plan.blockers:
            path_ = blocker.path
            reasons[str(path_[2] if path_[0] == "tunnels" and len(path_) > 2 else path_[0])] += 1
    with capsys.disabled():
        print(f"\ncorpus version 2 files: {len(converted)} convert, {len(stopped)} do not; "
              f"keys that stop them (count of tunnels/keys): {reasons.most_common(8)}")
    assert converted and len(converted) + len(stopped) == len([p for p in CORPUS_V2 if isinstance(_doc(p.read_bytes().decode('utf-8-sig')).data, dict)])


# --- legacy → version 2 (NGL003) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, schemes",
    [(True, ["https"]), (False, ["http"]), ("true", ["https"]), ("false", ["http"]), ("both", ["http", "https"]),
     (None, ["http", "https"]), ("", ["http", "https"]), ("maybe", None), (1, None), ("BOTH", None)],
)
def test_bind_tls_schemes(value: Any, schemes: Optional[List[str]]) -> None:
    assert migrate.bind_tls_schemes(value) == schemes


LEGACY_KEYS = [
    # (tunnel or top-level YAML, path, expected changes or a word of the reason)
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls: true\n", ("tunnels", "t", "bind_tls"),
     [Change(Op.RENAME, ("tunnels", "t", "bind_tls"), "schemes"), Change(Op.SET, ("tunnels", "t", "schemes"), ["https"])]),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls:\n", ("tunnels", "t", "bind_tls"),
     [Change(Op.RENAME, ("tunnels", "t", "bind_tls"), "schemes"), Change(Op.SET, ("tunnels", "t", "schemes"), ["http", "https"])]),
    ("tunnels:\n  t:\n    proto: tcp\n    addr: 22\n    bind_tls: true\n", ("tunnels", "t", "bind_tls"),
     [Change(Op.REMOVE, ("tunnels", "t", "bind_tls"))]),
    ("tunnels:\n  t:\n    proto: tls\n    addr: 443\n    bind_tls: false\n", ("tunnels", "t", "bind_tls"),
     [Change(Op.REMOVE, ("tunnels", "t", "bind_tls"))]),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls: maybe\n", ("tunnels", "t", "bind_tls"), "refused"),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls: true\n    schemes: [http]\n", ("tunnels", "t", "bind_tls"), "already set"),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    auth: 'u:p'\n", ("tunnels", "t", "auth"),
     [Change(Op.RENAME, ("tunnels", "t", "auth"), "basic_auth"), Change(Op.SET, ("tunnels", "t", "basic_auth"), ["u:p"])]),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    auth: ''\n", ("tunnels", "t", "auth"),
     [Change(Op.REMOVE, ("tunnels", "t", "auth"))]),
    ("tunnels:\n  t:\n    proto: tls\n    addr: 443\n    client_cas: ca.pem\n", ("tunnels", "t", "client_cas"),
     [Change(Op.RENAME, ("tunnels", "t", "client_cas"), "mutual_tls_cas")]),
    ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    client_cas: ca.pem\n", ("tunnels", "t", "client_cas"),
     [Change(Op.REMOVE, ("tunnels", "t", "client_cas"))]),
    ("http_proxy: http://p:3128\n", ("http_proxy",), [Change(Op.RENAME, ("http_proxy",), "proxy_url")]),
    ("socks5_proxy: socks5://p:1080\n", ("socks5_proxy",), [Change(Op.RENAME, ("socks5_proxy",), "proxy_url")]),
    ("http_proxy: http://p\nsocks5_proxy: socks5://p\n", ("http_proxy",), "both"),
    ("update: true\n", ("update",), [Change(Op.REMOVE, ("update",))]),
    ("version: 3\nagent:\n  http_proxy: http://p\n", ("agent", "http_proxy"), [Change(Op.RENAME, ("agent", "http_proxy"), "proxy_url")]),
]


@pytest.mark.parametrize("text, path, expected", LEGACY_KEYS, ids=[f"{'.'.join(c[1])}-{i}" for i, c in enumerate(LEGACY_KEYS)])
def test_legacy_key_changes(text: str, path: tuple, expected: Any) -> None:
    got = migrate.legacy_key_changes(_doc(text), path)
    if isinstance(expected, str):
        assert isinstance(got, str) and expected in got
    else:
        assert got == expected


def test_upgrade_legacy_adds_version_first_then_renames() -> None:
    outcome = migrate.upgrade_legacy(_doc("authtoken: x\nupdate: true\ntunnels:\n  t:\n    proto: http\n    addr: 80\n    auth: 'u:p'\n"))
    assert outcome.fix is not None and outcome.fix.safety is Safety.SAFE
    assert outcome.fix.changes[0] == Change(Op.SET, ("version",), "2", index=0)
    assert [c.op for c in outcome.fix.changes[1:]] == [Op.REMOVE, Op.RENAME, Op.SET]


@pytest.mark.parametrize(
    "text, reason",
    [("version: 2\n", "already has"), ("agent:\n  authtoken: x\n", "version 3 structure"),
     ("tunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls: maybe\n", "tunnel `t`")],
)
def test_upgrade_legacy_refuses(text: str, reason: str) -> None:
    outcome = migrate.upgrade_legacy(_doc(text))
    assert outcome.fix is None and reason in (outcome.reason or "")


def test_ngl003_findings_carry_the_migration() -> None:
    from ngrok_lint import registry
    from ngrok_lint.model import FixKind

    assert registry.by_code()["NGL003"].META.fix is FixKind.SAFE
    legacy = [f for f in lint("authtoken: x\ntunnels:\n  t:\n    proto: http\n    addr: 80\n", select=["NGL003"])]
    assert len(legacy) == 1 and legacy[0].fix is not None and legacy[0].fix.safety is Safety.SAFE
    keys = lint('version: "2"\nupdate: true\ntunnels:\n  t:\n    proto: tcp\n    addr: 22\n    bind_tls: true\n', select=["NGL003"])
    assert len(keys) == 2 and all(f.fix is not None and f.fix.safety is Safety.SAFE for f in keys)
    v3_structure = lint("agent:\n  authtoken: x\n", select=["NGL003"])
    assert [f.fix for f in v3_structure] == [None]


# NGL003's message on a 2.x tunnel key says what its fix does, by proto: (proto, key, value, words
# the message holds, what the fix does: "remove", the key it renames to, or None for no fix).
TUNNEL_KEY_ADVICE = [
    ("http", "bind_tls", "true", "write `schemes: [https]` instead", "schemes"),
    ("tcp", "bind_tls", "true", "remove it: tcp tunnels have no `schemes`", "remove"),
    ("tls", "bind_tls", "false", "remove it: tls tunnels have no `schemes`", "remove"),
    ("http", "auth", "'u:a-long-password'", "write `basic_auth`", "basic_auth"),
    ("http", "auth", "''", "remove it", "remove"),
    ("tcp", "auth", "'u:a-long-password'", "remove it", None),
    ("tls", "client_cas", "ca.pem", "write `mutual_tls_cas` instead", "mutual_tls_cas"),
    ("http", "client_cas", "ca.pem", "remove it", "remove"),
    ("tcp", "client_cas", "ca.pem", "remove it", None),
]


@pytest.mark.parametrize("proto, key, value, words, does", TUNNEL_KEY_ADVICE,
                         ids=[f"{c[1]}-{c[0]}-{i}" for i, c in enumerate(TUNNEL_KEY_ADVICE)])
def test_ngl003_tunnel_key_message_says_what_the_fix_does(proto: str, key: str, value: str, words: str,
                                                          does: Optional[str]) -> None:
    text = f'version: "2"\ntunnels:\n  t:\n    proto: {proto}\n    addr: 22\n    {key}: {value}\n'
    [found] = lint(text, select=["NGL003"])
    assert words in found.message
    if does is None:
        assert found.fix is None
    elif does == "remove":
        assert found.fix is not None and [c.op for c in found.fix.changes] == [Op.REMOVE]
        assert "instead" not in found.message  # no replacement key is suggested
    else:
        assert found.fix is not None and found.fix.changes[0] == Change(Op.RENAME, ("tunnels", "t", key), does)
    if proto != "http":
        assert "schemes:" not in found.message and "write `basic_auth`" not in found.message


def test_key_tables_have_one_definition() -> None:
    from ngrok_lint import formats
    from ngrok_lint.rules import ngl003_config_version as ngl003

    for name in ("LEGACY_TOP_KEYS", "LEGACY_TUNNEL_KEYS", "V3_AGENT_KEYS", "V3_AGENT_RENAMES"):
        assert getattr(ngl003, name) is getattr(formats, name) is getattr(migrate, name)


MIGRATED = sorted((RULE_FIXTURES / "NGL003").glob("fail-migrate-*.fixed.yml"))


@pytest.mark.parametrize("path", MIGRATED, ids=lambda p: p.name)
def test_migrated_fixtures_are_valid_version_2_or_3(path: Path) -> None:
    doc = _doc(path.read_text("utf-8"))
    assert doc.declared_format in ("v2", "v3")
    assert _schema_errors(path.read_text("utf-8"), V2 if doc.declared_format == "v2" else V3) == []


# --- the docs ------------------------------------------------------------------------------------


def test_ngl402_docs_use_instead_is_exactly_what_the_fix_writes() -> None:
    from ngrok_lint import docs, registry

    before, after = docs.examples(registry.by_code()["NGL402"].META)
    assert before is not None and after is not None
    new, _ = convert(before)
    assert new == after


def _yaml_blocks(markdown: str) -> List[str]:
    return re.findall(r"```yaml\n(.*?)```", markdown, re.S)


def test_migration_guide_example_is_what_the_tool_writes(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Migrating to config version 3", 1)[1].split("\n## ", 1)[0]
    before, step1, step2 = _yaml_blocks(section)
    config = tmp_path / "ngrok.yml"
    config.write_text(before, "utf-8")
    run_cli(["--isolated", "--fix", str(config)])
    assert config.read_text("utf-8") == step1
    run_cli(["--isolated", "--fix", "--unsafe-fixes", "--select", "NGL402", str(config)])
    assert config.read_text("utf-8") == step2
    assert _schema_errors(step2) == []


# --- the plain lint path never loads ruamel.yaml ----------------------------------------------------


def test_plain_lint_does_not_import_ruamel(tmp_path: Path) -> None:
    config = tmp_path / "ngrok.yml"
    config.write_text("authtoken: x\ntunnels:\n  t:\n    proto: http\n    addr: 80\n    bind_tls: true\n", "utf-8")
    code = (
        "import sys\n"
        "import ngrok_lint.migrate, ngrok_lint.rules.ngl402_upgrade_to_v3\n"
        "from ngrok_lint.cli import main\n"
        f"main(['--isolated', {str(config)!r}])\n"
        "assert not [m for m in sys.modules if m.startswith('ruamel')], 'ruamel imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
