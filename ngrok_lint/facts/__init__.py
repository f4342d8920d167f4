"""Facts about the ngrok agent config file, kept as data with their sources.

Each JSON file here holds rows extracted from ngrok's documentation (the ngrok-docs repository,
page path and commit on every row) or, for the legacy 2.x format, from the 2.x agent itself:

- ``keys.json``: the keys of every format and context, with their types;
- ``deprecations.json``: deprecated keys per context, with the replacement (NGL401 reads it);
- ``changelog.json``: settings that only the agent changelog names (NGL002 reads it);
- ``url_rules.json``: what endpoint and upstream URLs must look like (NGL005 cites it);
- ``traffic_policy.json``: Traffic Policy phases, actions (phases, config fields), variables and
  macros (the schemas, NGL010 and ``ngrok_lint.expressions`` read it; re-read from a docs checkout
  with ``python -m ngrok_lint.facts.traffic_policy_extract PATH``).

``schemas/build.py`` generates the JSON Schemas from ``keys.json`` and ``deprecations.json``;
``python -m ngrok_lint.facts.diffdocs PATH`` prints what changed in a docs checkout since the
recorded commit. Only ``json`` is imported here: rules read these files on the plain lint path.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))


@lru_cache(maxsize=None)
def load(name: str) -> Dict[str, Any]:
    """The parsed ``name.json`` of this folder."""
    with open(os.path.join(HERE, f"{name}.json"), encoding="utf-8") as handle:
        data: Dict[str, Any] = json.load(handle)
    return data


def cite(row: Dict[str, Any]) -> str:
    """Where a row comes from, short: ``agent/cli.mdx@56a5f99`` (or the source as written)."""
    source = str(row.get("source") or "")
    commit = row.get("commit")
    return f"{source}@{commit[:7]}" if commit else source


@lru_cache(maxsize=None)
def _deprecations() -> Dict[Tuple[str, str, str], Dict[str, Any]]:
    index: Dict[Tuple[str, str, str], Dict[str, Any]] = {}
    for row in load("deprecations")["rows"]:
        for fmt in row["formats"]:
            index[(fmt, row["context"], row["key"])] = row
    return index


def deprecation(fmt: str, context: str, key: str) -> Optional[Dict[str, Any]]:
    """The deprecation row of `key` in `context` (`agent`, `root`, `tunnel.http`, `tunnel.labeled`,
    `traffic_policy`, …) of a `fmt` (`v2`/`v3`) file, or None when the docs do not deprecate it there."""
    return _deprecations().get((fmt, context, key))


def deprecations(fmt: str, context: str) -> List[Dict[str, Any]]:
    """Every deprecation row of one context, in the order of the data file."""
    return [row for (f, c, _), row in _deprecations().items() if f == fmt and c == context]


def url_rule(rule_id: str) -> Dict[str, Any]:
    for row in load("url_rules")["rows"]:
        if row["id"] == rule_id:
            return dict(row)
    raise KeyError(rule_id)
