"""Differential test against the real ngrok agent 2.3.41 (`shared/tools/ngrok-v2-oracle`).

For every legacy-format file (no `version`, not ngrok 1.x) in the real-world corpus and in the
test fixtures, the oracle runs the agent on it (offline, in an empty network namespace): exit 0
means the agent accepted the file, 1 that it refused it with ERROR lines, 77 that the oracle cannot
run here (then every test skips with the oracle's reason).

When the agent refuses a file, ngrok-lint must report an error-severity finding for the same
cause: :data:`CAUSES` maps each agent error to the code and YAML path expected. Some refusals are
known differences, listed with the reason in :data:`KNOWN_DIFFERENCES` (the agent checks that
certificate files exist; ngrok-lint reads the file alone). ngrok-lint may be stricter than the
agent (a legacy file with an unknown key is accepted by 2.x, which ignores it silently): those
files are counted, not failed.

`pytest -s tests/test_oracle.py` prints the agreement counts.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest

from conftest import CORPUS, FIXTURES, SHARED, lint, run_cli

from ngrok_lint.loader import Document, parse
from ngrok_lint.paths import dotted
from ngrok_lint.source import DecodeError, decode

ORACLE = SHARED / "tools" / "ngrok-v2-oracle"
UNAVAILABLE = 77

pytestmark = pytest.mark.skipif(not ORACLE.is_file(), reason=f"the ngrok 2.x oracle is not here ({ORACLE})")


# --- which files ----------------------------------------------------------------------------------

_VERSION_LINE = re.compile(r"^version\s*:", re.M)


def is_legacy(path: Path) -> bool:
    """A legacy-format file: `doc.format == "legacy"` (never ngrok 1.x). A file that does not
    parse counts when it has no `version:` line: it is a legacy file with a syntax error."""
    decoded = decode(str(path), path.read_bytes())
    if isinstance(decoded, DecodeError):
        return False
    doc = parse(str(path), decoded.text)
    if isinstance(doc, Document):
        return doc.format == "legacy"
    return _VERSION_LINE.search(decoded.text) is None


def _candidates() -> List[Path]:
    files: List[Path] = []
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.glob("*.yml"))
    files += sorted(p for p in FIXTURES.rglob("*.yml"))
    return [p for p in files if is_legacy(p)]


FILES = _candidates()


def _file_id(path: Path) -> str:
    if CORPUS in path.parents:
        return f"corpus/{path.name[:40]}"
    return str(path.relative_to(FIXTURES))


# --- the agent's errors to expected findings ------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    """One kind of agent error and what ngrok-lint reports for it.

    `code` None: a known difference (`why` says why). `path` builds a regex for the finding's
    YAML path from the match. `agent_line`: the error names a line, but of the agent's own
    re-serialisation of the file (keys sorted, comments dropped), not of the file: the path is
    found by re-serialising the same way (:func:`path_at_agent_line`).
    """

    name: str
    pattern: str
    code: Optional[str]
    path: Optional[Callable[[re.Match], str]] = None
    agent_line: bool = False
    why: str = ""
    needs_addr_format: bool = False
    message: Optional[str] = None  # a regex the finding's message must match too


def _tunnel(key: Optional[str] = None, optional: bool = False) -> Callable[[re.Match], str]:
    def build(match: re.Match) -> str:
        base = re.escape(dotted(("tunnels", match.group("tunnel"))))
        if key is None:
            return f"^{base}$"
        tail = re.escape(dotted(("x", key))[1:])
        return f"^{base}({tail})?$" if optional else f"^{base}{tail}$"

    return build


_NAME = r"(\.[A-Za-z0-9_-]+|\['[^']*'\])"  # one tunnel name, as `dotted` writes it


def _setting(match: re.Match) -> str:
    return rf"^{re.escape(match.group('key'))}(\[\d+\])?$"


CAUSES: Tuple[Cause, ...] = (
    Cause("tabs", r"config contains tab characters", "NGL001"),
    Cause("proto", r"Invalid protocol name '(?P<value>[^']*)'", "NGL002",
          lambda m: rf"^tunnels{_NAME}(\.proto)?$", message=r"\bproto\b"),
    Cause("addr missing", r"Tunnel '(?P<tunnel>[^']+)' must specify 'addr'", "NGL002", _tunnel(), message=r"`addr`"),
    Cause("bind_tls", r"HTTP tunnel '(?P<tunnel>[^']+)' specifies invalid 'bind_tls'", "NGL002", _tunnel("bind_tls")),
    Cause("remote_addr", r"TCP tunnel '(?P<tunnel>[^']+)' specifies invalid 'remote_addr'", "NGL002",
          _tunnel("remote_addr")),
    Cause("addr malformed",
          r"Tunnel '(?P<tunnel>[^']+)' specifies (an invalid or malformed address|a URL instead of a host address"
          r"|a URL with an unsupported scheme|a path)", "NGL002", _tunnel("addr"), needs_addr_format=True),
    Cause("region with server_addr", r"You may not specify both 'region' and 'server_addr'", "NGL005"),
    Cause("two proxies", r"You may not specify both a SOCKS5 proxy and an HTTP proxy", "NGL005"),
    Cause("crt without key", r"TLS tunnel '(?P<tunnel>[^']+)' must supply both 'crt' and 'key'", "NGL005",
          lambda m: rf"^{re.escape(dotted(('tunnels', m.group('tunnel'))))}(\.crt|\.key)?$"),
    Cause("client CAs without crt", r"TLS tunnel '(?P<tunnel>[^']+)' specified client CA roots but no crt", "NGL005",
          lambda m: rf"^{re.escape(dotted(('tunnels', m.group('tunnel'))))}(\.\w+)?$"),
    Cause("hostname with subdomain", r"Tunnel '(?P<tunnel>[^']+)' must not specify both hostname and subdomain",
          "NGL005", lambda m: rf"^{re.escape(dotted(('tunnels', m.group('tunnel'))))}(\.hostname|\.subdomain)?$"),
    # A bad `region` also makes the agent fail on the `server_addr` it derives from it.
    Cause("derived server_addr", r"Invalid configuration property value for 'server_addr', '': invalid address ''",
          None, why="a consequence of an invalid `region` (the agent derives `server_addr` from it)"),
    Cause("root_cas file", r"Invalid configuration property value for 'root_cas', '[^']*': open .*no such file",
          None, why="the agent checks that the `root_cas` file exists; ngrok-lint reads the config file alone"),
    Cause("setting", r"Invalid configuration property value for '(?P<key>\w+)'", "NGL002", _setting),
    Cause("type", r"line (?P<line>\d+): cannot unmarshal", "NGL002", agent_line=True),
    Cause("certificate file", r"^open .+: no such file or directory", None,
          why="the agent opens `crt`/`key`/`client_cas` files at load; ngrok-lint reads the config file alone"),
    Cause("console UI with log to stdout", r"You can't enable the console UI and log to stdout or stderr", None,
          why="the oracle passes `--log stdout`, which conflicts with `console_ui: true` (the oracle cannot judge it)"),
    Cause("no error line", r"the agent neither started nor reported an error", None,
          why="the agent stopped outside config validation, e.g. `web_addr` on an address this machine does not have "
              "(`bind: cannot assign requested address`); the config itself loads"),
)

#: Lines that frame the real errors.
_FRAME = re.compile(r"^(\d+ configuration errors occurred:|Error reading configuration file .*: YAML parsing error: "
                    r"yaml: unmarshal errors:)$")

KNOWN_DIFFERENCES = {c.name: c.why for c in CAUSES if c.code is None}


def agent_errors(output: str) -> List[str]:
    lines = []
    for raw in output.splitlines():
        text = raw.strip()
        if text.startswith("ERROR:"):
            text = text[len("ERROR:"):].strip()
        text = text.lstrip("*").strip()
        if text and not _FRAME.match(text) and text != "ACCEPT":
            lines.append(text)
    return lines


def cause_of(line: str) -> Tuple[Optional[Cause], Optional[re.Match]]:
    for cause in CAUSES:
        match = re.search(cause.pattern, line)
        if match:
            return cause, match
    return None, None


# --- running the oracle, once per file per session --------------------------------------------------


@dataclass
class Verdict:
    code: int
    output: str

    @property
    def accepted(self) -> bool:
        return self.code == 0


def run_oracle(path: Path) -> Verdict:
    try:
        done = subprocess.run([str(ORACLE), str(path)], capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Verdict(1, "ERROR: the agent neither started nor reported an error (oracle timed out)")
    return Verdict(done.returncode, (done.stdout + done.stderr).strip())


@pytest.fixture(scope="session")
def oracle() -> Dict[Path, Verdict]:
    """Every file's verdict, computed once per session, two files at a time."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "ngrok.yml"
        probe.write_text("tunnels:\n  a:\n    proto: http\n    addr: 80\n", encoding="utf-8")
        first = run_oracle(probe)
    if first.code == UNAVAILABLE:
        pytest.skip(first.output or "the ngrok 2.x oracle is unavailable here")
    if first.code not in (0, 1):
        pytest.skip(f"the ngrok 2.x oracle did not run (exit {first.code}): {first.output[:200]}")
    with ThreadPoolExecutor(2) as pool:
        verdicts = dict(zip(FILES, pool.map(run_oracle, FILES)))
    return verdicts


@lru_cache(maxsize=None)
def error_findings(path: Path) -> Tuple[dict, ...]:
    out = run_cli([str(path), "--isolated", "--format", "json"])
    assert out.code in (0, 1), out.err
    return tuple(f for f in json.loads(out.out)["findings"] if f["severity"] == "error" and not f["suppressed"])


@lru_cache(maxsize=1)
def schema_checks_addr() -> bool:
    """Does the schema check the format of a tunnel's `addr`? (Not yet: see the report.)"""
    text = textwrap.dedent("""\
        tunnels:
          a:
            proto: http
            addr: "n8n:5678 x"
        """)
    return any(f.code == "NGL002" for f in lint(text, select=["NGL002"]))


# --- comparing ---------------------------------------------------------------------------------------

BOTH_ACCEPT = "accepted by both"
STRICTER = "agent accepts, ngrok-lint reports a validity error (NGL001/002/004/005)"
SAME_CAUSE = "rejected by both, same cause"
KNOWN = "agent rejects: known difference"
PENDING = "agent rejects: waits on a schema change"
DIFFERENT = "agent rejects, ngrok-lint misses the cause"


@dataclass
class Comparison:
    category: str
    missed: List[str] = field(default_factory=list)
    unmapped: List[str] = field(default_factory=list)
    known: List[str] = field(default_factory=list)


#: The findings that say "this file is wrong" in agent 2.x's terms. NGL003 is left out: a missing
#: `version` is what agent 3.x refuses, and every legacy file lacks it by definition.
VALIDITY_FOR_2X = ("NGL001", "NGL002", "NGL004", "NGL005")


def compare(path: Path, verdict: Verdict) -> Comparison:
    findings = error_findings(path)
    if verdict.accepted:
        stricter = any(item["code"] in VALIDITY_FOR_2X for item in findings)
        return Comparison(STRICTER if stricter else BOTH_ACCEPT)
    result = Comparison(SAME_CAUSE)
    pending = False
    for line in agent_errors(verdict.output) or ["the agent neither started nor reported an error"]:
        cause, match = cause_of(line)
        if cause is None or match is None:
            result.unmapped.append(line)
            continue
        if cause.code is None:
            result.known.append(f"{cause.name}: {cause.why}")
            continue
        if _reported(cause, match, findings, path):
            continue
        if cause.needs_addr_format and not schema_checks_addr():
            pending = True
            continue
        result.missed.append(f"{line} -> expected {cause.code}")
    if result.unmapped or result.missed:
        result.category = DIFFERENT
    elif pending:
        result.category = PENDING
    elif result.known and not _any_mapped(verdict.output):
        result.category = KNOWN
    return result


def _any_mapped(output: str) -> bool:
    return any((cause_of(line)[0] or Cause("", "", None)).code for line in agent_errors(output))


def _reported(cause: Cause, match: re.Match, findings: Tuple[dict, ...], path: Path) -> bool:
    wanted: Optional[str] = None
    if cause.agent_line:
        kind = re.search(r"cannot unmarshal !!(\w+)", match.string)
        at = path_at_agent_line(path, int(match.group("line")), kind.group(1) if kind else "str")
        wanted = f"^{re.escape(dotted(at))}$" if at is not None else None
    elif cause.path is not None:
        wanted = cause.path(match)
    return any(
        item["code"] == cause.code
        and (wanted is None or re.search(wanted, item["yaml_path"] or ""))
        and (cause.message is None or re.search(cause.message, item["message"]))
        for item in findings
    )


def path_at_agent_line(path: Path, line: int, tag: str = "str") -> Optional[Tuple]:
    """The YAML path of the value on `line` of the agent's re-serialisation of the file.

    Agent 2.x decodes the file into a generic map, writes it out again (go-yaml: keys sorted, block
    style, lists not indented) and decodes that into its config struct, so its "line N" counts
    lines of that second text. PyYAML's `safe_dump(sort_keys=True)` writes the same layout.
    `tag` is the YAML kind the agent names (`seq`, `map`, or a scalar's), which picks between a
    list and its first item on the same line.
    """
    import yaml

    decoded = decode(str(path), path.read_bytes())
    doc = parse(str(path), getattr(decoded, "text", ""))
    if not isinstance(doc, Document):
        return None
    again = parse("<agent>", yaml.safe_dump(doc.data, sort_keys=True, default_flow_style=False, width=1 << 20))
    if not isinstance(again, Document):
        return None
    wanted = {"seq": list, "map": dict}.get(tag)
    on_line = [
        p for p, loc in again.locs.items()
        if loc.value.line == line and (isinstance(again.get(p), wanted) if wanted else not isinstance(again.get(p), (list, dict)))
    ]
    return max(on_line, key=len) if on_line else None


@pytest.mark.parametrize("path", FILES, ids=[_file_id(p) for p in FILES])
def test_agent_refusals_are_reported(path: Path, oracle: Dict[Path, Verdict]) -> None:
    verdict = oracle[path]
    if verdict.code == UNAVAILABLE:
        pytest.skip(verdict.output)
    result = compare(path, verdict)
    assert not result.unmapped, f"agent errors with no entry in CAUSES (add one): {result.unmapped}"
    assert not result.missed, f"the agent refuses the file and ngrok-lint does not say why: {result.missed}"
    if result.category == PENDING:
        pytest.xfail("the agent refuses a malformed `addr`; the schemas do not check `addr` yet")


def test_cause_table_matches_known_agent_messages() -> None:
    """Each entry recognises the agent's text as observed (probe files run through 2.3.41)."""
    observed = {
        "tabs": "Error reading configuration file '/x.yml': config contains tab characters, YAML must use spaces for indentation",
        "proto": "Error reading configuration file '/x.yml': YAML parsing error: Invalid protocol name 'ftp'",
        "addr missing": "Tunnel 'a' must specify 'addr' to tunnel to",
        "bind_tls": "HTTP tunnel 'a' specifies invalid 'bind_tls': maybe",
        "remote_addr": "TCP tunnel 'a' specifies invalid 'remote_addr': 9000",
        "addr malformed": "Tunnel 'a' specifies an invalid or malformed address 'a b': strange hostname",
        "region with server_addr": "You may not specify both 'region' and 'server_addr'",
        "two proxies": "You may not specify both a SOCKS5 proxy and an HTTP proxy",
        "crt without key": "TLS tunnel 'a' must supply both 'crt' and 'key' or neither",
        "client CAs without crt": "TLS tunnel 'a' specified client CA roots but no crt and key for TLS termination",
        "hostname with subdomain": "Tunnel 'a' must not specify both hostname and subdomain.",
        "derived server_addr": "Invalid configuration property value for 'server_addr', '': invalid address '': missing port in address",
        "root_cas file": "Invalid configuration property value for 'root_cas', '': open /nonexistent/ca.pem: no such file or directory",
        "setting": "Invalid configuration property value for 'web_addr', 'localhost': invalid address 'localhost': address localhost: missing port in address",
        "type": "line 4: cannot unmarshal !!str `yes` into bool",
        "certificate file": "open /nonexistent/x.crt: no such file or directory",
        "console UI with log to stdout": "You can't enable the console UI and log to stdout or stderr",
        "no error line": "the agent neither started nor reported an error",
    }
    assert sorted(observed) == sorted(c.name for c in CAUSES)
    for name, text in observed.items():
        cause, _ = cause_of(text)
        assert cause is not None and cause.name == name, (name, cause)


def test_agreement(oracle: Dict[Path, Verdict], capsys: pytest.CaptureFixture) -> None:
    """The agreement counts, for the record (`pytest -s`)."""
    counts: Dict[str, List[str]] = {}
    for path in FILES:
        verdict = oracle[path]
        if verdict.code == UNAVAILABLE:
            continue
        counts.setdefault(compare(path, verdict).category, []).append(_file_id(path))
    corpus = sum(1 for p in FILES if CORPUS in p.parents)
    with capsys.disabled():
        print(f"\nngrok 2.3.41 oracle: {len(FILES)} legacy files ({corpus} corpus, {len(FILES) - corpus} fixtures)")
        for category in (BOTH_ACCEPT, SAME_CAUSE, STRICTER, KNOWN, PENDING, DIFFERENT):
            names = counts.get(category, [])
            print(f"  {category}: {len(names)}")
            if category in (KNOWN, PENDING, DIFFERENT):
                for name in names:
                    print(f"      {name}")
        print("  known differences:")
        for name, why in KNOWN_DIFFERENCES.items():
            print(f"    - {name}: {why}")
    assert sum(len(v) for v in counts.values()) == len([p for p in FILES if oracle[p].code != UNAVAILABLE])
