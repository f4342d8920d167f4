"""SARIF 2.1.0: one run, every rule described, results with regions, suppressions and fixes.

Valid against the OASIS SARIF 2.1.0 schema and accepted by GitHub code scanning: security rules
carry `security-severity` (a number written as a string, which is what GitHub reads), levels are
error/warning/note, and each result has a `partialFingerprints` entry that survives edits elsewhere
in the file (it hashes the rule, the file and the YAML path, not the line).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote

from ngrok_lint import __version__
from ngrok_lint.docs import first_paragraph, section
from ngrok_lint.home import HOME
from ngrok_lint.model import Finding, RuleMeta, Safety, Severity
from ngrok_lint.paths import dotted
from ngrok_lint.positions import BREAKS
from ngrok_lint.reporters import RenderOptions, Run, fix_skipped, fix_state

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = HOME
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ngrokLint/v1"

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# Code families, as rules.md groups them: a tag each, and "security" for the ones GitHub ranks.
_FAMILIES = {"0": "validity", "1": "transport", "2": "access", "3": "secrets", "4": "upkeep"}


def _level(severity: Severity) -> str:
    return _LEVELS[severity]


def _plain(markdown: str) -> str:
    """The docs as plain text: headings lose their `##`, the rest reads fine as it is."""
    return re.sub(r"^#+\s+", "", markdown, flags=re.M).strip()


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def rule_descriptor(meta: RuleMeta) -> Dict[str, Any]:
    docs = meta.docs.strip()
    what = first_paragraph(section(docs, "What it does")) or meta.summary
    family = _FAMILIES.get(meta.code[3:4], "")
    tags = [t for t in ("security" if meta.security_severity is not None else "", family) if t]
    properties: Dict[str, Any] = {"tags": tags}
    if meta.security_severity is not None:
        properties["security-severity"] = f"{meta.security_severity:.1f}"
    descriptor: Dict[str, Any] = {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": _sentence(meta.summary[:1].upper() + meta.summary[1:])},
        "fullDescription": {"text": _sentence(what)},
        "helpUri": meta.url,
        "help": {
            "text": _plain(docs) or _sentence(meta.summary),
            "markdown": docs or _sentence(meta.summary),
        },
        "defaultConfiguration": {"level": _level(meta.severity), "enabled": meta.default_enabled},
        "properties": properties,
    }
    return descriptor


def artifact_location(path: str) -> Dict[str, str]:
    """A relative path under the source root, or an absolute file URI."""
    posix = path.replace(os.sep, "/")
    if os.path.isabs(path):
        return {"uri": _file_uri(path)}
    normal = os.path.normpath(posix).replace(os.sep, "/")
    if normal == ".." or normal.startswith("../"):
        return {"uri": _file_uri(os.path.abspath(path))}
    return {"uri": quote(normal, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def _file_uri(path: str) -> str:
    posix = os.path.abspath(path).replace(os.sep, "/")
    if not posix.startswith("/"):  # a Windows drive path
        posix = "/" + posix
    return "file://" + quote(posix, safe="/:", errors="surrogateescape")


def _region(item: Finding) -> Dict[str, int]:
    span = item.span
    end_line, end_column = span.end_line, span.end_column
    if (end_line, end_column) < (span.line, span.column):
        end_line, end_column = span.line, span.column
    return {"startLine": span.line, "startColumn": span.column, "endLine": end_line, "endColumn": end_column}


def _fingerprint(code: str, uri: str, yaml_path: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{code}\0{uri}\0{yaml_path}\0{occurrence}".encode("utf-8")).hexdigest()
    return digest[:32]


def _fix(item: Finding, edit: Any, location: Dict[str, str]) -> Dict[str, Any]:
    assert item.fix is not None
    title = item.fix.title + (" (unsafe)" if item.fix.safety == Safety.UNSAFE else "")
    return {
        "description": {"text": _sentence(title[:1].upper() + title[1:])},
        "artifactChanges": [
            {
                "artifactLocation": dict(location),
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": edit.first_line + 1,
                            "startColumn": edit.start_character + 1,
                            "endLine": edit.end_line + 1,
                            "endColumn": edit.end_character + 1,
                        },
                        # The exact text: an edit that would carry a secret is never made (edits.secret_free).
                        "insertedContent": {"text": edit.text},
                    }
                ],
            }
        ],
    }


def result(
    item: Finding,
    location: Dict[str, str],
    rule_index: Optional[int],
    occurrence: int,
    edit: Any = None,
) -> Dict[str, Any]:
    yaml_path = dotted(item.path) if item.path else ""
    physical: Dict[str, Any] = {"artifactLocation": dict(location), "region": _region(item)}
    loc: Dict[str, Any] = {"physicalLocation": physical}
    if item.path:
        loc["logicalLocations"] = [{"fullyQualifiedName": yaml_path, "kind": "member"}]
    entry: Dict[str, Any] = {"ruleId": item.code}
    if rule_index is not None:
        entry["ruleIndex"] = rule_index
    entry.update(
        {
            "level": _level(item.severity),
            "message": {"text": _sentence(item.message)},
            "locations": [loc],
            "partialFingerprints": {
                FINGERPRINT_KEY: _fingerprint(item.code, location["uri"], yaml_path, occurrence)
            },
        }
    )
    if item.suppressed:
        suppression: Dict[str, Any] = {"kind": "inSource"}
        if item.suppression_reason:
            suppression["justification"] = item.suppression_reason
        entry["suppressions"] = [suppression]
    if edit is not None and item.fix is not None and not item.suppressed:
        entry["fixes"] = [_fix(item, edit, location)]
    properties: Dict[str, Any] = {"name": item.name}
    state = fix_state(item)
    if state is not None:
        properties["fix"] = state
    elif fix_skipped(item):
        properties["fixSkipped"] = fix_skipped(item)
    entry["properties"] = properties
    return entry


def render(run: Run, options: RenderOptions) -> str:
    from ngrok_lint import registry

    metas = registry.rules()
    index = {meta.code: i for i, meta in enumerate(metas)}
    results: List[Dict[str, Any]] = []
    for file_result in run.files:
        location = artifact_location(file_result.path)
        seen: Counter = Counter()
        for position, item in enumerate(file_result.findings):
            key: Tuple[str, Tuple[Any, ...]] = (item.code, tuple(item.path))
            occurrence = seen[key]
            seen[key] += 1
            edit = file_result.fix_edits.get(position) if file_result.fix_edits else None
            results.append(result(item, location, index.get(item.code), occurrence, edit))
    notifications = [
        {
            "level": "error",
            "message": {"text": _sentence(error.message)},
            "locations": [{"physicalLocation": {"artifactLocation": artifact_location(error.path)}}],
        }
        for error in run.errors
    ]
    invocation: Dict[str, Any] = {"executionSuccessful": not run.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ngrok-lint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rule_descriptor(meta) for meta in metas],
                    }
                },
                "invocations": [invocation],
                # Regions count lines and columns as the YAML parser does (ngrok_lint.positions).
                "columnKind": "unicodeCodePoints",
                "newlineSequences": list(BREAKS),
                "originalUriBaseIds": {SRCROOT: {"uri": _file_uri(os.getcwd()).rstrip("/") + "/"}},
                "results": _RESULTS,
            }
        ],
    }
    return _dumps(log, results)


_RESULTS = "@@ngrok-lint: the results go here@@"


def _dumps(log: Dict[str, Any], results: List[Dict[str, Any]]) -> str:
    """The log indented by two spaces, each result on one line: json's indenting encoder is pure
    Python (about a second for 12,000 results with fixes), its compact one is C."""
    text = json.dumps(log, indent=2, ensure_ascii=False)
    token = json.dumps(_RESULTS)
    at = text.index(token)
    indent = at - (text.rfind("\n", 0, at) + 1) - len('"results": ')
    if not results:
        body = "[]"
    else:
        inner = "\n" + " " * (indent + 2)
        body = "[" + inner + ("," + inner).join(json.dumps(r, ensure_ascii=False) for r in results) + "\n" + " " * indent + "]"
    return text[:at] + body + text[at + len(token):] + "\n"
