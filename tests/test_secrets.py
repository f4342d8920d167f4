"""Secrets are never echoed: the placeholder test every secrets rule shares, masking, redaction."""

from __future__ import annotations

import re

import pytest

from ngrok_lint.secrets import (
    DOC_SAMPLE_TOKENS,
    credential_is_placeholder,
    is_placeholder,
    mask,
    mask_credential,
    redact,
    split_credential,
)

# Made-up values shaped like the real thing (never real credentials).
TOKEN = "2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J"
API_KEY = "2Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji_1aB2cD3eF4gH5iJ6kL7mN8oP9"

PLACEHOLDER_TABLE = [
    # rules.md, Terms, "Placeholders", one row per clause, plus the near misses that are secrets.
    ("", True),  # empty
    (None, True),  # `authtoken:` is null
    ("my token", True),  # whitespace
    ("abc\tdef", True),
    ("line\nbreak", True),
    ("${NGROK_AUTHTOKEN}", True),  # `$`
    ("$NGROK_AUTHTOKEN", True),
    ("$INPUT_NGROK_TOKEN", True),
    ("${secrets.get('vault','pw')}", True),  # ngrok vault reference
    ("{{NGROK_AUTH_TOKEN}}", True),  # `{`
    ("{authToken}", True),
    ("abc}", True),  # `}`
    ("4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p", True),  # ngrok docs' sample authtoken
    ("24yRd5U3DestCQapJrrVHLOqiAC_7RviwRqpd3wc9dKLujQZN", True),  # ngrok docs' sample api_key
    ("<token>", True),  # <…>
    ("<YOUR_NGROK_AUTHTOKEN>", True),
    ("<add_your_token_here>", True),
    ("<>", True),
    ("your_ngrok_token", True),  # your…
    ("YOUR_AUTH_TOKEN", True),
    ("yourNgrokAuthtoken", True),
    ("xxx", True),  # xxx…
    ("XXXXXXXXXXXXXXXX", True),
    ("todo", True),  # todo
    ("TODO", True),
    ("changeme", True),  # changeme
    ("ChangeMe", True),
    ("replace-with-your-ngrok-authtoken", True),  # replace…
    ("REPLACE_ME", True),
    ("YOUR_TOKEN_HERE", True),  # …here
    ("TOKENHERE", True),
    ("here", True),
    ("token", True),  # token
    ("TOKEN", True),
    ("example-token-123", True),  # example…
    ("EXAMPLE", True),
    ("fake_2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr", True),  # fake…
    ("FAKE", True),
    ("REDACTED_TOKEN_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", True),  # redacted… (the corpus' scrubbing)
    ("REDACTED_PW", True),
    ("redacted", True),
    ("***REMOVED***", True),  # ***…
    ("***", True),
    ([], True),  # not a scalar: not a secret
    ({}, True),
    (True, True),
    # Not placeholders: secrets (or at least not stand-ins).
    (TOKEN, False),
    (API_KEY, False),
    ("rd_33Cp5JnEUnZvNHZ7kOd4Z5YHapF", False),  # an ngrok ID: NGL301 says what it is
    ("123456", False),
    (123456, False),  # `authtoken: 123456` loads as a string field
    ("tokens", False),  # `token` is a whole-word pattern
    ("mytoken", False),
    ("todo1", False),
    ("changeme1", False),
    ("xx", False),  # `xxx…` needs three
    ("**", False),
    ("<token", False),  # `<…>` needs both brackets
    ("token>", False),
    ("heretic2Ab3Cd4", False),  # `…here` is a suffix
    ("4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9", False),  # the sample token, one character short
    ("myexample", False),  # `example…` is a prefix
    ("unredacted", False),
]


@pytest.mark.parametrize("value, expected", PLACEHOLDER_TABLE, ids=lambda v: repr(v)[:40])
def test_is_placeholder(value: object, expected: bool) -> None:
    assert is_placeholder(value) is expected


def test_doc_sample_tokens_are_placeholders() -> None:
    assert DOC_SAMPLE_TOKENS and all(is_placeholder(t) for t in DOC_SAMPLE_TOKENS)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("alice:Sup3rS3cretPw", False),
        ("alice:REDACTED_PW", True),  # only the password needs to be a stand-in
        ("keesromkes:REDACTED_PW_xxxxxxxxxxxx", True),
        ("alice:${secrets.get('vault', 'alice')}", True),
        ("<user>:<password>", True),
        ("alice:", True),
        ("your-user:your-password", True),
        ("admin:admin", False),
        ("nocolon", False),
    ],
)
def test_credential_is_placeholder(value: str, expected: bool) -> None:
    assert credential_is_placeholder(value) is expected


def test_split_and_mask_credential() -> None:
    assert split_credential("alice:pa:ss") == ("alice", "pa:ss")  # the agent splits at the first colon
    assert split_credential("nocolon") is None
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
    assert re.search(r"-----BEGIN RSA PRIVATE KEY-----…", redacted)


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
