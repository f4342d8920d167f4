"""What kind of file this is, beyond its YAML: an ngrok agent config at all, a template, a file that
runs inside a container, and what a Docker Compose file beside it publishes.

- :func:`foreign` decides from the parsed content whether a file is an ngrok agent config. A file
  named on the command line is linted whatever its name, so a Compose file, a GitHub workflow or a
  Kubernetes manifest given by mistake must be recognised and skipped, not reported as a broken
  legacy ngrok file (and never "fixed" by prepending `version: "2"`). A mapping is an ngrok config
  when one of its top-level keys is a key an ngrok config has at the top level (any format), or when
  at least half of them are near misses of such keys (`tunnel:`, `web_adr:`: a broken ngrok file).
- :func:`is_template` says whether a file is a template rendered before the agent reads it.
- :func:`container_context` and :func:`compose_files` say whether the file is used inside a
  container, and which Compose files beside it say how.

The checks that look beside the file read at most a few small files from its folder and the
folders above it; they run only for the findings that ask.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

# Every key an ngrok agent config has at its top level, in any format: legacy 2.x and config
# version 2 (the agent settings), version 3 (`agent`, `endpoints`, deprecated `tunnels`), and
# ngrok 1.x (`inspect_addr`, `trust_host_root_certs`, `auth_token`). Source: the JSON Schemas in
# schemas/ (a test keeps this set a superset of their top-level properties) and the reference.
NGROK_TOP_KEYS = frozenset({
    "agent", "api_key", "authtoken", "compress_conn", "connect_interface", "connect_timeout", "console_ui",
    "console_ui_color", "crash_report_url", "crl_noverify", "crl_url", "dns_resolver_ips", "endpoints",
    "heartbeat_interval", "heartbeat_tolerance", "http_proxy", "inspect_db_size", "json_resolver_url",
    "local_storage", "log", "log_format", "log_level", "metadata", "pprof_addr", "proxy_url", "region",
    "remote_management", "root_cas", "server_addr", "server_sni", "socks5_proxy", "tunnels", "update",
    "update_channel", "update_check", "web_addr", "web_allow_hosts", "connect_url", "connect_cas",
    "auth_token", "inspect_addr", "trust_host_root_certs",
})
# `version` is everyone's key (Compose files have one too): it is no evidence either way. These
# ngrok keys are common words other formats use at their top level too.
_NEUTRAL = frozenset({"version"})
_SHARED = frozenset({"metadata", "log", "update", "region"})

# Top-level keys by which other well-known YAML files are recognised, for the skip message.
_KINDS: Tuple[Tuple[Tuple[str, ...], str], ...] = (
    (("services",), "a Docker Compose file"),
    (("jobs",), "a GitHub Actions workflow"),
    (("apiVersion", "kind"), "a Kubernetes manifest"),
    (("hosts",), "an Ansible playbook"),
    (("stages",), "a CI pipeline"),
    (("ingress", "credentials-file"), "a cloudflared config"),
)


def _norm(key: str) -> str:
    return re.sub(r"[-_.\s]", "", key.lower())


_NORMALISED = {_norm(k): k for k in NGROK_TOP_KEYS}


def _near_miss(key: str) -> bool:
    normal = _norm(key)
    if normal in _NORMALISED:
        return True
    import difflib  # only for keys that are not ngrok's: off the path of a normal file

    return bool(difflib.get_close_matches(normal, list(_NORMALISED), n=1, cutoff=0.8))


def foreign(data: Any) -> Optional[str]:
    """None for an ngrok agent config (or content too small to tell); otherwise what the file
    looks like instead ("a Docker Compose file"), for a one-line skip message."""
    if isinstance(data, list):
        items = [item for item in data if isinstance(item, dict)]
        if items and len(items) == len(data) and all(foreign(item) for item in items):
            return _describe(items[0], "a YAML list")
        return None
    if not isinstance(data, dict):
        return None
    keys = [str(k) if not isinstance(k, bool) else ("on" if k else "off") for k in data]
    evidence = [k for k in keys if k not in _NEUTRAL]
    if not evidence:
        return None
    ngrok_keys = [k for k in evidence if k in NGROK_TOP_KEYS]
    kind = _describe(data, "")
    if kind and all(k in _SHARED for k in ngrok_keys):
        return kind  # `metadata:` in a Kubernetes manifest is its own key, not the agent's
    if ngrok_keys:
        return None
    if sum(1 for k in evidence if _near_miss(k)) * 2 >= len(evidence):
        return None
    if str(data.get("version")).strip() in ("2", "3") and not kind:
        return None  # an ngrok config version and no sign of another kind of file
    return kind or _describe(data, "YAML")


def _describe(data: Dict[Any, Any], default: str) -> str:
    keys = {str(k) for k in data}
    if True in data and "jobs" in keys:  # `on:` is the boolean true in YAML 1.1
        return "a GitHub Actions workflow"
    for signature, kind in _KINDS:
        if all(k in keys for k in signature):
            return kind
    if not default:
        return ""
    shown = ", ".join(f"`{k}`" for k in list(data)[:3])
    return f"{default} with top-level keys {shown}"


def foreign_documents(text: str) -> Optional[str]:
    """For a file of several YAML documents (which the agent cannot read at all): what it is when
    every document is foreign (a multi-document Kubernetes manifest), else None. Only the
    top-level keys are read from the composed nodes, so aliases are never expanded."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    kinds: List[str] = []
    try:
        for node in yaml.compose_all(text, Loader=loader):
            if node is None:
                continue
            if not isinstance(node, yaml.MappingNode):
                return None
            keys = {k.value: None for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
            kind = foreign(keys)
            if kind is None:
                return None
            kinds.append(kind)
    except (yaml.YAMLError, RecursionError):
        return None
    return kinds[0] if kinds else None


# --- templates -------------------------------------------------------------------------------

# Name parts that mark a template or a sample: `ngrok.yml.template`, `ngrok.tmpl.yml`,
# `ngrok.yml.dist`, `ngrok.example.yml`, `ngrok.yml.sample`.
TEMPLATE_PARTS = frozenset({"template", "tmpl", "tpl", "dist", "example", "sample"})
_SCRIPT_NAMES = re.compile(r"(?i)^(dockerfile.*|.*\.(sh|bash|ps1)|(docker-)?compose.*\.ya?ml|makefile|entrypoint.*|.*\.env)$")
_MAX_NEIGHBOUR_BYTES = 256 * 1024


def is_template(path: str, text: str = "", base_dir: Optional[str] = None) -> Optional[str]:
    """Why `path` is a template rendered before the agent reads it, or None: its name
    (`*.template`, `*.tmpl`, `*.dist`, `*.example`, `*.sample`, in any position of the name), a
    mention of envsubst in the file itself, or a script, Dockerfile or Compose file in its folder
    or the one above that runs envsubst on a file of this name."""
    name = os.path.basename(path)
    parts = {p.lower() for p in name.split(".")[1:]} | {p.lower() for p in re.split(r"[-_.]", name)}
    hit = sorted(parts & TEMPLATE_PARTS)
    if hit:
        return f"its name marks it as a template (`.{hit[0]}`)"
    if "envsubst" in text:
        return "it says it is rendered by envsubst"
    if base_dir is None:
        return None
    script = _envsubst_beside(os.path.abspath(base_dir), name)
    return f"`{script}` renders it with envsubst" if script else None


@lru_cache(maxsize=256)
def _envsubst_beside(folder: str, name: str) -> Optional[str]:
    for where in (folder, os.path.dirname(folder)):
        for entry in _listdir(where):
            if not _SCRIPT_NAMES.match(entry):
                continue
            text = _read_small(os.path.join(where, entry))
            if text and "envsubst" in text and name in text:
                return entry
    return None


def _listdir(folder: str) -> List[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return []


def _read_small(path: str) -> Optional[str]:
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > _MAX_NEIGHBOUR_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None


# --- containers ----------------------------------------------------------------------------------

_COMPOSE = re.compile(r"(?i)^(docker-)?compose([-.][^/]*)?\.ya?ml$")
_DOCKERFILE = re.compile(r"(?i)^(dockerfile([-.].*)?|.*\.dockerfile)$")


def container_context(path: str, base_dir: Optional[str]) -> Optional[str]:
    """Why the file looks like it is used inside a container, or None: a folder of its path named
    `docker`, or a Dockerfile or Compose file in its folder or the one above."""
    parts = [p.lower() for p in re.split(r"[\\/]", os.path.dirname(path)) if p]
    if "docker" in parts or ".docker" in parts:
        return "it sits in a `docker/` folder"
    if base_dir is None:
        return None
    folder = os.path.abspath(base_dir)
    for where, label in ((folder, "beside it"), (os.path.dirname(folder), "in the folder above")):
        for entry in _listdir(where):
            if _DOCKERFILE.match(entry) or _COMPOSE.match(entry):
                return f"`{entry}` is {label}"
    return None


def compose_files(base_dir: Optional[str], levels: int = 3) -> List[str]:
    """Compose files in the file's folder and up to `levels - 1` folders above it, nearest first."""
    if base_dir is None:
        return []
    found: List[str] = []
    folder = os.path.abspath(base_dir)
    for _ in range(levels):
        found.extend(os.path.join(folder, e) for e in _listdir(folder) if _COMPOSE.match(e))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


@lru_cache(maxsize=64)
def load_compose(path: str) -> Optional[Dict[str, Any]]:
    """A Compose file's data, or None when it cannot be read as a mapping."""
    text = _read_small(path)
    if text is None:
        return None
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except (yaml.YAMLError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def published_port(base_dir: Optional[str], port: int) -> Optional[Tuple[str, str, bool]]:
    """How a Compose file beside the config publishes container port `port` of an ngrok service
    (a service whose name, image or build mentions ngrok): (file, mapping, every interface?), or
    None when no such mapping is found."""
    for path in compose_files(base_dir):
        data = load_compose(path)
        services = data.get("services") if data else None
        if not isinstance(services, dict):
            continue
        for name, service in services.items():
            if not isinstance(service, dict) or "ngrok" not in f"{name} {service.get('image')} {service.get('build')}".lower():
                continue
            for mapping in service.get("ports") or []:
                parsed = _port_mapping(mapping)
                if parsed is not None and parsed[1] == port:
                    return path, str(mapping if not isinstance(mapping, dict) else parsed[2]), parsed[0] in ("", "0.0.0.0", "::")
    return None


def _port_mapping(mapping: Any) -> Optional[Tuple[str, int, str]]:
    """(host ip, container port, as written) of one Compose `ports` entry."""
    if isinstance(mapping, dict):
        target = mapping.get("target")
        host_ip = str(mapping.get("host_ip") or "")
        try:
            return host_ip, int(str(target)), f"{host_ip + ':' if host_ip else ''}{mapping.get('published', '')}:{target}"
        except (TypeError, ValueError):
            return None
    text = str(mapping).split("/", 1)[0].strip()
    host_ip = ""
    if text.startswith("["):  # [::1]:4040:4040
        close = text.find("]")
        host_ip, text = text[1:close], text[close + 2:]
    parts = text.split(":")
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    try:
        return host_ip, int(parts[-1].split("-")[0]), text
    except ValueError:
        return None


def compose_subnets(base_dir: Optional[str]) -> List[str]:
    """The subnets (and gateways) of the networks declared by Compose files beside the config, and
    the /24 around a service's static `ipv4_address`: addresses there are containers or the
    gateway on the same Docker host."""
    found: List[str] = []
    for path in compose_files(base_dir):
        data = load_compose(path)
        services = data.get("services") if data else None
        for service in services.values() if isinstance(services, dict) else []:
            attached = service.get("networks") if isinstance(service, dict) else None
            for network in attached.values() if isinstance(attached, dict) else []:
                # A static address on a network whose subnet is declared elsewhere (`external`):
                # its /24 is that Docker network, the gateway included.
                if isinstance(network, dict) and network.get("ipv4_address"):
                    found.append(f"{network['ipv4_address']}/24")
        networks = data.get("networks") if data else None
        if not isinstance(networks, dict):
            continue
        for network in networks.values():
            ipam = network.get("ipam") if isinstance(network, dict) else None
            configs = ipam.get("config") if isinstance(ipam, dict) else None
            for config in configs if isinstance(configs, list) else []:
                if isinstance(config, dict):
                    found.extend(str(config[k]) for k in ("subnet", "gateway") if config.get(k))
    return found
