"""Unit tables for the validity rules NGL003, NGL005, NGL006 and NGL007 (the fixtures cover the
triggers; these pin the pieces a fixture cannot show: masking, fix data, the boolean field list)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, Set, Tuple

import pytest

from conftest import ROOT, lint

from ngrok_lint.model import Op
from ngrok_lint.rules import ngl006_unexpanded_variable as ngl006
from ngrok_lint.rules import ngl007_ambiguous_boolean as ngl007


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${NGROK_AUTHTOKEN}", [("NGROK_AUTHTOKEN", "${NGROK_AUTHTOKEN}")]),
        ("$NGROK_AUTHTOKEN", [("NGROK_AUTHTOKEN", "$NGROK_AUTHTOKEN")]),
        ("${HOST}:$PORT", [("HOST", "${HOST}"), ("PORT", "$PORT")]),
        ("${TOKEN:-2abcSecretDefault}", [("TOKEN", "${TOKEN:-…}")]),
        ("${TOKEN?missing}", [("TOKEN", "${TOKEN?…}")]),
        ("pa$$word", []),
        ("$$$HOME", [("HOME", "$HOME")]),
        ("costs $5", []),
        ("^/api$", []),
        ("${conn.client_ip}", []),
        ("${secrets.get('vault', 'name')}", []),
        ("$", []),
    ],
)
def test_ngl006_references(text: str, expected: list) -> None:
    assert ngl006.references(text) == expected


def test_ngl006_never_shows_a_default_value() -> None:
    findings = lint('version: "2"\nauthtoken: ${NGROK_AUTHTOKEN:-2abcSecretDefault}\n', select=["NGL006"])
    assert len(findings) == 1
    assert "2abcSecret" not in findings[0].message
    assert findings[0].fix is None  # not exactly `${NGROK_AUTHTOKEN}`


def test_ngl006_names_the_variable_the_agent_does_not_read() -> None:
    (item,) = lint('version: "2"\nauthtoken: ${NGROK_AUTH_TOKEN}\n', select=["NGL006"])
    assert "does not read `NGROK_AUTH_TOKEN`" in item.message and "`NGROK_AUTHTOKEN`" in item.message
    assert "per-file-ignores" in item.message
    assert item.fix is None


def test_ngl006_fix_removes_the_key() -> None:
    (item,) = lint('version: "3"\nagent:\n  api_key: $NGROK_API_KEY\n  log: stdout\n', select=["NGL006"])
    assert item.fix is not None and item.fix.safety.value == "safe"
    assert [(c.op, c.path) for c in item.fix.changes] == [(Op.REMOVE, ("agent", "api_key"))]


def test_ngl003_moves_agent_keys_with_one_fix() -> None:
    text = 'version: "3"\nauthtoken: tok\nserver_addr: connect.example.com:443\nregion: eu\nendpoints: []\n'
    findings = lint(text, select=["NGL003"])
    assert [(f.span.line, f.fix is not None) for f in findings] == [(2, True), (3, True), (4, False)]
    changes = findings[0].fix.changes
    assert changes[0].op == Op.SET and changes[0].path == ("agent",) and changes[0].index == 1
    assert changes[0].value == {"authtoken": "tok", "connect_url": "connect.example.com:443"}
    assert [(c.op, c.path) for c in changes[1:]] == [(Op.REMOVE, ("authtoken",)), (Op.REMOVE, ("server_addr",))]
    assert findings[1].fix == findings[0].fix


def test_ngl003_does_not_move_a_value_yaml_11_would_rewrite() -> None:
    # `1:20` is the base-60 number 80 to YAML 1.1: written back from the number it would change.
    (item,) = lint('version: "3"\nconnect_timeout: 1:20\n', select=["NGL003"])
    assert item.fix is None


def test_ngl003_never_shows_a_basic_auth_password() -> None:
    text = 'version: "2"\ntunnels:\n  w:\n    proto: http\n    addr: 80\n    auth: "user:secretpassword"\n'
    (item,) = lint(text, select=["NGL003"])
    assert "secretpassword" not in item.message


def test_ngl005_yes_is_true_for_pooling() -> None:
    # The agent reads a plain `yes` in a boolean field as true (YAML 1.1), so these pool.
    text = (
        'version: "3"\nendpoints:\n'
        '  - {name: a, url: "https://x.internal", pooling_enabled: yes, upstream: {url: 80}}\n'
        '  - {name: b, url: "https://x.internal", pooling_enabled: true, upstream: {url: 81}}\n'
    )
    assert lint(text, select=["NGL005"]) == []


def _schema_booleans() -> Iterator[Tuple[str, str, str]]:
    """(place, qualifier, key) of every boolean field the schemas define."""
    places = {"legacy_tunnel": "tunnel", "v2_tunnel": "tunnel", "v3_tunnel": "tunnel", "v3_endpoint": "endpoint",
              "v3_agent": "agent"}

    def is_boolean(node: Dict[str, Any]) -> bool:
        kinds = node.get("type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        enum = node.get("enum") or []
        return ("boolean" in kinds and kinds <= {"boolean", "null"}) or any(v is True or v is False for v in enum)

    for name in ("ngrok-agent-legacy", "ngrok-agent-v2", "ngrok-agent-v3"):
        schema = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text("utf-8"))
        fmt = name.rsplit("-", 1)[1]
        for key, node in schema.get("properties", {}).items():
            if is_boolean(node):
                yield "agent", fmt, key
        for definition, body in schema.get("definitions", {}).items():
            if definition in places:
                for key, node in body.get("properties", {}).items():
                    if is_boolean(node):
                        yield places[definition], fmt, key
                for branch in body.get("allOf", []):
                    for key, node in branch.get("then", {}).get("properties", {}).items():
                        if is_boolean(node):
                            yield places[definition], fmt, key
            if definition == "tp_action":
                for branch in body["allOf"]:
                    kind = branch["if"]["properties"]["type"]
                    types = [kind["const"]] if "const" in kind else kind["enum"]
                    config = branch["then"]["properties"].get("config", {}).get("properties", {})
                    for key, node in config.items():
                        if is_boolean(node):
                            for action in types:
                                yield "action", action, key


def test_ngl007_knows_every_boolean_field_of_the_schemas() -> None:
    known: Dict[str, Set[str]] = {
        "agent": set(ngl007.AGENT_BOOLEANS | ngl007.AGENT_BOOLEANS_V2_V3),
        "tunnel": set(ngl007.TUNNEL_BOOLEANS | ngl007.LEGACY_TUNNEL_BOOLEANS),
        "endpoint": set(ngl007.ENDPOINT_BOOLEANS),
    }
    missing = []
    for place, qualifier, key in _schema_booleans():
        fields = ngl007.ACTION_BOOLEANS.get(qualifier, frozenset()) if place == "action" else known[place]
        if key not in fields:
            missing.append((place, qualifier, key))
    assert missing == []
