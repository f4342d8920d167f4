"""
## What it does
Reports an environment-variable reference, `$NAME` or `${NAME}` (also the shell forms
`${NAME:-default}` and the like), in any value of the file outside a Traffic Policy
(`traffic_policy`, including one written as a string, and the old `policy`).

A `$` counts as a reference only when a letter, an underscore or `{` follows it, so `$5`, `^/api$`
and a lone `$` are not reported; `$$` is read as an escaped dollar sign (`pa$$word` is not
reported), as Docker Compose and Make write it. Inside a Traffic Policy `${…}` is ngrok's own
expression syntax (`${conn.client_ip}`, `${secrets.get('vault', 'name')}`), evaluated by ngrok's
cloud, and is never reported.

## Why is this bad?
The agent does not expand environment variables in its config file: `authtoken: ${NGROK_AUTHTOKEN}`
sends the text `${NGROK_AUTHTOKEN}` as the token, and `addr: $PORT` is refused as an address.
The agent reads two variables by itself, and they override the file: `NGROK_AUTHTOKEN` (the
authtoken) and `NGROK_API_KEY` (the API key). It does not read `NGROK_AUTH_TOKEN`.

Not reported in a template, where `${VAR}` is expected: a file named `*.template`, `*.tmpl`,
`*.tpl`, `*.dist`, `*.example` or `*.sample` (in any position of the name: `ngrok.example.yml`,
`ngrok.yml.template`), one that mentions envsubst, or one that a script, Dockerfile or Compose
file in its folder (or the folder above) renders with envsubst. Such a file never gets the
"remove it" fix either. Another template tool (a CI step, Helm): ignore this rule for that file
with `per-file-ignores` in the project configuration.

## Example
```yaml
version: "2"
authtoken: ${NGROK_AUTHTOKEN}
tunnels:
  web:
    proto: http
    addr: 8080
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
```

## Fix
Safe for exactly `authtoken: ${NGROK_AUTHTOKEN}` / `$NGROK_AUTHTOKEN` and `api_key: ${NGROK_API_KEY}`
/ `$NGROK_API_KEY` in the agent settings: the key is removed (with the `agent:` block of a
version 3 file when it was its only setting), since the agent reads that variable itself and it
overrides the file anyway. No fix otherwise: the value the variable was meant to hold
is not in the file.
"""

from __future__ import annotations

import re

from typing import Any, Iterator, List, Optional, Tuple

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL006",
    name="unexpanded-variable",
    severity=Severity.WARNING,
    summary="an environment variable reference the agent does not expand",
    fix=FixKind.SAFE,
)

_POLICY_KEYS = ("traffic_policy", "policy")
# The variables the agent reads itself (reference §5.1), by the agent setting they override.
_AGENT_VARIABLES = {"authtoken": "NGROK_AUTHTOKEN", "api_key": "NGROK_API_KEY"}
_TEMPLATE = (
    "if a template tool renders this file before the agent reads it, ignore NGL006 for the file "
    "with `per-file-ignores`"
)


def references(text: str) -> List[Tuple[str, str]]:
    """(variable name, reference as shown) for every reference in `text`; a default value is masked.

    `$NAME`, `${NAME}`, and the shell's `${NAME:-default}` family (`-`, `=`, `?`, `+`, each with or
    without `:`); `$$` is an escaped dollar sign. Read left to right without a regular expression: a
    `${NAME:-` that is never closed is searched past once, so a long value costs linear time."""
    found: List[Tuple[str, str]] = []
    size = len(text)
    no_brace_from = size + 1  # from this offset on, no `}` follows
    position = text.find("$")
    while position >= 0:
        last = position  # in a run of `$`, the last one may start a reference
        while last + 1 < size and text[last + 1] == "$":
            last += 1
        escaped = (last - position) % 2 == 1
        name_start = last + 2 if text.startswith("{", last + 1) else last + 1
        name_end = _name_end(text, name_start)
        end, shown = -1, ""
        if name_end > name_start:
            name = text[name_start:name_end]
            if name_start == last + 1:
                end, shown = name_end, "$" + name
            elif text.startswith("}", name_end):
                end, shown = name_end + 1, "${" + name + "}"
            else:
                operator_end = name_end + 1 if text.startswith(":", name_end) else name_end
                if operator_end < size and text[operator_end] in "-=?+":
                    close = -1 if operator_end + 1 >= no_brace_from else text.find("}", operator_end + 1)
                    if close < 0:
                        no_brace_from = min(no_brace_from, operator_end + 1)
                    else:
                        # The default (or error text) after the operator may be the very secret: never shown.
                        end, shown = close + 1, "${" + name + text[name_end:operator_end + 1] + "…}"
        if end < 0:
            position = text.find("$", last + 1)
            continue
        if not escaped:
            found.append((name, shown))
        position = text.find("$", end)
    return found


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # anchored at one offset: no backtracking


def _name_end(text: str, start: int) -> int:
    """The end of the name (`[A-Za-z_][A-Za-z0-9_]*`) that starts at `start`; `start` when none does."""
    match = _NAME.match(text, start)
    return match.end() if match else start


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    if not isinstance(doc.data, dict):
        return
    agent = walk.agent(doc)
    found = [(path, value, refs) for path, value in _scalars(doc.data, ()) for refs in [references(value)] if refs]
    if not found:
        return
    from ngrok_lint.filekind import is_template

    if is_template(doc.path, doc.text, getattr(ctx, "base_dir", None)):
        return  # rendered before the agent reads it: `${VAR}` is expected there
    for path, value, refs in found:
        yield _finding(doc, agent, path, value, refs)


def _scalars(node: Any, path: YamlPath) -> Iterator[Tuple[YamlPath, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _POLICY_KEYS and _is_site(path):
                continue  # Traffic Policy: `${…}` is CEL there
            yield from _scalars(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _scalars(value, path + (index,))
    elif isinstance(node, str):
        yield path, node


def _is_site(path: YamlPath) -> bool:
    """Is `path` a tunnel (`tunnels.<name>`) or an endpoint (`endpoints[i]`)?"""
    return len(path) == 2 and path[0] in ("tunnels", "endpoints")


def _finding(doc: Document, agent: walk.Agent, path: YamlPath, value: str, refs: List[Tuple[str, str]]) -> Finding:
    shown = ", ".join(f"`{ref}`" for _, ref in dict.fromkeys(refs))
    head = f"`{dotted(path)}` holds {shown}, which the agent does not expand: it uses the text as written"
    key = path[-1] if path[:-1] == agent.prefix and len(path) == len(agent.prefix) + 1 else None
    wanted = _AGENT_VARIABLES.get(key) if isinstance(key, str) else None
    fix: Optional[Fix] = None
    if wanted is not None:
        names = [name for name, _ in refs]
        if value in (f"${{{wanted}}}", f"${wanted}"):
            advice = f"the agent reads `{wanted}` from the environment by itself (it overrides the file): remove the key"
            # The only setting of a v3 `agent:` block: the block goes with it (it is optional).
            target = agent.prefix if agent.prefix and len(agent.data) == 1 else path
            fix = Fix(f"remove `{key}` (the agent reads `{wanted}` itself)", Safety.SAFE, (Change(Op.REMOVE, target),))
        else:
            misnamed = [n for n in dict.fromkeys(names) if n != wanted]
            note = f" (it does not read {', '.join(f'`{n}`' for n in misnamed)})" if misnamed else ""
            advice = f"set `{wanted}` in the agent's environment instead, which the agent reads by itself{note}, and remove the key"
    elif path[-1] in ("authtoken", "auth_token"):
        advice = "pass the token in the `NGROK_AUTHTOKEN` environment variable instead, which the agent reads by itself"
    else:
        advice = (
            "write the value itself (a token belongs in the `NGROK_AUTHTOKEN` environment variable, an API key "
            "in `NGROK_API_KEY`: the agent reads both by itself)"
        )
    return finding(META, f"{head}; {advice}; {_TEMPLATE}", doc.value_span(path), path, fix)
