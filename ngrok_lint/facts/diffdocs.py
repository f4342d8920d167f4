"""Print what changed in ngrok's docs since the facts in this folder were read.

    python -m ngrok_lint.facts.diffdocs PATH      # PATH: a checkout of ngrok/ngrok-docs, or its git directory

Compares the checkout with the recorded facts and prints one line per difference:

- keys the docs' key tables list that ``keys.json`` lacks, and rows of ``keys.json`` (read from
  a table) that the docs no longer list, per format and context; a documented type that changed;
- changelog entries newer than the last one read (``changelog.json``), with their text;
- deprecation rows whose evidence is gone (a CLI flag no longer marked deprecated for its
  command), and flags newly marked deprecated that no row covers;
- URL rules whose evidence is no longer on their page;
- with git history: the watched pages that changed between the recorded commit and HEAD.

Exit status: 0 when nothing changed, 1 when something did (so a scheduled job can notice), 2 when
PATH is not a docs checkout. Nothing is written: updating the facts is a person's job, with the
rows' sources at hand.
"""

from __future__ import annotations

import re
import sys
from typing import Dict, Iterator, List, Optional, Sequence, Set, Tuple

from ngrok_lint import facts
from ngrok_lint.facts import extract

#: Key-table rows that the table does not list under the key itself (read elsewhere on the page).
_TABLE_STATUSES = ("documented",)
#: CLI command of each tunnel context, for the deprecation evidence.
_COMMANDS = {"tunnel.http": "ngrok http", "tunnel.tcp": "ngrok tcp", "tunnel.tls": "ngrok tls"}
#: Contexts whose keys every tunnel command shares.
_SHARED = ("tunnel", "agent")
#: File key → CLI flag where the names differ beyond `_` → `-`.
_FLAGS = {"ip_restriction": "--cidr-allow", "request_header": "--request-header-add",
          "response_header": "--response-header-add", "user_agent_filter": "--ua-filter-allow",
          "schemes": "--scheme", "proxy_proto": "--proxy-proto"}


def _flag(key: str) -> str:
    return _FLAGS.get(key, "--" + key.replace("_", "-"))


def key_changes(root: extract.Root) -> Iterator[str]:
    documented = extract.documented_keys(root)
    rows = facts.load("keys")["rows"]
    for (fmt, context), found in sorted(documented.items()):
        recorded: Dict[str, Dict[str, object]] = {}
        for row in rows:
            if row["format"] == fmt and row["context"] == context and row["status"] in _TABLE_STATUSES:
                recorded[str(row["key"])] = row
        page = extract.TABLES[(fmt, context)][0]
        # Traffic Policy sub-keys are that engineer's table; a dotted key also stands for its parent.
        seen = {key for key in found if key.split(".")[0] not in ("traffic_policy", "policy")}
        seen |= {key.split(".")[0] for key in found}
        for key in sorted(seen - set(recorded)):
            yield f"{page}: {fmt} {context}: new key `{key}` ({found.get(key, '') or 'type not given'})"
        for key in sorted(set(recorded) - seen):
            if key in ("traffic_policy", "policy", "version", "agent", "endpoints", "tunnels") and context == "root":
                continue
            yield f"{page}: {fmt} {context}: key `{key}` is no longer listed (recorded from {facts.cite(recorded[key])})"
        for key in sorted(seen & set(recorded)):
            old, new = recorded[key].get("doc_type"), found.get(key)
            if old is not None and new and old != new:
                yield f"{page}: {fmt} {context}: `{key}` is now documented as {new!r} (was {old!r})"


def _newer(a: str, b: str) -> bool:
    return tuple(int(p) for p in a.split(".")) > tuple(int(p) for p in b.split("."))


def changelog_changes(root: extract.Root) -> Iterator[str]:
    last = str(facts.load("changelog")["last_version"])
    for version in extract.changelog_versions(root):
        if _newer(version, last):
            text = re.sub(r"\s+", " ", extract.changelog_entry(root, version))
            yield f"{extract.CHANGELOG}: new entry {version}: {text}"


def deprecation_changes(root: extract.Root) -> Iterator[str]:
    marked = extract.deprecated_flags(root)
    covered: Set[Tuple[str, str]] = set()
    for row in facts.load("deprecations")["rows"]:
        command = _COMMANDS.get(row["context"])
        if row["context"] in _SHARED:
            covered |= {(c, _flag(row["key"])) for c in _COMMANDS.values()}
        if command is None or row["source"] != extract.CLI:
            if not extract.contains(root, row["source"], _evidence_words(row)):
                yield f"{row['source']}: deprecation of `{row['key']}` ({row['context']}): its evidence is gone"
            continue
        flag = _flag(row["key"])
        covered.add((command, flag))
        if flag not in marked.get(command, {}):
            yield f"{extract.CLI}: {command} no longer marks `{flag}` deprecated (row `{row['key']}`, {row['context']})"
    for row in facts.load("deprecations")["not_deprecated"]:
        shared = row["context"] in _SHARED
        commands = list(_COMMANDS.values()) if shared else [_COMMANDS.get(row["context"])]
        for command in (c for c in commands if c is not None):
            flag = _flag(row["key"])
            covered.add((command, flag))
            if shared:
                continue  # recorded as not deprecated although the flag is: the row says why
            if flag in marked.get(command, {}):
                yield f"{extract.CLI}: {command} now marks `{flag}` deprecated (recorded as not deprecated: `{row['key']}`)"
    known_flags = {_flag(str(r["key"])) for r in facts.load("keys")["rows"]}
    for command in sorted(set(_COMMANDS.values())):
        for flag in sorted(marked.get(command, {})):
            if (command, flag) not in covered and flag in known_flags:
                yield f"{extract.CLI}: {command} marks `{flag}` deprecated, and no deprecation row covers it"


def _evidence_words(row: Dict[str, object]) -> str:
    """A row's evidence: a quote of its page (rows read from the CLI reference are checked by flag)."""
    return str(row.get("evidence", ""))


def url_rule_changes(root: extract.Root) -> Iterator[str]:
    for row in facts.load("url_rules")["rows"]:
        if str(row["source"]).endswith(".mdx") and not extract.contains(root, row["source"], str(row["evidence"])):
            yield f"{row['source']}: URL rule `{row['id']}`: its evidence ({row['evidence']!r}) is gone"


def page_changes(root: extract.Root) -> Iterator[str]:
    recorded = str(facts.load("keys")["commit"])
    head = extract.head_commit(root)
    if head is None or head == recorded:
        return
    changed = extract.changed_pages(root, recorded)
    if changed is None:
        yield f"HEAD is {head[:12]}, the facts were read at {recorded[:12]} (that commit is not in this checkout)"
        return
    for page in changed:
        yield f"{page}: changed since {recorded[:12]}"


def differences(root: extract.Root) -> List[str]:
    found: List[str] = []
    for source in (key_changes, changelog_changes, deprecation_changes, url_rule_changes, page_changes):
        found.extend(source(root))
    return found


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: python -m ngrok_lint.facts.diffdocs PATH", file=sys.stderr)
        return 2
    root = extract.open_root(args[0])
    if root is None:
        print(f"{args[0]}: not a checkout of ngrok/ngrok-docs (no {extract.V2}): give its folder or git directory",
              file=sys.stderr)
        return 2
    found = differences(root)
    for line in found:
        print(line)
    recorded = str(facts.load("keys")["commit"])
    print(f"{len(found)} difference(s) since ngrok-docs {recorded[:12]}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
