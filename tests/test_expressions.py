"""Traffic Policy CEL expressions (ngrok_lint/expressions.py): found where the policy has CEL,
parsed by cel-python, and placed back inside the YAML string through its quoting."""

from __future__ import annotations

import textwrap
from typing import List, Tuple

import pytest

from ngrok_lint import expressions
from ngrok_lint.engine import analyze
from ngrok_lint.config import Settings

pytest.importorskip("celpy")


def _lint(policy: str, select: str = "NGL002", newline: str = "\n") -> List[Tuple[int, int, str]]:
    text = (
        "version: 3\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream: {url: 8080}\n"
        "    traffic_policy:\n" + textwrap.indent(textwrap.dedent(policy), "      ")
    )
    settings = Settings(select=(select,))
    analysis = analyze("ngrok.yml", text.replace("\n", newline).encode(), settings, None)
    return [(f.span.line, f.span.column, f.message) for f in analysis.findings if f.code == select]


@pytest.mark.parametrize(
    "written, column",
    [
        ("req.method == 'GET' &&& true", 37),  # plain: the text itself
        ("'req.method == ''GET'' &&& true'", 40),  # single quotes: '' is one character
        ('"req.method == \\"GET\\" &&& true"', 40),  # double quotes: an escape is one character
        ('"\'\\u00e9\' == req.method &&& true"', 41),  # a 6-character escape
    ],
)
def test_a_syntax_error_points_inside_a_one_line_string(written: str, column: int) -> None:
    found = _lint(f"""\
        on_http_request:
          - expressions:
              - {written}
            actions:
              - type: deny
        """)
    assert [(line, col) for line, col, _ in found] == [(9, column)]
    assert "unexpected character `&`" in found[0][2]


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_literal_block_maps_line_by_line(newline: str) -> None:
    found = _lint("""\
        on_http_request:
          - expressions:
              - |
                req.method == 'GET' &&
                  req.url.path ]
            actions:
              - type: deny
        """, newline=newline)
    assert [(line, col) for line, col, _ in found] == [(11, 30)]


def test_a_folded_block_falls_back_to_the_scalar() -> None:
    found = _lint("""\
        on_http_request:
          - expressions:
              - >
                req.method == 'GET' &&
                  req.url.path ]
            actions:
              - type: deny
        """)
    assert [(line, col) for line, col, _ in found] == [(9, 15)]


def test_a_policy_written_as_text_points_at_its_key() -> None:
    text = (
        "version: 3\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream: {url: 8080}\n"
        "    traffic_policy: |\n      on_http_request:\n        - expressions: [\"req.method ==\"]\n"
        "          actions: [{type: deny}]\n"
    )
    analysis = analyze("ngrok.yml", text.encode(), Settings(select=("NGL002",)), None)
    [finding] = [f for f in analysis.findings if f.code == "NGL002"]
    assert (finding.span.line, finding.span.column) == (6, 21)
    assert finding.message.endswith("(in the policy text)")


def test_interpolations_skip_braces_inside_cel_strings() -> None:
    assert list(expressions.interpolations("a ${'}' + x} b ${y}")) == [(4, "'}' + x"), (17, "y")]
    assert list(expressions.interpolations("no ${ end")) == [(5, " end")]


def test_an_unknown_variable_is_a_warning_with_a_suggestion() -> None:
    found = _lint("""\
        on_http_request:
          - expressions: ["req.Headers['x'][0] == 'y'"]
            actions: [{type: deny}]
        """, select="NGL010")
    assert len(found) == 1 and "did you mean `req.headers`?" in found[0][2]
    from ngrok_lint import registry

    assert registry.lookup("NGL010").severity.label == "warning"


def test_without_the_parser_expressions_are_skipped_and_action_types_still_checked(monkeypatch) -> None:
    monkeypatch.setattr(expressions, "_PARSER", [None])
    policy = """\
        on_http_request:
          - expressions: ["req.Headers ==== 1"]
            actions: [{type: denyy}]
        """
    assert _lint(policy, select="NGL002") == []
    [(_, _, message)] = _lint(policy, select="NGL010")
    assert "unknown action type `denyy`" in message


def test_on_the_real_world_corpus_ngl010_fires_only_where_a_name_is_wrong() -> None:
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("shared/corpus/real-world is not available")
    pins = {
        # ngrok's own docs example (agent config page, `policy.inbound`) writes `req.ContentLength`;
        # the variable is `req.content_length`
        "121-ngrok__ngrok-docs__examples_agent-config_http-traffic-policy.mdx.yml": 1,
    }
    got = {}
    for path in sorted(CORPUS.glob("*.yml")):
        analysis = analyze(str(path), path.read_bytes(), Settings(select=("NGL010", "NGL002")), str(path.parent))
        hits = [f for f in analysis.findings if f.code == "NGL010" or "does not parse" in f.message]
        if hits:
            got[path.name] = len(hits)
    assert got == pins


def test_hostile_expressions_end_quickly_without_a_crash() -> None:
    deep = "(" * 1000 + "req.Method" + ")" * 1000
    assert expressions.unknown_names(expressions.parse_text(deep)) == []  # too deep to walk: unchecked
    assert expressions.parse_text("a && " * 3000 + "b") is None  # past MAX_LENGTH: not parsed
    found = _lint(f"""\
        on_http_request:
          - expressions: ["{deep}", "{'a && ' * 3000}b"]
            actions: [{{type: deny}}]
        """, select="NGL010")
    assert found == []
