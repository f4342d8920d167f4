"""Secrets are never echoed: one masking function for messages, and a line redactor for anything
that shows file text (``--diff``, SARIF fix snippets, editor previews).
"""

from __future__ import annotations

import re

# Keys whose values are secrets wherever they stand (agent settings, policy configs, modules).
SECRET_KEYS = ("authtoken", "auth_token", "api_key", "secret", "client_secret", "password", "auth",
               "server_private_key", "credentials", "basic_auth")

_KEY_VALUE = re.compile(
    r"(?P<lead>^[ \t]*(?:-[ \t]+)?[\"']?(?P<key>" + "|".join(SECRET_KEYS) + r")[\"']?[ \t]*:[ \t]*)(?P<value>[^#\r\n]*?)(?P<trail>[ \t]*(?:#[^\r\n]*)?)$",
    re.M,
)
_CREDENTIAL_ITEM = re.compile(r"(?P<lead>^[ \t]*-[ \t]+[\"']?)(?P<user>[^:\s\"'#]+):(?P<value>[^\s\"'#]+)", re.M)
_URL_CREDENTIALS = re.compile(r"(?P<lead>[a-z0-9+]+://[^:/\s@]+:)(?P<value>[^@\s/]+)(?=@)", re.I)
_PEM = re.compile(r"-----BEGIN (?P<kind>[A-Z ]*PRIVATE KEY)-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S)
_FLOW_CREDENTIALS = re.compile(r"(?P<lead>(?:basic_auth|credentials)[\"']?[ \t]*:[ \t]*\[)(?P<value>[^\]\r\n]*)")


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
    text = _PEM.sub(lambda m: f"-----BEGIN {m.group('kind')}-----…" + "\n" * m.group(0).count("\n"), text)
    text = _KEY_VALUE.sub(lambda m: m.group("lead") + _mask_scalar(m.group("value")) + m.group("trail"), text)
    text = _URL_CREDENTIALS.sub(lambda m: m.group("lead") + mask(m.group("value")), text)
    text = _FLOW_CREDENTIALS.sub(
        lambda m: m.group("lead") + ", ".join(_mask_scalar(v) for v in m.group("value").split(",")), text
    )
    return _CREDENTIAL_ITEM.sub(lambda m: f"{m.group('lead')}{m.group('user')}:{mask(m.group('value'))}", text)
