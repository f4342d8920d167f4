"""What NGL301, NGL302 and NGL305 share: finding an `authtoken` / `api_key` written in agent
settings (from the parsed document, or from a plain line scan of a file that does not parse), and
the fix that removes the key so the agent reads the environment variable instead.

Not a rule module (the registry lists rules explicitly), so it has no META.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple, Optional

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Fix, Finding, Op, RuleMeta, Safety, Span, YamlPath, finding
from ngrok_lint.paths import dotted
from ngrok_lint.placeholders import is_token_placeholder
from ngrok_lint.secrets import mask

# Prefixes of ngrok resource IDs (API reference): such a value is an ID copied from the dashboard
# or the API, not a credential, and the agent cannot sign in with it.
ID_KINDS = {
    "rd": "a reserved-domain",
    "ra": "a reserved-address",
    "cr": "a credential (the authtoken's own ID)",
    "ak": "an API-key",
    "ep": "an endpoint",
    "tn": "a tunnel",
    "ts": "a tunnel-session",
    "ipp": "an IP-policy",
    "ipr": "an IP-policy-rule",
    "edghts": "an HTTPS-edge",
    "edgtcp": "a TCP-edge",
    "edgtls": "a TLS-edge",
    "cert": "a TLS-certificate",
    "usr": "a user",
}
_ID = re.compile(r"(?P<prefix>[a-z]+)_[A-Za-z0-9]{10,}")


def id_kind(value: str) -> Optional[str]:
    """What kind of ngrok ID `value` is, with its article (`a reserved-domain` for `rd_…`), or None."""
    match = _ID.fullmatch(value)
    return ID_KINDS.get(match.group("prefix")) if match else None


class Written(NamedTuple):
    """One credential value written in a file, as NGL301/NGL302 report it."""

    key: str
    value: str
    span: Span
    path: YamlPath  # () for a value found by the line scan of an unparsable file

    @property
    def id_kind(self) -> Optional[str]:
        return id_kind(self.value)


def in_document(doc: Document, key: str) -> Iterator[Written]:
    """`key` in agent settings (and, in v3, at the top level) holding a non-placeholder scalar."""
    for scope in walk.agent_scopes(doc):
        if key not in scope.data:
            continue
        value = scope.data[key]
        if isinstance(value, (dict, list)) or is_token_placeholder(value):
            continue
        path = scope.path(key)
        yield Written(key, str(value), doc.value_span(path), path)


def _line_pattern(key: str) -> "re.Pattern[str]":
    # `key: value` at the start of a line (optionally a list item), the value quoted or plain up to
    # a comment. Comment lines never match: the key must be the line's first word.
    return re.compile(
        r"^[ \t]*(?:-[ \t]+)?(?P<q>[\"']?)" + re.escape(key) + r"(?P=q)[ \t]*:[ \t]+"
        r"(?P<value>\"(?:[^\"\\\r\n]|\\.)*\"|'(?:[^'\r\n]|'')*'|[^\s#][^\r\n]*?)"
        r"[ \t]*(?:[ \t]#[^\r\n]*)?\r?$",
        re.M,
    )


def in_text(text: str, key: str) -> Iterator[Written]:
    """The same values from raw text, for a file that does not parse (NGL001): a line scan."""
    for match in _line_pattern(key).finditer(text):
        raw = match.group("value")
        if raw[0] in "\"'":
            value = raw[1:-1]
        elif raw[0] in "|>&*!%@`[{":
            continue  # block scalars, anchors, aliases, tags, flow collections: not a plain token
        else:
            value = raw
        if is_token_placeholder(value):
            continue
        start = match.start("value")
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        yield Written(key, value, Span(line, column, line, column + len(raw), start, start + len(raw)), ())


def remove_key(doc: Document, path: YamlPath) -> Change:
    """Remove a `key: value` line as text when it stands alone on its line(s), else structurally."""
    loc = doc.loc(path)
    text = doc.text
    parent = doc.get(path[:-1])
    if isinstance(parent, dict) and len(parent) == 1:
        return Change(Op.REMOVE, path)  # the mapping empties: let the engine write it as `{}`
    if loc is not None and loc.key is not None:
        line_start = text.rfind("\n", 0, loc.key.start) + 1
        newline = text.find("\n", loc.value.end)
        line_end = len(text) if newline < 0 else newline
        rest = text[loc.value.end : line_end].strip()
        if not text[line_start : loc.key.start].strip() and (not rest or rest.startswith("#")):
            return Change(Op.TEXT, path, "", start=line_start, end=len(text) if newline < 0 else newline + 1)
    return Change(Op.REMOVE, path)


def report(
    meta: RuleMeta, item: Written, what: str, env: str, doc: Optional[Document] = None
) -> Finding:
    """The NGL301/NGL302 finding for one written value; with `doc`, carrying the removal fix."""
    place = f"`{dotted(item.path)}`" if item.path else f"`{item.key}`"
    kind = item.id_kind
    if kind is not None:
        message = (
            f"{place} holds `{mask(item.value)}`: this is {kind} ID, not {what}, and nothing can "
            f"authenticate with it. Remove the key and set {env} to the real value"
        )
    else:
        message = (
            f"{place} holds {what} (`{mask(item.value)}`) written in the file: whoever reads the file "
            f"(a repository, a backup, an image layer) can use it. Revoke it in the ngrok dashboard, "
            f"remove the key and set {env} instead (the agent reads it and it overrides the file)"
        )
    fix = None
    if doc is not None and item.path:
        fix = Fix(f"remove `{dotted(item.path)}` (the agent then reads {env})", Safety.UNSAFE,
                  (remove_key(doc, item.path),))
    return finding(meta, message, item.span, item.path, fix)


# --- basic-auth credentials (NGL303, NGL304) ----------------------------------------------------


class Credential(NamedTuple):
    """One `user:password` (or a value meant as one) written for basic auth."""

    value: Any
    path: YamlPath  # where to point (inside a policy file: the key naming that file)
    span: Span
    source: str  # "auth", "basic_auth" or "basic-auth"
    origin: Optional[str] = None  # a policy not written inline: "the Traffic Policy file `x`", …


def policy_origin(site: walk.Site) -> Optional[str]:
    """Where a site's policy came from when it is not an inline map (positions then stand on its key)."""
    policy = site.policy
    if policy is None or policy.inline:
        return None
    if policy.path[-1] == "traffic_policy_file":
        return f"the Traffic Policy file `{site.data.get('traffic_policy_file')}`"
    return "the Traffic Policy written as a string"


def where(path: YamlPath, origin: Optional[str]) -> str:
    """How a message names a place: the YAML path, or the policy's origin and the key naming it."""
    return f"{origin} (at `{dotted(path)}`)" if origin else f"`{dotted(path)}`"


def basic_auth_credentials(doc: Document, base_dir: Optional[str]) -> Iterator[Credential]:
    """Legacy `auth`, `basic_auth` entries and `basic-auth` action `credentials`, in file order."""
    for site in walk.sites(doc, base_dir):
        auth = site.data.get("auth")
        if auth is not None and not isinstance(auth, (dict, list)):
            path = site.at("auth")
            yield Credential(auth, path, doc.value_span(path), "auth")
        entries = site.data.get("basic_auth")
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if entry is not None and not isinstance(entry, (dict, list)):
                    path = site.at("basic_auth", index)
                    yield Credential(entry, path, doc.value_span(path), "basic_auth")
        elif entries is not None and not isinstance(entries, dict):
            path = site.at("basic_auth")
            yield Credential(entries, path, doc.value_span(path), "basic_auth")
        origin = policy_origin(site)
        inline = site.policy is not None and site.policy.inline
        for action in site.actions():
            if action.type != "basic-auth":
                continue
            credentials = action.config.get("credentials")
            if not isinstance(credentials, list):
                continue
            for index, entry in enumerate(credentials):
                if entry is None or isinstance(entry, (dict, list)):
                    continue
                path = action.path + ("config", "credentials", index) if inline else action.path
                yield Credential(entry, path, doc.value_span(path), "basic-auth", origin)
