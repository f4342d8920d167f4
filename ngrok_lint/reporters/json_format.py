"""The JSON output, version 1. Its shape is documented in the README and stays stable."""

from __future__ import annotations

import json
from typing import Any, Dict

from ngrok_lint.model import Finding
from ngrok_lint.paths import dotted
from ngrok_lint.reporters import RenderOptions, Run, fix_skipped, fix_state, printable

SCHEMA_VERSION = 1


def finding_dict(path: str, item: Finding) -> Dict[str, Any]:
    from ngrok_lint import registry

    meta = registry.lookup(item.code)
    fix = None
    if item.fix is not None:
        fix = {
            "description": item.fix.title,
            "safety": item.fix.safety.value,
            "applicable": fix_state(item) is not None,
            "unavailable_reason": item.fix_unavailable,
            "skipped": fix_skipped(item),
        }
    return {
        "code": item.code,
        "name": item.name,
        "severity": item.severity.label,
        "message": item.message,
        "path": printable(path),
        "line": item.span.line,
        "column": item.span.column,
        "end_line": item.span.end_line,
        "end_column": item.span.end_column,
        "yaml_path": dotted(item.path) if item.path else None,
        "fix": fix,
        "suppressed": item.suppressed,
        "suppression_reason": item.suppression_reason,
        "url": meta.url if meta else None,
    }


def render(run: Run, options: RenderOptions) -> str:
    document = {
        "version": SCHEMA_VERSION,
        "files": [
            {"path": printable(r.path), "findings": sum(1 for f in r.findings if not f.suppressed), "changed": r.changed}
            for r in run.files
        ],
        "findings": [finding_dict(r.path, f) for r in run.files for f in r.findings],
        "errors": [{"path": printable(e.path), "message": e.message} for e in run.errors],
        "summary": run.summary(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
