"""
## What it does
Reports agent settings that keep the agent from updating on the stable channel:
`update_check: false` (or `no`/`off`), and an `update_channel` other than `stable` (`beta`,
`unstable`, 2.x's `testing`). An empty `update_channel` is the default (stable) and is fine.

## Why is this bad?
ngrok retires old agent versions: past the end of their support they can no longer connect, and
security fixes (such as the mTLS fixes of agent 3.24) reach an agent that never checks for updates
late or not at all. A pre-release channel runs builds that have not been through the stable
release.

## Example
```yaml
version: "2"
update_check: false
```

Use instead:
```yaml
version: "2"
update_channel: stable
```

## Fix
None: turning update checks on may be against a deliberate policy (agents updated by a package
manager or an image build); that is for a person to decide.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.paths import dotted

META = RuleMeta(
    code="NGL403",
    name="updates-disabled",
    severity=Severity.INFO,
    summary="update checks are off, or the agent follows a pre-release channel",
)


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    agent = walk.agent(doc)
    if agent.get("update_check") is False:
        path = agent.path("update_check")
        yield finding(
            META,
            f"`{dotted(path)}` is false: the agent no longer tells you about new versions, and old versions "
            "stop being able to connect once ngrok retires them; keep it on unless updates are managed elsewhere",
            doc.value_span(path),
            path,
        )
    channel = agent.get("update_channel")
    if channel is not None and not isinstance(channel, (dict, list)) and str(channel) not in ("", "stable"):
        path = agent.path("update_channel")
        yield finding(
            META,
            f"`{dotted(path)}` is `{channel}`: the agent follows pre-release builds; use `stable` "
            "(or remove the key) for an agent others rely on",
            doc.value_span(path),
            path,
        )
