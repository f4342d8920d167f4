"""Property tests: generated configs must never break the linter or the fixer.

Two sources of files:
(a) data generated from the published JSON Schemas (legacy, v2, v3) with hypothesis-jsonschema,
    shrunk for speed (references inlined, conditional branches dropped, at most a few keys and
    items per level, at least one tunnel or endpoint), rendered to YAML in varied styles (PyYAML block or flow, a small emitter of
    our own with 2- or 4-space indents, indented or flush sequences, flow lists, quoted keys), with
    comments injected, CRLF line ends, a BOM, or no final newline;
(b) mutations of the real-world corpus files (schemes flipped, `web_addr` hosts changed, keys
    dropped, inserted or duplicated, indentation 2 <-> 4, lists switched between flow and block,
    YAML 1.1 booleans, comments and suppression comments added, CRLF, BOM, final newline removed).

For every file: linting never raises (`engine.analyze`/`finish`, the command line with
`--format json`), and `--fix --unsafe-fixes` (the fix engine, optionally with NGL402):
- gives a file that parses;
- keeps every comment on a line no fix touches;
- changes no data outside what the applied fixes are about (plain data compared with the fixed
  findings' paths removed) and no line outside the lines the fixes touch (every other line of the
  original is still there, in order) — the fixes are replayed one at a time to know which;
- is a fixed point: fixing the result again changes nothing;
- introduces no finding of a rule that was not there before, except the pairs in
  :data:`FOLLOW_UPS`, each with its reason.

Failures print the hypothesis blob to reproduce them. Example counts are small so that the file
runs in about a minute on two cores; `NGROK_LINT_HYPOTHESIS_EXAMPLES=500` raises every count.
"""

from __future__ import annotations

import codecs
import copy
import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis.errors import InvalidArgument
from hypothesis import strategies as st

import fixcheck
from conftest import CORPUS, ROOT, run_cli

from ngrok_lint import engine, fixer, proof
from ngrok_lint.config import Overrides, settings_for
from ngrok_lint.loader import Document, parse
from ngrok_lint.source import Source, decode

_OVERRIDE = int(os.environ.get("NGROK_LINT_HYPOTHESIS_EXAMPLES", "0") or 0)


def examples(default: int) -> int:
    return _OVERRIDE or default


#: CI runs a fixed sequence of examples (the same on every run, so a submission cannot fail by
#: chance); a developer's run explores new ones each time. NGROK_LINT_HYPOTHESIS_RANDOM=1 explores in CI too.
_DERANDOMIZE = bool(os.environ.get("CI")) and not os.environ.get("NGROK_LINT_HYPOTHESIS_RANDOM")


def _settings(count: int) -> Any:
    return settings(
        max_examples=examples(count),
        deadline=None,
        derandomize=_DERANDOMIZE,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.function_scoped_fixture],
    )


# --- (a) data from the schemas ---------------------------------------------------------------------

_DROP_KEYS = {"description", "markdownDescription", "examples", "default", "deprecated", "title", "$id", "$schema",
              "definitions"}


def _shrunk_schema(name: str) -> Dict[str, Any]:
    """The published schema, made cheap to generate from: `$ref`s inlined (bounded depth), docs
    dropped, at most 3 keys per mapping and 2 items per list, and no `if`/`then` branches (with
    them, hypothesis-jsonschema needs seconds per example, or minutes to start)."""
    schema = json.loads((ROOT / "schemas" / f"ngrok-agent-{name}.schema.json").read_text(encoding="utf-8"))
    definitions = schema.get("definitions", {})

    def walk(node: Any, depth: int) -> Any:
        if isinstance(node, list):
            return [walk(item, depth) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            if depth >= 6:
                return {}
            return walk(copy.deepcopy(definitions[node["$ref"].split("/")[-1]]), depth + 1)
        out: Dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROP_KEYS or key.startswith("x-"):
                continue
            if key in ("if", "then", "else", "allOf"):
                continue
            if key in ("properties", "patternProperties"):
                out[key] = {k: walk(v, depth) for k, v in value.items()}
            else:
                out[key] = walk(value, depth)
        types = out.get("type")
        types = types if isinstance(types, list) else [types]
        if "object" in types or "properties" in out:
            out.setdefault("maxProperties", 3)
        if "array" in types or "items" in out:
            out.setdefault("maxItems", 2)
        return out

    shrunk = walk(schema, 0)
    # Every file gets at least one tunnel or endpoint: that is where most rules look.
    sites = "endpoints" if name == "v3" else "tunnels"
    shrunk["required"] = sorted(set(shrunk.get("required", [])) | {sites})
    shrunk["maxProperties"] = 4
    holder = shrunk["properties"][sites]
    holder.update({"minItems": 1} if name == "v3" else {"minProperties": 1})
    holder["type"] = "array" if name == "v3" else "object"
    item = holder.get("items") if name == "v3" else holder.get("additionalProperties")
    if isinstance(item, dict):
        item["maxProperties"] = 5
    return shrunk


@lru_cache(maxsize=None)
def _schema_strategy(name: str) -> st.SearchStrategy:
    from hypothesis_jsonschema import from_schema

    return from_schema(_shrunk_schema(name))


def schema_data(name: str) -> st.SearchStrategy:
    return st.deferred(lambda: _schema_strategy(name))


# --- rendering data as YAML text -------------------------------------------------------------------


def scalar_text(value: Any) -> str:
    """A scalar as YAML flow text that reads back as the same value (PyYAML chooses the quoting)."""
    text = yaml.safe_dump([value], default_flow_style=True, width=1 << 30, allow_unicode=True)
    return text.strip()[1:-1].strip()


def emit(data: Any, indent: int, indent_sequences: bool, flow_lists: bool, quote_keys: bool) -> str:
    """A small block-style emitter: `indent` spaces per level, a mapping's sequences indented or
    flush with its keys, lists of scalars optionally in flow style, keys optionally double-quoted."""
    out: List[str] = []

    def key_text(key: Any) -> str:
        return json.dumps(key) if quote_keys and isinstance(key, str) else scalar_text(key)

    def mapping(node: Dict[Any, Any], col: int) -> None:
        for key, value in node.items():
            entry(" " * col + key_text(key) + ":", value, col)

    def entry(head: str, value: Any, col: int) -> None:
        if isinstance(value, dict) and value:
            out.append(head)
            mapping(value, col + indent)
        elif isinstance(value, list) and value:
            if flow_lists and all(not isinstance(v, (dict, list)) for v in value):
                out.append(head + " [" + ", ".join(scalar_text(v) for v in value) + "]")
            else:
                out.append(head)
                sequence(value, col + (indent if indent_sequences else 0))
        elif isinstance(value, (dict, list)):
            out.append(head + (" {}" if isinstance(value, dict) else " []"))
        elif value is None:
            out.append(head)
        else:
            out.append(head + " " + scalar_text(value))

    def sequence(items: List[Any], col: int) -> None:
        pad = " " * col
        for item in items:
            if isinstance(item, dict) and item:
                for number, (key, value) in enumerate(item.items()):
                    lead = pad + "- " if number == 0 else " " * (col + 2)
                    entry(lead + key_text(key) + ":", value, col + 2)
            elif isinstance(item, list) and item:
                out.append(pad + "-")
                sequence(item, col + 2)
            elif isinstance(item, (dict, list)):
                out.append(pad + ("- {}" if isinstance(item, dict) else "- []"))
            else:
                out.append(pad + "- " + scalar_text(item))

    if isinstance(data, dict):
        mapping(data, 0)
    elif isinstance(data, list):
        sequence(data, 0)
    else:
        out.append(scalar_text(data))
    return "\n".join(out) + ("\n" if out else "")


COMMENTS = ["# a comment", "#no space", "# ngrok-lint: ignore[NGL101] reason", "# ngrok-lint: ignore[NGL999]",
            "# ngrok-lint: ignore[http-scheme]", "# héllo ✓", "# key: value # nested"]
_EOL_SAFE = re.compile(r"^\s*(?:- )?[\w\"'.-]+:\s+[^'\"#\[{|>&*!%@`]\S*$|^\s*- [^'\"#\[{|>&*!%@`]\S*$")


@st.composite
def with_comments(draw: Callable, text: str) -> str:
    """Own-line and end-of-line comments at drawn places; kept only when the data reads the same."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        if not lines:
            break
        where = draw(st.integers(0, len(lines) - 1))
        comment = draw(st.sampled_from(COMMENTS))
        if draw(st.booleans()) and _EOL_SAFE.match(lines[where]):
            lines[where] = lines[where] + draw(st.sampled_from(["  ", " ", "   "])) + comment
        else:
            pad = len(lines[where]) - len(lines[where].lstrip(" "))
            lines.insert(where, " " * draw(st.sampled_from([0, pad])) + comment)
    if draw(st.booleans()):
        lines.insert(0, "# ngrok config")
    candidate = "\n".join(lines)
    return candidate if _same_data(text, candidate) else text


def _same_data(a: str, b: str) -> bool:
    x, y = parse("a.yml", a), parse("b.yml", b)
    if isinstance(x, Document) and isinstance(y, Document):
        return x.data == y.data
    return isinstance(x, Document) == isinstance(y, Document)


@st.composite
def rendered(draw: Callable, data: Any) -> str:
    style = draw(st.sampled_from(["pyyaml-block", "pyyaml-flow-leaves", "pyyaml-explicit", "emitter"]))
    if style == "emitter":
        text = emit(data, draw(st.sampled_from([2, 4])), draw(st.booleans()), draw(st.booleans()), draw(st.booleans()))
        if not _same_data(yaml.safe_dump(data, sort_keys=False), text):
            text = yaml.safe_dump(data, sort_keys=False, width=1 << 30, allow_unicode=True)
    else:
        text = yaml.safe_dump(
            data, sort_keys=False, width=1 << 30, allow_unicode=draw(st.booleans()),
            default_flow_style=None if style == "pyyaml-flow-leaves" else False,
            indent=draw(st.sampled_from([2, 4])), explicit_start=style == "pyyaml-explicit",
        )
    return draw(with_comments(text))


@st.composite
def encoded(draw: Callable, text: str) -> bytes:
    """Line ends, BOM and final newline drawn independently."""
    if draw(st.booleans()) and text.endswith("\n"):
        text = text[:-1]
    if draw(st.integers(0, 3)) == 0:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.integers(0, 3)) == 0:
        data = codecs.BOM_UTF8 + data
    return data


# --- (b) mutations of the corpus -------------------------------------------------------------------

CORPUS_TEXTS: List[Tuple[str, str]] = []
if CORPUS.is_dir():
    for _path in sorted(CORPUS.glob("*.yml")):
        _decoded = decode(str(_path), _path.read_bytes())
        if isinstance(_decoded, Source) and isinstance(parse(str(_path), _decoded.text), Document):
            CORPUS_TEXTS.append((_path.name, _decoded.text.replace("\r\n", "\n")))

INSERTS = [
    ("inspect", "false"), ("bind_tls", "both"), ("bind_tls", "false"), ("schemes", "[http, https]"),
    ("schemes", "\n  - http"), ("authtoken", "2Nq8ZkVbXw5Rt3Lp9HyQe7Uc1Jd_4mFgTs6AoKiPv8WxYzBn"),
    ("crl_noverify", "true"), ("region", "us"), ("update_check", "no"), ("host_header", "rewrite"),
    ("auth", '"user:secretpass1"'), ("basic_auth", '["user:pw"]'), ("proto", "http"), ("addr", "80"),
    ("addr", "192.168.1.10:8080"), ("web_addr", "0.0.0.0:4040"), ("hostname", "app.example.com"),
    ("subdomain", "app"), ("policy", "{}"), ("inbound", "[]"), ("unknown_key", "x"), ("host-header", "rewrite"),
    ("version", '"2"'), ("version", "3"), ("url", "http://app.example.com"), ("api_key", "${NGROK_API_KEY}"),
    ("authtoken", "$NGROK_AUTHTOKEN"), ("log_level", "info"), ("console_ui", "yes"), ("root_cas", "host"),
]
WEB_ADDRS = ["0.0.0.0:4040", "localhost:4040", "192.168.1.5:4041", "false", "4040", ":4040", '"[::]:4040"',
             "127.0.0.1:4040", "host.docker.internal:4040"]
BOOLEAN_SPELLINGS = ["yes", "no", "on", "off", "y", "n", "True", "FALSE", '"true"']


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_lines(lines: List[str]) -> List[int]:
    return [i for i, line in enumerate(lines) if re.match(r"^\s*(?:- )?[\w\"'.-]+:(\s|$)", line)]


@st.composite
def mutated_corpus(draw: Callable) -> Tuple[str, str]:
    name, text = draw(st.sampled_from(CORPUS_TEXTS))
    applied: List[str] = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from([
            "flip-scheme", "web-addr", "drop-key", "insert-key", "duplicate-key", "indent", "flow-block",
            "booleans", "comments", "blank-lines", "version", "quote-key", "trailing-space", "markers", "anchor",
        ]))
        lines = text.split("\n")
        keys = _key_lines(lines)
        if kind == "flip-scheme":
            spots = [m.start() for m in re.finditer(r"\bhttps?\b", text)]
            if spots:
                at = draw(st.sampled_from(spots))
                word = "https" if text.startswith("https", at) else "http"
                text = text[:at] + ("http" if word == "https" else "https") + text[at + len(word):]
        elif kind == "web-addr":
            value = draw(st.sampled_from(WEB_ADDRS))
            spots = [i for i, line in enumerate(lines) if re.match(r"^\s*web_addr:", line)]
            if spots:
                i = spots[0]
                lines[i] = lines[i].split(":", 1)[0] + ": " + value
            else:
                lines.insert(0, f"web_addr: {value}")
            text = "\n".join(lines)
        elif kind == "drop-key" and keys:
            i = draw(st.sampled_from(keys))
            end = i + 1
            while end < len(lines) and (not lines[end].strip() or _indent_of(lines[end]) > _indent_of(lines[i])):
                end += 1
            del lines[i:end]
            text = "\n".join(lines)
        elif kind == "insert-key" and keys:
            i = draw(st.sampled_from(keys))
            key, value = draw(st.sampled_from(INSERTS))
            pad = " " * (_indent_of(lines[i]) + (2 if lines[i].lstrip().startswith("- ") else 0))
            if value.startswith("\n"):
                value = value.replace("\n", "\n" + pad)
            lines.insert(i, f"{pad}{key}: {value}" if not value.startswith("\n") else f"{pad}{key}:{value}")
            text = "\n".join(lines)
        elif kind == "duplicate-key" and keys:
            i = draw(st.sampled_from(keys))
            if lines[i].rstrip().endswith(":"):
                continue
            copy_line = lines[i].replace("- ", "  ", 1) if lines[i].lstrip().startswith("- ") else lines[i]
            lines.insert(i + 1, copy_line)
            text = "\n".join(lines)
        elif kind == "indent":
            indents = {_indent_of(line) for line in lines if line.strip()}
            if draw(st.booleans()) or any(n % 2 for n in indents):
                text = "\n".join(" " * (2 * _indent_of(l)) + l.lstrip(" ") if l.strip() else l for l in lines)
            else:
                text = "\n".join(" " * (_indent_of(l) // 2) + l.lstrip(" ") if l.strip() else l for l in lines)
        elif kind == "flow-block":
            text = _switch_list_style(text, draw(st.integers(0, 10)))
        elif kind == "booleans":
            spots = [m for m in re.finditer(r"(?<=: )(true|false)$", text, re.M)]
            if spots:
                m = draw(st.sampled_from(spots))
                text = text[:m.start()] + draw(st.sampled_from(BOOLEAN_SPELLINGS)) + text[m.end():]
        elif kind == "comments":
            text = draw(with_comments(text))
        elif kind == "version":
            value = draw(st.sampled_from(['"2"', "2", "3", '"3"', "1", None]))
            kept = [line for line in lines if not line.startswith("version:")]
            text = "\n".join(kept if value is None else [f"version: {value}"] + kept)
        elif kind == "quote-key" and keys:
            i = draw(st.sampled_from(keys))
            lines[i] = re.sub(r"^(\s*(?:- )?)([\w.-]+):", lambda m: f'{m.group(1)}"{m.group(2)}":', lines[i], count=1)
            text = "\n".join(lines)
        elif kind == "trailing-space" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = lines[i] + draw(st.sampled_from([" ", "  ", "\t"]))
            text = "\n".join(lines)
        elif kind == "markers":
            text = draw(st.sampled_from(["---\n", "--- # start\n", "%YAML 1.1\n---\n"])) + text
            if draw(st.booleans()):
                text = text.rstrip("\n") + "\n...\n"
        elif kind == "anchor":
            spots = [i for i in keys if not lines[i].lstrip().startswith("- ") and lines[i].rstrip().endswith(":")]
            if spots:
                i = draw(st.sampled_from(spots))
                lines[i] = lines[i].rstrip() + " &anchor"
                text = "\n".join(lines) + "\nx-copy: *anchor\n"
        elif kind == "blank-lines" and lines:
            lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "   "])))
            text = "\n".join(lines)
        applied.append(kind)
    return f"{name} {applied}", text


def _switch_list_style(text: str, pick: int) -> str:
    """Turn one flow list of plain scalars into a block list, or one block list into a flow list."""
    flow = list(re.finditer(r"^( *)((?:- )?[\w.-]+): \[([^\[\]{}#'\"]*)\] *$", text, re.M))
    block = list(re.finditer(r"^( *)([\w.-]+):\n((?:\1 *- [^\n\[\]{}#:'\",]+\n)+)", text, re.M))
    choices: List[Tuple[str, Any]] = [("flow", m) for m in flow] + [("block", m) for m in block]
    if not choices:
        return text
    kind, m = choices[pick % len(choices)]
    if kind == "flow":
        items = [i.strip() for i in m.group(3).split(",") if i.strip()]
        if not items:
            return text
        pad = m.group(1) + ("  " if m.group(2).startswith("- ") else "") + "  "
        new = f"{m.group(1)}{m.group(2)}:\n" + "\n".join(f"{pad}- {i}" for i in items)
        return text[:m.start()] + new + text[m.end():]
    items = [line.strip()[2:].strip() for line in m.group(3).splitlines()]
    new = f"{m.group(1)}{m.group(2)}: [" + ", ".join(items) + "]\n"
    return text[:m.start()] + new + text[m.end():]


# --- the checks ------------------------------------------------------------------------------------

#: (rule whose fix ran, rule that may newly fire) -> why that is expected. Each pair was seen in
#: generated files and checked by hand on a minimal example (the example is in the reason).
FOLLOW_UPS: Dict[Tuple[str, str], str] = {
    ("NGL003", "NGL002"): "the migration makes a legacy file v2 (or moves top-level keys under v3 `agent:`), and "
                          "what agent 2.x accepted is judged by the v2/v3 schema from then on: hidden 2.x keys "
                          "(`compress_conn: x`, `pprof_addr`, `server_sni`, tunnel `ip_policy`), `region: ''`, "
                          "`socks5_proxy: ''` (now `proxy_url: ''`), a bare-port `web_addr` moved under `agent:`; "
                          "the migration keeps the user's data rather than guess",
    ("NGL003", "NGL401"): "NGL401 reads v2/v3 files only (a legacy file is NGL003's): after the migration "
                          "`region: us`, `hostname`, `subdomain`, `host_header`, `client_cas` -> `mutual_tls_cas` "
                          "are reported as deprecated",
    ("NGL003", "NGL402"): "NGL402 (opt-in) offers the v3 conversion of v2 files: the migration makes the file v2; "
                          "when the conversion is not faithful (a tunnel without `addr`) it stays a finding",
    ("NGL003", "NGL403"): "`update_check: no` at the top of a version 3 file is moved under `agent:`, where NGL403 "
                          "reads it",
    ("NGL003", "NGL103"): "NGL103 leaves a legacy http tunnel without `bind_tls` to NGL003 (as NGL101 does); "
                          "migrated, it serves HTTPS only and NGL103 (info) applies; its fix stays unavailable when "
                          "the tunnels are anchored (`tunnels: &a`)",
    ("NGL003", "NGL107"): "`root_cas: host` at the top of a version 3 file is moved under `agent:` as "
                          "`connect_cas`, where NGL107 (info) reads it",
    ("NGL002", "NGL401"): "renaming a misspelt key to its real name lets the rules that read that key see it: "
                          "`host-header` -> `host_header`, which NGL401 reports as deprecated (info, no fix)",
    ("NGL402", "NGL006"): "a tunnel's name is a key, an endpoint's `name` a value: a tunnel named `$q` becomes "
                          "`name: $q`, which NGL006 (warning, values only) then reports",
    ("NGL101", "NGL005"): "serving HTTPS only on a tunnel that served plain HTTP (`bind_tls: no` -> `true`) makes it "
                          "bind the https:// URL another tunnel with the same hostname binds already (a "
                          "placeholder hostname written twice), which NGL005 reports",
    ("NGL401", "NGL005"): "renaming `hostname` to `domain` lets NGL005 compare the domains the tunnels bind: two "
                          "tunnels written with one `hostname` (a placeholder such as `<Ngrok hostname>`) then "
                          "bind the same URL, which NGL005 reports (it reads `domain` only)",
    ("NGL402", "NGL005"): "the conversion keeps a tunnel's `addr` as written: an `addr` no rule of version 2 "
                          "judges (`:`) becomes an endpoint's `upstream.url`, whose form ngrok's docs define and "
                          "NGL005 checks; the conversion does not guess a better address",
    ("NGL101", "NGL103"): "serving HTTPS only (`bind_tls: true`, `schemes: [https]`, `https://`) makes ngrok "
                          "terminate TLS, so NGL103 (info) applies; its fix is unavailable in a legacy file and in "
                          "a file with duplicate keys, so it stays",
}



def _note(text: str) -> None:
    try:
        note(text)
    except InvalidArgument:  # called outside a hypothesis test (reproducing a case by hand)
        pass


def check_file(data: bytes, folder: Path, ngl402: bool) -> None:
    path = folder / "ngrok.yml"
    path.write_bytes(data)
    extra = ("NGL402",) if ngl402 else ()
    config = settings_for(str(path), Overrides(extend_select=extra or None), True, None)

    # Linting never raises, nor reports an internal error of a rule.
    analysis = engine.analyze(str(path), data, config, str(folder))
    assert not analysis.internal_errors, analysis.internal_errors
    finished = engine.finish([analysis])[str(path)]
    cli = run_cli([str(path), "--isolated", "--format", "json", *(("--extend-select", "NGL402") if ngl402 else ())])
    assert cli.code in (0, 1), (cli.code, cli.err, cli.out[-500:])
    assert "Traceback" not in cli.err
    report = json.loads(cli.out)
    assert len(report["findings"]) == len(finished)
    if analysis.doc is None or analysis.source is None:
        return

    outcome = fixer.fix_analysis(analysis, unsafe=True)
    assert not outcome.analysis.internal_errors, outcome.analysis.internal_errors
    if outcome.new_bytes is None:
        return
    _note(f"fixed ({outcome.fixed}):\n{outcome.diff}")
    old_text = analysis.source.text
    decoded = decode(str(path), outcome.new_bytes)
    assert isinstance(decoded, Source), "the fixed bytes do not decode"
    assert decoded.bom == analysis.source.bom and decoded.encoding == analysis.source.encoding
    new_text = decoded.text
    parsed = parse(str(path), new_text)
    assert isinstance(parsed, Document), f"the fixed file does not parse: {parsed.message}"

    # Which lines and paths the fixes are about: replay them one at a time.
    attribution = fixcheck.attribute(analysis, unsafe=True)
    _note(f"replayed: {attribution.steps}")
    assert not attribution.strays, attribution.strays
    bad = fixcheck.unexplained_changes(old_text, new_text, attribution)
    assert not bad, f"lines changed that no fix touches: {bad}; replayed {attribution.steps}"
    missing = fixcheck.kept_in_order(old_text, new_text, attribution.lines)
    assert missing is None, f"an untouched line is gone or out of order: {missing!r}"
    lost = fixcheck.comments(old_text, attribution.lines) - fixcheck.comments(new_text)
    assert not lost, f"comments on lines no fix touches are gone: {sorted(lost.elements())}"
    before = fixcheck.strip_paths(analysis.doc.data, attribution.paths)
    after = fixcheck.strip_paths(parsed.data, attribution.paths)
    assert before == after, f"data outside the fixed paths changed ({sorted(map(str, attribution.paths))})"

    # Fixing again changes nothing.
    again = engine.analyze(str(path), outcome.new_bytes, config, str(folder))
    second = fixer.fix_analysis(again, unsafe=True)
    assert second.new_bytes is None, f"a second fix run changes the file again:\n{second.diff}"

    # No fix brings in a finding of another rule, unless listed.
    for code, where in new_findings(analysis, again, attribution):
        causes = [(fixed, code) for fixed in sorted(attribution.codes) if (fixed, code) in FOLLOW_UPS]
        assert causes, (f"a fix brought in {code} at {where} (fixes replayed: {attribution.steps}); "
                        "list the pair in FOLLOW_UPS with the reason if that is right")


def new_findings(before: engine.Analysis, after: engine.Analysis,
                 attribution: fixcheck.Attribution) -> List[Tuple[str, Any]]:
    """(code, path) reported after the fixes and not before, of rules whose fixes did not run.
    When a fix moved keys (a rename, the migration, the v3 conversion), a finding at a new path
    counts as moved, not new, as long as its rule reports no more findings than before."""
    def keys(analysis: engine.Analysis) -> List[Tuple[str, Any]]:
        return [(f.code, tuple(f.path)) for f in engine.settle(analysis, list(analysis.findings)) if not f.suppressed]

    old, new = keys(before), keys(after)
    fresh = []
    for code, where in sorted(set(new) - set(old), key=str):
        if code in attribution.codes:
            continue
        if attribution.moves and sum(c == code for c, _ in new) <= sum(c == code for c, _ in old):
            continue
        fresh.append((code, where))
    return fresh


@pytest.mark.parametrize("name, count", [("legacy", 200), ("v2", 200), ("v3", 200)])
def test_files_from_the_schemas(name: str, count: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    @_settings(count)
    @given(data=schema_data(name), style=st.data(), ngl402=st.booleans())
    def run(data: Any, style: st.DataObject, ngl402: bool) -> None:
        text = style.draw(rendered(data), label="text")
        raw = style.draw(encoded(text), label="bytes")
        check_file(raw, tmp_path_factory.mktemp("schema"), ngl402)

    run()


@pytest.mark.skipif(not CORPUS_TEXTS, reason=f"no corpus at {CORPUS}")
def test_mutated_corpus_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    @_settings(600)
    @given(case=mutated_corpus(), style=st.data(), ngl402=st.booleans())
    def run(case: Tuple[str, str], style: st.DataObject, ngl402: bool) -> None:
        name, text = case
        _note(name)
        raw = style.draw(encoded(text), label="bytes")
        check_file(raw, tmp_path_factory.mktemp("corpus"), ngl402)

    run()


# --- (c) comments on every key, flow lists with comments: the fix proof refuses nothing ---------

_KEY_LINE = re.compile(r"^(\s*)(?:- )?[\w\"'.-]+:(?:\s|$)")
_FLOW_PAIR = re.compile(r"^(\s*(?:- )?[\w\"'.-]+:\s+\[)([^\[\]{}#'\",]+),\s*([^\[\]{}#'\"]+\])\s*$")


@st.composite
def commented_everywhere(draw: Callable, text: str) -> str:
    """A comment above every key line, one at the end of every line that takes one, and each
    flow list of two or more items written over two lines with a comment after its first item;
    kept only when the data reads the same."""
    out: List[str] = []
    for number, line in enumerate(text.split("\n")):
        key = _KEY_LINE.match(line)
        if key and draw(st.integers(0, 3)):
            out.append(f"{key.group(1)}# about line {number}")
        flow = _FLOW_PAIR.match(line)
        if flow and draw(st.booleans()):
            out.append(f"{flow.group(1)}{flow.group(2)},  # first of line {number}")
            out.append(" " * len(flow.group(1)) + f"{flow.group(3)}  # rest of line {number}")
            continue
        if _EOL_SAFE.match(line) and draw(st.integers(0, 3)):
            line += f"  # end of line {number}"
        out.append(line)
    candidate = "\n".join(out)
    return candidate if _same_data(text, candidate) else text


def check_proof(data: bytes, folder: Path, ngl402: bool) -> None:
    """`check_file`, and no fix of the file is refused by the fix proof (a refusal is a fix that
    would have moved or dropped a comment, or changed what it does not declare)."""
    check_file(data, folder, ngl402)
    path = folder / "ngrok.yml"
    extra = ("NGL402",) if ngl402 else ()
    config = settings_for(str(path), Overrides(extend_select=extra or None), True, None)
    analysis = engine.analyze(str(path), data, config, str(folder))
    if analysis.doc is None:
        return
    outcome = fixer.fix_analysis(analysis, unsafe=True)
    refused = [(f.code, f.path, f.fix_unavailable) for f in outcome.analysis.findings if proof.is_refusal(f.fix_unavailable)]
    assert not refused, f"the fix proof refused: {refused}"


@pytest.mark.parametrize("name, count", [("legacy", 40), ("v2", 40), ("v3", 40)])
def test_fix_proof_on_commented_schema_files(name: str, count: int, tmp_path_factory: pytest.TempPathFactory) -> None:
    @_settings(count)
    @given(data=schema_data(name), style=st.data(), ngl402=st.booleans())
    def run(data: Any, style: st.DataObject, ngl402: bool) -> None:
        text = style.draw(rendered(data), label="text")
        text = style.draw(commented_everywhere(text), label="commented")
        check_proof(style.draw(encoded(text), label="bytes"), tmp_path_factory.mktemp("proof"), ngl402)

    run()


@pytest.mark.skipif(not CORPUS_TEXTS, reason=f"no corpus at {CORPUS}")
def test_fix_proof_on_commented_corpus_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    @_settings(80)
    @given(case=st.sampled_from(CORPUS_TEXTS), style=st.data(), ngl402=st.booleans())
    def run(case: Tuple[str, str], style: st.DataObject, ngl402: bool) -> None:
        name, text = case
        _note(name)
        text = style.draw(commented_everywhere(text), label="commented")
        check_proof(text.encode("utf-8"), tmp_path_factory.mktemp("proof"), ngl402)

    run()


#: Files the properties above once failed on (minimal forms), kept as fixed examples: name -> (bytes, NGL402 on).
REGRESSIONS: Dict[str, Tuple[bytes, bool]] = {
    # NGL002 renamed `ip_policy` to `policy` beside `traffic_policy` (NGL005 then refused the pair).
    "rename into a conflict": (b'version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 80\n    ip_policy: x\n'
                               b"    traffic_policy:\n      on_http_request: []\n", False),
    # NGL401 renamed `policy` to `traffic_policy` beside `traffic_policy_file`.
    "policy beside traffic_policy_file": (b"version: 2\ntunnels:\n  a:\n    proto: http\n    addr: 80\n"
                                          b"    traffic_policy_file: p.yml\n    policy: {}\n", False),
    # The migration and NGL002's rename in one batch: `proxy_proto` (valid once the file is v2)
    # was renamed to `proto` as the legacy reading suggested.
    "format change in a batch": (b"\xef\xbb\xbftunnels:\r\n  example:\r\n    addr: 22\r\n    proxy_proto: 2\r\n", True),
    # `str.isdigit` accepts `\u00b3`, `int` does not: NGL201 raised.
    "superscript digit as addr": (b'version: 2\ntunnels:\n  a:\n    proto: tcp\n    addr: "\xc2\xb3"\n', False),
    # U+0085 inside a quoted key: the v3 writer's lines did not match the parser's; NGL402 raised.
    "NEL inside a key": (b"endpoints:\n- {name: x}\nversion: '3'\nagent:\n  m:\n    {? '\xc3\x80\xc2\x85  ' : 1}\n"
                         b"tunnels: null\n", True),
    # A NUL in `traffic_policy_file`: `open` raises ValueError, and every policy-reading rule failed.
    "NUL in traffic_policy_file": (b'version: 3\nendpoints:\n- name: a\n  url: https://a.example.com\n'
                                   b'  traffic_policy_file: "x\\0y"\n', False),
    # A duplicate key removed first makes the migration possible.
    "duplicate authtoken": (b"authtoken: YOUR_AUTHTOKEN_HERE\nauthtoken: 2Nq8ZkVbXw5Rt3Lp9HyQe7Uc1Jd_4mFgTs6AoKiPv8WxYzBn\n"
                            b"web_addr: 0.0.0.0:4040", False),
    # The migration makes a legacy file v2, which NGL402 (opt-in) then offers to convert (a FOLLOW_UP).
    "migration then conversion": (b"\xef\xbb\xbftunnels:\r\n  '0':\r\n    addr: null\r\n    proto: tcp\r\n", True),
    # Migrated, a legacy `subdomain` is a deprecated v2 key: NGL401 follows NGL003 (a FOLLOW_UP).
    "migration then deprecated subdomain": (b"web_addr: 0.0.0.0:4040\nauthtoken: yourNgrokAuthtoken\ntunnels:\n  meteor:\n"
                                            b"    proto: http\n    addr: 3000\n    bind_tls: true\n"
                                            b"    subdomain: yourNgrokSubdomain\n\n", False),
    # The migration rewrote `auth:`, `bind_tls: true`, `client_cas:` as `schemes: [https]`: the
    # comment above `bind_tls` went with it, though no key it described was removed on its own.
    "comment inside a rewritten block": (b"tunnels:\n  '':\n    addr:\n    proto: http\n    auth:\n# a comment\n"
                                         b"    bind_tls:\n    client_cas:\n", False),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regressions(name: str, tmp_path: Path) -> None:
    data, ngl402 = REGRESSIONS[name]
    check_file(data, tmp_path, ngl402)


def test_emitter_round_trips() -> None:
    """The test's own emitter writes what it is given (else the schema test would test nothing)."""
    data = {"version": "2", "tunnels": {"a": {"proto": "http", "schemes": ["http", "https"],
                                               "traffic_policy": {"on_http_request": [{"actions": [{"type": "x"}]}]}}},
            "dns_resolver_ips": [], "x": None, "y": "yes", "z": "1.5"}
    for indent in (2, 4):
        for indented in (True, False):
            for flow in (True, False):
                for quoted in (True, False):
                    text = emit(data, indent, indented, flow, quoted)
                    assert yaml.safe_load(text) == data, text
