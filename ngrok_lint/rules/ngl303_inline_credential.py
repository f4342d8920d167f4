"""
## What it does
Reports credentials written in the file:

- basic-auth passwords: a legacy tunnel's `auth: "user:password"`, the entries of `basic_auth`,
  and the `credentials` of a `basic-auth` Traffic Policy action;
- webhook secrets: `secret` of a `verify-webhook` action or of a `verify_webhook` block;
- OAuth/OIDC client secrets: `client_secret` of an `oauth` or `openid-connect` action, or of an
  `oauth` / `oidc` block;
- a PEM private key written inline (`-----BEGIN … PRIVATE KEY-----` anywhere in a value), such as
  `agent_tls_termination.server_private_key` or a `terminate-tls` action's `server_private_key`;
- a proxy URL with a password (`proxy_url`, `http_proxy`, `socks5_proxy` as
  `http://user:password@proxy:3128`).

A value that reads the secret from an ngrok vault (`${secrets.get('vault', 'name')}`) is fine, as
is a placeholder (an empty value, anything with whitespace, `$`, `{` or `}`, or values such as
`<password>`, `your…`, `xxx…`, `changeme`, `REDACTED…`, `***…`). For `user:password` only the
password part has to be a placeholder. A Traffic Policy read from `traffic_policy_file` is checked
too; the finding then stands on that key.

## Why is this bad?
Anyone who can read the file (a repository, a backup, a container image) gets past the
authentication these credentials protect, or can sign webhooks, or can impersonate the TLS
endpoint. ngrok vaults keep secrets out of the file: a Traffic Policy reads them with
`${secrets.get('vault', 'name')}`; TLS keys can stay in a file outside the repository
(`agent_tls_termination` and `crt`/`key` take a path).

## Example
```yaml
version: "3"
endpoints:
  - name: web
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: basic-auth
              config:
                credentials:
                  - "alice:k7#Qm2!vX9pL"
```

Use instead:
```yaml
version: "3"
endpoints:
  - name: web
    url: https://app.example.com
    upstream:
      url: 8080
    traffic_policy:
      on_http_request:
        - actions:
            - type: basic-auth
              config:
                credentials:
                  - "alice:${secrets.get('web', 'alice')}"
```

## Fix
None: the secret has to be moved to a vault (or a file outside the repository) first, and
rotated, since the repository's history keeps it.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Optional

from ngrok_lint import walk
from ngrok_lint.loader import Document
from ngrok_lint.model import Finding, RuleMeta, Severity, YamlPath, finding
from ngrok_lint.paths import dotted
from ngrok_lint.rules import _credentials
from ngrok_lint.placeholders import credential_is_placeholder, is_placeholder
from ngrok_lint.secrets import mask, mask_credential

META = RuleMeta(
    code="NGL303",
    name="inline-credential",
    severity=Severity.WARNING,
    summary="a password, secret or private key is written in the file",
    security_severity=6.5,
)

_VAULT = "an ngrok vault (`${secrets.get('vault', 'name')}`)"
_PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY)-----(?P<body>.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)", re.S
)
_BASE64 = re.compile(r"[A-Za-z0-9+/=]{16,}")
_URL_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^:/@\s]*):(?P<password>[^@/\s]*)@")
_PROXY_KEYS = ("proxy_url", "http_proxy", "socks5_proxy")
_SECRET_ACTIONS = {"verify-webhook": "secret", "oauth": "client_secret", "openid-connect": "client_secret",
                   "oidc": "client_secret"}
_SECRET_BLOCKS = {"verify_webhook": "secret", "oauth": "client_secret", "oidc": "client_secret"}


def _real_pem(value: str) -> Optional[str]:
    """The PEM's kind (`RSA PRIVATE KEY`) when `value` holds a private key with a real-looking body."""
    for match in _PEM.finditer(value):
        lines = [line for line in match.group("body").splitlines() if ":" not in line]  # drop PEM headers
        body = "".join("".join(lines).split())
        if not is_placeholder(body) and _BASE64.fullmatch(body):
            return match.group("kind")
    return None


def _pem_findings(doc: Document, data: Any, path: YamlPath, origin: Optional[str],
                  at: Optional[YamlPath]) -> Iterator[Finding]:
    """Every string under `data` holding a private key; `at` pins the position (policy files)."""
    stack: List[Any] = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, where + (k,)) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((v, where + (i,)) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, str) and "PRIVATE KEY-----" in value:
            kind = _real_pem(value)
            point = at if at is not None else where
            if kind is None:
                continue
            if origin:
                shown = f"`{dotted(where)}` in {_credentials.where(point, origin)}"
            else:
                shown = _credentials.where(where, None)
            yield finding(
                META,
                f"{shown} holds a private key written inline (`-----BEGIN {kind}-----…`): keep it in a "
                f"file outside the repository (`agent_tls_termination` and `crt`/`key` take a path) or in {_VAULT}, "
                "and replace the key, since the repository's history keeps it",
                doc.value_span(point),
                point,
            )


def check(doc: Document, ctx: Any) -> Iterator[Finding]:
    base_dir = getattr(ctx, "base_dir", None)
    found: List[Finding] = []

    for scope in walk.agent_scopes(doc):
        for key in _PROXY_KEYS:
            value = scope.get(key)
            match = _URL_PASSWORD.match(value) if isinstance(value, str) else None
            if match is None or is_placeholder(match.group("password")):
                continue
            path = scope.path(key)
            found.append(finding(
                META,
                f"`{dotted(path)}` holds the proxy's password (`{match.group('user')}:{mask(match.group('password'))}`): "
                "keep it out of the file (the agent also reads the proxy from the `http_proxy` environment variable)",
                doc.value_span(path),
                path,
            ))

    for cred in _credentials.basic_auth_credentials(doc, base_dir):
        if credential_is_placeholder(cred.value):
            continue
        if cred.source == "basic-auth":
            advice = f"read the password from {_VAULT}"
        else:
            advice = (f"move it to a `basic-auth` Traffic Policy action that reads the password from {_VAULT}, "
                      "or keep the file out of version control")
        found.append(finding(
            META,
            f"{_credentials.where(cred.path, cred.origin)} writes a basic-auth password in the file "
            f"(`{mask_credential(cred.value)}`): {advice}",
            cred.span,
            cred.path,
        ))

    for site in walk.sites(doc, base_dir):
        for block, key in _SECRET_BLOCKS.items():
            config = site.data.get(block)
            if isinstance(config, dict) and key in config:
                found.extend(_secret(doc, site.at(block, key), config[key], f"`{block}`", key, None))
        inline = site.policy is not None and site.policy.inline
        origin = _credentials.policy_origin(site)
        for action in site.actions():
            action_key = _SECRET_ACTIONS.get(action.type)
            if action_key is None or action_key not in action.config:
                continue
            path = action.path + ("config", action_key) if inline else action.path
            found.extend(_secret(doc, path, action.config[action_key], f"the `{action.type}` action", action_key, origin))
        if site.policy is not None and not inline:
            found.extend(_pem_findings(doc, site.policy.data, (), origin, site.policy.path))

    # Inline keys anywhere in the file; a value already reported above is not reported twice.
    reported = {f.path for f in found}
    found.extend(f for f in _pem_findings(doc, doc.data, (), None, None) if f.path not in reported)
    found.sort(key=lambda f: (f.span.start, f.span.line, f.span.column))
    return iter(found)


def _secret(doc: Document, path: YamlPath, value: Any, owner: str, key: str,
            origin: Optional[str]) -> Iterator[Finding]:
    if isinstance(value, (dict, list)) or is_placeholder(value):
        return
    yield finding(
        META,
        f"{_credentials.where(path, origin)} writes {owner}'s `{key}` in the file (`{mask(value)}`): "
        f"read it from {_VAULT} instead",
        doc.value_span(path),
        path,
    )
