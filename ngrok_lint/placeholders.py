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


def is_placeholder(value: object) -> bool:
    """Is this a stand-in rather than a secret? (rules.md, Terms: "Placeholders".)

    Empty (or null), anything with whitespace, `$`, `{` or `}` (template and vault syntax such as
    `${secrets.get(...)}`), ngrok's documentation sample token, or a value matching, case-insensitive,
    `<…>`, `your…`, `xxx…`, `todo`, `changeme`, `replace…`, `…here`, `token`, `example…`,
    `fake…`, `redacted…` or `***…`. Lists and maps are not secrets either.
    """
    if value is None or isinstance(value, (bool, list, dict)):
        return True
    text = str(value)
    if text == "" or any(ch.isspace() for ch in text) or any(ch in text for ch in "${}"):
        return True
    if text in DOC_SAMPLE_TOKENS:
        return True
    return _PLACEHOLDER.fullmatch(text) is not None


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
