"""Helpers shared by the access rules (NGL201–NGL206): where to point at a site or an action, and
what counts as an IP restriction or an allow-everyone CIDR.

Not a rule module: the registry lists rule modules by name and never loads this one.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Iterator, List, Tuple

from ngrok_lint.loader import Document
from ngrok_lint.model import Span, YamlPath
from ngrok_lint.walk import Action, Site

# Actions that refuse traffic outright; a rule whose expressions test something and that runs one
# of these is a check on that something.
TERMINATING_CHECKS = frozenset({"deny", "custom-response"})


def describe(site: Site) -> str:
    """`tunnel `ssh`` / `endpoint `web`` for messages."""
    return f"{site.kind} `{site.name}`"


def site_path(site: Site) -> YamlPath:
    """The most specific place that names a site: a tunnel's name, an endpoint's `url` (what makes
    it public), else its `name`, else the list item."""
    if site.kind == "endpoint":
        for key in ("url", "name"):
            if site.data.get(key) is not None:
                return site.at(key)
    return site.path


def site_span(doc: Document, site: Site) -> Span:
    """The span of :func:`site_path`: a tunnel's name key, else the value."""
    if site.kind == "tunnel":
        return doc.key_span(site.path)
    return doc.value_span(site_path(site))


def action_span(doc: Document, site: Site, action: Action, *keys: Any) -> Span:
    """The action's own key or value (`type` by default) in an inline policy; for a policy read
    from a string or from `traffic_policy_file`, the place in this file that names it."""
    policy = site.policy
    if policy is not None and policy.inline:
        path: YamlPath = action.path + (keys or ("type",))
        return doc.value_span(path) if tuple(path) in doc.locs else doc.key_span(path)
    return policy_anchor(doc, site)


def policy_anchor(doc: Document, site: Site) -> Span:
    policy = site.policy
    if policy is None:
        return site_span(doc, site)
    if policy.path[-1] == "traffic_policy_file":
        return doc.value_span(policy.path)
    return doc.key_span(policy.path)


def where(site: Site, action: Action) -> str:
    """`traffic_policy.on_http_request[0]` / the policy file, for messages."""
    policy = site.policy
    if policy is not None and policy.path[-1] == "traffic_policy_file":
        return f"{action.phase}[{action.rule_index}] of `{site.data.get('traffic_policy_file')}`"
    key = policy.path[-1] if policy is not None else "traffic_policy"
    return f"{key}.{action.phase}[{action.rule_index}]"


def expressions(rule: Any) -> List[str]:
    """A rule's CEL expressions as strings (one string is read as a list of one)."""
    raw = rule.get("expressions") if isinstance(rule, dict) else None
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, list):
        return [str(e) for e in raw if e is not None]
    return []


def action_types(rule: Any) -> List[str]:
    actions = rule.get("actions") if isinstance(rule, dict) else None
    if not isinstance(actions, list):
        return []
    return [str(a.get("type")) for a in actions if isinstance(a, dict) and a.get("type") is not None]


def is_allow_all(value: Any) -> bool:
    """`0.0.0.0/0`, `::/0` (or any /0 network): a range that holds every address."""
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.ip_network(value.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


def strings(value: Any) -> List[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def allow_list_items(doc: Document, site: Site) -> Iterator[Tuple[YamlPath, Any, str]]:
    """(path, item, where) for every entry of a site's allow lists: `restrict-ips` `allow` and the
    `ip_restriction.allow_cidrs` module block. For a policy not written inline the path is the
    policy's own key."""
    block = site.data.get("ip_restriction")
    if isinstance(block, dict) and isinstance(block.get("allow_cidrs"), list):
        for index, item in enumerate(block["allow_cidrs"]):
            yield site.at("ip_restriction", "allow_cidrs", index), item, "ip_restriction.allow_cidrs"
    for action in site.actions():
        if action.type != "restrict-ips" or not isinstance(action.config.get("allow"), list):
            continue
        for index, item in enumerate(action.config["allow"]):
            inline = site.policy is not None and site.policy.inline
            path = action.path + ("config", "allow", index) if inline else action.path
            yield path, item, f"restrict-ips allow list in {where(site, action)}"


def ip_restricted(site: Site) -> bool:
    """Does only a known set of client addresses reach the site?

    Yes when an enforced `restrict-ips` action has an allow list (or IP policies, whose contents
    the file cannot show) that does not let everyone in; when the `ip_restriction` module block
    has such an `allow_cidrs`; or when a `deny` runs in a rule whose expressions test
    `conn.client_ip`. On a tcp or tls site only `on_tcp_connect` runs.
    """
    block = site.data.get("ip_restriction")
    if isinstance(block, dict):
        cidrs = strings(block.get("allow_cidrs"))
        if cidrs and not any(is_allow_all(c) for c in cidrs):
            return True
    phases = ("on_tcp_connect",) if site.proto in ("tcp", "tls") else None
    for action in site.actions():
        if phases is not None and action.phase not in phases:
            continue
        if action.type == "restrict-ips":
            if action.config.get("enforce") is False:
                continue  # failures are let through (NGL205)
            allow = action.config.get("allow")
            allow_items = allow if isinstance(allow, list) else []
            if allow_items and not any(is_allow_all(a) for a in allow_items):
                return True
            if strings(action.config.get("ip_policies")):
                return True
        elif action.type == "deny" and any("conn.client_ip" in e for e in expressions(action.rule)):
            return True
    return False


# Actions that let in only who passes a check (rules.md, NGL203).
ACCESS_ACTIONS = frozenset(
    {"basic-auth", "oauth", "openid-connect", "oidc", "jwt-validation", "verify-webhook", "restrict-ips", "saml"}
)
# Module blocks of legacy and v2 tunnels that do the same.
ACCESS_BLOCKS = ("auth", "basic_auth", "oauth", "oidc", "ip_restriction", "verify_webhook", "mutual_tls_cas")
# What a `deny`/`custom-response` rule's expression must test to be a check on the caller: a
# request header (an API key, a bearer token), the client address, a JWT, a webhook signature, an
# identity from an earlier `oauth`/`openid-connect` action, a client certificate.
_CALLER_FACTS = ("req.headers", "req.header", "conn.client_ip", "conn.geo", "actions.ngrok.jwt", "jwt",
                 "actions.ngrok.verify_webhook", "webhook", "actions.ngrok.oauth", "actions.ngrok.oidc",
                 "conn.tls.client", "req.url.query_params", "req.cookies")


def access_controlled(site: Site) -> bool:
    """Does only someone who passes a check reach the site? (rules.md, NGL203.)

    An access-control action or module block; mutual TLS (`mutual_tls_cas`, a `terminate-tls`
    action with `mutual_tls_certificate_authorities`, `agent_tls_termination` with them); a rule
    that refuses (`deny`, `custom-response`) when a request lacks a header, a JWT, a webhook
    signature, an identity, or comes from the wrong address; an IP restriction of any kind.
    """
    if any(site.data.get(key) not in (None, "", [], {}) for key in ACCESS_BLOCKS):
        return True
    termination = site.data.get("agent_tls_termination")
    if isinstance(termination, dict) and termination.get("mutual_tls_certificate_authorities"):
        return True
    if ip_restricted(site):
        return True
    for action in site.actions():
        if action.type in ACCESS_ACTIONS:
            return True
        if action.type == "terminate-tls" and action.config.get("mutual_tls_certificate_authorities"):
            return True
        if action.type in TERMINATING_CHECKS and any(
            fact in expression.replace("Headers", "headers").lower()
            for expression in expressions(action.rule) for fact in _CALLER_FACTS
        ):
            return True
    return False
