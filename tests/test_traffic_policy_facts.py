"""The Traffic Policy facts (`ngrok_lint/facts/traffic_policy.json`) and what the schemas make of them.

Every row names its docs page and commit; every documented action has a typed `config` in the
published schemas, with each documented field; an action is accepted in the phases its page (or
the actions overview) lists and refused in the others. The extractor is checked on small pages
written here, and against a real ngrok-docs checkout when `NGROK_DOCS` names one.
"""

from __future__ import annotations

import os
import re
import textwrap
from typing import Any, Dict, List

import pytest

from ngrok_lint import schema
from ngrok_lint.facts import traffic_policy_extract as extract
from ngrok_lint.loader import parse

FACTS = extract.load()
V3 = schema.load("v3")
ACTION_TYPES = [a["type"] for a in FACTS["actions"]]


def test_every_row_names_its_page_and_commit() -> None:
    assert re.fullmatch(r"[0-9a-f]{40}", FACTS["commit"])
    for table in ("phases", "actions", "variables", "macros"):
        assert FACTS[table], table
        for row in FACTS[table]:
            assert row["commit"] == FACTS["commit"], row
            assert row["doc"].endswith((".mdx", ".jsx")), row


def test_the_documented_actions_and_phases_are_all_there() -> None:
    # 28 action pages at the recorded commit; ai-gateway and saml have no configuration reference
    assert len(ACTION_TYPES) == len(set(ACTION_TYPES)) >= 28
    for name in ("add-headers", "sse-find-replace", "owasp-crs-request", "request-body-find-replace", "terminate-tls",
                 "ai-gateway", "saml"):
        assert name in ACTION_TYPES
    assert [p["name"] for p in FACTS["phases"]] == [
        "on_tcp_connect", "on_http_request", "on_http_response", "on_event_stream_message"
    ]


def _config_schema(action_type: str) -> Dict[str, Any]:
    for branch in V3["definitions"]["tp_action"]["allOf"]:
        cond = branch["if"]["properties"]["type"]
        if cond.get("const") == action_type or action_type in cond.get("enum", []):
            return branch["then"]["properties"]["config"]
    raise AssertionError(f"no config schema for {action_type}")


@pytest.mark.parametrize("action", FACTS["actions"], ids=lambda a: a["type"])
def test_every_documented_action_has_a_typed_config_with_every_documented_field(action: Dict[str, Any]) -> None:
    config = _config_schema(action["type"])
    assert set(f["name"] for f in action["fields"]) <= set(config.get("properties", {}))
    required = {f["name"] for f in action["fields"] if f["required"]}
    assert required <= set(config.get("required", []))


def _policy_doc(phase: str, action: Dict[str, Any]) -> str:
    url = "tls://a.example.com:443" if phase == "on_tcp_connect" and action == "terminate-tls" else "https://a.example.com"
    return textwrap.dedent(f"""\
        version: 3
        endpoints:
          - name: a
            url: {url}
            upstream: {{url: 8080}}
            traffic_policy:
              {phase}:
                - actions:
                    - type: {action}
        """)


def _phase_refusals(text: str) -> List[str]:
    doc = parse("p.yml", text)
    found, _ = schema.violations(doc)
    return [v.message for v in found if "is not an action of" in v.message]


@pytest.mark.parametrize("phase", [p["name"] for p in FACTS["phases"]])
def test_actions_are_accepted_in_their_phases_and_refused_elsewhere(phase: str) -> None:
    for action in FACTS["actions"]:
        # an action whose page names no phase (ai-gateway, saml) is accepted everywhere
        allowed = phase in action["phases"] or phase in action["hub_phases"] or not (action["phases"] or action["hub_phases"])
        refusals = _phase_refusals(_policy_doc(phase, action["type"]))
        if allowed:
            assert refusals == [], (phase, action["type"])
        else:
            assert len(refusals) == 1 and f"`{phase}`" in refusals[0], (phase, action["type"])


def test_the_deprecated_phase_names_follow_their_successors() -> None:
    assert _phase_refusals(_policy_doc("inbound", "deny")) == []
    assert len(_phase_refusals(_policy_doc("outbound", "deny"))) == 1


def test_an_undocumented_action_type_is_not_a_phase_error() -> None:
    # the catalogue may be behind ngrok: an unknown type is NGL010's warning, never a schema error
    assert _phase_refusals(_policy_doc("on_http_request", "brand-new-action")) == []


def _errors(policy: str) -> List[str]:
    text = "version: 3\nendpoints:\n  - name: a\n    url: https://a.example.com\n    upstream: {url: 8080}\n    traffic_policy:\n"
    text += textwrap.indent(textwrap.dedent(policy), "      ")
    found, _ = schema.violations(parse("p.yml", text))
    return [v.message for v in found]


def test_generated_configs_check_documented_types_and_required_fields() -> None:
    assert _errors("""\
        on_http_request:
          - actions:
              - type: redirect
                config: {from: /a}
        """) == ["endpoints[0].traffic_policy.on_http_request[0].actions[0].config: missing required key `to`"]
    [message] = _errors("""\
        on_http_request:
          - actions:
              - type: custom-response
                config: {status_code: teapot}
        """)
    assert "status_code" in message and "whole number" in message
    [message] = _errors("""\
        on_http_request:
          - actions:
              - type: http-request
                config: {url: "https://x.example.com", method: FETCH}
        """)
    assert "method" in message and "GET" in message
    assert _errors("""\
        on_http_response:
          - actions:
              - type: owasp-crs-response
                config: {on_error: halt, process_body: true, exclude_rule_ids: [920100]}
        """) == []


def test_restrict_ips_accepts_a_bare_address_as_ngroks_guides_write_it() -> None:
    assert _errors("""\
        on_tcp_connect:
          - actions:
              - type: restrict-ips
                config: {allow: ["198.51.100.42", "203.0.113.0/24"]}
        """) == []


# --- the extractor ----------------------------------------------------------------------------

ACTION_PAGE = """\
## Configuration reference

### Supported phases

`on_http_request`, `on_http_response`

### Type

`demo-action`

### Configuration fields

<ConfigField title="to" type="string" required={true} cel={true}>
  <p>Where.</p>
</ConfigField>

<ConfigField title="enforce" type="boolean" required={true}>
  Default true.
</ConfigField>

<ConfigField title="mode" type="enum">
  <ConfigEnum>
    <ConfigEnumOption>`fast` (default)</ConfigEnumOption>
    <ConfigEnumOption>`slow`</ConfigEnumOption>
  </ConfigEnum>
</ConfigField>

<ConfigField title="items" type="array of objects" required={true}>
  <ConfigChildren>
    <ConfigField title="from" type="string" required={true}></ConfigField>
  </ConfigChildren>
</ConfigField>

## Behavior

```yaml
<ConfigField title="not-a-field" type="string">
```
"""


def test_config_fields_are_read_with_types_flags_enums_and_children() -> None:
    fields = extract.config_fields(ACTION_PAGE)
    assert [f["name"] for f in fields] == ["to", "enforce", "mode", "items"]
    assert fields[0] == {"name": "to", "type": "string", "required": True, "cel": True}
    assert fields[1]["required"] is False and fields[1]["default"] is True  # "required" with a default
    assert fields[2]["enum"] == ["fast", "slow"]
    assert fields[3]["children"] == [{"name": "from", "type": "string", "required": True}]
    assert extract._phases_of(ACTION_PAGE) == ["on_http_request", "on_http_response"]
    assert extract._type_of(ACTION_PAGE) == "demo-action"


def test_variable_tables_and_macro_headings_are_read() -> None:
    table = (
        "| Name | Type | Description |\n| --- | --- | --- |\n"
        "| [`req.headers`](#reqheaders) | `map[string][]string` | The headers. |\n"
        "| `conn.client_ip` | `string` | The IP. |\n\n"
        "| Name | Description |\n| --- | --- |\n| `blocklist.x` | a category, not a variable |\n"
    )
    assert list(extract.table_variables(table)) == [("req.headers", "map[string][]string"), ("conn.client_ip", "string")]
    macros = "### `string.lower() -> string`\n\n### `hasReqHeader(string) -> bool`\n\n### `url.escape(string) -> string`\n"
    assert list(extract.macros(macros)) == [("string", "lower"), (None, "hasReqHeader"), ("url", "escape")]


def test_differences_name_each_changed_row() -> None:
    new = {**FACTS, "variables": FACTS["variables"][1:] + [{"name": "req.new", "type": "string", "doc": "x.mdx", "commit": "c"}]}
    lines = extract.differences(FACTS, new)
    assert f"variables: removed {FACTS['variables'][0]['name']} ({FACTS['variables'][0]['doc']})" in lines
    assert "variables: added req.new (x.mdx)" in lines
    assert extract.differences(FACTS, FACTS) == []


DOCS = os.environ.get("NGROK_DOCS", "")


@pytest.mark.skipif(not DOCS, reason="NGROK_DOCS does not name a checkout of ngrok-docs")
def test_the_recorded_facts_are_what_the_docs_say() -> None:
    docs = extract.Docs(DOCS)
    if docs.commit() != FACTS["commit"]:
        pytest.skip("the checkout is at another commit: run the extractor to see what changed")
    assert extract.differences(FACTS, extract.extract(docs)) == []
