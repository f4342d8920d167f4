"""Issue 13's rule changes, each on the case that showed it: NGL201 inside containers, NGL006 in
templates, NGL102 on same-host addresses, NGL003 on `version: 1`, NGL103's message, NGL203 opt-in,
NGL202's ports, NGL301/NGL303 placeholders."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from ngrok_lint import filekind
from ngrok_lint.config import Overrides, Settings
from ngrok_lint.engine import lint_bytes
from ngrok_lint.model import Finding

INSPECTOR = 'version: "2"\nweb_addr: 0.0.0.0:4040\n'


def _lint(path: Path, text: str, **settings: object) -> List[Finding]:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    filekind.load_compose.cache_clear()
    filekind._envsubst_beside.cache_clear()
    return lint_bytes(str(path), text.encode(), Settings(**settings))  # type: ignore[arg-type]


def _codes(found: List[Finding]) -> List[str]:
    return [f.code for f in found]


# --- NGL201 in a container: the Compose port mapping decides --------------------------------------

def test_inspector_bind_outside_a_container_is_reported(tmp_path: Path) -> None:
    found = _lint(tmp_path / "ngrok.yml", INSPECTOR)
    assert _codes(found) == ["NGL201"] and "binds every network interface" in found[0].message


def test_inspector_bind_in_a_container_published_on_every_interface_is_reported(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        'services:\n  ngrok:\n    image: ngrok/ngrok\n    ports:\n      - "4040:4040"\n')
    found = _lint(tmp_path / "ngrok" / "ngrok.yml", INSPECTOR)
    assert _codes(found) == ["NGL201"]
    message = found[0].message
    assert "`docker-compose.yml` publishes on every interface" in message and "`4040:4040`" in message
    assert "127.0.0.1:4040:4040" in message


@pytest.mark.parametrize("compose", [
    'services:\n  ngrok:\n    image: ngrok/ngrok\n    ports:\n      - "127.0.0.1:4040:4040"\n',  # host only
    "services:\n  ngrok:\n    image: ngrok/ngrok\n",  # not published: only the Compose network reaches it
    None,  # a docker/ folder, no Compose file visible: the mapping cannot be judged
])
def test_inspector_bind_in_a_container_not_published_to_the_network_is_quiet(compose: object, tmp_path: Path) -> None:
    if compose is not None:
        (tmp_path / "docker-compose.yml").write_text(str(compose))
    found = _lint(tmp_path / "docker" / "ngrok" / "ngrok.yml", INSPECTOR)
    assert "NGL201" not in _codes(found)


def test_a_lan_address_in_a_container_is_still_reported(tmp_path: Path) -> None:
    found = _lint(tmp_path / "docker" / "ngrok.yml", 'version: "2"\nweb_addr: 192.168.1.5:4040\n')
    assert _codes(found) == ["NGL201"]


# --- NGL006 in templates: quiet, never the "remove it" fix ----------------------------------------

TEMPLATE = 'version: "2"\nauthtoken: ${NGROK_AUTHTOKEN}\ntunnels:\n  web:\n    proto: http\n    addr: ${PORT}\n'


@pytest.mark.parametrize("name", ["ngrok.yml.template", "ngrok.tmpl.yml", "ngrok.yml.dist", "ngrok.example.yml",
                                  "ngrok.yml.sample"])
def test_templates_get_no_ngl006(name: str, tmp_path: Path) -> None:
    assert "NGL006" not in _codes(_lint(tmp_path / name, TEMPLATE))


def test_a_file_rendered_by_envsubst_gets_no_ngl006(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM ngrok/ngrok\nRUN envsubst < ngrok.yml > /etc/ngrok.yml\n")
    assert "NGL006" not in _codes(_lint(tmp_path / "ngrok.yml", TEMPLATE))


def test_a_plain_config_still_gets_ngl006_and_its_fix(tmp_path: Path) -> None:
    found = [f for f in _lint(tmp_path / "ngrok.yml", TEMPLATE) if f.code == "NGL006"]
    assert len(found) == 2 and any(f.fix is not None for f in found)


# --- NGL102: same-host addresses are like host.docker.internal ---------------------------------------

@pytest.mark.parametrize("addr", ["10.0.75.1:8080", "10.0.75.20:80", "192.168.65.2:8080", "172.17.0.1:8080",
                                  "10.0.2.2:3000", "host.containers.internal:80", "gateway.docker.internal:80"])
def test_same_host_addresses_are_not_plaintext_upstreams(addr: str, tmp_path: Path) -> None:
    text = f'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: {addr}\n'
    assert "NGL102" not in _codes(_lint(tmp_path / "ngrok.yml", text))


def test_an_address_in_a_compose_network_beside_the_config_is_not_reported(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  ngrok:\n    image: ngrok/ngrok\n    networks:\n      inner:\n        ipv4_address: 172.100.2.10\n")
    text = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 172.100.2.1:80\n'
    assert "NGL102" not in _codes(_lint(tmp_path / "ngrok" / "ngrok.yml", text))
    other = tmp_path / "elsewhere" / "deeper" / "again" / "ngrok.yml"  # no Compose file in reach
    assert "NGL102" in _codes(_lint(other, text))


# --- NGL003 says what is true of `version: 1` -----------------------------------------------------

def test_version_1_message_does_not_claim_a_refusal(tmp_path: Path) -> None:
    (found,) = [f for f in _lint(tmp_path / "ngrok.yml", "version: 1\nauthtoken: x\n") if f.code == "NGL003"]
    assert "recognises config version 1" in found.message and "refuses" not in found.message
    (other,) = [f for f in _lint(tmp_path / "ngrok.yml", 'version: "2.0"\n') if f.code == "NGL003"]
    assert "refuses" in other.message


# --- NGL103: a short message; NGL108 takes over with a project floor above the default ----------

def test_ngl103_message_is_short(tmp_path: Path) -> None:
    text = 'version: "3"\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream:\n      url: 8080\n'
    (found,) = [f for f in _lint(tmp_path / "ngrok.yml", text) if f.code == "NGL103"]
    assert len(found.message) <= 160 and "TLS 1.2" in found.message
    with_policy = lint_bytes(str(tmp_path / "ngrok.yml"), text.encode(),
                             Settings(options=Settings().options._replace(min_tls_version="1.3")))
    assert "NGL103" not in _codes(with_policy) and "NGL108" in _codes(with_policy)


# --- NGL203 opt-in, and what counts as access control ---------------------------------------------

OPEN = 'version: "3"\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream:\n      url: 8080\n'


def test_ngl203_is_opt_in(tmp_path: Path) -> None:
    from ngrok_lint.config import settings_for

    assert "NGL203" not in _codes(_lint(tmp_path / "ngrok.yml", OPEN))
    path = tmp_path / "ngrok.yml"
    settings = settings_for(str(path), Overrides(extend_select=("NGL203",)), True, None)
    assert "NGL203" in _codes(lint_bytes(str(path), OPEN.encode(), settings))


@pytest.mark.parametrize("policy", [
    # a policy that denies requests lacking a header (an API key / bearer token)
    "      on_http_request:\n        - expressions: [\"!('authorization' in req.headers)\"]\n"
    "          actions:\n            - type: deny\n",
    "      on_http_request:\n        - expressions: [\"req.headers['x-api-key'][0] != 'k'\"]\n"
    "          actions:\n            - type: custom-response\n              config: {status_code: 401}\n",
    "      on_http_request:\n        - actions:\n            - type: jwt-validation\n",
    "      on_http_request:\n        - actions:\n            - type: verify-webhook\n              config: {provider: github}\n",
    "      on_tcp_connect:\n        - actions:\n            - type: terminate-tls\n"
    "              config: {mutual_tls_certificate_authorities: [ca.pem]}\n",
    "      on_http_request:\n        - expressions: [\"!(conn.client_ip in ['203.0.113.0/24'])\"]\n"
    "          actions:\n            - type: deny\n",
])
def test_access_control_in_its_many_forms(policy: str, tmp_path: Path) -> None:
    from ngrok_lint.config import Overrides, settings_for

    text = OPEN + "    traffic_policy:\n" + policy
    path = tmp_path / "ngrok.yml"
    path.write_text(text)
    settings = settings_for(str(path), Overrides(select=("NGL203",)), True, None)
    assert lint_bytes(str(path), text.encode(), settings) == []


def test_internal_endpoints_are_never_reported(tmp_path: Path) -> None:
    from ngrok_lint.config import Overrides, settings_for

    text = 'version: "3"\nendpoints:\n  - name: a\n    url: https://a.internal\n    upstream:\n      url: 8080\n'
    path = tmp_path / "ngrok.yml"
    settings = settings_for(str(path), Overrides(select=("NGL203",)), True, None)
    assert lint_bytes(str(path), text.encode(), settings) == []


# --- NGL202: the ports the issue found missing --------------------------------------------------------

@pytest.mark.parametrize("port, service", [(4822, "guacd"), (6557, "Livestatus"), (1883, "MQTT"), (5672, "AMQP")])
def test_ngl202_ports_from_the_registry(port: int, service: str, tmp_path: Path) -> None:
    text = f'version: "2"\ntunnels:\n  t:\n    proto: tcp\n    addr: {port}\n'
    (found,) = [f for f in _lint(tmp_path / "ngrok.yml", text) if f.code == "NGL202"]
    assert service in found.message


def test_sensitive_port_table_names_a_source_for_every_row() -> None:
    from ngrok_lint.sensitive_ports import DEFAULT_PORTS, SENSITIVE_PORTS

    assert all(p.source == "iana" and p.iana_name or p.source != "iana" and not p.iana_name and len(p.source) > 20
               for p in SENSITIVE_PORTS)
    assert {22, 3389, 4822, 6557, 5432, 6379, 27017} <= set(DEFAULT_PORTS)
    assert len(DEFAULT_PORTS) == len(set(DEFAULT_PORTS))


# --- NGL301 / NGL303: placeholders in any language ----------------------------------------------------

@pytest.mark.parametrize("token", ["填你的authtoken", "COLE-SEU-TOKEN-AQUI", "AUTHTOKEN_CREATED_IN_STEP_1", "YYYYY",
                                   "token_1", "TU_AUTHTOKEN"])
def test_placeholder_authtokens_are_not_committed_tokens(token: str, tmp_path: Path) -> None:
    found = _lint(tmp_path / "ngrok.yml", f'version: "3"\nagent:\n  authtoken: {token}\n')
    assert not {"NGL301", "NGL305"} & set(_codes(found))


def test_a_chinese_change_me_note_is_no_inline_credential(tmp_path: Path) -> None:
    text = ('version: "3"\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream:\n      url: 8080\n'
            "    traffic_policy:\n      on_http_request:\n        - actions:\n            - type: basic-auth\n"
            "              config:\n                credentials:\n                  - \"admin:改成强密码\"\n")
    assert not {"NGL303", "NGL304"} & set(_codes(_lint(tmp_path / "ngrok.yml", text)))
