"""
## What it does
Reports a basic-auth password (a legacy tunnel's `auth: "user:password"`, an entry of
`basic_auth`, or an entry of a `basic-auth` action's `credentials`) that is

- shorter than 8 characters (agent 3.x refuses it: ngrok requires 8 to 128),
- the same as its user name, or
- in a built-in list of about a hundred of the most common passwords (`password1`, `12345678`,
  `qwerty123`, `iloveyou`, …), compared without regard to case.

The password is what follows the first `:`. Placeholders (`<password>`, `changeme`, `REDACTED…`,
anything with whitespace, `$`, `{` or `}`) and vault references (`${secrets.get(…)}`) are not
judged. Messages never show the password.

## Why is this bad?
A short or common password falls to the first guessing attempt, and a basic-auth endpoint is on
the public internet where such attempts never stop. A password shorter than 8 characters also
stops agent 3.x from starting the endpoint.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    basic_auth:
      - "admin:admin"
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    basic_auth:
      - "admin:Vq3-tUx9-rLw2-Hc7e"
```
(and keep it out of the file: see NGL303).

## Fix
None: only a person can choose a new password.
"""

from __future__ import annotations

from typing import Any, Iterator, List

from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, finding
from ngrok_lint.rules import _credentials
from ngrok_lint.placeholders import credential_is_placeholder, split_credential

META = RuleMeta(
    code="NGL304",
    name="weak-basic-auth",
    severity=Severity.ERROR,
    summary="a basic-auth password is short, equal to the user name, or common",
    security_severity=7.5,
)

MIN_LENGTH = 8

# Common passwords of 8 characters or more (shorter ones fail the length test anyway), from the
# well-known public top lists; compared in lower case.
COMMON_PASSWORDS = frozenset("""
password password1 password12 password123 password1234 password! passw0rd p@ssw0rd p@ssword
p4ssw0rd pa55word pa55w0rd mypassword newpassword password01 passwort passwort1 motdepasse
12345678 123456789 1234567890 0123456789 12341234 11111111 00000000 88888888 87654321 11223344
123123123 12344321 123qweasd 1q2w3e4r 1q2w3e4r5t 1qaz2wsx zaq12wsx zaq1zaq1 1qazxsw2 q1w2e3r4
qwertyui qwertyuiop qwerty12 qwerty123 qwerty1234 qwerty12345 qweasdzxc qwe12345 1234qwer
qwer1234 asdfghjk asdfasdf asdf1234 zxcvbnm1 zxcvbnm123 abcd1234 abc12345 abc123456 aa123456
a1234567 a1b2c3d4 iloveyou iloveyou1 princess sunshine football baseball basketball superman
batman123 trustno1 letmein1 letmein123 welcome1 welcome123 welcome! administrator admin123
admin1234 admin12345 adminadmin administrator1 rootroot root1234 toor1234 changeme1 secret123
secret1234 default1 guest123 test1234 test12345 testtest testing123 monkey123 dragon123 master123
shadow123 michael1 jennifer charlie1 computer internet whatever starwars pokemon1 minecraft
football1 baseball1 sunshine1 princess1 qazwsxedc
""".split())


def _reasons(user: str, password: str) -> List[str]:
    reasons: List[str] = []
    if len(password) < MIN_LENGTH:
        reasons.append(f"is shorter than {MIN_LENGTH} characters (agent 3.x refuses it)")
    if password == user:
        reasons.append("is the same as the user name")
    if password.lower() in COMMON_PASSWORDS:
        reasons.append("is one of the most common passwords")
    return reasons


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    for cred in _credentials.basic_auth_credentials(doc, getattr(ctx, "base_dir", None)):
        parts = split_credential(cred.value)
        if parts is None or credential_is_placeholder(cred.value):
            continue  # no `user:password` to judge (NGL002 reports the shape)
        user, password = parts
        reasons = _reasons(user, password)
        if not reasons:
            continue
        where = _credentials.where(cred.path, cred.origin)
        owner = "" if password and password in user else f"of user `{user}`"  # naming it would show it
        yield finding(
            META,
            f"{where}: the password{' ' + owner if owner else ''} {' and '.join(reasons)}: choose a long random password "
            "(and keep it out of the file, see NGL303)",
            cred.span,
            cred.path,
        )
