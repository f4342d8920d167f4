"""The fix proof (`ngrok_lint.proof`) and the comments that safe fixes used to move or drop.

The proof runs on every result of the fix engine before it is kept: the new data must be the old
data changed exactly as the fixes declared, and every comment must still be there, attached to the
same key. These tests check its parts (what a TEXT splice declares, where a comment is attached),
that a deliberately wrong fix is refused with "fix skipped: <reason>" and the file left as it was,
and, case by case, that the fixes keep the comments the issue found moved or dropped.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any, Iterator, List, Optional, Sequence, Tuple

import pytest

from conftest import run_cli
from ngrok_lint import engine, fixer, proof, registry, roundtrip
from ngrok_lint.config import Settings
from ngrok_lint.loader import Document, parse
from ngrok_lint.model import TOP, Change, Finding, Fix, Op, RuleMeta, Safety, Severity
from ngrok_lint.source import Source, decode


def _doc(text: str) -> Document:
    doc = parse("ngrok.yml", text)
    assert isinstance(doc, Document)
    return doc


def _attachments(text: str) -> List[Tuple[str, tuple]]:
    return [(c.text, path) for c, path in proof.attached(_doc(text))]


# --- where a comment is attached -----------------------------------------------------------------


def test_end_of_line_comment_is_attached_to_the_deepest_key_of_its_line() -> None:
    text = "tunnels:\n  web:\n    addr: 80  # the app\nendpoints:\n  - name: a  # first\n"
    assert _attachments(text) == [("# the app", ("tunnels", "web", "addr")), ("# first", ("endpoints", 0, "name"))]


def test_own_line_comment_is_attached_to_the_next_key_at_its_level_or_above() -> None:
    text = (
        "# header\n"
        "tunnels:\n"
        "  # the web tunnel\n"
        "  web:\n"
        "    addr: 80\n"
        "    # end of web: not about a deeper key that follows\n"
        "  api:\n"
        "    addr: 81\n"
        "# about endpoints\n"
        "endpoints:\n"
        "  # the first endpoint, above its dash\n"
        "  - name: a\n"
        "# trailing\n"
    )
    assert _attachments(text) == [
        ("# header", ("tunnels",)),
        ("# the web tunnel", ("tunnels", "web")),
        ("# end of web: not about a deeper key that follows", ("tunnels", "api")),
        ("# about endpoints", ("endpoints",)),
        ("# the first endpoint, above its dash", ("endpoints", 0)),
        ("# trailing", ()),
    ]


def test_a_hash_inside_a_scalar_is_no_comment() -> None:
    text = 'a: "x # y"\nb: |\n  # text\nc: z # real\n'
    assert _attachments(text) == [("# real", ("c",))]


def test_comments_inside_a_flow_list_are_attached_to_its_items() -> None:
    text = "schemes: [http,  # plain\n          https]  # tls\n"
    assert _attachments(text) == [("# plain", ("schemes", 0)), ("# tls", ("schemes", 1))]


# --- what a TEXT splice declares -----------------------------------------------------------------


def _splice(text: str, old: str, new: str, path: tuple = ()) -> Change:
    start = text.index(old)
    return Change(Op.TEXT, path, new, start=start, end=start + len(old))


def test_a_splice_of_one_value_declares_the_value_it_writes() -> None:
    text = "inspect: yes\nweb_addr: '0.0.0.0:4040'\nschemes: [http, https]\n"
    doc = _doc(text)
    changes = [_splice(text, "yes", "true"), _splice(text, "0.0.0.0:4040", "127.0.0.1:4040"),
               _splice(text, "[http, https]", "[https]")]
    assert proof.text_declarations(doc, changes) == [
        proof.Declared("set", ("inspect",), True),
        proof.Declared("set", ("web_addr",), "127.0.0.1:4040"),
        proof.Declared("set", ("schemes",), ["https"]),
    ]


def test_a_deletion_of_whole_lines_declares_removals_and_comments_declare_nothing() -> None:
    text = "a: 1\nlist:\n  - x\n  - y\n# ngrok-lint: ignore[NGL201]\n"
    doc = _doc(text)
    changes = [_splice(text, "a: 1\n", ""), _splice(text, "  - x\n", ""), _splice(text, "# ngrok-lint: ignore[NGL201]\n", "")]
    assert proof.text_declarations(doc, changes) == [
        proof.Declared("remove", ("list", 0)),
        proof.Declared("remove", ("a",)),
    ]


def test_a_splice_that_changes_more_than_its_value_is_refused() -> None:
    text = "a: 1\nb: 2\n"
    # It names `a`, writes over `a`'s value and also turns `b` into 3.
    change = _splice(text, "1\nb: 2", "5\nb: 3")
    new = _doc("a: 5\nb: 3\n")
    assert proof.prove(_doc(text), new, [Change(Op.TEXT, ("a",), "5", start=change.start, end=change.start + 1)]) \
        == "the fix would also change `b`"


def test_a_correct_fix_is_proven() -> None:
    text = "# top\nversion: '2'\ntunnels:\n  web:  # w\n    auth: 'u:p'  # who\n    addr: 80\n"
    changes = [Change(Op.RENAME, ("tunnels", "web", "auth"), "basic_auth"),
               Change(Op.SET, ("tunnels", "web", "basic_auth"), ["u:p"])]
    new = roundtrip.apply_changes(text, changes)
    assert proof.prove(_doc(text), _doc(new), changes) is None


@pytest.mark.parametrize(
    "new, reason",
    [
        ("version: '2'\ntunnels:\n  web:\n    addr: 80\n", "the fix would drop the comment of line 3"),
        ("version: '2'\ntunnels:\n  web:\n    addr: 80  # the app\n", "the fix would move the comment of line 3 from `tunnels.web` to `tunnels.web.addr`"),
        ("version: '3'\ntunnels:\n  web:  # the app\n    addr: 80\n", "the fix would also change `version`"),
        ("version: '2'\n# new\ntunnels:\n  web:  # the app\n    addr: 80\n", "the fix would add a comment"),
    ],
    ids=["dropped", "moved", "other-data", "added"],
)
def test_the_proof_refuses_what_no_fix_declared(new: str, reason: str) -> None:
    old = "version: '2'\ntunnels:\n  web:  # the app\n    addr: 80\n"
    assert proof.prove(_doc(old), _doc(new), [Change(Op.SET, ("tunnels", "web", "addr"), 80)]) == reason


def test_comments_of_a_removed_key_may_go_but_not_land_on_another_key() -> None:
    old = _doc("update: false  # pinned\ntunnels: {}\n")
    remove = [Change(Op.REMOVE, ("update",)), Change(Op.SET, ("version",), "2", index=0)]
    assert proof.prove(old, _doc("version: '2'\ntunnels: {}\n"), remove) is None
    assert proof.prove(old, _doc("version: '2'  # pinned\ntunnels: {}\n"), remove) == \
        "the fix would move the comment of line 1 (of a removed key) to `version`"


def test_a_removed_key_leaves_a_comment_indented_less_than_itself() -> None:
    """The round trip takes the comment block above a removed key along, but not a comment at a
    shallower indentation: that one is about what encloses the key (the proof attaches it there)."""
    from ngrok_lint import roundtrip

    text = "tunnels:\n  web:\n    proto: tcp\n# about the tunnels\n    bind_tls: null\n    # about addr\n    addr: 22\n"
    new = roundtrip.apply_changes(text, [Change(Op.REMOVE, ("tunnels", "web", "bind_tls"))])
    assert new == "tunnels:\n  web:\n    proto: tcp\n# about the tunnels\n    # about addr\n    addr: 22\n"
    assert proof.prove(_doc(text), _doc(new), [Change(Op.REMOVE, ("tunnels", "web", "bind_tls"))]) is None
    taken = roundtrip.apply_changes(text, [Change(Op.REMOVE, ("tunnels", "web", "addr"))])
    assert taken == "tunnels:\n  web:\n    proto: tcp\n# about the tunnels\n    bind_tls: null\n"  # its own comment goes


def test_the_round_trip_writes_a_float_back_as_it_was_written() -> None:
    """ruamel.yaml re-formats floats and lost a digit of `2.668949152189049e+16` in a flow mapping
    it rewrote; the proof refused NGL103's fix there (found by the property tests)."""
    from ngrok_lint import roundtrip

    text = "tunnels:\n  ':': {addr: 2.668949152189049e+16, proto: http, x: .5, y: 1_000.5}\n"
    change = [Change(Op.SET, ("tunnels", ":", "traffic_policy"), {"a": 1}, index=-1)]
    new = roundtrip.apply_changes(text, change)
    assert new == "tunnels:\n  ':': {addr: 2.668949152189049e+16, proto: http, x: .5, y: 1_000.5, traffic_policy: {a: 1}}\n"
    assert proof.prove(_doc(text), _doc(new), change) is None


# --- a wrong fix is refused at run time, the file is kept, the finding says why ------------------

META = RuleMeta("TST002", "test-rule", Severity.WARNING, "a rule that exists only in these tests")


def _analysis(monkeypatch: pytest.MonkeyPatch, text: str, changes: Sequence[Change]) -> engine.Analysis:
    source = decode("ngrok.yml", text.encode())
    assert isinstance(source, Source)

    def check(doc: Any, ctx: Any) -> Iterator[Finding]:
        if doc.text == text:
            yield Finding(META.code, META.name, META.severity, "test finding", TOP, tuple(changes[0].path),
                          Fix("test fix", Safety.SAFE, tuple(changes)))

    monkeypatch.setattr(registry, "modules", lambda: (SimpleNamespace(META=META, check=check),))
    return engine.analyze_source(source, Settings(), frozenset({META.code}), None)


def _skipped(outcome: fixer.FixOutcome) -> Optional[str]:
    reasons = [f.fix_unavailable for f in outcome.analysis.findings if f.fix_unavailable]
    return reasons[0] if reasons else None


def test_a_round_trip_that_drops_a_comment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "version: '2'\n# the web tunnel\ntunnels:\n  web:\n    addr: 80\n"
    real = roundtrip.line_edits
    monkeypatch.setattr(roundtrip, "line_edits", lambda t, c: (real(t, c)[0].replace("# the web tunnel\n", ""), []))
    outcome = fixer.fix_analysis(_analysis(monkeypatch, text, [Change(Op.SET, ("tunnels", "web", "addr"), 81)]), False)
    assert outcome.new_bytes is None
    assert _skipped(outcome) == "the fix would drop the comment of line 2"


def test_a_round_trip_that_changes_another_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "version: '2'\nregion: us\ntunnels:\n  web:\n    addr: 80\n"
    real = roundtrip.line_edits
    monkeypatch.setattr(roundtrip, "line_edits", lambda t, c: (real(t, c)[0].replace("region: us", "region: eu"), []))
    outcome = fixer.fix_analysis(_analysis(monkeypatch, text, [Change(Op.SET, ("tunnels", "web", "addr"), 81)]), False)
    assert outcome.new_bytes is None
    assert _skipped(outcome) == "the fix would also change `region`"


def test_a_text_splice_over_a_comment_of_another_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "inspect: yes  # keep\nregion: us\n"
    start = text.index("yes")
    splice = Change(Op.TEXT, (), "true\n", start=start, end=text.index("region"))  # eats `# keep`
    outcome = fixer.fix_analysis(_analysis(monkeypatch, text, [splice]), False)
    assert outcome.new_bytes is None
    assert _skipped(outcome) == "the fix would drop the comment of line 1"


def test_fix_skipped_reads_the_same_in_text_json_and_sarif(tmp_path: Any) -> None:
    # A file with mixed line endings: no structural fix can apply (a reason known without trying).
    path = tmp_path / "ngrok.yml"
    path.write_bytes(b'update: false\r\nversion: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    schemes: [https]\n')
    text = run_cli([str(path), "--isolated", "--fix"]).out
    assert "(fix skipped: the file mixes CRLF and LF line endings)" in text
    data = json.loads(run_cli([str(path), "--isolated", "--fix", "--format", "json"]).out)
    fixes = [f["fix"] for f in data["findings"] if f["fix"] and f["fix"]["skipped"]]
    assert fixes and fixes[0]["skipped"] == "fix skipped: the file mixes CRLF and LF line endings"
    sarif = json.loads(run_cli([str(path), "--isolated", "--fix", "--format", "sarif"]).out)
    skipped = [r["properties"]["fixSkipped"] for r in sarif["runs"][0]["results"] if "fixSkipped" in r["properties"]]
    assert skipped and skipped[0] == "fix skipped: the file mixes CRLF and LF line endings"


# --- the comments safe fixes used to move or drop (issue: "several safe fixes move or drop comments")


def _fixed(text: str, select: Sequence[str] = (), unsafe: bool = False) -> Tuple[str, List[str]]:
    settings = Settings(select=tuple(select)) if select else Settings()
    analysis = engine.analyze("ngrok.yml", text.encode(), settings, None)
    outcome = fixer.fix_analysis(analysis, unsafe=unsafe)
    skipped = [f"{f.code}: {f.fix_unavailable}" for f in outcome.analysis.findings if f.fix_unavailable]
    return (outcome.new_bytes or text.encode()).decode(), skipped


def test_auth_renamed_to_basic_auth_keeps_its_comments() -> None:
    text = (
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
        "    # who may log in\n"
        '    auth: "user:a-long-password"  # rotate monthly\n'
        "    schemes: [https]\n"
    )
    fixed, skipped = _fixed(text, ["NGL003"])
    assert skipped == []
    assert fixed == (
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
        "    # who may log in\n"
        "    basic_auth:  # rotate monthly\n"
        "      - user:a-long-password\n"
        "    schemes: [https]\n"
    )


def test_keys_moved_under_agent_take_their_comments() -> None:
    text = (
        "version: 3\n"
        "# logging\n"
        "log_level: info  # verbose enough\n"
        "agent:\n"
        "  region: eu  # closest\n"
        "endpoints:\n  - name: web\n    url: https://a.example.com\n    upstream:\n      url: 8080\n"
    )
    fixed, skipped = _fixed(text, ["NGL003"])
    assert skipped == []
    assert fixed == (
        "version: 3\n"
        "agent:\n"
        "  region: eu  # closest\n"
        "  # logging\n"
        "  log_level: info  # verbose enough\n"
        "endpoints:\n  - name: web\n    url: https://a.example.com\n    upstream:\n      url: 8080\n"
    )


def test_the_proof_refuses_a_move_that_leaves_the_comments_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roundtrip, "_carry_comments", lambda lines, edits, moved: None)
    text = "version: 3\n# logging\nlog_level: info  # verbose enough\nagent:\n  region: eu\n"
    fixed, skipped = _fixed(text, ["NGL003"])
    assert fixed == text
    assert skipped == ["NGL003: the fix would drop the comment of line 2"]


def test_remote_addr_moved_into_the_endpoint_url_keeps_its_comments() -> None:
    text = (
        'version: "2"\ntunnels:\n  ssh:\n    proto: tcp\n    addr: 22\n'
        "    # reserved for the office\n"
        "    remote_addr: 1.tcp.ngrok.io:12345  # fixed\n"
    )
    fixed, skipped = _fixed(text, ["NGL402"], unsafe=True)
    assert skipped == []
    assert fixed == (
        'version: "3"\nendpoints:\n  - name: ssh\n'
        "    # reserved for the office\n"
        "    url: tcp://1.tcp.ngrok.io:12345  # fixed\n"
        "    upstream:\n      url: 22\n"
    )


def test_comments_inside_a_flow_list_survive_its_rewrite() -> None:
    text = 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [http,  # plain\n              https]  # tls\n'
    fixed, skipped = _fixed(text, ["NGL101"])
    assert skipped == []
    assert fixed == 'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    # plain\n    schemes: [https]  # tls\n'


def test_a_flow_list_over_several_lines_does_not_stop_structural_fixes() -> None:
    text = (
        'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n'
        "    ip_restriction:\n      allow_cidrs: [10.0.0.0/8,  # office\n                    192.168.0.0/16]  # vpn\n"
    )
    fixed, skipped = _fixed(text, ["NGL201"], unsafe=True)
    assert skipped == []
    assert fixed == text.replace("0.0.0.0:4040", "127.0.0.1:4040")
    changes = [Change(Op.SET, ("tunnels", "web", "inspect"), False, index=-1)]
    assert roundtrip.apply_changes(text, changes) == text + "    inspect: false\n"


def test_the_comment_of_update_false_stays_off_the_version_written_in_its_place() -> None:
    text = "update: false  # pinned\n# tunnels we run\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [https]\n"
    fixed, skipped = _fixed(text, ["NGL003"])
    assert skipped == []
    assert fixed == 'version: "2"\n# tunnels we run\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [https]\n'


def test_the_proof_refuses_the_comment_of_update_false_on_another_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roundtrip, "_same_line", lambda old, new, renames: True)  # the old pairing
    text = "update: false  # pinned\ntunnels:\n  web:\n    proto: http\n    addr: 8080\n    schemes: [https]\n"
    fixed, skipped = _fixed(text, ["NGL003"])
    assert fixed == text
    assert skipped == ["NGL003: the fix would move the comment of line 1 (of a removed key) to `version`"]


def test_a_key_renamed_next_to_a_removed_one_keeps_its_comment() -> None:
    # Found by the property run: `auth: null` removed and `bind_tls` rewritten as `schemes` in one
    # run of lines; the comment of `bind_tls` was dropped (the proof refused the migration).
    text = "tunnels:\n  web:\n    addr: null\n    proto: http\n    auth: null\n    bind_tls: null  # both\n"
    fixed, skipped = _fixed(text, ["NGL003"])
    assert skipped == []
    assert fixed == ('version: "2"\ntunnels:\n  web:\n    addr: null\n    proto: http\n'
                     "    schemes:  # both\n      - http\n      - https\n")


def test_a_key_renamed_in_a_same_sized_run_keeps_its_comment() -> None:
    # The same with `bind_tls: true` (two lines become two lines: `schemes:` and `- https`).
    text = "tunnels:\n  web:\n    addr: null\n    proto: http\n    auth: null\n    bind_tls: true  # tls\n"
    fixed, skipped = _fixed(text, ["NGL003"])
    assert skipped == []
    assert fixed == 'version: "2"\ntunnels:\n  web:\n    addr: null\n    proto: http\n    schemes:  # tls\n      - https\n'
