"""
## What it does
Reports an `api_key` written in the file's agent settings (the top level of legacy and version
2 files, `agent:` in version 3, and a top-level `api_key` left in a version 3 file) when it holds a
real-looking key. Placeholders are not reported: an empty value, anything with whitespace, `$`,
`{` or `}` (`${NGROK_API_KEY}`, `{{ key }}`), ngrok's documentation sample key, and values such as
`<api-key>`, `YOUR_KEY_HERE`, `xxx…`, `TODO`, `changeme`, `replace…`, `token`, `example…`,
`fake…`, `REDACTED…` or `***…`.

A value that is an ngrok ID (`ak_…` is the API key's ID, not the key; `rd_…` a reserved domain)
is reported with what it is.

Files that do not parse as YAML (NGL001) are still searched, line by line, for `api_key: …`.

## Why is this bad?
The API key is used by `ngrok api …` and manages the whole account through ngrok's API: domains,
credentials, IP policies, users. Whoever reads the file can do the same. A committed key must be
revoked: deleting it from the file does not remove it from the repository's history. The agent
reads `NGROK_API_KEY` from the environment (agent 3.2.1 and later), which also overrides the file.

## Example
```yaml
version: "3"
agent:
  api_key: 2Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji_1aB2cD3eF4gH5iJ6kL7mN8oP9
endpoints:
  - name: web
    upstream:
      url: 8080
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: web
    upstream:
      url: 8080
```
and set `NGROK_API_KEY` where `ngrok api` runs.

## Fix
Removes the `api_key` line (unsafe: `NGROK_API_KEY` must then be set where `ngrok api` runs, and
the key must still be revoked). Values found by the line scan of a file that does not parse get
no fix.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, FixKind, RuleMeta, Severity
from ngrok_lint.rules import _credentials

META = RuleMeta(
    code="NGL302",
    name="committed-api-key",
    severity=Severity.ERROR,
    summary="an API key is written in the file",
    fix=FixKind.UNSAFE,
    security_severity=9.0,
)

KEY = "api_key"
WHAT = "an API key"
ENV = "NGROK_API_KEY"


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    for item in _credentials.in_document(doc, KEY):
        yield _credentials.report(META, item, WHAT, ENV, doc)


def scan_text(text: str) -> Iterator[Finding]:
    """`api_key: …` lines of a file that does not parse (NGL001); no fix."""
    for item in _credentials.in_text(text, KEY):
        yield _credentials.report(META, item, WHAT, ENV)
