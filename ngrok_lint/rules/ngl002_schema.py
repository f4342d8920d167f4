"""
## What it does
Checks the file against the JSON Schema of its format (legacy 2.x, config version 2, config
version 3) and reports each violation once, where it is:

- an unknown key, on the key itself, with "did you mean `host_header`?" when a valid name at
  that place is close;
- a value of the wrong type (`inspect: "yes"` where a boolean is expected), outside its enum
  (`proto: ftp`), or malformed: a `host:port`, CIDR, duration, URL or host name that is not one,
  or a `subdomain` with characters other than letters, digits, hyphens and periods (ngrok's
  `agent/config/v2.mdx`);
- a missing required key (a tunnel without `addr`), on the mapping that lacks it;
- a file whose content is not a mapping of settings (empty, comments only, a list, a lone value).

Null values are never reported (the agent reads them as the field's zero value), and neither are
keys that NGL003 (`config-version`) reports: 2.x-only keys in a version 2 or 3 file, v3 structure
in a version 2 file, agent settings at the top of a version 3 file, a missing `version`.

## Why is this bad?
Agent 3.x refuses a file with an unknown key or a wrong value and does not start. Agent 2.x is
quieter and worse: it silently ignores an unknown key, so a typo such as `host-header` or
`auth_token` drops the setting without a word.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    host-header: rewrite
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    host_header: rewrite
```

## Notes at info level
Two kinds of keys are settings the agent may know although ngrok's config reference does not
document them; claiming the agent refuses them would claim more than the sources say (rules.md:
nothing beyond the reference). They are reported as notes (info: they never fail a run) under this
code rather than a code of their own, since they are schema questions and the catalogue has no
better-fitting rule; each names the changelog entry it rests on (`ngrok_lint/facts/changelog.json`):

- a key only the agent changelog names, which the schema accepts (`crl_url`, 3.39.7;
  `local_storage`, 3.32.0): its place and type are not documented;
- an unknown key whose name matches a setting the changelog announces without naming it (a TCP
  keep-alive option, 3.21.0; minimum and maximum TLS versions, 3.24.0), in a place where such a
  setting could stand: "possibly that setting; `ngrok config check` tells".

## Fix
An unknown key with exactly one close valid name at that place is renamed to it. The fix is
unsafe: it guesses what was meant, and the renamed setting starts to take effect (a setting the
agent 2.x ignored until now may change how the tunnel behaves). Every other violation needs a
person to decide the right value.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

from ngrok_lint import expressions, facts, schema, walk
from ngrok_lint.formats import LEGACY_TOP_KEYS, LEGACY_TUNNEL_KEYS
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL002",
    name="schema",
    severity=Severity.ERROR,
    summary="the file breaks the JSON Schema of its format",
    fix=FixKind.UNSAFE,
)

#: Findings per file at most; the rest are counted in one last finding.
MAX_FINDINGS = 200

#: Keys only agent 2.x reads; NGL003 reports them in a file that declares version 2 or 3.
TWO_X_AGENT_KEYS = frozenset(LEGACY_TOP_KEYS)
TWO_X_TUNNEL_KEYS = frozenset(LEGACY_TUNNEL_KEYS)
#: Top-level names NGL003 reports in a file that declares version 3, besides the `agent:` settings.
V3_TOP_LEVEL_EXTRA = frozenset({"server_addr", "root_cas", "region"})


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    if schema.schema_format(doc) is None:
        return
    base_dir = getattr(ctx, "base_dir", None)
    found, truncated = schema.violations(doc, base_dir)
    kept = [v for v in found if not owned_by_ngl003(v, doc)]
    for item in kept[:MAX_FINDINGS]:
        note = _changelog_feature(doc, item)
        if note is not None:
            yield Finding(META.code, META.name, Severity.INFO, note, item.span, item.path)
            continue
        yield finding(META, item.message, item.span, item.path, _fix(item))
    yield from _expression_syntax(doc, base_dir)
    yield from _changelog_keys(doc)
    rest = kept[MAX_FINDINGS:]
    if rest or (truncated and kept):
        first = rest[0] if rest else kept[-1]
        more = f"{len(rest)} more" if not truncated else f"more than {len(rest)} more" if rest else "more"
        yield finding(
            META,
            f"… and {more} schema problems in this file (only the first {MAX_FINDINGS} are reported)",
            first.span,
            first.path,
        )


def _expression_syntax(doc: Document, base_dir: Any) -> Iterator[Finding]:
    """A Traffic Policy expression that does not parse as CEL, at the character where it stops."""
    found = expressions.find(doc, base_dir)
    if not found:
        return
    for expression in found:
        problem = expressions.parse(doc, expression)
        if not isinstance(problem, expressions.SyntaxProblem):
            continue
        where = dotted(expression.path if expression.inline else expression.anchor)
        what = "interpolation `${…}`" if expression.offset else "expression"
        label = "" if expression.inline else " (in the policy text)"
        yield finding(
            META,
            f"{where}: the CEL {what} does not parse: {problem.message}{label}",
            expressions.span(doc, expression, problem.offset),
            expression.path if expression.inline else expression.anchor,
        )


def _fix(item: schema.Violation) -> Any:
    if item.kind != schema.UNKNOWN or item.suggestion is None or item.in_text:
        return None
    return Fix(
        f"rename to `{item.suggestion}`",
        Safety.UNSAFE,
        (Change(Op.RENAME, item.path, item.suggestion),),
    )


def owned_by_ngl003(item: schema.Violation, doc: Document) -> bool:
    """Is this violation one NGL003 (`config-version`) reports? Then NGL002 stays quiet.

    NGL003 judges `version` itself, and the keys that do not belong to the version the file
    declares: 2.x-only keys, v3 structure under version 2, agent settings at the top of version 3.
    """
    if item.in_text:
        return False
    if item.kind == schema.MISSING:
        return item.path == () and item.key == "version"
    if item.path == ("version",):
        return True  # a `version` other than 2 or 3 (an unknown key in the legacy schema, else an enum)
    if item.kind != schema.UNKNOWN:
        return False
    declared = doc.declared_format
    if declared not in ("v2", "v3"):
        return False
    parent: List[Any] = list(item.path[:-1])
    key = item.key
    at_root = parent == []
    if key in TWO_X_AGENT_KEYS and (at_root or (declared == "v3" and parent == ["agent"])):
        return True
    if key in TWO_X_TUNNEL_KEYS and len(parent) == 2 and parent[0] == "tunnels":
        return True
    if declared == "v2" and at_root and key in ("agent", "endpoints"):
        return True
    if declared == "v3" and at_root and (key in schema.agent_properties("v3") or key in V3_TOP_LEVEL_EXTRA):
        return True
    return False


# --- settings only the changelog names (info, see the module doc) ----------------------------------


def _context(doc: Document, parent: YamlPath) -> Optional[str]:
    """The changelog facts' name of the place `parent` is: `v3.agent`, `v2.tunnel`, …"""
    fmt = doc.format
    shape = tuple("*" if not isinstance(part, str) or index == 1 else part for index, part in enumerate(parent))
    names: Dict[Tuple[str, ...], str] = {
        (): "agent" if fmt == "v2" else "",
        ("agent",): "agent",
        ("tunnels", "*"): "tunnel",
        ("endpoints", "*"): "endpoint",
        ("endpoints", "*", "upstream"): "endpoint.upstream",
        ("endpoints", "*", "agent_tls_termination"): "endpoint.agent_tls_termination",
    }
    name = names.get(shape)
    return f"{fmt}.{name}" if name else None


def _changelog_feature(doc: Document, item: schema.Violation) -> Optional[str]:
    """The note for an unknown key that may be a setting the changelog announces without a name."""
    if item.kind != schema.UNKNOWN or item.in_text or doc.format not in ("v2", "v3"):
        return None
    context = _context(doc, tuple(item.path[:-1]))
    key = str(item.key)
    for row in facts.load("changelog")["rows"]:
        if row["known"] != "feature" or context not in row["contexts"]:
            continue
        if re.search(row["match"], key, re.IGNORECASE):
            return (
                f"`{key}` is not in ngrok's config reference, but agent {row['version']}'s changelog adds a "
                f"setting for {row['feature']} without naming its key: if this is it, `ngrok config check` "
                "confirms it (a note, not an error: the schema cannot tell)"
            )
    return None


def _changelog_keys(doc: Document) -> Iterator[Finding]:
    """A note on each key only the changelog names (accepted by the schema)."""
    if doc.format not in ("v2", "v3"):
        return
    agent = walk.agent(doc)
    context = f"{doc.format}.agent"
    for row in facts.load("changelog")["rows"]:
        key = row.get("key")
        if row["known"] != "name" or key not in agent.data or context not in row["contexts"]:
            continue
        path = agent.path(key)
        yield Finding(
            META.code, META.name, Severity.INFO,
            f"`{key}` is named only by the agent changelog ({row['version']}: {row['feature']}); ngrok's config "
            "reference does not document it, so its place and type are unverified: check the file with "
            "`ngrok config check`",
            doc.key_span(path), path,
        )
