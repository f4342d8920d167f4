"""The fix engine (`ngrok_lint.fixer`): fixes are data, one engine applies them byte-exactly.

A tiny test-only rule (TST001) stands in for the real rules: it reports one finding, carrying the
case's fix, exactly when the document is the case's input. So every case runs the real loop
(select, apply, verify, re-lint) without depending on any rule module. Each case is checked as
written (LF), with CRLF line ends, with a UTF-8 BOM and without a final newline.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

import pytest

from ngrok_lint import engine, fixer, registry
from ngrok_lint.config import Settings
from ngrok_lint.model import TOP, Change, Finding, Fix, Op, RuleMeta, Safety, Severity
from ngrok_lint.source import Source, decode

META = RuleMeta("TST001", "test-rule", Severity.WARNING, "a rule that exists only in these tests")


# --- helpers -------------------------------------------------------------------------------------


@dataclass
class Text:
    """A TEXT change written as "replace this snippet" (offsets are found in each variant)."""

    old: str
    new: str
    occurrence: int = 0


Spec = Any  # a Change, or a Text


def _changes(text: str, specs: Sequence[Spec]) -> Tuple[Change, ...]:
    crlf = "\r\n" in text
    out: List[Change] = []
    for spec in specs:
        if isinstance(spec, Text):
            old = spec.old.replace("\n", "\r\n") if crlf else spec.old
            start = -1
            for _ in range(spec.occurrence + 1):
                start = text.index(old, start + 1)
            out.append(Change(Op.TEXT, value=spec.new, start=start, end=start + len(old)))
        else:
            out.append(spec)
    return tuple(out)


def _analysis(monkeypatch: pytest.MonkeyPatch, data: bytes, specs: Sequence[Spec],
              safety: Safety = Safety.SAFE, fires: Optional[Callable[[Any], bool]] = None,
              path: tuple = ()) -> engine.Analysis:
    """The analysis of `data` with only TST001 enabled; TST001 fires on exactly this text
    (or whenever `fires(doc)` says so) and carries a fix built from `specs`."""
    source = decode("ngrok.yml", data)
    assert isinstance(source, Source)
    original = source.text

    def check(doc: Any, ctx: Any) -> Iterator[Finding]:
        if (fires(doc) if fires is not None else doc.text == original):
            changes = _changes(doc.text, specs)
            where = path or next((c.path for c in changes if c.path), ())
            yield Finding(META.code, META.name, META.severity, "test finding", TOP, where,
                          Fix("test fix", safety, changes))

    rule = SimpleNamespace(META=META, check=check)
    monkeypatch.setattr(registry, "modules", lambda: (rule,))
    return engine.analyze_source(source, Settings(), frozenset({META.code}), None)


def _fix(monkeypatch: pytest.MonkeyPatch, data: bytes, specs: Sequence[Spec], unsafe: bool = False,
         **kwargs: Any) -> fixer.FixOutcome:
    return fixer.fix_analysis(_analysis(monkeypatch, data, specs, **kwargs), unsafe=unsafe)


def _variants(before: str, after: str) -> Iterator[Tuple[str, bytes, bytes]]:
    yield "lf", before.encode(), after.encode()
    yield "crlf", before.replace("\n", "\r\n").encode(), after.replace("\n", "\r\n").encode()
    yield "bom", codecs.BOM_UTF8 + before.encode(), codecs.BOM_UTF8 + after.encode()
    if before.endswith("\n") and after.endswith("\n"):
        yield "no-final-newline", before[:-1].encode(), after[:-1].encode()


# --- the table: input, changes, exact output -----------------------------------------------------


@dataclass
class Case:
    name: str
    before: str
    changes: List[Spec]
    after: str


TLS_POLICY = {"on_tcp_connect": [{"actions": [{"type": "terminate-tls", "config": {"min_version": "1.2"}}]}]}

CASES = [
    Case(
        "set-scalar-plain-keeps-eol-comment",
        'version: "2"\nweb_addr: 0.0.0.0:4040  # inspector\nlog_level: info\n',
        [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")],
        'version: "2"\nweb_addr: 127.0.0.1:4040  # inspector\nlog_level: info\n',
    ),
    Case(
        "set-scalar-keeps-single-quotes",
        "region: 'us'  # closest\nconsole_ui: false\n",
        [Change(Op.SET, ("region",), "eu")],
        "region: 'eu'  # closest\nconsole_ui: false\n",
    ),
    Case(
        "set-scalar-keeps-double-quotes",
        'version: "2"\nregion: "us"\n',
        [Change(Op.SET, ("version",), "3")],
        'version: "3"\nregion: "us"\n',
    ),
    Case(
        "set-scalar-string-that-yaml-1.1-reads-as-int",
        "tunnels:\n  web:\n    proto: http\n    addr: 80\n",
        [Change(Op.SET, ("tunnels", "web", "addr"), "8080")],
        'tunnels:\n  web:\n    proto: http\n    addr: "8080"\n',
    ),
    Case(
        "set-scalar-bool",
        "tunnels:\n  web:\n    inspect: true   # dev only\n    addr: 80\n",
        [Change(Op.SET, ("tunnels", "web", "inspect"), False)],
        "tunnels:\n  web:\n    inspect: false   # dev only\n    addr: 80\n",
    ),
    Case(
        "set-scalar-inside-flow-map",
        "tunnels:\n  web: {proto: http, addr: 80}  # flow\n",
        [Change(Op.SET, ("tunnels", "web", "addr"), 8080)],
        "tunnels:\n  web: {proto: http, addr: 8080}  # flow\n",
    ),
    Case(
        "set-new-key-2-space",
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n  api:\n    proto: tcp\n    addr: 22\n',
        [Change(Op.SET, ("tunnels", "web", "inspect"), False, index=-1)],
        'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 80\n    inspect: false\n  api:\n'
        "    proto: tcp\n    addr: 22\n",
    ),
    Case(
        "set-new-key-4-space",
        'version: "2"\ntunnels:\n    web:\n        proto: http\n        addr: 80\n    api:\n        proto: tcp\n',
        [Change(Op.SET, ("tunnels", "web", "inspect"), False, index=-1)],
        'version: "2"\ntunnels:\n    web:\n        proto: http\n        addr: 80\n        inspect: false\n'
        "    api:\n        proto: tcp\n",
    ),
    Case(
        "set-new-key-at-index-in-the-middle",
        "tunnels:\n  web:\n    proto: http\n    # the upstream\n    addr: 80\n",
        [Change(Op.SET, ("tunnels", "web", "schemes"), ["https"], index=1)],
        "tunnels:\n  web:\n    proto: http\n    schemes:\n      - https\n    # the upstream\n    addr: 80\n",
    ),
    Case(
        "set-new-key-in-flow-map",
        "tunnels:\n  web: {proto: http, addr: 80}\n",
        [Change(Op.SET, ("tunnels", "web", "inspect"), False, index=-1)],
        "tunnels:\n  web: {proto: http, addr: 80, inspect: false}\n",
    ),
    Case(
        "set-new-key-at-top-after-header-comments",
        "# ngrok agent config\n# for the dev box\n\nauthtoken: 4nq9fakeToken\ntunnels:\n  web:\n    addr: 80\n",
        [Change(Op.SET, ("version",), "2", index=0)],
        '# ngrok agent config\n# for the dev box\n\nversion: "2"\nauthtoken: 4nq9fakeToken\ntunnels:\n  web:\n    addr: 80\n',
    ),
    Case(
        "set-new-key-at-top-goes-above-the-first-keys-own-comment",
        "# ngrok agent config\n\n# from the dashboard\nauthtoken: 4nq9fakeToken\n",
        [Change(Op.SET, ("version",), "2", index=0)],
        '# ngrok agent config\n\nversion: "2"\n# from the dashboard\nauthtoken: 4nq9fakeToken\n',
    ),
    Case(
        "set-new-key-at-end-goes-before-the-next-sections-comments",
        "agent:\n  authtoken: 4nq9fakeToken\n\n# the endpoints\nendpoints:\n  - name: web\n    url: https://example.ngrok.app\n",
        [Change(Op.SET, ("agent", "connect_url"), "tunnel.example.com:443", index=-1)],
        "agent:\n  authtoken: 4nq9fakeToken\n  connect_url: tunnel.example.com:443\n\n# the endpoints\nendpoints:\n"
        "  - name: web\n    url: https://example.ngrok.app\n",
    ),
    Case(
        "set-new-key-at-end-of-file-before-a-footer-comment",
        "version: 3\nagent:\n  log_level: info\n# footer\n",
        [Change(Op.SET, ("endpoints",), [], index=-1)],
        "version: 3\nagent:\n  log_level: info\nendpoints: []\n# footer\n",
    ),
    Case(
        "set-under-a-null-value-keeps-its-comment",
        "version: 3\nagent: ~  # fill in\nendpoints: []\n",
        [Change(Op.SET, ("agent", "connect_url"), "tunnel.example.com:443")],
        "version: 3\nagent:  # fill in\n  connect_url: tunnel.example.com:443\nendpoints: []\n",
    ),
    Case(
        "set-new-string-values-that-yaml-1.1-would-misread-are-double-quoted",
        "x: 1\n",
        [Change(Op.SET, ("a",), "1.2", index=-1), Change(Op.SET, ("b",), "2", index=-1),
         Change(Op.SET, ("c",), "yes", index=-1), Change(Op.SET, ("d",), "on", index=-1),
         Change(Op.SET, ("e",), "0644", index=-1), Change(Op.SET, ("f",), "null", index=-1),
         Change(Op.SET, ("g",), "y", index=-1), Change(Op.SET, ("h",), "https", index=-1)],
        'x: 1\na: "1.2"\nb: "2"\nc: "yes"\nd: "on"\ne: "0644"\nf: "null"\ng: "y"\nh: https\n',
    ),
    Case(
        "set-nested-mapping-in-block-style-indented-dashes",
        'version: "2"\ntunnels:\n  web:\n    proto: tls\n    addr: 443\n    schemes:\n      - https\n',
        [Change(Op.SET, ("tunnels", "web", "traffic_policy"), TLS_POLICY, index=-1)],
        'version: "2"\ntunnels:\n  web:\n    proto: tls\n    addr: 443\n    schemes:\n      - https\n'
        "    traffic_policy:\n      on_tcp_connect:\n        - actions:\n            - type: terminate-tls\n"
        '              config:\n                min_version: "1.2"\n',
    ),
    Case(
        "set-nested-mapping-in-block-style-unindented-dashes",
        'version: "2"\ntunnels:\n  web:\n    proto: tls\n    schemes:\n    - https\n  api:\n    proto: tcp\n',
        [Change(Op.SET, ("tunnels", "web", "traffic_policy"), TLS_POLICY, index=-1)],
        'version: "2"\ntunnels:\n  web:\n    proto: tls\n    schemes:\n    - https\n'
        "    traffic_policy:\n      on_tcp_connect:\n      - actions:\n        - type: terminate-tls\n"
        '          config:\n            min_version: "1.2"\n  api:\n    proto: tcp\n',
    ),
    Case(
        "set-nested-mapping-in-a-4-space-file",
        "tunnels:\n    web:\n        proto: tls\n        addr: 443\n",
        [Change(Op.SET, ("tunnels", "web", "traffic_policy"), TLS_POLICY, index=-1)],
        "tunnels:\n    web:\n        proto: tls\n        addr: 443\n        traffic_policy:\n"
        "            on_tcp_connect:\n                - actions:\n                      - type: terminate-tls\n"
        '                        config:\n                            min_version: "1.2"\n',
    ),
    Case(
        "remove-key-with-comment-above-and-next-sections-comment-after",
        'version: "2"\n# the inspector\nweb_addr: 0.0.0.0:4040  # open to all\n# tunnels below\ntunnels:\n'
        "  web:\n    addr: 80\n",
        [Change(Op.REMOVE, ("web_addr",))],
        'version: "2"\n# tunnels below\ntunnels:\n  web:\n    addr: 80\n',
    ),
    Case(
        "remove-key-keeps-comment-separated-by-a-blank-line",
        'version: "2"\n# general settings\n\nweb_addr: 0.0.0.0:4040\nregion: us\n',
        [Change(Op.REMOVE, ("web_addr",))],
        'version: "2"\n# general settings\n\nregion: us\n',
    ),
    Case(
        "remove-first-key-keeps-the-file-header",
        "# ngrok config\nauthtoken: 4nq9fakeToken\nversion: 2\n",
        [Change(Op.REMOVE, ("authtoken",))],
        "# ngrok config\nversion: 2\n",
    ),
    Case(
        "remove-last-key-of-a-nested-map",
        "tunnels:\n  web:\n    addr: 80\n    inspect: false  # dev\n\n# trailing section comment\nregion: us\n",
        [Change(Op.REMOVE, ("tunnels", "web", "inspect"))],
        "tunnels:\n  web:\n    addr: 80\n\n# trailing section comment\nregion: us\n",
    ),
    Case(
        "remove-the-only-key-leaves-an-empty-map",
        "version: 3\nagent:\n  authtoken: ${NGROK_AUTHTOKEN}\nendpoints: []\n",
        [Change(Op.REMOVE, ("agent", "authtoken"))],
        "version: 3\nagent: {}\nendpoints: []\n",
    ),
    Case(
        "remove-a-section-between-blank-lines-leaves-one-blank-line",
        'version: "2"\n\nauthtoken: 4nq9fakeToken\n\ntunnels: {}\n',
        [Change(Op.REMOVE, ("authtoken",))],
        'version: "2"\n\ntunnels: {}\n',
    ),
    Case(
        "remove-a-whole-block-with-inner-comments",
        "tunnels:\n  # old one\n  legacy:\n    # its port\n    addr: 81\n    proto: http\n  web:\n    addr: 80\n",
        [Change(Op.REMOVE, ("tunnels", "legacy"))],
        "tunnels:\n  web:\n    addr: 80\n",
    ),
    Case(
        "remove-a-list-item",
        "tunnels:\n  web:\n    schemes:\n      - http  # plain\n      - https\n",
        [Change(Op.REMOVE, ("tunnels", "web", "schemes", 0))],
        "tunnels:\n  web:\n    schemes:\n      - https\n",
    ),
    Case(
        "rename-key-keeps-value-and-comments",
        "tunnels:\n  web:\n    # the policy\n    policy:  # keep me\n      inbound: []\n    addr: 80\n",
        [Change(Op.RENAME, ("tunnels", "web", "policy"), "traffic_policy")],
        "tunnels:\n  web:\n    # the policy\n    traffic_policy:  # keep me\n      inbound: []\n    addr: 80\n",
    ),
    Case(
        "rename-scalar-key",
        "auth_token: 4nq9fakeToken  # from the dashboard\ntunnels: {}\n",
        [Change(Op.RENAME, ("auth_token",), "authtoken")],
        "authtoken: 4nq9fakeToken  # from the dashboard\ntunnels: {}\n",
    ),
    Case(
        "insert-into-block-sequence-indented-dashes",
        "tunnels:\n  web:\n    schemes:\n      - http  # old\n    addr: 80\n",
        [Change(Op.INSERT, ("tunnels", "web", "schemes"), "https", index=-1)],
        "tunnels:\n  web:\n    schemes:\n      - http  # old\n      - https\n    addr: 80\n",
    ),
    Case(
        "insert-at-the-front-of-a-block-sequence",
        "tunnels:\n  web:\n    schemes:\n      - http\n    addr: 80\n",
        [Change(Op.INSERT, ("tunnels", "web", "schemes"), "https", index=0)],
        "tunnels:\n  web:\n    schemes:\n      - https\n      - http\n    addr: 80\n",
    ),
    Case(
        "insert-into-block-sequence-unindented-dashes",
        "tunnels:\n  web:\n    schemes:\n    - http\n    addr: 80\n",
        [Change(Op.INSERT, ("tunnels", "web", "schemes"), "https", index=-1)],
        "tunnels:\n  web:\n    schemes:\n    - http\n    - https\n    addr: 80\n",
    ),
    Case(
        "insert-into-flow-sequence",
        "tunnels:\n  web:\n    schemes: [http]  # both later\n",
        [Change(Op.INSERT, ("tunnels", "web", "schemes"), "https", index=-1)],
        "tunnels:\n  web:\n    schemes: [http, https]  # both later\n",
    ),
    Case(
        "insert-a-mapping-into-a-sequence-of-mappings",
        "endpoints:\n  - name: web\n    url: https://a.ngrok.app\n",
        [Change(Op.INSERT, ("endpoints",), {"name": "api", "url": "tcp://1.tcp.ngrok.io:20000"}, index=-1)],
        "endpoints:\n  - name: web\n    url: https://a.ngrok.app\n  - name: api\n    url: tcp://1.tcp.ngrok.io:20000\n",
    ),
    Case(
        # Another key in a removed key's place does not take its end-of-line comment (the comment
        # of `update: false` once landed on the `version` written above it)...
        "remove-and-set-at-the-same-place",
        "tunnels:\n  web:\n    bind_tls: true  # https only\n    addr: 80\n",
        [Change(Op.REMOVE, ("tunnels", "web", "bind_tls")),
         Change(Op.SET, ("tunnels", "web", "schemes"), ["https"], index=0)],
        "tunnels:\n  web:\n    schemes:\n      - https\n    addr: 80\n",
    ),
    Case(
        # ... a renamed one does: a fix that means "the same setting, written anew" says RENAME.
        "rename-and-set-keeps-the-comment",
        "tunnels:\n  web:\n    bind_tls: true  # https only\n    addr: 80\n",
        [Change(Op.RENAME, ("tunnels", "web", "bind_tls"), "schemes"),
         Change(Op.SET, ("tunnels", "web", "schemes"), ["https"])],
        "tunnels:\n  web:\n    schemes:  # https only\n      - https\n    addr: 80\n",
    ),
    Case(
        "text-splice-scalar",
        'version: "2"\nweb_addr: 0.0.0.0:4040  # inspector\n',
        [Text("0.0.0.0", "127.0.0.1")],
        'version: "2"\nweb_addr: 127.0.0.1:4040  # inspector\n',
    ),
    Case(
        "text-splice-remove-a-comment-line",
        'version: "2"\n# ngrok-lint: ignore[NGL999] stale\nweb_addr: 127.0.0.1:4040\n',
        [Text("# ngrok-lint: ignore[NGL999] stale\n", "")],
        'version: "2"\nweb_addr: 127.0.0.1:4040\n',
    ),
    Case(
        "text-splice-writing-a-new-line",
        "tunnels:\n  web:\n    addr: 80\n",
        [Text("    addr: 80", "    addr: 80\n    inspect: false")],
        "tunnels:\n  web:\n    addr: 80\n    inspect: false\n",
    ),
    Case(
        "document-start-with-a-comment-above",
        '# header\n---\n# about the file\nversion: "2"\nweb_addr: 0.0.0.0:4040\n',
        [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")],
        '# header\n---\n# about the file\nversion: "2"\nweb_addr: 127.0.0.1:4040\n',
    ),
    Case(
        "document-start-new-key-at-the-top",
        "# header\n---\nauthtoken: 4nq9fakeToken\n",
        [Change(Op.SET, ("version",), "2", index=0)],
        '# header\n---\nversion: "2"\nauthtoken: 4nq9fakeToken\n',
    ),
    Case(
        "what-ruamel-would-normalise-elsewhere-stays",
        "region: ~\nlog_level:  info\nlog: stdout   \nnothing: null\nflow: { a: 1,  b: 2 }\n\n  \n"
        "web_addr: 0.0.0.0:4040\nlast: x\n",
        [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")],
        "region: ~\nlog_level:  info\nlog: stdout   \nnothing: null\nflow: { a: 1,  b: 2 }\n\n  \n"
        "web_addr: 127.0.0.1:4040\nlast: x\n",
    ),
    Case(
        "what-ruamel-would-normalise-next-to-a-removal-stays",
        "region: ~\nlog_level:  info   \nweb_addr: 0.0.0.0:4040\nnothing: null\n",
        [Change(Op.REMOVE, ("web_addr",)), Change(Op.SET, ("version",), "2", index=-1)],
        'region: ~\nlog_level:  info   \nnothing: null\nversion: "2"\n',
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fix_is_byte_exact(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    for variant, before, after in _variants(case.before, case.after):
        outcome = _fix(monkeypatch, before, case.changes)
        unavailable = [f.fix_unavailable for f in outcome.analysis.findings if f.fix_unavailable]
        assert outcome.new_bytes is not None, f"{variant}: not fixed ({unavailable})"
        assert outcome.new_bytes == after, f"{variant}: {outcome.new_bytes!r}"
        assert outcome.fixed == 1
        assert not outcome.analysis.findings, f"{variant}: the finding should be gone"
        # The result is a fixed point: the engine has nothing left to do on it.
        original = decode("ngrok.yml", before).text  # type: ignore[union-attr]
        rerun = _analysis(monkeypatch, outcome.new_bytes, case.changes, fires=lambda doc: doc.text == original)
        again = fixer.fix_analysis(rerun, unsafe=False)
        assert again.new_bytes is None and again.fixed == 0


# --- refusals: the text stays, the finding says why ----------------------------------------------


def _refused(outcome: fixer.FixOutcome) -> str:
    assert outcome.new_bytes is None and outcome.diff == "" and outcome.fixed == 0
    (item,) = outcome.analysis.findings
    assert item.fix_unavailable
    assert not item.fix_unavailable.startswith("fix skipped")
    return item.fix_unavailable


def test_mixed_line_endings_refuse_structural_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"version: 2\r\nweb_addr: 0.0.0.0:4040\n", [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")])
    assert _refused(outcome) == "the file mixes CRLF and LF line endings"


def test_mixed_line_endings_still_allow_text_splices(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"version: 2\r\nweb_addr: 0.0.0.0:4040\n", [Text("0.0.0.0", "127.0.0.1")])
    assert outcome.new_bytes == b"version: 2\r\nweb_addr: 127.0.0.1:4040\n"


@pytest.mark.parametrize("text, path", [
    ("base: &b\n  addr: 80\ntunnels:\n  web: *b\n", ("base", "addr")),
    ("base: &b\n  addr: 80\ntunnels:\n  web: *b\n", ("tunnels", "web", "addr")),
    ("port: &p 80\ntunnels:\n  web:\n    addr: *p\n", ("port",)),
])
def test_anchored_or_aliased_targets_are_refused(text: str, path: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, text.encode(), [Change(Op.SET, path, 81)])
    assert "anchored" in _refused(outcome)


def test_merge_keys_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "defaults: &d\n  proto: http\ntunnels:\n  web:\n    <<: *d\n    addr: 80\n"
    outcome = _fix(monkeypatch, text.encode(), [Change(Op.SET, ("tunnels", "web", "addr"), 81)])
    assert "merge" in _refused(outcome)


def test_a_fix_that_breaks_the_syntax_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"version: 2\nweb_addr: 127.0.0.1:4040\n", [Text("127.0.0.1:4040", "[oops")])
    assert _refused(outcome).startswith("the fixed text would not parse")


def test_a_fix_that_changes_other_data_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Removing the indentation of `inspect` moves it out of `web`: data the fix is not about.
    text = b"tunnels:\n  web:\n    addr: 80\n    inspect: false\n"
    outcome = _fix(monkeypatch, text, [Text("    ", "", occurrence=1)])
    assert _refused(outcome).startswith("the fix would also change `tunnels.web")


def test_a_fix_that_does_not_remove_its_finding_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"web_addr: 0.0.0.0:4040\n", [Change(Op.SET, ("web_addr",), "0.0.0.0:4041")],
                   fires=lambda doc: "web_addr" in doc.data, path=("web_addr",))
    assert _refused(outcome) == "the finding is still reported after the fix"


def test_a_fix_that_changes_nothing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"web_addr: 127.0.0.1:4040\n", [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")])
    assert _refused(outcome) == "the fix changes nothing"


@pytest.mark.parametrize("text, change, reason", [
    (b"- a\n- b\n", Change(Op.INSERT, (0,), "c"), "the file's top level is not a mapping"),
    (b"a: 1\na: 2\n", Change(Op.SET, ("b",), 3), "the file has duplicate keys; remove them first"),
    (b"a: 1\n", Change(Op.REMOVE, ("b",)), "`b` is not in the file"),
    (b"a: 1\nb: 2\n", Change(Op.RENAME, ("a",), "b"), "`b` already exists"),
    (b"a: 1\n", Change(Op.INSERT, ("a",), "x"), "`a` is not a list"),
])
def test_structural_refusals(text: bytes, change: Change, reason: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _refused(_fix(monkeypatch, text, [change])) == reason


def test_unparsable_files_are_never_fixed() -> None:
    analysis = engine.analyze("ngrok.yml", b"version: 2\nweb_addr: [\n", Settings(), None)
    outcome = fixer.fix_analysis(analysis, unsafe=True)
    assert outcome.new_bytes is None and outcome.analysis is analysis


# --- selection -----------------------------------------------------------------------------------


def test_unsafe_fixes_need_the_unsafe_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"web_addr: 0.0.0.0:4040\n"
    change = [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")]
    assert _fix(monkeypatch, data, change, safety=Safety.UNSAFE).new_bytes is None
    assert _fix(monkeypatch, data, change, safety=Safety.UNSAFE, unsafe=True).new_bytes == b"web_addr: 127.0.0.1:4040\n"


def test_suppressed_findings_are_never_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"# ngrok-lint: ignore-file[TST001]\nweb_addr: 0.0.0.0:4040\n"
    outcome = _fix(monkeypatch, data, [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")])
    assert outcome.new_bytes is None


def test_several_findings_are_fixed_with_a_relint_in_between(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three findings: two TEXT fixes in one batch, then a structural one; all counted."""
    targets = {"web_addr": "127.0.0.1:4040", "region": "eu"}

    def check(doc: Any, ctx: Any) -> Iterator[Finding]:
        for key, wanted in targets.items():
            loc = doc.loc((key,))
            if loc is not None and doc.data[key] != wanted:
                yield Finding("TST001", "test-rule", Severity.WARNING, f"{key}", loc.value, (key,),
                              Fix("t", Safety.SAFE, (Change(Op.TEXT, value=wanted, start=loc.value.start, end=loc.value.end),)))
        if "version" not in doc.data:
            yield Finding("TST001", "test-rule", Severity.WARNING, "version", TOP, ("version",),
                          Fix("t", Safety.SAFE, (Change(Op.SET, ("version",), "2", index=0),)))

    monkeypatch.setattr(registry, "modules", lambda: (SimpleNamespace(META=META, check=check),))
    source = decode("ngrok.yml", b"# config\nweb_addr: 0.0.0.0:4040\nregion: us\n")
    analysis = engine.analyze_source(source, Settings(), frozenset({"TST001"}), None)  # type: ignore[arg-type]
    outcome = fixer.fix_analysis(analysis, unsafe=False)
    assert outcome.new_bytes == b'# config\nversion: "2"\nweb_addr: 127.0.0.1:4040\nregion: eu\n'
    assert outcome.fixed == 3 and outcome.analysis.findings == []


# --- preview (editor quick fixes, SARIF) ---------------------------------------------------------


def test_preview_gives_the_whole_new_text(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = _analysis(monkeypatch, b"web_addr: 0.0.0.0:4040\r\nregion: us\r\n",
                         [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")], safety=Safety.UNSAFE)
    (item,) = analysis.findings
    assert fixer.preview(analysis, item) == "web_addr: 127.0.0.1:4040\r\nregion: us\r\n"


def test_preview_refuses_like_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = _analysis(monkeypatch, b"base: &b\n  addr: 80\nweb: *b\n", [Change(Op.SET, ("base", "addr"), 81)])
    (item,) = analysis.findings
    result = fixer.preview(analysis, item)
    assert isinstance(result, fixer.FixRefusal) and "anchored" in result.reason


# --- the diff ------------------------------------------------------------------------------------


def test_diff_masks_secrets_and_names_both_sides(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "2abcDEFghiJKLmnoPQRstuVWXyz_0123456789abcdef"
    data = f"authtoken: {token}\nweb_addr: 0.0.0.0:4040\n".encode()
    outcome = _fix(monkeypatch, data, [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")])
    assert outcome.diff.startswith("--- a/ngrok.yml\n+++ b/ngrok.yml\n")
    assert "-web_addr: 0.0.0.0:4040\n+web_addr: 127.0.0.1:4040\n" in outcome.diff
    assert token not in outcome.diff and token[:8] not in outcome.diff
    assert " authtoken: 2abc…\n" in outcome.diff


def test_diff_masks_a_secret_the_fix_removes_in_a_crlf_file(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "2abcDEFghiJKLmnoPQRstuVWXyz_0123456789abcdef"
    data = f"version: 2\r\nauthtoken: {token}\r\n".encode()
    outcome = _fix(monkeypatch, data, [Change(Op.REMOVE, ("authtoken",))])
    assert outcome.new_bytes == b"version: 2\r\n"
    assert token[:8] not in outcome.diff and "-authtoken: 2abc…\n" in outcome.diff
    assert "\r" not in outcome.diff


def test_diff_marks_a_missing_final_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"a: 1\nweb_addr: x", [Change(Op.SET, ("web_addr",), "z")])
    assert outcome.diff.endswith("-web_addr: x\n\\ No newline at end of file\n+web_addr: z\n\\ No newline at end of file\n")


def test_a_failing_fix_in_a_batch_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    """Twelve TEXT fixes in one batch, one of which breaks the file: eleven are applied."""
    keys = [f"k{i}" for i in range(12)]

    def check(doc: Any, ctx: Any) -> Iterator[Finding]:
        for key in keys:
            loc = doc.loc((key,))
            if loc is not None and doc.data[key] == "bad":
                value = "[broken" if key == "k5" else "good"
                yield Finding("TST001", "test-rule", Severity.WARNING, key, loc.value, (key,),
                              Fix("t", Safety.SAFE, (Change(Op.TEXT, value=value, start=loc.value.start, end=loc.value.end),)))

    monkeypatch.setattr(registry, "modules", lambda: (SimpleNamespace(META=META, check=check),))
    source = decode("ngrok.yml", "".join(f"{key}: bad\n" for key in keys).encode())
    analysis = engine.analyze_source(source, Settings(), frozenset({"TST001"}), None)  # type: ignore[arg-type]
    outcome = fixer.fix_analysis(analysis, unsafe=False)
    expected = "".join(f"{key}: {'bad' if key == 'k5' else 'good'}\n" for key in keys)
    assert outcome.new_bytes == expected.encode() and outcome.fixed == 11
    (left,) = outcome.analysis.findings
    assert left.path == ("k5",) and left.fix_unavailable and left.fix_unavailable.startswith("the fixed text would not parse")


def test_utf16_files_are_written_back_as_utf16(monkeypatch: pytest.MonkeyPatch) -> None:
    data = codecs.BOM_UTF16_LE + "version: 2\r\nweb_addr: 0.0.0.0:4040\r\n".encode("utf-16-le")
    outcome = _fix(monkeypatch, data, [Change(Op.SET, ("web_addr",), "127.0.0.1:4040")])
    assert outcome.new_bytes == codecs.BOM_UTF16_LE + "version: 2\r\nweb_addr: 127.0.0.1:4040\r\n".encode("utf-16-le")


def test_new_lines_of_a_text_fix_follow_the_file_line_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    outcome = _fix(monkeypatch, b"a: 1\r\nb: 2\r\n", [Text("a: 1\n", "a: 1\nc: 3\n")])
    assert outcome.new_bytes == b"a: 1\r\nc: 3\r\nb: 2\r\n"


# --- through the command line (NGL008, a core rule with a TEXT fix) ------------------------------

TOKEN = "2abcDEFghiJKLmnoPQRstuVWXyz_0123456789abcdef"
STALE = f'version: "2"\nauthtoken: {TOKEN}  # ngrok-lint: ignore[NGL004]\n'


def test_cli_diff_masks_secrets_and_writes_nothing(tmp_path: Any) -> None:
    from conftest import run_cli

    target = tmp_path / "ngrok.yml"
    target.write_text(STALE)
    result = run_cli(["--diff", "--isolated", "--select", "NGL004,NGL008", str(target)])
    assert result.code == 1
    assert TOKEN not in result.out and TOKEN[:8] not in result.out
    assert "-authtoken: 2abc…  # ngrok-lint: ignore[NGL004]\n+authtoken: 2abc…\n" in result.out
    assert target.read_text() == STALE


def test_cli_fix_rewrites_the_file(tmp_path: Any) -> None:
    from conftest import run_cli

    target = tmp_path / "ngrok.yml"
    target.write_bytes(STALE.replace("\n", "\r\n").encode())
    result = run_cli(["--fix", "--isolated", "--select", "NGL004,NGL008", str(target)])
    assert result.code == 0  # ruff's contract: nothing failing remains (pre-commit fails a hook that changed a file)
    assert target.read_bytes() == f'version: "2"\r\nauthtoken: {TOKEN}\r\n'.encode()
    assert TOKEN not in result.out
