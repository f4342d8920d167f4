"""The validity rules NGL003, NGL005, NGL006 and NGL007 on the real-world corpus.

Each rule is pinned to the exact set of corpus files it fires on, every file with the reason the
finding is real (the catalogue: no warning or error may fire on a correct, current,
default-shaped file). A new hit or a lost one fails here and has to be judged, not waved through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from conftest import CORPUS, ROOT

_LEGACY = "legacy agent 2.x file without `version`: agent 3.x refuses it"
_FRAGMENT = "documentation fragment without `version`: as a whole file, agent 3.x refuses it"

PINS: Dict[str, Dict[str, str]] = {
    "NGL003": {
        "003-0x3phemeralsoul__shorty__ngrok.yml": "`agent:` block without `version`: agent 3.x refuses it, 2.x ignores the block",
        "004-3box__3box-services-box__ngrok.yml": _LEGACY,
        "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": _LEGACY + " (bind_tls, auth)",
        "009-leorami__Dev-Tunnel-Proxy__config_ngrok.yml": "`bind_tls` in a version 2 file: agent 3.x refuses the 2.x key",
        "010-glebis__telegram_agent__config_ngrok.yml": "`bind_tls` in a version 2 file: agent 3.x refuses the 2.x key",
        "013-mileszim__rails-project-template__config_ngrok.yml": _LEGACY + " (an ERB template that still has no version)",
        "016-ASAPHAANING__systemd-ngrok__ngrok.yml": _LEGACY,
        "022-DannyBen__rush-repo__ngrok_ngrok.yml": _LEGACY + " (a ~/.ngrok2 file)",
        "029-MzeroMiko__serveGo__ngrok_ngrok.yml": _LEGACY,
        "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml": "`bind_tls` on six tunnels of a version 2 file: agent 3.x refuses each",
        "034-microsoft__secure-data-sandbox__.ngrok.yml": _LEGACY,
        "035-calcom__cal.com__ngrok.yml.example.yml": _LEGACY,
        "037-L3K0V__dotfiles__.ngrok.yml": _LEGACY + " (`update` is a 2.x key)",
        "038-matthewbaggett__RedStor__.ngrok.yml": _LEGACY,
        "039-ChimpDelivery__ChimpDelivery__ngrok.yml.example.yml": _LEGACY,
        "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": _LEGACY,
        "045-TetAlius__GoSyncMyCalendars__.ngrok.yml": _LEGACY,
        "046-f1gur4nt__fix_ngrok2__.ngrok.yml": _LEGACY + " (`socks5_proxy` is a 2.x key)",
        "049-integrations__slack__ngrok.example.yml": _LEGACY,
        "050-clowdr-app__clowdr__ngrok.example.yml": _LEGACY,
        "057-kori2000__rpi-ngrok__ngrok.example.yml": _LEGACY + " (a copy of the 2.x docs example)",
        "065-leviat-tech__compute.rhino3d__ngrok-config.yml": _LEGACY,
        "076-jbakse__p5.party__ngrok.yaml.yml": _LEGACY,
        "078-commercetools__commercetools-sunrise-extensions__ngrok.yaml.yml": _LEGACY,
        "079-emrekap__grpc-nest-microservice-monorepo__ngrok.yaml.yml": _LEGACY,
        "083-liamonpulsesolutions__exit-ready-snapshot__ngrok.yaml.yml": "`agent:` block without `version`: agent 3.x refuses it",
        "086-CarosDrean__ngrok-client__ngrok.yaml.yml": _LEGACY,
        "087-DynamicDesignz__ngrok-daemon__ngrok.sample.yml": _LEGACY,
        "088-jhartman86__ngrokker__ngrok.sample.yml": _LEGACY,
        "089-devanooga__devanewbot__ngrok.sample.yml": _LEGACY,
        "091-Jakewolfm__minecraft-server-on-heroku-template__.ngrok2_ngrok.yml": _LEGACY,
        "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": _LEGACY,
        "094-gildlab__ipfs-node__ngrok_config.yml": "`version: 1`: agent 3.x accepts only 2 and 3",
        "095-matsubara0507__git-plantation__ngrok_config.yml": _LEGACY,
        "096-sergief__k8s-dev-cluster__ngrok_config.yml": _LEGACY,
        "097-faysal-ahmad__idreesia-digitalocean__ngrok_config.yml": _LEGACY,
        "098-uphy__pcm-demo__ngrok_config.yml": _LEGACY,
        "101-practicalmeteor__docker-ngrok2__ngrok.yml.sample.yml": _LEGACY,
        "103-nuts-foundation__nuts-network-local__ngrok.yml.template.yml": _LEGACY,
        "107-tatsu-i__TradeAI__docker_ngrok_ngrok.yml": _LEGACY,
        "108-degami__sitebase__docker_ngrok_ngrok.yml": _LEGACY,
        "109-ylecuyer__events__docker_ngrok_ngrok.yml": _LEGACY,
        "113-AiGodprr__kali-rdp-ngrok__ngrok.yml": "top-level `authtoken` under version \"3\" (the agent 3.15.0 shape): refused",
        "121-ngrok__ngrok-docs__examples_agent-config_http-traffic-policy.mdx.yml": _FRAGMENT,
        "124-ngrok__ngrok-docs__examples_agent-config_custom-agent-ingress.mdx.yml": _FRAGMENT,
        "125-ngrok__ngrok-docs__examples_agent-config_http-bindings.mdx.yml": _FRAGMENT,
        "126-ngrok__ngrok-docs__examples_agent-config_http-ip-restrictions.mdx.yml": _FRAGMENT,
        "128-ngrok__ngrok-docs__examples_agent-config_http-oauth-authz.mdx.yml": _FRAGMENT,
        "130-ngrok__ngrok-docs__examples_agent-config_tcp-fixed.mdx.yml": _FRAGMENT,
        "131-ngrok__ngrok-docs__examples_agent-config_http-webhook-verification.mdx.yml": _FRAGMENT,
        "132-ngrok__ngrok-docs__examples_agent-config_http-mutual-tls.mdx.yml": _FRAGMENT,
        "134-ngrok__ngrok-docs__examples_agent-config_tcp-proxyproto.mdx.yml": _FRAGMENT,
        "135-ngrok__ngrok-docs__examples_agent-config_http-circuit-breaker.mdx.yml": _FRAGMENT,
    },
    "NGL005": {
        "050-clowdr-app__clowdr__ngrok.example.yml": (
            "two tunnels take the same `hostname` placeholder: filled in, the second session is refused"
        ),
    },
    "NGL006": {
        "003-0x3phemeralsoul__shorty__ngrok.yml": "`${NGROK_AUTH_TOKEN}` sent literally as the authtoken",
        "010-glebis__telegram_agent__config_ngrok.yml": "`${NGROK_AUTHTOKEN}` sent literally as the authtoken",
        "023-SiddhantAttavar__raspberry-pi-config__ngrok_ngrok.yml": "`${NGROK_AUTH_TOKEN}` sent literally as the authtoken",
        "031-tmshkr__ngrok-ssh__.ngrok_ngrok.yml": "`$INPUT_NGROK_TOKEN` authtoken and `$INPUT_SSH_PORT` addr, both literal",
        "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml": "variable authtoken and hostnames, all literal",
        # Not any more, being templates (`.example`, `.template`), where `${VAR}` is expected and
        # rendered first (issue 13): 052-agents-assemble (its comment even claims ngrok expands it:
        # a recall loss the template rule accepts), 102-migetapp, 103-nuts-foundation.
        "074-masanao-ohba__cchistory__ngrok.yaml.yml": "`${NGROK_AUTHTOKEN}` authtoken and `${NGROK_DOMAIN}` domain, literal",
        "108-degami__sitebase__docker_ngrok_ngrok.yml": "`${NGROK_AUTHTOKEN}` sent literally as the authtoken",
    },
    # No corpus file spells a boolean field yes/no/on/off/y/n.
    "NGL007": {},
}


def _corpus_files() -> List[Path]:
    return sorted(p for p in CORPUS.glob("*") if p.is_file() and p.name != "INDEX.tsv")


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the real-world corpus is not available")


@pytest.mark.parametrize("code", sorted(PINS))
def test_rule_fires_on_exactly_the_pinned_corpus_files(code: str) -> None:
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze, finish

    settings = settings_from_table({"select": [code]}, str(ROOT / "x.toml"))
    fired = set()
    for path in _corpus_files():
        analysis = analyze(str(path), path.read_bytes(), settings, str(CORPUS))
        assert not analysis.internal_errors, f"{path.name}: {analysis.internal_errors}"
        if any(f.code == code for f in finish([analysis])[str(path)]):
            fired.add(path.name)
    pinned = set(PINS[code])
    assert not fired - pinned, f"{code} fires on unpinned corpus files: {sorted(fired - pinned)}"
    assert not pinned - fired, f"{code} no longer fires on: {sorted(pinned - fired)}"


def test_pinned_files_exist() -> None:
    names = {p.name for p in _corpus_files()}
    for code, files in PINS.items():
        assert set(files) <= names, f"{code} pins files that are not in the corpus: {sorted(set(files) - names)}"
