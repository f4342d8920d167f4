"""NGL002 (`schema`): what the findings say and where they stand, as tables.

Each row is a small file and the exact findings NGL002 gives for it: (line, column, message).
Messages use plain words: they name the YAML path and what was expected, never jsonschema's
wording, and never a secret in full.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import List, Tuple

import pytest

from conftest import ROOT, lint

from ngrok_lint import schema
from ngrok_lint.model import Op, Safety


def ngl002(text: str) -> list:
    return [f for f in lint(textwrap.dedent(text), select=["NGL002"]) if f.code == "NGL002"]


def shown(text: str) -> List[Tuple[int, int, str]]:
    return [(f.span.line, f.span.column, f.message) for f in ngl002(text)]


LEGACY = "(agent 2.x silently ignores it)"
V3 = "(agent 3.x refuses the file)"

MESSAGES = [
    # --- unknown keys: on the key, with did-you-mean ---------------------------------------------
    ("legacy typo", """\
        tunnels:
          web:
            proto: http
            addr: 80
            host-header: rewrite
        """, [(5, 5, f"unknown key `host-header` in tunnels.web; did you mean `host_header`? {LEGACY}")]),
    ("1.x spelling of authtoken", "auth_token: abc\n",
     [(1, 1, f"unknown key `auth_token` at the top level; did you mean `authtoken`? {LEGACY}")]),
    ("v2 typo", """\
        version: "2"
        tunnels:
          web:
            proto: http
            addr: 80
            inspct: false
        """, [(6, 5, f"unknown key `inspct` in tunnels.web; did you mean `inspect`? {V3}")]),
    ("oauth_scopes was a docs error", """\
        version: "2"
        tunnels:
          web:
            proto: http
            addr: 80
            oauth:
              provider: google
              oauth_scopes: [email]
        """, [(8, 7, f"unknown key `oauth_scopes` in tunnels.web.oauth; did you mean `scopes`? {V3}")]),
    ("server_key was renamed", """\
        version: "3"
        endpoints:
          - name: a
            url: tls://a.example.com
            upstream: {url: 443}
            agent_tls_termination:
              server_key: k.pem
        """, [(7, 7, f"unknown key `server_key` in endpoints[0].agent_tls_termination; did you mean `server_private_key`? {V3}")]),
    ("no close name", "version: 2\napi:\n  addr: 80\n", [(2, 1, f"unknown key `api` at the top level {V3}")]),
    ("an agent setting inside a tunnel", """\
        tunnels:
          web:
            proto: http
            addr: 80
            region: eu
        """, [(5, 5, f"unknown key `region` in tunnels.web {LEGACY}; `region` is an agent setting: set it at the top level")]),
    ("misspelt required key: one finding, not two", """\
        tunnels:
          web:
            proto: http
            adress: 80
        """, [(4, 5, f"unknown key `adress` in tunnels.web; did you mean `addr`? {LEGACY}")]),
    # --- wrong type: on the value --------------------------------------------------------------
    ("quoted yes in a boolean field", """\
        tunnels:
          web:
            proto: http
            addr: 80
            inspect: "yes"
        """, [(5, 14, 'tunnels.web.inspect: expected a boolean (true/false), got the string "yes"')]),
    ("a mapping where a string goes", "version: 2\nauthtoken: { authToken }\n",
     [(2, 12, "authtoken: expected a single value (text, number or boolean), got a mapping")]),
    ("a list where a mapping goes", "version: 2\ntunnels:\n  - web\n",
     [(3, 3, "tunnels: expected a mapping, got a list")]),
    ("a tunnel that is a number", "tunnels:\n  web: 80\n",
     [(2, 8, "tunnels.web: expected a mapping, got the number 80")]),
    ("quoted number in a number field", 'inspect_db_size: "100"\n',
     [(1, 18, 'inspect_db_size: expected a size in bytes: a positive whole number, 0 for the default, or -1 to disable, got the string "100"')]),
    # --- enums ------------------------------------------------------------------------------------
    ("proto", "tunnels:\n  a:\n    proto: ftp\n    addr: 21\n",
     [(3, 12, 'tunnels.a.proto: expected one of http, tcp, tls, got the string "ftp"')]),
    ("region is case-sensitive", "region: US\n",
     [(1, 9, 'region: expected one of us, eu, ap, au, sa, jp, in, got the string "US" (values are case-sensitive)')]),
    ("bind_tls on http", "tunnels:\n  a:\n    proto: http\n    addr: 80\n    bind_tls: maybe\n",
     [(5, 15, 'tunnels.a.bind_tls: expected one of true, false, both, got the string "maybe"')]),
    ("schemes item", 'version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    schemes: [ftp]\n',
     [(6, 15, 'tunnels.a.schemes[0]: expected one of http, https, got the string "ftp"')]),
    # --- formats, in words ---------------------------------------------------------------------
    ("host:port", 'version: "2"\nserver_addr: tunnel.example.com\n',
     [(2, 14, 'server_addr: expected host:port (such as tunnel.example.com:443), got the string "tunnel.example.com"')]),
    ("web_addr without port", "web_addr: localhost\n",
     [(1, 11, 'web_addr: expected host:port, :port or a port (such as 127.0.0.1:4040), or false to turn the inspector off, got the string "localhost"')]),
    ("web_addr true", 'version: "2"\nweb_addr: true\n',
     [(2, 11, "web_addr: expected host:port, :port or a port (such as 127.0.0.1:4040), or false to turn the inspector off, got true")]),
    ("remote_addr as a bare port", "tunnels:\n  a:\n    proto: tcp\n    addr: 22\n    remote_addr: 9000\n",
     [(5, 18, "tunnels.a.remote_addr: expected a reserved TCP address host:port (such as 1.tcp.ngrok.io:12345), got the number 9000")]),
    ("CIDR", 'version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    ip_restriction:\n      allow_cidrs: [10.0.0.0/33]\n',
     [(7, 21, 'tunnels.a.ip_restriction.allow_cidrs[0]: expected a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got the string "10.0.0.0/33"')]),
    ("duration", "heartbeat_interval: soon\n",
     [(1, 21, 'heartbeat_interval: expected a duration such as 10s, 1m30s or 500ms, got the string "soon"')]),
    ("subdomain characters", "tunnels:\n  a:\n    proto: http\n    addr: 80\n    subdomain: a/b\n",
     [(5, 16, 'tunnels.a.subdomain: expected a sub-domain (letters, digits, hyphens and periods), got the string "a/b"')]),
    ("endpoint url", 'version: "3"\nendpoints:\n  - name: a\n    url: TODO\n    upstream: {url: 80}\n',
     [(4, 10, 'endpoints[0].url: expected an endpoint URL (such as https://app.example.com, tcp://1.tcp.ngrok.io:12345, or a scheme alone such as https://), got the string "TODO"')]),
    ("a number out of range", 'version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    circuit_breaker: 2\n',
     [(6, 22, "tunnels.a.circuit_breaker: expected a number from 0 to 1, got the number 2")]),
    # --- missing keys: on the mapping ----------------------------------------------------------
    ("missing addr", "tunnels:\n  web:\n    proto: http\n", [(2, 3, "tunnels.web: missing required key `addr`")]),
    ("missing endpoint upstream", 'version: "3"\nendpoints:\n  - name: a\n',
     [(3, 5, "endpoints[0]: missing required key `upstream`")]),
    # --- the root --------------------------------------------------------------------------------
    ("empty file", "", [(1, 1, "the file holds no configuration mapping: it is empty or holds only comments")]),
    ("comments only", "# nothing here\n", [(1, 1, "the file holds no configuration mapping: it is empty or holds only comments")]),
    ("a list", "- a\n", [(1, 1, "the file holds a list, not a configuration mapping of keys such as `authtoken:` and `tunnels:`")]),
    ("a lone value", "ngrok config add-authtoken abc\n", [(1, 1, (
        "the file holds a single value, not a configuration mapping of keys such as `authtoken:` and `tunnels:` "
        "(is it a shell command or a dotenv file?)"))]),
    # --- a policy written as text is checked like a mapping ------------------------------------
    ("policy text", """\
        version: "3"
        endpoints:
          - name: a
            upstream: {url: 80}
            traffic_policy: |
              on_http_request:
                - actionz: []
        """, [(5, 21, "unknown key `actionz` in endpoints[0].traffic_policy.on_http_request[0]; did you mean `actions`? (in the policy text)")]),
]


@pytest.mark.parametrize("text, expected", [(t, e) for _, t, e in MESSAGES], ids=[n for n, _, _ in MESSAGES])
def test_message(text: str, expected: List[Tuple[int, int, str]]) -> None:
    assert shown(text) == expected


NOT_REPORTED = [
    ("null values", "authtoken:\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    inspect:\n    bind_tls:\n"),
    ("any scalar in a string field", "authtoken: 123456\nmetadata: true\nconsole_ui: fasle\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    host_header: 1.5\n"),
    ("remote_addr is ignored on http", "tunnels:\n  a:\n    proto: http\n    addr: 80\n    remote_addr: 9000\n"),
    ("bind_tls is ignored on tcp", "tunnels:\n  a:\n    proto: tcp\n    addr: 22\n    bind_tls: maybe\n"),
    ("2.x keys under version 2 (NGL003)", 'version: "2"\nupdate: true\nhttp_proxy: http://p:3128\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    bind_tls: true\n    auth: "u:correct-horse"\n'),
    ("2.x keys in a v3 agent block (NGL003)", 'version: "3"\nagent:\n  socks5_proxy: socks5://p:1080\n'),
    ("v3 structure under version 2 (NGL003)", 'version: "2"\nagent:\n  authtoken: x\nendpoints:\n  - name: a\n'),
    ("agent keys at the top of version 3 (NGL003)", 'version: "3"\nauthtoken: x\nserver_addr: a.example.com:443\nregion: eu\n'),
    ("version missing (NGL003)", "tunnels:\n  a:\n    proto: http\n    addr: 80\n    schemes: [https]\n"),
    ("version unknown (NGL003)", "version: 1\nauthtoken: x\n"),
    ("version unknown in a v3-shaped file (NGL003)", "version: 4\nendpoints:\n  - name: a\n    upstream: {url: 80}\n"),
    ("a variable passes every format (NGL006)", "web_addr: $WEB_ADDR\ntunnels:\n  a:\n    proto: tcp\n    addr: 22\n    remote_addr: ${REMOTE}\n"),
    ("labeled tunnel without proto", 'version: "2"\ntunnels:\n  a:\n    labels: [edge=edghts_1]\n    addr: 80\n'),
    ("agent block may be absent in v3", 'version: "3"\nendpoints:\n  - name: a\n    upstream: {url: 80}\n'),
]


@pytest.mark.parametrize("text", [t for _, t in NOT_REPORTED], ids=[n for n, _ in NOT_REPORTED])
def test_not_reported(text: str) -> None:
    assert shown(text) == []


def test_ngrok_v1_files_are_not_validated() -> None:
    findings = lint("server_addr: x.example.com:4443\ntrust_host_root_certs: true\n", select=["NGL002"])
    assert findings == []


# --- no jsonschema wording, no secrets ----------------------------------------------------------

BAD_FILES = [t for _, t, _ in MESSAGES] + [
    'version: "2"\nproxy_url: "user:hunter2hunter2@proxy:3128"\n',
    'version: "3"\nendpoints:\n  - name: a\n    upstream: {url: 80}\n    traffic_policy:\n      on_http_request:\n        - actions:\n            - type: rate-limit\n              config: {name: x}\n',
    'version: "3"\nendpoints:\n  - name: a\n    upstream: {url: 80}\n    traffic_policy:\n      on_http_request:\n        - actions:\n            - type: jwt-validation\n              config:\n                jws: {allowed_algorithms: [none]}\n',
]
JSONSCHEMA_WORDS = ("is not of type", "additionalProperties", "is a required property", "does not match",
                    "is not one of", "^(?:", "Additional properties", "[A-Za-z", "is not valid under")


@pytest.mark.parametrize("text", BAD_FILES)
def test_no_jsonschema_internals(text: str) -> None:
    findings = ngl002(text)
    assert findings
    for item in findings:
        assert not any(word in item.message for word in JSONSCHEMA_WORDS), item.message


def test_proxy_password_is_masked() -> None:
    (item,) = ngl002('version: "2"\nproxy_url: "ftp://user:hunter2hunter2@proxy:3128"\n')
    assert "hunter2hunter2" not in item.message
    assert "user:hunt…@proxy:3128" in item.message


def test_secret_values_are_masked() -> None:
    assert schema.describe("4nq9771bPxe8ctg7LKr", ("authtoken",)) == 'the string "4nq9…"'
    assert schema.describe("u:pw", ("tunnels", "a", "basic_auth", 0)) == 'the string "…"'
    # a tunnel named `auth` does not make its values secrets
    assert schema.describe("<host>", ("tunnels", "auth", "hostname")) == 'the string "<host>"'


def test_long_values_are_shortened() -> None:
    assert len(schema.describe("x" * 500, ("metadata",))) < 80


# --- fixes ------------------------------------------------------------------------------------


def test_rename_fix_for_one_close_name() -> None:
    (item,) = ngl002("tunnels:\n  web:\n    proto: http\n    addr: 80\n    host-header: rewrite\n")
    assert item.fix is not None
    assert item.fix.safety is Safety.UNSAFE
    assert item.fix.title == "rename to `host_header`"
    (change,) = item.fix.changes
    assert (change.op, change.path, change.value) == (Op.RENAME, ("tunnels", "web", "host-header"), "host_header")
    assert item.path == ("tunnels", "web", "host-header")


def test_no_fix_when_several_names_are_close() -> None:
    (item,) = ngl002('version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    domains: a.example.com\n')
    assert "did you mean `domain` or `subdomain`?" in item.message
    assert item.fix is None


def test_no_fix_when_the_right_name_is_already_set() -> None:
    (item,) = ngl002("tunnels:\n  web:\n    proto: http\n    addr: 80\n    host_header: rewrite\n    host-header: preserve\n")
    assert "did you mean `host_header`?" in item.message
    assert item.fix is None


def test_no_fix_inside_a_policy_text() -> None:
    (item,) = ngl002('version: "3"\nendpoints:\n  - name: a\n    upstream: {url: 80}\n    traffic_policy: |\n      on_http_request:\n        - actionz: []\n')
    assert item.fix is None
    assert item.path == ("endpoints", 0, "traffic_policy")


@pytest.mark.parametrize("key, valid, expected", [
    ("host-header", ["host_header", "hostname"], ["host_header"]),
    ("auth_token", ["authtoken", "api_key"], ["authtoken"]),
    ("oauth_scopes", ["scopes", "provider"], ["scopes"]),
    ("server_key", ["server_private_key", "server_certificate"], ["server_private_key"]),
    ("Proto", ["proto", "addr"], ["proto"]),
    ("api", ["addr", "authtoken"], []),
    ("auth_token", ["addr"], []),  # a hint only counts where its target is valid
])
def test_closest(key: str, valid: List[str], expected: List[str]) -> None:
    assert schema.closest(key, valid) == expected


# --- bounds ------------------------------------------------------------------------------------


def test_findings_are_capped_per_file() -> None:
    text = "tunnels:\n" + "".join(f"  t{i}:\n    proto: ftp\n    addr: 80\n" for i in range(300))
    findings = ngl002(text)
    assert len(findings) == 201
    assert findings[-1].message.startswith("… and 100 more schema problems in this file")
    assert all(f.message.startswith("tunnels.t") for f in findings[:200])


def test_raw_errors_are_bounded() -> None:
    from ngrok_lint.loader import parse

    doc = parse("x.yml", "tunnels:\n" + "".join(f"  t{i}:\n    proto: ftp\n" for i in range(50)))
    found, truncated = schema.violations(doc, limit=10)
    assert truncated
    assert len(found) <= 20


def test_one_validator_per_format_per_process() -> None:
    ngl002("tunnels:\n  a:\n    proto: ftp\n    addr: 1\n")
    before = schema.validator.cache_info()
    for _ in range(3):
        ngl002("tunnels:\n  a:\n    proto: ftp\n    addr: 1\n")
    after = schema.validator.cache_info()
    assert after.misses == before.misses
    assert after.hits >= before.hits + 3


def test_importing_the_module_does_not_import_jsonschema() -> None:
    code = "import sys, ngrok_lint.schema, ngrok_lint.rules.ngl002_schema; print('jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_schemas_load_from_the_checkout_or_the_package() -> None:
    import json

    for fmt, name in schema.FILES.items():
        assert schema.load(fmt) == json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
    assert schema.load("v3")["x-ngrok-lint-format"] == "v3"


def _equivalence_inputs() -> list:
    from conftest import CORPUS, FIXTURES
    from ngrok_lint.loader import Document, parse
    from ngrok_lint.source import decode

    texts = [textwrap.dedent(t) for _, t, _ in MESSAGES] + [t for _, t in NOT_REPORTED] + BAD_FILES
    files = sorted(FIXTURES.rglob("*.yml")) + (sorted(CORPUS.glob("*.yml")) if CORPUS.is_dir() else [])
    for path in files:
        decoded = decode(str(path), path.read_bytes())
        if hasattr(decoded, "text"):
            texts.append(decoded.text)
    docs = []
    for text in texts:
        doc = parse("x.yml", text)
        if isinstance(doc, Document):
            docs.append(doc.data)
    return docs


def test_the_fast_validator_gives_exactly_jsonschemas_errors() -> None:
    """Inlined `$ref`s and the quick `if` change the speed, never the errors."""
    from jsonschema.validators import Draft7Validator

    def errors(check, data) -> list:
        return sorted((tuple(map(str, e.absolute_path)), e.validator, e.message) for e in check.iter_errors(data))

    datas = _equivalence_inputs()
    assert len(datas) > 150
    for fmt in schema.FORMATS:
        plain = Draft7Validator(schema.load(fmt))
        fast = schema.validator(fmt)
        for data in datas:
            assert errors(fast, data) == errors(plain, data)
        # the Traffic Policy on its own, too
        policy = schema.policy_validator(fmt)
        if policy is not None:
            reference = Draft7Validator({"$ref": "#/definitions/traffic_policy", "definitions": schema.load(fmt)["definitions"]})
            for data in datas:
                for site in (data.get("endpoints") or []) if isinstance(data, dict) and isinstance(data.get("endpoints"), list) else []:
                    if isinstance(site, dict) and isinstance(site.get("traffic_policy"), dict):
                        assert errors(policy, site["traffic_policy"]) == errors(reference, site["traffic_policy"])


@pytest.mark.parametrize("condition, instance, expected", [
    ({"properties": {"type": {"const": "oauth"}}, "required": ["type"]}, {"type": "oauth"}, True),
    ({"properties": {"type": {"const": "oauth"}}, "required": ["type"]}, {"type": "deny"}, False),
    ({"properties": {"type": {"const": "oauth"}}, "required": ["type"]}, {}, False),
    ({"properties": {"proto": {"const": "http"}}}, {}, True),
    ({"properties": {"type": {"enum": ["openid-connect", "oidc"]}}, "required": ["type"]}, {"type": "oidc"}, True),
    ({"properties": {"x": {"const": 1}}}, {"x": True}, False),
    ({"properties": {"x": {"const": True}}}, {"x": 1}, False),
    ({"required": ["a"]}, "not an object", True),
    ({"type": "boolean"}, True, None),
    ({"not": {"required": ["labels"]}}, {}, None),
    ({"properties": {"x": {"type": "string"}}}, {"x": 1}, None),
])
def test_quick_if(condition: dict, instance: object, expected: object) -> None:
    assert schema._quick_if(condition, instance) == expected


def test_a_traffic_policy_file_beside_the_config_is_checked(tmp_path) -> None:
    (tmp_path / "policy.yml").write_text("on_http_request:\n  - expressions: ['true']\n", encoding="utf-8")
    config = tmp_path / "ngrok.yml"
    config.write_text(
        'version: "3"\nendpoints:\n  - name: web\n    upstream: {url: 80}\n    traffic_policy_file: policy.yml\n',
        encoding="utf-8",
    )
    from conftest import run_cli

    out = run_cli([str(config), "--isolated", "--select", "NGL002", "--format", "json"])
    (item,) = out.json()["findings"]
    assert item["message"] == (
        "on_http_request[0]: missing required key `actions` "
        "(in the Traffic Policy file `policy.yml` of endpoints[0])"
    )
    assert (item["line"], item["column"]) == (5, 26)
    assert item["yaml_path"] == "endpoints[0].traffic_policy_file"
    # a file that cannot be read gives no finding
    (tmp_path / "policy.yml").unlink()
    assert run_cli([str(config), "--isolated", "--select", "NGL002", "--format", "json"]).json()["findings"] == []
