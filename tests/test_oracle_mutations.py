"""The real ngrok agent 2.3.41 as an oracle beyond the corpus: legacy-format files mutated one field
at a time (wrong types for every kind of field, bad values of every enum, malformed addresses per
protocol, YAML 1.1 booleans, 40-digit integers, pairs the agent refuses together).

For every case the agent (`shared/tools/ngrok-v2-oracle`, offline in a network namespace) and
ngrok-lint each give a verdict:
- the agent refuses: ngrok-lint must report an error-severity finding for the same cause (the
  agent's error lines are mapped to a code and YAML path by :data:`CAUSES` here, then by the cause
  table of `tests/test_oracle.py`);
- the agent accepts but ngrok-lint reports a validity error (NGL001/NGL002/NGL005): the case must be
  in :data:`STRICTER_ON_PURPOSE` with the reason, else the test fails naming the case.

`pytest -s tests/test_oracle_mutations.py` prints the agreement table. Certificate files the agent
opens at load are created in the session's temporary folder (the agent also parses them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

import test_oracle as base
from conftest import run_cli


pytestmark = pytest.mark.skipif(not base.ORACLE.is_file(), reason=f"the ngrok 2.x oracle is not here ({base.ORACLE})")

VALIDITY = ("NGL001", "NGL002", "NGL005")
FORTY_DIGITS = "1234567890123456789012345678901234567890"


# --- the cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    text: str  # `{CRT}`, `{KEY}`, `{CAS}`, `{MISSING}` stand for absolute file paths


def _tunnel(body: str, proto: str = "http", addr: Optional[str] = "8080") -> str:
    lines = [f"    proto: {proto}"] if proto is not None else []
    if addr is not None:
        lines.append(f"    addr: {addr}")
    lines += [f"    {line}" for line in body.splitlines() if line]
    return "tunnels:\n  web:\n" + "\n".join(lines) + "\n"


def _top(line: str) -> str:
    return line + "\n" + _tunnel("")


def _cases() -> Iterator[Case]:
    yield Case("baseline", _tunnel(""))
    # Wrong types for string fields: any scalar loads, lists and maps do not.
    for key, value in [("authtoken", "12345"), ("authtoken", "[a, b]"), ("metadata", "123"), ("metadata", "{a: 1}"),
                       ("server_addr", "[tunnel.example.com:443]"), ("http_proxy", "{url: x}"),
                       ("log_level", "[info]")]:
        yield Case(f"top {key}: {value}", _top(f"{key}: {value}"))
    for key, value in [("host_header", "[a.example]"), ("host_header", "1.5"), ("subdomain", "{a: 1}"),
                       ("subdomain", "123"), ("auth", "[user:password1]"), ("auth", "12345"),
                       ("metadata", "[1]"), ("hostname", "[a.example.com]"), ("inspect", "{a: 1}")]:
        yield Case(f"tunnel {key}: {value}", _tunnel(f"{key}: {value}"))
    yield Case("tunnels is a list", "tunnels:\n  - proto: http\n    addr: 80\n")
    yield Case("tunnels is a string", "tunnels: web\n")
    yield Case("tunnel is a string", "tunnels:\n  web: http\n")
    # Boolean fields, YAML 1.1 spellings and strings.
    for value in ["yes", "on", "y", "Y", "n", "off", '"true"', '"false"', "1", "0", "True", "FALSE", "maybe"]:
        yield Case(f"inspect: {value}", _tunnel(f"inspect: {value}"))
    for key, value in [("update_check", '"true"'), ("update_check", "no"), ("compress_conn", "yes"),
                       ("remote_management", "1"), ("update", "Off")]:
        yield Case(f"top {key}: {value}", _top(f"{key}: {value}"))
    # bind_tls (http only; ignored on tcp and tls).
    for value in ["true", "false", "both", "yes", '"yes"', "1", "maybe", "", '"true"', '"both"', '"BOTH"', "https",
                  "True", "~"]:
        yield Case(f"bind_tls: {value or '(empty)'}", _tunnel(f"bind_tls: {value}".rstrip()))
    yield Case("bind_tls: maybe on tcp", _tunnel("bind_tls: maybe", proto="tcp", addr="22"))
    # proto.
    for value in ["tcp", "tls", "ftp", "HTTP", '""', "[http]", "1"]:
        addr = {"tcp": "22", "tls": "443"}.get(value, "8080")
        yield Case(f"proto: {value}", _tunnel("", proto=value, addr=addr))
    yield Case("proto missing", _tunnel("", proto=None))  # type: ignore[arg-type]
    yield Case("addr missing", _tunnel("", addr=None))
    # addr per proto.
    for value in ["80", '"80"', "localhost", "localhost:80", ":80", '"[::1]:80"', "http://localhost:80",
                  "https://example.com:443", "file:///tmp", "http://localhost/p", "ftp://localhost:21", '"a b"',
                  "[80]", "70000", "-1"]:
        yield Case(f"http addr: {value}", _tunnel("", addr=value))
    for value in ["localhost:22", "tcp://localhost:22", "localhost", "http://localhost:22", ":22", '"a b:22"', "-1",
                  "1.5", ".inf", "9223372036854775807", "9223372036854775808"]:
        yield Case(f"tcp addr: {value}", _tunnel("", proto="tcp", addr=value))
    for value in ["localhost:443", "tls://localhost:443", "https://localhost:443", "localhost", "-1", "1.5"]:
        yield Case(f"tls addr: {value}", _tunnel("", proto="tls", addr=value))
    # remote_addr (tcp; ignored on http).
    for value in ["0.tcp.ngrok.io:12345", "9000", '":9000"', "abc", "[0.tcp.ngrok.io:1]"]:
        yield Case(f"remote_addr: {value}", _tunnel(f"remote_addr: {value}", proto="tcp", addr="22"))
    yield Case("remote_addr: 9000 on http", _tunnel("remote_addr: 9000"))
    # region.
    for value in ["us", "US", "auto", "us-cal-1", "in", "sa", "jp", '""', "[us]"]:
        yield Case(f"region: {value}", _top(f"region: {value}"))
    # web_addr.
    for value in ["false", '"false"', "no", "4040", '":4040"', "localhost", "true", '"[::1]:4040"', "127.0.0.1:4040",
                  "disabled", "0.0.0.0:4040", "[localhost:4040]", FORTY_DIGITS]:
        yield Case(f"web_addr: {value[:12]}", _top(f"web_addr: {value}"))
    # inspect_db_size.
    for value in ["-1", "-2", '"100"', "1.5", "0", "abc", FORTY_DIGITS, "[1]", "1_000", "9223372036854775807",
                  "9223372036854775808", "1e3", "1.5e300"]:
        yield Case(f"inspect_db_size: {value[:20]}", _top(f"inspect_db_size: {value}"))
    # Durations.
    for key, value in [("heartbeat_interval", "10s"), ("heartbeat_interval", "1m"), ("heartbeat_interval", "-5s"),
                       ("heartbeat_interval", "10"), ("heartbeat_interval", '"10"'), ("heartbeat_tolerance", "abc"),
                       ("connect_timeout", "5s"), ("connect_timeout", "1.5"), ("heartbeat_tolerance", "[1s]")]:
        yield Case(f"{key}: {value}", _top(f"{key}: {value}"))
    # dns_resolver_ips.
    for value in ["[1.1.1.1]", '["::1", 8.8.8.8]', "[1.1.1.1:53]", "1.1.1.1", "[dns.example]", "[]"]:
        yield Case(f"dns_resolver_ips: {value}", _top(f"dns_resolver_ips: {value}"))
    # console_ui_color, update_channel.
    for value in ["black", "transparent", "red", "1"]:
        yield Case(f"console_ui_color: {value}", _top(f"console_ui_color: {value}"))
    for value in ["stable", "beta", "testing", "unstable", "nightly"]:
        yield Case(f"update_channel: {value}", _top(f"update_channel: {value}"))
    # Proxies.
    for key, value in [("http_proxy", "http://proxy.example:3128"), ("http_proxy", "ftp://proxy.example:21"),
                       ("socks5_proxy", "socks5://proxy.example:1080"), ("socks5_proxy", "http://proxy.example:1080")]:
        yield Case(f"{key}: {value}", _top(f"{key}: {value}"))
    yield Case("http_proxy with socks5_proxy",
               "http_proxy: http://proxy.example:3128\nsocks5_proxy: socks5://proxy.example:1080\n" + _tunnel(""))
    yield Case("region with server_addr", "region: eu\nserver_addr: tunnel.example.com:443\n" + _tunnel(""))
    yield Case("hostname with subdomain", _tunnel("hostname: app.example.com\nsubdomain: app"))
    yield Case("hostname with subdomain on tcp", _tunnel("hostname: app.example.com\nsubdomain: app", "tcp", "22"))
    # Certificates (the agent opens and parses them at load).
    yield Case("tls crt and key", _tunnel("crt: {CRT}\nkey: {KEY}", "tls", "443"))
    yield Case("tls crt without key", _tunnel("crt: {CRT}", "tls", "443"))
    yield Case("tls key without crt", _tunnel("key: {KEY}", "tls", "443"))
    yield Case("tls client_cas without crt", _tunnel("client_cas: {CAS}", "tls", "443"))
    yield Case("tls client_cas with crt and key", _tunnel("crt: {CRT}\nkey: {KEY}\nclient_cas: {CAS}", "tls", "443"))
    yield Case("http crt without key", _tunnel("crt: {CRT}"))
    yield Case("root_cas: host", _top("root_cas: host"))
    yield Case("root_cas: a file", _top("root_cas: {CAS}"))
    yield Case("root_cas: a missing file", _top("root_cas: {MISSING}"))
    # Stricter than 2.x on purpose.
    yield Case("unknown top-level key", _top("authtokn: abc"))
    yield Case("unknown tunnel key", _tunnel("host-header: rewrite"))
    yield Case("40-digit tcp addr", _tunnel("", proto="tcp", addr=FORTY_DIGITS))
    yield Case("40-digit http addr", _tunnel("", addr=FORTY_DIGITS))
    # Odd but plausible files.
    yield Case("subdomain with a dot", _tunnel("subdomain: a.b"))  # agent/config/v2.mdx allows periods
    yield Case("tunnels empty", "tunnels:\n")
    yield Case("tunnels {}", "tunnels: {}\n")
    yield Case("tunnel null", "tunnels:\n  web:\n")
    yield Case("tunnels in flow style", "tunnels: {web: {proto: http, addr: 80, bind_tls: true}}\n")
    yield Case("numeric tunnel name", "tunnels:\n  1:\n    proto: http\n    addr: 80\n")
    yield Case("tab in a comment", _top("# a\tcomment"))
    yield Case("merge key", "base: &b\n  proto: http\n  addr: 80\ntunnels:\n  web:\n    <<: *b\n    bind_tls: true\n")
    yield Case("authtoken empty", _top("authtoken:"))
    yield Case("http addr empty", _tunnel("", addr='""'))
    for key, value in [("server_addr", "tunnel.example.com"), ("server_addr", '":443"'),
                       ("server_addr", "tunnel.example.com:443"), ("root_cas", "trusted"), ("console_ui", "iftty"),
                       ("console_ui", "maybe"), ("http_proxy", "proxy.example:3128"),
                       ("web_addr", '"localhost:4040"'), ("web_addr", "127.0.0.1:99999"), ("web_addr", '":0"'),
                       ("dns_resolver_ips", "[~]"), ("dns_resolver_ips", "[1]"), ("heartbeat_interval", "1h30m"),
                       ("heartbeat_interval", '"10s"'), ("heartbeat_interval", "0"), ("update", "maybe")]:
        yield Case(f"top {key}: {value}", _top(f"{key}: {value}"))
    for body in ["auth: user", "host_header: rewrite", "inspect: ~", 'hostname: "*.example.com"',
                 'hostname: "a b"', "subdomain: -x", "subdomain: a_b", "bind_tls: both\nauth: a:b"]:
        yield Case(f"tunnel {body}", _tunnel(body))
    yield Case("tls bind_tls: maybe", _tunnel("bind_tls: maybe", "tls", "443"))
    yield Case("tcp remote_addr port 99999", _tunnel("remote_addr: 1.tcp.ngrok.io:99999", "tcp", "22"))
    # `""` in an optional setting is unset to the agent, like null; in a duration or an IP list it is not.
    for key in ["http_proxy", "socks5_proxy", "server_addr", "web_addr", "console_ui_color", "update_channel",
                "region", "root_cas", "metadata", "heartbeat_interval", "connect_timeout"]:
        yield Case(f'top {key}: ""', _top(f'{key}: ""'))
    yield Case('dns_resolver_ips: [""]', _top('dns_resolver_ips: [""]'))
    yield Case("dns_resolver_ips: empty item", _top("dns_resolver_ips:\n  -\n  - 1.1.1.1"))
    for key in ["subdomain", "hostname", "host_header", "auth", "bind_tls", "crt", "client_cas"]:
        yield Case(f'tunnel {key}: ""', _tunnel(f'{key}: ""'))
    for key in ["remote_addr", "subdomain", "hostname"]:
        yield Case(f'tcp {key}: ""', _tunnel(f'{key}: ""', "tcp", "22"))
    yield Case('tls crt: "" key: ""', _tunnel('crt: ""\nkey: ""', "tls", "443"))
    yield Case('hostname "" with subdomain', _tunnel('hostname: ""\nsubdomain: app'))
    yield Case('region with server_addr ""', 'region: eu\nserver_addr: ""\n' + _tunnel(""))
    yield Case('http_proxy "" with socks5_proxy', 'http_proxy: ""\nsocks5_proxy: socks5://p.example:1080\n' + _tunnel(""))


CASES: List[Case] = list(_cases())
assert len({c.name for c in CASES}) == len(CASES), sorted(n for n in {c.name for c in CASES}
                                                           if sum(c.name == n for c in CASES) > 1)


# --- the agent's errors --------------------------------------------------------------------------

#: Agent errors not in test_oracle's table, or read more widely here (checked first): the same shape.
CAUSES: Tuple[base.Cause, ...] = (
    base.Cause("empty tunnel", r"Empty tunnel definition with name '(?P<tunnel>[^']+)'", "NGL002", base._tunnel()),
    # `addr: ""` reads as a missing addr to the agent; ngrok-lint reports it at the value.
    base.Cause("addr missing or empty", r"Tunnel '(?P<tunnel>[^']+)' must specify 'addr'", "NGL002",
               base._tunnel("addr", optional=True)),
)

#: Cases where ngrok-lint reports a validity error (NGL001/002/005) the agent does not: case -> why.
STRICTER_ON_PURPOSE: Dict[str, str] = {
    "unknown top-level key": "agent 2.x silently ignores unknown keys; a typo (`authtokn`) then goes unnoticed "
                             "(rules.md NGL002: unknown keys are reported in legacy files too)",
    "unknown tunnel key": "the same for a tunnel's keys (`host-header` for `host_header`)",
    'tcp addr: "a b:22"': "a host name with a space can never be dialled; agent 2.x checks tcp addresses only "
                          "for the `host:port` split",
    "tcp addr: -1": "a negative port can never be dialled; agent 2.x refuses it on http and tls tunnels and "
                    "only fails on tcp when it forwards a connection",
    "40-digit http addr": "no port has 40 digits; agent 2.x refuses it on tcp and tls tunnels (it reads a float) "
                          "and only fails on http when it forwards a request",
    'remote_addr: ":9000"': "a reserved TCP address names its host (`1.tcp.ngrok.io:12345`); the agent checks only "
                            "that the value splits as host:port",
    "merge key": "the anchor's holder (`base:`) is an unknown top-level key, which agent 2.x ignores",
    'top server_addr: ":443"': "a connect address names ngrok's server (`tunnel.example.com:443`); `:443` dials "
                               "the local machine",
    'tunnel hostname: "a b"': "a host name with a space is not a DNS name: no DNS record or certificate can exist "
                              "for it; agent 2.x accepts it at load",
    "tunnel subdomain: -x": "a DNS label cannot start with a hyphen; agent 2.x accepts it at load",
    "tcp remote_addr port 99999": "no port is above 65535; agent 2.x checks only the `host:port` split",
    "inspect_db_size: 1e3": "YAML 1.1 (and PyYAML) reads `1e3` as a string (its floats need a dot), the agent's "
                            "go-yaml as the float 1000: the file means different things to different tools; "
                            "write `1000`",
}


def cause_of(line: str) -> Tuple[Optional[base.Cause], Optional[re.Match]]:
    for cause in CAUSES:
        match = re.search(cause.pattern, line)
        if match:
            return cause, match
    return base.cause_of(line)


# --- running both --------------------------------------------------------------------------------


@dataclass
class Outcome:
    case: Case
    path: Path
    verdict: base.Verdict
    errors: Tuple[dict, ...] = ()


def _materialise(folder: Path) -> Dict[str, Path]:
    """The certificate files the cases name, and each case's config file."""
    crt, key = folder / "server.crt", folder / "server.key"
    made = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(crt), "-subj", "/CN=localhost", "-days", "2"],
        capture_output=True, timeout=60,
    ) if shutil.which("openssl") else None
    if made is None or made.returncode != 0:
        pytest.skip("openssl is needed to make the certificate files the agent loads")
    places = {"{CRT}": str(crt), "{KEY}": str(key), "{CAS}": str(crt), "{MISSING}": str(folder / "missing-ca.pem")}
    paths: Dict[str, Path] = {}
    for index, case in enumerate(CASES):
        text = case.text
        for mark, value in places.items():
            text = text.replace(mark, value)
        path = folder / f"case-{index:03d}.ngrok.yml"
        path.write_text(text, encoding="utf-8")
        paths[case.name] = path
    return paths


@pytest.fixture(scope="session")
def outcomes() -> Iterator[Dict[str, Outcome]]:
    """Every case's agent verdict and ngrok-lint error findings, once per session."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe.yml"
        probe.write_text(_tunnel(""), encoding="utf-8")
        first = base.run_oracle(probe)
        if first.code == base.UNAVAILABLE:
            pytest.skip(first.output or "the ngrok 2.x oracle is unavailable here")
        if first.code not in (0, 1):
            pytest.skip(f"the ngrok 2.x oracle did not run (exit {first.code}): {first.output[:200]}")
        paths = _materialise(Path(folder))
        with ThreadPoolExecutor(2) as pool:
            verdicts = dict(zip(paths, pool.map(base.run_oracle, paths.values())))
        result: Dict[str, Outcome] = {}
        for case in CASES:
            path = paths[case.name]
            out = run_cli([str(path), "--isolated", "--format", "json"])
            assert out.code in (0, 1), f"{case.name}: exit {out.code}: {out.err}"
            errors = tuple(f for f in json.loads(out.out)["findings"] if f["severity"] == "error" and not f["suppressed"])
            result[case.name] = Outcome(case, path, verdicts[case.name], errors)
        yield result


# --- comparing -----------------------------------------------------------------------------------

BOTH_ACCEPT = "both accept"
SAME_CAUSE = "both reject, same cause"
STRICTER = "agent accepts, ngrok-lint stricter on purpose"
KNOWN = "agent rejects, known difference"
DISAGREE = "disagreement"


@dataclass
class Judgement:
    category: str
    problems: List[str] = field(default_factory=list)
    detail: str = ""


def judge(outcome: Outcome) -> Judgement:
    name, verdict, errors = outcome.case.name, outcome.verdict, outcome.errors
    validity = [f for f in errors if f["code"] in VALIDITY]
    shown = ", ".join(f"{f['code']}@{f['yaml_path']}" for f in validity) or "none"
    if verdict.accepted:
        if not validity:
            return Judgement(BOTH_ACCEPT)
        if name in STRICTER_ON_PURPOSE:
            return Judgement(STRICTER, detail=STRICTER_ON_PURPOSE[name])
        return Judgement(DISAGREE, [f"the agent accepts it but ngrok-lint reports {shown}; add the case to "
                                    "STRICTER_ON_PURPOSE with the reason, or fix the rule"])
    problems: List[str] = []
    known: List[str] = []
    mapped = 0
    for line in base.agent_errors(verdict.output) or ["the agent neither started nor reported an error"]:
        cause, match = cause_of(line)
        if cause is None or match is None:
            problems.append(f"agent error with no entry in CAUSES: {line!r}")
            continue
        if cause.code is None:
            known.append(f"{cause.name}: {cause.why}")
            continue
        mapped += 1
        if not base._reported(cause, match, errors, outcome.path):
            problems.append(f"the agent says {line!r}; expected {cause.code} (ngrok-lint reports {shown})")
    if problems:
        return Judgement(DISAGREE, problems)
    if mapped:
        return Judgement(SAME_CAUSE, detail=verdict.output.splitlines()[0][:100])
    return Judgement(KNOWN, detail="; ".join(known))


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_agent_and_ngrok_lint_agree(name: str, outcomes: Dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    if outcome.verdict.code == base.UNAVAILABLE:
        pytest.skip(outcome.verdict.output)
    judgement = judge(outcome)
    assert judgement.category != DISAGREE, (
        f"{name}:\n{outcome.case.text}\nagent: {outcome.verdict.output}\n" + "\n".join(judgement.problems)
    )


def test_stricter_table_has_no_stale_entries(outcomes: Dict[str, Outcome]) -> None:
    names = {c.name for c in CASES}
    assert set(STRICTER_ON_PURPOSE) <= names, sorted(set(STRICTER_ON_PURPOSE) - names)
    stale = [n for n in STRICTER_ON_PURPOSE if judge(outcomes[n]).category != STRICTER]
    assert not stale, f"STRICTER_ON_PURPOSE entries that no longer apply: {stale}"


def test_agreement_table(outcomes: Dict[str, Outcome], capsys: pytest.CaptureFixture) -> None:
    table: Dict[str, List[str]] = {}
    for case in CASES:
        judgement = judge(outcomes[case.name])
        table.setdefault(judgement.category, []).append(f"{case.name}" + (f"  ({judgement.detail})" if judgement.detail else ""))
    with capsys.disabled():
        print(f"\nngrok 2.3.41 oracle, {len(CASES)} mutated legacy files:")
        for category in (BOTH_ACCEPT, SAME_CAUSE, STRICTER, KNOWN, DISAGREE):
            names = table.get(category, [])
            print(f"  {category}: {len(names)}")
            if category in (STRICTER, KNOWN, DISAGREE):
                for line in names:
                    print(f"      {line}")
    assert len(CASES) >= 80
    assert sum(len(v) for v in table.values()) == len(CASES)
