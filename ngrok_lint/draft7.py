"""A small, fast validator for the draft-07 subset the published schemas use, compiled once per
process into nested closures.

Why: jsonschema is the reference, but on the lint path it costs about 40 ms to import and several
milliseconds per 200-line file to validate (a new validator object per subschema visited). This
module gives exactly jsonschema 4's errors for the keywords it supports, at a fraction of the cost:

- :func:`compile_schema` returns a :class:`Validator` whose subschemas are compiled lazily, the first
  time an instance reaches them: a small file pays only for the part of the schema it uses.
- Each subschema is checked for support when it is compiled. On the first keyword or ``$ref`` this
  module does not handle, the validator switches for good to jsonschema (or the fallback it was
  given) and answers from it, so a schema that grows a new keyword stays correct, only slower.
  :func:`supports` answers the same question for a whole schema beforehand (tests use it to keep
  the published schemas on the fast path).
- Each error carries what jsonschema's ``ValidationError`` carries and :mod:`ngrok_lint.schema`
  reads: ``validator`` (the keyword), ``validator_value``, ``instance``, ``schema`` (the subschema
  holding the keyword), ``absolute_path``, ``absolute_schema_path``, and ``message`` (jsonschema's
  wording, built only when asked for). Errors come in jsonschema's order.

Supported: ``type``, ``enum``, ``const``, ``pattern``, ``minLength``/``maxLength``,
``minimum``/``maximum``/``exclusiveMinimum``/``exclusiveMaximum``, ``multipleOf``,
``minItems``/``maxItems``, ``items`` (one schema or a list), ``properties``,
``patternProperties``, ``additionalProperties``, ``required``, ``allOf``, ``not``,
``if``/``then``/``else``, local ``$ref`` (``#`` and ``#/…`` pointers, siblings ignored as draft-07
says), boolean schemas; ``format`` is an annotation, as in jsonschema without a format checker, and
so is every keyword draft-07 does not define. Anything else (``anyOf``, ``oneOf``, ``dependencies``,
``contains``, ``propertyNames``, ``uniqueItems``, remote references, nested ``$id``) is unsupported.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple, cast

__all__ = ["Unsupported", "ValidationError", "Validator", "compile_schema", "supports"]

# An instance path as the validator carries it down: None at the root, else (parent, key).
IPath = Optional[Tuple[Any, Any]]
Check = Callable[[Any, IPath, "_Sink"], None]


class Unsupported(Exception):
    """The schema uses something this module does not handle (the reason is the message)."""


#: Every keyword jsonschema's Draft7Validator acts on; any other key is an annotation.
DRAFT7_KEYWORDS = frozenset({
    "$ref", "additionalItems", "additionalProperties", "allOf", "anyOf", "const", "contains",
    "dependencies", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items",
    "maxItems", "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties",
    "minimum", "multipleOf", "not", "oneOf", "pattern", "patternProperties", "properties",
    "propertyNames", "required", "type", "uniqueItems",
})
SUPPORTED = frozenset({
    "$ref", "additionalProperties", "allOf", "const", "enum", "exclusiveMaximum", "exclusiveMinimum",
    "format", "if", "items", "maxItems", "maxLength", "maximum", "minItems", "minLength", "minimum",
    "multipleOf", "not", "pattern", "patternProperties", "properties", "required", "type",
})
#: Keywords that act on nothing by themselves (`then`/`else` belong to `if`).
_INERT = frozenset({"format", "then", "else"})
_TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})


# --- errors -----------------------------------------------------------------------------------


class ValidationError:
    """One error, with the fields of jsonschema's ``ValidationError`` that callers read."""

    __slots__ = ("validator", "validator_value", "instance", "schema", "_ipath", "_spath")

    context: Tuple[Any, ...] = ()  # only anyOf/oneOf have sub-errors, and they are not supported
    parent = None
    cause = None

    def __init__(self, keyword: Optional[str], value: Any, instance: Any, schema: Any, ipath: IPath,
                 spath: Tuple[Any, ...]) -> None:
        self.validator = keyword
        self.validator_value = value
        self.instance = instance
        self.schema = schema
        self._ipath = ipath
        self._spath = spath

    @property
    def absolute_path(self) -> "deque[Any]":
        keys: List[Any] = []
        node = self._ipath
        while node is not None:
            keys.append(node[1])
            node = node[0]
        keys.reverse()
        return deque(keys)

    path = relative_path = absolute_path

    @property
    def absolute_schema_path(self) -> "deque[Any]":
        return deque(self._spath)

    schema_path = relative_schema_path = absolute_schema_path

    @property
    def message(self) -> str:
        return _message(self.validator, self.validator_value, self.instance, self.schema)

    def __repr__(self) -> str:
        return f"<ValidationError: {self.message!r}>"


def _message(keyword: Optional[str], value: Any, instance: Any, schema: Any) -> str:
    """jsonschema 4's wording for each keyword (kept identical so either validator can be used)."""
    if keyword is None:
        return f"False schema does not allow {instance!r}"
    if keyword == "type":
        types = [value] if isinstance(value, str) else value
        return f"{instance!r} is not of type {', '.join(repr(t) for t in types)}"
    if keyword == "enum":
        return f"{instance!r} is not one of {value!r}"
    if keyword == "const":
        return f"{value!r} was expected"
    if keyword == "pattern":
        return f"{instance!r} does not match {value!r}"
    if keyword == "minimum":
        return f"{instance!r} is less than the minimum of {value!r}"
    if keyword == "maximum":
        return f"{instance!r} is greater than the maximum of {value!r}"
    if keyword == "exclusiveMinimum":
        return f"{instance!r} is less than or equal to the minimum of {value!r}"
    if keyword == "exclusiveMaximum":
        return f"{instance!r} is greater than or equal to the maximum of {value!r}"
    if keyword == "multipleOf":
        return f"{instance!r} is not a multiple of {value}"
    if keyword in ("minLength", "minItems"):
        return f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}"
    if keyword in ("maxLength", "maxItems"):
        return f"{instance!r} {'is expected to be empty' if value == 0 else 'is too long'}"
    if keyword == "not":
        return f"{instance!r} should not be valid under {value!r}"
    if keyword == "additionalProperties":
        extras = _extras(instance, schema)
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            return f"{joined} {verb} not match any of the regexes: {patterns}"
        ordered = sorted(extras, key=str)
        verb = "was" if len(ordered) == 1 else "were"
        return f"Additional properties are not allowed ({', '.join(repr(e) for e in ordered)} {verb} unexpected)"
    return f"{instance!r} is not valid under the schema"  # pragma: no cover - every keyword is above


def _extras(instance: Dict[Any, Any], schema: Dict[str, Any]) -> Set[Any]:
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    return {k for k in instance if k not in properties and not (patterns and re.search(patterns, k))}


class _Stop(Exception):
    """Raised when a sink is full: a probe saw its first error, or a run reached its limit."""


class _Sink(list):  # type: ignore[type-arg]
    """The errors of one run, in order; full after `limit` errors."""

    __slots__ = ("limit",)

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit


def _emit(out: _Sink, error: ValidationError) -> None:
    out.append(error)
    if len(out) > out.limit:
        raise _Stop


def _holds(check: Check, instance: Any) -> bool:
    """Is `instance` valid against a compiled subschema? (jsonschema's ``is_valid``.)"""
    try:
        check(instance, None, _Sink(0))
    except _Stop:
        return False
    return True


# --- value semantics, as jsonschema has them --------------------------------------------------


def _unbool(value: Any, true: object = object(), false: object = object()) -> Any:
    if value is True:
        return true
    if value is False:
        return false
    return value


def equal(one: Any, two: Any) -> bool:
    """JSON equality: `true` is not `1`, recursively (jsonschema's ``_utils.equal``)."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(k in two and equal(v, two[k]) for k, v in one.items())
    return bool(_unbool(one) == _unbool(two))


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, (str, list, dict)) or value is None:
        return False
    import numbers  # other Number types never come from YAML; checked as jsonschema does

    return isinstance(value, numbers.Number)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPE_TESTS: Dict[str, Callable[[Any], bool]] = {
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "integer": _is_integer,
    "null": lambda v: v is None,
    "number": _is_number,
    "object": lambda v: isinstance(v, dict),
    "string": lambda v: isinstance(v, str),
}
# Exact classes that settle a type at once (subclasses and whole floats take the slow test).
_TYPE_CLASSES: Dict[str, Tuple[type, ...]] = {
    "array": (list,), "boolean": (bool,), "integer": (int,), "null": (type(None),),
    "number": (int, float), "object": (dict,), "string": (str,),
}


# --- support check ----------------------------------------------------------------------------


def _pointer(root: Any, ref: Any) -> Any:
    """The subschema a local `$ref` names; Unsupported for anything but `#` and plain `#/a/b`."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise Unsupported(f"$ref {ref!r} is not local")
    if ref == "#":
        return root
    if not ref.startswith("#/") or "~" in ref or "%" in ref:
        raise Unsupported(f"$ref {ref!r} is not a plain JSON pointer")
    node = root
    for part in ref[2:].split("/"):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise Unsupported(f"$ref {ref!r} does not resolve")
    if not isinstance(node, (dict, bool)):
        raise Unsupported(f"$ref {ref!r} names no schema")
    return node


def supports(root: Any) -> Optional[str]:
    """None when every part of `root` a validation can reach is supported, else the reason."""
    seen: Set[int] = set()
    stack: List[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            return f"a schema that is not an object or a boolean: {node!r}"
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node is not root and "$id" in node:
            return "a nested $id"
        if "$ref" in node:
            chain: Set[int] = set()
            target: Any = node
            while isinstance(target, dict) and "$ref" in target:
                if id(target) in chain:
                    return "a $ref cycle"
                chain.add(id(target))
                try:
                    target = _pointer(root, target["$ref"])
                except Unsupported as exc:
                    return str(exc)
            stack.append(target)
            continue  # draft-07 ignores a $ref's siblings
        for key, value in node.items():
            if key not in DRAFT7_KEYWORDS and key not in ("then", "else"):
                continue
            if key not in SUPPORTED and key not in _INERT:
                return f"the keyword {key!r}"
            problem = _value_problem(key, value)
            if problem:
                return problem
            if key in ("properties", "patternProperties"):
                stack.extend(value.values())
            elif key in ("additionalProperties", "not", "if"):
                stack.append(value)
            elif key in ("then", "else") and "if" in node:
                stack.append(value)
            elif key == "items":
                stack.extend(value if isinstance(value, list) else [value])
            elif key == "allOf":
                stack.extend(value)
    return None


def _value_problem(key: str, value: Any) -> Optional[str]:
    """The keyword values jsonschema would reject or read differently than this module."""
    if key == "type":
        types = [value] if isinstance(value, str) else value
        if not isinstance(types, list) or not all(isinstance(t, str) and t in _TYPES for t in types):
            return f"type {value!r}"
    elif key in ("properties", "patternProperties"):
        if not isinstance(value, dict):
            return f"{key} that is not an object"
    elif key in ("required", "enum", "allOf"):
        if not isinstance(value, list):
            return f"{key} that is not a list"
        if key == "required" and not all(isinstance(v, str) for v in value):
            return "required with a name that is not a string"
    elif key in ("pattern",):
        if not isinstance(value, str):
            return "pattern that is not a string"
    elif key in ("minLength", "maxLength", "minItems", "maxItems"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{key} {value!r}"
    elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{key} {value!r}"
    elif key == "additionalProperties":
        if not isinstance(value, (bool, dict)):
            return "additionalProperties that is not a schema"
    return None


# --- compiling --------------------------------------------------------------------------------


def _noop(instance: Any, ipath: IPath, out: _Sink) -> None:
    return None


class _Compiler:
    """Compiles the subschemas of one root, each at its absolute schema path."""

    def __init__(self, root: Any) -> None:
        self.root = root

    # Lazy children: a stub compiles its subschema on the first call and puts the result in the
    # slot the parent reads, so later calls go straight to the compiled check.
    def lazy(self, slot: Any, key: Any, schema: Any, spath: Tuple[Any, ...]) -> Check:
        def stub(instance: Any, ipath: IPath, out: _Sink) -> None:
            check = self.node(schema, spath)
            slot[key] = check
            check(instance, ipath, out)

        return stub

    def descend(self, slot: Any, key: Any, schema: Any, here: Tuple[Any, ...], step: Tuple[Any, ...],
                keyed: bool) -> Check:
        """A child check, as jsonschema's ``descend`` makes one: at schema path `here + step`, one
        instance key deeper when `keyed`. A `false` subschema is the exception: jsonschema reports
        it before adding the step, so its error keeps the parent's instance path and `here`."""
        if schema is False:
            def false(instance: Any, ipath: IPath, out: _Sink) -> None:
                if keyed and ipath is not None:
                    _emit(out, _FalseError(ipath[1], instance, ipath[0], here))
                else:
                    _emit(out, ValidationError(None, None, instance, False, ipath, here))

            return false
        return self.lazy(slot, key, schema, here + step)

    def node(self, schema: Any, spath: Tuple[Any, ...]) -> Check:
        """The check of one subschema (a no-op when it can never fail); Unsupported when it uses
        what this module does not handle."""
        if not isinstance(schema, (bool, dict)):
            raise Unsupported(f"a schema that is not an object or a boolean: {schema!r}")
        if schema is True:
            return _noop
        if schema is False:
            def false(instance: Any, ipath: IPath, out: _Sink) -> None:
                _emit(out, ValidationError(None, None, instance, False, ipath, spath))

            return false
        seen: Set[int] = set()
        while "$ref" in schema:  # draft-07 ignores a $ref's siblings; the schema path gains nothing
            if id(schema) in seen:
                raise Unsupported("a $ref cycle")
            seen.add(id(schema))
            schema = _pointer(self.root, schema["$ref"])
            if isinstance(schema, bool):
                return self.node(schema, spath)
        if schema is not self.root and "$id" in schema:
            raise Unsupported("a nested $id")
        checks: List[Check] = []
        for key, value in schema.items():
            if key not in DRAFT7_KEYWORDS or key in _INERT:
                continue
            if key not in SUPPORTED:
                raise Unsupported(f"the keyword {key!r}")
            problem = _value_problem(key, value)
            if problem:
                raise Unsupported(problem)
            check = getattr(self, "k_" + key)(value, schema, spath)
            if check is not None:
                checks.append(check)
        return _sequence(checks)

    # --- keywords: each returns a check, or None when it can never fail -------------------

    def k_type(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        names = [value] if isinstance(value, str) else list(value)
        fast = frozenset(c for name in names for c in _TYPE_CLASSES[name])  # exact classes: bool is not int
        tests = tuple(_TYPE_TESTS[name] for name in names)
        here = spath + ("type",)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if instance.__class__ in fast:
                return
            for test in tests:
                if test(instance):
                    return
            _emit(out, ValidationError("type", value, instance, schema, ipath, here))

        return check

    def k_enum(self, value: List[Any], schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        strings = frozenset(v for v in value if isinstance(v, str))
        others = [v for v in value if not isinstance(v, str)]
        here = spath + ("enum",)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if isinstance(instance, str):
                if instance in strings:
                    return
            elif any(equal(each, instance) for each in others):
                return
            _emit(out, ValidationError("enum", value, instance, schema, ipath, here))

        return check

    def k_const(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        here = spath + ("const",)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if not equal(instance, value):
                _emit(out, ValidationError("const", value, instance, schema, ipath, here))

        return check

    def k_pattern(self, value: str, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        here = spath + ("pattern",)
        compiled: List[Any] = []  # compiled on first use: most patterns never see a value

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if not isinstance(instance, str):
                return
            if not compiled:
                compiled.append(re.compile(value).search)
            if compiled[0](instance) is None:
                _emit(out, ValidationError("pattern", value, instance, schema, ipath, here))

        return check

    def _bound(self, keyword: str, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...],
               fails: Callable[[Any], bool], applies: Callable[[Any], bool]) -> Check:
        here = spath + (keyword,)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if applies(instance) and fails(instance):
                _emit(out, ValidationError(keyword, value, instance, schema, ipath, here))

        return check

    def k_minimum(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("minimum", value, schema, spath, lambda i: bool(i < value), _is_number)

    def k_maximum(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("maximum", value, schema, spath, lambda i: bool(i > value), _is_number)

    def k_exclusiveMinimum(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("exclusiveMinimum", value, schema, spath, lambda i: bool(i <= value), _is_number)

    def k_exclusiveMaximum(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("exclusiveMaximum", value, schema, spath, lambda i: bool(i >= value), _is_number)

    def k_multipleOf(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        def fails(instance: Any) -> bool:
            if isinstance(value, float):
                quotient = instance / value
                try:
                    return int(quotient) != quotient
                except OverflowError:
                    from fractions import Fraction

                    return (Fraction(instance) / Fraction(value)).denominator != 1
            return bool(instance % value)

        return self._bound("multipleOf", value, schema, spath, fails, _is_number)

    def k_minLength(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("minLength", value, schema, spath, lambda i: len(i) < value, lambda i: isinstance(i, str))

    def k_maxLength(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("maxLength", value, schema, spath, lambda i: len(i) > value, lambda i: isinstance(i, str))

    def k_minItems(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("minItems", value, schema, spath, lambda i: len(i) < value, lambda i: isinstance(i, list))

    def k_maxItems(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        return self._bound("maxItems", value, schema, spath, lambda i: len(i) > value, lambda i: isinstance(i, list))

    def k_required(self, value: List[str], schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        if not value:
            return None
        names = tuple(value)
        here = spath + ("required",)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if isinstance(instance, dict):
                for name in names:
                    if name not in instance:
                        # one error per missing name, as jsonschema gives; each names its own key
                        _emit(out, _RequiredError(name, value, instance, schema, ipath, here))

        return check

    def k_properties(self, value: Dict[str, Any], schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        table: Dict[Any, Check] = {}
        position: Dict[Any, int] = {}
        for index, (name, sub) in enumerate(value.items()):
            position[name] = index
            if sub is True or (isinstance(sub, dict) and _inert(sub)):
                continue
            table[name] = self.descend(table, name, sub, spath + ("properties",), (name,), True)
        if not table:
            return None

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if not isinstance(instance, dict):
                return
            start = len(out)
            # Visit the instance's keys (few) rather than the schema's (many); jsonschema visits
            # them in schema order, so errors from several keys are put back in that order.
            for key, item in instance.items():
                sub = table.get(key)
                if sub is not None:
                    sub(item, (ipath, key), out)
            if len(out) > start:
                _reorder(out, start, ipath, position)

        return check

    def k_patternProperties(self, value: Dict[str, Any], schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        searches = [re.compile(pattern).search for pattern in value]
        cells: List[Check] = []
        for index, (pattern, sub) in enumerate(value.items()):
            cells.append(self.descend(cells, index, sub, spath + ("patternProperties",), (pattern,), True))
        if not cells:
            return None

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if not isinstance(instance, dict):
                return
            for index, search in enumerate(searches):
                for key, item in instance.items():
                    if search(key):
                        cells[index](item, (ipath, key), out)

        return check

    def k_additionalProperties(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        if value is True:
            return None
        known = frozenset(schema.get("properties", {}))
        patterns = "|".join(schema.get("patternProperties", {}))
        search = re.compile(patterns).search if patterns else None

        def extra(key: Any) -> bool:
            return key not in known and not (search is not None and search(key))

        if value is False:
            here = spath + ("additionalProperties",)

            def closed(instance: Any, ipath: IPath, out: _Sink) -> None:
                if isinstance(instance, dict):
                    for key in instance:
                        if extra(key):
                            _emit(out, ValidationError("additionalProperties", value, instance, schema, ipath, here))
                            return

            return closed
        if isinstance(value, dict) and _inert(value):
            return None
        cell: List[Check] = []
        cell.append(self.descend(cell, 0, value, spath + ("additionalProperties",), (), True))

        def each(instance: Any, ipath: IPath, out: _Sink) -> None:
            if isinstance(instance, dict):
                for key, item in instance.items():
                    if extra(key):
                        cell[0](item, (ipath, key), out)

        return each

    def k_items(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        if isinstance(value, list):
            cells: List[Check] = []
            for index, sub in enumerate(value):
                cells.append(self.descend(cells, index, sub, spath + ("items",), (index,), True))

            def tuple_items(instance: Any, ipath: IPath, out: _Sink) -> None:
                if isinstance(instance, list):
                    for index, item in enumerate(instance[: len(cells)]):
                        cells[index](item, (ipath, index), out)

            return tuple_items
        if value is True or (isinstance(value, dict) and _inert(value)):
            return None
        cell: List[Check] = []
        cell.append(self.descend(cell, 0, value, spath + ("items",), (), True))

        def items(instance: Any, ipath: IPath, out: _Sink) -> None:
            if isinstance(instance, list):
                for index, item in enumerate(instance):
                    cell[0](item, (ipath, index), out)

        return items

    def k_allOf(self, value: List[Any], schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        cells: List[Check] = []
        for index, sub in enumerate(value):
            cells.append(self.descend(cells, index, sub, spath + ("allOf",), (index,), False))
        if not cells:
            return None

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            for sub in cells:
                sub(instance, ipath, out)

        return check

    def k_not(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Check:
        cell: List[Check] = []
        cell.append(self.lazy(cell, 0, value, spath + ("not",)))
        here = spath + ("not",)

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            if _holds(cell[0], instance):
                _emit(out, ValidationError("not", value, instance, schema, ipath, here))

        return check

    def k_if(self, value: Any, schema: Dict[str, Any], spath: Tuple[Any, ...]) -> Optional[Check]:
        has_then, has_else = "then" in schema, "else" in schema
        if not has_then and not has_else:
            return None
        branches: List[Check] = [_noop, _noop]
        if has_then:
            branches[0] = self.descend(branches, 0, schema["then"], spath, ("then",), False)
        if has_else:
            branches[1] = self.descend(branches, 1, schema["else"], spath, ("else",), False)
        test = _quick_condition(value)
        if test is None:
            test = self._probe(value, spath + ("if",))

        def check(instance: Any, ipath: IPath, out: _Sink) -> None:
            branches[0 if test(instance) else 1](instance, ipath, out)  # type: ignore[misc]

        return check

    def _probe(self, schema: Any, spath: Tuple[Any, ...]) -> Callable[[Any], bool]:
        cell: List[Check] = []
        cell.append(self.lazy(cell, 0, schema, spath))
        return lambda instance: _holds(cell[0], instance)


class _RequiredError(ValidationError):
    """A `required` error names the one missing key it is about (jsonschema's message does)."""

    __slots__ = ("missing",)

    def __init__(self, missing: str, *args: Any) -> None:
        super().__init__("required", *args)
        self.missing = missing

    @property
    def message(self) -> str:
        return f"{self.missing!r} is a required property"


class _FalseError(ValidationError):
    """A `false` subschema's error, which jsonschema reports at the parent's instance path; the
    key it was reached by is kept for :func:`_reorder`."""

    __slots__ = ("key",)

    def __init__(self, key: Any, instance: Any, ipath: IPath, spath: Tuple[Any, ...]) -> None:
        super().__init__(None, None, instance, False, ipath, spath)
        self.key = key


def _inert(schema: Dict[str, Any]) -> bool:
    """A subschema with no keyword that can fail (descriptions, defaults, examples only)."""
    if "$ref" in schema:
        return False
    return not any(key in DRAFT7_KEYWORDS and key not in _INERT for key in schema)


def _sequence(checks: List[Check]) -> Check:
    if not checks:
        return _noop
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def two(instance: Any, ipath: IPath, out: _Sink) -> None:
            first(instance, ipath, out)
            second(instance, ipath, out)

        return two
    if len(checks) == 3:
        one, two_, three = checks

        def three_checks(instance: Any, ipath: IPath, out: _Sink) -> None:
            one(instance, ipath, out)
            two_(instance, ipath, out)
            three(instance, ipath, out)

        return three_checks
    every = tuple(checks)

    def many(instance: Any, ipath: IPath, out: _Sink) -> None:
        for check in every:
            check(instance, ipath, out)

    return many


def _reorder(out: _Sink, start: int, ipath: IPath, position: Dict[Any, int]) -> None:
    """Put the errors found under several properties back in the schema's property order.

    Every error below this mapping carries an instance path through `(ipath, key)`; the errors of
    one key are already in order, so a stable sort by the key's schema position is exact.
    """
    keyed = []
    for error in out[start:]:
        node = error._ipath
        if node is ipath:  # a `false` property schema: reported at this mapping's own path
            keyed.append((position.get(getattr(error, "key", None), -1), error))
            continue
        while node is not None and node[0] is not ipath:
            node = node[0]
        keyed.append((position.get(node[1], -1) if node is not None else -1, error))
    order = [k for k, _ in keyed]
    if order != sorted(order):
        keyed.sort(key=lambda pair: pair[0])
        out[start:] = [error for _, error in keyed]


def _quick_condition(condition: Any) -> Optional[Callable[[Any], bool]]:
    """A plain test for an `if` of the discriminator shape (`properties` with `const`/`enum`, and
    `required`), the shape the schemas use; None for any other shape."""
    if not isinstance(condition, dict) or not condition or not set(condition) <= {"properties", "required"}:
        return None
    required = tuple(condition.get("required", ()))
    tests: List[Tuple[Any, Callable[[Any], bool]]] = []
    for key, sub in condition.get("properties", {}).items():
        if not isinstance(sub, dict):
            return None
        if set(sub) == {"const"}:
            const = sub["const"]
            # The casts: mypy cannot infer a lambda whose default argument binds the loop value.
            if isinstance(const, str):
                tests.append((key, cast(Callable[[Any], bool], lambda v, c=const: isinstance(v, str) and v == c)))
            else:
                tests.append((key, cast(Callable[[Any], bool], lambda v, c=const: equal(v, c))))
        elif set(sub) == {"enum"} and isinstance(sub["enum"], list):
            options = sub["enum"]
            tests.append((key, cast(Callable[[Any], bool], lambda v, o=options: any(equal(each, v) for each in o))))
        else:
            return None

    def test(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True  # `properties` and `required` hold for anything that is not an object
        for key in required:
            if key not in instance:
                return False
        for key, holds in tests:
            if key in instance and not holds(instance[key]):
                return False
        return True

    return test


# --- the validator ----------------------------------------------------------------------------


class Validator:
    """A compiled schema. ``iter_errors`` and ``is_valid`` behave as jsonschema's do.

    Subschemas are compiled when a value first reaches them, and checked for support then: on the
    first part this module does not handle, the validator switches for good to `fallback(schema)`
    (jsonschema's validator by default) and answers that call, and every later one, from it.
    """

    def __init__(self, schema: Any, fallback: Optional[Callable[[Any], Any]] = None) -> None:
        self.schema = schema
        self._fallback = fallback
        self.reference: Any = None  # the fallback validator, once in use
        compiler = _Compiler(schema)
        self._cell: List[Check] = []
        self._cell.append(compiler.lazy(self._cell, 0, schema, ()))

    def _switch(self) -> Any:
        if self.reference is None:
            if self._fallback is not None:
                self.reference = self._fallback(self.schema)
            else:
                from jsonschema.validators import Draft7Validator

                self.reference = Draft7Validator(self.schema)
        return self.reference

    def errors(self, instance: Any, limit: Optional[int] = None) -> Tuple[List[Any], bool]:
        """Every error in jsonschema's order, or the first `limit` and True when there are more."""
        if self.reference is None:
            out = _Sink(limit if limit is not None else 1 << 62)
            try:
                self._cell[0](instance, None, out)
                return list(out), False
            except _Stop:
                return list(out[: out.limit]), True
            except Unsupported:
                self._switch()
        found: List[Any] = []
        reference: Any = self.reference  # set by _switch() when the fast path gave up above
        for error in reference.iter_errors(instance):
            if limit is not None and len(found) == limit:
                return found, True
            found.append(error)
        return found, False

    def iter_errors(self, instance: Any) -> Iterator[Any]:
        return iter(self.errors(instance)[0])

    def is_valid(self, instance: Any) -> bool:
        if self.reference is None:
            try:
                return _holds(self._cell[0], instance)
            except Unsupported:
                self._switch()
        reference: Any = self.reference  # set by _switch() when the fast path gave up above
        return bool(reference.is_valid(instance))


def compile_schema(schema: Any, fallback: Optional[Callable[[Any], Any]] = None) -> Validator:
    """A validator for `schema`, compiled as values reach its parts (see :class:`Validator`).

    :func:`supports` tells beforehand whether the fallback can ever be needed."""
    return Validator(schema, fallback)
