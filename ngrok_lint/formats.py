"""Key tables of the ngrok config formats that both the lint rules and the migrations read.

Kept apart from `ngrok_lint.migrate` so that NGL003, which checks these keys on every run, shares
one definition with the migrations without importing them: the plain lint path stays light
(`tests/test_import_cost.py`).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

# Keys only agent 2.x knew (agent 3.x refuses them in version 2 and 3 files).
LEGACY_TOP_KEYS: Tuple[str, ...] = ("http_proxy", "socks5_proxy", "update")
LEGACY_TUNNEL_KEYS: Tuple[str, ...] = ("bind_tls", "auth", "client_cas")

# Agent settings of config version 3 (reference §3.2, plus the changelog-only names the schemas accept).
V3_AGENT_KEYS: FrozenSet[str] = frozenset({
    "api_key", "authtoken", "connect_cas", "connect_interface", "connect_timeout", "connect_url",
    "console_ui", "console_ui_color", "crl_noverify", "crl_url", "dns_resolver_ips", "heartbeat_interval",
    "heartbeat_tolerance", "inspect_db_size", "local_storage", "log", "log_format", "log_level", "metadata",
    "proxy_url", "remote_management", "update_channel", "update_check", "web_addr", "web_allow_hosts",
})
# Version 2 top-level names that version 3 renamed when it moved them under `agent:`.
V3_AGENT_RENAMES: Dict[str, str] = {"server_addr": "connect_url", "root_cas": "connect_cas"}
