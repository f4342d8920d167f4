"""The compiled draft-07 validator (ngrok_lint.draft7) against jsonschema, the reference.

Every error must match jsonschema's exactly: keyword, instance path, schema path, validator value,
instance and message, in the same order; and NGL002 must report the same findings with either
validator. Checked on every corpus file and fixture, on instances generated from the published
schemas' shape, and on generated instances of small schemas that use every supported keyword.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import _keywords
from jsonschema._utils import find_additional_properties
from jsonschema.validators import Draft7Validator, extend

from conftest import CORPUS, FIXTURES
from ngrok_lint import draft7, schema
from ngrok_lint.loader import Document, parse
from ngrok_lint.source import decode

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _ordered_additional_properties(validator: Any, aP: Any, instance: Any, schema_: Any) -> Iterator[Any]:
    """jsonschema's keyword, visiting extra keys in the instance's order rather than a set's (whose
    order changes with the hash seed), so that the order of errors can be compared too."""
    if validator.is_type(instance, "object") and validator.is_type(aP, "object"):
        for extra in find_additional_properties(instance, schema_):
            yield from validator.descend(instance[extra], aP, path=extra)
        return
    yield from _keywords.additionalProperties(validator, aP, instance, schema_)


Reference = extend(Draft7Validator, {"additionalProperties": _ordered_additional_properties})


def signature(error: Any) -> Tuple[Any, ...]:
    return (
        tuple(error.absolute_path),
        tuple(error.absolute_schema_path),
        error.validator,
        repr(error.validator_value),
        repr(error.instance),
        error.message,
    )


def assert_same(compiled: Any, reference: Any, instance: Any) -> None:
    expected = [signature(e) for e in reference.iter_errors(instance)]
    got = [signature(e) for e in compiled.iter_errors(instance)]
    assert got == expected, f"instance {instance!r}"
    assert compiled.is_valid(instance) == (not expected)


def _policy_root(fmt: str) -> Dict[str, Any]:
    return {"$ref": "#/definitions/traffic_policy", "definitions": schema.load(fmt)["definitions"]}


def _documents() -> List[Tuple[str, Document]]:
    files = sorted(FIXTURES.rglob("*.yml")) + (sorted(CORPUS.glob("*.yml")) if CORPUS.is_dir() else [])
    found = []
    for path in files:
        decoded = decode(str(path), path.read_bytes())
        if hasattr(decoded, "text"):
            doc = parse(str(path), decoded.text)
            if isinstance(doc, Document):
                found.append((str(path), doc))
    return found


DOCUMENTS = _documents()


def _policies(data: Any) -> Iterator[Any]:
    """Every Traffic Policy value written in a document (a mapping, or text parsed as YAML)."""
    if not isinstance(data, dict):
        return
    sites = list((data.get("tunnels") or {}).values()) if isinstance(data.get("tunnels"), dict) else []
    sites += data.get("endpoints") or [] if isinstance(data.get("endpoints"), list) else []
    for site in sites:
        if not isinstance(site, dict):
            continue
        for key in ("traffic_policy", "policy"):
            value = site.get(key)
            if isinstance(value, str):
                parsed = parse("<policy>", value)
                value = parsed.data if isinstance(parsed, Document) else None
            if value is not None:
                yield value


# --- the published schemas --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["legacy", "v2", "v3", "combined"])
def test_the_published_schemas_need_no_fallback(name: str) -> None:
    assert draft7.supports(schema.load(name)) is None
    if "traffic_policy" in schema.load(name).get("definitions", {}):
        assert draft7.supports(_policy_root(name)) is None


def test_the_lint_path_uses_the_compiled_validator() -> None:
    for fmt in schema.FORMATS:
        assert isinstance(schema.validator(fmt), draft7.Validator)


@pytest.mark.parametrize("fmt", schema.FORMATS)
def test_same_errors_on_every_corpus_file_and_fixture(fmt: str) -> None:
    assert len(DOCUMENTS) > 300
    compiled = draft7.compile_schema(schema.load(fmt))
    reference = Reference(schema.load(fmt))
    for _, doc in DOCUMENTS:
        assert_same(compiled, reference, doc.data)
    assert compiled.reference is None  # never fell back
    policies = [p for _, doc in DOCUMENTS for p in _policies(doc.data)]
    if fmt != "legacy":
        assert policies
        compiled_policy = draft7.compile_schema(_policy_root(fmt))
        reference_policy = Reference(_policy_root(fmt))
        for policy in policies:
            assert_same(compiled_policy, reference_policy, policy)


def _ngl002(doc: Document) -> List[Tuple[Any, ...]]:
    from ngrok_lint.rules import ngl002_schema

    return [(f.message, f.span, f.path, f.fix) for f in ngl002_schema.check(doc, None)]


def test_same_ngl002_findings_with_either_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = {path: _ngl002(doc) for path, doc in DOCUMENTS}
    references = {fmt: schema.reference_validator(schema.load(fmt)) for fmt in schema.FORMATS}
    policies = {fmt: schema.reference_validator(_policy_root(fmt)) for fmt in ("v2", "v3")}
    monkeypatch.setattr(schema, "validator", lambda fmt: references[fmt])
    monkeypatch.setattr(schema, "policy_validator", lambda fmt: policies.get(fmt))
    for path, doc in DOCUMENTS:
        assert _ngl002(doc) == compiled[path], path
    assert any(compiled.values())


# --- generated instances shaped like the published schemas ------------------------------------

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False, width=32),
                     st.text(max_size=8),
                     st.sampled_from(["", "8080", "localhost:80", "127.0.0.1:99999", "1.2.3.4/8", "::1", "10s", "1m30",
                                      "https://x", "tcp://", "*.example.com", "a.b", "http://u:p@h", "ftp"]))


def _resolve(root: Dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


def shaped(root: Dict[str, Any], node: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values that follow the schema's shape (its keys, enums, examples, discriminators), often
    wrong in one place: what real files look like, and where the error paths are."""
    node = _resolve(root, node)
    if not isinstance(node, dict) or depth > 7:
        return _SCALARS
    samples: List[Any] = list(node.get("enum", [])) + list(node.get("examples", []))
    for key in ("const", "default"):
        if key in node:
            samples.append(node[key])
    properties: Dict[str, Any] = dict(node.get("properties", {}))
    discriminators: Dict[str, List[Any]] = {}
    for part in node.get("allOf", []) + [node]:
        part = _resolve(root, part)
        for branch in ("then", "else"):
            extra = _resolve(root, part.get(branch)) if isinstance(part, dict) else None
            if isinstance(extra, dict):
                for name, sub in extra.get("properties", {}).items():
                    properties.setdefault(name, sub)
        condition = part.get("if") if isinstance(part, dict) else None
        if isinstance(condition, dict):
            for name, sub in condition.get("properties", {}).items():
                if isinstance(sub, dict):
                    discriminators.setdefault(name, []).extend([sub["const"]] if "const" in sub else sub.get("enum", []))
    options: List[st.SearchStrategy[Any]] = [_SCALARS]
    if samples:
        options.append(st.sampled_from(samples))
    if properties:
        fields = {
            name: (st.one_of(st.sampled_from(discriminators[name]), shaped(root, sub, depth + 1))
                   if discriminators.get(name) else shaped(root, sub, depth + 1))
            for name, sub in properties.items()
        }
        fields["bogus_key"] = _SCALARS
        options.append(st.fixed_dictionaries({}, optional=fields))
    items = node.get("items")
    if isinstance(items, dict):
        options.append(st.lists(shaped(root, items, depth + 1), max_size=3))
    return st.one_of(*options)


@pytest.mark.parametrize("fmt", schema.FORMATS)
def test_same_errors_on_generated_configs(fmt: str) -> None:
    root = schema.load(fmt)
    compiled = draft7.compile_schema(root)
    reference = Reference(root)

    @SETTINGS
    @given(shaped(root, root))
    def check(instance: Any) -> None:
        assert_same(compiled, reference, instance)

    check()
    assert compiled.reference is None


# --- every supported keyword, on small schemas ------------------------------------------------

KEYWORD_SCHEMAS: List[Dict[str, Any]] = [
    {
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": 1, "maximum": 9000, "multipleOf": 2},
            "f": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5, "multipleOf": 0.25},
            "e": {"enum": ["a", 1, True, None, 2.5, [1], {"k": 1}]},
            "c": {"const": 0},
            "s": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-c]+$"},
            "l": {"type": "array", "items": {"type": ["string", "null"]}, "minItems": 1, "maxItems": 2},
            "t": {"type": "array", "items": [{"type": "integer"}, {"const": "x"}]},
            "b": {"type": "boolean"},
            "no": False,
            "yes": True,
        },
        "required": ["n", "s"],
        "additionalProperties": False,
    },
    {
        "type": "object",
        "patternProperties": {"^x-": {"type": "string"}, "^y": {"type": "integer"}},
        "additionalProperties": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
    },
    {
        "allOf": [
            {"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]}, "then": {"required": ["a"]}},
            {"if": {"properties": {"kind": {"enum": ["b", 2]}}}, "then": {"properties": {"b": {"type": "string"}}},
             "else": {"not": {"required": ["b"]}}},
            {"if": {"properties": {"n": {"type": "integer"}}}, "then": {"properties": {"n": {"minimum": 3}}},
             "else": {"properties": {"n": {"maxLength": 1}}}},
        ],
        "properties": {"kind": {"type": ["string", "integer"]}},
    },
    {
        "$ref": "#/definitions/node",
        "definitions": {
            "node": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}},
                "required": ["name"],
                "additionalProperties": False,
            }
        },
    },
    {"type": "object", "properties": {"self": {"$ref": "#"}, "v": {"type": "null"}}, "additionalProperties": False},
]

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10, 10000), st.floats(allow_nan=False, allow_infinity=False),
              st.sampled_from([0.0, 1.0, 2.0, 0.5, -0.0]), st.text(max_size=6)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["n", "f", "e", "c", "s", "l", "t", "b", "no", "yes", "x-a",
                                                             "yb", "id", "kind", "a", "name", "children", "self", "v", "z"]),
                                            inner, max_size=5)),
    max_leaves=12,
)


# hypothesis-jsonschema cannot generate from recursive schemas: trees for those.
_TREES = st.recursive(
    st.fixed_dictionaries({}, optional={"name": st.one_of(st.text(max_size=3), st.integers()), "v": _JSON}),
    lambda inner: st.fixed_dictionaries({}, optional={"name": st.text(max_size=3), "children": st.lists(inner, max_size=2),
                                                      "self": inner, "extra": st.none()}),
    max_leaves=8,
)


@pytest.mark.parametrize("index", range(len(KEYWORD_SCHEMAS)))
def test_same_errors_for_every_supported_keyword(index: int) -> None:
    subject = KEYWORD_SCHEMAS[index]
    assert draft7.supports(subject) is None
    compiled = draft7.compile_schema(subject)
    reference = Reference(subject)
    recursive = "$ref" in json.dumps(subject)

    @SETTINGS
    @given(st.one_of(_TREES if recursive else from_schema(subject), _JSON))
    def check(instance: Any) -> None:
        assert_same(compiled, reference, instance)

    check()


# --- fallback, limits -------------------------------------------------------------------------


@pytest.mark.parametrize("keyword, value", [
    ("anyOf", [{"type": "string"}, {"type": "integer"}]),
    ("oneOf", [{"type": "string"}, {"maxLength": 2}]),
    ("uniqueItems", True),
    ("dependencies", {"a": ["b"]}),
    ("propertyNames", {"maxLength": 2}),
])
def test_an_unsupported_keyword_falls_back_to_jsonschema(keyword: str, value: Any) -> None:
    subject = {"type": "object", "properties": {"x": {keyword: value}}, "additionalProperties": {keyword: value}}
    assert keyword in (draft7.supports(subject) or "")
    compiled = draft7.compile_schema(subject)
    compiled.is_valid({"y": 1})  # `y` reaches the unsupported keyword: the validator switches
    assert compiled.reference is not None
    reference = Draft7Validator(subject)
    for instance in ({"x": "abc"}, {"x": 5, "q": [1, 1]}, {"x": {"a": 1}}, {"x": ["ab", "ab"]}, {"x": [1, 2]}):
        assert sorted(map(repr, map(signature, compiled.iter_errors(instance)))) == \
            sorted(map(repr, map(signature, reference.iter_errors(instance))))


def test_an_unsupported_keyword_never_reached_keeps_the_compiled_path() -> None:
    subject = {"type": "object", "properties": {"rare": {"anyOf": [{"type": "string"}]}, "n": {"type": "integer"}}}
    compiled = draft7.compile_schema(subject)
    assert [e.validator for e in compiled.iter_errors({"n": "x"})] == ["type"]
    assert compiled.reference is None
    list(compiled.iter_errors({"rare": 1}))
    assert compiled.reference is not None


def test_a_limit_keeps_the_first_errors_in_order() -> None:
    subject = {"type": "object", "additionalProperties": {"type": "integer"}}
    compiled = draft7.compile_schema(subject)
    instance = {f"k{i}": "x" for i in range(50)}
    every, more = compiled.errors(instance)
    assert len(every) == 50 and not more
    first, more = compiled.errors(instance, limit=10)
    assert more and [signature(e) for e in first] == [signature(e) for e in every[:10]]
    exact, more = compiled.errors(instance, limit=50)
    assert len(exact) == 50 and not more


def test_a_ref_cycle_is_unsupported() -> None:
    subject = {"$ref": "#/definitions/a", "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}}}
    assert "cycle" in (draft7.supports(subject) or "")

