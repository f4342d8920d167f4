"""
## What it does
Reports a boolean field whose value is written `yes`, `no`, `on`, `off`, `y` or `n` (in any case)
instead of `true` or `false`. Only plain (unquoted) values: a quoted `"yes"` is a string, which
NGL002 judges.

The boolean fields are those the schemas type as booleans: agent settings `crl_noverify`,
`remote_management`, `update_check`, `console_ui` (versions 2 and 3; a free string in 2.x) and the
2.x-only `update` and `compress_conn`; tunnel `inspect`, `pooling_enabled`, `compression`,
`websocket_tcp_converter`, `upstream_tls_verify`, and the legacy `bind_tls`; endpoint `inspect` and
`pooling_enabled`; in an inline Traffic Policy, `enforce` of `restrict-ips`, `basic-auth`,
`verify-webhook`, `rate-limit` and `circuit-breaker`, and `allow_cors_preflight` of `oauth` and
`openid-connect`.

## Why is this bad?
The agent's YAML parser (Go) follows YAML 1.1 for boolean fields: `yes`, `Yes`, `YES`, `on`, `y`,
`Y` (and their negatives) are booleans to it. YAML 1.2 tools (editors, the YAML language server,
other linters) read them as strings, and PyYAML reads `y` and `n` as strings too, so the file means
different things to different readers. A mixed-case spelling such as `yEs` is a string even for the
agent, which a boolean field refuses.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    inspect: no
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    inspect: false
```

## Fix
Safe: the value is replaced by `true` or `false`, which every reader, the agent included, reads
as the boolean the spelling stands for.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, Iterator, Tuple

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL007",
    name="ambiguous-boolean",
    severity=Severity.INFO,
    summary="a boolean written `yes`/`no`/`on`/`off`/`y`/`n`",
    fix=FixKind.SAFE,
)

SPELLINGS: Dict[str, bool] = {"yes": True, "on": True, "y": True, "no": False, "off": False, "n": False}

# Boolean fields, by where they stand (kept in step with schemas/*.schema.json by a test).
AGENT_BOOLEANS: FrozenSet[str] = frozenset({"crl_noverify", "remote_management", "update_check", "update", "compress_conn"})
AGENT_BOOLEANS_V2_V3: FrozenSet[str] = frozenset({"console_ui"})  # a free string in agent 2.x
TUNNEL_BOOLEANS: FrozenSet[str] = frozenset(
    {"inspect", "pooling_enabled", "compression", "websocket_tcp_converter", "upstream_tls_verify"}
)
LEGACY_TUNNEL_BOOLEANS: FrozenSet[str] = frozenset({"bind_tls"})  # true/false/both; refused by 3.x (NGL003)
ENDPOINT_BOOLEANS: FrozenSet[str] = frozenset({"inspect", "pooling_enabled"})
ACTION_BOOLEANS: Dict[str, FrozenSet[str]] = {
    "restrict-ips": frozenset({"enforce"}),
    "basic-auth": frozenset({"enforce"}),
    "verify-webhook": frozenset({"enforce"}),
    "rate-limit": frozenset({"enforce"}),
    "circuit-breaker": frozenset({"enforce"}),
    "oauth": frozenset({"allow_cors_preflight"}),
    "openid-connect": frozenset({"allow_cors_preflight"}),
    "oidc": frozenset({"allow_cors_preflight"}),  # the migration guide's name for openid-connect
    "owasp-crs-request": frozenset({"process_body"}),
    "owasp-crs-response": frozenset({"process_body"}),
}


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    if not isinstance(doc.data, dict):
        return
    legacy = doc.format == "legacy"
    agent = walk.agent(doc)
    fields = AGENT_BOOLEANS if legacy else AGENT_BOOLEANS | AGENT_BOOLEANS_V2_V3
    for key in sorted(fields & set(agent.data), key=lambda k: doc.value_span(agent.path(k)).start):
        yield from _judge(doc, agent.path(key))
    for site in walk.sites(doc):
        if site.kind == "endpoint":
            names = ENDPOINT_BOOLEANS
        else:
            names = TUNNEL_BOOLEANS | LEGACY_TUNNEL_BOOLEANS if legacy else TUNNEL_BOOLEANS
        for key in site.data:
            if key in names:
                yield from _judge(doc, site.at(key))
        if site.policy is None or not site.policy.inline:
            continue  # a policy written as a string or in a file has no spans to fix here
        for action in site.actions():
            for key in ACTION_BOOLEANS.get(action.type, ()):
                if key in action.config:
                    yield from _judge(doc, action.path + ("config", key))


def _go_spellings(word: str) -> Tuple[str, ...]:
    """The case forms Go's YAML parsers accept as booleans: `yes`, `Yes`, `YES`."""
    return (word.lower(), word.lower().capitalize(), word.upper())


def _judge(doc: Document, path: YamlPath) -> Iterator[Finding]:
    loc = doc.loc(path)
    if loc is None or loc.raw is None or loc.style is not None:
        return  # not a scalar, or quoted: a string, which NGL002 judges
    raw = loc.raw
    meaning = SPELLINGS.get(raw.lower())
    if meaning is None:
        return
    word = "true" if meaning else "false"
    in_policy = any(part in ("traffic_policy", "policy") for part in path if isinstance(part, str))
    if in_policy and raw in _go_spellings(raw):
        message = (
            f"`{dotted(path)}: {raw}` reaches ngrok as the boolean `{word}` or as the string `{raw}`, depending on "
            f"which YAML rules read the policy (1.1 or 1.2): write `{word}`"
        )
    elif raw in _go_spellings(raw):
        parsers = "PyYAML reads it as a string as well" if raw.lower() in ("y", "n") else ""
        message = (
            f"`{dotted(path)}: {raw}` is the boolean `{word}` to the agent (YAML 1.1), but a string to YAML 1.2 "
            f"tools such as editors and other linters{'; ' + parsers if parsers else ''}: write `{word}`"
        )
    else:
        message = (
            f"`{dotted(path)}: {raw}` is not a boolean even to the agent (YAML 1.1 knows only "
            f"`{'`, `'.join(_go_spellings(raw))}`): it reads a string, which this boolean field refuses; write `{word}`"
        )
    span = loc.value
    fix = Fix(f"write `{word}`", Safety.SAFE, (Change(Op.TEXT, path, word, start=span.start, end=span.end),))
    yield finding(META, message, span, path, fix)
