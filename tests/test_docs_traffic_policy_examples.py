"""Every YAML/JSON Traffic Policy example of ngrok's traffic-policy pages, linted.

The examples are test data (`tests/data/docs_traffic_policy_examples.json`, each with its page,
line and the docs commit), extracted by `python -m ngrok_lint.facts.traffic_policy_extract DOCS
--write`. A bare policy is linted inside a v3 endpoint (`traffic_policy:`), an agent config as it
is, and a rule's `expressions` list alone inside an `on_http_request` (or, when it reads `res.`,
`on_http_response`) rule.

What may be reported is the table below: every error, and every NGL010 warning, on ngrok's own
examples, each with why. False errors on ngrok's examples: none is expected; each row is a problem
in the example itself.
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from ngrok_lint.config import Settings
from ngrok_lint.engine import analyze
from ngrok_lint.model import Severity

DATA = Path(__file__).resolve().parent / "data" / "docs_traffic_policy_examples.json"
EXAMPLES = json.loads(DATA.read_text(encoding="utf-8"))

HEADER = (
    "version: 3\nendpoints:\n  - name: example\n    url: https://example.ngrok.app\n    upstream:\n"
    "      url: 8080\n    traffic_policy:\n"
)

#: (page, line in the page, rule) -> why ngrok's example gets that finding.
EXPECTED: Dict[Tuple[str, int, str], str] = {
    ('snippets/traffic-policy/actions/basic-auth/examples/basic-example.mdx', 16, 'NGL304'):
        "the example's password is a common one (`user:password1`): NGL304 reports weak basic-auth passwords by design",
    ('snippets/traffic-policy/actions/basic-auth/examples/basic-example.mdx', 37, 'NGL304'):
        "the example's password is a common one (`user:password1`): NGL304 reports weak basic-auth passwords by design",
    ('snippets/traffic-policy/actions/http-request/examples/2-post-with-body.mdx', 27, 'NGL002'):
        '`${req.headers[\\"x-user-id\\"]}`: a backslash outside a CEL string is not CEL (the YAML single-quoted string keeps it); whether ngrok unescapes it first is not documented',
    ('snippets/traffic-policy/actions/http-request/examples/2-post-with-body.mdx', 45, 'NGL002'):
        '`${req.headers[\\"x-user-id\\"]}`: a backslash outside a CEL string is not CEL (the YAML single-quoted string keeps it); whether ngrok unescapes it first is not documented',
    ('snippets/traffic-policy/actions/oidc/examples/basic-example.mdx', 12, 'NGL002'):
        '`issuer_url: "{your issuer url}"` is a placeholder, not a URL',
    ('snippets/traffic-policy/actions/oidc/examples/basic-example.mdx', 29, 'NGL002'):
        '`issuer_url: "{your issuer url}"` is a placeholder, not a URL',
    ('snippets/traffic-policy/gallery/route-requests/BasedOnHeaders.mdx', 6, 'NGL002'):
        'the phase holds a mapping (`actions:` directly) instead of a list of rules',
    ('snippets/traffic-policy/gallery/route-requests/BasedOnHeaders.mdx', 13, 'NGL002'):
        'the phase holds a mapping (`actions:` directly) instead of a list of rules',
    ('snippets/traffic-policy/gallery/route-requests/block-unwanted-requests/FromTor.mdx', 6, 'NGL002'):
        'the phase holds a mapping (`actions:` directly) instead of a list of rules',
    ('snippets/traffic-policy/gallery/route-requests/block-unwanted-requests/FromTor.mdx', 14, 'NGL002'):
        'the phase holds a mapping (`actions:` directly) instead of a list of rules',
    ('snippets/traffic-policy/variables/conn.tls.mdx', 241, 'NGL002'):
        "`'CN=E1,O=Let's Encrypt,C=US'`: the apostrophe ends the CEL string early",
    ('snippets/traffic-policy/variables/conn.tls.mdx', 245, 'NGL002'):
        "`'CN=E1,O=Let's Encrypt,C=US'`: the apostrophe ends the CEL string early",
    ('snippets/traffic-policy/variables/conn.tls.mdx', 403, 'NGL010'):
        '`starts_with`/`ends_with` are not CEL or ngrok macros (`startsWith`/`endsWith` are)',
    ('snippets/traffic-policy/variables/conn.tls.mdx', 408, 'NGL010'):
        '`starts_with`/`ends_with` are not CEL or ngrok macros (`startsWith`/`endsWith` are)',
    ('snippets/traffic-policy/variables/conn.tls.mdx', 857, 'NGL002'):
        "`'CN=E1,O=Let's Encrypt,C=US'`: the apostrophe ends the CEL string early",
    ('snippets/traffic-policy/variables/conn.tls.mdx', 861, 'NGL002'):
        "`'CN=E1,O=Let's Encrypt,C=US'`: the apostrophe ends the CEL string early",
    ('snippets/traffic-policy/variables/req.mdx', 325, 'NGL002'):
        "`req.url == 'https://nba.com/')`: an unmatched `)`",
    ('snippets/traffic-policy/variables/req.mdx', 329, 'NGL002'):
        "`req.url == 'https://nba.com/')`: an unmatched `)`",
    ('snippets/traffic-policy/variables/req.mdx', 451, 'NGL010'):
        '`includes` is not a CEL or ngrok macro (`contains` is)',
    ('snippets/traffic-policy/variables/req.mdx', 455, 'NGL010'):
        '`includes` is not a CEL or ngrok macro (`contains` is)',
    ('snippets/traffic-policy/variables/res.mdx', 234, 'NGL002'):
        "`'/` : the CEL string is never closed",
    ('snippets/traffic-policy/variables/res.mdx', 238, 'NGL002'):
        "`'/` : the CEL string is never closed",
    ('snippets/traffic-policy/variables/time.mdx', 17, 'NGL010'):
        "`conn.ts.end` is not in ngrok's variable reference (only `conn.ts.start`): a docs gap or a wrong example",
    ('snippets/traffic-policy/variables/time.mdx', 21, 'NGL010'):
        "`conn.ts.end` is not in ngrok's variable reference (only `conn.ts.start`): a docs gap or a wrong example",
    ('traffic-policy/actions/basic-auth.mdx', 112, 'NGL304'):
        "the example's password is a common one (`user:password1`): NGL304 reports weak basic-auth passwords by design",
    ('traffic-policy/actions/basic-auth.mdx', 132, 'NGL304'):
        "the example's password is a common one (`user:password1`): NGL304 reports weak basic-auth passwords by design",
    ('traffic-policy/actions/http-request.mdx', 315, 'NGL002'):
        '`${req.headers[\\"x-user-id\\"]}`: a backslash outside a CEL string is not CEL (the YAML single-quoted string keeps it); whether ngrok unescapes it first is not documented',
    ('traffic-policy/actions/http-request.mdx', 333, 'NGL002'):
        '`${req.headers[\\"x-user-id\\"]}`: a backslash outside a CEL string is not CEL (the YAML single-quoted string keeps it); whether ngrok unescapes it first is not documented',
    ('traffic-policy/actions/oidc.mdx', 230, 'NGL002'):
        '`issuer_url: "{your issuer url}"` is a placeholder, not a URL',
    ('traffic-policy/actions/oidc.mdx', 247, 'NGL002'):
        '`issuer_url: "{your issuer url}"` is a placeholder, not a URL',
    ('traffic-policy/concepts/expressions.mdx', 61, 'NGL010'):
        '`identity.age` is an illustration, not an ngrok variable',
    ('traffic-policy/examples/add-authentication.mdx', 42, 'NGL002'):
        '`credentials` items written as `{username, password}` maps; the basic-auth reference takes `username:password` strings',
    ('traffic-policy/examples/add-authentication.mdx', 44, 'NGL002'):
        '`credentials` items written as `{username, password}` maps; the basic-auth reference takes `username:password` strings',
    ('traffic-policy/examples/add-authentication.mdx', 57, 'NGL002'):
        '`credentials` items written as `{username, password}` maps; the basic-auth reference takes `username:password` strings',
    ('traffic-policy/examples/add-authentication.mdx', 61, 'NGL002'):
        '`credentials` items written as `{username, password}` maps; the basic-auth reference takes `username:password` strings',
    ('traffic-policy/examples/oauth-protection.mdx', 144, 'NGL002'):
        'the `redirect` action is given `location:`; its reference requires `to`',
    ('traffic-policy/examples/oauth-protection.mdx', 165, 'NGL002'):
        'the `redirect` action is given `location:`; its reference requires `to`',
    ('traffic-policy/macros/index.mdx', 1858, 'NGL010'):
        '`req.raw` is not a variable (`req.url.raw` is)',
    ('traffic-policy/macros/index.mdx', 1863, 'NGL010'):
        '`req.raw` is not a variable (`req.url.raw` is)',
}


def wrapped(example: Dict[str, object]) -> Tuple[str, int]:
    """The text linted for an example, and how many lines come before the example's own text."""
    text = str(example["text"])
    if example["kind"] == "config":
        return text, 0
    if example["kind"] == "policy":
        return HEADER + textwrap.indent(text, "      "), HEADER.count("\n")
    phase = "on_http_response" if "res." in text else "on_http_request"
    data = json.dumps({phase: [{"expressions": _expressions(text), "actions": [{"type": "log", "config": {"metadata": {}}}]}]})
    return HEADER + "      " + data + "\n", HEADER.count("\n")


def _expressions(text: str) -> List[str]:
    import yaml

    return list(yaml.safe_load(text)["expressions"])


def findings() -> List[Tuple[str, int, str, str]]:
    out = []
    settings = Settings()
    for example in EXAMPLES["examples"]:
        text, before = wrapped(example)
        analysis = analyze("ngrok.yml", text.encode("utf-8"), settings, None)
        for finding in analysis.findings:
            if finding.severity != Severity.ERROR and finding.code != "NGL010":
                continue
            if example["kind"] == "expressions":
                line = int(example["line"])
            else:
                line = int(example["line"]) + max(finding.span.line - before - 1, 0)
            out.append((str(example["doc"]), line, finding.code, finding.message))
    return out


@pytest.fixture(scope="module")
def found() -> List[Tuple[str, int, str, str]]:
    pytest.importorskip("celpy")
    return findings()


def test_the_examples_are_recorded_with_their_page_and_commit() -> None:
    assert len(EXAMPLES["examples"]) >= 800
    kinds = Counter(e["kind"] for e in EXAMPLES["examples"])
    assert kinds["policy"] >= 400 and kinds["expressions"] >= 400
    for example in EXAMPLES["examples"]:
        assert example["commit"] == EXAMPLES["commit"] and len(example["commit"]) == 40
        assert str(example["doc"]).startswith(("traffic-policy/", "snippets/traffic-policy/"))


def test_every_finding_on_ngroks_examples_is_explained(found: List[Tuple[str, int, str, str]]) -> None:
    got = {(doc, line, code) for doc, line, code, _ in found}
    unexplained = sorted(f for f in found if (f[0], f[1], f[2]) not in EXPECTED)
    assert unexplained == []
    assert sorted(set(EXPECTED) - got) == []
