"""Traffic Policy expressions: found in a file, parsed as CEL, and placed back in the file's text.

What is CEL in a Traffic Policy (ngrok's `traffic-policy/how-it-works.mdx` and action pages):

* every item of a rule's ``expressions`` list;
* every item of a ``rate-limit`` action's ``bucket_key`` list;
* each ``${…}`` interpolation inside a string of an action's config field that the docs mark as
  accepting CEL (`cel={true}` on the field in `ngrok_lint/facts/traffic_policy.json`).

The parser is cel-python's (``celpy.CELParser``, its Lark grammar of the CEL spec), an optional
dependency: ``pip install 'ngrok-lint[cel]'``. It is imported only when a file holds an expression
(importing it costs about 0.2 s and building its parser about 0.5 s, once per process), so the plain
lint path of a file without expressions never pays for it (``tests/test_import_cost.py``). Without
it, expressions are not parsed: NGL002 reports no expression syntax error and NGL010 checks action
types only; ``parser_available()`` says which, and the rule docs say how to install it.

Positions. A finding points at the offending character inside the YAML string: the expression's
offset in the decoded value is mapped back to the file through the scalar's quoting: plain and
single-quoted one-line scalars (``''`` is one quote), double-quoted one-line scalars (each escape is
one character), and literal block scalars (``|``: one text line per value line, behind the block's
indentation). A folded block (``>``) or a quoted scalar written over several lines folds line breaks,
so the position falls back to the scalar's start; so does a policy written as a YAML string or read
from ``traffic_policy_file`` (the policy key).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Tuple

from ngrok_lint.loader import Document
from ngrok_lint.model import Span, YamlPath


class Expression(NamedTuple):
    text: str  # the CEL source
    path: YamlPath  # the YAML value that holds it
    offset: int  # where `text` starts inside that value's decoded string
    inline: bool  # False: written in a policy string or file (positions then fall back to `anchor`)
    anchor: YamlPath  # the policy key of a policy written as text or in a file
    phase: str


class SyntaxProblem(NamedTuple):
    message: str
    offset: int  # into the expression text


# --- finding the expressions ------------------------------------------------------------------


def find(doc: Document, base_dir: Optional[str]) -> List[Expression]:
    """Every CEL expression of the file's Traffic Policies, in file order (memoised per document)."""
    key = ("cel-expressions", base_dir)
    memo = getattr(doc, "memo", None)
    if memo is not None and key in memo:
        found: List[Expression] = memo[key]
        return found
    from ngrok_lint import walk

    found = []
    for site in walk.sites(doc, base_dir):
        policy = site.policy
        if policy is None:
            continue
        for phase in walk.PHASES:
            rules = policy.data.get(phase)
            if not isinstance(rules, list):
                continue
            for rule_index, rule in enumerate(rules):
                if isinstance(rule, dict):
                    found.extend(_rule_expressions(policy, phase, rule_index, rule))
    if memo is not None:
        memo[key] = found
    return found


def _rule_expressions(policy: Any, phase: str, rule_index: int, rule: Dict[str, Any]) -> Iterator[Expression]:
    base: YamlPath = policy.path + (phase, rule_index) if policy.inline else policy.path

    def at(*rest: Any) -> YamlPath:
        return base + rest if policy.inline else policy.path

    def expr(text: str, path: YamlPath, offset: int = 0) -> Expression:
        return Expression(text, path, offset, policy.inline, policy.path, phase)

    expressions = rule.get("expressions")
    if isinstance(expressions, list):
        for index, item in enumerate(expressions):
            if isinstance(item, str):
                yield expr(item, at("expressions", index))
    actions = rule.get("actions")
    if not isinstance(actions, list):
        return
    for index, action in enumerate(actions):
        if not isinstance(action, dict) or not isinstance(action.get("config"), dict):
            continue
        config = action["config"]
        action_type = action.get("type")
        if action_type == "rate-limit" and isinstance(config.get("bucket_key"), list):
            for key_index, item in enumerate(config["bucket_key"]):
                if isinstance(item, str):
                    yield expr(item, at("actions", index, "config", "bucket_key", key_index))
        cel_fields = cel_config_fields(action_type) if isinstance(action_type, str) else frozenset()
        for name, value in config.items():
            if name in cel_fields:
                for path, text in _strings(value, at("actions", index, "config", name), policy.inline):
                    for start, body in interpolations(text):
                        yield expr(body, path, start)


def _strings(value: Any, path: YamlPath, extend: bool) -> Iterator[Tuple[YamlPath, str]]:
    """Every string inside `value`, with its path (not extended for a policy written as text: its
    positions are the policy key's)."""
    if isinstance(value, str):
        yield path, value
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, inner in items:
        yield from _strings(inner, path + (key,) if extend else path, extend)


def interpolations(text: str) -> Iterator[Tuple[int, str]]:
    """(offset of the CEL text, CEL text) of every `${…}` in a string. Braces inside CEL string
    literals do not close it; an interpolation that is never closed is yielded to its end (the
    parser then says what is missing)."""
    start = text.find("${")
    while start >= 0:
        depth, index, quote = 1, start + 2, ""
        while index < len(text) and depth:
            char = text[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            index += 1
        end = index - 1 if depth == 0 else len(text)
        yield start + 2, text[start + 2:end]
        start = text.find("${", index)


# --- the facts --------------------------------------------------------------------------------

_FACTS: Dict[str, Any] = {}


def facts() -> Dict[str, Any]:
    """`ngrok_lint/facts/traffic_policy.json`, read once per process."""
    if not _FACTS:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "facts", "traffic_policy.json")
        with open(path, encoding="utf-8") as handle:
            _FACTS.update(json.load(handle))
    return _FACTS


def cel_config_fields(action_type: str) -> frozenset:
    for action in facts()["actions"]:
        if action["type"] == action_type or (action_type == "oidc" and action["type"] == "openid-connect"):
            return frozenset(f["name"] for f in action["fields"] if f.get("cel"))
    return frozenset()


# --- parsing ----------------------------------------------------------------------------------

_PARSER: List[Any] = []  # [celpy.CELParser] once built, [None] when cel-python is not installed


def parser_available() -> bool:
    return _parser() is not None


def _parser() -> Any:
    if not _PARSER:
        try:
            from celpy.celparser import CELParser
        except ImportError:
            _PARSER.append(None)
        else:
            _PARSER.append(CELParser())
    return _PARSER[0]


def parse(doc: Document, expression: Expression) -> Any:
    """The CEL tree of an expression, a SyntaxProblem, or None when no parser is installed.
    Parsed once per document."""
    memo = getattr(doc, "memo", None)
    key = ("cel-tree", expression.text)
    if memo is not None and key in memo:
        return memo[key]
    result = parse_text(expression.text)
    if memo is not None:
        memo[key] = result
    return result


_TOKEN_WORDS = {"RSQB": "`]`", "RPAR": "`)`", "RBRACE": "`}`", "COLON": "`:`", "COMMA": "`,`"}


#: Longer expressions are not parsed: the parser takes about a second per 10,000 characters, and
#: no real policy comes near (hostile input must not stall a run).
MAX_LENGTH = 10_000


def parse_text(text: str) -> Any:
    cel = _parser()
    if cel is None or len(text) > MAX_LENGTH:
        return None
    if not text.strip():
        return SyntaxProblem("the expression is empty", 0)
    from celpy.celparser import CELParseError

    try:
        return cel.parse(text)
    except CELParseError as exc:
        return _problem(text, exc)
    except RecursionError:
        return SyntaxProblem("the expression nests too deeply to parse", 0)


def _problem(text: str, exc: Any) -> SyntaxProblem:
    cause = exc.__context__
    token = getattr(cause, "token", None)
    expected = sorted(getattr(cause, "expected", None) or getattr(cause, "allowed", None) or ())
    wanted = [_TOKEN_WORDS[name] for name in expected if name in _TOKEN_WORDS]
    hint = f" (expected {' or '.join(wanted)})" if wanted and len(wanted) == len(expected) else ""
    if token is not None and (token.type in ("$END", "") or token.start_pos is None):
        return SyntaxProblem(f"the expression ends too early{hint}", len(text.rstrip()))
    if token is not None:
        return SyntaxProblem(f"unexpected `{token.value}`{hint}", token.start_pos)
    offset = getattr(cause, "pos_in_stream", None)
    if isinstance(offset, int) and 0 <= offset < len(text):
        char = text[offset]
        if char in "'\"":
            return SyntaxProblem("a string that is never closed", offset)
        return SyntaxProblem(f"unexpected character `{char}`", offset)
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    return SyntaxProblem(str(exc.args[0]).splitlines()[0] if exc.args else "does not parse", _offset(text, line, column))


def _offset(text: str, line: Optional[int], column: Optional[int]) -> int:
    if not line or not column:
        return 0
    lines = text.split("\n")
    return sum(len(lines[i]) + 1 for i in range(min(line - 1, len(lines)))) + column - 1


# --- positions --------------------------------------------------------------------------------


def span(doc: Document, expression: Expression, offset: int, length: int = 1) -> Span:
    """Where character `offset` of the expression (and `length` more) stands in the file: inside the
    YAML string when its quoting allows an exact mapping, else the whole scalar (see module docs)."""
    path = expression.path if expression.inline else expression.anchor
    whole = doc.value_span(path)
    if not expression.inline:
        return whole
    loc = doc.loc(path)
    if loc is None:
        return whole
    start = _file_offset(doc.text, whole, loc.style, expression.offset + offset)
    if start is None:
        return whole
    end = _file_offset(doc.text, whole, loc.style, expression.offset + offset + max(length, 1))
    if end is None or end <= start:
        end = start + 1
    from ngrok_lint.positions import line_col

    line, column = line_col(doc.text, start)
    end_line, end_column = line_col(doc.text, end)
    return Span(line, column, end_line, end_column, start, end)


def _file_offset(text: str, whole: Span, style: Optional[str], index: int) -> Optional[int]:
    """The offset in `text` of character `index` of the scalar's decoded value at `whole`, or None."""
    start = whole.start
    if style is None:
        source = text[start:whole.end]
        if "\n" in source or "\r" in source or index > len(source):
            return None
        return start + index
    if style == "'":
        return _walk_quoted(text, start + 1, whole.end - 1, index, "'")
    if style == '"':
        return _walk_quoted(text, start + 1, whole.end - 1, index, '"')
    if style == "|":
        return _walk_literal(text, start, whole.end, index)
    return None


_ESCAPE_WIDTH = {"x": 2, "u": 4, "U": 8}


def _walk_quoted(text: str, begin: int, end: int, index: int, quote: str) -> Optional[int]:
    source = text[begin:end]
    if "\n" in source or "\r" in source:
        return None  # line folding: not mapped
    position, decoded = begin, 0
    while position <= end:
        if decoded == index:
            return position
        if position == end:
            return None
        char = text[position]
        if quote == "'" and char == "'" and text[position + 1:position + 2] == "'":
            position += 2
        elif quote == '"' and char == "\\":
            kind = text[position + 1:position + 2]
            position += 2 + _ESCAPE_WIDTH.get(kind, 0)
        else:
            position += 1
        decoded += 1
    return None


def _walk_literal(text: str, begin: int, end: int, index: int) -> Optional[int]:
    """A literal block: the value's lines are the text's lines after the header, minus the indent."""
    header_end = text.find("\n", begin)
    if header_end < 0:
        return None
    lines_start = header_end + 1
    body = text[lines_start:end]
    lines = body.split("\n")
    indent = None
    for line in lines:
        if line.strip():
            indent = len(line) - len(line.lstrip(" "))
            break
    if indent is None:
        return None
    remaining, offset = index, lines_start
    for line in lines:
        content = (line[indent:] if len(line) >= indent else "").rstrip("\r")  # a CRLF break is one character
        if remaining <= len(content):
            return offset + min(indent, len(line)) + remaining
        remaining -= len(content) + 1
        offset += len(line) + 1
    return None


# --- names ------------------------------------------------------------------------------------


class Name(NamedTuple):
    kind: str  # "variable" or "macro"
    written: str  # as written: `req.Headers`, `url.escap`, `startswith`
    suggestions: Tuple[str, ...]
    offset: int  # into the expression text
    length: int


#: CEL's own functions and methods (cel-spec `doc/langdef.md`, "List of Standard Definitions"),
#: and its type names, which may stand as identifiers.
CEL_FUNCTIONS = frozenset({
    "bool", "bytes", "double", "duration", "dyn", "has", "int", "matches", "size", "string", "timestamp",
    "type", "uint",
})
CEL_METHODS = frozenset({
    "all", "contains", "endsWith", "exists", "exists_one", "filter", "getDate", "getDayOfMonth", "getDayOfWeek",
    "getDayOfYear", "getFullYear", "getHours", "getMilliseconds", "getMinutes", "getMonth", "getSeconds", "map",
    "matches", "size", "startsWith",
})
CEL_IDENTIFIERS = frozenset({"bool", "bytes", "double", "int", "list", "map", "null_type", "string", "type", "uint"})
#: Macros that bind their first argument as a variable in the others.
COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "filter", "map", "sortBy"})
#: Roots whose fields the policy itself defines (`set-vars`).
OPEN_ROOTS = frozenset({"vars"})


class Catalogue(NamedTuple):
    tree: Dict[str, Any]  # variable name steps -> subtree ("[]" for an index)
    functions: frozenset
    methods: frozenset
    namespaces: Dict[str, frozenset]


_CATALOGUE: List[Catalogue] = []


def catalogue() -> Catalogue:
    if not _CATALOGUE:
        tree: Dict[str, Any] = {}
        for row in facts()["variables"]:
            node = tree
            for step in _steps(row["name"]):
                node = node.setdefault(step, {})
        functions, methods = set(CEL_FUNCTIONS), set(CEL_METHODS)
        namespaces: Dict[str, set] = {}
        for row in facts()["macros"]:
            if row["kind"] == "function":
                functions.add(row["name"])
            elif row["kind"] == "method":
                methods.add(row["name"])
            else:
                namespaces.setdefault(row["receiver"], set()).add(row["name"])
        _CATALOGUE.append(Catalogue(
            tree, frozenset(functions), frozenset(methods), {k: frozenset(v) for k, v in namespaces.items()}
        ))
    return _CATALOGUE[0]


def _steps(name: str) -> List[str]:
    steps: List[str] = []
    for part in name.replace("[", ".[").split("."):
        if part.startswith("["):
            steps.extend("[]" for _ in range(part.count("[")))
        elif part:
            steps.append(part)
    return steps


def unknown_names(tree: Any) -> List[Name]:
    """Variables and macros of a parsed expression that ngrok's reference does not list."""
    found: List[Name] = []
    try:
        _visit(tree, frozenset(), catalogue(), found)
    except RecursionError:
        return []  # nested hundreds deep: not a policy a person wrote; its names go unchecked
    return found


def _children(node: Any) -> List[Any]:
    return list(getattr(node, "children", []))


def _token_at(token: Any) -> Tuple[int, int]:
    return (token.start_pos or 0, len(str(token)))


#: Grammar levels that wrap a single operand (`expr` -> … -> `member` -> `primary`).
_WRAPPERS = frozenset({
    "expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication", "unary", "member", "primary",
})


def _chain(node: Any) -> Optional[Tuple[List[Tuple[str, Any]], List[Any]]]:
    """A member chain `a.b[c].d` as [(step, token)], with the index expressions to visit; None when
    it does not start at a plain identifier."""
    data = getattr(node, "data", None)
    kids = _children(node)
    if data in _WRAPPERS and len(kids) == 1:
        return _chain(kids[0])
    if data == "ident":
        return [(str(kids[0]), kids[0])], []
    if data == "member_dot":
        inner = _chain(kids[0])
        return None if inner is None else (inner[0] + [(str(kids[1]), kids[1])], inner[1])
    if data == "member_index":
        inner = _chain(kids[0])
        return None if inner is None else (inner[0] + [("[]", None)], inner[1] + [kids[1]])
    return None


def _visit(node: Any, bound: frozenset, cat: Catalogue, found: List[Name]) -> None:
    data = getattr(node, "data", None)
    if data is None:
        return
    kids = _children(node)
    if data in ("member_dot", "member_index", "ident"):
        chain = _chain(node)
        if chain is not None:
            steps, side = chain
            _check_chain(steps, bound, cat, found)
            for sub in side:
                _visit(sub, bound, cat, found)
            return
    if data == "member_dot_arg":
        receiver, method = kids[0], kids[1]
        args = _children(kids[2]) if len(kids) > 2 and kids[2] is not None else []
        receiver_chain = _chain(receiver)
        name = str(method)
        root = receiver_chain[0][0][0] if receiver_chain and len(receiver_chain[0]) == 1 else None
        if root is not None and root in cat.namespaces and root not in bound:
            if name not in cat.namespaces[root]:
                _report(found, "macro", f"{root}.{name}", name, sorted(cat.namespaces[root]), method, f"{root}.")
        else:
            if name not in cat.methods:
                _report(found, "macro", name, name, sorted(cat.methods), method)
            _visit(receiver, bound, cat, found)
        inner = bound
        if name in COMPREHENSIONS and len(args) >= 2:
            var = _chain(args[0])
            if var is not None and len(var[0]) == 1:
                inner = bound | {var[0][0][0]}
                args = args[1:]
        for arg in args:
            _visit(arg, inner, cat, found)
        return
    if data == "ident_arg":
        name = str(kids[0])
        args = _children(kids[1]) if len(kids) > 1 and kids[1] is not None else []
        if name not in cat.functions:
            _report(found, "macro", name, name, sorted(cat.functions), kids[0])
        if name == "has":
            return  # has() tests whether a field is there: any name may be asked about
        for arg in args:
            _visit(arg, bound, cat, found)
        return
    for kid in kids:
        _visit(kid, bound, cat, found)


def _check_chain(steps: List[Tuple[str, Any]], bound: frozenset, cat: Catalogue, found: List[Name]) -> None:
    root, token = steps[0]
    if root in bound or root in OPEN_ROOTS or root in CEL_IDENTIFIERS:
        return
    if root not in cat.tree:
        roots = sorted(set(cat.tree) | OPEN_ROOTS | set(bound))
        _report(found, "variable", root, root, roots, token)
        return
    node = cat.tree[root]
    written = root
    for step, step_token in steps[1:]:
        if step in node:
            node = node[step]
            written += step if step == "[]" else f".{step}"
            continue
        named = [k for k in node if k != "[]"]
        if step != "[]" and named:
            _report(found, "variable", f"{written}.{step}", step, named, step_token, f"{written}.")
        return


def _report(found: List[Name], kind: str, written: str, name: str, options: List[str], token: Any, prefix: str = "") -> None:
    from difflib import get_close_matches

    by_lower = {o.lower(): o for o in options}
    close = get_close_matches(name.lower(), list(by_lower), n=3, cutoff=0.75)
    offset, length = _token_at(token) if token is not None else (0, 1)
    found.append(Name(kind, written, tuple(prefix + by_lower[c] for c in close), offset, length))


def known_action_types() -> List[str]:
    types = [a["type"] for a in facts()["actions"]]
    return sorted(set(types) | ({"oidc"} if "openid-connect" in types else set()))
