"""
## What it does
With the project option `min-tls-version = "1.3"`, reports a public tunnel or endpoint where
ngrok terminates TLS (every https one; a tls one with a `terminate-tls` action) that accepts an
older version: its `terminate-tls` action sets `min_version: "1.2"`, or nothing pins a floor and
ngrok's default (`"1.2"`) applies.

Whatever the option, it also reports a `terminate-tls` `min_version` written as an unquoted
number (`min_version: 1.2`): YAML reads that as a float, not the string `"1.2"` the action
documents, and whether the agent coerces it is unverified.

Internal endpoints (a `.internal` host, `bindings: [internal]` or `[kubernetes]`) are never
reported, nor are tls endpoints that pass TLS through (no `terminate-tls`).

## Why is this bad?
The project has decided that TLS 1.2 is not good enough; an endpoint that still accepts it lets
clients (or an attacker downgrading them) use the older protocol the policy rules out. An
unquoted version may be refused, or read differently than written.

## Example
```yaml
version: "3"
endpoints:
  - name: app
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_tcp_connect:
        - actions:
            - type: terminate-tls
              config:
                min_version: 1.3
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
      on_tcp_connect:
        - actions:
            - type: terminate-tls
              config:
                min_version: "1.3"
```

With `min-tls-version = "1.3"` in the project config, `min_version: "1.2"` (or no `terminate-tls`
action at all) is reported as well, and `min_version: "1.3"` is what it asks for.

## Fix
Sets `min_version: "1.3"` (quoted), adding it to the `terminate-tls` action, or adding the action
in a new `on_tcp_connect` rule when there is none; an unquoted number is quoted (raised to
`"1.3"` when the project asks for it). Safe on v3 https endpoints: the project config prescribes
it. Unsafe on v2 tunnels and v3 `tunnels:` entries (`on_tcp_connect` needs agent 3.17) and on tls
endpoints. No fix for agent 2.x files, which have no Traffic Policy, nor for a policy read from a
file or a string.

## Options
`min-tls-version` (project config): `"1.3"` makes every TLS-terminating public endpoint need
`min_version: "1.3"`. The unquoted-number check runs without it.
"""

from __future__ import annotations

from typing import Iterator, Optional, Set, Tuple

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.rules._transport import (
    TERMINATE_TLS,
    action_span,
    anchor,
    complete_changes,
    inline_action,
    label,
    pin_changes,
    pin_safety,
    policy_unreadable,
    replace_scalar,
    replace_value,
    terminate_actions,
    unquoted_number,
    version_tuple,
)
from ngrok_lint.walk import Action, Site, sites

META = RuleMeta(
    code="NGL108",
    name="tls-floor-below-policy",
    severity=Severity.WARNING,
    summary="a TLS floor below the project's `min-tls-version`, or a TLS version written as a number",
    fix=FixKind.SOMETIMES_SAFE,
    options=("min-tls-version",),
    security_severity=5.5,
)

DEFAULT_FLOOR = (1, 2)
_UNQUOTED = (
    "an unquoted YAML number, not the string the `terminate-tls` action documents, and whether the agent "
    "coerces it is unverified"
)


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    option = ctx.options.min_tls_version
    wanted = version_tuple(option)
    strict = wanted is not None and wanted > DEFAULT_FLOOR
    for site in sites(doc, ctx.base_dir):
        if not site.public or policy_unreadable(site):
            continue
        done: Set[YamlPath] = set()
        if strict and site.terminates_tls:
            for item in _below_policy(doc, site, str(option), wanted, done):  # type: ignore[arg-type]
                yield item
        for action in site.actions():
            if action.type == TERMINATE_TLS and action.path not in done and unquoted_number(doc, action):
                yield _quote(doc, site, action)


def _below_policy(
    doc: Document, site: Site, option: str, wanted: Tuple[int, ...], done: Set[YamlPath]
) -> Iterator[Finding]:
    site_safety = pin_safety(site)
    policy = f"the project requires TLS {option} or later (`min-tls-version`)"
    actions = terminate_actions(site)
    if not actions:
        safety = site_safety
        message = (
            f"{label(site)}: {policy}, but ngrok terminates TLS here without a pinned floor, so it accepts "
            f"ngrok's default (TLS 1.2); {_todo(site, option)}"
        )
        changes = pin_changes(doc, site, option) if safety else None
        yield finding(META, message, anchor(doc, site), site.path, _fix(safety, changes, option))
        return
    for action in actions:
        # Raising the floor above a `max_version` would leave no version at all (NGL005): no fix then.
        ceiling = version_tuple(action.config.get("max_version"))
        safety = site_safety if ceiling is None or ceiling >= wanted else None
        value = action.config.get("min_version")
        if value is None:
            message = (
                f"{label(site)}: {policy}, but its `terminate-tls` action sets no `min_version`, so it accepts "
                f'ngrok\'s default (TLS 1.2); set `min_version: "{option}"`'
            )
            changes = complete_changes(doc, action, option) if safety else None
            done.add(action.path)
            yield finding(META, message, action_span(doc, action), action.path, _fix(safety, changes, option))
            continue
        have = version_tuple(value)
        if have is None or have >= wanted:
            continue
        path = _min_path(doc, action)
        number = unquoted_number(doc, action)
        shown = doc.loc(path).raw if inline_action(doc, action) else value  # type: ignore[union-attr]
        message = (
            f"{label(site)}: {policy}, but `terminate-tls` sets `min_version: {shown}`"
            + (f", {_UNQUOTED}," if number else "")
            + f", so it accepts TLS {value}; set `min_version: \"{option}\"`"
        )
        changes = None
        if safety and inline_action(doc, action):
            change = replace_value(doc, path, f'"{option}"', option) if number else replace_scalar(doc, path, option)
            changes = (change,)
        done.add(action.path)
        yield finding(META, message, action_span(doc, action, "min_version"), path, _fix(safety, changes, option))


def _min_path(doc: Document, action: Action) -> YamlPath:
    """`config.min_version` of an action written here; the policy's key for one read from elsewhere."""
    return action.path + ("config", "min_version") if inline_action(doc, action) else action.path


def _quote(doc: Document, site: Site, action: Action) -> Finding:
    path = _min_path(doc, action)
    value = action.config.get("min_version")
    loc = doc.loc(path) if inline_action(doc, action) else None
    raw = loc.raw if loc is not None and loc.raw else str(value)
    text = str(value)
    message = (
        f"`min_version: {raw}` in {label(site)}'s `terminate-tls` action is {_UNQUOTED}: "
        f'quote it (`min_version: "{text}"`)'
    )
    safety = pin_safety(site)
    fix: Optional[Fix] = None
    if safety and inline_action(doc, action) and text in ("1.2", "1.3"):
        fix = Fix(f'quote it: `min_version: "{text}"`', safety, (replace_value(doc, path, f'"{text}"', text),))
    return finding(META, message, action_span(doc, action, "min_version"), path, fix)


def _todo(site: Site, option: str) -> str:
    todo = f'add a `terminate-tls` action in `on_tcp_connect` with `min_version: "{option}"`'
    if site.format == "legacy":
        return "agent 2.x has no way to raise it; once the file is config version 2 or 3, " + todo
    return todo


def _fix(safety: Optional[Safety], changes: Optional[Tuple[Change, ...]], option: str) -> Optional[Fix]:
    if not safety or not changes:
        return None
    return Fix(f'raise the floor: `min_version: "{option}"`', safety, changes)
