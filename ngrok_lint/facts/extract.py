"""Read facts out of a checkout of ngrok's documentation (the ngrok-docs repository).

Used by :mod:`ngrok_lint.facts.diffdocs` (what changed since the recorded docs commit) and by the
tests; never on the lint path. A *root* is either a work tree of ngrok-docs or its git directory
(a bare clone): pages are then read from ``HEAD`` with ``git show``.

Only small facts are extracted: key names, the type column of the key tables, changelog version
headings, which CLI flags the reference marks deprecated. No prose is kept.
"""

from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

V2 = "agent/config/v2.mdx"
V3 = "agent/config/v3.mdx"
CHANGELOG = "agent/changelog.mdx"
CLI = "agent/cli.mdx"
UPGRADE = "agent/upgrade-v2-v3.mdx"
PUBLIC = "snippets/gateway/shared/public-endpoints-source.mdx"
INTERNAL = "endpoints/internal-endpoints.mdx"
#: Pages whose YAML examples are linted by the tests (agent config pages and the upgrade guide).
EXAMPLE_PAGES = (V2, V3, "agent/config/index.mdx", UPGRADE, CHANGELOG)
PAGES = (V2, V3, CHANGELOG, CLI, UPGRADE, PUBLIC, INTERNAL, "agent/config/index.mdx")


class Root(NamedTuple):
    path: str
    git_dir: Optional[str]  # set when pages are read from HEAD of a git directory


def open_root(path: str) -> Optional[Root]:
    """A docs checkout at `path`, or None when it does not look like one."""
    if os.path.isfile(os.path.join(path, V2)):
        git = os.path.join(path, ".git")
        return Root(path, git if os.path.exists(git) else None)
    if os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects")):
        root = Root(path, path)
        return root if read(root, V2) is not None else None
    return None


def _git(root: Root, *args: str) -> Optional[str]:
    if root.git_dir is None:
        return None
    try:
        done = subprocess.run(["git", "--git-dir", root.git_dir, *args], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def read(root: Root, page: str) -> Optional[str]:
    if root.git_dir is not None and root.git_dir == root.path:
        return _git(root, "show", f"HEAD:{page}")
    try:
        with open(os.path.join(root.path, page), encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return None


def head_commit(root: Root) -> Optional[str]:
    out = _git(root, "rev-parse", "HEAD")
    return out.strip() if out else None


def changed_pages(root: Root, since: str, pages: Tuple[str, ...] = PAGES) -> Optional[List[str]]:
    """Pages that differ between `since` and HEAD (None when the history is not available)."""
    out = _git(root, "diff", "--name-only", since, "HEAD", "--", *pages)
    return None if out is None else [line for line in out.splitlines() if line]


# --- structure ------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*$")
_FENCE = re.compile(r"^\s*```")
_ONE_LINE_CODE = re.compile(r"^\s*```.*\S.*```\s*$")  # ``` code ``` on one line opens no block


def sections(text: str) -> Iterator[Tuple[str, str]]:
    """(heading text, body) for every heading outside code blocks."""
    heading, in_code = "", False
    body: List[str] = []
    for line in text.splitlines():
        if _FENCE.match(line) and not _ONE_LINE_CODE.match(line):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            yield heading, "\n".join(body)
            heading, body = match.group(2), []
        else:
            body.append(line)
    yield heading, "\n".join(body)


def section(text: str, title: str) -> str:
    """The body of the first section whose heading, stripped of markup, equals `title`."""
    for heading, body in sections(text):
        if plain(heading) == title:
            return body
    return ""


def plain(cell: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", cell)
    text = re.sub(r"_\((?:D|d)eprecated\)_", "", text)
    return text.replace("`", "").replace("\\", "").strip()


_KEY = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")


def table_rows(body: str) -> Iterator[List[str]]:
    for line in body.splitlines():
        line = line.strip()
        if not line.startswith("|") or set(line) <= set("|- :"):
            continue
        yield [cell.strip() for cell in line.strip("|").split("|")]


def table_keys(body: str) -> Dict[str, str]:
    """key → second column (the documented type, or a description) of a key table."""
    found: Dict[str, str] = {}
    for cells in table_rows(body):
        key = plain(cells[0])
        if _KEY.match(key):
            found[key] = re.sub(r"\s+", " ", plain(cells[1])) if len(cells) > 1 else ""
    return found


def yaml_blocks(text: str) -> Iterator[Tuple[int, str]]:
    """(1-based line of the opening fence, content) of every ```yaml block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        match = re.match(r"^(\s*)```(ya?ml)\b", line)
        if match:
            indent = len(match.group(1))
            start, body = i + 1, []
            i += 1
            while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
                body.append(lines[i][indent:] if lines[i][:indent].strip() == "" else lines[i])
                i += 1
            yield start, "\n".join(body) + "\n"
        i += 1


# --- the facts ------------------------------------------------------------------------------

#: (format, context) → (page, section title) of the key tables.
TABLES: Dict[Tuple[str, str], Tuple[str, str]] = {
    ("v2", "agent"): (V2, "Agent configuration"),
    ("v2", "tunnel"): (V2, "Common tunnel configuration properties"),
    ("v2", "tunnel.http"): (V2, "HTTP configuration"),
    ("v2", "tunnel.tcp"): (V2, "TCP configuration"),
    ("v2", "tunnel.tls"): (V2, "TLS configuration"),
    ("v2", "tunnel.labeled"): (V2, "Labeled tunnel configuration"),
    ("v3", "agent"): (V3, "Agent configuration options"),
    ("v3", "endpoint"): (V3, "Endpoint configuration options"),
}
_SUBKEY_HEADING = re.compile(r"^((?:upstream|agent_tls_termination)\.[a-z_]+)$")


def documented_keys(root: Root) -> Dict[Tuple[str, str], Dict[str, str]]:
    """(format, context) → {key: documented type column} as the docs' key tables list them."""
    out: Dict[Tuple[str, str], Dict[str, str]] = {}
    cache: Dict[str, str] = {}
    for (fmt, context), (page, title) in TABLES.items():
        text = cache.setdefault(page, read(root, page) or "")
        out[(fmt, context)] = table_keys(section(text, title))
    v3 = cache.get(V3) or ""
    endpoint = out[("v3", "endpoint")]
    in_endpoints = False
    for heading, body in sections(v3):
        title = plain(heading)
        if title == "Endpoint definitions":
            in_endpoints = True
        elif title.startswith("Tunnels"):
            in_endpoints = False
        key = title if (in_endpoints and title in endpoint) or _SUBKEY_HEADING.match(title) else None
        if key is not None:
            # Each key's section opens with its type: "String.", "Object.", "**Required.** String[]."
            match = re.match(r"^(?:\*\*Required\.\*\*\s*)?([A-Za-z]+(?:\[\])?)\.", body.strip())
            endpoint[key] = match.group(1) if match else endpoint.get(key, "")
    return out


_VERSION = re.compile(r"^ngrok Agent (\d+\.\d+\.\d+)")


def changelog_versions(root: Root) -> List[str]:
    """Agent versions with a changelog entry, newest first as the page lists them."""
    text = read(root, CHANGELOG) or ""
    versions = []
    for heading, _ in sections(text):
        match = _VERSION.match(plain(heading).replace("[UNSTABLE] ", ""))
        if match:
            versions.append(match.group(1))
    return versions


def changelog_entry(root: Root, version: str) -> str:
    text = read(root, CHANGELOG) or ""
    for heading, body in sections(text):
        match = _VERSION.match(plain(heading).replace("[UNSTABLE] ", ""))
        if match and match.group(1) == version:
            return body.strip()
    return ""


def deprecated_flags(root: Root) -> Dict[str, Dict[str, str]]:
    """command (`ngrok http`, `ngrok tcp`, …) → {flag: advice} for flags marked `(deprecated)`."""
    text = read(root, CLI) or ""
    out: Dict[str, Dict[str, str]] = {}
    command = ""
    for heading, body in sections(text):
        if plain(heading).startswith("ngrok "):
            command = plain(heading)
        for cells in table_rows(body):
            match = re.match(r"^`(--[a-z0-9-]+)`\s*\(deprecated\)$", cells[0].strip())
            if match and command:
                out.setdefault(command, {})[match.group(1)] = plain(cells[1]) if len(cells) > 1 else ""
    return out


def flags(root: Root, command: str) -> Set[str]:
    """Every flag the CLI reference lists for `command`."""
    text = read(root, CLI) or ""
    found: Set[str] = set()
    current = ""
    for heading, body in sections(text):
        if plain(heading).startswith("ngrok "):
            current = plain(heading)
        if current == command:
            for cells in table_rows(body):
                match = re.match(r"^`(--[a-z0-9-]+)`", cells[0].strip())
                if match:
                    found.add(match.group(1))
    return found


def contains(root: Root, page: str, quote: str) -> bool:
    """Does the page still say `quote` (whitespace and markup folded)?"""
    text = read(root, page)
    if text is None:
        return False
    fold = lambda s: re.sub(r"\s+", " ", s.replace("`", "").replace("*", "")).strip().lower()  # noqa: E731
    return fold(quote) in fold(text)
