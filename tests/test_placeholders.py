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


# --- authtoken / api_key: not token-shaped is a placeholder (rules.md, Terms) ---------------------

@pytest.mark.parametrize(
    "value",
    [
        "填你的authtoken",  # non-ASCII words
        "COLE-SEU-TOKEN-AQUI",  # hyphens
        "AUTHTOKEN_CREATED_IN_STEP_1",  # ngrok's own docs, in 7 examples
        "YYYYY",  # one letter repeated
        "token_1",
        "TU_AUTHTOKEN",
        "PASTE_YOUR_NGROK_AUTHTOKEN_FROM_THE_DASHBOARD",  # long, but words naming what belongs there
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "2ab3cd4ef5gh6ij7kl8mn9op0qr_1a2b3c4d5e6f7g8h9i0j",  # one case only: not random base62
        "2Ab3Cd4Ef5Gh6Ij7Kl8Mn9",  # too short
        12345,
    ],
)
def test_values_that_are_not_token_shaped_are_placeholders(value: object) -> None:
    from ngrok_lint.placeholders import is_token_placeholder, is_token_shaped

    assert not is_token_shaped(value)
    assert is_token_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        TOKEN,
        API_KEY,
        "K6yiCfx1m4ba2UcWsy9N_3aenzwVCG8gNyKdcYPs1i",  # an older token shape (letter first)
        "7wGxrwzfCniwa7G2xtPdS_4uk6om53TdW1zwgWMgtgk",
        "rd_33Cp5JnEUnZvNHZ7kOd4Z5YHapF",  # an ID: NGL301 says what it is
    ],
)
def test_token_shaped_values_are_secrets(value: str) -> None:
    from ngrok_lint.placeholders import is_token_placeholder, is_token_shaped

    assert is_token_shaped(value) and not is_token_placeholder(value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("改成强密码", True),  # "change it to a strong password", in Chinese
        ("请修改为强密码123", True),
        ("admin:改成强密码", True),  # as a credential, the password part is the note
        ("cambiame", True),
        ("change-me", True),
        ("Pa55wörd-Xy9z", False),  # one non-ASCII letter in a real password
        ("changeme1", False),  # a (weak) password, NGL304's business
    ],
)
def test_notes_in_any_language_are_placeholders(value: str, expected: bool) -> None:
    assert credential_is_placeholder(value) is expected
