"""
## What it does
Reports an authtoken that appears in more than one file of the same run. Only values that
NGL301 reports are compared (placeholders such as `${NGROK_AUTHTOKEN}` or `REDACTED…` are never
"the same token"), and values that are ngrok IDs rather than tokens (`rd_…`) are left out. The
finding stands on every file after the first one (in the order the files were linted) and names
that first file. Files that do not parse are compared too, from the same line scan NGL301 uses.

This rule needs several files in one run (`ngrok-lint deploy/`); a file linted on its own never
triggers it.

## Why is this bad?
One authtoken per deployment (per machine, per environment, per person) keeps a leak contained:
the leaked token can be revoked without taking every other agent down with it, and the ngrok
dashboard shows which deployment an agent session belongs to. A token copied into several files
also leaks from whichever of them is the least protected.

## Example
```yaml
# deploy/staging/ngrok.yml (linted after deploy/production/ngrok.yml, which holds the same token)
version: "2"
authtoken: 2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J
```

Use instead:
```yaml
# deploy/staging/ngrok.yml: each deployment gets its own authtoken, from NGROK_AUTHTOKEN
version: "2"
```

## Fix
None: a new authtoken has to be created in the ngrok dashboard for each deployment.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Tuple

from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.paths import dotted
from ngrok_lint.rules import _credentials
from ngrok_lint.secrets import mask

META = RuleMeta(
    code="NGL305",
    name="shared-authtoken",
    severity=Severity.WARNING,
    summary="the same authtoken is in more than one file of the run",
    security_severity=5.5,
)

KEY = "authtoken"


def check(doc: Any, ctx: Any) -> Iterator[Finding]:
    """A single file cannot share its token with another: see :func:`check_across`."""
    return iter(())


def _written(analysis: Any) -> List[_credentials.Written]:
    """The authtokens NGL301 reports for one analysed file (parsed, or from the line scan)."""
    doc = analysis.doc
    if doc is not None:
        if doc.is_v1:
            return []  # a 1.x file gets no finding but NGL009's
        if "\t" in doc.text and doc.declared_format == "legacy":
            return list(_credentials.in_text(doc.text, KEY))  # NGL001's file-level finding: line scan
        return list(_credentials.in_document(doc, KEY))
    source = analysis.source
    return list(_credentials.in_text(source.text, KEY)) if source is not None else []


def check_across(analyses: Iterable[Any]) -> Iterator[Tuple[str, Finding]]:
    first: Dict[str, Tuple[str, int]] = {}  # token -> (first file, line there)
    seen_paths = set()
    for analysis in analyses:
        if analysis.path in seen_paths:
            continue
        seen_paths.add(analysis.path)
        for item in _written(analysis):
            if item.id_kind is not None:
                continue
            earlier = first.get(item.value)
            if earlier is None:
                first[item.value] = (analysis.path, item.span.line)
                continue
            if earlier[0] == analysis.path:
                continue  # the same token twice in one file is not a shared one
            where = f"`{dotted(item.path)}`" if item.path else f"`{item.key}`"
            yield analysis.path, finding(
                META,
                f"{where} holds the same authtoken (`{mask(item.value)}`) as {earlier[0]} (line {earlier[1]}): "
                "give each deployment its own authtoken, so that one leak can be revoked without "
                "stopping every agent",
                item.span,
                item.path,
            )
