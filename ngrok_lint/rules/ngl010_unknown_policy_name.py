"""
## What it does
Reports a name in a Traffic Policy that ngrok's documentation does not list:

- a variable in an expression: `req.Headers` (the variable is `req.headers`), `conn.clientip`,
  `reqs.url.path`; a field under a documented variable that has documented fields
  (`req.url.pth`, `conn.geo.country_cod`);
- a macro or function: `req.url.path.startswith('/api')` (the macro is `startsWith`),
  `url.escap(…)`, `hasHeader(…)`;
- an action `type` that no action page documents: `type: custom_response`.

The message names the closest documented names ("did you mean `req.headers`?"). The catalogue is
`ngrok_lint/facts/traffic_policy.json`, read from the variable, macro and action reference pages of
ngrok's docs (each row names its page and the docs commit). Fields of `vars` (set by `set-vars`),
variables bound by a macro (`x` in `….exists(x, …)`), the argument of `has(…)`, map keys (`[…]`) and
fields under a variable whose fields the docs do not list (`req.headers.…`) are never reported.
CEL's own functions, methods and type names are known.

Expressions are read where the policy has CEL: `expressions`, `rate-limit` `bucket_key`, and `${…}`
in the config fields the docs mark as accepting CEL. Parsing them needs the optional CEL parser
(`pip install 'ngrok-lint[cel]'`, cel-python); without it only action types are checked. An
expression that does not parse is NGL002's.

## Why is this bad?
CEL names are case-sensitive and looked up when traffic arrives: a rule whose expression names
`req.Headers` never matches, or fails on every request, and nothing says so when the endpoint
starts. An action type ngrok does not know makes the policy fail to load. This is a warning, never
an error: ngrok adds variables, macros and actions before the catalogue here knows them.

## Example
```yaml
version: 3
endpoints:
  - name: api
    url: https://api.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - expressions:
            - "req.Headers['x-debug'][0] == 'on'"
          actions:
            - type: deny
```

Use instead:
```yaml
version: 3
endpoints:
  - name: api
    url: https://api.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - expressions:
            - "req.headers['x-debug'][0] == 'on'"
          actions:
            - type: deny
```

## Fix
No fix: a close name is a guess, and the message names it.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint import expressions, walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, FixKind, RuleMeta, Severity, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL010",
    name="unknown-policy-name",
    severity=Severity.WARNING,
    summary="a Traffic Policy variable, macro or action type that ngrok's docs do not list",
    fix=FixKind.NONE,
    formats=("v2", "v3"),
)


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    base_dir = getattr(ctx, "base_dir", None)
    yield from _action_types(doc, base_dir)
    found = expressions.find(doc, base_dir)
    if not found or not expressions.parser_available():
        return
    for expression in found:
        tree = expressions.parse(doc, expression)
        if tree is None or isinstance(tree, expressions.SyntaxProblem):
            continue
        for name in expressions.unknown_names(tree):
            hint = f"; did you mean {' or '.join(f'`{s}`' for s in name.suggestions)}?" if name.suggestions else ""
            where = dotted(expression.path if expression.inline else expression.anchor)
            label = "" if expression.inline else " (in the policy text)"
            yield finding(
                META,
                f"{where}: unknown {name.kind} `{name.written}` (not in ngrok's Traffic Policy reference){hint}{label}",
                expressions.span(doc, expression, name.offset, name.length),
                expression.path if expression.inline else expression.anchor,
            )


def _action_types(doc: Document, base_dir: Any) -> Iterator[Finding]:
    known = None
    for site in walk.sites(doc, base_dir):
        for action in site.actions():
            if known is None:
                known = expressions.known_action_types()
            if action.type in known:
                continue
            from difflib import get_close_matches

            close = get_close_matches(action.type.lower(), known, n=3, cutoff=0.75)
            hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
            inline = site.policy is not None and site.policy.inline
            path = action.path + ("type",) if inline else action.path
            label = "" if inline else " (in the policy text)"
            yield finding(
                META,
                f"{dotted(path)}: unknown action type `{action.type}` (not in ngrok's Traffic Policy reference){hint}{label}",
                doc.value_span(path),
                path,
            )
