"""
## What it does
Reports sign-in that lets any account of the identity provider in:

- an `oauth` or `openid-connect` (or `oidc`) Traffic Policy action with no later rule of the
  same phase that checks who signed in: a rule whose expressions mention
  `actions.ngrok.oauth.identity` or `actions.ngrok.oidc.identity` and which runs `deny` or
  `custom-response`. "Later" means a rule after the one holding the sign-in action: a rule's
  expressions are evaluated before its actions run, so a check in the same rule cannot see the
  identity the action sets;
- an `oauth:` module block (legacy and v2 tunnels) with neither `allow_emails` nor
  `allow_domains`.

The finding stands on the action's `type` (or the `oauth` key of the block). Not reported for a
policy read from a `traffic_policy_file` that cannot be read.

## Why is this bad?
The `oauth` and `openid-connect` actions only authenticate: anyone with a Google, GitHub or
Microsoft account, which is anyone, signs in and gets through. Access is only limited once a
rule checks the identity, for example denying every email outside your domain.

## Example
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: oauth
              config:
                provider: google
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: oauth
              config:
                provider: google
        - expressions:
            - "!actions.ngrok.oauth.identity.email.endsWith('@example.com')"
          actions:
            - type: deny
```

## Fix
None: who should get in is for a person to decide.
"""

from __future__ import annotations

from typing import Iterator

from ngrok_lint import walk
from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules._access import TERMINATING_CHECKS, action_span, action_types, describe, expressions, where
from ngrok_lint.walk import Action, Site

META = RuleMeta(
    code="NGL206",
    name="oauth-any-account",
    severity=Severity.WARNING,
    summary="OAuth/OpenID Connect sign-in with no check of who signed in",
    security_severity=5.5,
)

SIGN_IN = frozenset({"oauth", "openid-connect", "oidc"})
IDENTITY = ("actions.ngrok.oauth.identity", "actions.ngrok.oidc.identity")


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in walk.sites(doc, ctx.base_dir):
        block = site.data.get("oauth")
        if isinstance(block, dict) and not block.get("allow_emails") and not block.get("allow_domains"):
            provider = block.get("provider")
            via = f" ({provider})" if isinstance(provider, str) and provider else ""
            yield finding(
                META,
                f"the `oauth` block{via} of {describe(site)} has no `allow_emails` and no `allow_domains`: "
                "anyone with an account at the provider gets in",
                doc.key_span(site.at("oauth")),
                site.at("oauth"),
            )
        if site.policy is None:
            continue
        for action in site.actions():
            if action.type in SIGN_IN and not _checked_later(site, action):
                yield finding(
                    META,
                    f"`{action.type}` in {where(site, action)} of {describe(site)} signs users in but no later "
                    "rule checks who they are (an expression on `actions.ngrok."
                    f"{'oauth' if action.type == 'oauth' else 'oidc'}.identity` leading to `deny`): anyone with "
                    "an account at the provider gets in",
                    action_span(doc, site, action),
                    action.path + ("type",) if site.policy.inline else action.path,
                )


def _checked_later(site: Site, action: Action) -> bool:
    raw = site.policy.data.get(action.phase) if site.policy is not None else None
    later = raw[action.rule_index + 1 :] if isinstance(raw, list) else []  # raw list: rule_index counts every item
    for rule in later:
        if not any(marker in e for e in expressions(rule) for marker in IDENTITY):
            continue
        if TERMINATING_CHECKS & set(action_types(rule)):
            return True
    return False
