"""Small immutable values shared by the loader, the rules, the fixer and the reporters.

Positions are 1-based lines and code-point columns for people, plus 0-based character offsets
into the decoded text (without BOM) for edits; :mod:`ngrok_lint.positions` says what a line is. The conversion from the parser's 0-based marks happens in
exactly one place: :meth:`Span.from_marks`.

The values here and across the plain lint path are ``typing.NamedTuple`` classes, not dataclasses:
every cold run pays for its class definitions, and importing ``dataclasses`` (with ``inspect``) plus
building the 29 classes took about 12 ms of an 85 ms run, against about 1.5 ms as named tuples.
Change them with ``value._replace(...)``. The few values a run fills in as it goes (``FileResult``,
the engine's ``Analysis``, a ``Document``) are plain classes with ``__slots__``.
"""

from __future__ import annotations

import enum
from typing import Any, Dict, List, NamedTuple, Optional, Tuple, Union

from ngrok_lint.home import rule_url

YamlPath = Tuple[Union[str, int], ...]



class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]


class Safety(enum.Enum):
    """May `--fix` apply it (safe), or only `--unsafe-fixes` (unsafe)?"""

    SAFE = "safe"
    UNSAFE = "unsafe"


class FixKind(enum.Enum):
    """What a rule promises about fixes, for docs and `--list-rules`."""

    NONE = "none"
    SAFE = "safe"
    UNSAFE = "unsafe"
    SOMETIMES_SAFE = "safe or unsafe"


class Span(NamedTuple):
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0

    @classmethod
    def from_marks(cls, start: object, end: object) -> "Span":
        """From two PyYAML marks (0-based line, column and index).

        PyYAML's marks (libyaml's and the pure-Python ones) count lines and code-point columns
        exactly as :mod:`ngrok_lint.positions` does (tests/test_positions.py); ruamel.yaml's do
        not on NEL/LS/PS, so its marks never come here.
        """
        return cls(
            start.line + 1,  # type: ignore[attr-defined]
            start.column + 1,  # type: ignore[attr-defined]
            end.line + 1,  # type: ignore[attr-defined]
            end.column + 1,  # type: ignore[attr-defined]
            start.index,  # type: ignore[attr-defined]
            end.index,  # type: ignore[attr-defined]
        )

    @classmethod
    def point(cls, line: int, column: int, offset: int = 0) -> "Span":
        return cls(line, column, line, column + 1, offset, offset)


TOP = Span(1, 1, 1, 1, 0, 0)


class Op(enum.Enum):
    """A structural change to the YAML tree, applied by the fix engine."""

    SET = "set"  # set path to value (replacing the value, or adding the key when absent)
    REMOVE = "remove"  # remove the key or item at path
    RENAME = "rename"  # rename the key at path to `value`
    INSERT = "insert"  # insert `value` into the sequence at path, at index `index`
    TEXT = "text"  # replace the characters [start, end) of the text with `value`


class Change(NamedTuple):
    op: Op
    path: YamlPath = ()
    value: object = None
    # INSERT: position in the sequence; SET on a new key: position in the mapping (-1 = end).
    # The field shadows tuple.index on purpose: every rule and fix builds Change(index=...).
    index: int = 0  # type: ignore[assignment]
    start: int = 0  # TEXT only
    end: int = 0  # TEXT only


class Fix(NamedTuple):
    title: str
    safety: Safety
    changes: Tuple[Change, ...]


class RuleMeta(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str
    fix: FixKind = FixKind.NONE
    formats: Tuple[str, ...] = ("legacy", "v2", "v3")
    options: Tuple[str, ...] = ()
    default_enabled: bool = True
    security_severity: Optional[float] = None  # SARIF: only security rules carry one
    docs: str = ""  # the module docstring, set by the registry

    @property
    def url(self) -> str:
        return rule_url(self.code, self.name)


class Finding(NamedTuple):
    code: str
    name: str
    severity: Severity
    message: str
    span: Span
    path: YamlPath = ()
    fix: Optional[Fix] = None
    fix_unavailable: Optional[str] = None  # why a fix the rule offers cannot be applied here
    suppressed: bool = False
    suppression_reason: Optional[str] = None

    @property
    def sort_key(self) -> Tuple[int, int, str]:
        return (self.span.line, self.span.column, self.code)


def finding(meta: RuleMeta, message: str, span: Span, path: YamlPath = (), fix: Optional[Fix] = None) -> Finding:
    """A finding of `meta`'s rule; rules call this so code, name and severity stay the rule's."""
    return Finding(meta.code, meta.name, meta.severity, message, span, path, fix)


class FileError(NamedTuple):
    """A problem that stops a path from being linted at all (missing, unreadable, a directory)."""

    path: str
    message: str


class FileResult:
    """What the run reports about one file; filled in as the run goes (fixes, diffs)."""

    __slots__ = ("path", "findings", "changed", "fix_edits")

    def __init__(self, path: str, findings: Optional[List[Finding]] = None, changed: bool = False,
                 fix_edits: Optional[Dict[int, Any]] = None) -> None:
        self.path = path
        self.findings: List[Finding] = [] if findings is None else findings
        self.changed = changed
        # Only for SARIF `fixes`: index into `findings` -> ngrok_lint.edits.LineEdit of that fix alone
        self.fix_edits: Dict[int, Any] = {} if fix_edits is None else fix_edits

    def __repr__(self) -> str:
        return f"FileResult({self.path!r}, {len(self.findings)} findings, changed={self.changed})"
