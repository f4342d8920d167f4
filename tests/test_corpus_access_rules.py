"""The access rules (NGL201–NGL206) over the real-world corpus: exactly these files fire, each for a
reason a reviewer agreed is real. A change in this set is a change in what users see on real files;
update a pin only with a one-line reason.

Warning- and error-level rules may not fire on a correct, default-shaped file (rules.md). The
NGL201 pins are `web_addr` binds off loopback (the Docker-style `0.0.0.0:4040` is a real finding per
rules.md) and one tunnel that publishes the inspector; the NGL202 pins are all tcp tunnels that
publish SSH, VNC or RDP with no IP restriction, two of them ngrok's own docs snippets. NGL203 is
info-level: every public HTTP(S) tunnel/endpoint without access control.
"""

from __future__ import annotations

from typing import Dict, Tuple

import pytest

from conftest import CORPUS, ROOT

# rule -> {corpus file: lines of its findings}
PINS: Dict[str, Dict[str, Tuple[int, ...]]] = {
    "NGL201": {
        "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": (2,),  # web_addr on the LAN address 192.168.86.224
        "007-fabiograsso__okta-scim-server-docker-compose__config_ngrok.yml": (2,),  # web_addr 0.0.0.0:4040 (compose)
        "010-glebis__telegram_agent__config_ngrok.yml": (12,),  # web_addr 0.0.0.0:4040
        "022-DannyBen__rush-repo__ngrok_ngrok.yml": (6,),  # web_addr 0.0.0.0:4040, the file's only setting
        "025-KumarDeepankar__mcp_gateway__ngrok_ngrok.yml": (8,),  # web_addr 0.0.0.0:4040
        "055-DaniPopov__muninn__ngrok.example.yml": (12,),  # v3 agent.web_addr 0.0.0.0:4040 (comment: published)
        "057-kori2000__rpi-ngrok__ngrok.example.yml": (10,),  # web_addr 0.0.0.0:4040 (copied docs example)
        "064-hfantin__ngrok-server-example__ngrok-config.yml": (2,),  # web_addr 0.0.0.0:4040
        "065-leviat-tech__compute.rhino3d__ngrok-config.yml": (1,),  # web_addr 0.0.0.0:4040
        "066-vexingcodes__slack-stable-diffusion__ngrok_ngrok.yaml.yml": (3,),  # web_addr 0.0.0.0:4040
        "074-masanao-ohba__cchistory__ngrok.yaml.yml": (3,),  # web_addr 0.0.0.0:4040
        "084-SimifiniiCTO__simfiny-financial-integration-service__ngrok.yaml.yml": (2,),  # web_addr 0.0.0.0:4040
        "088-jhartman86__ngrokker__ngrok.sample.yml": (2,),  # web_addr 0.0.0.0:4040
        "094-gildlab__ipfs-node__ngrok_config.yml": (16,),  # tunnel `ngrok-web-interface` publishes the inspector (addr 4040)
        "098-uphy__pcm-demo__ngrok_config.yml": (1,),  # web_addr 0.0.0.0:4040
        "105-larsid__aca-py__docker_ngrok_ngrok.yml": (2,),  # web_addr 0.0.0.0:3041 (non-default port, same exposure)
        "107-tatsu-i__TradeAI__docker_ngrok_ngrok.yml": (1,),  # web_addr 0.0.0.0:4040
        "109-ylecuyer__events__docker_ngrok_ngrok.yml": (2,),  # web_addr 0.0.0.0:4040
        "110-johnezell__ai-transcription-microservice__docker_ngrok_ngrok.yml": (15,),  # web_addr 0.0.0.0:4040
        "111-BaSui01__Campus-Lite-Marketplace__docker_ngrok_ngrok.yml": (37,),  # web_addr 0.0.0.0:4040
        "119-tomasleblancu__fizko__backend_ngrok.yml": (34,),  # web_addr 0.0.0.0:4040
    },
    "NGL202": {
        "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": (17,),  # tcp tunnel `rpi` publishes SSH (22)
        "016-ASAPHAANING__systemd-ngrok__ngrok.yml": (6, 9),  # tcp tunnels publish SSH (22) and VNC (5900)
        "023-SiddhantAttavar__raspberry-pi-config__ngrok_ngrok.yml": (6,),  # tcp tunnel publishes SSH (22)
        "029-MzeroMiko__serveGo__ngrok_ngrok.yml": (4,),  # tcp tunnel publishes SSH (22)
        "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": (7,),  # tcp tunnel on a reserved address publishes SSH (22)
        "094-gildlab__ipfs-node__ngrok_config.yml": (13,),  # tcp tunnel publishes SSH (22)
        "113-AiGodprr__kali-rdp-ngrok__ngrok.yml": (8,),  # tcp tunnel publishes RDP (3389)
        "130-ngrok__ngrok-docs__examples_agent-config_tcp-fixed.mdx.yml": (5,),  # docs snippet: RDP (3389) on a fixed address
        "134-ngrok__ngrok-docs__examples_agent-config_tcp-proxyproto.mdx.yml": (4,),  # docs snippet: SSH (22), no restriction
    },
    # Info: the public HTTP(S) sites below have none of the access-control keys or actions.
    "NGL203": {
    "002-05nblol-design__zaraopera__ngrok.yml": (4, 7),  # `backend`, `frontend`: public HTTPS tunnel, no auth, no IP restriction
    "004-3box__3box-services-box__ngrok.yml": (2, 5),  # `ipfs`, `demo`: public HTTP tunnel, no auth, no IP restriction
    "006-CaseyRo__rpi-docker-ngrok__config_ngrok.yml": (26,),  # `sonarqube`: public HTTP tunnel, no auth, no IP restriction
    "007-fabiograsso__okta-scim-server-docker-compose__config_ngrok.yml": (6,),  # `scim-net`: public HTTPS tunnel, no auth, no IP restriction
    "009-leorami__Dev-Tunnel-Proxy__config_ngrok.yml": (3,),  # `proxy`: public HTTPS tunnel, no auth, no IP restriction
    "010-glebis__telegram_agent__config_ngrok.yml": (6,),  # `telegram-agent`: public HTTPS tunnel, no auth, no IP restriction
    "012-Donnadieu__storyteller-api__config_ngrok.yml": (5, 9),  # `storysprout-api`, `storysprout-ui`: public HTTPS tunnel, no auth, no IP restriction
    "013-mileszim__rails-project-template__config_ngrok.yml": (3,),  # `rails-project-template`: public HTTP tunnel, no auth, no IP restriction
    "014-uchilaka__cami__config_ngrok.yml": (5,),  # `larcity-accounts`: public HTTPS tunnel, no auth, no IP restriction
    "015-jeffvestal__wayfinder_supply_co__config_ngrok.yml": (19, 23),  # `mcp`, `backend`: public HTTPS tunnel, no auth, no IP restriction
    "017-Alexav09__n8n-evoapi-ngrok__ngrok.yml": (4, 7),  # `n8n`, `evolution-api`: public HTTPS tunnel, no auth, no IP restriction
    "018-Amund-Fremming__tero.infra__ngrok.yml": (5, 8),  # `platform`, `session`: public HTTPS tunnel, no auth, no IP restriction
    "021-LiteFarmOrg__LiteFarm__ngrok_ngrok.yml": (2, 5),  # `webapp`, `api`: public HTTPS tunnel, no auth, no IP restriction
    "024-JakeElder__.config__ngrok_ngrok.yml": (4, 9),  # `web`, `api`: public HTTPS tunnel, no auth, no IP restriction
    "025-KumarDeepankar__mcp_gateway__ngrok_ngrok.yml": (16, 22, 28),  # `mcp-server`, `mcp-opensearch`, `mcp-registry`: public HTTPS tunnel, no auth, no IP restriction
    "026-bcgov__vc-authn-oidc__docker_ngrok.yml": (3, 8),  # `controller-ngrok`, `aca-py-ngrok`: public HTTPS tunnel, no auth, no IP restriction
    "027-hrsa__calendize__docker_ngrok.yml": (17,),  # `website`: public HTTPS tunnel, no auth, no IP restriction
    "032-BlackRoad-OS__blackroad-cli__.ngrok_ngrok.yml": (19, 27, 35, 42, 49, 56),  # `api`, `ws`, `agents`, `llm`, `rag`, `dashboard`: public HTTPS tunnel, no auth, no IP restriction
    "033-hotchilianalytics__verityngn-oss__.ngrok.yml": (7, 16),  # `verityngn-api`, `verityngn-ui`: public HTTPS tunnel, no auth, no IP restriction
    "034-microsoft__secure-data-sandbox__.ngrok.yml": (2,),  # `arm`: public HTTPS tunnel, no auth, no IP restriction
    "035-calcom__cal.com__ngrok.yml.example.yml": (4,),  # `dev`: public HTTPS tunnel, no auth, no IP restriction
    "036-IIyn__ngrok-docker-config__ngrok.yml.example.yml": (4, 9),  # `port-3001`, `port-3000`: public HTTPS tunnel, no auth, no IP restriction
    "038-matthewbaggett__RedStor__.ngrok.yml": (3,),  # `gateway`: public HTTP tunnel, no auth, no IP restriction
    "039-ChimpDelivery__ChimpDelivery__ngrok.yml.example.yml": (4,),  # `laravel_tunnel`: public HTTP tunnel, no auth, no IP restriction
    "040-DevilUpperCase__self-hosted-n8n-kit-with-ngrok__ngrok.yml.example.yml": (3,),  # `custom-domain-tunnel`: public HTTP tunnel, no auth, no IP restriction
    "041-ThijsdeZeeuw__cloud-local-ngrok__ngrok.yml.example.yml": (4, 13),  # `n8n`, `openwebui`: public HTTPS tunnel, no auth, no IP restriction
    "042-kinngh__shopify-app-js__ngrok.yml.example.yml": (5, 8),  # `shopify-app`, `cloudflare-workers`: public HTTPS tunnel, no auth, no IP restriction
    "043-LuminariMUD__Intermud3__ngrok.yml.example.yml": (7,),  # `i3-websocket`: public HTTPS tunnel, no auth, no IP restriction
    "044-heimerle__paperless-mcp-server__ngrok.yml.example.yml": (24,),  # `paperless-mcp`: public HTTPS tunnel; its auth and ip_restriction are commented out
    "045-TetAlius__GoSyncMyCalendars__.ngrok.yml": (3,),  # `gosync`: public HTTPS tunnel, no auth, no IP restriction
    "046-f1gur4nt__fix_ngrok2__.ngrok.yml": (8,),  # `http`: public HTTP tunnel, no auth, no IP restriction
    "049-integrations__slack__ngrok.example.yml": (4,),  # `slack`: public HTTP tunnel, no auth, no IP restriction
    "050-clowdr-app__clowdr__ngrok.example.yml": (4, 9),  # `auth`, `actions`: public HTTPS tunnel, no auth, no IP restriction
    "051-fmind__kate__ngrok.example.yml": (6,),  # `kate`: public HTTPS endpoint, no auth, no IP restriction
    "052-agents-assemble__priorauth-agent__ngrok.example.yml": (33,),  # `a2a`: public HTTPS endpoint, no auth, no IP restriction
    "053-mnehpets__workspace-mcp__ngrok.example.yml": (8,),  # `workspace-mcp`: public HTTPS endpoint; the basic-auth policy is commented out
    "054-cgaeking__rlm-connector__ngrok.example.yml": (20,),  # `rlm-mcp`: public HTTPS tunnel, no auth, no IP restriction
    "055-DaniPopov__muninn__ngrok.example.yml": (17,),  # `whatsapp`: public HTTPS tunnel, no auth, no IP restriction
    "056-vaibhavqrcg__hooman__ngrok.example.yml": (6,),  # `api`: public HTTPS tunnel, no auth, no IP restriction
    "057-kori2000__rpi-ngrok__ngrok.example.yml": (12,),  # `myapp-http`: public HTTP tunnel, no auth, no IP restriction
    "058-Paxmortis__yfmcp__ngrok.example.yml": (6,),  # `mcp`: public HTTPS endpoint, no auth, no IP restriction
    "059-LongshotAI__signal-rush__ngrok.example.yml": (8,),  # `signal-rush`: public HTTPS tunnel, no auth, no IP restriction
    "060-aishadahesh__uoh-ay26-mcp-ai-cops-and-robbers__ngrok.example.yml": (5, 8),  # `cop-mcp`, `thief-mcp`: public HTTPS tunnel, no auth, no IP restriction
    "061-lawrence79__ngrok-docker__ngrok.example.yml": (12,),  # `vestwell-admin-api`: public HTTPS tunnel, no auth, no IP restriction
    "062-Leoyang183__ngrok_demo__ngrok.example.yml": (3,),  # `api`: public HTTPS tunnel, no auth, no IP restriction
    "064-hfantin__ngrok-server-example__ngrok-config.yml": (5,),  # `httpbin`: public HTTPS tunnel, no auth, no IP restriction
    "065-leviat-tech__compute.rhino3d__ngrok-config.yml": (3,),  # `checker`: public HTTP tunnel, no auth, no IP restriction
    "067-blurrycontour__remember__ngrok_ngrok.yaml.yml": (8,),  # `nginx`: public HTTPS tunnel, no auth, no IP restriction
    "068-Burush0__wordpress-server-docker__ngrok_ngrok.yaml.yml": (7,),  # `app`: public HTTPS tunnel, no auth, no IP restriction
    "069-KVLuyeye__Magana__ngrok_ngrok.yaml.yml": (4, 7, 10, 13),  # `app1`, `app2`, `app4`, `app3`: public HTTPS tunnel, no auth, no IP restriction
    "070-larsks__compose-ngrok-example__ngrok.yaml.yml": (4,),  # `webserver`: public HTTPS tunnel, no auth, no IP restriction
    "071-DevSecOpsBr__awesome-stack__ngrok_configs_github.yaml.yml": (18,),  # `bitbucket`: public HTTPS tunnel, no auth, no IP restriction
    "074-masanao-ohba__cchistory__ngrok.yaml.yml": (5,),  # `cchistory`: public HTTPS tunnel, no auth, no IP restriction
    "075-git-classrooms__git-classrooms__ngrok.yaml.yml": (4,),  # `app`: public HTTPS tunnel, no auth, no IP restriction
    "076-jbakse__p5.party__ngrok.yaml.yml": (3,),  # `web`: public HTTP tunnel, no auth, no IP restriction
    "077-lukepighetti__plt__ngrok.yaml.yml": (4, 8),  # `plt`, `plt-mqtt`: public HTTPS tunnel, no auth, no IP restriction
    "078-commercetools__commercetools-sunrise-extensions__ngrok.yaml.yml": (3,),  # `sunrise`: public HTTP tunnel, no auth, no IP restriction
    "082-moeadham__fwd2cal__ngrok.yaml.yml": (3,),  # `functions`: public HTTPS tunnel, no auth, no IP restriction
    "084-SimifiniiCTO__simfiny-financial-integration-service__ngrok.yaml.yml": (6,),  # `myapp`: public HTTPS tunnel, no auth, no IP restriction
    "085-DhartiIPS__api-gateway__ngrok.yaml.yml": (6, 11, 15, 19, 23, 27, 31, 35, 39),  # `gateway`, `auth`, `appointments`, `hospitals`, `doctor-specialty`, `notifications`, `chats`, `calls`, `health`: public HTTPS tunnel, no auth, no IP restriction
    "086-CarosDrean__ngrok-client__ngrok.yaml.yml": (3, 7),  # `api-results`, `api-inventory`: public HTTP tunnel, no auth, no IP restriction
    "087-DynamicDesignz__ngrok-daemon__ngrok.sample.yml": (5,),  # `spinupwp`: public HTTP tunnel, no auth, no IP restriction
    "089-devanooga__devanewbot__ngrok.sample.yml": (3,),  # `devanewbot`: public HTTP tunnel, no auth, no IP restriction
    "092-Mouja0412__dotfiles__.ngrok2_ngrok.yml": (9, 13, 17),  # `jupyter-research`, `jupyter-forage`, `resilio`: public HTTP tunnel, no auth, no IP restriction
    "094-gildlab__ipfs-node__ngrok_config.yml": (5, 9, 15),  # `ipfs-daemon`, `ipfs-deamon-getway`, `ngrok-web-interface`: public HTTP tunnel, no auth, no IP restriction
    "095-matsubara0507__git-plantation__ngrok_config.yml": (2, 5),  # `app`, `drone`: public HTTP tunnel, no auth, no IP restriction
    "096-sergief__k8s-dev-cluster__ngrok_config.yml": (2,),  # `githubWebhooks`: public HTTP tunnel, no auth, no IP restriction
    "097-faysal-ahmad__idreesia-digitalocean__ngrok_config.yml": (3, 9, 15),  # `erp_server`, `mobile_server`, `mongo_server`: public HTTPS tunnel, no auth, no IP restriction
    "098-uphy__pcm-demo__ngrok_config.yml": (3,),  # `app`: public HTTP tunnel, no auth, no IP restriction
    "099-coflin__csci5840__ngrok_config.yml": (5,),  # `jenkins`: public HTTPS tunnel, no auth, no IP restriction
    "100-LeanHydra84__Group63-SecurityCamera__ngrok_config.yml": (7, 10),  # `api`, `webapp`: public HTTPS tunnel, no auth, no IP restriction
    "101-practicalmeteor__docker-ngrok2__ngrok.yml.sample.yml": (3,),  # `meteor`: public HTTPS tunnel, no auth, no IP restriction
    "103-nuts-foundation__nuts-network-local__ngrok.yml.template.yml": (3, 6),  # `bundy`, `dahmer`: public HTTP tunnel, no auth, no IP restriction
    "106-Bernardo-Rodrigues__cicd-wso2-apim__docker_ngrok_ngrok.yml": (4,),  # `jenkins`: public HTTPS tunnel, no auth, no IP restriction
    "108-degami__sitebase__docker_ngrok_ngrok.yml": (4,),  # `web`: public HTTP tunnel, no auth, no IP restriction
    "109-ylecuyer__events__docker_ngrok_ngrok.yml": (4,),  # `app`: public HTTPS tunnel, no auth, no IP restriction
    "110-johnezell__ai-transcription-microservice__docker_ngrok_ngrok.yml": (5,),  # `laravel-app`: public HTTP tunnel, no auth, no IP restriction
    "111-BaSui01__Campus-Lite-Marketplace__docker_ngrok_ngrok.yml": (27,),  # `backend`: public HTTPS tunnel, no auth, no IP restriction
    "112-webman__throttle-dockerized__docker_ngrok_ngrok.yml": (8,),  # `throttle`: public HTTP endpoint, no auth, no IP restriction
    "116-jxpx777__dotfiles__.config_ngrok_ngrok.yml": (4,),  # `slack`: public HTTPS tunnel, no auth, no IP restriction
    "118-magnusrodseth__dotfiles__.config_ngrok_ngrok.yml": (5, 8),  # `frontend`, `mediamtx`: public HTTPS tunnel, no auth, no IP restriction
    "119-tomasleblancu__fizko__backend_ngrok.yml": (24,),  # `backend`: public HTTPS tunnel, no auth, no IP restriction
    "120-noir-madlax__leviton-agent__backend_ngrok.yml": (4,),  # `web`: public HTTP tunnel, no auth, no IP restriction
    "121-ngrok__ngrok-docs__examples_agent-config_http-traffic-policy.mdx.yml": (2,),  # `example`: public HTTPS tunnel; its policy denies by cookie/query, no auth
    "125-ngrok__ngrok-docs__examples_agent-config_http-bindings.mdx.yml": (2,),  # `example`: public HTTP tunnel, no auth, no IP restriction
    "133-ngrok__ngrok-docs__examples_agent-config_http-forward-https.mdx.yml": (4,),  # `example`: public HTTPS endpoint, no auth, no IP restriction
    "135-ngrok__ngrok-docs__examples_agent-config_http-circuit-breaker.mdx.yml": (2,),  # `example`: public HTTPS tunnel; circuit_breaker only, no auth
    "137-ngrok__ngrok-docs__examples_agent-config_http-wildcard-domain.mdx.yml": (3,),  # `example`: `url: https://*.example.com` (an https tunnel), no auth
    },
    "NGL204": {},  # no corpus allow list holds 0.0.0.0/0 or ::/0 (067's web_allow_hosts has 172.0.0.0/8)
    "NGL205": {},  # no corpus policy sets `enforce: false`
    "NGL206": {},  # both corpus `oauth` blocks (019, 128) restrict by allow_emails/allow_domains
}

CORPUS_FILES = sorted(p for p in CORPUS.glob("*.yml")) if CORPUS.is_dir() else []


def _findings(code: str) -> Dict[str, Tuple[int, ...]]:
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze, finish

    settings = settings_from_table({"select": [code]}, str(ROOT / "corpus-test.toml"))
    found: Dict[str, Tuple[int, ...]] = {}
    for path in CORPUS_FILES:
        analysis = analyze(str(path), path.read_bytes(), settings, str(path.parent))
        assert not analysis.internal_errors, (path.name, analysis.internal_errors)
        lines = tuple(f.span.line for f in finish([analysis])[str(path)] if f.code == code)
        if lines:
            found[path.name] = lines
    return found


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared real-world corpus is not beside this checkout")
@pytest.mark.parametrize("code", sorted(PINS))
def test_access_rule_fires_on_exactly_the_pinned_corpus_files(code: str) -> None:
    assert _findings(code) == PINS[code]


@pytest.mark.skipif(not CORPUS_FILES, reason="the shared real-world corpus is not beside this checkout")
def test_pinned_files_exist() -> None:
    names = {p.name for p in CORPUS_FILES}
    assert [n for pins in PINS.values() for n in pins if n not in names] == []
