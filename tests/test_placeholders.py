"""Placeholders: the test every secrets rule shares before calling a value a secret."""

from __future__ import annotations

import pytest

from ngrok_lint.placeholders import DOC_SAMPLE_TOKENS, credential_is_placeholder, is_placeholder, split_credential

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


def test_split_credential() -> None:
    assert split_credential("alice:pa:ss") == ("alice", "pa:ss")  # the agent splits at the first colon
    assert split_credential("nocolon") is None
