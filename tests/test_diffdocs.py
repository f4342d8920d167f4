"""`python -m ngrok_lint.facts.diffdocs`: what changed in ngrok's docs since the facts were read.

Needs a checkout of ngrok/ngrok-docs (a work tree, or its git directory): set NGROK_DOCS to its
path. Without one these tests skip (CI has no network, and ngrok's pages are not vendored here).
With one, the unchanged pages must give no difference at the recorded commit, and a copy of the
pages changed on purpose must give exactly the changes made.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ngrok_lint import facts
from ngrok_lint.facts import diffdocs, extract

DOCS = os.environ.get("NGROK_DOCS", "")
ROOT = extract.open_root(DOCS) if DOCS else None

pytestmark = pytest.mark.skipif(
    ROOT is None,
    reason="no ngrok-docs checkout: set NGROK_DOCS to a clone of github.com/ngrok/ngrok-docs (or its git directory)",
)


def _copy(tmp_path: Path) -> Path:
    """The watched pages of the checkout, as a plain folder (no git history)."""
    assert ROOT is not None
    for page in extract.PAGES + (extract.CLI,):
        text = extract.read(ROOT, page)
        if text is not None:
            target = tmp_path / page
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return tmp_path


def _edit(root: Path, page: str, old: str, new: str) -> None:
    path = root / page
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{page} no longer holds {old!r}: the test needs a new anchor"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_recorded_commit_gives_no_difference():
    assert ROOT is not None
    head = extract.head_commit(ROOT)
    if head is not None and head != facts.load("keys")["commit"]:
        pytest.skip(f"the checkout is at {head[:12]}, not at the recorded commit: differences are expected")
    assert diffdocs.differences(ROOT) == []


def test_the_key_tables_match_the_facts():
    assert ROOT is not None
    documented = extract.documented_keys(ROOT)
    rows = facts.load("keys")["rows"]
    for (fmt, context), keys in documented.items():
        recorded = {r["key"] for r in rows if r["format"] == fmt and r["context"] == context}
        plain = {k for k in keys if k.split(".")[0] not in ("traffic_policy", "policy")}
        assert plain <= recorded, (fmt, context, sorted(plain - recorded))


def test_a_changed_copy_reports_each_change(tmp_path):
    root_path = _copy(tmp_path)
    # a new agent option, a removed one, a new changelog entry, a flag no longer deprecated, a URL rule gone
    _edit(root_path, extract.V3, "| [`web_allow_hosts`](#web-allow-hosts)", "| [`tcp_keepalive`](#tcp-keepalive)")
    _edit(root_path, extract.CHANGELOG, "## v3\n", "## v3\n\n### ngrok Agent 3.40.0 \\[2026-08-01\\]\n\n- Add `foo_bar` option\n")
    _edit(root_path, extract.CLI, "`--basic-auth` (deprecated)", "`--basic-auth`")
    _edit(root_path, extract.PUBLIC, "The port must be `80`.", "The port may be anything.")
    root = extract.open_root(str(root_path))
    assert root is not None and root.git_dir is None
    found = diffdocs.differences(root)
    text = "\n".join(found)
    assert "v3 agent: new key `tcp_keepalive`" in text
    assert "v3 agent: key `web_allow_hosts` is no longer listed" in text
    assert "new entry 3.40.0" in text and "foo_bar" in text
    assert "ngrok http no longer marks `--basic-auth` deprecated" in text
    assert "URL rule `public-http-port`" in text
    assert len(found) == 5, text


def test_command_line(tmp_path, capsys):
    assert diffdocs.main([str(tmp_path)]) == 2  # not a docs checkout
    assert "not a checkout of ngrok/ngrok-docs" in capsys.readouterr().err
    assert diffdocs.main([DOCS]) in (0, 1)
