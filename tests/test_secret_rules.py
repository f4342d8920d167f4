"""What the fixture harness does not check for the secrets rules: messages (never a secret in full),
the line scan of unparsable files, and the fixes' shape."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from conftest import RULE_FIXTURES, lint

from ngrok_lint.model import Op, Safety
from ngrok_lint.rules import ngl301_committed_authtoken as ngl301
from ngrok_lint.rules import ngl302_committed_api_key as ngl302

TOKEN = "2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J"
API_KEY = "2Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji_1aB2cD3eF4gH5iJ6kL7mN8oP9"

# Every made-up secret the NGL3xx fixtures hold (passwords only where they are 8 characters or more:
# a shorter one is shown masked to its first four characters, as the Terms allow).
FIXTURE_SECRETS = [
    TOKEN, API_KEY, "2Zz1Yy2Xx3Ww4Vv5Uu6Tt7Ss8Rr_9q8P7o6N5m4L3k2J1i0H", "2Yx8Wv7Ut6Sr5Qp4On3Ml2Kj1Ih_0gF9eD8cB7aZ6yX5wV4uT3s",
    "2Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq_0pP9oO8nN7mM6lL5kK4jJ3", "Wq8-Zt3-Pk6-Hn2", "Rv5-Xc9-Lm4-Js7", "Tq4-Wz8-Kp2-Lm6",
    "whsec_4Kd8Rt2Mx6Pq9Lv3", "GOCSPX-4Kd8Rt2Mx6Pq9Lv3Hn7Ws1", "Zx7Wq2Lp9Kd4Rt8Mn3Vb6", "8f3c2a9b7e6d5c4b3a2f1e0d9c8b7a6f",
    "MIIEvQIBADANFakeKeyForTestsOnlyNotARealKey0123456789abcdefghijklmn", "Password123", "QWERTY123", "iloveyou",
    "12345678", "admin123", "qwerty123",
]
SECRET_FIXTURES = sorted(
    p for code in ("NGL301", "NGL302", "NGL303", "NGL304", "NGL305") for p in (RULE_FIXTURES / code).glob("*.yml")
)


@pytest.mark.parametrize("path", SECRET_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_message_shows_a_secret_in_full(path: Path) -> None:
    text = path.read_text("utf-8")
    messages = [f.message for f in lint(text, str(path), select=["NGL3"])]
    messages += [f.fix.title for f in lint(text, str(path), select=["NGL3"]) if f.fix is not None]
    for secret in FIXTURE_SECRETS:
        assert not [m for m in messages if secret in m], f"{secret[:4]}… shown in full"


def _one(text: str, code: str):
    found = [f for f in lint(text, select=[code]) if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_ngl301_message_masks_and_names_the_variable() -> None:
    item = _one(f'version: "2"\nauthtoken: {TOKEN}\n', "NGL301")
    assert "`2Ab3…`" in item.message and "NGROK_AUTHTOKEN" in item.message and TOKEN not in item.message
    assert item.fix is not None and item.fix.safety is Safety.UNSAFE
    assert [c.op for c in item.fix.changes] == [Op.TEXT]


def test_ngl301_reserved_domain_id() -> None:
    item = _one('version: "2"\nauthtoken: rd_2Qm7Xy4Vb9Tn3Lk8Hs6Df1Gw5Zp\n', "NGL301")
    assert "this is a reserved-domain ID, not an authtoken" in item.message


def test_ngl302_api_key_id() -> None:
    item = _one('version: "3"\nagent:\n  api_key: ak_2Qm7Xy4Vb9Tn3Lk8Hs6Df1Gw5Zp\n', "NGL302")
    assert "this is an API-key ID, not an API key" in item.message and "NGROK_API_KEY" in item.message


def test_removal_in_a_flow_mapping_is_structural() -> None:
    item = _one(f'version: "3"\nagent: {{authtoken: {TOKEN}, log: stdout}}\n', "NGL301")
    assert item.fix is not None and [c.op for c in item.fix.changes] == [Op.REMOVE]
    assert item.fix.changes[0].path == ("agent", "authtoken")


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"authtoken: {TOKEN}\n", [(1, 12)]),
        (f"  authtoken:   '{TOKEN}'   # mine\r\n", [(1, 16)]),
        (f'agent:\n  "authtoken": "{TOKEN}"\n', [(2, 16)]),
        (f"# authtoken: {TOKEN}\n", []),  # a comment is no key
        (f"not_authtoken: {TOKEN}\n", []),
        ("authtoken: {{ token }}\n", []),
        ("authtoken: ***REMOVED***\n", []),
        ("authtoken: REDACTED_TOKEN_xxxxxxxx\n", []),
        ("authtoken:\n", []),
        (f"authtoken: |\n  {TOKEN}\n", []),  # a block scalar: not read by the line scan
    ],
)
def test_scan_text_positions(text: str, expected: List[tuple]) -> None:
    found = list(ngl301.scan_text(text))
    assert [(f.span.line, f.span.column) for f in found] == expected
    assert all(f.fix is None and f.code == "NGL301" for f in found)
    for f in found:
        assert text[f.span.start:f.span.end].strip("'\"") == TOKEN


def test_ngl302_scan_text() -> None:
    found = list(ngl302.scan_text(f"agent:\n  api_key: {API_KEY}\n  authtoken: {TOKEN}\n"))
    assert [(f.code, f.span.line, f.span.column) for f in found] == [("NGL302", 2, 12)]


def test_unparsable_file_gets_ngl001_and_the_scan() -> None:
    codes = sorted(f.code for f in lint(f'authtoken: {TOKEN}\nweb_addr: "localhost:4040\n', select=["NGL001", "NGL301"]))
    assert codes == ["NGL001", "NGL301"]


def test_ngl304_messages_never_show_the_password() -> None:
    text = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    basic_auth: ["admin:s3cr3t", "bob:Password123"]\n'
    found = [f for f in lint(text, select=["NGL304"])]
    assert len(found) == 2
    assert not [f for f in found if "s3cr" in f.message or "Pass" in f.message]
    assert "shorter than 8 characters" in found[0].message and "most common passwords" in found[1].message


def test_ngl303_and_ngl304_read_a_policy_file(tmp_path: Path) -> None:
    (tmp_path / "policy.yml").write_text(
        "on_http_request:\n  - actions:\n      - type: basic-auth\n        config:\n"
        "          credentials: ['alice:qwerty123']\n", "utf-8")
    text = 'version: "3"\nendpoints:\n  - name: web\n    upstream:\n      url: 80\n    traffic_policy_file: policy.yml\n'
    found = lint(text, str(tmp_path / "ngrok.yml"), select=["NGL303", "NGL304"])
    assert sorted((f.code, f.span.line) for f in found) == [("NGL303", 6), ("NGL304", 6)]
    assert all("policy.yml" in f.message and "qwerty123" not in f.message for f in found)
