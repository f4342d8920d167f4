"""The loader: values read as the agent reads them, positions, formats, and bounded work."""

from __future__ import annotations

import codecs

import pytest

from ngrok_lint.loader import Document, ParseProblem, parse
from ngrok_lint.source import DecodeError, decode


def doc(text: str) -> Document:
    result = parse("t.yml", text)
    assert isinstance(result, Document), result
    return result


@pytest.mark.parametrize(
    "raw, value",
    [
        ("yes", True), ("No", False), ("on", True), ("OFF", False), ("true", True), ('"true"', "true"),
        ("'yes'", "yes"), ("80", 80), ('"80"', "80"), ("1.2", 1.2), ('"1.2"', "1.2"), ("", None), ("~", None),
        ("null", None), ("0x1F", 31), ("2024-01-01", "2024-01-01"), ("y", True), ("N", False), ("'y'", "y"),
    ],
)
def test_scalars_are_read_as_yaml_1_1(raw: str, value: object) -> None:
    assert doc(f"k: {raw}\n").data == {"k": value}


@pytest.mark.parametrize(
    "text, path, key, value",
    [
        ("a: 1\n", ("a",), (1, 1), (1, 4)),
        ("a:\n  b: [x, y]\n", ("a", "b", 1), None, (2, 10)),
        ("a:\n    - name: x\n      url: y\n", ("a", 0, "url"), (3, 7), (3, 12)),
        ("a: {b: 'q'}\n", ("a", "b"), (1, 5), (1, 8)),
    ],
)
def test_positions_are_one_based(text, path, key, value) -> None:
    d = doc(text)
    loc = d.loc(path)
    assert (loc.value.line, loc.value.column) == value
    if key:
        assert (loc.key.line, loc.key.column) == key


@pytest.mark.parametrize(
    "text, declared, read_as",
    [
        ("authtoken: x\n", "legacy", "legacy"),
        ("version: 2\n", "v2", "v2"),
        ("version: '3'\n", "v3", "v3"),
        ("version: 1\n", "legacy", "legacy"),
        ("agent: {authtoken: x}\n", "legacy", "v3"),
        ("tunnels: {a: {proto: http, addr: 1, schemes: [https]}}\n", "legacy", "v2"),
        ("tunnels: {a: {proto: {http: 80}}}\n", "legacy", "v1"),
        ("trust_host_root_certs: true\n", "legacy", "v1"),
        ("auth_token: x\n", "legacy", "legacy"),
    ],
)
def test_format_detection(text, declared, read_as) -> None:
    d = doc(text)
    assert (d.declared_format, d.format) == (declared, read_as)


def test_duplicates_are_recorded_with_first_line() -> None:
    d = doc("a: 1\nb: 2\na: 3\n")
    assert d.data == {"a": 3, "b": 2}
    (dup,) = d.duplicates
    assert dup.path == ("a",) and dup.span.line == 3 and dup.first_line == 1


def test_merge_keys_and_aliases() -> None:
    d = doc("base: &b {proto: http, addr: 80}\ntunnels:\n  web:\n    <<: *b\n    addr: 81\n")
    assert d.data["tunnels"]["web"] == {"proto": "http", "addr": 81}


def test_billion_laughs_is_a_problem_not_a_hang() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    result = parse("bomb.yml", "\n".join(lines) + "\n")
    assert isinstance(result, ParseProblem) and "aliases expand" in result.message


def test_deep_nesting_is_bounded() -> None:
    result = parse("deep.yml", "a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert isinstance(result, ParseProblem) and "nests deeper" in result.message


@pytest.mark.parametrize(
    "data, text",
    [
        (codecs.BOM_UTF8 + b"a: 1\n", "a: 1\n"),
        ("a: é\n".encode("utf-16"), "a: é\n"),
        (codecs.BOM_UTF32_LE + "a: 1\n".encode("utf-32-le"), "a: 1\n"),
        (b"a: 1\r\nb: 2\r\n", "a: 1\r\nb: 2\r\n"),
    ],
)
def test_decoding(data: bytes, text: str) -> None:
    source = decode("x", data)
    assert not isinstance(source, DecodeError)
    assert source.text == text and source.encode(source.text) == data


def test_invalid_utf8_is_a_decode_error_with_position() -> None:
    error = decode("x", b"a: 1\nb: \xff\n")
    assert isinstance(error, DecodeError) and (error.line, error.column) == (2, 4)


def test_multiple_documents_point_at_the_separator() -> None:
    result = parse("x", "a: 1\n---\nb: 2\n")
    assert isinstance(result, ParseProblem) and result.span.line == 2


def test_crlf_positions() -> None:
    d = doc("a: 1\r\nb: x\r\n")
    loc = d.loc(("b",))
    assert (loc.value.line, loc.value.column) == (2, 4)
    assert d.text[loc.value.start:loc.value.end] == "x"
