"""The direct path for structural fixes (`ngrok_lint/blockedit.py`): a new key added to a block
mapping, written into the text without the ruamel.yaml round trip.

The main check is differential: on every block mapping of every real-world corpus file and every
YAML file under tests/data, adding a key (at the end, first, or between two keys, in turn) through
the direct path gives the same text and the
same line splices as the round trip, whenever the round trip's own result passes the fix proof; and
every result of the direct path passes the proof (where the round trip writes the key at a column
that changes the data, in files whose indentation is not uniform, the direct path is the one right).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, List, Optional, Tuple

import pytest

from conftest import CORPUS, ROOT
from ngrok_lint import blockedit, fixer, proof, roundtrip
from ngrok_lint.engine import lint_text
from ngrok_lint.loader import Document, parse
from ngrok_lint.model import Change, Op, Safety, YamlPath

TLS_POLICY = {"on_tcp_connect": [{"actions": [{"type": "terminate-tls", "config": {"min_version": "1.2"}}]}]}
VALUES: List[Any] = [TLS_POLICY, "x", ["a", "b: c", {}], {"n": None, "yes": True, "e": [], "i": 3}, "1.2"]


def _doc(text: str) -> Document:
    doc = parse("ngrok.yml", text)
    assert isinstance(doc, Document), doc
    return doc


def _append(text: str, path: YamlPath, value: Any, index: int = -1) -> Optional[Tuple[str, Any]]:
    return blockedit.line_edits(text, _doc(text), [Change(Op.SET, path, value, index=index)])


def _proven(text: str, new: str, changes: List[Change]) -> Optional[str]:
    parsed = parse("ngrok.yml", new)
    if not isinstance(parsed, Document):
        return f"does not parse: {parsed}"
    return proof.prove(_doc(text), parsed, changes)


def _files() -> List[Path]:
    found = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []
    found += sorted(p for p in (ROOT / "tests" / "data").rglob("*") if p.suffix in (".yml", ".yaml"))
    return found


def _parsed_files() -> Iterator[Tuple[Path, str, Document]]:
    """Every corpus and tests/data file that reads as a mapping: its path, text and parse."""
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        doc = parse(str(path), text)
        if isinstance(doc, Document) and isinstance(doc.data, dict):
            yield path, text, doc


def _keys(doc: Document) -> Iterator[Tuple[YamlPath, Any]]:
    """Every mapping key of `doc` written in the file: its path and location."""
    for node_path, loc in list(doc.locs.items()):
        if node_path and isinstance(node_path[-1], str) and loc.key is not None:
            yield node_path, loc


def test_the_direct_path_writes_what_the_round_trip_writes_on_every_block_mapping() -> None:
    same = differ = direct_only = 0
    for path, text, doc in _parsed_files():
        count = 0
        for node_path, loc in list(doc.locs.items()):
            node = doc.get(node_path)
            if not isinstance(node, dict) or not node or loc.flow:
                continue
            index = (-1, 0, len(node) // 2)[count % 3]  # at the end, first, between two keys
            changes = [Change(Op.SET, node_path + ("zz_added",), VALUES[count % len(VALUES)], index=index)]
            count += 1
            direct = blockedit.line_edits(text, doc, changes)
            if direct is None:
                continue
            assert _proven(text, direct[0], changes) is None, (path, node_path)
            try:
                through = roundtrip.line_edits(text, changes)
            except roundtrip.Unavailable:
                direct_only += 1
                continue
            if through == direct:
                same += 1
            else:
                # Only where the round trip's own text fails the proof (a key written at the
                # round trip's one indentation in a file that indents unevenly).
                assert _proven(text, through[0], changes) is not None, (path, node_path)
                differ += 1
    if CORPUS.is_dir():
        assert same >= 600, (same, differ, direct_only)
    assert same > 20 * max(differ, 1)


def test_a_renamed_key_changes_the_key_alone_and_the_round_trip_agrees_on_plain_lines() -> None:
    """Every plain key of every corpus mapping renamed in turn: the direct path replaces the key's
    characters and nothing else, the proof accepts it, and where the round trip writes the line
    as it was (no spacing or flow style of its own) the two texts are the same."""
    same = normalised = checked = 0
    for path, text, doc in _parsed_files():
        for node_path, loc in _keys(doc):
            changes = [Change(Op.RENAME, node_path, "zz_renamed")]
            direct = blockedit.line_edits(text, doc, changes)
            if direct is None:
                continue
            key = loc.key
            assert direct[0] == text[:key.start] + "zz_renamed" + text[key.end:], (path, node_path)
            assert _proven(text, direct[0], changes) is None, (path, node_path)
            checked += 1
            if checked % 3:
                continue  # the round trip (25 ms a call) compared on every third key
            try:
                through = roundtrip.line_edits(text, changes)
            except roundtrip.Unavailable:
                continue
            if through == direct:
                same += 1
            else:
                normalised += 1  # the round trip rewrote more of the line than the key
    if CORPUS.is_dir():
        assert same >= 350, (same, normalised)
    assert same > 10 * max(normalised, 1), (same, normalised)


def test_a_removed_key_leaves_the_same_text_as_the_round_trip_on_every_corpus_key() -> None:
    """Every key of every corpus file removed in turn (with its comment block and a blank line, by
    the round trip's rules): where the direct path applies, its text is the round trip's."""
    same = 0
    for path, text, doc in _parsed_files():
        for node_path, loc in _keys(doc):
            changes = [Change(Op.REMOVE, node_path)]
            direct = blockedit.line_edits(text, doc, changes)
            if direct is None:
                continue
            through = roundtrip.line_edits(text, changes)  # the direct path never takes what it refuses
            assert direct[0] == through[0], (path, node_path)
            same += 1
    if CORPUS.is_dir():
        assert same >= 1500, same
    assert same > 100, same


def test_removals_that_touch_other_edits_are_left_to_the_round_trip() -> None:
    text = "t:\n  w:\n    a: 1\n    # about b\n    b: 2\n    c: 3\n"
    assert blockedit.line_edits(text, _doc(text), [Change(Op.REMOVE, ("t", "w", "a")), Change(Op.REMOVE, ("t", "w", "c"))]) is not None
    # Two neighbours: the round trip sees one hunk.
    assert blockedit.line_edits(text, _doc(text), [Change(Op.REMOVE, ("t", "w", "a")), Change(Op.REMOVE, ("t", "w", "b"))]) is None
    assert _append(text, ("t", "w", "a"), None) is None  # a SET of an existing key replaces: the round trip
    assert blockedit.line_edits("t:\n  only: 1\n", _doc("t:\n  only: 1\n"), [Change(Op.REMOVE, ("t", "only"))]) is None
    assert blockedit.line_edits("t:\n  - a: 1\n    b: 2\n", _doc("t:\n  - a: 1\n    b: 2\n"), [Change(Op.REMOVE, ("t", 0, "a"))]) is None


def test_a_new_key_goes_after_the_last_line_and_before_the_comment_that_follows() -> None:
    text = "version: \"2\"\ntunnels:\n  web:\n    proto: tcp\n    addr: 22  # ssh\n  # the next one\n  db:\n    proto: tcp\n    addr: 5432\n"
    result = _append(text, ("tunnels", "web", "traffic_policy"), TLS_POLICY)
    assert result is not None
    new, splices = result
    assert new == (
        "version: \"2\"\ntunnels:\n  web:\n    proto: tcp\n    addr: 22  # ssh\n"
        "    traffic_policy:\n      on_tcp_connect:\n        - actions:\n            - type: terminate-tls\n"
        "              config:\n                min_version: \"1.2\"\n"
        "  # the next one\n  db:\n    proto: tcp\n    addr: 5432\n"
    )
    assert splices == [(5, 5, new.split("\n")[5:11])]
    assert new == roundtrip.apply_changes(text, [Change(Op.SET, ("tunnels", "web", "traffic_policy"), TLS_POLICY, index=-1)])


def test_the_file_s_own_indentation_and_line_ends_are_kept() -> None:
    text = "tunnels:\r\n    web:\r\n        proto: tcp\r\n        addr: 22\r\n"
    result = _append(text, ("tunnels", "web", "schemes"), ["https"])
    assert result is not None
    assert result[0] == text + "        schemes:\r\n            - https\r\n"  # the dash offset follows the mapping indent
    assert result[0] == roundtrip.apply_changes(text, [Change(Op.SET, ("tunnels", "web", "schemes"), ["https"], index=-1)])


def test_a_last_line_without_a_line_end_stays_without_one() -> None:
    text = "tunnels:\n  web:\n    addr: 22"
    result = _append(text, ("tunnels", "web", "proto"), "tcp")
    assert result is not None and result[0] == "tunnels:\n  web:\n    addr: 22\n    proto: tcp"


def test_strings_are_quoted_as_the_agent_would_otherwise_misread_them() -> None:
    text = "agent:\n  log: stdout\n"
    for value, written in (("1.2", '"1.2"'), ("yes", '"yes"'), ("", '""'), ("a b", None), ("https", "https")):
        result = _append(text, ("agent", "k"), value)
        if written is None:
            assert result is None  # plain for YAML, but the round trip decides how to write it
        else:
            assert result is not None and result[0] == f"agent:\n  log: stdout\n  k: {written}\n", value


@pytest.mark.parametrize(
    "text, path, why",
    [
        ("a: &x\n  b: 1\nc: *x\n", ("c", "n"), "an alias shares the anchored mapping"),
        ("a: &x\n  b: 1\n", ("a", "n"), "anchored"),
        ("base: &b\n  p: 1\nt:\n  <<: *b\n  q: 2\n", ("t", "n"), "merges keys"),
        ("a: !!map\n  b: 1\n", ("a", "n"), "tagged"),
        ("a:\n  b: |\n    text\n\nc: 1\n", ("a", "n"), "ends in a block scalar"),
        ("a:\n  b: [1,\n    2]\nc: 1\n", ("a", "n"), "ends in a flow list over two lines"),
        ("a:\n  b:\nc: 1\n", ("a", "n"), "ends in an empty value"),
        ("a: {b: 1}\n", ("a", "n"), "a flow mapping"),
        ("a:\n  b: 1\n", ("a", "b"), "the key exists: a replacement, not an append"),
        ("a:\n  b: 1\n", ("x", "y", "n"), "the parent is missing"),
        ("a:\n  b: 1\n", ("a", "n", 0), "a list index"),
        ("a:\n  b: 1\n\u2028", ("a", "n"), "a Unicode line separator"),
        ("a:\n  b: 1\x85c: 2\n", ("a", "n"), "a NEL line break"),
        ("a:\r  b: 1\rc: 2\r", ("a", "n"), "carriage returns alone"),
    ],
)
def test_shapes_the_direct_path_leaves_to_the_round_trip(text: str, path: YamlPath, why: str) -> None:
    assert _append(text, path, "v") is None, why


def test_a_key_put_first_goes_after_its_mapping_s_key_line_and_before_its_comments() -> None:
    text = "t:\n  p:   # policy\n    # the phase\n    on_http_request: deny\n"
    result = _append(text, ("t", "p", "on_tcp_connect"), ["x"], index=0)
    assert result is not None
    assert result[0] == "t:\n  p:   # policy\n    on_tcp_connect:\n      - x\n    # the phase\n    on_http_request: deny\n"
    assert result[0] == roundtrip.apply_changes(text, [Change(Op.SET, ("t", "p", "on_tcp_connect"), ["x"], index=0)])
    assert _append(text, ("t", "p", "z"), "v", index=5) is not None  # past the end is the end


def test_a_key_put_first_in_a_list_item_or_a_flow_mapping_is_left_to_the_round_trip() -> None:
    assert _append("e:\n  - name: a\n    url: b\n", ("e", 0, "k"), "v", index=0) is None  # shares the dash line
    assert _append("a: {x: 1}\n", ("a", "k"), "v", index=0) is None
    assert _append("!!map\na: 1\n", ("k",), "v", index=0) is None  # a tagged top level


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: 1\nb: 2\n", 'version: "2"\na: 1\nb: 2\n'),
        ("# header\na: 1\n", '# header\nversion: "2"\na: 1\n'),
        ("# header\n\n# about a\na: 1\n", '# header\n\nversion: "2"\n# about a\na: 1\n'),
        ("%YAML 1.1\n---\n# about a\na: 1\n", '%YAML 1.1\n---\n# about a\nversion: "2"\na: 1\n'),
        ("\n\na: 1\n", '\n\nversion: "2"\na: 1\n'),
    ],
)
def test_a_key_put_first_in_the_file_goes_where_the_round_trip_puts_it(text: str, expected: str) -> None:
    """After the header comments, before a comment block a blank line parts from the header (the
    migration writes `version: "2"` this way)."""
    change = [Change(Op.SET, ("version",), "2", index=0)]
    result = blockedit.line_edits(text, _doc(text), change)
    assert result is not None and result[0] == expected
    assert roundtrip.apply_changes(text, change) == expected


def test_values_it_does_not_write_are_left_to_the_round_trip() -> None:
    text = "a:\n  b: 1\n"
    for value in (1.5, "caf\u00e9", 'say "hi"', [["nested"]], [None], "x" * 2000):
        assert _append(text, ("a", "n"), value) is None, value


def test_two_keys_appended_to_one_mapping_come_in_the_order_of_the_changes() -> None:
    text = "a:\n  b: 1\nc: 2\n"
    changes = [Change(Op.SET, ("a", "x1"), 1, index=-1), Change(Op.SET, ("a", "x2"), 2, index=-1)]
    result = blockedit.line_edits(text, _doc(text), changes)
    assert result is not None and result[0] == "a:\n  b: 1\n  x1: 1\n  x2: 2\nc: 2\n"
    assert result[0] == roundtrip.apply_changes(text, changes)


def _heavy(count: int) -> str:
    lines = ['version: "2"', "tunnels:"]
    for i in range(count):
        lines += [f"  web{i}:", "    proto: http", f"    addr: {8000 + i}", "    # a comment", f"    hostname: h{i}.example.com  # end"]
    return "\n".join(lines) + "\n"


def test_the_fix_engine_takes_the_direct_path_and_writes_what_the_round_trip_wrote(monkeypatch: pytest.MonkeyPatch) -> None:
    from ngrok_lint.engine import analyze
    from ngrok_lint.config import Settings

    text = _heavy(12)
    calls: List[int] = []
    real = blockedit.line_edits

    def counted(*args: Any) -> Any:
        result = real(*args)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(blockedit, "line_edits", counted)
    direct = fixer.fix_analysis(analyze("ngrok.yml", text.encode(), Settings()), unsafe=True)
    assert any(calls), "the direct path was not taken"
    assert direct.new_bytes is not None and direct.fixed >= 12
    monkeypatch.setattr(blockedit, "line_edits", lambda *args: None)
    through = fixer.fix_analysis(analyze("ngrok.yml", text.encode(), Settings()), unsafe=True)
    assert direct.new_bytes == through.new_bytes
    assert direct.fixed == through.fixed
    assert [f.code for f in lint_text(direct.new_bytes.decode())] == [f.code for f in lint_text(through.new_bytes.decode())]


def test_the_previews_of_a_whole_file_are_the_same_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from ngrok_lint.engine import analyze
    from ngrok_lint.config import Settings

    analysis = analyze("ngrok.yml", _heavy(8).encode(), Settings())
    items = [f for f in analysis.findings if f.fix is not None]
    assert any(f.fix.safety == Safety.UNSAFE and any(c.op == Op.SET for c in f.fix.changes) for f in items)  # type: ignore[union-attr]
    direct = fixer.previews(analysis, items)
    monkeypatch.setattr(blockedit, "line_edits", lambda *args: None)
    assert fixer.previews(analysis, items) == direct


@pytest.mark.parametrize(
    "text, path, new, expected",
    [
        ("t:\n  w:\n    hostname:   a.example.com   # ours  \n", ("t", "w", "hostname"), "domain",
         "t:\n  w:\n    domain:   a.example.com   # ours  \n"),
        ("t: {w: {hostname: 6.0e+16}}\n", ("t", "w", "hostname"), "domain", "t: {w: {domain: 6.0e+16}}\n"),  # flow style too
        ("t:\n  w:\n    'hostname': a\n", ("t", "w", "hostname"), "domain", None),  # a quoted key
        ("t:\n  w:\n    hostname: a\n    domain: b\n", ("t", "w", "hostname"), "domain", None),  # the name is taken
        ("t: &x\n  hostname: a\nu: *x\n", ("u", "hostname"), "domain", None),  # shared through an alias
        ("t:\n  w:\n    hostname: a\n", ("t", "w", "hostname"), "yes", 't:\n  w:\n    "yes": a\n'),  # quoted as needed
    ],
)
def test_a_key_renamed_in_place(text: str, path: YamlPath, new: str, expected: Optional[str]) -> None:
    result = blockedit.line_edits(text, _doc(text), [Change(Op.RENAME, path, new)])
    assert (result[0] if result else None) == expected
    if expected is not None:
        assert _proven(text, expected, [Change(Op.RENAME, path, new)]) is None
