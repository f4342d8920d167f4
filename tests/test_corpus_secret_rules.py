"""The secrets and upkeep rules over the real-world corpus: the exact set of files each one fires on.

The corpus is committed files as found, with real secrets scrubbed: authtokens became
`REDACTED_TOKEN_xxx…` and basic-auth passwords `REDACTED_PW…`. Both are placeholders by the
rules' definition (`redacted…`), so the scrubbed values are never reported; the last tests put a
made-up token back where each scrubbed one was, to show the rules would have caught them.

A change to these sets is a change in behaviour on real files: update a pin only with a reason.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set

import pytest

from conftest import CORPUS, ROOT

from ngrok_lint.config import settings_from_table
from ngrok_lint.engine import Analysis, analyze, finish

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared real-world corpus is not here")

FILES: List[Path] = sorted(CORPUS.glob("*.yml")) if CORPUS.is_dir() else []

PINS: Dict[str, Set[str]] = {
    "NGL301": {
        # 029 `authtoken: 123456` is no longer reported: not token-shaped (shorter than 30 characters),
        # so a placeholder (rules.md, Terms); a real token never has that shape.
        "085-DhartiIPS__api-gateway__ngrok.yaml.yml",  # `authtoken: rd_…`: a reserved-domain ID pasted as the token
    },
    "NGL302": set(),  # no corpus file writes an api_key
    "NGL303": {
        "123-ngrok__ngrok-docs__examples_agent-config_http-basic-auth.mdx.yml",  # docs: basic-auth `username1:password1` inline
    },
    "NGL304": {
        "123-ngrok__ngrok-docs__examples_agent-config_http-basic-auth.mdx.yml",  # docs: `password1` is a common password
    },
    "NGL305": set(),  # every real token is scrubbed to a placeholder, and placeholders are never "shared"
    "NGL401": {
        "007-fabiograsso__okta-scim-server-docker-compose__config_ngrok.yml",  # v2 `region: eu`
        "010-glebis__telegram_agent__config_ngrok.yml",  # v2 `region`
        "012-Donnadieu__storyteller-api__config_ngrok.yml",  # v2 `region`
        "014-uchilaka__cami__config_ngrok.yml",  # v2 `region`
        "019-NetPenguins__P4wnP1_aloa__ngrok_ngrok.yml",  # v3 `tunnels:`, and an `oauth` module block
        "021-LiteFarmOrg__LiteFarm__ngrok_ngrok.yml",  # v2 `region`
        "027-hrsa__calendize__docker_ngrok.yml",  # v2 `host_header` and `response_header` modules
        "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml",  # `hostname` on two tunnels (read as v2: `schemes`)
        "033-hotchilianalytics__verityngn-oss__.ngrok.yml",  # v3 `tunnels:`
        "043-LuminariMUD__Intermud3__ngrok.yml.example.yml",  # v3 `tunnels:`
        "044-heimerle__paperless-mcp-server__ngrok.yml.example.yml",  # v2 `region`
        "055-DaniPopov__muninn__ngrok.example.yml",  # v3 `tunnels:`
        "056-vaibhavqrcg__hooman__ngrok.example.yml",  # v2 `region`
        "059-LongshotAI__signal-rush__ngrok.example.yml",  # v3 `tunnels:`
        "060-aishadahesh__uoh-ay26-mcp-ai-cops-and-robbers__ngrok.example.yml",  # v3 `tunnels:`
        "067-blurrycontour__remember__ngrok_ngrok.yaml.yml",  # v2 `hostname`
        "068-Burush0__wordpress-server-docker__ngrok_ngrok.yaml.yml",  # v3 `tunnels:`
        "071-DevSecOpsBr__awesome-stack__ngrok_configs_github.yaml.yml",  # v2 `region`, `host_header`, `hostname`
        "074-masanao-ohba__cchistory__ngrok.yaml.yml",  # v2 `host_header`
        "075-git-classrooms__git-classrooms__ngrok.yaml.yml",  # v3 `tunnels:`
        "077-lukepighetti__plt__ngrok.yaml.yml",  # v2 `region` and two `subdomain`s
        "084-SimifiniiCTO__simfiny-financial-integration-service__ngrok.yaml.yml",  # v2 `region`
        "099-coflin__csci5840__ngrok_config.yml",  # v2 `region`
        "100-LeanHydra84__Group63-SecurityCamera__ngrok_config.yml",  # v3 `tunnels:`
        "113-AiGodprr__kali-rdp-ngrok__ngrok.yml",  # v3 `tunnels:`
        "116-jxpx777__dotfiles__.config_ngrok_ngrok.yml",  # v2 `hostname`
        "118-magnusrodseth__dotfiles__.config_ngrok_ngrok.yml",  # v3 `tunnels:`
        "119-tomasleblancu__fizko__backend_ngrok.yml",  # v2 `region`
        "121-ngrok__ngrok-docs__examples_agent-config_http-traffic-policy.mdx.yml",  # docs: `policy` with `inbound`/`outbound`
        "126-ngrok__ngrok-docs__examples_agent-config_http-ip-restrictions.mdx.yml",  # docs: `ip_restriction` module
        "128-ngrok__ngrok-docs__examples_agent-config_http-oauth-authz.mdx.yml",  # docs: `oauth` module
        "131-ngrok__ngrok-docs__examples_agent-config_http-webhook-verification.mdx.yml",  # docs: `verify_webhook` module
        "132-ngrok__ngrok-docs__examples_agent-config_http-mutual-tls.mdx.yml",  # docs: `mutual_tls_cas` module
        "135-ngrok__ngrok-docs__examples_agent-config_http-circuit-breaker.mdx.yml",  # docs: `circuit_breaker` module
        "137-ngrok__ngrok-docs__examples_agent-config_http-wildcard-domain.mdx.yml",  # docs: v3 `tunnels:`
    },
    "NGL403": {
        "027-hrsa__calendize__docker_ngrok.yml",  # `update_check: false` (011 has it too, but does not parse)
    },
}

# Where the scrubbed authtokens stood: a YAML `authtoken` key in every file but two.
NOT_A_KEY = {
    "080-IcelandicIcecream__ComfyUI__ngrok.yaml.yml",  # `NGROK_AUTHTOKEN = "…"`: a dotenv line, not a mapping
    "081-Tonomy-Foundation__Tonomy-App-Websites__ngrok.yaml.yml",  # a shell command, `ngrok config add-authtoken …`
}
_SCRUBBED_TOKEN = re.compile(r"REDACTED_TOKEN_x+")


def _run(code: str, texts: Dict[Path, bytes]) -> Dict[str, int]:
    """One run over the given files with only `code` selected: file name -> number of findings."""
    settings = settings_from_table({"select": [code]}, str(ROOT / "corpus-test.toml"))
    analyses: List[Analysis] = [analyze(str(p), data, settings, str(p.parent)) for p, data in texts.items()]
    result = finish(analyses)
    counts = {Path(path).name: sum(1 for f in found if f.code == code) for path, found in result.items()}
    return {name: count for name, count in counts.items() if count}


@pytest.mark.parametrize("code", sorted(PINS))
def test_rule_fires_on_exactly_the_pinned_corpus_files(code: str) -> None:
    fired = _run(code, {p: p.read_bytes() for p in FILES})
    assert set(fired) == PINS[code]


def _unscrubbed(shared: bool) -> Dict[Path, bytes]:
    """The scrubbed files with a made-up token in place of each scrubbed one: one per file, of the
    scrubbed length, or (`shared`) the same token in every file."""
    texts: Dict[Path, bytes] = {}
    for path in FILES:
        text = path.read_text("utf-8")
        if not _SCRUBBED_TOKEN.search(text):
            continue
        fake = f"2Fk{path.name[:3]}AbCdEfGhIjKlMnOpQrStUv_WxYz0123456789abcdefghijklmn"
        if shared:  # the scrubber kept each token's length; a shared token has one length
            fake = "2Fk000AbCdEfGhIjKlMnOpQrSt_Uv1WxYz23456789abcdef"
        texts[path] = _SCRUBBED_TOKEN.sub(lambda m: fake if shared else fake[: len(m.group(0))], text).encode("utf-8")
    return texts


def test_every_scrubbed_authtoken_key_would_have_been_reported() -> None:
    texts = _unscrubbed(shared=False)
    assert len(texts) == 35
    assert set(_run("NGL301", texts)) == {p.name for p in texts} - NOT_A_KEY


def test_the_same_token_in_every_scrubbed_file_would_be_shared() -> None:
    texts = _unscrubbed(shared=True)
    fired = _run("NGL305", texts)
    reported = sorted(p.name for p in texts if p.name not in NOT_A_KEY)
    assert set(fired) == set(reported[1:])  # every file but the first of the run
    assert all(count == 1 for count in fired.values())
    assert _run("NGL305", _unscrubbed(shared=False)) == {}
