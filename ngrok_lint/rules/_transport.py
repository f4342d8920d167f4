"""Helpers shared by the transport and TLS rules (NGL101–NGL108): where to point at a tunnel or
endpoint, exact text edits for scalars and whole lines, and the `terminate-tls` edits that pin a
minimum TLS version (NGL103, NGL108).

Not a rule module: the registry lists rules explicitly, so this module is never loaded as one.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Op, Safety, Span, YamlPath
from ngrok_lint.walk import Action, Site

TERMINATE_TLS = "terminate-tls"
_ITEM_PREFIX = re.compile(r"[ \t]*-[ \t]+\Z")
_KEY_PREFIX = re.compile(r"[ \t]*\Z")
_LINE_REST = re.compile(r"[ \t]*(#[^\r\n]*)?\r?\Z")


# --- naming and positions ---------------------------------------------------------------------


def label(site: Site) -> str:
    """`tunnel `web`` or `endpoint `web``, as messages name a site."""
    return f"{site.kind} `{site.name}`"


def anchor(doc: Document, site: Site) -> Span:
    """Where a finding about a whole site stands: a tunnel's name, an endpoint's `url` (else its
    `name`, else the item itself)."""
    if site.kind == "tunnel":
        return doc.key_span(site.path)
    for key in ("url", "name"):
        if site.at(key) in doc.locs:
            return doc.value_span(site.at(key))
    return doc.value_span(site.path)


def action_span(doc: Document, action: Action, key: Optional[str] = None) -> Span:
    """The span of an action's `type` (or of `config.<key>`); for a policy read from a string or a
    file, the span of the key that holds it."""
    if key is not None and action.path + ("config", key) in doc.locs:
        return doc.value_span(action.path + ("config", key))
    if action.path + ("type",) in doc.locs:
        return doc.value_span(action.path + ("type",))
    return doc.key_span(action.path)


def inline_action(doc: Document, action: Action) -> bool:
    """Is the action written in this file (so its keys have positions and can be edited)?"""
    return action.path + ("type",) in doc.locs


# --- exact text edits -------------------------------------------------------------------------


def replace_scalar(doc: Document, path: YamlPath, new: str) -> Change:
    """Replace a scalar's text, keeping its quotes: an exact TEXT splice when the value is written
    verbatim (no escapes, one line), else a structural SET of the new string."""
    loc = doc.loc(path)
    if loc is not None and loc.raw is not None and loc.style in (None, "'", '"'):
        quote = 1 if loc.style else 0
        start = loc.value.start + quote
        end = start + len(loc.raw)
        written = doc.text[start:end]
        if written == loc.raw and "\n" not in written and (not quote or doc.text[end : end + 1] == loc.style):
            if loc.style == "'" and "'" in new or loc.style == '"' and ('"' in new or "\\" in new):
                return Change(Op.SET, path, new)
            return Change(Op.TEXT, value=new, start=start, end=end)
    return Change(Op.SET, path, new)


def replace_value(doc: Document, path: YamlPath, new_text: str, value: Any) -> Change:
    """Replace a whole scalar value (quotes included) with `new_text`; SET `value` when the value
    cannot be located exactly."""
    loc = doc.loc(path)
    if loc is not None and loc.raw is not None and loc.value.line == loc.value.end_line:
        return Change(Op.TEXT, value=new_text, start=loc.value.start, end=loc.value.end)
    return Change(Op.SET, path, value)


def line_range(text: str, start: int, end: int) -> Tuple[int, int]:
    """The whole lines holding [start, end): from the line start through its line break. On a last
    line without a final line break, the break before it goes instead."""
    line_start = text.rfind("\n", 0, start) + 1
    newline = text.find("\n", end)
    if newline >= 0:
        return line_start, newline + 1
    if line_start > 0:
        before = line_start - 1
        if before > 0 and text[before - 1] == "\r":
            before -= 1
        return before, len(text)
    return line_start, len(text)


def remove_line(doc: Document, path: YamlPath) -> Change:
    """Remove a `key: value` line or a `- item` line: a TEXT edit of exactly that line when the key
    or item stands alone on it (a trailing comment goes with it), else a structural REMOVE."""
    loc = doc.loc(path)
    if loc is None or loc.raw is None or loc.value.line != loc.value.end_line:
        return Change(Op.REMOVE, path)
    text = doc.text
    first = loc.key if loc.key is not None else loc.value
    if first.line != loc.value.line:
        return Change(Op.REMOVE, path)
    line_start = text.rfind("\n", 0, first.start) + 1
    prefix = text[line_start : first.start]
    newline = text.find("\n", loc.value.end)
    rest = text[loc.value.end : newline if newline >= 0 else len(text)]
    pattern = _KEY_PREFIX if loc.key is not None else _ITEM_PREFIX
    if not pattern.match(prefix) or not _LINE_REST.match(rest):
        return Change(Op.REMOVE, path)
    start, end = line_range(text, first.start, loc.value.end)
    return Change(Op.TEXT, value="", start=start, end=end)


# --- terminate-tls and the TLS floor ----------------------------------------------------------


def terminate_actions(site: Site) -> List[Action]:
    """The `terminate-tls` actions of the site's `on_tcp_connect` phase (the only phase it runs in)."""
    return [a for a in site.actions() if a.type == TERMINATE_TLS and a.phase == "on_tcp_connect"]


def policy_unreadable(site: Site) -> bool:
    """A policy is configured but could not be read (missing file, bad string): rules that need the
    policy give no finding for the site (rules.md, Terms)."""
    if site.policy is not None:
        return False
    data = site.data
    return any(data.get(key) is not None for key in ("traffic_policy", "policy", "traffic_policy_file"))


def version_tuple(value: Any) -> Optional[Tuple[int, ...]]:
    """`"1.2"` → (1, 2); None for anything that is not a dotted version."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not re.fullmatch(r"\d+(\.\d+)*", text):
        return None
    return tuple(int(part) for part in text.split("."))


def unquoted_number(doc: Document, action: Action, key: str = "min_version") -> bool:
    """Is `config.<key>` written as a plain YAML number (`1.2`), which the agent may not read as the
    string `"1.2"`? A quoted scalar always loads as a string, so the loaded type decides; where the
    text is at hand, its plain style confirms it."""
    value = action.config.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    loc = doc.loc(action.path + ("config", key))
    return loc is None or loc.style is None


def pin_safety(site: Site) -> Optional[Safety]:
    """Safety of adding or raising a `terminate-tls` floor: safe on v3 https endpoints; unsafe on
    tunnels (`on_tcp_connect` needs agent 3.17) and tls endpoints; None where no Traffic Policy
    exists (agent 2.x files)."""
    if site.format == "legacy":
        return None
    if site.kind == "endpoint" and site.proto == "http":
        return Safety.SAFE
    return Safety.UNSAFE


def _new_action(version: str) -> Dict[str, Any]:
    return {"type": TERMINATE_TLS, "config": {"min_version": version}}


def pin_changes(doc: Document, site: Site, version: str) -> Optional[Tuple[Change, ...]]:
    """The edits that give a site without any `terminate-tls` action in `on_tcp_connect` one whose
    `min_version` is `version`: a new `traffic_policy`, a new `on_tcp_connect` phase, or a new rule
    at the end of the phase. None when the policy cannot be edited here (read from a file or a
    string, the deprecated `policy` key, or the 3.14–3.16 `inbound`/`outbound` shape)."""
    data = site.data
    if data.get("traffic_policy_file") is not None or data.get("policy") is not None:
        return None
    rule = {"actions": [_new_action(version)]}
    policy = data.get("traffic_policy")
    path = site.at("traffic_policy")
    if policy is None:
        return (Change(Op.SET, path, {"on_tcp_connect": [rule]}, index=-1),)
    if site.policy is None or not site.policy.inline or not isinstance(policy, dict):
        return None
    if "inbound" in policy or "outbound" in policy:
        return None
    phase = policy.get("on_tcp_connect")
    if phase is None:
        return (Change(Op.SET, path + ("on_tcp_connect",), [rule], index=0),)
    if not isinstance(phase, list):
        return None
    return (Change(Op.INSERT, path + ("on_tcp_connect",), rule, index=len(phase)),)


def complete_changes(doc: Document, action: Action, version: str) -> Optional[Tuple[Change, ...]]:
    """The edit that sets `config.min_version` in an existing `terminate-tls` action."""
    if not inline_action(doc, action):
        return None
    raw = action.rule.get("actions")
    written = raw[action.index] if isinstance(raw, list) and action.index < len(raw) else None
    if not isinstance(written, dict):
        return None
    config = written.get("config")
    if config is None:
        return (Change(Op.SET, action.path + ("config",), {"min_version": version}, index=-1),)
    if not isinstance(config, dict):
        return None
    return (Change(Op.SET, action.path + ("config", "min_version"), version, index=-1),)
