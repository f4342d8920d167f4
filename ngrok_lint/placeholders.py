"""Placeholders: the values that stand in for a secret (rules.md, Terms: "Placeholders").

Every secrets rule (NGL301–NGL305) asks here before calling a value a secret; masking what is a
secret is `secrets.py`'s concern.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

# Sample values printed in ngrok's own documentation (the v2 config reference and the docs'
# agent-config examples): copied into countless example files, never a live credential.
DOC_SAMPLE_TOKENS = frozenset({
    "4nq9771bPxe8ctg7LKr_2ClH7Y15Zqe4bWLWF9p",  # the docs' sample authtoken
    "24yRd5U3DestCQapJrrVHLOqiAC_7RviwRqpd3wc9dKLujQZN",  # the docs' sample api_key
})

_PLACEHOLDER = re.compile(
    r"<.*>"  # <your-token>
    r"|your.*|xxx.*|replace.*|example.*|fake.*|redacted.*|\*\*\*.*"  # prefixes
    r"|.*here"  # YOUR_TOKEN_HERE
    r"|todo|changeme|token",  # whole words
    re.I | re.S,
)


_SPACE = re.compile(r"\s")  # what str.isspace calls whitespace, found at C speed in a long value


def is_placeholder(value: object) -> bool:
    """Is this a stand-in rather than a secret? (rules.md, Terms: "Placeholders".)

    Empty (or null), anything with whitespace, `$`, `{` or `}` (template and vault syntax such as
    `${secrets.get(...)}`), ngrok's documentation sample token, or a value matching, case-insensitive,
    `<…>`, `your…`, `xxx…`, `todo`, `changeme`, `replace…`, `…here`, `token`, `example…`,
    `fake…`, `redacted…` or `***…`; or a note written for the reader (:func:`is_note`). Lists and
    maps are not secrets either. `authtoken` and `api_key` also need :func:`is_token_shaped`.
    """
    if value is None or isinstance(value, (bool, list, dict)):
        return True
    text = str(value)
    if text == "" or _SPACE.search(text) or any(ch in text for ch in "${}"):
        return True
    if text in DOC_SAMPLE_TOKENS:
        return True
    return _PLACEHOLDER.fullmatch(text) is not None or is_note(text)


# "Change me" in the languages placeholders were seen in (English, Spanish, Portuguese, French,
# German, Italian, Chinese): a password written as this note is an instruction, not a password.
_CHANGE_ME = re.compile(
    r"(please[-_ ]?)?(change|cambiar|cambia|mudar|alterar|changer|[äa]ndern|modifica)[-_ ]?(me|it|this|esto|isso|moi|ça)?",
    re.I,
)


def is_note(text: str) -> bool:
    """A value written as a note to the reader rather than a credential: mostly letters outside
    ASCII (`改成强密码`, `填你的authtoken`), or words meaning "change me" in any language seen.
    Real secrets are generated from ASCII letters, digits and a few symbols."""
    if not text.isascii():  # (an ASCII text has no letter outside ASCII: no loop over it)
        letters = [ch for ch in text if ch.isalpha()]
        foreign = sum(1 for ch in letters if not ch.isascii())
        if letters and foreign * 2 >= len(letters):
            return True
    return _CHANGE_ME.fullmatch(text) is not None


# Words that name what belongs in the value (`AUTHTOKEN_CREATED_IN_STEP_1`, `TU_AUTHTOKEN`,
# `token_1`): a generated token is random letters and digits, never these words.
_NAME_WORDS = frozenset({
    "your", "my", "our", "the", "here", "token", "authtoken", "auth", "api", "key", "apikey", "ngrok",
    "insert", "paste", "put", "enter", "add", "set", "replace", "change", "changeme", "example", "sample",
    "dummy", "fake", "placeholder", "secret", "created", "step", "value", "tu", "seu", "sua", "su", "votre",
    "ton", "tuo", "dein", "ihr", "aqui", "ici", "hier", "qui",
})
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_]+")
MIN_TOKEN_LENGTH = 30


def is_token_shaped(value: object) -> bool:
    """Could this be a real ngrok authtoken or API key? (rules.md, Terms: "Placeholders".)

    Every real one seen is `[0-9][A-Za-z0-9]{18,}_[A-Za-z0-9]{20,}`: at least 30 characters of ASCII
    letters, digits and `_`, with digits, lower- and upper-case letters mixed (they are random). A
    value that is shorter, holds anything else (hyphens, non-ASCII words: `COLE-SEU-TOKEN-AQUI`,
    `填你的authtoken`), is one letter repeated (`YYYYY`), or is made of words that name what belongs
    there (`AUTHTOKEN_CREATED_IN_STEP_1`, `token_1`) is not."""
    if value is None or isinstance(value, (bool, list, dict)):
        return False
    text = str(value).strip()
    if len(text) < MIN_TOKEN_LENGTH or not _TOKEN_CHARS.fullmatch(text):
        return False
    if not (any(c.isdigit() for c in text) and any(c.islower() for c in text) and any(c.isupper() for c in text)):
        return False
    if len(set(text.lower())) <= 3:
        return False
    return not any(part.lower() in _NAME_WORDS for part in text.split("_"))


def is_token_placeholder(value: object) -> bool:
    """For `authtoken` and `api_key`: a placeholder, or any value that is not token-shaped."""
    return is_placeholder(value) or not is_token_shaped(value)


def split_credential(value: object) -> Optional[Tuple[str, str]]:
    """`user:password` as the agent splits it (at the first colon); None without a colon."""
    if value is None or isinstance(value, (bool, list, dict)):
        return None
    text = str(value)
    if ":" not in text:
        return None
    user, _, password = text.partition(":")
    return user, password


def credential_is_placeholder(value: object) -> bool:
    """A `user:password` stands in for a real one when the whole value or its password does."""
    if is_placeholder(value):
        return True
    parts = split_credential(value)
    return parts is not None and is_placeholder(parts[1])
