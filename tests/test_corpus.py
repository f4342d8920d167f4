"""The real-world corpus (`shared/corpus/real-world/`, described by its INDEX.tsv).

Every file lints without a crash: exit 0 or 1, no traceback, valid JSON. A file the index judges
"looks valid" gets no validity finding (NGL001-NGL005); a file it calls INVALID gets the finding
its note names. The expected codes are written out below, one row per INVALID file, from reading
each note; where the index is wrong by the reference and rules.md, the row says why.
"""

from __future__ import annotations

import csv
import json
import textwrap
from functools import lru_cache
from typing import Dict, FrozenSet, List, Tuple

import pytest

from conftest import CORPUS, lint, run_cli

from ngrok_lint import registry

pytestmark = pytest.mark.skipif(
    not (CORPUS / "INDEX.tsv").is_file(),
    reason=f"the real-world corpus is not here ({CORPUS}): the shared folder beside the checkout is missing",
)


def _index() -> List[Dict[str, str]]:
    if not (CORPUS / "INDEX.tsv").is_file():
        return []
    with open(CORPUS / "INDEX.tsv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _index()
BY_FILE = {row["file"]: row for row in ROWS}
FILES = sorted(BY_FILE)

#: The validity rules; NGL003 and NGL005 count once their modules exist.
VALIDITY = ("NGL001", "NGL002", "NGL003", "NGL004", "NGL005")

# One row per file the index calls INVALID: the codes its note names, read by hand.
EXPECTED: Dict[str, FrozenSet[str]] = {
    "003-0x3phemeralsoul__shorty__ngrok.yml": frozenset({"NGL003"}),
    "004-3box__3box-services-box__ngrok.yml": frozenset({"NGL003"}),
    # An ngrok 1.x file: rules.md gives it NGL009 alone (its 1.x keys are not reported one by one).
    "005-inconshreveable__ngrok__config_ngrok.yml": frozenset({"NGL009"}),
    # Index overridden in part: `remote_addr` on an http tunnel and `bind_tls` on a tcp tunnel are
    # ignored by agent 2.x (reference, Verified corrections), so they are no NGL002; only the
    # missing `version` stands.
    "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": frozenset({"NGL003"}),
    "008-lqsavage__docker-ngrok__config_ngrok.yml": frozenset({"NGL009"}),
    "009-leorami__Dev-Tunnel-Proxy__config_ngrok.yml": frozenset({"NGL003"}),
    "010-glebis__telegram_agent__config_ngrok.yml": frozenset({"NGL003"}),
    # The `***REMOVED***` alias is NGL001. (`log: false` is not wrong: string fields take any scalar.)
    "011-jacobshu__dotfiles__config_ngrok.yml": frozenset({"NGL001"}),
    "013-mileszim__rails-project-template__config_ngrok.yml": frozenset({"NGL002", "NGL003"}),
    "016-ASAPHAANING__systemd-ngrok__ngrok.yml": frozenset({"NGL003"}),
    "019-NetPenguins__P4wnP1_aloa__ngrok_ngrok.yml": frozenset({"NGL002"}),
    "020-RobSpectre__salt-states__ngrok_ngrok.yml": frozenset({"NGL001"}),
    "022-DannyBen__rush-repo__ngrok_ngrok.yml": frozenset({"NGL003"}),
    # Index overridden in part: `authtoken: 123456` is no type error, string fields accept any
    # scalar (rules.md, "How values are read"; the 2.x agent accepts it). The missing `version` stands.
    "029-MzeroMiko__serveGo__ngrok_ngrok.yml": frozenset({"NGL003"}),
    # `addr: $INPUT_SSH_PORT` is an unexpanded variable: NGL006, not a schema error.
    "031-tmshkr__ngrok-ssh__.ngrok_ngrok.yml": frozenset({"NGL006"}),
    "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml": frozenset({"NGL002"}),
    "034-microsoft__secure-data-sandbox__.ngrok.yml": frozenset({"NGL003"}),
    "035-calcom__cal.com__ngrok.yml.example.yml": frozenset({"NGL003"}),
    "037-L3K0V__dotfiles__.ngrok.yml": frozenset({"NGL003"}),
    "038-matthewbaggett__RedStor__.ngrok.yml": frozenset({"NGL003"}),
    # `authtoken:` empty is null, never a wrong type; the missing `version` stands.
    "039-ChimpDelivery__ChimpDelivery__ngrok.yml.example.yml": frozenset({"NGL003"}),
    # The HTML comment makes `addr` a malformed address (agent 2.x: "strange hostname").
    "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": frozenset({"NGL002", "NGL003"}),
    "045-TetAlius__GoSyncMyCalendars__.ngrok.yml": frozenset({"NGL003"}),
    "046-f1gur4nt__fix_ngrok2__.ngrok.yml": frozenset({"NGL003"}),
    "049-integrations__slack__ngrok.example.yml": frozenset({"NGL003"}),
    "050-clowdr-app__clowdr__ngrok.example.yml": frozenset({"NGL002", "NGL003"}),
    "051-fmind__kate__ngrok.example.yml": frozenset({"NGL002"}),
    "053-mnehpets__workspace-mcp__ngrok.example.yml": frozenset({"NGL002"}),
    "057-kori2000__rpi-ngrok__ngrok.example.yml": frozenset({"NGL003"}),
    "058-Paxmortis__yfmcp__ngrok.example.yml": frozenset({"NGL002"}),
    # `addr: <api-endpoint>:443` is a malformed address.
    "061-lawrence79__ngrok-docker__ngrok.example.yml": frozenset({"NGL002"}),
    "062-Leoyang183__ngrok_demo__ngrok.example.yml": frozenset({"NGL002"}),
    "063-isogram__ngrok__ngrok-config.yml": frozenset({"NGL009"}),
    "065-leviat-tech__compute.rhino3d__ngrok-config.yml": frozenset({"NGL003"}),
    "072-DevSecOpsBr__awesome-stack__ngrok_configs_bitbucket.yaml.yml": frozenset({"NGL001"}),
    "073-burningion__fastapi-openid-connect-playground__ngrok.yaml.yml": frozenset({"NGL001"}),
    "076-jbakse__p5.party__ngrok.yaml.yml": frozenset({"NGL003"}),
    "078-commercetools__commercetools-sunrise-extensions__ngrok.yaml.yml": frozenset({"NGL003"}),
    "079-emrekap__grpc-nest-microservice-monorepo__ngrok.yaml.yml": frozenset({"NGL003"}),
    "080-IcelandicIcecream__ComfyUI__ngrok.yaml.yml": frozenset({"NGL002"}),
    "081-Tonomy-Foundation__Tonomy-App-Websites__ngrok.yaml.yml": frozenset({"NGL002"}),
    "083-liamonpulsesolutions__exit-ready-snapshot__ngrok.yaml.yml": frozenset({"NGL003"}),
    # An `rd_…` reserved-domain ID in `authtoken` is NGL301's ("this is a reserved-domain ID").
    "085-DhartiIPS__api-gateway__ngrok.yaml.yml": frozenset({"NGL301"}),
    "086-CarosDrean__ngrok-client__ngrok.yaml.yml": frozenset({"NGL003"}),
    "087-DynamicDesignz__ngrok-daemon__ngrok.sample.yml": frozenset({"NGL003"}),
    "088-jhartman86__ngrokker__ngrok.sample.yml": frozenset({"NGL003"}),
    "089-devanooga__devanewbot__ngrok.sample.yml": frozenset({"NGL002", "NGL003"}),
    "090-Montana__ngrok-bash-quick-setup__.ngrok2_ngrok.yml": frozenset({"NGL001"}),
    "091-Jakewolfm__minecraft-server-on-heroku-template__.ngrok2_ngrok.yml": frozenset({"NGL003"}),
    # The index calls the dotted subdomains QUESTIONABLE; rules.md settles it: a subdomain holds
    # letters, digits, hyphens and periods (agent/config/v2.mdx), and agent 2.3.41 loads them.
    "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": frozenset({"NGL003"}),
    "093-enterthematrix__toolkit__config_ngrok.yaml.yml": frozenset({"NGL001"}),
    "094-gildlab__ipfs-node__ngrok_config.yml": frozenset({"NGL002", "NGL003"}),
    "095-matsubara0507__git-plantation__ngrok_config.yml": frozenset({"NGL003"}),
    "096-sergief__k8s-dev-cluster__ngrok_config.yml": frozenset({"NGL003"}),
    "097-faysal-ahmad__idreesia-digitalocean__ngrok_config.yml": frozenset({"NGL002", "NGL003"}),
    "098-uphy__pcm-demo__ngrok_config.yml": frozenset({"NGL003"}),
    "101-practicalmeteor__docker-ngrok2__ngrok.yml.sample.yml": frozenset({"NGL003"}),
    # The index calls it INVALID for its literal `${MIGET_SERVICE_NAME}` addr; but it is a template
    # (`.template`), rendered before the agent reads it, where `${VAR}` is expected (NGL006, issue
    # 13): no finding is asked for.
    "102-migetapp__ngrok__ngrok.yml.template.yml": frozenset(),
    "103-nuts-foundation__nuts-network-local__ngrok.yml.template.yml": frozenset({"NGL003"}),
    "107-tatsu-i__TradeAI__docker_ngrok_ngrok.yml": frozenset({"NGL003"}),
    "108-degami__sitebase__docker_ngrok_ngrok.yml": frozenset({"NGL003"}),
    # Index overridden in part: `console_ui: fasle` is accepted by agent 2.x, which reads
    # `console_ui` as a free string (reference, Verified corrections; the 2.x agent starts with it).
    # The missing `version` stands.
    "109-ylecuyer__events__docker_ngrok_ngrok.yml": frozenset({"NGL003"}),
    "113-AiGodprr__kali-rdp-ngrok__ngrok.yml": frozenset({"NGL003"}),
    "127-ngrok__ngrok-docs__examples_agent-config_tls-terminate-at-agent.mdx.yml": frozenset({"NGL002"}),
    "129-ngrok__ngrok-docs__examples_agent-config_tls-term-at-v3-agent.mdx.yml": frozenset({"NGL001"}),
    "136-ngrok__ngrok-docs__examples_agent-config_tls-mtls-at-agent.mdx.yml": frozenset({"NGL002"}),
    "137-ngrok__ngrok-docs__examples_agent-config_http-wildcard-domain.mdx.yml": frozenset({"NGL002"}),
}

# Files the index judges "looks valid" that do get a validity finding, and why the index is wrong.
VALID_BUT: Dict[str, Tuple[FrozenSet[str], str]] = {
    **{
        name: (frozenset({"NGL003"}), "a docs fragment without `version`: agent 3.x refuses it as a whole file")
        for name in (
            "124-ngrok__ngrok-docs__examples_agent-config_custom-agent-ingress.mdx.yml",
            "126-ngrok__ngrok-docs__examples_agent-config_http-ip-restrictions.mdx.yml",
            "128-ngrok__ngrok-docs__examples_agent-config_http-oauth-authz.mdx.yml",
            "130-ngrok__ngrok-docs__examples_agent-config_tcp-fixed.mdx.yml",
            "131-ngrok__ngrok-docs__examples_agent-config_http-webhook-verification.mdx.yml",
            "132-ngrok__ngrok-docs__examples_agent-config_http-mutual-tls.mdx.yml",
            "135-ngrok__ngrok-docs__examples_agent-config_http-circuit-breaker.mdx.yml",
        )
    },
    # Without `version`, and with no key from rules.md's list of v2-only keys, these fragments are
    # legacy files (rules.md, Terms), where `bindings` and `proxy_proto` are unknown keys: agent 2.x
    # ignores them silently. As v2 snippets they are fine.
    "125-ngrok__ngrok-docs__examples_agent-config_http-bindings.mdx.yml": (
        frozenset({"NGL002", "NGL003"}), "a version-less fragment is legacy; `bindings` is not a 2.x key"),
    "134-ngrok__ngrok-docs__examples_agent-config_tcp-proxyproto.mdx.yml": (
        frozenset({"NGL002", "NGL003"}), "a version-less fragment is legacy; `proxy_proto` is not a 2.x key"),
}

#: Expectations that wait on a schema change (see `schema_checks_addr`): file → code.
NEEDS_ADDR_FORMAT = {
    "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": "NGL002",
    "061-lawrence79__ngrok-docker__ngrok.example.yml": "NGL002",
}


def available(codes: FrozenSet[str]) -> FrozenSet[str]:
    """The codes whose rule modules exist (rules written in parallel count once they land)."""
    return frozenset(c for c in codes if registry.lookup(c) is not None)


@lru_cache(maxsize=1)
def schema_checks_addr() -> bool:
    """Does the schema check the format of a tunnel's `addr`? (Agent 2.x and 3.x refuse
    `addr: "a b"`; the schemas do not check `addr` yet.)"""
    text = textwrap.dedent("""\
        tunnels:
          a:
            proto: http
            addr: "n8n:5678 x"
        """)
    return any(f.code == "NGL002" for f in lint(text, select=["NGL002"]))


@lru_cache(maxsize=None)
def result(name: str) -> Tuple[int, str, str]:
    out = run_cli([str(CORPUS / name), "--isolated", "--format", "json"])
    return out.code, out.out, out.err


def codes_of(name: str) -> FrozenSet[str]:
    _, out, _ = result(name)
    return frozenset(f["code"] for f in json.loads(out)["findings"] if not f["suppressed"])


def test_the_index_lists_every_file() -> None:
    on_disk = sorted(p.name for p in CORPUS.iterdir() if p.name != "INDEX.tsv")
    assert on_disk == FILES
    assert len(FILES) >= 100


def test_every_invalid_file_has_a_row() -> None:
    invalid = sorted(n for n, row in BY_FILE.items() if row["validity"].startswith("INVALID"))
    assert sorted(EXPECTED) == invalid


@pytest.mark.parametrize("name", FILES)
def test_lints_without_a_crash(name: str) -> None:
    code, out, err = result(name)
    assert code in (0, 1), err
    assert "Traceback" not in err and "Traceback" not in out
    assert "internal error" not in err
    document = json.loads(out)
    assert [f["path"] for f in document["files"]] == [str(CORPUS / name)]
    assert document["errors"] == []


VALID = [n for n in FILES if BY_FILE[n]["validity"].startswith("looks valid")]


@pytest.mark.parametrize("name", VALID)
def test_valid_files_get_no_validity_finding(name: str) -> None:
    allowed, _why = VALID_BUT.get(name, (frozenset(), ""))
    got = codes_of(name) & available(frozenset(VALIDITY))
    assert got == available(allowed)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_files_get_the_finding_the_index_names(name: str) -> None:
    expected = available(EXPECTED[name])
    if name in NEEDS_ADDR_FORMAT and not schema_checks_addr():
        expected -= {NEEDS_ADDR_FORMAT[name]}
        if not expected:
            pytest.xfail("the schemas do not check the format of a tunnel's `addr` yet")
    got = codes_of(name)
    assert expected <= got, f"{BY_FILE[name]['validity']}: expected {sorted(expected)}, got {sorted(got)}"
    if EXPECTED[name] == {"NGL009"}:
        assert got == {"NGL009"}, "an ngrok 1.x file gets NGL009 alone"
    if name in NEEDS_ADDR_FORMAT and not schema_checks_addr():
        pytest.xfail("passes without its `addr` expectation: the schemas do not check `addr` yet")


def test_the_summary_of_the_corpus(capsys: pytest.CaptureFixture) -> None:
    """Counts for the record (`pytest -s` shows them)."""
    valid = len(VALID)
    invalid = len(EXPECTED)
    other = len(FILES) - valid - invalid
    clean = sum(1 for n in FILES if result(n)[0] == 0)
    with capsys.disabled():
        print(
            f"\ncorpus: {len(FILES)} files: {valid} looks valid, {invalid} INVALID, {other} other; "
            f"{clean} exit 0, {len(FILES) - clean} exit 1; "
            f"index judgements overridden: {sorted(n[:3] for n in VALID_BUT)} (valid), "
            "006, 029, 039, 109 (INVALID in part)"
        )
    assert valid + invalid + other == len(FILES)
