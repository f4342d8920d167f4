"""Migrations between ngrok config formats, computed as fixes (data) from a parsed document.

Two migrations, both pure functions of a :class:`~ngrok_lint.loader.Document`:

- **legacy → version 2** (NGL003, safe): `legacy` — structural :class:`~ngrok_lint.model.Change`
  ops per 2.x-only key, which the fix engine applies byte-exactly.
- **version 2 → version 3** (NGL402, unsafe): the whole document is restructured, in three steps
  that each get a module, following how the data flows:
  `plan` (which endpoints the tunnels become and where every old key goes, or what blocks it) →
  `write` (the new text with ruamel.yaml, checked to parse back to the planned data) →
  `comments` (every comment of the input carried to where its node went). `text` holds the line
  handling the last two share.

The key tables NGL003 shares with these live in `ngrok_lint.formats`, so the plain lint path never
imports this package. ruamel.yaml is imported only inside the functions that write the version 3
text: importing this package never loads it.

Every name other code used from the former single module is re-exported here (`migrate.X`).
"""

from __future__ import annotations

from ngrok_lint.formats import LEGACY_TOP_KEYS, LEGACY_TUNNEL_KEYS, V3_AGENT_KEYS, V3_AGENT_RENAMES
from ngrok_lint.migrate.comments import Comment, comments
from ngrok_lint.migrate.legacy import (
    Outcome,
    bind_tls_schemes,
    legacy_key_changes,
    legacy_key_fix,
    legacy_keys,
    upgrade_legacy,
)
from ngrok_lint.migrate.plan import NOT_CONVERTIBLE, Blocker, Lit, Plan, Ref, Spec, expected_data, plain, plan_v3
from ngrok_lint.migrate.write import Conversion, convert_v3, write_v3

__all__ = [
    "LEGACY_TOP_KEYS",
    "LEGACY_TUNNEL_KEYS",
    "NOT_CONVERTIBLE",
    "V3_AGENT_KEYS",
    "V3_AGENT_RENAMES",
    "Blocker",
    "Comment",
    "Conversion",
    "Lit",
    "Outcome",
    "Plan",
    "Ref",
    "Spec",
    "bind_tls_schemes",
    "comments",
    "convert_v3",
    "expected_data",
    "legacy_key_changes",
    "legacy_key_fix",
    "legacy_keys",
    "plain",
    "plan_v3",
    "upgrade_legacy",
    "write_v3",
]
