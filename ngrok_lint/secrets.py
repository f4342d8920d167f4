"""Secrets are never echoed: one masking function for messages, and a line redactor for anything
that shows file text (``--diff``, SARIF fix snippets, editor previews).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Tuple

from ngrok_lint.placeholders import split_credential

# Keys whose values are secrets wherever they stand (agent settings, policy configs, modules).
SECRET_KEYS = ("authtoken", "auth_token", "api_key", "secret", "client_secret", "password", "auth",
               "server_private_key", "credentials", "basic_auth")

@lru_cache(maxsize=None)
def _redactors() -> Tuple["re.Pattern[str]", ...]:
    """The redaction patterns, compiled on first use: linting never redacts, and compiling them
    would cost every run about a millisecond."""
    key_value = re.compile(
        r"(?P<lead>^[ \t]*(?:-[ \t]+)?[\"']?(?P<key>" + "|".join(SECRET_KEYS) + r")[\"']?[ \t]*:[ \t]*)"
        # A quoted value whole; a plain one up to a comment (`#` after whitespace: `pa#ss` is no comment).
        r"(?P<value>\"(?:[^\"\\\r\n]|\\.)*\"|'(?:[^'\r\n]|'')*'|(?:[^\r\n#]|(?<![ \t])#)*?)"
        r"(?P<trail>[ \t]*(?:(?<=[ \t])#[^\r\n]*)?)(?=\r?$)",
        re.M,
    )
    credential_item = re.compile(r"(?P<lead>^[ \t]*-[ \t]+[\"']?)(?P<user>[^:\s\"'#]+):(?P<value>(?:[^\s\"'#]|(?<!\s)#)+)", re.M)
    url_credentials = re.compile(r"(?P<lead>[a-z0-9+]+://[^:/\s@]+:)(?P<value>[^@\s/]+)(?=@)", re.I)
    pem = re.compile(r"-----BEGIN (?P<kind>[A-Z ]*PRIVATE KEY)-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S)
    flow_credentials = re.compile(r"(?P<lead>(?:basic_auth|credentials)[\"']?[ \t]*:[ \t]*\[)(?P<value>[^\]\r\n]*)")
    # `{provider: github, secret: whsec_…}`: a secret key inside a one-line flow mapping.
    flow_key_value = re.compile(
        r"(?P<lead>[{,][ \t]*[\"']?(?:" + "|".join(SECRET_KEYS) + r")[\"']?[ \t]*:[ \t]*)"
        r"(?P<value>\"[^\"\r\n]*\"|'[^'\r\n]*'|[^,}\]\r\n]*)"
    )
    flow_item = re.compile(r"\s*(?:\"[^\"]*\"|'[^']*'|[^,]+)\s*")
    return key_value, credential_item, url_credentials, pem, flow_credentials, flow_key_value, flow_item


def mask(value: object) -> str:
    """First four characters, then an ellipsis: enough to recognise, not enough to use."""
    text = "" if value is None else str(value)
    if len(text) <= 4:
        return "…" if text else ""
    return text[:4] + "…"


def _mask_scalar(raw: str) -> str:
    raw = raw.strip()
    if not raw or raw in ("~", "null", "[]", "{}") or raw.startswith(("[", "{", "|", ">", "&", "*")):
        return raw
    quote = raw[0] if raw[0] in "\"'" else ""
    inner = raw[1:-1] if quote and raw.endswith(quote) and len(raw) > 1 else raw.lstrip("\"'")
    if ":" in inner and not quote:
        user, _, _password = inner.partition(":")
        return f"{user}:{mask(_password)}"
    return f"{quote}{mask(inner)}{quote}"


def redact(text: str) -> str:
    """The same text with every secret-looking value masked, line structure unchanged."""
    _KEY_VALUE, _CREDENTIAL_ITEM, _URL_CREDENTIALS, _PEM, _FLOW_CREDENTIALS, _FLOW_KEY_VALUE, _FLOW_ITEM = _redactors()
    text = _PEM.sub(lambda m: f"-----BEGIN {m.group('kind')}-----…" + "\n" * m.group(0).count("\n"), text)
    text = _KEY_VALUE.sub(lambda m: m.group("lead") + _mask_scalar(m.group("value")) + m.group("trail"), text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group("lead") + mask(m.group("value")), text)
    text = _FLOW_CREDENTIALS.sub(
        lambda m: m.group("lead") + ", ".join(_mask_scalar(v) for v in _FLOW_ITEM.findall(m.group("value"))), text
    )
    text = _FLOW_KEY_VALUE.sub(lambda m: m.group("lead") + _mask_scalar(m.group("value")), text)
    return _CREDENTIAL_ITEM.sub(lambda m: f"{m.group('lead')}{m.group('user')}:{mask(m.group('value'))}", text)


def mask_credential(value: object) -> str:
    """`user:pass…`: the user name is no secret, the password is masked."""
    parts = split_credential(value)
    if parts is None:
        return mask(value)
    user, password = parts
    if password and password in user:  # `pw:pw`: the user name would show the password
        return f"{mask(user)}:{mask(password)}"
    return f"{user}:{mask(password)}"
