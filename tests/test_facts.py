"""The facts data (ngrok_lint/facts/*.json) and the schemas generated from it.

Every row names its source (a page of ngrok/ngrok-docs and the commit it was read at, or the 2.x
agent for the legacy format); schemas/build.py refuses to build when the properties it writes and
the keys of the data disagree, and stamps each property with its source.
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from ngrok_lint import facts

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
DATA = ("keys", "deprecations", "changelog", "url_rules")
COMMIT = re.compile(r"^[0-9a-f]{40}$")


def _build():
    spec = importlib.util.spec_from_file_location("ngrok_schema_build", SCHEMAS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", DATA)
def test_every_row_names_its_source(name):
    data = facts.load(name)
    assert COMMIT.match(data["commit"]) and data["docs"] == "ngrok/ngrok-docs"
    for row in data["rows"]:
        source = row["source"]
        assert source, row
        if source.endswith(".mdx"):
            assert row["commit"] == data["commit"], row  # read at the recorded docs commit
        else:  # the 2.x agent, or the agent's own issue tracker
            assert source.startswith(("agent 2.3.41", "github.com/ngrok/")), row


def test_package_ships_the_facts():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"ngrok_lint.facts"' in text and '"ngrok_lint.facts" = ["*.json"]' in text


def _properties_outside_traffic_policy(schema):
    """(where, name, property) of every agent, tunnel and endpoint property of a schema."""
    defs = schema.get("definitions", {})
    blocks = [("root", schema.get("properties", {}))]
    for name in ("legacy_tunnel", "v2_tunnel", "v3_tunnel", "v3_agent", "v3_endpoint"):
        if name in defs:
            blocks.append((name, defs[name]["properties"]))
    for where, props in blocks:
        for key, prop in props.items():
            yield where, key, prop
            for sub, sub_prop in (prop.get("properties") or {}).items():
                if key != "traffic_policy":
                    yield f"{where}.{key}", sub, sub_prop


@pytest.mark.parametrize("name", ["legacy", "v2", "v3"])
def test_every_schema_property_has_a_source(name):
    schema = json.loads((SCHEMAS / f"ngrok-agent-{name}.schema.json").read_text(encoding="utf-8"))
    missing = [f"{where}.{key}" for where, key, prop in _properties_outside_traffic_policy(schema)
               if "x-ngrok-source" not in prop]
    assert not missing


def test_deprecated_schema_properties_come_from_the_table():
    schema = json.loads((SCHEMAS / "ngrok-agent-v2.schema.json").read_text(encoding="utf-8"))
    tunnel = schema["definitions"]["v2_tunnel"]["properties"]
    deprecated = {key for key, prop in tunnel.items() if prop.get("deprecated")}
    assert {"hostname", "subdomain", "basic_auth", "policy", "terminate_at", "labels"} <= deprecated
    # deprecated on http tunnels only: not marked deprecated as a whole, but said so
    for key in ("ip_restriction", "mutual_tls_cas"):
        assert key not in deprecated
        assert tunnel[key]["markdownDescription"].startswith("**Deprecated** on http tunnels")
    for key in deprecated:
        assert tunnel[key]["x-ngrok-deprecated-by"].startswith(("agent/", "snippets/"))


def test_deprecation_rows_name_keys_the_key_table_has():
    keys = {(row["format"], row["context"], row["key"]) for row in facts.load("keys")["rows"]}
    for row in facts.load("deprecations")["rows"]:
        if row["context"] == "traffic_policy":
            continue  # Traffic Policy phases: not a key table of this folder
        fmt = "v2" if row["context"].startswith("tunnel") or row["context"] == "agent" else "v3"
        assert (fmt, row["context"], row["key"]) in keys, row


def test_deprecations_are_per_context():
    assert facts.deprecation("v2", "tunnel.http", "ip_restriction") is not None
    assert facts.deprecation("v2", "tunnel.tcp", "ip_restriction") is None
    assert facts.deprecation("v2", "tunnel.tls", "mutual_tls_cas") is None
    not_deprecated = {(r["context"], r["key"]) for r in facts.load("deprecations")["not_deprecated"]}
    assert ("tunnel.tcp", "ip_restriction") in not_deprecated


def test_build_refuses_keys_the_data_lacks():
    build = _build()
    props = build.agent_settings_v2_common()
    props["made_up_key"] = build.scalar("Not a key of the agent.")
    with pytest.raises(SystemExit, match="made_up_key"):
        build.sourced(props, "v3", ("agent",))


def test_build_refuses_a_documented_key_it_does_not_write():
    build = _build()
    props = build.agent_settings_v2_common()
    del props["web_allow_hosts"]
    with pytest.raises(SystemExit, match="web_allow_hosts"):
        build.sourced(props, "v2", ("agent",))


def test_build_refuses_a_type_the_data_contradicts():
    build = _build()
    with pytest.raises(SystemExit, match="boolean"):
        build._check_type({"type": ["array", "null"]}, "boolean", "x")


def test_changelog_only_settings_are_notes_not_errors():
    from ngrok_lint.config import settings_from_table
    from ngrok_lint.engine import analyze

    text = (
        'version: "3"\nagent:\n  crl_url: https://crl.example.com/x.crl\n  tcp_keepalive: 30s\n'
        "  tls_min_version: '1.2'\n  keepalive_tpyo: 1\n  made_up: 1\n"
    )
    analysis = analyze("ngrok.yml", text.encode(), settings_from_table({}, "/nonexistent/ngrok-lint.toml"), None)
    by_key = {f.path[-1]: f for f in analysis.findings if f.code == "NGL002"}
    for key, version in (("crl_url", "3.39.7"), ("tcp_keepalive", "3.21.0"), ("tls_min_version", "3.24.0"),
                         ("keepalive_tpyo", "3.21.0")):
        assert by_key[key].severity.name == "INFO" and version in by_key[key].message, key
    assert by_key["made_up"].severity.name == "ERROR"  # a name no changelog entry announces stays an error
