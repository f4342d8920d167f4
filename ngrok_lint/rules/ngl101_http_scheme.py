"""
## What it does
Reports a public tunnel or endpoint that serves plain HTTP:
- a v2 tunnel (also under v3 `tunnels:`) whose `schemes` includes `http`;
- a legacy (agent 2.x) http tunnel with `bind_tls: false` (HTTP only) or `bind_tls: both` (an
  `http://` URL beside the `https://` one; an empty `bind_tls:` means the same), or with no
  `bind_tls` at all: agent 2.x then opens both, an HTTP and an HTTPS endpoint (ngrok's upgrade
  guide, `agent/upgrade-v2-v3.mdx`: "HTTP tunnels by default will only open a single HTTPS
  endpoint … instead of both an HTTP and HTTPS endpoint");
- a v3 endpoint, or a version 2/3 tunnel written with `url`, whose `url` starts with `http://`.

Internal endpoints (a `.internal` host, `bindings: [internal]` or `[kubernetes]`) are not public
and are not reported. A legacy file is also NGL003's (agent 3.x refuses it); this rule speaks for
the agent that reads it today, 2.x, which serves plain HTTP.

## Why is this bad?
Over plain HTTP, requests and responses (cookies, tokens, form data, basic-auth credentials)
cross the internet unencrypted: anyone on the path can read and change them. Agent 3.x serves
HTTPS only unless told otherwise, and ngrok's guidance is to keep it that way.

## Example
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [http, https]
```

Use instead:
```yaml
version: "2"
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [https]
```

## Fix
Safe: `schemes` becomes `[https]` (the `http` item is removed), `bind_tls` becomes `true`, and an
endpoint `url` changes from `http://` to `https://`, dropping an explicit `:80`. A legacy tunnel
with no `bind_tls` gets no fix of its own: NGL003's migration of the file (agent 3.x serves HTTPS
only by default) is the fix, and a second edit of the same tunnel would be rewritten by it. HTTPS only is
what a current agent does by default and what ngrok recommends. Clients that still call the
`http://` address must move to `https://`.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, List, Optional, Tuple

from ngrok_lint.config import Context
from ngrok_lint.loader import Document
from ngrok_lint.model import Change, Finding, Fix, FixKind, Op, RuleMeta, Safety, Severity, YamlPath, finding
from ngrok_lint.rules._transport import label, remove_line, replace_scalar
from ngrok_lint.secrets import redact
from ngrok_lint.walk import Site, endpoint_scheme, sites

META = RuleMeta(
    code="NGL101",
    name="http-scheme",
    severity=Severity.ERROR,
    summary="a public tunnel or endpoint serves plain HTTP",
    fix=FixKind.SAFE,
    security_severity=8.0,
)

_EXPOSURE = "requests and responses, cookies and credentials included, cross the internet unencrypted"


def check(doc: Document, ctx: Context) -> Iterator[Finding]:
    for site in sites(doc, ctx.base_dir):
        if site.proto != "http" or not site.public or "http" not in site.schemes:
            continue
        if site.kind == "endpoint" or (site.url is not None and site.format != "legacy" and "schemes" not in site.data):
            found = _endpoint(doc, site)
        elif isinstance(site.data.get("schemes"), list) and site.data["schemes"]:
            found = _schemes(doc, site)
        elif "bind_tls" in site.data:
            found = _bind_tls(doc, site)
        elif site.format == "legacy":
            found = _no_bind_tls(doc, site)
        else:
            found = None
        if found is not None:
            yield found


def _schemes(doc: Document, site: Site) -> Optional[Finding]:
    path = site.at("schemes")
    items: List[Any] = site.data["schemes"]
    http = [i for i, item in enumerate(items) if isinstance(item, str) and item.lower() == "http"]
    if not http:
        return None
    message = (
        f"{label(site)} serves plain HTTP (`schemes` includes `http`): {_EXPOSURE}; "
        "serve HTTPS only with `schemes: [https]`"
    )
    return finding(
        META, message, doc.value_span(path + (http[0],)), path + (http[0],),
        Fix("serve HTTPS only: `schemes: [https]`", Safety.SAFE, _schemes_changes(doc, path, items, http)),
    )


def _schemes_changes(doc: Document, path: YamlPath, items: List[Any], http: List[int]) -> Tuple[Change, ...]:
    loc = doc.loc(path)
    kept = [i for i in range(len(items)) if i not in http]
    has_https = any(isinstance(items[i], str) and items[i].lower() == "https" for i in kept)
    if loc is not None and loc.flow:
        # A flow list: rewrite it between its brackets, keeping the other items as written.
        text = doc.text
        last = doc.loc(path + (len(items) - 1,))
        close = text.find("]", last.value.end) if last is not None else -1
        scalars = all(_is_scalar(doc, path + (i,)) for i in range(len(items)))
        # A comment inside the brackets would go with the rewritten text: the structural SET keeps it.
        commented = close >= 0 and "#" in text[loc.value.start:close]
        if close >= 0 and text[loc.value.start] == "[" and scalars and not commented:
            words = [_written(doc, path + (i,)) for i in kept]
            if not has_https:  # the first `http` becomes `https`, in its own quotes
                first = doc.locs[path + (http[0],)]
                quote = first.style if first.style in ("'", '"') else ""
                words.insert(0, f"{quote}https{quote}")
            return (Change(Op.TEXT, value="[" + ", ".join(words) + "]", start=loc.value.start, end=close + 1),)
        return (Change(Op.SET, path, ["https"] + [items[i] for i in kept if items[i] != "https"]),)
    # A block list: drop the `- http` lines, or turn the only one into `- https`.
    changes: List[Change] = []
    remove = http if has_https else http[1:]
    if not has_https:
        changes.append(replace_scalar(doc, path + (http[0],), "https"))
    for index in reversed(remove):
        changes.append(remove_line(doc, path + (index,)))
    return tuple(changes)


def _is_scalar(doc: Document, path: YamlPath) -> bool:
    loc = doc.loc(path)
    return loc is not None and loc.raw is not None


def _written(doc: Document, path: YamlPath) -> str:
    span = doc.locs[path].value
    return doc.text[span.start : span.end]


def _bind_tls(doc: Document, site: Site) -> Optional[Finding]:
    path = site.at("bind_tls")
    value = site.data.get("bind_tls")
    text = value.lower() if isinstance(value, str) else None
    if value is False or text == "false":
        what = "serves plain HTTP only (`bind_tls: false`)"
    elif value is None or text == "both":
        what = "serves an `http://` URL beside the `https://` one (`bind_tls` " + (
            "is empty, which means `both`)" if value is None else "`both`)"
        )
    else:  # `true`, or a value the agent refuses (NGL002's)
        return None
    message = f"{label(site)} {what}: {_EXPOSURE}; set `bind_tls: true` to serve HTTPS only"
    loc = doc.loc(path)
    if loc is not None and value is None and loc.raw == "" and loc.value.start == loc.value.end:
        # `bind_tls:` → `bind_tls: true`
        change = Change(Op.TEXT, value=" true", start=loc.value.start, end=loc.value.end)
        span = doc.key_span(path)
    elif loc is not None and loc.raw is not None and loc.value.line == loc.value.end_line:
        change = Change(Op.TEXT, value="true", start=loc.value.start, end=loc.value.end)
        span = doc.value_span(path)
    else:
        change = Change(Op.SET, path, True)
        span = doc.key_span(path)
    return finding(META, message, span, path, Fix("serve HTTPS only: `bind_tls: true`", Safety.SAFE, (change,)))


def _no_bind_tls(doc: Document, site: Site) -> Finding:
    """A legacy http tunnel on agent 2.x's default: an `http://` URL beside the `https://` one.

    No fix of its own: NGL003's migration (which every legacy file gets) writes the tunnel for
    agent 3.x, whose default is HTTPS only; a second fix on the same tunnel would only be undone
    by it."""
    message = (
        f"{label(site)} sets no `bind_tls`, so agent 2.x serves an `http://` URL beside the `https://` one "
        f"(its default, per ngrok's upgrade guide): {_EXPOSURE}; add `bind_tls: true`, or migrate the file "
        "(NGL003's fix), after which agent 3.x serves HTTPS only"
    )
    return finding(META, message, doc.key_span(site.path), site.path)


def _endpoint(doc: Document, site: Site) -> Optional[Finding]:
    url = site.url
    if url is None or endpoint_scheme(url) != "http":
        return None
    path = site.at("url")
    new = https_url(url)
    shown, suggested = redact(url), redact(new)  # a URL's `user:password@` is never echoed
    message = f"{label(site)} serves plain HTTP (`url: {shown}`): {_EXPOSURE}; use `url: {suggested}`"
    return finding(
        META, message, doc.value_span(path), path,
        Fix(f"serve HTTPS: `url: {suggested}`", Safety.SAFE, (replace_scalar(doc, path, new),)),
    )


def https_url(url: str) -> str:
    """`http://host:80/x` → `https://host/x`: the https origin of an http endpoint URL."""
    rest = url.split("://", 1)[1]
    host, slash, tail = rest.partition("/")
    host = re.sub(r":80\Z", "", host)
    return f"https://{host}{slash}{tail}"

