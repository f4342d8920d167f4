"""Text to a :class:`Document`: plain data as the ngrok agent reads it, plus a position for every
key and value.

Parser choice, measured on this machine (CPython 3.11, 2 cores, median of 10 passes over the 133
real-world corpus files that parse; script in ``bench/parsers.py``): PyYAML's libyaml composer
(``yaml.compose`` with ``CSafeLoader``) takes 0.026 ms per file, PyYAML's pure-Python composer
0.50 ms, and ruamel.yaml's round-trip loader 1.02 ms, about 40 times the libyaml composer. Importing
either library costs about 11 ms. The composer's nodes carry start and end marks for every key and
value, which is all a linter needs, and PyYAML resolves scalars the YAML 1.1 way, as the agent's Go
parser does (``yes``/``on`` are booleans). So the read path uses PyYAML only; ruamel.yaml is
imported by the fix engine alone, where its round-trip is needed.

Aliases are expanded into the plain data with a budget (a "billion laughs" file becomes an NGL001
finding, not a hang), nesting deeper than :data:`MAX_DEPTH` likewise.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

import yaml

from ngrok_lint.model import Span, YamlPath
from ngrok_lint.positions import line_col, line_end

try:  # libyaml is part of every PyYAML wheel we support; fall back rather than fail.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

MAX_NODES = 500_000  # plain-data values built for one file, aliases expanded
MAX_DEPTH = 100  # no real ngrok config nests deeper than about 12; keeps recursion far from Python's limit

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_constructor = yaml.constructor.SafeConstructor()
_SHORT_BOOLEANS = {"y": True, "Y": True, "n": False, "N": False}


class Loc(NamedTuple):
    """Where one value (and its key, when it is a mapping value) stands in the text."""

    value: Span
    key: Optional[Span] = None
    raw: Optional[str] = None  # a scalar's text as written (without quotes)
    style: Optional[str] = None  # a scalar's quote style: None (plain), "'", '"', "|", ">"
    flow: bool = False  # a collection written in flow style


class Duplicate(NamedTuple):
    path: YamlPath
    span: Span
    first_line: int


class ParseProblem(NamedTuple):
    message: str
    span: Span


# Keys only config version 2 has; a version-less file using them is read as v2 (rules.md, Terms).
V2_ONLY_KEYS = frozenset(
    {"schemes", "domain", "basic_auth", "traffic_policy", "policy", "ip_restriction", "oauth",
     "verify_webhook", "mutual_tls_cas", "circuit_breaker", "proxy_url"}
)


class Document:
    """A parsed file: plain data, where every value stands, and what rules work out once (``memo``)."""

    __slots__ = ("path", "text", "data", "locs", "duplicates", "documents", "memo")

    def __init__(self, path: str, text: str, data: Any, locs: Dict[YamlPath, Loc],
                 duplicates: Optional[List[Duplicate]] = None, documents: int = 1) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.locs = locs
        self.duplicates: List[Duplicate] = [] if duplicates is None else duplicates
        self.documents = documents
        #: What is worked out once per document and asked for by many rules (the format, the sites).
        self.memo: Dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"Document({self.path!r}, {len(self.locs)} values)"

    # --- the format -------------------------------------------------------------------------

    @property
    def declared_version(self) -> Optional[str]:
        """`version` as written (int or string), as text; None when absent or null."""
        if not isinstance(self.data, dict):
            return None
        value = self.data.get("version")
        if value is None or isinstance(value, (dict, list)):
            return None
        return str(value).strip()

    @property
    def declared_format(self) -> str:
        """The format from `version` alone: legacy, v2 or v3 (for NGL003)."""
        return {"2": "v2", "3": "v3"}.get(self.declared_version or "", "legacy")

    @property
    def is_v1(self) -> bool:
        data = self.data
        if not isinstance(data, dict):
            return False
        if "inspect_addr" in data or "trust_host_root_certs" in data:
            return True
        tunnels = data.get("tunnels")
        return isinstance(tunnels, dict) and any(
            isinstance(t, dict) and isinstance(t.get("proto"), dict) for t in tunnels.values()
        )

    @property
    def format(self) -> str:
        """The format every rule other than NGL003 reads the file as (rules.md, Terms)."""
        fmt = self.memo.get("format")
        if fmt is None:
            fmt = self.memo["format"] = self._format()
        return fmt

    def _format(self) -> str:
        if self.is_v1:
            return "v1"
        declared = self.declared_format
        if declared != "legacy" or not isinstance(self.data, dict):
            return declared
        if "agent" in self.data or "endpoints" in self.data:
            return "v3"
        if V2_ONLY_KEYS & self.data.keys():
            return "v2"
        tunnels = self.data.get("tunnels")
        if isinstance(tunnels, dict) and any(
            isinstance(t, dict) and V2_ONLY_KEYS & t.keys() for t in tunnels.values()
        ):
            return "v2"
        return "legacy"

    # --- positions --------------------------------------------------------------------------

    def loc(self, path: YamlPath) -> Optional[Loc]:
        return self.locs.get(tuple(path))

    def value_span(self, path: YamlPath) -> Span:
        """The value's span; for a missing path, the nearest existing parent's."""
        path = tuple(path)
        while path not in self.locs and path:
            path = path[:-1]
        loc = self.locs.get(path)
        return loc.value if loc else Span(1, 1, 1, 1)

    def key_span(self, path: YamlPath) -> Span:
        """The key's span when the path ends in a mapping key, else the value's."""
        path = tuple(path)
        loc = self.locs.get(path)
        if loc is not None and loc.key is not None:
            return loc.key
        return self.value_span(path)

    def get(self, path: YamlPath, default: Any = None) -> Any:
        node = self.data
        for part in path:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return default
        return node


class _Budget(Exception):
    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


def parse(path: str, text: str) -> Union[Document, ParseProblem]:
    """Parse one YAML text; any parser error is returned as a problem with the parser's position."""
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        return _problem_from_error(exc, text)
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not allow
        position = _character_offset(text, getattr(exc, "position", 0) or 0)
        line, column = line_col(text, position)
        return ParseProblem(_reader_message(exc), Span.point(line, column, position))
    except RecursionError:
        return ParseProblem(f"the file nests deeper than the parser can follow (over {MAX_DEPTH} levels)", Span(1, 1, 1, 1))

    documents = [n for n in nodes if n is not None]
    if len(nodes) > 1:
        first = nodes[0]
        span = _second_doc_span(text, first.end_mark.index if first is not None else 0)
        return ParseProblem(
            f"the file holds {len(nodes)} YAML documents; the agent reads one: remove the extra `---` section",
            span,
        )
    if not documents:
        return Document(path, text, None, {}, documents=0)
    builder = _Builder(text)
    try:
        data = builder.build(documents[0], (), 0)
    except _Budget as exc:
        node = exc.node
        return ParseProblem(str(exc), Span.from_marks(node.start_mark, node.end_mark))
    except RecursionError:  # only reachable when called from deep inside another stack
        return ParseProblem(f"the file nests deeper than {MAX_DEPTH} levels", Span(1, 1, 1, 1))
    return Document(path, text, data, builder.locs, builder.duplicates)


def _second_doc_span(text: str, after: int) -> Span:
    """The `---` (or `...`) that ends the first document."""
    # At the start of a line, after any of YAML's line breaks (`^` of re.M knows only `\n`).
    match = re.compile(r"(?:^|(?<=[\r\n\x85\u2028\u2029]))(---|\.\.\.)").search(text, max(after - 1, 0) if after else 3)
    offset = match.start() if match else 0
    line, column = line_col(text, offset)
    return Span.point(line, column, offset)


def _character_offset(text: str, position: int) -> int:
    """A reader error's position as a character offset: libyaml reads the text as UTF-8 and
    counts bytes there (the pure-Python reader counts characters)."""
    if _Loader is yaml.SafeLoader or text.isascii():
        return position
    return len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))


def _reader_message(exc: Exception) -> str:
    character = getattr(exc, "character", None)
    if isinstance(character, str):
        return f"the file holds the control character U+{ord(character):04X}, which YAML does not allow: remove it"
    return f"the file is not readable as YAML text ({exc}): save it as UTF-8 text"


def _problem_from_error(exc: yaml.MarkedYAMLError, text: str) -> ParseProblem:
    problem = (exc.problem or "").strip()
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # an unterminated quote: point at where it opened, not at EOF
    span = Span.from_marks(mark, mark) if mark is not None else Span(1, 1, 1, 1)
    context = (exc.context or "").strip()
    if "found undefined alias" in problem:
        message = (
            f"{problem}: a value starting with `*` is read as a YAML alias; quote it "
            "(this is what a secret-scrubbing tool leaves when it writes ***REMOVED***)"
        )
    elif "maximum nesting depth" in problem:
        # The libyaml bundled with PyYAML 6.0.4 stops at 1,000 levels by itself (older builds go on
        # until our own bound stops the walk): past MAX_DEPTH either way, so the same message.
        message = f"the file nests deeper than {MAX_DEPTH} levels"
    elif mark is not None and text[mark.index : mark.index + 1] == "\t":
        message = "a tab character where YAML needs spaces: indent with spaces"
    else:
        message = f"{context + ': ' if context else ''}{problem}" or "invalid YAML"
    return ParseProblem(message, span)


class _Builder:
    """Plain data from composed nodes, recording positions, duplicate keys and expansion size."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.locs: Dict[YamlPath, Loc] = {}
        self.duplicates: List[Duplicate] = []
        self.count = 0

    def build(self, node: Any, path: YamlPath, depth: int, key: Optional[Span] = None) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Budget(
                f"aliases expand to more than {MAX_NODES:,} values (a \"billion laughs\" file?): "
                "the agent would exhaust its memory; remove the aliases",
                node,
            )
        if depth > MAX_DEPTH:
            raise _Budget(f"the file nests deeper than {MAX_DEPTH} levels", node)
        record = path not in self.locs
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
            if record:
                self.locs[path] = Loc(
                    Span.from_marks(node.start_mark, node.end_mark), key, node.value, node.style or None
                )
            return value
        span = self._collection_span(node)
        if record:
            self.locs[path] = Loc(span, key, flow=bool(node.flow_style))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]
        return self._mapping(node, path, depth)

    def _mapping(self, node: Any, path: YamlPath, depth: int) -> Dict[Any, Any]:
        result: Dict[Any, Any] = {}
        seen: Dict[Any, int] = {}
        merged: List[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.append(value_node)
                continue
            if isinstance(key_node, yaml.ScalarNode):
                key = self._scalar(key_node)
                if isinstance(key, float) or key is None or isinstance(key, bool):
                    key = key_node.value  # the agent's map keys are strings
                elif not isinstance(key, str):
                    key = str(key) if not isinstance(key, int) else key_node.value
            else:
                raise _Budget("a mapping key that is itself a mapping or list (a template `{{ … }}`?)", key_node)
            key_span = Span.from_marks(key_node.start_mark, key_node.end_mark)
            if key in seen:
                self.duplicates.append(Duplicate(path + (key,), key_span, seen[key]))
                self.locs.pop(path + (key,), None)
                self._forget(path + (key,))
            seen[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, path + (key,), depth + 1, key_span)
        for source in merged:  # `<<: *defaults`: keys written here win over merged ones
            sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
            for item in sources:
                value = self.build(item, path + ("<<",), depth + 1)
                if isinstance(value, dict):
                    for key, inner in value.items():
                        result.setdefault(key, inner)
        return result

    def _forget(self, prefix: YamlPath) -> None:
        size = len(prefix)
        for existing in [p for p in self.locs if p[:size] == prefix]:
            del self.locs[existing]

    @staticmethod
    def _scalar(node: Any) -> Any:
        tag = node.tag
        if tag == _BOOL:
            return _constructor.construct_yaml_bool(node)
        if tag == _INT:
            return _constructor.construct_yaml_int(node)
        if tag == _FLOAT:
            return _constructor.construct_yaml_float(node)
        if tag == _NULL:
            return None
        if not node.style and node.value in _SHORT_BOOLEANS:
            # YAML 1.1 lists y/n as booleans and the agent's Go parser reads them so; PyYAML does not.
            return _SHORT_BOOLEANS[node.value]
        return node.value  # strings, and timestamps etc., which the agent reads as text

    def _collection_span(self, node: Any) -> Span:
        """Start of the collection to the end of its first line (block ends run past the content)."""
        start = node.start_mark
        end_index = line_end(self.text, start.index)
        column = start.column + (end_index - start.index)
        return Span(start.line + 1, start.column + 1, start.line + 1, column + 1, start.index, end_index)
