"""One long value costs linear time on every path (issue: no quadratic regexes).

Each test runs a code path that a regular expression once made quadratic on a 1 MB value and
asserts what it returns, not how long it takes: with the old expressions these calls ran for
hours, so the test cannot pass without the linear code. Speed itself is measured by the growth
section of `bench/run.py` (`--growth`), which doubles every string field the schemas know.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest

from ngrok_lint import secrets
from ngrok_lint.engine import lint_text
from ngrok_lint.rules.ngl006_unexpanded_variable import references
from ngrok_lint.schema import describe

MB = 1024 * 1024


def test_schema_message_of_a_url_with_user_and_no_at() -> None:
    """The password-in-URL regex of the schema messages rescanned to the end at each position."""
    value = "http://user:" + "p" * MB
    assert describe(value) == 'the string "' + value[:57] + '…"'
    assert describe("http://bob:" + "s" * MB + "@host") == 'the string "http://bob:ssss…@host"'


def test_secret_masking_of_a_url_with_user_and_no_at() -> None:
    text = "proxy_url: http://user:" + "p" * MB + "\n"
    assert secrets.redact(text) == text  # no `@`: no password to mask
    with_at = "proxy_url: http://user:" + "p" * MB + "@proxy:3128\n"
    assert secrets.redact(with_at) == "proxy_url: http://user:pppp…@proxy:3128\n"
    assert list(secrets.url_passwords("u:" * (MB // 2) + "@", scheme=False)) == [(2, MB)]  # the first colon splits


def test_secret_masking_of_many_pem_headers_without_an_end() -> None:
    text = "key: " + "-----BEGIN PRIVATE KEY-----" * (MB // 27)
    bodies = list(secrets.pem_bodies(text))
    assert bodies[0] == (5 + 27, len(text))
    assert all(end == len(text) for _, end in bodies)


def test_unexpanded_variable_references_of_a_value_full_of_unclosed_defaults() -> None:
    """NGL006's `${NAME:-default}` regex rescanned to the end at each unclosed `${A:-`."""
    assert references("${A:-" * (MB // 5)) == []
    assert references("${A:-x}" * (MB // 7)) == [("A", "${A:-…}")] * (MB // 7)
    assert references("$" * (MB + 1) + "A") == [("A", "$A")]  # an even run of `$` before it: not escaped
    assert references("$" * MB + "A") == []  # an odd run: `$$` escapes the dollar sign


def _reference_regex(text: str) -> List[Tuple[str, str]]:
    """The regular expression NGL006 used, as the reference on short strings."""
    pattern = re.compile(
        r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<rest>:?[-=?+][^}]*)?\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))")
    found = []
    for match in pattern.finditer(text):
        run = 0
        while match.start() - run - 1 >= 0 and text[match.start() - run - 1] == "$":
            run += 1
        if run % 2:
            continue
        if match.group("bare"):
            found.append((match.group("bare"), match.group(0)))
        else:
            name, rest = match.group("braced"), match.group("rest") or ""
            operator = rest[:2] if rest.startswith(":") else rest[:1]
            found.append((name, "${" + name + (operator + "…" if rest else "") + "}"))
    return found


def test_unexpanded_variable_references_agree_with_the_old_expression() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=3000, deadline=None, derandomize=True)
    @given(st.text(st.sampled_from("$${}:-=?+A_b1 x"), max_size=16))
    def agree(text: str) -> None:
        assert references(text) == _reference_regex(text)

    agree()


@pytest.mark.parametrize("key, value, code", [
    ("metadata", "${A:-" * (MB // 5), None),
    ("addr", "a" * MB, "NGL002"),
    ("hostname", ("a" * 61 + ".") * (MB // 62) + "com", None),  # a valid host name, only long
    ("addr", "http://user:" + "p" * MB, "NGL002"),
    ("host_header", "a:" * (MB // 2), None),
], ids=["metadata-defaults", "addr-letters", "hostname-labels", "addr-url-user", "host-header-colons"])
def test_a_legacy_tunnel_with_one_long_value_is_linted(key: str, value: str, code: str) -> None:
    text = f"tunnels:\n  web:\n    proto: http\n    addr: 80\n    {key}: \"{value}\"\n".replace("addr: 80\n    addr", "addr")
    found = lint_text(text)
    codes = {f.code for f in found}
    assert "NGL001" not in codes
    if code:
        assert code in codes
    assert all(len(f.message) < 2000 for f in found)  # messages quote a long value shortened


@pytest.mark.parametrize("value", ["a" * MB, "${A:-" * (MB // 5), "http://user:" + "p" * MB, "${" * (MB // 2)],
                         ids=["letters", "defaults", "url-user", "braces"])
def test_a_v3_connect_url_and_url_of_one_megabyte_are_linted(value: str) -> None:
    text = (f'version: 3\nagent:\n  connect_url: "{value}"\n  connect_timeout: "{value}"\nendpoints:\n'
            f'  - name: web\n    url: "{value}"\n    upstream:\n      url: 8080\n')
    found = lint_text(text)
    assert {"NGL002"} <= {f.code for f in found}
    assert "NGL001" not in {f.code for f in found}


def test_the_text_output_cuts_a_long_span_and_finds_placeholders_in_a_long_credential(tmp_path: Path) -> None:
    """The text report showed a finding's whole span: a 1 MB line on the terminal (and a loop
    over each of its characters); the placeholder check walked a 1 MB password a character at a time."""
    from conftest import run_cli
    from ngrok_lint.placeholders import credential_is_placeholder, is_placeholder

    path = tmp_path / "ngrok.yml"
    path.write_text("version: 3\nendpoints:\n- url: http://" + "a" * MB + ".example.com\n", encoding="utf-8")
    result = run_cli(["--isolated", str(path)])
    assert "NGL002" in result.out and "missing required key `name`" in result.out
    source_lines = [line for line in result.out.splitlines() if line.startswith("3 |")]
    assert source_lines and all(len(line) < 400 for line in source_lines), [len(line) for line in source_lines]
    assert source_lines[0].endswith("…")
    assert not is_placeholder("p" * MB) and is_placeholder("p" * MB + " ") and is_placeholder("\u6539" * MB)
    assert credential_is_placeholder("user:" + "x" * MB + "_here")
