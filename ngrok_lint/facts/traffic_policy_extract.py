"""Traffic Policy facts read out of a checkout of ngrok's documentation (the ngrok-docs repository).

    python -m ngrok_lint.facts.traffic_policy_extract DOCS             # what changed since the recorded commit
    python -m ngrok_lint.facts.traffic_policy_extract DOCS --write     # re-record the facts from DOCS
                                                                       # (and the docs' examples, test data)

``DOCS`` is a work tree of ngrok-docs or its git directory (pages are then read from ``HEAD``). The
facts land in ``traffic_policy.json`` beside this module, every row with the page it comes from
(``doc``) and the docs commit (``commit``):

* ``phases``: the phase names (`traffic-policy/how-it-works.mdx`; `on_event_stream_message` only on
  the `sse-find-replace` page);
* ``actions``: every documented action type, the phases its page lists (``phases``) and those the
  actions overview lists (``hub_phases``; the two disagree for `compress-response`), and its
  configuration fields (name, documented type, required, enum values);
* ``variables``: every variable of the variable reference tables and the action-result variables;
* ``macros``: the functions and methods of the macro reference.

Only names, types and flags are kept, never prose. Used by the schema generator
(``schemas/build.py``), by NGL010 and by the tests; never on the lint path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
FACTS = os.path.join(HERE, "traffic_policy.json")

ACTIONS_DIR = "traffic-policy/actions/"
HUB = "snippets/ActionHub.jsx"
HOW = "traffic-policy/how-it-works.mdx"
MACROS = "traffic-policy/macros/index.mdx"
VARIABLE_PAGES = (
    "snippets/traffic-policy/variables/conn.mdx",
    "snippets/traffic-policy/variables/conn-tcptls.mdx",
    "snippets/traffic-policy/variables/conn.geo.mdx",
    "snippets/traffic-policy/variables/conn.ip-intel.mdx",
    "snippets/traffic-policy/variables/conn.k8s.mdx",
    "snippets/traffic-policy/variables/conn.tls.mdx",
    "snippets/traffic-policy/variables/endpoint.mdx",
    "snippets/traffic-policy/variables/req.mdx",
    "snippets/traffic-policy/variables/res.mdx",
    "snippets/traffic-policy/variables/time.mdx",
)
#: The names a variable starts with (the action-variable snippets also list fields of nested
#: objects by their relative names, `error.code`; those are not variables on their own).
ROOTS = ("conn", "req", "res", "endpoint", "time", "actions")
#: Receivers of method macros in the macro reference (`string.lower()` is called as `'A'.lower()`).
METHOD_RECEIVERS = ("string", "list", "map", "ts", "bytes")


class Docs:
    """Pages of a docs checkout: a work tree, or a git directory read at HEAD."""

    def __init__(self, path: str) -> None:
        self.path = path
        bare = os.path.isfile(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))
        self.git_dir: Optional[str] = path if bare else (os.path.join(path, ".git") if os.path.exists(os.path.join(path, ".git")) else None)
        self.bare = bare

    def _git(self, *args: str) -> Optional[str]:
        if self.git_dir is None:
            return None
        done = subprocess.run(["git", "--git-dir", self.git_dir, *args], capture_output=True, text=True, timeout=60)
        return done.stdout if done.returncode == 0 else None

    def commit(self) -> str:
        out = self._git("rev-parse", "HEAD")
        return out.strip() if out else "unknown"

    def read(self, page: str) -> Optional[str]:
        if self.bare:
            return self._git("show", f"HEAD:{page}")
        try:
            with open(os.path.join(self.path, page), encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            return None

    def pages(self, folder: str) -> List[str]:
        if self.bare:
            out = self._git("ls-tree", "--name-only", "HEAD", folder) or ""
            return sorted(line for line in out.splitlines() if line.endswith(".mdx"))
        full = os.path.join(self.path, folder)
        return sorted(folder + name for name in os.listdir(full) if name.endswith(".mdx")) if os.path.isdir(full) else []


# --- reading pages ----------------------------------------------------------------------------

_FIELD_TAG = re.compile(r"<(/?)ConfigField\b([^>]*)>|<ConfigEnumOption\b[^>]*>(.*?)</ConfigEnumOption>", re.S)
_ATTR = re.compile(r'(\w+)=(?:(")([^"]*)"|\{([^}]*)\})')
_CODE = re.compile(r"`([^`]+)`")


def _without_code_blocks(text: str) -> str:
    return re.sub(r"^\s*```.*?^\s*```", "", text, flags=re.S | re.M)


def _section(text: str, heading: str) -> str:
    """The body under the first `#…` heading whose title starts with `heading`, to the next heading."""
    match = re.search(rf"^#+\s+{re.escape(heading)}[^\n]*\n(.*?)(?=^#|\Z)", text, re.S | re.M)
    return match.group(1) if match else ""


def config_fields(text: str) -> List[Dict[str, Any]]:
    """The top-level `<ConfigField>`s of an action page's configuration section, nested ones as children."""
    body = text.split("## Configuration fields", 1)[-1] if "## Configuration fields" in text else text
    body = _without_code_blocks(re.split(r"^## (?!#)", body, flags=re.M)[0] if "## Configuration fields" in text else body)
    stack: List[Dict[str, Any]] = [{"children": []}]
    for match in _FIELD_TAG.finditer(body):
        closing, attrs, option = match.groups()
        if option is not None:
            if len(stack) > 1:
                values = _CODE.findall(option)
                stack[-1].setdefault("options", []).append(values[0] if values else option.strip())
            continue
        if closing:
            if len(stack) > 1:
                field = stack.pop()
                if re.search(r"\bdefault", body[field.pop("start"):match.start()], re.I):
                    field["default"] = True  # "required" with a default: the docs mean "always in effect"
                stack[-1]["children"].append(field)
            continue
        found = {k: (a if q else b) for k, q, a, b in _ATTR.findall(attrs)}
        stack.append({
            "name": found.get("title", ""),
            "type": found.get("type", ""),
            "required": found.get("required", "false").strip() == "true",
            "cel": found.get("cel", "false").strip() == "true",
            "default": "defaultValue" in found,
            "children": [],
            "start": match.end(),
        })
    fields: List[Dict[str, Any]] = []
    seen = set()
    for field in stack[0]["children"]:
        if field["name"] in seen:  # deny documents its fields once per phase tab
            continue
        seen.add(field["name"])
        fields.append(_clean(field))
    return fields


def _clean(field: Dict[str, Any]) -> Dict[str, Any]:
    # A field marked required that also names a default (restrict-ips `enforce`, circuit-breaker
    # `error_threshold`) can be left out: it is recorded as not required, with the default noted.
    required = field["required"] and not field.get("default")
    out: Dict[str, Any] = {"name": field["name"], "type": field["type"], "required": required}
    if field.get("default"):
        out["default"] = True
    if field.get("cel"):
        out["cel"] = True
    if field["type"] == "enum" and field.get("options"):
        out["enum"] = field["options"]
    if field["children"]:
        out["children"] = [_clean(c) for c in field["children"]]
    return out


def _phases_of(text: str) -> List[str]:
    for heading in ("Supported phases", "Supported directions"):
        body = _section(text, heading)
        if body:
            return [p for p in _CODE.findall(body) if p.startswith("on_")]
    return []


def _type_of(text: str) -> Optional[str]:
    for heading in ("Type", "Action type"):
        body = _section(text, heading)
        names = _CODE.findall(body)
        if names:
            return names[0]
    return None


def hub_phases(text: str) -> Dict[str, List[str]]:
    """The actions overview's own list: type -> phases."""
    found: Dict[str, List[str]] = {}
    for match in re.finditer(r'type:\s*"([^"]+)",.*?phases:\s*\[([^\]]*)\]', text, re.S):
        found[match.group(1)] = re.findall(r'"([^"]+)"', match.group(2))
    return found


def table_variables(text: str) -> Iterator[Tuple[str, str]]:
    """(name, type) of every row of a `| Name | Type | …` table."""
    in_table = False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:
            in_table = len(cells) >= 2 and cells[0].lower() == "name" and cells[1].lower() == "type"
            continue
        names = _CODE.findall(cells[0])
        types = _CODE.findall(cells[1]) if len(cells) > 1 else []
        if names and re.match(r"^[a-z_][\w.\[\]]*$", names[0]):
            yield names[0], types[0] if types else cells[1]


def field_variables(text: str) -> Iterator[Tuple[str, str]]:
    """(name, type) of every `<ConfigField title="actions.ngrok…">` of an action-variables snippet."""
    for match in re.finditer(r'<ConfigField\s+title="([^"]+)"\s+type="([^"]*)"', text):
        if re.match(r"^[a-z_][\w.\[\]]*$", match.group(1)):
            yield match.group(1), match.group(2)


_MACRO = re.compile(r"^###\s+`(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)\(", re.M)


def macros(text: str) -> Iterator[Tuple[Optional[str], str]]:
    """(receiver or namespace, name) of every macro heading."""
    for match in _MACRO.finditer(text):
        yield match.group(1), match.group(2)


# --- the facts --------------------------------------------------------------------------------


def extract(docs: Docs) -> Dict[str, Any]:
    commit = docs.commit()

    def row(doc: str, **values: Any) -> Dict[str, Any]:
        return {**values, "doc": doc, "commit": commit}

    how = docs.read(HOW) or ""
    phases = [row(HOW, name=p) for p in dict.fromkeys(re.findall(r"^###\s+`(on_\w+)`", how, re.M))]
    hub = hub_phases(docs.read(HUB) or "")
    actions: List[Dict[str, Any]] = []
    for page in docs.pages(ACTIONS_DIR):
        text = docs.read(page) or ""
        action_type = _type_of(text)
        if action_type is None:
            # A page without a configuration reference (ai-gateway, saml "coming soon"): the type is
            # known by its page name, with no phases or fields (never refused, never typed).
            if page.endswith("/index.mdx") or not text.strip():
                continue
            action_type = page.rsplit("/", 1)[1][: -len(".mdx")]
        own = _phases_of(text)
        hub_types = [t for t in hub if t == action_type or (action_type == "openid-connect" and t == "oidc")]
        actions.append(row(
            page, type=action_type, phases=own, hub_phases=hub.get(hub_types[0], []) if hub_types else [],
            fields=config_fields(text),
        ))
        for phase in own:
            if phase not in {p["name"] for p in phases}:
                phases.append(row(page, name=phase))
    variables: List[Dict[str, Any]] = []
    seen = set()
    for page in VARIABLE_PAGES:
        for name, kind in table_variables(docs.read(page) or ""):
            if name not in seen and name.split(".", 1)[0] in ROOTS:
                seen.add(name)
                variables.append(row(page, name=name, type=kind))
    action_var_pages = sorted(
        p for p in _all_pages(docs, "snippets/traffic-policy/actions/") if p.endswith("/variables.mdx")
    )
    for page in action_var_pages:
        text = docs.read(page) or ""
        for name, kind in list(table_variables(text)) + list(field_variables(text)):
            if name not in seen and name.startswith("actions."):
                seen.add(name)
                variables.append(row(page, name=name, type=kind))
    macro_rows = []
    seen_macros = set()
    for receiver, name in macros(docs.read(MACROS) or ""):
        if (receiver, name) in seen_macros:
            continue
        seen_macros.add((receiver, name))
        kind = "function" if receiver is None else "method" if receiver in METHOD_RECEIVERS else "namespace"
        macro_rows.append(row(MACROS, name=name, kind=kind, receiver=receiver))
    return {
        "source": "github.com/ngrok/ngrok-docs",
        "commit": commit,
        "phases": phases,
        "actions": actions,
        "variables": variables,
        "macros": macro_rows,
    }


def _all_pages(docs: Docs, folder: str) -> List[str]:
    if docs.bare:
        out = docs._git("ls-tree", "-r", "--name-only", "HEAD", folder) or ""
        return [line for line in out.splitlines() if line.endswith(".mdx")]
    found = []
    for base, _, names in os.walk(os.path.join(docs.path, folder)):
        for name in names:
            if name.endswith(".mdx"):
                found.append(os.path.relpath(os.path.join(base, name), docs.path).replace(os.sep, "/"))
    return found


# --- the docs' own examples (test data) ---------------------------------------------------------

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tests", "data", "docs_traffic_policy_examples.json")
_FENCE_OPEN = re.compile(r"^([ \t]*)```(yaml|yml|json)\b[^\n]*$")
_FENCE_CLOSE = re.compile(r"^[ \t]*```[ \t]*$")
PHASE_KEYS = ("on_tcp_connect", "on_http_request", "on_http_response", "on_event_stream_message", "inbound", "outbound")


def code_blocks(text: str) -> Iterator[Tuple[int, str, str]]:
    """(1-based line of the first body line, language, body dedented by the fence's indent)."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        opened = _FENCE_OPEN.match(lines[index])
        if not opened:
            index += 1
            continue
        indent, lang = opened.group(1), opened.group(2)
        body: List[str] = []
        index += 1
        first = index + 1
        while index < len(lines) and not _FENCE_CLOSE.match(lines[index]):
            line = lines[index]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            index += 1
        index += 1
        yield first, "json" if lang == "json" else "yaml", "\n".join(body) + "\n"


def example_kind(data: Any) -> Optional[str]:
    """`policy` (a bare Traffic Policy), `config` (an agent config file), `expressions` (a rule's
    expression list alone, as the variable and macro pages show them) or None (another fragment)."""
    if not isinstance(data, dict):
        return None
    if "version" in data and ("endpoints" in data or "tunnels" in data or "agent" in data):
        return "config"
    if any(key in data for key in PHASE_KEYS) and all(isinstance(k, str) for k in data):
        return "policy"
    expressions = data.get("expressions")
    if set(data) == {"expressions"} and isinstance(expressions, list) and all(isinstance(e, str) for e in expressions):
        return "expressions"
    return None


def examples(docs: Docs) -> Dict[str, Any]:
    """Every YAML/JSON code block of the traffic-policy pages and their snippets that is a whole
    Traffic Policy, an agent config or a rule's `expressions` list; other fragments are only counted."""
    import yaml

    commit = docs.commit()
    rows: List[Dict[str, Any]] = []
    skipped = {"fragment": 0, "not YAML": 0}
    pages = sorted(set(_all_pages(docs, "traffic-policy/")) | set(_all_pages(docs, "snippets/traffic-policy/")))
    for page in pages:
        for line, lang, body in code_blocks(docs.read(page) or ""):
            try:
                data = yaml.safe_load(body)
            except yaml.YAMLError:
                skipped["not YAML"] += 1
                continue
            kind = example_kind(data)
            if kind is None:
                skipped["fragment"] += 1
                continue
            rows.append({"doc": page, "commit": commit, "line": line, "lang": lang, "kind": kind, "text": body})
    return {"source": "github.com/ngrok/ngrok-docs", "commit": commit, "skipped": skipped, "examples": rows}


def load() -> Dict[str, Any]:
    with open(FACTS, encoding="utf-8") as handle:
        data: Dict[str, Any] = json.load(handle)
    return data


def render(facts: Dict[str, Any]) -> str:
    return json.dumps(facts, indent=1, ensure_ascii=False) + "\n"


def differences(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
    """What changed between two fact sets, one line per row added, removed or changed (commits ignored)."""
    lines: List[str] = []
    for table, key in (("phases", "name"), ("actions", "type"), ("variables", "name"), ("macros", "name")):
        def index(facts: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
            out = {}
            for item in facts.get(table, []):
                ident = f"{item.get('receiver') or ''}.{item[key]}" if table == "macros" else item[key]
                out[ident] = {k: v for k, v in item.items() if k != "commit"}
            return out

        before, after = index(old), index(new)
        for ident in sorted(set(before) | set(after)):
            if ident not in after:
                lines.append(f"{table}: removed {ident} ({before[ident]['doc']})")
            elif ident not in before:
                lines.append(f"{table}: added {ident} ({after[ident]['doc']})")
            elif before[ident] != after[ident]:
                lines.append(f"{table}: changed {ident} ({after[ident]['doc']})")
    return lines


def main(argv: List[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        print("usage: python -m ngrok_lint.facts.traffic_policy_extract DOCS_CHECKOUT [--write]", file=sys.stderr)
        return 2
    docs = Docs(args[0])
    if docs.read(HOW) is None:
        print(f"{args[0]}: not a checkout of ngrok-docs ({HOW} not found)", file=sys.stderr)
        return 2
    new = extract(docs)
    if "--write" in argv:
        with open(FACTS, "w", encoding="utf-8") as handle:
            handle.write(render(new))
        with open(EXAMPLES, "w", encoding="utf-8") as handle:
            handle.write(render(examples(docs)))
        return 0
    old = load()
    changes = differences(old, new)
    print(f"recorded: {old.get('commit')}  docs: {new['commit']}")
    for line in changes:
        print(line)
    if not changes:
        print("no Traffic Policy fact changed")
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
