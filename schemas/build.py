#!/usr/bin/env python3
"""Generate the ngrok-lint JSON Schemas (draft-07) for ngrok agent config files.

The schemas are written here once, as Python data, and emitted as JSON:

    python schemas/build.py          # (re)write the four *.schema.json files beside this script
    python schemas/build.py --check  # exit 1 when a committed file differs from the generator

Which keys exist in each format and context, their types, and which are deprecated come from the
facts data in ``ngrok_lint/facts/`` (``keys.json``, ``deprecations.json``: every row with the
ngrok-docs page and commit it was read from, or the 2.x agent for the legacy format). The build
fails when the properties written here and the keys of the data disagree, and stamps every
property with its source (``x-ngrok-source``). Descriptions, patterns and defaults are written
here, from ``reference/ngrok-agent-config.md`` (its "Verified corrections" first). What the
reference marks UNVERIFIED is accepted (optional) and never required.

Conventions the Python core relies on:

* value typing as the agent reads values: a *string* field accepts any scalar but not a list or a
  map; a *boolean* field accepts booleans only (quoted ``"true"`` is a string); ``null`` is never a
  wrong type (every leaf and every container accepts it); enums include ``null``;
* formats (host:port, CIDR, Go duration, URL, host name, DNS label) are checked with ``pattern``,
  which applies to strings only. A string holding ``$VAR``/``${...}`` passes every format check:
  an unexpanded variable is NGL006's finding, and ``${...}`` is CEL inside Traffic Policy;
* ``additionalProperties: false`` everywhere outside Traffic Policy action configs;
* every property has ``description`` and ``markdownDescription``;
* each per-format schema carries ``"x-ngrok-lint-format": "legacy" | "v2" | "v3"``.
"""
from __future__ import annotations

import copy
import functools
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if not __package__ and str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))  # run as a script: the checkout's package, for the home
from ngrok_lint.home import schema_url  # noqa: E402  (the `$id`s derive from the project's home)

DRAFT07 = "http://json-schema.org/draft-07/schema#"

FACTS = HERE.parent / "ngrok_lint" / "facts"


def _facts(name: str) -> dict:
    return json.loads((FACTS / f"{name}.json").read_text(encoding="utf-8"))


KEYS = _facts("keys")
DEPRECATIONS = _facts("deprecations")

FILES = {
    "legacy": "ngrok-agent-legacy.schema.json",
    "v2": "ngrok-agent-v2.schema.json",
    "v3": "ngrok-agent-v3.schema.json",
    "combined": "ngrok-agent.schema.json",
}

# --------------------------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------------------------
SCALAR = ["string", "number", "boolean", "null"]  # a *string* field: any scalar loads
BOOL = ["boolean", "null"]
INT = ["integer", "null"]
NUM = ["number", "null"]
STR = ["string", "null"]  # formatted strings that no number/boolean can ever satisfy
OBJ = ["object", "null"]
ARR = ["array", "null"]

# --------------------------------------------------------------------------------------------
# Format patterns (valid in both ECMA-262 and Python ``re``; jsonschema uses ``re.search``)
# --------------------------------------------------------------------------------------------
#: an environment-variable reference or CEL interpolation: left to NGL006 / the policy engine
# `[^}$]*`, not `[^}]*`: a search tries this at every `$`, and a value full of unclosed `${` made
# each try run to the end of the value (quadratic); stopping at the next `$` keeps it linear.
VAR = r"\$(?:\{[^}$]*\}|[A-Za-z_][A-Za-z0-9_]*)"
PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
HOSTNAME = rf"{LABEL}(?:\.{LABEL})*\.?"
DOMAIN = rf"(?:\*\.)?{LABEL}(?:\.{LABEL})+\.?"
IPV4 = r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
IPV6 = r"[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*"  # at least two colons, so "1.1.1.1:53" is not one
BRACKETED_V6 = rf"\[{IPV6}(?:%[A-Za-z0-9_.-]+)?\]"
HOSTPORT = rf"(?:{HOSTNAME}|{BRACKETED_V6}):{PORT}"
OPT_HOSTPORT = rf"(?:{HOSTNAME}|{BRACKETED_V6})?:{PORT}"
CIDR = rf"{IPV4}/(?:3[0-2]|[12]?[0-9])|{IPV6}/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9])"
DURATION = r"[-+]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|[-+]?0"
#: The agent reads numbers into Go's int64: a YAML integer beyond it (a 40-digit one) is refused.
INT64_MAX = 2**63 - 1
DURATION_POSITIVE = r"\+?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+|\+?0"
# A tunnel's `addr` by proto, as agents 2.x and 3.x accept it (checked against agent 2.3.41).
ADDR_HTTP = (
    rf"[0-9]+|{HOSTNAME}|{IPV6}|(?:{HOSTNAME}|{BRACKETED_V6})?:[0-9]+"
    rf"|https?://(?:[^/@\s]+@)?(?:{HOSTNAME}|{BRACKETED_V6})(?::[0-9]+)?/?|file://\S*"
)
ADDR_TCP = rf"[0-9]+|(?:{HOSTNAME}|{BRACKETED_V6})?:[0-9]+"
ADDR_TLS = rf"[0-9]+|(?:tls://)?(?:{HOSTNAME}|{BRACKETED_V6})?:[0-9]+"
ENDPOINT_URL = (
    rf"(?:(?:https?|tcp|tls)://)?{DOMAIN}(?::{PORT})?/?"
    r"|(?:https?|tcp|tls)://"
)


def fmt(core: str) -> str:
    """Anchor a format; a string with a variable reference also passes (see module doc)."""
    # `$(?!\n)`: Python's `$` also matches before a final newline, JavaScript's (editors) does not.
    return f"^(?:{core})$(?!\\n)|{VAR}"


def or_empty(pattern: str) -> str:
    """Agent 2.3.41 reads `""` in an optional string setting as unset, like null (checked for
    `http_proxy`, `socks5_proxy`, `server_addr`, `web_addr`, `hostname`, `subdomain`, `remote_addr`)."""
    return pattern + "|^$"


PAT = {
    "addr_http": fmt(ADDR_HTTP),
    "addr_tcp": fmt(ADDR_TCP),
    "addr_tls": fmt(ADDR_TLS),
    "hostport": fmt(HOSTPORT),
    "web_addr_legacy": fmt(rf"{OPT_HOSTPORT}|{PORT}|false"),
    "cidr": fmt(CIDR),
    "ip": fmt(rf"{IPV4}|{IPV6}"),
    "allow_host": fmt(rf"{IPV4}|{IPV6}|{CIDR}|\.?{HOSTNAME}"),
    "duration": fmt(DURATION),
    "duration_positive": fmt(DURATION_POSITIVE),
    "proxy_url": fmt(r"(?:https?|socks5)://\S+"),
    "http_proxy": fmt(r"https?://\S+"),
    "socks5_proxy": fmt(r"socks5://\S+"),
    "http_url": fmt(r"https?://\S+"),
    "domain": fmt(DOMAIN),
    # agent/config/v2.mdx: "Any valid combination of letters, numbers, hyphens or periods."
    "subdomain": fmt(rf"{LABEL}(?:\.{LABEL})*"),
    "endpoint_url": fmt(ENDPOINT_URL) + "|^$",
    "labels": fmt(r"[^=\s]+=.*"),
}

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------
_RENAME = {"if_": "if", "else_": "else", "ref": "$ref", "not_": "not"}


def _plain(md: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", md)
    return text.replace("`", "").replace("**", "")


def P(md: str, type=None, **kw) -> dict:  # noqa: A002 - mirrors JSON Schema's keyword
    """A property schema: description + markdownDescription first, then the keywords."""
    d: dict = {"description": _plain(md), "markdownDescription": md}
    if type is not None:
        d["type"] = type
    for key, value in kw.items():
        d[_RENAME.get(key, key)] = value
    return d


def ref(name: str) -> dict:
    return {"$ref": f"#/definitions/{name}"}


# --------------------------------------------------------------------------------------------
# Facts: which keys exist where, their sources, and their deprecations (ngrok_lint/facts/)
# --------------------------------------------------------------------------------------------
#: JSON types a property may take for each type of the facts data ("string" fields accept any
#: scalar, see the module doc). None: not checked (enums carry their own values).
FACT_TYPES = {
    "string": {"string", "number", "boolean", "integer"},
    "path": {"string", "number", "boolean", "integer"},
    "domain": {"string", "number", "boolean", "integer"},
    "url": {"string", "number", "boolean", "integer"},
    "host-port": {"string", "number", "boolean", "integer"},
    "address": {"string", "integer", "boolean"},
    "boolean": {"boolean"},
    "integer": {"integer"},
    "number": {"number", "integer"},
    "duration": {"string", "number"},
    "list": {"array"},
    "map": {"object", "string"},  # a Traffic Policy may be written as a string
    "enum": None,
    "unknown": None,
}


def _rows(fmt: str, contexts: tuple) -> dict:
    """key → facts rows of that key in any of `contexts` of format `fmt`."""
    found: dict = {}
    for row in KEYS["rows"]:
        if row["format"] == fmt and row["context"] in contexts:
            found.setdefault(row["key"], []).append(row)
    return found


def _cite(row: dict) -> str:
    return f"{row['source']}@{row['commit'][:7]}" if row.get("commit") else row["source"]


def _check_type(prop: dict, fact_type: str, where: str) -> None:
    allowed = FACT_TYPES[fact_type]
    types = prop.get("type")
    if allowed is None or types is None:
        return
    types = {types} if isinstance(types, str) else set(types)
    wrong = types - allowed - {"null"}
    if wrong:
        raise SystemExit(f"{where}: the schema allows {sorted(wrong)}, the facts data says {fact_type}")


def _deprecate(prop: dict, key: str, fmt: str, contexts: list) -> dict:
    """Mark `prop` deprecated as deprecations.json says for `key` in `contexts` of format `fmt`."""
    rows = {ctx: row for row in DEPRECATIONS["rows"] for ctx in contexts
            if fmt in row["formats"] and row["context"] == ctx and row["key"] == key}
    if not rows:
        return prop
    row = next(iter(rows.values()))
    md = prop["markdownDescription"]
    if len(rows) == len(contexts):
        md, extra = f"**Deprecated**: {row['replacement']}. {md}", {"deprecated": True}
    else:  # deprecated in some contexts only (e.g. on http tunnels but not on tcp/tls ones)
        where = ", ".join(ctx.split(".", 1)[-1] for ctx in rows)
        md, extra = f"**Deprecated** on {where} tunnels: {row['replacement']}. {md}", {}
    return {**prop, "description": _plain(md), "markdownDescription": md, **extra,
            "x-ngrok-deprecated-by": _cite(row)}


def sourced(props: dict, fmt: str, contexts: tuple, dep_format: str | None = None, where: str = "") -> dict:
    """`props` checked against the facts keys of `contexts` and stamped with their sources.

    Every key written here must be in the data and the reverse; nested keys (`oauth.provider`)
    are checked against the `properties` of their parent. With `dep_format`, deprecations of
    that format are applied (a v3 file's tunnels use the v2 key rows with v3 deprecations).
    """
    rows = _rows(fmt, contexts)
    top = {key: found for key, found in rows.items() if "." not in key}
    missing, extra = sorted(set(top) - set(props)), sorted(set(props) - set(top))
    if missing or extra:
        raise SystemExit(
            f"{where or fmt}: keys differ from ngrok_lint/facts/keys.json: in the data only {missing}, "
            f"written here only {extra}"
        )
    out = {}
    for key, prop in props.items():
        prop = dict(prop)
        _check_type(prop, top[key][0]["type"], f"{where}.{key}")
        subs = {k.split(".", 1)[1]: r for k, r in rows.items() if k.startswith(key + ".")}
        if subs and isinstance(prop.get("properties"), dict):
            nested = {}
            for sub, sub_prop in prop["properties"].items():
                if sub not in subs:
                    raise SystemExit(f"{where}.{key}.{sub}: not in ngrok_lint/facts/keys.json")
                _check_type(sub_prop, subs[sub][0]["type"], f"{where}.{key}.{sub}")
                nested[sub] = {**sub_prop, "x-ngrok-source": _cite(subs[sub][0])}
            if set(subs) - set(nested):
                raise SystemExit(f"{where}.{key}: not written here {sorted(set(subs) - set(nested))}")
            prop["properties"] = nested
        prop["x-ngrok-source"] = _cite(top[key][0])
        if dep_format is not None:
            prop = _deprecate(prop, key, dep_format, sorted({r["context"] for r in top[key]}))
        out[key] = prop
    return out


def scalar(md: str, **kw) -> dict:
    return P(md, SCALAR, **kw)


def boolean(md: str, **kw) -> dict:
    return P(md, BOOL, **kw)


def str_list(md: str, item_md: str, **kw) -> dict:
    items = kw.pop("items", None) or P(item_md, SCALAR)
    return P(md, ARR, items=items, **kw)


def enum(md: str, values: list, **kw) -> dict:
    return P(md, enum=list(values) + [None], **kw)


def duration(md: str, positive: bool = False, **kw) -> dict:
    if positive:
        return P(
            md + " A Go duration such as `10s` or `1m30s` (not negative); a bare integer is also "
            "read. A quoted number is refused.",
            ["string", "number", "null"],
            pattern=PAT["duration_positive"],
            minimum=0,
            **kw,
        )
    return P(
        md + " A Go duration such as `10s`, `1m30s` or `-5s`; a bare integer is also read. "
        "A quoted number is refused.",
        ["string", "number", "null"],
        pattern=PAT["duration"],
        **kw,
    )


def strict_object(md: str, properties: dict, **kw) -> dict:
    return P(md, OBJ, properties=properties, additionalProperties=False, **kw)


# --------------------------------------------------------------------------------------------
# Agent settings (legacy and v2 top level; v3 `agent:`)
# --------------------------------------------------------------------------------------------
UNVERIFIED = "UNVERIFIED: accepted by ngrok-lint but not confirmed as a config-file key."

AUTHTOKEN = scalar(
    "Authtoken of the agent session (a secret: prefer the `NGROK_AUTHTOKEN` environment "
    "variable, which overrides the file).",
    examples=["<your authtoken>"],
)
API_KEY = scalar(
    "ngrok API key, only used by `ngrok api …` commands (a secret: prefer `NGROK_API_KEY`, which "
    "overrides the file)."
)
CONNECT_INTERFACE = scalar(
    "Linux only: bind the agent session to this network interface (added in agent 3.0.0).",
    examples=["eth0"],
)
CONSOLE_UI_COLOR = enum(
    "Background colour of the terminal UI: `black` (default) or `transparent`.",
    ["black", "transparent"],
    default="black",
)
CRL_NOVERIFY = boolean(
    "Skip the Certificate Revocation List check of ngrok's server certificate chain "
    "(agent 3.9.0+). Leave it `false`: `true` is only an escape hatch for a custom connect URL "
    "with a broken CRL.",
    default=False,
)
DNS_RESOLVER_IPS = P(
    "DNS servers used to resolve the session's addresses, as bare IP addresses (no port). "
    "Default: the system resolvers.",
    ARR,
    # Not null: agent 2.3.41 refuses an empty item (`Invalid IP in dns_resolver_ips: ''`).
    items=P("An IPv4 or IPv6 address, without a port.", "string", pattern=PAT["ip"]),
    examples=[["1.1.1.1", "8.8.8.8"]],
)
INSPECT_DB_SIZE_V2 = P(
    "Upper limit in bytes of the memory used to keep HTTP requests for inspection and replay. "
    "`0` (default) means 50 MB; `-1` disables the inspection database for every tunnel.",
    INT,
    minimum=-1,
    maximum=INT64_MAX,
    default=0,
    examples=[104857600],
)
INSPECT_DB_SIZE_LEGACY = P(
    "Upper limit in bytes of the memory used to keep HTTP requests for inspection and replay. "
    "`0` (default) means 50 MB; `-1` disables inspection. Agent 2.x reads a YAML number (a "
    "float is truncated) and refuses `-2` and quoted numbers.",
    NUM,
    exclusiveMinimum=-2,
    maximum=INT64_MAX,
    default=0,
    examples=[104857600],
)
LOG = scalar(
    "Where the agent writes its log: `stdout`, `stderr`, `false` (no log, default) or a file path.",
    default=False,
    examples=["stdout", "stderr", False, "/var/log/ngrok.log"],
)
LOG_FORMAT = enum(
    "Format of log records: `term` (default; coloured on a TTY, else like `logfmt`), `logfmt` or `json`.",
    ["term", "logfmt", "json"],
    default="term",
)
LOG_LEVEL = enum(
    "Log verbosity, in increasing order: `crit`, `warn`, `error`, `info` (default), `debug`.",
    ["crit", "warn", "error", "info", "debug"],
    default="info",
)
METADATA_AGENT = scalar(
    "Opaque string (at most 4096 characters) returned by the ngrok API for the agent's tunnel sessions.",
    maxLength=4096,
)
PROXY_URL = P(
    "URL of an HTTP(S) or SOCKS5 proxy for the session connection (`http://`, `https://` or "
    "`socks5://`). The agent also honours the `http_proxy` environment variable.",
    STR,
    pattern=PAT["proxy_url"],
    examples=["socks5://localhost:9150", "http://proxy.example.com:3128"],
)
REMOTE_MANAGEMENT = boolean(
    "Allow stopping, restarting and updating the agent through the ngrok API and dashboard.",
    default=True,
)
UPDATE_CHECK = boolean("Let the agent check for updates.", default=True)
UPDATE_CHANNEL_V2 = enum(
    "Release channel for updates: `stable` (default), `beta` or `unstable`. Use `stable` in production.",
    ["stable", "beta", "unstable"],
    default="stable",
)
WEB_ALLOW_HOSTS = P(
    "Allowed `Host` headers for the local inspector and agent API (agent 3.1.1+; DNS-rebinding "
    "protection, not authentication). Entries: an IPv4/IPv6 address, a CIDR, an exact host name, "
    "or `.example.com` for any sub-domain. Default: localhost-like hosts only.",
    ARR,
    items=P("An IP address, CIDR, host name or `.suffix` host name.", STR, pattern=PAT["allow_host"]),
    examples=[["8.8.8.8", "example.com"]],
)
CONNECT_TIMEOUT = duration(
    "How long to wait when dialling the ngrok service (agent 2.x refuses a negative one).",
    positive=True,
    default="10s",
)
HEARTBEAT_INTERVAL = duration("How often the agent sends a heartbeat to ngrok.", default="10s")
HEARTBEAT_TOLERANCE = duration(
    "Reconnect when ngrok has not answered a heartbeat within this time.", default="15s"
)
CRL_URL = P(
    "Custom location of the Certificate Revocation List (changelog 3.39.7). " + UNVERIFIED,
    STR,
    pattern=PAT["http_url"],
)
LOCAL_STORAGE = P(
    "Local storage of the agent; changelog 3.32.0 uses it to disable the local inspector. "
    + UNVERIFIED
    + " Its shape is unknown, so any value is accepted."
)


def web_addr(legacy: bool) -> dict:
    if legacy:
        return P(
            "Address of the local web inspector and agent API: `host:port`, `:port`, a bare port "
            "(`4040`), or `false` to disable both. The inspector and API have no authentication: "
            "keep them on a loopback address.",
            ["string", "integer", "boolean", "null"],
            pattern=or_empty(PAT["web_addr_legacy"]),
            allOf=[
                {"if": {"type": "boolean"}, "then": {"const": False}},
                {"if": {"type": "integer"}, "then": {"minimum": 0, "maximum": 65535}},
            ],
            default="127.0.0.1:4040",
            examples=["127.0.0.1:4040", "localhost:4040", False],
        )
    # A bare port: agent 2.3.41 accepts it (the oracle), and nothing in agent/config/v3.mdx or the
    # changelog says agent 3.x stopped (a real version 2 file with 3.1.1's `web_allow_hosts` uses
    # `web_addr: 4040`). Without evidence of a refusal it is not an error.
    return P(
        "Address of the local web inspector and agent API, as `host:port` (ngrok's docs) or a bare "
        "port, or `false` to disable both. The inspector and API have no authentication: keep them "
        "on a loopback address (default `127.0.0.1:4040`).",
        ["string", "integer", "boolean", "null"],
        pattern=PAT["web_addr_legacy"],
        allOf=[
            {"if": {"type": "boolean"}, "then": {"const": False}},
            {"if": {"type": "integer"}, "then": {"minimum": 0, "maximum": 65535}},
        ],
        default="127.0.0.1:4040",
        examples=["127.0.0.1:4040", "localhost:4040", False],
    )


def console_ui(legacy: bool) -> dict:
    if legacy:
        return scalar(
            "Terminal UI: `true`, `false` or `iftty` (UI only when stdout is a terminal). Agent 2.x "
            "reads any string here.",
            examples=[True, False, "iftty"],
        )
    return enum(
        "Terminal UI: `true`, `false` (logs go to stdout) or `iftty` (default: UI only when "
        "stdout is a terminal).",
        [True, False, "true", "false", "iftty"],
        default="iftty",
    )


def agent_settings_v2_common() -> dict:
    """Agent options shared by the v2 top level and the v3 `agent:` block (§2.1, §3.2)."""
    return {
        "api_key": API_KEY,
        "authtoken": AUTHTOKEN,
        "connect_interface": CONNECT_INTERFACE,
        "connect_timeout": CONNECT_TIMEOUT,
        "console_ui": console_ui(False),
        "console_ui_color": CONSOLE_UI_COLOR,
        "crl_noverify": CRL_NOVERIFY,
        "crl_url": CRL_URL,
        "dns_resolver_ips": DNS_RESOLVER_IPS,
        "heartbeat_interval": HEARTBEAT_INTERVAL,
        "heartbeat_tolerance": HEARTBEAT_TOLERANCE,
        "inspect_db_size": INSPECT_DB_SIZE_V2,
        "local_storage": LOCAL_STORAGE,
        "log": LOG,
        "log_format": LOG_FORMAT,
        "log_level": LOG_LEVEL,
        "metadata": METADATA_AGENT,
        "proxy_url": PROXY_URL,
        "remote_management": REMOTE_MANAGEMENT,
        "update_channel": UPDATE_CHANNEL_V2,
        "update_check": UPDATE_CHECK,
        "web_addr": web_addr(False),
        "web_allow_hosts": WEB_ALLOW_HOSTS,
    }


ROOT_CAS_MD = (
    "CAs used to verify ngrok's server certificate for the session: `trusted` (default: only "
    "ngrok's own root, pinned in the agent), `host` (the operating system's store, needed behind "
    "TLS-inspecting proxies) or the path of a PEM file with extra CAs."
)
SERVER_ADDR_MD = (
    "Address (`host:port`) of the ngrok service to connect to. Only set it for a custom connect "
    "URL (custom agent ingress)."
)

# --------------------------------------------------------------------------------------------
# Traffic Policy (§4)
# --------------------------------------------------------------------------------------------
ENFORCE = boolean(
    "Whether failures are enforced (default `true`). `false` lets failing requests through.",
    default=True,
)


def cidr_list(md: str) -> dict:
    return P(
        md,
        ARR,
        items=P("A CIDR such as `10.0.0.0/8` or `2001:db8::/32`.", STR, pattern=PAT["cidr"]),
        examples=[["110.0.0.0/8", "220.12.0.0/16"]],
    )


def ip_or_cidr_list(md: str) -> dict:
    """`restrict-ips` lists: CIDRs, and single addresses as ngrok's own guides write them
    (`guides/share-localhost/security.mdx` allows `"198.51.100.42"`)."""
    return P(
        md,
        ARR,
        items=P("A CIDR such as `10.0.0.0/8`, or a single address.", STR, pattern=fmt(f"{CIDR}|{IPV4}|{IPV6}")),
        examples=[["110.0.0.0/8", "220.12.0.0/16"]],
    )


def config_schema(action: str, md: str, properties: dict, required: list | None = None) -> dict:
    kw = {"required": required} if required else {}
    return P(
        f"Configuration of the `{action}` action. {md} Keys not listed here are not checked.",
        OBJ,
        properties=properties,
        **kw,
    )


OAUTH_PROVIDERS = ["amazon", "facebook", "github", "gitlab", "google", "linkedin", "microsoft", "twitch"]

SESSION_KEYS = {
    "auth_id": scalar("Unique identifier of this authentication configuration (names the session cookie)."),
    "client_id": scalar("OAuth client ID of your own application (CEL interpolation allowed)."),
    "client_secret": scalar(
        "OAuth client secret of your own application (a secret: use `${secrets.get(…)}`)."
    ),
    "scopes": str_list("Scopes to request from the identity provider.", "A scope."),
    "authz_url_params": P("Extra query parameters for the authorization URL.", OBJ),
    "max_session_duration": duration("Longest lifetime of an authenticated session."),
    "userinfo_refresh_interval": duration("How often the user's information is refreshed."),
    "allow_cors_preflight": boolean(
        "Let CORS preflight requests through without authentication (default `false`).", default=False
    ),
    "auth_cookie_domain": scalar("Domain for the authentication cookie, to share it across sub-domains."),
}

TLS_VERSION = ["1.2", "1.3", 1.2, 1.3]

ACTION_CONFIGS: list[tuple[list[str], dict]] = [
    (
        ["restrict-ips"],
        config_schema(
            "restrict-ips",
            "Allows a connection only if it matches an allow entry and no deny entry.",
            {
                "enforce": ENFORCE,
                "allow": ip_or_cidr_list("CIDRs or single addresses allowed in (CEL interpolation allowed)."),
                "deny": ip_or_cidr_list("CIDRs or single addresses refused (CEL interpolation allowed)."),
                "ip_policies": str_list("IDs of ngrok IP policies (`ipp_…`).", "An IP policy ID."),
            },
        ),
    ),
    (
        ["basic-auth"],
        config_schema(
            "basic-auth",
            "HTTP basic authentication.",
            {
                "credentials": str_list(
                    "Up to 10 `username:password` pairs; passwords are 8–128 characters (a secret: "
                    "use `${secrets.get(…)}`).",
                    "A `username:password` pair.",
                    maxItems=10,
                ),
                "realm": scalar("Realm shown by the browser (default `ngrok`).", maxLength=128, default="ngrok"),
                "enforce": ENFORCE,
            },
            required=["credentials"],
        ),
    ),
    (
        ["oauth"],
        config_schema(
            "oauth",
            "Only authenticates: any account at the provider passes unless a later rule checks "
            "`actions.ngrok.oauth.identity`.",
            {
                "provider": enum("Identity provider.", OAUTH_PROVIDERS),
                **SESSION_KEYS,
                "idle_session_timeout": duration("Idle time after which the session ends."),
            },
            required=["provider"],
        ),
    ),
    (
        ["openid-connect", "oidc"],
        config_schema(
            "openid-connect",
            "Only authenticates: check the identity in a later rule. (`oidc` is treated as this action.)",
            {
                "issuer_url": P("URL of the OpenID Connect issuer.", STR, pattern=PAT["http_url"]),
                **SESSION_KEYS,
                "idle_session_duration": duration("Idle time after which the session ends."),
            },
            required=["issuer_url"],
        ),
    ),
    (
        ["jwt-validation"],
        config_schema(
            "jwt-validation",
            "Validates JSON Web Tokens (typed loosely).",
            {
                "issuer": P(
                    "Allowed token issuers (`allow_list[].value`).",
                    OBJ,
                    properties={
                        "allow_list": P(
                            "Allowed issuers.",
                            ARR,
                            items=P("An allowed issuer.", OBJ, properties={"value": scalar("Issuer value.")}),
                        )
                    },
                ),
                "audience": P(
                    "Allowed token audiences (`allow_list[].value`).",
                    OBJ,
                    properties={
                        "allow_list": P(
                            "Allowed audiences.",
                            ARR,
                            items=P("An allowed audience.", OBJ, properties={"value": scalar("Audience value.")}),
                        )
                    },
                ),
                "http": P(
                    "Where tokens are read from (`tokens[]`).",
                    OBJ,
                    properties={
                        "tokens": P(
                            "Token locations.",
                            ARR,
                            items=P(
                                "A token location.",
                                OBJ,
                                properties={
                                    "type": scalar(
                                        "Token type.",
                                        examples=["id_token", "access_token", "at+jwt", "it+jwt", "plain", "jwt"],
                                    ),
                                    "method": enum("Where the token is: `header` or `body`.", ["header", "body"]),
                                    "name": scalar("Header or field name."),
                                    "prefix": scalar("Prefix before the token, e.g. `\"Bearer \"`."),
                                },
                            ),
                        )
                    },
                ),
                "jws": P(
                    "Signature settings: `allowed_algorithms` (never `none`) and `keys`.",
                    OBJ,
                    properties={
                        "allowed_algorithms": P(
                            "Allowed signing algorithms; `none` is not allowed.",
                            ARR,
                            items=P("An algorithm such as `RS256`.", SCALAR, not_={"const": "none"}),
                        ),
                        "keys": P("Key sources (`sources[].additional_jkus`) and identification.", ["object", "array", "null"]),
                    },
                ),
            },
        ),
    ),
    (
        ["verify-webhook"],
        config_schema(
            "verify-webhook",
            "Verifies webhook signatures.",
            {
                "provider": scalar("Webhook provider id.", examples=["github", "gitlab", "slack", "stripe", "twilio"]),
                "secret": scalar("Signing secret (a secret: use `${secrets.get(…)}`)."),
                "enforce": ENFORCE,
            },
            required=["provider", "secret"],
        ),
    ),
    (
        ["terminate-tls"],
        config_schema(
            "terminate-tls",
            "Terminates TLS at ngrok's edge (phase `on_tcp_connect`).",
            {
                "min_version": enum(
                    "Lowest TLS version accepted: `\"1.2\"` (default) or `\"1.3\"`. Quote it.",
                    TLS_VERSION,
                    default="1.2",
                ),
                "max_version": enum(
                    "Highest TLS version accepted: `\"1.2\"` or `\"1.3\"` (default). Quote it.",
                    TLS_VERSION,
                    default="1.3",
                ),
                "server_certificate": scalar("PEM certificate (with `server_private_key`)."),
                "server_private_key": scalar("PEM private key (a secret: use `${secrets.get(…)}`)."),
                "mutual_tls_certificate_authorities": str_list(
                    "PEM CA certificates or CA IDs that client certificates must chain to.",
                    "A PEM CA certificate or a CA ID.",
                ),
                "mutual_tls_verification_strategy": enum(
                    "How client certificates are checked: `require-and-verify` (default), "
                    "`require-any` or `request` (both weak: not verified against the CAs).",
                    ["require-and-verify", "require-any", "request"],
                    default="require-and-verify",
                ),
            },
        ),
    ),
    (
        ["rate-limit"],
        config_schema(
            "rate-limit",
            "Limits the request rate per bucket.",
            {
                "name": scalar("Name of the limit (under 1024 characters).", maxLength=1023),
                "algorithm": enum("Rate-limiting algorithm.", ["sliding_window"], default="sliding_window"),
                "capacity": P("Requests allowed per `rate` window (1–2,000,000,000).", INT, minimum=1, maximum=2000000000),
                "rate": duration("Window length: a multiple of 10s, 60s to 24h."),
                "bucket_key": str_list(
                    "Up to 10 CEL expressions that key the buckets, e.g. `conn.client_ip`.",
                    "A CEL expression.",
                    maxItems=10,
                ),
                "enforce": ENFORCE,
            },
            required=["name", "algorithm", "capacity", "rate", "bucket_key"],
        ),
    ),
]

# --------------------------------------------------------------------------------------------
# Traffic Policy: actions and phases from the docs facts (ngrok_lint/facts/traffic_policy.json)
# --------------------------------------------------------------------------------------------
TP_FACTS_FILE = HERE.parent / "ngrok_lint" / "facts" / "traffic_policy.json"

#: A documented field type (the `type` of a docs `<ConfigField>`) as a schema; None: not typed.
_TP_FIELD_TYPES = {
    "string": SCALAR,
    "bool": BOOL,
    "boolean": BOOL,
    "integer": INT,
    "int": INT,
    "float": NUM,
    "object": OBJ,
    "map of string to string": OBJ,
    "map[string]any": OBJ,
}
_TP_OBJECT_LISTS = ("array", "array of objects", "list of objects", "array of map[string]any")


@functools.lru_cache(maxsize=None)
def tp_facts() -> dict:
    return json.loads(TP_FACTS_FILE.read_text(encoding="utf-8"))


def tp_field_schema(field: dict, action: str) -> dict:
    """One documented configuration field as a schema: its documented type, enum values and the
    fields of its items or children (never `additionalProperties: false`: action configs are open)."""
    kind = field["type"].strip().lower()
    md = f"`{field['name']}` of the `{action}` action ({field['type'] or 'untyped'} in ngrok's docs)."
    children = {c["name"]: tp_field_schema(c, action) for c in field.get("children", [])}
    required = [c["name"] for c in field.get("children", []) if c["required"]]
    if kind == "enum" and field.get("enum"):
        return enum(md, field["enum"])
    if kind == "duration":
        return duration(md)
    if kind in ("array of strings", "array of refs"):
        return str_list(md, "An item.")
    if kind == "array of integers":
        return P(md, ARR, items=P("An item.", INT))
    if kind in _TP_OBJECT_LISTS:
        item = P("An item.", OBJ, properties=children) if children else P("An item.", OBJ)
        if children and required:
            item["required"] = required
        return P(md, ARR, items=item)
    if kind in _TP_FIELD_TYPES:
        types = _TP_FIELD_TYPES[kind]
        if types == OBJ and children:
            return P(md, OBJ, properties=children, **({"required": required} if required else {}))
        return P(md, types)
    return P(md)  # a type the docs name in words only: any value


def tp_generated_config(action: dict) -> dict:
    fields = {f["name"]: tp_field_schema(f, action["type"]) for f in action["fields"]}
    required = [f["name"] for f in action["fields"] if f["required"]]
    return config_schema(action["type"], f"From `{action['doc']}`.", fields, required or None)


def tp_action_configs(facts: dict) -> list:
    """(types, config schema) of every documented action: the hand-written schema where there is
    one (it carries formats and bounds the docs state in prose), completed with every documented
    field it lacks; the generated one otherwise."""
    hand = {types[0]: (types, cfg) for types, cfg in ACTION_CONFIGS}
    out = []
    for action in facts["actions"]:
        generated = tp_generated_config(action)
        if action["type"] in hand:
            types, cfg = hand.pop(action["type"])
            cfg = copy.deepcopy(cfg)
            for name, schema in generated["properties"].items():
                cfg["properties"].setdefault(name, schema)
            required = list(dict.fromkeys(cfg.get("required", []) + generated.get("required", [])))
            if required:
                cfg["required"] = required
            out.append((types, cfg))
        else:
            out.append(([action["type"]], generated))
    out.extend(hand.values())
    return out


def tp_allowed_phases(facts: dict) -> dict:
    """phase -> action types it allows: what the action's page or the actions overview lists (their
    union: where the two disagree, the action is accepted in both places)."""
    allowed: dict = {p["name"]: set() for p in facts["phases"]}
    for action in facts["actions"]:
        names = [action["type"]] + (["oidc"] if action["type"] == "openid-connect" else [])
        for phase in set(action["phases"]) | set(action["hub_phases"]):
            allowed.setdefault(phase, set()).update(names)
    return allowed


def tp_action_types(facts: dict) -> list:
    types = [a["type"] for a in facts["actions"]]
    return sorted(set(types) | ({"oidc"} if "openid-connect" in types else set()))


def tp_action(facts: dict) -> dict:
    return {
        "description": "A Traffic Policy action: `type` and an optional `config`.",
        "markdownDescription": "A Traffic Policy action: `type` and an optional `config`.",
        "type": OBJ,
        "properties": {
            "type": P("Action type, e.g. `deny`, `basic-auth`, `restrict-ips`, `terminate-tls`, `custom-response`.",
                      STR, examples=tp_action_types(facts)),
            "config": P("Configuration of the action; its keys depend on `type`.", OBJ),
        },
        "required": ["type"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {
                    "properties": {"type": {"const": types[0]} if len(types) == 1 else {"enum": types}},
                    "required": ["type"],
                },
                "then": {"properties": {"config": cfg}},
            }
            for types, cfg in tp_action_configs(facts)
        ],
    }


TP_RULE = {
    "description": "A Traffic Policy rule: optional `name` and `expressions`, required `actions`.",
    "markdownDescription": "A Traffic Policy rule: optional `name` and `expressions`, required `actions`.",
    "type": OBJ,
    "properties": {
        "name": scalar("Name of the rule."),
        "expressions": str_list(
            "CEL expressions, all of which must match for the actions to run (absent: always run).",
            "A CEL expression.",
            examples=[["conn.client_ip != '1.1.1.1'"]],
        ),
        "actions": P("Actions run, in order, when the rule matches.", ARR, items=ref("tp_action")),
    },
    "required": ["actions"],
    "additionalProperties": False,
}


def phase(md: str, name: str, facts: dict, **kw) -> dict:
    """A phase's rules; an action documented for other phases only is refused here."""
    allowed = tp_allowed_phases(facts).get(name, set())
    placed = set().union(*tp_allowed_phases(facts).values())  # types whose docs name their phases
    refused = [t for t in tp_action_types(facts) if t in placed and t not in allowed]
    items = ref("tp_rule")
    if refused:
        items = {
            "allOf": [
                ref("tp_rule"),
                {"properties": {"actions": P(
                    f"Actions of a `{name}` rule.",
                    items={"properties": {"type": P(
                        f"Action type: one documented for `{name}`.",
                        # the refusal's `description` is the message NGL002 gives (ngrok_lint/schema.py)
                        not_={"enum": refused, "description": f"is not an action of `{name}` (ngrok's docs list it for other phases only)"},
                    )}},
                )}},
            ]
        }
    return P(md + f" Actions documented for this phase: {', '.join(f'`{t}`' for t in sorted(allowed))}.", ARR, items=items, **kw)


def traffic_policy(facts: dict) -> dict:
    return {
        "description": (
            "A Traffic Policy: rules per phase. A string is parsed as YAML by ngrok-lint and checked "
            "like a map. ${...} inside the policy is CEL interpolation, not an environment variable."
        ),
        "markdownDescription": (
            "A Traffic Policy: rules per phase. A string is parsed as YAML by ngrok-lint and checked "
            "like a map. `${…}` inside the policy is CEL interpolation, not an environment variable."
        ),
        "type": ["object", "string", "null"],
        "properties": {
            "on_tcp_connect": phase("Rules run when a connection opens (every protocol; agent 3.17+).", "on_tcp_connect", facts),
            "on_http_request": phase("Rules run on each HTTP request (http/https only; agent 3.17+).", "on_http_request", facts),
            "on_http_response": phase("Rules run on each HTTP response (http/https only; agent 3.17+).", "on_http_response", facts),
            "on_event_stream_message": phase(
                "Rules run on each server-sent event message (http/https only).", "on_event_stream_message", facts
            ),
            "inbound": phase(
                "**Deprecated**: use `on_http_request`. Inbound rules (agent 3.6–3.16 syntax).", "on_http_request", facts,
                deprecated=True,
            ),
            "outbound": phase(
                "**Deprecated**: use `on_http_response`. Outbound rules (agent 3.6–3.16 syntax).", "on_http_response", facts,
                deprecated=True,
            ),
        },
        "additionalProperties": False,
    }

# --------------------------------------------------------------------------------------------
# Tunnels
# --------------------------------------------------------------------------------------------
PROTO = enum(
    "Tunnel protocol: `http`, `tcp` or `tls`.", ["http", "tcp", "tls"], examples=["http", "tcp", "tls"]
)
ADDR = scalar(
    "Where traffic is forwarded: a port (`8080`), `host:port`, or a URL (`http://…`, `https://…`, "
    "`file:///path` for http; `tls://host:port` for tls). A bare port means localhost.",
    examples=[8080, "localhost:8080", "https://localhost:8443"],
)
TUNNEL_METADATA = scalar("Opaque string shown for this tunnel in the ngrok API.")
INSPECT = boolean("Record HTTP requests in the inspector (http only; default `true`).", default=True)
CRT = scalar("Path of a PEM certificate to terminate TLS with (together with `key`).")
KEY = scalar("Path of the PEM private key for `crt` (together with `crt`).")
HOST_HEADER_MD = (
    "Rewrite the `Host` header sent upstream: `rewrite` (the upstream's host name), `preserve`, "
    "or a literal host."
)
HOSTNAME_DOMAIN = (
    "A domain name (a wildcard must be quoted: `'*.example.com'`)."
)


def addr_by_proto() -> list:
    """`allOf` branches that check `addr` against what the agent accepts for each proto."""
    words = {
        "http": "a port, `host`, `host:port` or an `http://`/`https://`/`file://` URL without a path",
        "tcp": "a port or `host:port`",
        "tls": "a port, `host:port` or `tls://host:port`",
    }
    return [
        {
            "if": {"properties": {"proto": {"const": proto}}, "required": ["proto"]},
            # A number is a port: agent 2.3.41 refuses a negative one (http, tls), and on tcp and tls
            # one with a fraction or past int64 (which its YAML parser reads as a float).
            "then": {"properties": {"addr": P(f"On a {proto} tunnel: {words[proto]}.", SCALAR, pattern=PAT[f"addr_{proto}"],
                                              minimum=0, maximum=INT64_MAX,
                                              **({} if proto == "http" else {"multipleOf": 1}))}},
        }
        for proto in ("http", "tcp", "tls")
    ]


def legacy_tunnel() -> dict:
    props = {
        "proto": PROTO,
        "addr": ADDR,
        "auth": scalar("HTTP basic authentication as `user:password` (http only; a secret)."),
        "bind_tls": P(
            "Which public URLs an http tunnel gets: `true` (https only), `false` (http only) or "
            "`both` (default). Ignored on tcp and tls tunnels.",
            SCALAR,
            default="both",
            examples=[True, False, "both"],
        ),
        "client_cas": scalar("Path of PEM CAs that client certificates must chain to (tls tunnels, needs `crt` and `key`)."),
        "crt": P("Path of a PEM certificate to terminate TLS at the agent (tls tunnels, with `key`).", SCALAR),
        "key": P("Path of the PEM private key for `crt` (tls tunnels).", SCALAR),
        "host_header": scalar(HOST_HEADER_MD, examples=["rewrite", "preserve"]),
        "hostname": P("Custom host name to request (http, tls). " + HOSTNAME_DOMAIN, SCALAR,
                      pattern=or_empty(PAT["domain"])),
        "subdomain": P(
            "Sub-domain of the ngrok domain to request: letters, digits, hyphens and periods (http, tls).",
            SCALAR,
            pattern=or_empty(PAT["subdomain"]),
        ),
        "inspect": INSPECT,
        "metadata": TUNNEL_METADATA,
        "remote_addr": scalar(
            "Reserved TCP address to bind, as `host:port` (tcp only; ignored on http).",
            examples=["1.tcp.ngrok.io:12345"],
        ),
        "ip_policy": scalar("Hidden key of the 2.x agent (an IP policy ID)."),
    }
    return {
        "description": "A tunnel of an ngrok 2.x config (`proto` and `addr` are required).",
        "markdownDescription": "A tunnel of an ngrok 2.x config (`proto` and `addr` are required).",
        # Not null: agent 2.3.41 refuses an empty entry (`Empty tunnel definition with name 'web'`).
        "type": "object",
        "properties": sourced(props, "legacy", ("tunnel",), where="legacy tunnel"),
        "required": ["proto", "addr"],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"proto": {"const": "http"}}, "required": ["proto"]},
                "then": {
                    "properties": {
                        "bind_tls": P(
                            "On an http tunnel: `true`, `false`, `\"true\"`, `\"false\"`, `both` or empty.",
                            enum=[True, False, "true", "false", "both", "", None],
                        )
                    }
                },
            },
            {
                "if": {"properties": {"proto": {"const": "tcp"}}, "required": ["proto"]},
                "then": {
                    "properties": {
                        "remote_addr": P("On a tcp tunnel: `host:port`.", STR, pattern=or_empty(PAT["hostport"]))
                    }
                },
            },
            *addr_by_proto(),
        ],
    }


def v2_tunnel(fmt_name: str) -> dict:
    """v2 tunnel syntax (§2.2); `fmt_name` is `v2` or `v3` (v3 has no labeled tunnels)."""
    module = "use a Traffic Policy action instead"
    props = {
        "proto": P(
            "Tunnel protocol: `http`, `tcp` or `tls`. Omitted for labeled tunnels."
            if fmt_name == "v2"
            else "Tunnel protocol: `http`, `tcp` or `tls`.",
            enum=["http", "tcp", "tls", None],
        ),
        "addr": ADDR,
        "metadata": TUNNEL_METADATA,
        "inspect": INSPECT,
        "domain": P(
            "Reserved or custom domain to serve (agent 3.2.1+; http, tls). " + HOSTNAME_DOMAIN,
            SCALAR,
            pattern=PAT["domain"],
            examples=["myapp.ngrok.app"],
        ),
        "hostname": P(
            "Custom host name to request. " + HOSTNAME_DOMAIN, SCALAR, pattern=PAT["domain"]
        ),
        "subdomain": P(
            "Sub-domain of the ngrok domain: letters, digits, hyphens and periods.", SCALAR,
            pattern=PAT["subdomain"]
        ),
        "schemes": P(
            "Public schemes of an http tunnel: `https` (default in agent 3.x) and/or `http` "
            "(plain HTTP on the internet).",
            ARR,
            items=P("`http` or `https`.", enum=["http", "https", None]),
            default=["https"],
            examples=[["https"]],
        ),
        "basic_auth": P(
            "List of `username:password` (passwords 8+ characters; secrets).",
            ARR,
            items=P("A `username:password` pair.", SCALAR),
        ),
        "host_header": P(HOST_HEADER_MD, SCALAR),
        "crt": CRT,
        "key": KEY,
        "circuit_breaker": P(
            "Reject requests when the ratio of 5xx responses exceeds this value (0–1).",
            NUM,
            minimum=0,
            maximum=1,
        ),
        "compression": P(
            "Gzip-compress HTTP responses.", BOOL
        ),
        "ip_restriction": P(
            "Allow or deny client IPs by CIDR.",
            OBJ,
            properties={
                "allow_cidrs": cidr_list("Only connections from these CIDRs are accepted."),
                "deny_cidrs": cidr_list("Connections from these CIDRs are refused."),
            },
            additionalProperties=False,
        ),
        "mutual_tls_cas": P(
            "Path of PEM CAs that client certificates must chain to (tls tunnels also need `crt` and `key`).",
            SCALAR,
        ),
        "oauth": P(
            "OAuth at ngrok's edge. Without `allow_emails`/`allow_domains` anyone with an account at the provider gets in.",
            OBJ,
            properties={
                "provider": enum("Identity provider.", OAUTH_PROVIDERS),
                "allow_domains": str_list("Allowed e-mail domains.", "An e-mail domain."),
                "allow_emails": str_list("Allowed e-mail addresses.", "An e-mail address."),
                "scopes": str_list(
                    "OAuth scopes to request (older docs wrongly called it `oauth_scopes`).", "A scope."
                ),
                "client_id": scalar("Client ID of your own OAuth application. " + UNVERIFIED),
                "client_secret": scalar("Client secret of your own OAuth application (a secret). " + UNVERIFIED),
            },
            additionalProperties=False,
        ),
        "oidc": P(
            "OpenID Connect at ngrok's edge. " + UNVERIFIED,
            OBJ,
            properties={
                "issuer_url": P("Issuer URL.", STR, pattern=PAT["http_url"]),
                "client_id": scalar("Client ID."),
                "client_secret": scalar("Client secret (a secret)."),
                "scopes": str_list("Scopes to request.", "A scope."),
            },
            additionalProperties=False,
        ),
        "proxy_proto": enum(
            "PROXY protocol version sent to the upstream: `1` or `2` (empty: off).",
            [1, 2, "1", "2", ""],
        ),
        "request_header": P(
            "Headers added to / removed from requests.",
            OBJ,
            properties={
                "add": str_list("Headers to add, as `key:value`.", "A `key:value` header."),
                "remove": str_list("Header names to remove.", "A header name."),
            },
            additionalProperties=False,
        ),
        "response_header": P(
            "Headers added to / removed from responses.",
            OBJ,
            properties={
                "add": str_list("Headers to add, as `key:value`.", "A `key:value` header."),
                "remove": str_list("Header names to remove.", "A header name."),
            },
            additionalProperties=False,
        ),
        "user_agent_filter": P(
            "Allow or deny User-Agents by RE2 regular expression (agent 3.3.5+).",
            OBJ,
            properties={
                "allow": str_list("User-Agent patterns allowed.", "An RE2 regular expression."),
                "deny": str_list("User-Agent patterns denied.", "An RE2 regular expression."),
            },
            additionalProperties=False,
        ),
        "verify_webhook": P(
            "Verify webhook signatures.",
            OBJ,
            properties={
                "provider": scalar("Webhook provider id, e.g. `slack`, `github`, `stripe`."),
                "secret": scalar("Signing secret (a secret)."),
            },
            additionalProperties=False,
        ),
        "websocket_tcp_converter": P("Convert websocket connections to TCP upstream.", BOOL),
        "policy": P(
            "Traffic Policy (agent 3.6–3.13 name).",
            allOf=[ref("traffic_policy")],
        ),
        "traffic_policy": P(
            "Traffic Policy of the tunnel (agent 3.14+; phase names need 3.17+).",
            allOf=[ref("traffic_policy")],
        ),
        "remote_addr": P(
            "Reserved TCP address to bind, as `host:port` (tcp).",
            STR,
            pattern=PAT["hostport"],
            examples=["1.tcp.ngrok.io:12345"],
        ),
        "terminate_at": enum(
            "Where TLS is terminated on a tls tunnel: `edge`, `agent` or `upstream`.",
            ["edge", "agent", "upstream"],
        ),
        "pooling_enabled": boolean(
            "Join other endpoints with the same URL in a load-balanced pool.", default=False
        ),
        "bindings": P(
            "Where the endpoint is reachable: `public`, `internal` or `kubernetes` (shown in ngrok's "
            "docs example `http-bindings`). " + UNVERIFIED,
            ARR,
            items=P("`public`, `internal` or `kubernetes`.", enum=["public", "internal", "kubernetes", None]),
        ),
        "name": scalar("Endpoint name (CLI `--name`). " + UNVERIFIED),
        "url": scalar("Endpoint URL (CLI `--url`). " + UNVERIFIED),
        "description": scalar("Endpoint description (CLI `--description`). " + UNVERIFIED),
        "traffic_policy_file": scalar("Path of a Traffic Policy file (CLI `--traffic-policy-file`). " + UNVERIFIED),
        "upstream_tls_verify": boolean("Verify the upstream's TLS certificate (CLI `--upstream-tls-verify`). " + UNVERIFIED),
        "upstream_tls_verify_cas": scalar(
            "CAs used to verify the upstream's certificate (CLI `--upstream-tls-verify-cas`). " + UNVERIFIED
        ),
        "app_protocol": scalar("Upstream application protocol (CLI `--app-protocol`). " + UNVERIFIED),
    }
    if fmt_name == "v2":
        props["labels"] = P(
            "Labels (`name=value`) that attach the tunnel to an ngrok Edge; a labeled tunnel has no `proto`.",
            ARR,
            items=P("A `name=value` label.", STR, pattern=PAT["labels"]),
            examples=[["edge=edghts_2gYaK9XAVa3ANouaDEPrkeaxkYT"]],
        )
        # agent/config/v2.mdx: "`--url` becomes `url`"; a tunnel with a `url` takes its protocol
        # from the URL's scheme (ngrok's guides write such tunnels without `proto`).
        md = ("A tunnel (config version 2 syntax): `addr` is required, and `proto` unless `labels` or `url` "
              "is given.")
        extra = {
            "required": ["addr"],
            "if": {"not": {"required": ["labels"]}},
            "then": {"if": {"not": {"required": ["url"]}}, "then": {"required": ["proto"]}},
        }
    else:
        md = "A tunnel of a version 3 file (deprecated: use `endpoints`); v2 tunnel syntax without labels."
        extra = {"required": ["addr"], "if": {"not": {"required": ["url"]}}, "then": {"required": ["proto"]}}
    return {
        "description": _plain(md),
        "markdownDescription": md,
        "type": OBJ,
        "properties": sourced(
            dict(sorted(props.items(), key=lambda kv: TUNNEL_ORDER.index(kv[0]))),
            "v2",
            TUNNEL_CONTEXTS if fmt_name == "v2" else tuple(c for c in TUNNEL_CONTEXTS if c != "tunnel.labeled"),
            dep_format=fmt_name,
            where=f"{fmt_name} tunnel",
        ),
        "additionalProperties": False,
        "allOf": addr_by_proto(),
        **extra,
    }


#: The contexts of keys.json whose rows make up a tunnel (version 3 files have no labeled tunnels).
TUNNEL_CONTEXTS = ("tunnel", "tunnel.http", "tunnel.tcp", "tunnel.tls", "tunnel.labeled")

TUNNEL_ORDER = [
    "proto", "addr", "labels", "domain", "hostname", "subdomain", "schemes", "remote_addr", "inspect",
    "metadata", "traffic_policy", "policy", "basic_auth", "oauth", "oidc", "ip_restriction",
    "verify_webhook", "mutual_tls_cas", "crt", "key", "terminate_at", "host_header", "request_header",
    "response_header", "circuit_breaker", "compression", "user_agent_filter", "websocket_tcp_converter",
    "proxy_proto", "pooling_enabled", "bindings", "name", "url", "description", "traffic_policy_file",
    "upstream_tls_verify", "upstream_tls_verify_cas", "app_protocol",
]

# --------------------------------------------------------------------------------------------
# v3 endpoints and agent block
# --------------------------------------------------------------------------------------------
V3_ENDPOINT = {
    "description": "An endpoint (config version 3): `name` and `upstream` are required.",
    "markdownDescription": "An endpoint (config version 3): `name` and `upstream` are required.",
    "type": OBJ,
    "properties": {
        "name": scalar("Unique name of the endpoint, used by `ngrok start <name>`."),
        "url": P(
            "Public URL: a domain (`example.org`, https implied), an origin (`https://x.ngrok.app`, "
            "`tcp://1.tcp.ngrok.io:12345`, `tls://x.example.com`), a scheme alone for a random "
            "address (`https://`), or empty (random https URL). A host ending in `.internal` makes "
            "an internal endpoint.",
            SCALAR,
            pattern=PAT["endpoint_url"],
            examples=["https://example.ngrok.app", "tcp://1.tcp.ngrok.io:12345", "tls://app.example.com", "https://api.internal"],
        ),
        "description": scalar("Description shown on the endpoint in the ngrok API."),
        "metadata": scalar("Opaque metadata shown on the endpoint in the ngrok API."),
        "bindings": P(
            "Where the endpoint is reachable: one of `public` (default), `internal`, `kubernetes` (3.20.0+).",
            ARR,
            items=P("`public`, `internal` or `kubernetes`.", enum=["public", "internal", "kubernetes", None]),
            default=["public"],
        ),
        "traffic_policy": P("Inline Traffic Policy of the endpoint.", allOf=[ref("traffic_policy")]),
        "traffic_policy_file": scalar(
            "Path of a Traffic Policy file (YAML or JSON). Use an absolute path: `~` is not expanded."
        ),
        "upstream": P(
            "Where traffic is forwarded.",
            OBJ,
            properties={
                "url": scalar(
                    "Upstream address: a port (`8080`), `host:port`, an origin (`https://localhost:8443`, "
                    "`tls://localhost:443`, `tcp://127.0.0.1:80`) or `file:///path`. A bare port means localhost.",
                    examples=[8080, "localhost:8080", "https://localhost:8443"],
                ),
                "protocol": enum(
                    "Application protocol spoken to an HTTP upstream: `http1` (default) or `http2`.",
                    ["http1", "http2"],
                    default="http1",
                ),
                "proxy_protocol": enum(
                    "PROXY protocol version sent to the upstream: `1` or `2`; empty when not used.",
                    [1, 2, "1", "2", ""],
                ),
            },
            required=["url"],
            additionalProperties=False,
        ),
        "agent_tls_termination": P(
            "Terminate TLS at the agent (`tls://` endpoints only; agent 3.19+).",
            OBJ,
            properties={
                "server_certificate": scalar("Server certificate: a file path or inline PEM."),
                "server_private_key": scalar(
                    "Server private key: a file path or inline PEM (a secret; older docs wrote `server_key`)."
                ),
                "mutual_tls_certificate_authorities": str_list(
                    "CA file paths or PEMs; clients must present a certificate signed by one of them.",
                    "A CA file path or PEM.",
                ),
            },
            additionalProperties=False,
        ),
        "pooling_enabled": boolean(
            "Join other endpoints with the same URL and binding in a load-balanced pool.", default=False
        ),
        "inspect": boolean("Record HTTP requests in the inspector. " + UNVERIFIED),
    },
    "required": ["name", "upstream"],
    "additionalProperties": False,
}


def v3_agent() -> dict:
    props = agent_settings_v2_common()
    props["connect_cas"] = scalar(ROOT_CAS_MD.replace("CAs used", "CAs (was `root_cas`) used"), default="trusted",
                                  examples=["trusted", "host"])
    props["connect_url"] = P(
        SERVER_ADDR_MD.replace("Address", "Connect URL (was `server_addr`)"),
        STR,
        pattern=PAT["hostport"],
        default="connect.ngrok-agent.com:443",
        examples=["connect.example.com:443"],
    )
    md = "Agent settings of a version 3 file (optional in practice; strict: no `region`, `root_cas`, `server_addr`)."
    return {
        "description": _plain(md),
        "markdownDescription": md,
        "type": OBJ,
        "properties": sourced(dict(sorted(props.items())), "v3", ("agent",), dep_format="v3", where="v3 agent"),
        "additionalProperties": False,
    }


# --------------------------------------------------------------------------------------------
# Roots
# --------------------------------------------------------------------------------------------
def legacy_root() -> dict:
    props = {
        "authtoken": AUTHTOKEN,
        "compress_conn": boolean("Hidden key of the 2.x agent (compress the session connection)."),
        "connect_timeout": CONNECT_TIMEOUT,
        "console_ui": console_ui(True),
        "console_ui_color": {**CONSOLE_UI_COLOR, "enum": ["black", "transparent", "", None]},  # "" = unset (2.3.41)
        "crash_report_url": scalar("Hidden key of the 2.x agent (crash report endpoint)."),
        "dns_resolver_ips": DNS_RESOLVER_IPS,
        "heartbeat_interval": HEARTBEAT_INTERVAL,
        "heartbeat_tolerance": HEARTBEAT_TOLERANCE,
        "http_proxy": P(
            "URL (`http://` or `https://`) of an HTTP proxy for the session. Not with `socks5_proxy`. "
            "Agent 3.x: `proxy_url`.",
            STR,
            pattern=or_empty(PAT["http_proxy"]),
        ),
        "inspect_db_size": INSPECT_DB_SIZE_LEGACY,
        "json_resolver_url": scalar("Hidden key of the 2.x agent."),
        "log": LOG,
        "log_format": LOG_FORMAT,
        "log_level": LOG_LEVEL,
        "metadata": METADATA_AGENT,
        "pprof_addr": P("Hidden key of the 2.x agent (profiling listener, `host:port`).", STR, pattern=PAT["hostport"]),
        "region": enum(
            "Region of the ngrok service: `us` (default), `eu`, `ap`, `au`, `sa`, `jp`, `in`. Not with `server_addr`.",
            ["us", "eu", "ap", "au", "sa", "jp", "in", ""],
            default="us",
        ),
        "remote_management": REMOTE_MANAGEMENT,
        "root_cas": scalar(ROOT_CAS_MD, default="trusted", examples=["trusted", "host"]),
        "server_addr": P(SERVER_ADDR_MD + " Not with `region`.", STR, pattern=or_empty(PAT["hostport"])),
        "server_sni": scalar("Hidden key of the 2.x agent (TLS server name for the session)."),
        "socks5_proxy": P(
            "URL (`socks5://`) of a SOCKS5 proxy for the session. Not with `http_proxy`. Agent 3.x: `proxy_url`.",
            STR,
            pattern=or_empty(PAT["socks5_proxy"]),
        ),
        "tunnels": P(
            "Tunnel definitions: a map of name → tunnel, started with `ngrok start NAME…` or `--all`.",
            OBJ,
            additionalProperties=ref("legacy_tunnel"),
        ),
        "update": boolean("Let the 2.x agent update itself (removed in agent 3.x)."),
        "update_channel": enum(
            "Release channel for updates: `stable` (default), `beta` or `testing`.",
            ["stable", "beta", "testing", ""],
            default="stable",
        ),
        "update_check": UPDATE_CHECK,
        "web_addr": web_addr(True),
    }
    return {
        "type": "object",
        "properties": sourced(props, "legacy", ("agent",), where="legacy"),
        "additionalProperties": False,
        "x-ngrok-lint-format": "legacy",
    }


def v2_root() -> dict:
    props = {
        "version": P(
            "Config file format: `2` (or `\"2\"`), read by agent 3.x. Required.",
            enum=[2, "2"],
            examples=[2, "2"],
        ),
        **agent_settings_v2_common(),
        "region": P(
            "Region: `us`, `eu`, `ap`, `au`, `sa`, `jp`, `in`, `us-cal-1` (`auto` is UNVERIFIED in the file).",
            enum=["us", "eu", "ap", "au", "sa", "jp", "in", "us-cal-1", "auto", None],
        ),
        "root_cas": scalar(ROOT_CAS_MD, default="trusted", examples=["trusted", "host"]),
        "server_addr": P(
            SERVER_ADDR_MD,
            STR,
            pattern=PAT["hostport"],
            default="connect.ngrok-agent.com:443",
            examples=["tunnel.us.ingress.example.com:443"],
        ),
        "tunnels": P(
            "Tunnel definitions: a map of name → tunnel, started with `ngrok start NAME…` or `--all`.",
            OBJ,
            additionalProperties=ref("v2_tunnel"),
        ),
    }
    version = props.pop("version")
    props = {"version": version, **dict(sorted(props.items()))}
    return {
        "type": "object",
        "properties": sourced(props, "v2", ("agent",), dep_format="v2", where="v2"),
        "required": ["version"],
        "additionalProperties": False,
        "x-ngrok-lint-format": "v2",
    }


def v3_root() -> dict:
    props = {
        "version": P(
            "Config file format: `3` (or `\"3\"`), read by agent 3.16+. Required.",
            enum=[3, "3"],
            examples=[3, "3"],
        ),
        "agent": P("Agent settings (optional in practice, although the docs call it required).",
                   allOf=[ref("v3_agent")]),
        "endpoints": P("Endpoint definitions, each started by `ngrok start NAME` or `--all`.", ARR,
                       items=ref("v3_endpoint")),
        "tunnels": P(
            "Tunnel definitions in v2 tunnel syntax (labeled tunnels are not supported).",
            OBJ,
            additionalProperties=ref("v3_tunnel"),
        ),
    }
    return {
        "type": "object",
        "properties": sourced(props, "v3", ("root",), dep_format="v3", where="v3"),
        "required": ["version"],
        "additionalProperties": False,
        "x-ngrok-lint-format": "v3",
    }


DEFINITIONS = {
    "legacy_tunnel": legacy_tunnel,
    "v2_tunnel": lambda: v2_tunnel("v2"),
    "v3_tunnel": lambda: v2_tunnel("v3"),
    "v3_agent": v3_agent,
    "v3_endpoint": lambda: {**V3_ENDPOINT, "properties": sourced(V3_ENDPOINT["properties"], "v3", ("endpoint",),
                                                                 where="v3 endpoint")},
    "traffic_policy": lambda: traffic_policy(tp_facts()),
    "tp_rule": lambda: TP_RULE,
    "tp_action": lambda: tp_action(tp_facts()),
}

# Editors show a definition's title in completion items and hovers (otherwise its internal name).
TITLES = {
    "legacy_tunnel": "ngrok tunnel (legacy 2.x)",
    "v2_tunnel": "ngrok tunnel (version 2)",
    "v3_tunnel": "ngrok tunnel (version 3, deprecated)",
    "v3_agent": "ngrok agent settings (version 3)",
    "v3_endpoint": "ngrok endpoint (version 3)",
    "traffic_policy": "Traffic Policy",
    "tp_rule": "Traffic Policy rule",
    "tp_action": "Traffic Policy action",
}

HEADERS = {
    "legacy": (
        "ngrok agent config, legacy 2.x format (no `version`)",
        "ngrok.yml as read by ngrok agent 2.x: no `version` key (agent 3.x refuses such a file). "
        "Unknown keys are reported although 2.x silently ignored them.",
    ),
    "v2": (
        "ngrok agent config, version 2",
        "ngrok.yml with `version: 2` (or \"2\"), read by ngrok agent 3.x: agent settings at the top "
        "level and `tunnels`.",
    ),
    "v3": (
        "ngrok agent config, version 3",
        "ngrok.yml with `version: 3` (or \"3\"), read by ngrok agent 3.16+: `agent` settings, "
        "`endpoints`, and deprecated `tunnels`.",
    ),
    "combined": (
        "ngrok agent config (ngrok.yml)",
        "ngrok agent configuration file, any format: picks the version 3, version 2 or legacy 2.x "
        "schema by the `version` key (absent: legacy).",
    ),
}

ROOTS = {"legacy": legacy_root, "v2": v2_root, "v3": v3_root}


def _refs(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/definitions/"):
                found.add(v.rsplit("/", 1)[1])
            else:
                found |= _refs(v)
    elif isinstance(node, list):
        for v in node:
            found |= _refs(v)
    return found


def _closure(node, defs: dict) -> dict:
    names: set[str] = set()
    todo = list(_refs(node))
    while todo:
        name = todo.pop()
        if name in names:
            continue
        names.add(name)
        todo.extend(_refs(defs[name]))
    return {name: defs[name] for name in defs if name in names}


def _header(key: str) -> dict:
    title, description = HEADERS[key]
    return {
        "$schema": DRAFT07,
        "$id": schema_url(FILES[key]),
        "title": title,
        "description": _plain(description),
        "markdownDescription": description,
    }


def build() -> dict[str, dict]:
    """Return {file name: schema} for the four schemas."""
    defs = {name: {"title": TITLES[name], **copy.deepcopy(make())} for name, make in DEFINITIONS.items()}
    out: dict[str, dict] = {}
    roots = {}
    for key, make_root in ROOTS.items():
        root = copy.deepcopy(make_root())
        roots[key] = root
        schema = {**_header(key), **root, "definitions": _closure(root, defs)}
        out[FILES[key]] = schema
    combined_defs = {f"{key}_root": copy.deepcopy(root) for key, root in roots.items()}
    for key in ROOTS:
        _, description = HEADERS[key]
        combined_defs[f"{key}_root"] = {
            "description": _plain(description),
            "markdownDescription": description,
            **combined_defs[f"{key}_root"],
        }
    combined_defs.update(defs)
    out[FILES["combined"]] = {
        **_header("combined"),
        "type": "object",
        "if": {"properties": {"version": {"enum": [3, "3"]}}, "required": ["version"]},
        "then": ref("v3_root"),
        "else": {
            "if": {"properties": {"version": {"enum": [2, "2"]}}, "required": ["version"]},
            "then": ref("v2_root"),
            "else": ref("legacy_root"),
        },
        "definitions": combined_defs,
    }
    return out


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, schema in build().items():
        path = HERE / name
        text = render(schema)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python schemas/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
