"""
## What it does
Reports an `authtoken` written in the file's agent settings (the top level of legacy and version 2
files, `agent:` in version 3, and a top-level `authtoken` left in a version 3 file) when it holds a
real-looking token. Placeholders are not reported: an empty value, anything with whitespace, `$`,
`{` or `}` (`${NGROK_AUTHTOKEN}`, `{{ token }}`, a vault reference), ngrok's documentation sample
token, and values such as `<token>`, `YOUR_TOKEN_HERE`, `xxx…`, `TODO`, `changeme`, `replace…`,
`token`, `example…`, `fake…`, `REDACTED…` or `***…` (the shapes secret scrubbers leave behind).

A value that is another ngrok ID (`rd_…` is a reserved domain, `cr_…` the ID of an authtoken
credential, `ak_…` an API key's ID) is reported with what it is: the agent cannot sign in with it.

Files that do not parse as YAML (NGL001) are still searched, line by line, for `authtoken: …`.

The 1.x spelling `auth_token` is not read here: the agent never reads that key, and NGL002
reports it as a misspelling of `authtoken` (whose fix renames it, which brings it under this rule).

## Why is this bad?
The authtoken signs the agent in to the ngrok account. Whoever reads the file (a public
repository, a shared image layer, a backup) can start endpoints on that account, on its reserved
domains, and run up its bill. A committed token must be revoked: deleting it from the file does not
remove it from the repository's history. The agent reads `NGROK_AUTHTOKEN` from the environment,
which also overrides the file.

## Example
```yaml
version: "2"
authtoken: 2Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr_1a2B3c4D5e6F7g8H9i0J
tunnels:
  web:
    proto: http
    addr: 8080
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
```
and run the agent with `NGROK_AUTHTOKEN` set.

## Fix
Removes the `authtoken` line (unsafe: the agent then reads `NGROK_AUTHTOKEN`, which must be set
where it runs; and the token must still be revoked). Values found by the line scan of a file that
does not parse get no fix.
"""

from __future__ import annotations

from typing import Any, Iterator

from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, FixKind, RuleMeta, Severity
from ngrok_lint.rules import _credentials

META = RuleMeta(
    code="NGL301",
    name="committed-authtoken",
    severity=Severity.ERROR,
    summary="an authtoken is written in the file",
    fix=FixKind.UNSAFE,
    security_severity=9.0,
)

KEY = "authtoken"
WHAT = "an authtoken"
ENV = "NGROK_AUTHTOKEN"


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    for item in _credentials.in_document(doc, KEY):
        yield _credentials.report(META, item, WHAT, ENV, doc)


def scan_text(text: str) -> Iterator[Finding]:
    """`authtoken: …` lines of a file that does not parse (NGL001); no fix."""
    for item in _credentials.in_text(text, KEY):
        yield _credentials.report(META, item, WHAT, ENV)
