"""
## What it does
Reports a security action of a Traffic Policy that is switched to report-only: `basic-auth`,
`restrict-ips`, `verify-webhook`, `jwt-validation` or `rate-limit` with `enforce: false` (or
`no`/`off`, which YAML 1.1 reads as false). The finding stands on the `false`.

## Why is this bad?
With `enforce: false` the action still runs and logs its verdict, but requests that fail it are
let through: wrong passwords, addresses outside the allow list, forged webhooks, invalid tokens
and clients over the rate limit all reach the upstream. It is meant for trying a policy out and is
easily left on.

## Example
```yaml
version: "3"
endpoints:
  - name: hooks
    url: https://hooks.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: verify-webhook
              config:
                provider: github
                secret: "${secrets.get('hooks', 'github')}"
                enforce: false
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: hooks
    url: https://hooks.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: verify-webhook
              config:
                provider: github
                secret: "${secrets.get('hooks', 'github')}"
```

## Fix
Unsafe: the `enforce` key is removed, so the action enforces (its default). Traffic that passes
today may then be refused. Not offered for a policy read from `traffic_policy_file` or written as
a string.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.rules._access import action_span, describe, where

META = RuleMeta(
    code="NGL205",
    name="enforcement-disabled",
    severity=Severity.WARNING,
    summary="a security action with `enforce: false` lets failing requests through",
    fix=FixKind.UNSAFE,
    security_severity=5.5,
)

ENFORCEABLE = frozenset({"basic-auth", "restrict-ips", "verify-webhook", "jwt-validation", "rate-limit"})

LETS_THROUGH = {
    "basic-auth": "requests without valid credentials",
    "restrict-ips": "clients outside the allow list",
    "verify-webhook": "requests without a valid signature",
    "jwt-validation": "requests without a valid token",
    "rate-limit": "clients over the limit",
}


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in walk.sites(doc, ctx.base_dir):
        inline = site.policy is not None and site.policy.inline
        for action in site.actions():
            if action.type not in ENFORCEABLE or action.config.get("enforce") is not False:
                continue
            path: YamlPath = action.path + ("config", "enforce") if inline else action.path
            yield finding(
                META,
                f"`{action.type}` in {where(site, action)} of {describe(site)} has `enforce: false`: "
                f"{LETS_THROUGH[action.type]} are let through to the upstream",
                action_span(doc, site, action, "config", "enforce"),
                path,
                _fix(path) if inline and tuple(path) in doc.locs else None,  # not when merged in from `<<`
            )


def _fix(path: YamlPath) -> Fix:
    return Fix("remove `enforce: false`", Safety.UNSAFE, (Change(Op.REMOVE, path),))
