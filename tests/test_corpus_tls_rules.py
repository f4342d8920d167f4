"""The transport and TLS rules (NGL101-NGL108) over the real-world corpus: for each rule, the exact
corpus files it fires on and how many findings each gets, with why each finding is real.

The catalogue promises that no warning- or error-level rule fires on a correct, default-shaped
file. Every file pinned below for NGL101 or NGL102 configures plain HTTP, on purpose or by agent 2.x's
default (a legacy http tunnel without `bind_tls` also gets an `http://` URL). NGL103 is
information: it fires on every public endpoint where ngrok terminates TLS without a pinned
floor, which is most files. The option-driven rules (NGL104, NGL108) are silent on the corpus
without their project options, and are pinned with them too.
"""

from __future__ import annotations

import os
from typing import Dict, Optional

import pytest

from conftest import CORPUS, ROOT

CODES = ("NGL101", "NGL102", "NGL103", "NGL104", "NGL105", "NGL106", "NGL107", "NGL108")

pytestmark = pytest.mark.skipif(not (CORPUS / "INDEX.tsv").is_file(), reason="the shared corpus is not here")

NGL101: Dict[str, int] = {
    # legacy http tunnels ipfs, demo: no `bind_tls`, so agent 2.x serves http:// beside https://
    "004-3box__3box-services-box__ngrok.yml": 2,
    # legacy http tunnels nodered, web, dev, sonarqube, nodered_ha: `bind_tls: false` serves HTTP only
    "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": 5,
    # legacy http tunnel rails-project-template: no `bind_tls`, so agent 2.x serves http:// beside https://
    "013-mileszim__rails-project-template__config_ngrok.yml": 1,
    # legacy http tunnel gateway: no `bind_tls`, so agent 2.x serves http:// beside https://
    "038-matthewbaggett__RedStor__.ngrok.yml": 1,
    # legacy http tunnel laravel_tunnel: no `bind_tls`, so agent 2.x serves http:// beside https://
    "039-ChimpDelivery__ChimpDelivery__ngrok.yml.example.yml": 1,
    # legacy http tunnel custom-domain-tunnel: no `bind_tls`, so agent 2.x serves http:// beside https://
    "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": 1,
    # legacy http tunnel http: no `bind_tls`, so agent 2.x serves http:// beside https://
    "046-f1gur4nt__fix_ngrok2__.ngrok.yml": 1,
    # legacy http tunnel slack: no `bind_tls`, so agent 2.x serves http:// beside https://
    "049-integrations__slack__ngrok.example.yml": 1,
    # legacy http tunnel myapp-http: `bind_tls: false` serves HTTP only
    "057-kori2000__rpi-ngrok__ngrok.example.yml": 1,
    # legacy http tunnel checker: no `bind_tls`, so agent 2.x serves http:// beside https://
    "065-leviat-tech__compute.rhino3d__ngrok-config.yml": 1,
    # legacy http tunnel web: no `bind_tls`, so agent 2.x serves http:// beside https://
    "076-jbakse__p5.party__ngrok.yaml.yml": 1,
    # legacy http tunnel sunrise: no `bind_tls`, so agent 2.x serves http:// beside https://
    "078-commercetools__commercetools-sunrise-extensions__ngrok.yaml.yml": 1,
    # legacy http tunnels api-results, api-inventory: no `bind_tls`, so agent 2.x serves http:// beside https://
    "086-CarosDrean__ngrok-client__ngrok.yaml.yml": 2,
    # legacy http tunnel spinupwp: no `bind_tls`, so agent 2.x serves http:// beside https://
    "087-DynamicDesignz__ngrok-daemon__ngrok.sample.yml": 1,
    # legacy http tunnel devanewbot: no `bind_tls`, so agent 2.x serves http:// beside https://
    "089-devanooga__devanewbot__ngrok.sample.yml": 1,
    # legacy http tunnels jupyter-research, jupyter-forage, resilio: no `bind_tls`, so agent 2.x serves http:// beside https://
    "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": 3,
    # legacy http tunnels ipfs-daemon, ipfs-deamon-getway, ngrok-web-interface: no `bind_tls`, so agent 2.x serves http:// beside https://
    "094-gildlab__ipfs-node__ngrok_config.yml": 3,
    # legacy http tunnels app, drone: no `bind_tls`, so agent 2.x serves http:// beside https://
    "095-matsubara0507__git-plantation__ngrok_config.yml": 2,
    # legacy http tunnel githubWebhooks: no `bind_tls`, so agent 2.x serves http:// beside https://
    "096-sergief__k8s-dev-cluster__ngrok_config.yml": 1,
    # legacy http tunnel app: no `bind_tls`, so agent 2.x serves http:// beside https://
    "098-uphy__pcm-demo__ngrok_config.yml": 1,
    # legacy http tunnels bundy, dahmer: no `bind_tls`, so agent 2.x serves http:// beside https://
    "103-nuts-foundation__nuts-network-local__ngrok.yml.template.yml": 2,
    # legacy http tunnel web: no `bind_tls`, so agent 2.x serves http:// beside https://
    "108-degami__sitebase__docker_ngrok_ngrok.yml": 1,
    # v2 tunnel laravel-app: `schemes: [https, http]` also serves a plain-HTTP URL
    "110-johnezell__ai-transcription-microservice__docker_ngrok_ngrok.yml": 1,
    # v3 endpoint throttle: `url: http://` is a plain-HTTP public endpoint
    "112-webman__throttle-dockerized__docker_ngrok_ngrok.yml": 1,
    # v2 tunnel web: `schemes: [https, http]` also serves a plain-HTTP URL
    "120-noir-madlax__leviton-agent__backend_ngrok.yml": 1,
    # legacy http tunnel example: no `bind_tls`, so agent 2.x serves http:// beside https://
    # (a docs fragment without `version`, read as legacy)
    "125-ngrok__ngrok-docs__examples_agent-config_http-bindings.mdx.yml": 1,
}

NGL102: Dict[str, int] = {
    # tunnels dev and sonarqube forward over plain HTTP to the LAN host 192.168.86.222
    "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": 2,
    # tunnel githubWebhooks forwards over plain HTTP to 192.168.99.103:80, another machine (the cluster VM)
    "096-sergief__k8s-dev-cluster__ngrok_config.yml": 1,
}

NGL103: Dict[str, int] = {
    # v2, https tunnels backend, frontend: TLS ends at ngrok, no min_version
    "002-05nblol-design__zaraopera__ngrok.yml": 2,
    # legacy, https tunnels ipfs, demo [2.x default: both]: TLS ends at ngrok, no min_version
    "004-3box__3box-services-box__ngrok.yml": 2,
    # v2, https tunnel scim-net: TLS ends at ngrok, no min_version
    "007-fabiograsso__okta-scim-server-docker-compose__config_ngrok.yml": 1,
    # v2, https tunnel proxy: TLS ends at ngrok, no min_version
    "009-leorami__Dev-Tunnel-Proxy__config_ngrok.yml": 1,
    # v2, https tunnel telegram-agent: TLS ends at ngrok, no min_version
    "010-glebis__telegram_agent__config_ngrok.yml": 1,
    # v2, https tunnels storysprout-api, storysprout-ui: TLS ends at ngrok, no min_version
    "012-Donnadieu__storyteller-api__config_ngrok.yml": 2,
    # legacy, https tunnel rails-project-template [2.x default: both]: TLS ends at ngrok, no min_version
    "013-mileszim__rails-project-template__config_ngrok.yml": 1,
    # v2, https tunnel larcity-accounts: TLS ends at ngrok, no min_version
    "014-uchilaka__cami__config_ngrok.yml": 1,
    # v2, https tunnels mcp, backend: TLS ends at ngrok, no min_version
    "015-jeffvestal__wayfinder_supply_co__config_ngrok.yml": 2,
    # v2, https tunnels n8n, evolution-api: TLS ends at ngrok, no min_version
    "017-Alexav09__n8n-evoapi-ngrok__ngrok.yml": 2,
    # v2, https tunnels platform, session: TLS ends at ngrok, no min_version
    "018-Amund-Fremming__tero.infra__ngrok.yml": 2,
    # v3 (tunnels:), https tunnel basic: TLS ends at ngrok, no min_version
    "019-NetPenguins__P4wnP1_aloa__ngrok_ngrok.yml": 1,
    # v2, https tunnels webapp, api: TLS ends at ngrok, no min_version
    "021-LiteFarmOrg__LiteFarm__ngrok_ngrok.yml": 2,
    # v2, https tunnels web, api: TLS ends at ngrok, no min_version
    "024-JakeElder__.config__ngrok_ngrok.yml": 2,
    # v2, https tunnels mcp-server, mcp-opensearch, mcp-registry: TLS ends at ngrok, no min_version
    "025-KumarDeepankar__mcp_gateway__ngrok_ngrok.yml": 3,
    # v2, https tunnels controller-ngrok, aca-py-ngrok: TLS ends at ngrok, no min_version
    "026-bcgov__vc-authn-oidc__docker_ngrok.yml": 2,
    # v2, https tunnel website: TLS ends at ngrok, no min_version
    "027-hrsa__calendize__docker_ngrok.yml": 1,
    # v2, https tunnels (6): TLS ends at ngrok, no min_version
    "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml": 6,
    # v3 (tunnels:), https tunnels verityngn-api, verityngn-ui: TLS ends at ngrok, no min_version
    "033-hotchilianalytics__verityngn-oss__.ngrok.yml": 2,
    # legacy, https tunnel arm [bind_tls true]: TLS ends at ngrok, no min_version
    "034-microsoft__secure-data-sandbox__.ngrok.yml": 1,
    # legacy, https tunnel dev [bind_tls true]: TLS ends at ngrok, no min_version
    "035-calcom__cal.com__ngrok.yml.example.yml": 1,
    # v2, https tunnels port-3001, port-3000: TLS ends at ngrok, no min_version
    "036-IIyn__ngrok-docker-config__ngrok.yml.example.yml": 2,
    # legacy, https tunnel gateway [2.x default: both]: TLS ends at ngrok, no min_version
    "038-matthewbaggett__RedStor__.ngrok.yml": 1,
    # legacy, https tunnel laravel_tunnel [2.x default: both]: TLS ends at ngrok, no min_version
    "039-ChimpDelivery__ChimpDelivery__ngrok.yml.example.yml": 1,
    # legacy, https tunnel custom-domain-tunnel [2.x default: both]: TLS ends at ngrok, no min_version
    "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": 1,
    # v2, https tunnels n8n, openwebui: TLS ends at ngrok, no min_version
    "041-ThijsdeZeeuw__cloud-local-ngrok__ngrok.yml.example.yml": 2,
    # v2, https tunnels shopify-app, cloudflare-workers: TLS ends at ngrok, no min_version
    "042-kinngh__shopify-app-js__ngrok.yml.example.yml": 2,
    # v3 (tunnels:), https tunnel i3-websocket: TLS ends at ngrok, no min_version
    "043-LuminariMUD__Intermud3__ngrok.yml.example.yml": 1,
    # v2, https tunnel paperless-mcp: TLS ends at ngrok, no min_version
    "044-heimerle__paperless-mcp-server__ngrok.yml.example.yml": 1,
    # legacy, https tunnel gosync [bind_tls true]: TLS ends at ngrok, no min_version
    "045-TetAlius__GoSyncMyCalendars__.ngrok.yml": 1,
    # legacy, https tunnel http [2.x default: both]: TLS ends at ngrok, no min_version
    "046-f1gur4nt__fix_ngrok2__.ngrok.yml": 1,
    # legacy, https tunnel slack [2.x default: both]: TLS ends at ngrok, no min_version
    "049-integrations__slack__ngrok.example.yml": 1,
    # legacy, https tunnels auth, actions [bind_tls true]: TLS ends at ngrok, no min_version
    "050-clowdr-app__clowdr__ngrok.example.yml": 2,
    # v3, https endpoint kate: TLS ends at ngrok, no min_version
    "051-fmind__kate__ngrok.example.yml": 1,
    # v3, https endpoint a2a: TLS ends at ngrok, no min_version
    "052-agents-assemble__priorauth-agent__ngrok.example.yml": 1,
    # v3, https endpoint workspace-mcp: TLS ends at ngrok, no min_version
    "053-mnehpets__workspace-mcp__ngrok.example.yml": 1,
    # v2, https tunnel rlm-mcp: TLS ends at ngrok, no min_version
    "054-cgaeking__rlm-connector__ngrok.example.yml": 1,
    # v3 (tunnels:), https tunnel whatsapp: TLS ends at ngrok, no min_version
    "055-DaniPopov__muninn__ngrok.example.yml": 1,
    # v2, https tunnel api: TLS ends at ngrok, no min_version
    "056-vaibhavqrcg__hooman__ngrok.example.yml": 1,
    # v3, https endpoint mcp: TLS ends at ngrok, no min_version
    "058-Paxmortis__yfmcp__ngrok.example.yml": 1,
    # v3 (tunnels:), https tunnel signal-rush: TLS ends at ngrok, no min_version
    "059-LongshotAI__signal-rush__ngrok.example.yml": 1,
    # v3 (tunnels:), https tunnels cop-mcp, thief-mcp: TLS ends at ngrok, no min_version
    "060-aishadahesh__uoh-ay26-mcp-ai-cops-and-robbers__ngrok.example.yml": 2,
    # v2, https tunnel vestwell-admin-api: TLS ends at ngrok, no min_version
    "061-lawrence79__ngrok-docker__ngrok.example.yml": 1,
    # v2, https tunnel api: TLS ends at ngrok, no min_version
    "062-Leoyang183__ngrok_demo__ngrok.example.yml": 1,
    # v2, https tunnel httpbin: TLS ends at ngrok, no min_version
    "064-hfantin__ngrok-server-example__ngrok-config.yml": 1,
    # legacy, https tunnel checker [2.x default: both]: TLS ends at ngrok, no min_version
    "065-leviat-tech__compute.rhino3d__ngrok-config.yml": 1,
    # v2, https tunnel nginx: TLS ends at ngrok, no min_version
    "067-blurrycontour__remember__ngrok_ngrok.yaml.yml": 1,
    # v3 (tunnels:), https tunnel app: TLS ends at ngrok, no min_version
    "068-Burush0__wordpress-server-docker__ngrok_ngrok.yaml.yml": 1,
    # v2, https tunnels (4): TLS ends at ngrok, no min_version
    "069-KVLuyeye__Magana__ngrok_ngrok.yaml.yml": 4,
    # v2, https tunnel webserver: TLS ends at ngrok, no min_version
    "070-larsks__compose-ngrok-example__ngrok.yaml.yml": 1,
    # v2, https tunnel bitbucket: TLS ends at ngrok, no min_version
    "071-DevSecOpsBr__awesome-stack__ngrok_configs_github.yaml.yml": 1,
    # v2, https tunnel cchistory: TLS ends at ngrok, no min_version
    "074-masanao-ohba__cchistory__ngrok.yaml.yml": 1,
    # v3 (tunnels:), https tunnel app: TLS ends at ngrok, no min_version
    "075-git-classrooms__git-classrooms__ngrok.yaml.yml": 1,
    # legacy, https tunnel web [2.x default: both]: TLS ends at ngrok, no min_version
    "076-jbakse__p5.party__ngrok.yaml.yml": 1,
    # v2, https tunnels plt, plt-mqtt: TLS ends at ngrok, no min_version
    "077-lukepighetti__plt__ngrok.yaml.yml": 2,
    # legacy, https tunnel sunrise [2.x default: both]: TLS ends at ngrok, no min_version
    "078-commercetools__commercetools-sunrise-extensions__ngrok.yaml.yml": 1,
    # v2, https tunnel functions: TLS ends at ngrok, no min_version
    "082-moeadham__fwd2cal__ngrok.yaml.yml": 1,
    # v2, https tunnel myapp: TLS ends at ngrok, no min_version
    "084-SimifiniiCTO__simfiny-financial-integration-service__ngrok.yaml.yml": 1,
    # v2, https tunnels (9): TLS ends at ngrok, no min_version
    "085-DhartiIPS__api-gateway__ngrok.yaml.yml": 9,
    # legacy, https tunnels api-results, api-inventory [2.x default: both]: TLS ends at ngrok, no min_version
    "086-CarosDrean__ngrok-client__ngrok.yaml.yml": 2,
    # legacy, https tunnel spinupwp [2.x default: both]: TLS ends at ngrok, no min_version
    "087-DynamicDesignz__ngrok-daemon__ngrok.sample.yml": 1,
    # legacy, https tunnel devanewbot [2.x default: both]: TLS ends at ngrok, no min_version
    "089-devanooga__devanewbot__ngrok.sample.yml": 1,
    # legacy, https tunnels jupyter-research, jupyter-forage, resilio [2.x default: both]: TLS at ngrok, no min_version
    "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": 3,
    # legacy, https tunnels (3) [2.x default: both]: TLS ends at ngrok, no min_version
    "094-gildlab__ipfs-node__ngrok_config.yml": 3,
    # legacy, https tunnels app, drone [2.x default: both]: TLS ends at ngrok, no min_version
    "095-matsubara0507__git-plantation__ngrok_config.yml": 2,
    # legacy, https tunnel githubWebhooks [2.x default: both]: TLS ends at ngrok, no min_version
    "096-sergief__k8s-dev-cluster__ngrok_config.yml": 1,
    # legacy, https tunnels erp_server, mobile_server, mongo_server [bind_tls true]: TLS ends at ngrok, no min_version
    "097-faysal-ahmad__idreesia-digitalocean__ngrok_config.yml": 3,
    # legacy, https tunnel app [2.x default: both]: TLS ends at ngrok, no min_version
    "098-uphy__pcm-demo__ngrok_config.yml": 1,
    # v2, https tunnel jenkins: TLS ends at ngrok, no min_version
    "099-coflin__csci5840__ngrok_config.yml": 1,
    # v3 (tunnels:), https tunnels api, webapp: TLS ends at ngrok, no min_version
    "100-LeanHydra84__Group63-SecurityCamera__ngrok_config.yml": 2,
    # legacy, https tunnel meteor [bind_tls true]: TLS ends at ngrok, no min_version
    "101-practicalmeteor__docker-ngrok2__ngrok.yml.sample.yml": 1,
    # legacy, https tunnels bundy, dahmer [2.x default: both]: TLS ends at ngrok, no min_version
    "103-nuts-foundation__nuts-network-local__ngrok.yml.template.yml": 2,
    # v2, https tunnel jenkins: TLS ends at ngrok, no min_version
    "106-Bernardo-Rodrigues__cicd-wso2-apim__docker_ngrok_ngrok.yml": 1,
    # legacy, https tunnel web [2.x default: both]: TLS ends at ngrok, no min_version
    "108-degami__sitebase__docker_ngrok_ngrok.yml": 1,
    # legacy, https tunnel app [bind_tls true]: TLS ends at ngrok, no min_version
    "109-ylecuyer__events__docker_ngrok_ngrok.yml": 1,
    # v2, https tunnel laravel-app: TLS ends at ngrok, no min_version
    "110-johnezell__ai-transcription-microservice__docker_ngrok_ngrok.yml": 1,
    # v2, https tunnel backend: TLS ends at ngrok, no min_version
    "111-BaSui01__Campus-Lite-Marketplace__docker_ngrok_ngrok.yml": 1,
    # v2, https tunnel slack: TLS ends at ngrok, no min_version
    "116-jxpx777__dotfiles__.config_ngrok_ngrok.yml": 1,
    # v3 (tunnels:), https tunnels frontend, mediamtx: TLS ends at ngrok, no min_version
    "118-magnusrodseth__dotfiles__.config_ngrok_ngrok.yml": 2,
    # v2, https tunnel backend: TLS ends at ngrok, no min_version
    "119-tomasleblancu__fizko__backend_ngrok.yml": 1,
    # v2, https tunnel web: TLS ends at ngrok, no min_version
    "120-noir-madlax__leviton-agent__backend_ngrok.yml": 1,
    # v2, https tunnel example (policy has no terminate-tls): TLS ends at ngrok, no min_version
    "121-ngrok__ngrok-docs__examples_agent-config_http-traffic-policy.mdx.yml": 1,
    # v3, https endpoint example (policy has no terminate-tls): TLS ends at ngrok, no min_version
    "123-ngrok__ngrok-docs__examples_agent-config_http-basic-auth.mdx.yml": 1,
    # legacy, https tunnel example [2.x default: both]: TLS ends at ngrok, no min_version
    "125-ngrok__ngrok-docs__examples_agent-config_http-bindings.mdx.yml": 1,
    # v2, https tunnel example: TLS ends at ngrok, no min_version
    "126-ngrok__ngrok-docs__examples_agent-config_http-ip-restrictions.mdx.yml": 1,
    # v2, https tunnel example: TLS ends at ngrok, no min_version
    "128-ngrok__ngrok-docs__examples_agent-config_http-oauth-authz.mdx.yml": 1,
    # v2, https tunnel example: TLS ends at ngrok, no min_version
    "131-ngrok__ngrok-docs__examples_agent-config_http-webhook-verification.mdx.yml": 1,
    # v2, https tunnel example: TLS ends at ngrok, no min_version
    "132-ngrok__ngrok-docs__examples_agent-config_http-mutual-tls.mdx.yml": 1,
    # v3, https endpoint example: TLS ends at ngrok, no min_version
    "133-ngrok__ngrok-docs__examples_agent-config_http-forward-https.mdx.yml": 1,
    # v2, https tunnel example: TLS ends at ngrok, no min_version
    "135-ngrok__ngrok-docs__examples_agent-config_http-circuit-breaker.mdx.yml": 1,
    # v3 tunnel example written with `url: https://*.example.com` (no proto): an https tunnel
    # (agent/config/v2.mdx: `--url` becomes `url`), TLS ends at ngrok, no min_version
    "137-ngrok__ngrok-docs__examples_agent-config_http-wildcard-domain.mdx.yml": 1,
}

# No corpus file sets crl_noverify, a weak mTLS strategy, root_cas/connect_cas other than trusted
# (071 has `# root_cas: trusted` commented out), or a TLS version as a number.
SILENT = ("NGL104", "NGL105", "NGL106", "NGL107", "NGL108")

# Files no rule here can read: ngrok 1.x files (NGL009 only), unparsable files (NGL001 only), and
# roots that are not a mapping (a dotenv line, a shell command).
UNREADABLE = {
    "005-inconshreveable__ngrok__config_ngrok.yml",  # ngrok 1.x
    "008-lqsavage__docker-ngrok__config_ngrok.yml",  # ngrok 1.x
    "011-jacobshu__dotfiles__config_ngrok.yml",  # `***REMOVED***` read as an undefined alias
    "020-RobSpectre__salt-states__ngrok_ngrok.yml",  # Jinja `{{ token }}` as a key
    "063-isogram__ngrok__ngrok-config.yml",  # ngrok 1.x
    "072-DevSecOpsBr__awesome-stack__ngrok_configs_bitbucket.yaml.yml",  # merge-conflict markers
    "073-burningion__fastapi-openid-connect-playground__ngrok.yaml.yml",  # Go template as a key
    "080-IcelandicIcecream__ComfyUI__ngrok.yaml.yml",  # root is a string (dotenv line)
    "081-Tonomy-Foundation__Tonomy-App-Websites__ngrok.yaml.yml",  # root is a string (shell command)
    "090-Montana__ngrok-bash-quick-setup__.ngrok2_ngrok.yml",  # broken indentation
    "093-enterthematrix__toolkit__config_ngrok.yaml.yml",  # template as a key
    "129-ngrok__ngrok-docs__examples_agent-config_tls-term-at-v3-agent.mdx.yml",  # flattened indentation
}

# The docs snippet that already sets `server_addr` to this custom ingress.
CONNECT_URL = "tunnel.us.ingress.example.com:443"
ALREADY_CONNECTED = "124-ngrok__ngrok-docs__examples_agent-config_custom-agent-ingress.mdx.yml"


def _corpus_files():
    return sorted(n for n in os.listdir(CORPUS) if n != "INDEX.tsv")


_CACHE: Dict[tuple, Dict[str, Dict[str, int]]] = {}


def _fired(options: Optional[Dict[str, str]] = None) -> Dict[str, Dict[str, int]]:
    """code -> {file: number of findings}, with every transport/TLS rule selected."""
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze, finish

    key = tuple(sorted((options or {}).items()))
    if key not in _CACHE:
        table = dict(options or {})
        table["select"] = list(CODES)
        settings = settings_from_table(table, str(ROOT / "corpus-config.toml"))
        result: Dict[str, Dict[str, int]] = {code: {} for code in CODES}
        for name in _corpus_files():
            path = str(CORPUS / name)
            with open(path, "rb") as handle:
                analysis = analyze(path, handle.read(), settings, str(CORPUS))
            assert not analysis.internal_errors, (name, analysis.internal_errors)
            for item in finish([analysis])[path]:
                counts = result[item.code]
                counts[name] = counts.get(name, 0) + 1
        _CACHE[key] = result
    return _CACHE[key]


@pytest.mark.parametrize("code,expected", [("NGL101", NGL101), ("NGL102", NGL102), ("NGL103", NGL103)])
def test_corpus_pins(code: str, expected: Dict[str, int]) -> None:
    assert _fired()[code] == expected


@pytest.mark.parametrize("code", SILENT)
def test_silent_on_corpus(code: str) -> None:
    assert _fired()[code] == {}


def test_pinned_files_exist() -> None:
    names = set(_corpus_files())
    for pins in (NGL101, NGL102, NGL103):
        assert set(pins) <= names
    assert UNREADABLE <= names and ALREADY_CONNECTED in names


def test_project_tls_floor_moves_ngl103_to_ngl108() -> None:
    # With min-tls-version = "1.3", every endpoint NGL103 informs about falls below the policy.
    fired = _fired({"min-tls-version": "1.3"})
    assert fired["NGL103"] == {}
    assert fired["NGL108"] == NGL103


def test_project_connect_url() -> None:
    # With a custom connect URL, every readable file that does not already connect there is reported once.
    fired = _fired({"connect-url": CONNECT_URL})
    expected = {name: 1 for name in _corpus_files() if name not in UNREADABLE and name != ALREADY_CONNECTED}
    assert fired["NGL104"] == expected


def test_ngl101_corpus_fixes_are_one_line_text_edits() -> None:
    # HTTPS-only fixes on real files touch only the finding's own line.
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze, finish
    from ngrok_lint.model import Op

    settings = settings_from_table({"select": ["NGL101"]}, str(ROOT / "corpus-config.toml"))
    for name in NGL101:
        path = str(CORPUS / name)
        with open(path, "rb") as handle:
            analysis = analyze(path, handle.read(), settings, str(CORPUS))
        for item in finish([analysis])[path]:
            if "sets no `bind_tls`" in item.message:
                # A legacy tunnel on 2.x's default: NGL003's migration is its fix (rule docs).
                assert item.fix is None
                continue
            assert item.fix is not None and item.fix.safety.value == "safe"
            for change in item.fix.changes:
                assert change.op is Op.TEXT
                assert "\n" not in analysis.source.text[change.start : change.end].rstrip("\r\n")
