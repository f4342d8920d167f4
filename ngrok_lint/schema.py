"""The published JSON Schemas, loaded once per process, and their errors in plain words.

The schemas live in the top-level ``schemas/`` folder, which the installed package ships as
``ngrok_lint.schemas``; a checkout that is not installed reads the folder directly. One validator
per format is built on first use and kept for the life of the process (the language server reuses
it for every change).

Validation, and why it is not jsonschema on the lint path. Measured with CPython 3.11 on 2 shared
cores (medians): importing jsonschema costs 40 to 55 ms per process, more than the rest of a
one-file run; building its validator for one format (local ``$ref``s inlined, kept per process)
about 3 ms; validating a 200-line v3 file 2.7 ms (4.7 ms with plain ``Draft7Validator``), 10,000
endpoints 0.56 s, because it creates a validator object for every subschema it visits. The
schemas use a small part of draft-07, so :mod:`ngrok_lint.draft7` compiles exactly that part into
nested closures, once per process and lazily (a subschema is compiled when a value first reaches
it): 1.5 ms for the first 200-line file (compiling the parts it uses and their regular
expressions), 0.2 ms for every later one, 55 ms for 10,000 endpoints, and no import cost. Its
errors are jsonschema's (keyword, instance path, schema path, validator value, instance, message,
in the same order), which ``tests/test_draft7.py`` checks against jsonschema on every corpus file,
every fixture and generated instances, together with identical NGL002 findings. jsonschema stays
the reference and the fallback: a subschema the compiled validator does not support (a keyword
such as ``anyOf``, a remote ``$ref``) is detected when it is compiled, and the format's validator
then switches to jsonschema for good, with local ``$ref``s inlined once and discriminator ``if``s
decided in plain Python (the two changes that halved jsonschema's cost without changing an error).
Options compared: jsonschema imported lazily (kept for the fallback) still pays its import on every
run that validates; caching its validator per format saves only the build; the compiled validator
removes the import and is 10 times faster per file. It was chosen.

:func:`violations` validates a document against the schema of its format (legacy, v2 or v3) and
turns every error into a :class:`Violation`: where it is (the offending key for an unknown key,
the parent mapping's key for a missing one, the value otherwise) and a message in plain words
that names the YAML path and what was expected. jsonschema's own wording ("is not of type",
"additionalProperties", regular expressions) never reaches a user.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple, cast

from ngrok_lint.loader import Document
from ngrok_lint.model import Span, YamlPath
from ngrok_lint.paths import dotted
from ngrok_lint.secrets import SECRET_KEYS, mask, mask_url_passwords

FORMATS = ("legacy", "v2", "v3")
FILES: Dict[str, str] = {
    "legacy": "ngrok-agent-legacy.schema.json",
    "v2": "ngrok-agent-v2.schema.json",
    "v3": "ngrok-agent-v3.schema.json",
    "combined": "ngrok-agent.schema.json",
}
_PACKAGE = "ngrok_lint.schemas"
_HERE = os.path.dirname(os.path.abspath(__file__))
_INSTALLED = os.path.join(_HERE, "schemas")  # where an installed package keeps them
_CHECKOUT = os.path.join(os.path.dirname(_HERE), "schemas")  # a plain or editable checkout

#: Raw errors examined per file at most: enough for any real file, bounded for hostile ones.
MAX_ERRORS = 10_000

# --- loading ----------------------------------------------------------------------------------


def schema_text(name: str) -> str:
    """The JSON text of a schema (`legacy`, `v2`, `v3`, `combined`, or a file name)."""
    file_name = FILES.get(name, name)
    # Plain files first: importlib.resources costs a few milliseconds to import, and is only
    # needed when the package is not a folder on disk (a zipped install).
    for folder in (_INSTALLED, _CHECKOUT):
        try:
            with open(os.path.join(folder, file_name), encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            continue
    from importlib import resources

    return resources.files(_PACKAGE).joinpath(file_name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load(name: str) -> Dict[str, Any]:
    """A schema as data, parsed once per process."""
    data = json.loads(schema_text(name))
    if not isinstance(data, dict):
        raise ValueError(f"schema {name} is not a JSON object")
    return data


@lru_cache(maxsize=None)
def validator(fmt: str) -> Any:
    """The draft-07 validator of one format, built once per process: the compiled one, or
    jsonschema's when the schema uses a keyword the compiled one does not support."""
    return _build(load(fmt))


@lru_cache(maxsize=None)
def policy_validator(fmt: str) -> Optional[Any]:
    """A validator for a Traffic Policy alone (a policy written as text or in a file), or None."""
    definitions = load(fmt).get("definitions", {})
    if "traffic_policy" not in definitions:
        return None
    return _build({"$ref": "#/definitions/traffic_policy", "definitions": definitions})


def _build(schema: Dict[str, Any]) -> Any:
    from ngrok_lint import draft7

    return draft7.compile_schema(schema, fallback=reference_validator)


def reference_validator(schema: Dict[str, Any]) -> Any:
    """jsonschema's draft-07 validator for `schema` (the fallback, and the reference in tests)."""
    return _validator_class()(inline_refs(schema, schema.get("definitions", {})))


def raw_errors(check: Any, instance: Any, limit: int) -> Tuple[List[Any], bool]:
    """The first `limit` errors of either validator, and whether there were more."""
    if hasattr(check, "errors"):
        found, truncated = check.errors(instance, limit)
        return found, truncated
    found = []
    for error in check.iter_errors(instance):
        if len(found) == limit:
            return found, True
        found.append(error)
    return found, False


# --- the jsonschema fallback ------------------------------------------------------------------
# Used only for a schema the compiled validator does not support. Two changes halve jsonschema's
# cost without changing a single error: local `$ref`s are resolved once when the validator is built (not once per instance), and
# an `if` of the shape the schemas use for discriminators (`properties` with `const`/`enum`, and
# `required`) is decided in plain Python instead of by a nested validator.

_KEEP = frozenset({"definitions", "enum", "const", "examples", "default", "properties"})


def inline_refs(node: Any, definitions: Dict[str, Any], stack: Tuple[str, ...] = ()) -> Any:
    """`node` with every `{"$ref": "#/definitions/x"}` replaced by that definition (a recursive
    reference stays a `$ref`, resolved as before)."""
    if isinstance(node, list):
        return [inline_refs(item, definitions, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) == 1 and ref.startswith("#/definitions/"):
        name = ref[len("#/definitions/"):]
        if name in definitions and name not in stack:
            return inline_refs(definitions[name], definitions, stack + (name,))
        return node
    out: Dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: inline_refs(sub, definitions, stack) for name, sub in value.items()}
        elif key in _KEEP:
            out[key] = value
        else:
            out[key] = inline_refs(value, definitions, stack)
    return out


def _same(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema has it: `true` is not `1`."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _quick_if(condition: Any, instance: Any) -> Optional[bool]:
    """Decide a discriminator `if` directly; None when it has another shape."""
    if not isinstance(condition, dict) or not set(condition) <= {"properties", "required"}:
        return None
    if not isinstance(instance, dict):
        return True  # `properties` and `required` hold for anything that is not an object
    for key in condition.get("required", ()):
        if key not in instance:
            return False
    for key, sub in condition.get("properties", {}).items():
        if key not in instance:
            continue
        if not isinstance(sub, dict):
            return None
        if set(sub) == {"const"}:
            if not _same(sub["const"], instance[key]):
                return False
        elif set(sub) == {"enum"} and isinstance(sub["enum"], list):
            if not any(_same(option, instance[key]) for option in sub["enum"]):
                return False
        else:
            return None
    return True


def _if(validator: Any, condition: Any, instance: Any, schema: Dict[str, Any]) -> Iterator[Any]:
    verdict = _quick_if(condition, instance)
    if verdict is None:
        verdict = validator.evolve(schema=condition).is_valid(instance)
    if verdict:
        if "then" in schema:
            yield from validator.descend(instance, schema["then"], schema_path="then")
    elif "else" in schema:
        yield from validator.descend(instance, schema["else"], schema_path="else")


@lru_cache(maxsize=None)
def _validator_class() -> Any:
    from jsonschema.validators import Draft7Validator, extend

    return extend(Draft7Validator, {"if": _if})


def agent_properties(fmt: str) -> FrozenSet[str]:
    """The agent settings of one format (top level for legacy/v2, `agent:` for v3)."""
    schema = load(fmt)
    if fmt == "v3":
        return frozenset(schema.get("definitions", {}).get("v3_agent", {}).get("properties", {}))
    return frozenset(set(schema.get("properties", {})) - {"version", "tunnels"})


# --- the result -------------------------------------------------------------------------------

UNKNOWN = "unknown-key"
MISSING = "missing-key"
VALUE = "value"
ROOT = "root"


class Violation(NamedTuple):
    kind: str  # UNKNOWN, MISSING, VALUE or ROOT
    path: YamlPath  # UNKNOWN: the key's path; MISSING: the parent mapping; VALUE: the value
    message: str
    span: Span
    key: Optional[str] = None  # the unknown or missing key
    suggestion: Optional[str] = None  # the one close valid name, when a rename is sound
    in_text: bool = False  # inside a policy written as text or in a file: no structural fix
    near: Optional[str] = None  # an unknown key's closest valid name, even when not unique
    mapping: YamlPath = ()  # the mapping as the message names it (inside a policy text: its own path)


# --- words ------------------------------------------------------------------------------------

_DURATION = "a duration such as 10s, 1m30s or 500ms"
_HOSTPORT = "host:port (such as tunnel.example.com:443)"
_HTTP_URL = "an http:// or https:// URL"
_CIDR = "a CIDR such as 10.0.0.0/8 or 2001:db8::/32"

#: What a `pattern` expects, by the property it sits on (for array items: the array's name).
FORMAT_WORDS: Dict[str, str] = {
    "connect_timeout": _DURATION,
    "heartbeat_interval": _DURATION,
    "heartbeat_tolerance": _DURATION,
    "max_session_duration": _DURATION,
    "userinfo_refresh_interval": _DURATION,
    "idle_session_timeout": _DURATION,
    "idle_session_duration": _DURATION,
    "rate": _DURATION,
    "server_addr": _HOSTPORT,
    "connect_url": _HOSTPORT,
    "pprof_addr": "host:port (such as 127.0.0.1:6060)",
    "remote_addr": "a reserved TCP address host:port (such as 1.tcp.ngrok.io:12345)",
    "dns_resolver_ips": "an IP address without a port (such as 1.1.1.1)",
    "allow_cidrs": _CIDR,
    "deny_cidrs": _CIDR,
    "allow": _CIDR,
    "deny": _CIDR,
    "web_allow_hosts": "an IP address, a CIDR, a host name, or .example.com for its sub-domains",
    "hostname": "a full host name (such as app.example.com)",
    "domain": "a domain name (such as app.example.com, or '*.example.com' quoted)",
    "subdomain": "a sub-domain (letters, digits, hyphens and periods)",
    "proxy_url": "an http://, https:// or socks5:// URL",
    "http_proxy": _HTTP_URL,
    "socks5_proxy": "a socks5:// URL",
    "crl_url": _HTTP_URL,
    "issuer_url": _HTTP_URL,
    "url": "an endpoint URL (such as https://app.example.com, tcp://1.tcp.ngrok.io:12345, or a scheme alone such as https://)",
    "labels": "a label name=value",
    "addr": "an address the agent can forward to (a port, host:port, or for http a URL without a path)",
    "inspect_db_size": "a size in bytes: a positive whole number, 0 for the default, or -1 to disable",
}
# Every format takes the same forms (a bare port too: agent 2.3.41 loads it, no 3.x source refuses it).
_WEB_ADDR = "host:port, :port or a port (such as 127.0.0.1:4040), or false to turn the inspector off"

#: Known misspellings whose right name difflib would not find, or would rank below another.
#: Keys NGL005 refuses together: a rename to one of them is not offered while the other is there.
EXCLUSIVE: Dict[str, FrozenSet[str]] = {
    "policy": frozenset({"traffic_policy"}),
    "traffic_policy": frozenset({"policy", "traffic_policy_file"}),
    "traffic_policy_file": frozenset({"traffic_policy"}),
    "region": frozenset({"server_addr"}),
    "server_addr": frozenset({"region"}),
    "hostname": frozenset({"subdomain"}),
    "subdomain": frozenset({"hostname"}),
    "http_proxy": frozenset({"socks5_proxy"}),
    "socks5_proxy": frozenset({"http_proxy"}),
}

HINTS: Dict[str, str] = {
    "auth_token": "authtoken",
    "oauth_scopes": "scopes",
    "server_key": "server_private_key",
    "server_addr": "connect_url",
    "root_cas": "connect_cas",
    "inspect_addr": "web_addr",
}

_TYPE_WORDS = {
    "boolean": "a boolean (true/false)",
    "integer": "a whole number",
    "number": "a number",
    "string": "a single value (text)",
    "array": "a list",
    "object": "a mapping",
}


def _type_words(types: Sequence[str]) -> str:
    wanted = [t for t in types if t != "null"]
    if "number" in wanted and "integer" in wanted:
        wanted.remove("integer")
    if "string" in wanted and len(wanted) > 1 and set(wanted) <= {"string", "number", "integer", "boolean"}:
        return "a single value (text, number or boolean)"
    if wanted == ["object", "string"] or wanted == ["string", "object"]:
        return "a mapping (or YAML text holding one)"
    words = [_TYPE_WORDS.get(t, t) for t in wanted]
    if not words:
        return "no value"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _is_secret_path(path: YamlPath) -> bool:
    """Does the value belong to a secret-holding key? (A tunnel named `auth` is not one.)"""
    name = _property_name(path)
    return name is not None and name.lower() in SECRET_KEYS


def describe(value: Any, path: YamlPath = ()) -> str:
    """A value as a message shows it: short, and never a secret in full."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    text = str(value)
    if _is_secret_path(path):
        return f'the string "{mask(text)}"'
    text = mask_url_passwords(text)  # `user:pass…@`, in linear time (no regex rescanning each position)
    if len(text) > 60:
        text = text[:57] + "…"
    return f'the string "{text}"'


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _property_name(path: YamlPath) -> Optional[str]:
    """The property a value belongs to: the last key (for list items, the list's key)."""
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return None


def _format_words(path: YamlPath, schema: Dict[str, Any], fmt: str) -> Optional[str]:
    name = _property_name(path)
    if name == "web_addr":
        return _WEB_ADDR
    if name in FORMAT_WORDS:
        return FORMAT_WORDS[name]
    pattern = str(schema.get("pattern", ""))
    if "ns|us" in pattern:
        return _DURATION
    if "/(?:3[0-2]" in pattern:
        return _CIDR
    if "socks5://" in pattern:
        return "a socks5:// URL" if "https?" not in pattern else "an http://, https:// or socks5:// URL"
    if "https?://" in pattern:
        return _HTTP_URL
    return None


def _real(path: YamlPath, place: "_Place") -> YamlPath:
    """The path a finding carries: inside a policy text or file, the key that holds the policy."""
    return place.anchor if place.anchor is not None else path


def _where(path: YamlPath) -> str:
    return "at the top level" if not path else f"in {dotted(path)}"


# --- errors to violations ---------------------------------------------------------------------


class _Place(NamedTuple):
    """How paths and spans are written for one validated value (the document, or a policy text)."""

    base: YamlPath = ()  # prefix of every path
    anchor: Optional[YamlPath] = None  # in a policy text or file: every span is this value's
    label: str = ""  # appended to messages about a policy text or file


class Explainer:
    """Turns the jsonschema errors of one document into violations."""

    def __init__(self, doc: Document, fmt: str) -> None:
        self.doc = doc
        self.fmt = fmt
        self.seen: Set[Tuple[Any, ...]] = set()

    # spans
    def _value_span(self, path: YamlPath, place: _Place) -> Span:
        return self.doc.value_span(place.anchor if place.anchor is not None else path)

    def _key_span(self, path: YamlPath, place: _Place) -> Span:
        if place.anchor is not None:
            return self.doc.value_span(place.anchor)
        return self.doc.key_span(path)

    def explain(self, error: Any, place: _Place = _Place()) -> Iterator[Violation]:
        validator = error.validator
        if validator in ("anyOf", "oneOf") and error.context:
            from jsonschema.exceptions import best_match

            best = best_match(error.context)
            if best is not None:
                yield from self.explain(best, place)
                return
        path: YamlPath = place.base + tuple(error.absolute_path)
        instance = error.instance
        schema = error.schema if isinstance(error.schema, dict) else {}
        if not path and not place.base and validator == "type" and not isinstance(instance, dict):
            yield from self._root(instance)
            return
        if validator == "additionalProperties" and isinstance(instance, dict):
            yield from self._unknown(path, instance, schema, place)
            return
        if validator == "required" and isinstance(instance, dict):
            for key in error.validator_value:
                if key not in instance:
                    yield from self._missing(path, str(key), place)
            return
        if instance is None:
            if validator == "type" and self.fmt == "legacy":
                yield from self._refused_null(path, place)
            return  # null is never a wrong value: the agent reads the field's zero value
        message = self._value_message(validator, error, path, instance, schema)
        marker = (VALUE, place.anchor, path)
        if marker in self.seen:
            return
        self.seen.add(marker)
        yield Violation(
            VALUE, _real(path, place), message + place.label, self._value_span(path, place), in_text=place.anchor is not None
        )

    def _refused_null(self, path: YamlPath, place: "_Place") -> Iterator[Violation]:
        """The nulls agent 2.3.41 refuses rather than reading as a zero value: an empty tunnel
        (`tunnels: {web: }`) and an empty `dns_resolver_ips` item."""
        if len(path) == 2 and path[0] == "tunnels":
            message = (
                f"{dotted(path)}: the tunnel is empty; agent 2.x refuses the file "
                f"(`Empty tunnel definition with name '{path[1]}'`): give it `proto` and `addr`, or remove it"
            )
        elif len(path) == 2 and path[0] == "dns_resolver_ips" and isinstance(path[1], int):
            message = f"{dotted(path)}: an empty item; agent 2.x refuses it (`Invalid IP in dns_resolver_ips: ''`)"
        else:
            return
        marker = (VALUE, place.anchor, path)
        if marker in self.seen:
            return
        self.seen.add(marker)
        span = self._key_span(path, place) if path[0] == "tunnels" else self._value_span(path, place)
        yield Violation(VALUE, _real(path, place), message + place.label, span)

    def _root(self, instance: Any) -> Iterator[Violation]:
        marker = (ROOT,)
        if marker in self.seen:
            return
        self.seen.add(marker)
        if instance is None:
            message = "the file holds no configuration mapping: it is empty or holds only comments"
        elif isinstance(instance, list):
            message = "the file holds a list, not a configuration mapping of keys such as `authtoken:` and `tunnels:`"
        else:
            message = (
                "the file holds a single value, not a configuration mapping of keys such as `authtoken:` "
                "and `tunnels:` (is it a shell command or a dotenv file?)"
            )
        yield Violation(ROOT, (), message, Span(1, 1, 1, 1, 0, 0))

    def _unknown(self, path: YamlPath, instance: Dict[str, Any], schema: Dict[str, Any], place: _Place) -> Iterator[Violation]:
        known = schema.get("properties", {})
        patterns = list(schema.get("patternProperties", {}))
        valid = sorted(str(k) for k in known)
        for key in instance:
            if key in known or any(re.search(p, str(key)) for p in patterns):
                continue
            key_path = path + (key,)
            marker = (UNKNOWN, place.anchor, key_path)
            if marker in self.seen:
                continue
            self.seen.add(marker)
            close = closest(str(key), valid)
            if not close:  # a misspelt required key may be further off (`adress` for `addr`)
                missing = [str(k) for k in schema.get("required", []) if k not in instance]
                from difflib import get_close_matches  # only on an error: keeps the import off the clean path

                close = get_close_matches(str(key), missing, n=1, cutoff=0.6)
            message = f"unknown key `{key}` {_where(path)}"
            suggestion: Optional[str] = None
            if close:
                names = " or ".join(f"`{name}`" for name in close)
                message += f"; did you mean {names}?"
                if (len(close) == 1 and close[0] not in instance and place.anchor is None
                        and not EXCLUSIVE.get(close[0], frozenset()) & set(instance)):
                    suggestion = close[0]
            message += self._consequence(path, place)
            if not close:
                message += self._misplaced_hint(str(key), path)
            yield Violation(
                UNKNOWN, _real(key_path, place), message + place.label, self._key_span(key_path, place), str(key),
                suggestion, place.anchor is not None, close[0] if close else None, path,
            )

    def _misplaced_hint(self, key: str, path: YamlPath) -> str:
        in_site = len(path) == 2 and path[0] in ("tunnels", "endpoints")
        top_of_v3 = not path and self.fmt == "v3"
        if (in_site or top_of_v3) and key in agent_properties(self.fmt):
            where = "under `agent:`" if self.fmt == "v3" else "at the top level"
            return f"; `{key}` is an agent setting: set it {where}"
        return ""

    def _consequence(self, path: YamlPath, place: _Place) -> str:
        if place.anchor is not None or any(part in ("traffic_policy", "policy") for part in path):
            return ""
        if self.fmt == "legacy":
            return " (agent 2.x silently ignores it)"
        return " (agent 3.x refuses the file)"

    def _missing(self, path: YamlPath, key: str, place: _Place) -> Iterator[Violation]:
        marker = (MISSING, place.anchor, path, key)
        if marker in self.seen:
            return
        self.seen.add(marker)
        where = dotted(path) if path else "the top level"
        message = f"{where}: missing required key `{key}`"
        yield Violation(
            MISSING, _real(path, place), message + place.label, self._key_span(path, place), key, None,
            place.anchor is not None, None, path,
        )

    def _value_message(self, validator: str, error: Any, path: YamlPath, instance: Any, schema: Dict[str, Any]) -> str:
        where = dotted(path)
        got = describe(instance, path)
        value = error.validator_value
        words = _format_words(path, schema, self.fmt)
        name = _property_name(path)
        if validator == "type":
            types = value if isinstance(value, list) else [value]
            scalar = not isinstance(instance, (list, dict))
            if scalar and words and ("pattern" in schema or name in ("inspect_db_size", "web_addr")):
                return f"{where}: expected {words}, got {got}"
            return f"{where}: expected {_type_words(types)}, got {got}"
        if validator == "enum":
            options = _enum_words(value)
            hint = ""
            if isinstance(instance, str) and any(
                isinstance(v, str) and v.lower() == instance.lower() and v != instance for v in value
            ):
                hint = " (values are case-sensitive)"
            return f"{where}: expected one of {options}, got {got}{hint}"
        if validator == "const":
            if words:
                return f"{where}: expected {words}, got {got}"
            return f"{where}: expected {_plain(value)}, got {got}"
        if validator == "pattern":
            if words is None:
                return f"{where}: {got} is malformed"
            return f"{where}: expected {words}, got {got}"
        if name == "addr" and validator in ("minimum", "maximum", "multipleOf"):
            # A number as `addr` is a port; the agent cannot dial a negative, fractional or huge one.
            return f"{where}: expected a port number (a whole number from 0 to 65535), got {got}"
        if validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if words and name == "inspect_db_size":
                return f"{where}: expected {words}, got {got}"
            return f"{where}: expected {_range_words(schema)}, got {got}"
        if validator in ("maxLength", "minLength"):
            size = len(str(instance))
            bound = "at most" if validator == "maxLength" else "at least"
            return f"{where}: expected {bound} {value} characters, got {size}"
        if validator in ("maxItems", "minItems"):
            size = len(instance) if isinstance(instance, list) else 0
            bound = "at most" if validator == "maxItems" else "at least"
            return f"{where}: expected {bound} {value} items, got {size}"
        if validator == "uniqueItems":
            return f"{where}: every item must be different"
        if validator == "not":
            # A schema that refuses a value says why in its `description` (an action outside its phases).
            if isinstance(value, dict) and isinstance(value.get("description"), str):
                return f"{where}: {got} {value['description']}"
            return f"{where}: {got} is not allowed here"
        return f"{where}: {got} is not accepted here"


def _enum_words(values: Iterable[Any]) -> str:
    seen: List[str] = []
    for value in values:
        if value is None or value == "":
            continue
        text = _plain(value)
        if text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _range_words(schema: Dict[str, Any]) -> str:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if low is not None and high is not None:
        return f"a number from {_plain(low)} to {_plain(high)}"
    parts = []
    if low is not None:
        parts.append(f"at least {_plain(low)}")
    if schema.get("exclusiveMinimum") is not None:
        parts.append(f"greater than {_plain(schema['exclusiveMinimum'])}")
    if high is not None:
        parts.append(f"at most {_plain(high)}")
    if schema.get("exclusiveMaximum") is not None:
        parts.append(f"less than {_plain(schema['exclusiveMaximum'])}")
    return "a number " + " and ".join(parts) if parts else "a number in range"


def closest(key: str, valid: Sequence[str]) -> List[str]:
    """The valid names close to `key`, best first (empty when none is close)."""
    hint = HINTS.get(key)
    if hint in valid:
        return [hint]  # type: ignore[list-item]
    normal = key.lower().replace("-", "_").replace(" ", "_")
    exact = [name for name in valid if name == normal]
    if exact:
        return exact
    from difflib import get_close_matches

    return get_close_matches(key, list(valid), n=3, cutoff=0.75)


# --- validation -------------------------------------------------------------------------------


def schema_format(doc: Document) -> Optional[str]:
    """The per-format schema a document is validated against (never for ngrok 1.x files)."""
    fmt = doc.format
    return fmt if fmt in FORMATS else None


def violations(doc: Document, base_dir: Optional[str] = None, limit: int = MAX_ERRORS) -> Tuple[List[Violation], bool]:
    """Every schema violation of the document, in file order, and whether `limit` cut the list."""
    fmt = schema_format(doc)
    if fmt is None:
        return [], False
    explainer = Explainer(doc, fmt)
    found: List[Violation] = []
    errors, truncated = raw_errors(validator(fmt), doc.data, limit)
    for error in errors:
        found.extend(explainer.explain(error))
    if not truncated:
        found.extend(_policy_text_violations(doc, fmt, explainer, base_dir))
    found = _one_per_problem(found)
    found.sort(key=lambda v: (v.span.start, v.span.line, v.span.column, dotted(v.path)))
    return found, truncated


def _one_per_problem(found: List[Violation]) -> List[Violation]:
    """A misspelt required key is one problem: keep the unknown key (it names the right spelling)
    and drop the "missing required key" it causes in the same mapping."""
    misspelt = {(v.path if v.in_text else v.path[:-1], v.mapping, v.near) for v in found if v.kind == UNKNOWN}
    return [v for v in found if not (v.kind == MISSING and (v.path, v.mapping, v.key) in misspelt)]


def _policy_text_violations(doc: Document, fmt: str, explainer: Explainer, base_dir: Optional[str]) -> Iterator[Violation]:
    """A Traffic Policy written as YAML text (or in a file) is checked like a mapping."""
    if not isinstance(doc.data, dict):
        return
    from ngrok_lint import walk

    for site in walk.sites(doc, base_dir):
        policy = site.policy
        if policy is None or policy.inline:
            continue
        check = policy_validator(fmt)  # built only for a file that has such a policy
        if check is None:
            return
        key = policy.path[-1]
        if key == "traffic_policy_file":
            # cast: `key` equals a str here, which mypy before 2.0 does not narrow on.
            place = _Place((), policy.path, f" (in the Traffic Policy file `{site.data.get(cast(str, key))}` of {dotted(site.path)})")
        else:
            place = _Place(policy.path, policy.path, " (in the policy text)")
        errors, _ = raw_errors(check, policy.data, MAX_ERRORS)
        for error in errors:
            yield from explainer.explain(error, place)
