"""Secrets are never echoed: masking and redaction."""

from __future__ import annotations

import re

import pytest

from ngrok_lint.secrets import mask, mask_credential, redact

# Made-up values shaped like the real thing (never real credentials).
TOKEN = "2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J"
API_KEY = "2Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji_1aB2cD3eF4gH5iJ6kL7mN8oP9"

def test_mask_credential() -> None:
    assert mask_credential("alice:Sup3rS3cret") == "alice:Sup3…"
    assert mask(TOKEN) == "2Ab3…"
    assert mask("abc") == "…" and mask("") == "" and mask(None) == ""


# --- redact: every kind of secret the NGL3xx rules handle -------------------------------------

PEM_BODY = "MIIEvQIBADANFakeKeyForTestsOnlyNotARealKey0123456789abcdefghijklmn"
REDACT_CASES = [
    ("authtoken", f"authtoken: {TOKEN}\n", TOKEN),
    ("agent authtoken quoted", f"agent:\n  authtoken: '{TOKEN}'  # mine\n", TOKEN),
    ("api_key", f"agent:\n  api_key: \"{API_KEY}\"\n", API_KEY),
    ("legacy auth", "tunnels:\n  a:\n    auth: \"bob:Sup3rS3cretPw\"\n", "Sup3rS3cretPw"),
    ("basic_auth block", "    basic_auth:\n      - alice:Sup3rS3cretPw\n      - 'carol:Sup3rS3cretPw'\n", "Sup3rS3cretPw"),
    ("basic_auth flow", "    basic_auth: [alice:Sup3rS3cretPw, \"bob:Sup3rS3cretPw\"]\n", "Sup3rS3cretPw"),
    ("basic-auth credentials", "        credentials:\n          - \"alice:Sup3rS3cretPw\"\n", "Sup3rS3cretPw"),
    ("basic-auth credentials flow", "        credentials: [\"alice:Sup3rS3cretPw\", \"bob:${secrets.get('v','b')}\"]\n",
     "Sup3rS3cretPw"),
    ("verify_webhook secret", "    verify_webhook:\n      provider: slack\n      secret: whsec_Sup3rS3cretPw\n",
     "whsec_Sup3rS3cretPw"),
    ("verify-webhook flow config", "        config: {provider: github, secret: whsec_Sup3rS3cretPw}\n",
     "whsec_Sup3rS3cretPw"),
    ("oauth client_secret", "        config:\n          client_secret: GOCSPX-Sup3rS3cretPw\n", "GOCSPX-Sup3rS3cretPw"),
    ("oidc client_secret flow", "        config: {issuer_url: https://idp, \"client_secret\": 'GOCSPX-Sup3rS3cretPw'}\n",
     "GOCSPX-Sup3rS3cretPw"),
    ("PEM block scalar",
     f"      server_private_key: |\n        -----BEGIN RSA PRIVATE KEY-----\n        {PEM_BODY}\n"
     f"        {PEM_BODY}\n        -----END RSA PRIVATE KEY-----\n    upstream:\n", PEM_BODY),
    ("PEM one line", f"      server_private_key: \"-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n-----END PRIVATE KEY-----\"\n",
     PEM_BODY),
    ("proxy_url", "proxy_url: http://bob:Sup3rS3cretPw@proxy.corp:3128\n", "Sup3rS3cretPw"),
    ("http_proxy quoted", "http_proxy: \"http://bob:Sup3rS3cretPw@proxy.corp:3128\"\n", "Sup3rS3cretPw"),
    ("socks5_proxy", "socks5_proxy: socks5://bob:Sup3rS3cretPw@127.0.0.1:9050\n", "Sup3rS3cretPw"),
]


@pytest.mark.parametrize("text, secret", [(t, s) for _, t, s in REDACT_CASES], ids=[c[0] for c in REDACT_CASES])
def test_redact_masks_each_kind_of_secret(text: str, secret: str) -> None:
    for newline in ("\n", "\r\n"):
        original = text.replace("\n", newline)
        redacted = redact(original)
        assert secret not in redacted
        assert redacted.count("\n") == original.count("\n"), "redact never changes the line count"
        assert redacted.splitlines()[0].split(":")[0] == original.splitlines()[0].split(":")[0]  # keys stay


def test_redact_keeps_the_line_count_of_a_whole_file() -> None:
    text = "".join(t for _, t, _ in REDACT_CASES)
    redacted = redact(text)
    assert len(redacted.splitlines()) == len(text.splitlines())
    assert not any(s in redacted for _, _, s in REDACT_CASES)
    assert "      server_private_key: |\n        ----…\n        …\n" in redacted  # lines and keys kept


def test_redact_leaves_ordinary_lines_alone() -> None:
    text = "version: \"2\"\nweb_addr: localhost:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n"
    assert redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "    auth: bob:k7#Qm2!vX9pLw\n",  # `#` inside a plain value is no comment
        "      - alice:k7#Qm2!vX9pLw  # the admin\n",
        "    auth: \"bob:k7 #Qm2!vX9pLw\"  # quoted: ` #` is part of the value\n",
    ],
)
def test_redact_masks_a_password_holding_a_hash(text: str) -> None:
    assert "Qm2!vX9pLw" not in redact(text)


def test_mask_credential_never_shows_a_password_through_its_user_name() -> None:
    assert mask_credential("Wq8-Zt3-Pk6-Hn2:Wq8-Zt3-Pk6-Hn2") == "Wq8-…:Wq8-…"


def test_a_secret_written_many_times_is_looked_for_once() -> None:
    """2,000 tunnels with one password: each message was checked against 2,000 copies of it (the
    language server's diagnostics of such a file grew with the square of its size)."""
    from ngrok_lint.secrets import Secret, SecretIndex

    index = SecretIndex([Secret(i * 20, i * 20 + 11, "hunter2hunt") for i in range(2000)])
    assert {key: list(pieces) for key, pieces in index.needles.items()} == {"hunter2h": ["hunter2hunt"]}
    assert index.scrub("the password `hunter2hunt` is weak") == "the password `hunt…` is weak"
