"""Secrets are never echoed: :func:`mask` for a value a message shows, :func:`secret_spans` for
where the secrets of a parsed file stand and :func:`mask_text` to hide them in any text shown from
the file (``--diff``), :class:`SecretIndex` for messages and fix texts, and :func:`pattern_spans`,
the line scan used only when a file does not parse.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple

from ngrok_lint.placeholders import credential_is_placeholder, is_placeholder, split_credential

# Keys whose values are secrets wherever they stand (agent settings, policy configs, modules).
SECRET_KEYS = ("authtoken", "auth_token", "api_key", "secret", "client_secret", "password", "auth",
               "server_private_key", "credentials", "basic_auth")

def mask(value: object) -> str:
    """First four characters, then an ellipsis: enough to recognise, not enough to use."""
    text = "" if value is None else str(value)
    if len(text) <= 4:
        return "…" if text else ""
    return text[:4] + "…"


# --- where the secrets stand in a text -----------------------------------------------------------
#
# Masking works on positions, not on patterns: the parse knows every value, whatever its form
# (anchored or reached through an alias, a block scalar, a value on the line after its key, an
# item of a flow collection, quoted or plain), so :func:`secret_spans` reads the secrets from the
# parsed document and :func:`mask_text` hides exactly those characters. Only a text that does not
# parse falls back to :func:`pattern_spans`, a line scan of the usual forms (documented below).
# Everything here runs in linear time: no regular expression that could backtrack over a long
# value, splits at `://`, `@` and `:` instead.

# Every character some line splitter treats as a line break (YAML's own, `str.splitlines`'s):
# masking keeps them all, so a masked text has the lines of the original.
_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK_SET = frozenset(_BREAKS)
_SECRET_KEY_SET = frozenset(SECRET_KEYS)
# Keys holding `user:password` pairs: the user name is shown, the password masked.
_CREDENTIAL_KEYS = frozenset({"auth", "basic_auth", "credentials"})
# Keys whose string value may be a whole Traffic Policy written as YAML text.
_POLICY_TEXT_KEYS = frozenset({"traffic_policy", "policy"})
ELLIPSIS = "…"


class Secret(NamedTuple):
    """The characters [start, end) of a text hide a secret; `value` is the secret as the agent reads
    it (what a message could quote). A zero-width secret only names a value to look for."""

    start: int
    end: int
    value: str


def secret_spans(doc: Any) -> Tuple[Secret, ...]:
    """Every secret value of a parsed document (a :class:`ngrok_lint.loader.Document`), in text
    order: values under a secret key (`authtoken`, `api_key`, `secret`, `client_secret`,
    `password`, `server_private_key`, …) wherever they stand, the password of each `user:password`
    (`auth`, `basic_auth`, `credentials`), the password of a URL's `user:password@`, the body of a
    PEM private key, and a policy written as text that holds any of these. An alias is the node it
    names, so a secret reused through `*name` is masked where its anchor stands. Placeholders
    (`${VAR}`, `<your-token>`, …) are not secrets."""
    memo = getattr(doc, "memo", None)
    if memo is not None and "secret_spans" in memo:
        return memo["secret_spans"]  # type: ignore[no-any-return]
    text = doc.text
    found: List[Secret] = []
    done: Dict[int, bool] = {}  # a node's start -> read under a secret key (an alias is the node again)
    # The paths come parent first, children right after (the loader records them depth first), so
    # the secret key a value sits under is the innermost open one on a stack of (path, key).
    open_keys: List[Tuple[Any, str]] = []
    for path, loc in doc.locs.items():
        while open_keys and path[:len(open_keys[-1][0])] != open_keys[-1][0]:
            open_keys.pop()
        key = open_keys[-1][1] if open_keys else None
        last = path[-1] if path else None
        policy_text = False
        if isinstance(last, str):
            lowered = last if last.islower() else last.lower()
            if lowered in _SECRET_KEY_SET and not (len(path) == 2 and path[0] == "tunnels"):
                key = lowered
                open_keys.append((path, key))
            elif lowered in _POLICY_TEXT_KEYS:
                policy_text = True
        raw = loc.raw
        if raw is None:
            continue  # a collection: its scalars come on their own paths
        if key is None and not (policy_text or "@" in raw or "PRIVATE KEY" in raw):
            continue
        start = loc.value.start
        if start in done and (done[start] or key is None):
            continue
        value = doc.get(path)
        if isinstance(value, (bool, dict, list)) or value is None:
            continue
        done[start] = key is not None
        found.extend(_scalar_secrets(text, loc, "policy" if policy_text and key is None else key, value))
    result = tuple(sorted(found))
    if memo is not None:
        memo["secret_spans"] = result
    return result


def _content(text: str, start: int, end: int, style: Optional[str]) -> Tuple[int, int]:
    """The characters of a scalar's content: after its anchor and tag, inside its quotes, below
    the header of a block scalar; trailing line breaks excluded."""
    i = start
    while i < end:
        char = text[i]
        if char in "&!":  # an anchor or a tag: a token up to whitespace
            while i < end and text[i] not in " \t" and text[i] not in _BREAK_SET:
                i += 1
        elif char == " " or char == "\t" or char in _BREAK_SET:
            i += 1
        elif char == "#":  # a comment between the properties and the value
            while i < end and text[i] not in _BREAK_SET:
                i += 1
        else:
            break
    if style in ('"', "'"):
        close = end - 1 if end - 1 > i and text[end - 1] == style else end
        return i + 1, close
    if style in ("|", ">"):
        i = _next_line(text, i, end)
        while i < end and (text[i] in " \t" or text[i] in _BREAK_SET):
            i += 1
    while end > i and (text[end - 1] in " \t" or text[end - 1] in _BREAK_SET):
        end -= 1
    return i, end


def _next_line(text: str, i: int, end: int) -> int:
    """The offset after the line break that ends the line holding `i` (or `end`)."""
    while i < end and text[i] not in _BREAK_SET:
        i += 1
    if text.startswith("\r\n", i):
        return i + 2
    return min(i + 1, end)


def _scalar_secrets(text: str, loc: Any, key: Optional[str], value: Any) -> Iterator[Secret]:
    start, end = _content(text, loc.value.start, loc.value.end, loc.style)
    if start >= end:
        return
    shown = text[start:end]
    plain = value if isinstance(value, str) else (loc.raw if isinstance(loc.raw, str) else str(value))
    if key in _CREDENTIAL_KEYS:
        if not credential_is_placeholder(plain.strip()):
            yield _credential_secret(text, start, end, plain, loc.style)
        return
    if key == "policy":
        inner = pattern_spans(plain)  # a policy written as text: hide it whole when it holds one
        if inner:
            yield Secret(start, end, inner[0].value)
            yield from (Secret(start, start, item.value) for item in inner[1:])
        return
    if key is not None:
        if not is_placeholder(plain.strip()):
            yield Secret(start, end, plain.strip())
        return
    for first, last in url_passwords(shown):
        password = shown[first:last]
        if not is_placeholder(password):
            yield Secret(start + first, start + last, password)
    for first, last in pem_bodies(shown):
        yield Secret(start + first, start + last, shown[first:last].strip())


def _credential_secret(text: str, start: int, end: int, value: str, style: Optional[str]) -> Secret:
    """The password of a `user:password` (the whole value without a colon, or when the user name
    would show the password: `pw:pw`)."""
    user, colon, password = value.strip().partition(":")
    at = text.find(":", start, end)
    escaped = style == '"' and "\\" in text[start:max(at, start)]
    if not colon or at < 0 or escaped or (password and password in user):
        return Secret(start, end, value.strip())
    return Secret(at + 1, end, password)


# Characters that end the `user:password` run before an `@` (URL delimiters, quotes, brackets).
_USERINFO_STOP = frozenset(" \t/@\"'`<>()[]{},;?#" + _BREAKS)


def url_passwords(text: str, scheme: bool = True) -> Iterator[Tuple[int, int]]:
    """The offsets of every password written as `user:password@` in `text` (with `scheme`, only
    right after `://`). Linear: each `@` looks back no further than the one before it."""
    floor = 0
    at = text.find("@")
    while at >= 0:
        i = at
        while i > floor and text[i - 1] not in _USERINFO_STOP:
            i -= 1
        colon = text.find(":", i, at)
        if colon > i and colon + 1 < at and (not scheme or text.startswith("://", i - 3)):
            yield colon + 1, at
        floor = at + 1
        at = text.find("@", floor)


def mask_url_passwords(text: str, scheme: bool = False) -> str:
    """`text` with every `user:password@` password masked (`user:pass…@`)."""
    out: List[str] = []
    position = 0
    for first, last in url_passwords(text, scheme):
        out.append(text[position:first])
        out.append(mask(text[first:last]))
        position = last
    out.append(text[position:])
    return "".join(out)


def pem_bodies(text: str) -> Iterator[Tuple[int, int]]:
    """The body of every PEM private key in `text`: after its `-----BEGIN … PRIVATE KEY-----`
    line, up to its `-----END` marker (or the end of the text)."""
    position = 0
    no_end_after = len(text) + 1  # once no END marker follows, none follows any later BEGIN
    while True:
        begin = text.find("-----BEGIN ", position)
        if begin < 0:
            return
        header_end = text.find("-----", begin + 11, begin + 80)
        label = text[begin + 11:header_end] if header_end >= 0 else ""
        if not label.endswith("PRIVATE KEY") or any(char in _BREAK_SET for char in label):
            position = begin + 11
            continue
        body = header_end + 5
        end = -1 if body >= no_end_after else text.find("-----END ", body)
        if end < 0:
            no_end_after = body
            end = len(text)
        yield body, end
        position = max(end, body + 1)


def mask_text(text: str, secrets: Sequence[Secret]) -> str:
    """`text` with the characters of every secret masked, lines kept: the first line of a secret
    shows its first four characters and an ellipsis (`2Nq8…`, as messages do), every further line
    keeps its indentation and shows an ellipsis, line breaks stay where they are."""
    out: List[str] = []
    position = 0
    for start, end in merged(secrets):
        out.append(text[position:start])
        out.append(_masked(text[start:end]))
        position = end
    out.append(text[position:])
    return "".join(out)


def merged(secrets: Sequence[Secret]) -> List[Tuple[int, int]]:
    """The secrets' character ranges, sorted, overlapping ones joined, empty ones left out."""
    ranges = sorted((s.start, s.end) for s in secrets if s.end > s.start)
    out: List[Tuple[int, int]] = []
    for start, end in ranges:
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _masked(chunk: str) -> str:
    out: List[str] = []
    first = True
    piece_start = 0
    for index, char in enumerate(chunk):
        if char in _BREAK_SET:
            out.append(_masked_piece(chunk[piece_start:index], first))
            out.append(char)
            first = False
            piece_start = index + 1
    out.append(_masked_piece(chunk[piece_start:], first))
    return "".join(out)


def _masked_piece(piece: str, first: bool) -> str:
    if first:
        return mask(piece) if piece else ""
    body = piece.lstrip(" \t")
    return piece[:len(piece) - len(body)] + (ELLIPSIS if body else "")


# --- the fallback: a line scan for a text that does not parse --------------------------------------


@lru_cache(maxsize=None)
def _line_patterns() -> Tuple["re.Pattern[str]", "re.Pattern[str]", "re.Pattern[str]"]:
    """Compiled on first use (a clean lint never scans lines). Each is matched at one position
    (a line start, a `{` or `,`), so none can backtrack across a long value."""
    keys = "|".join(sorted(SECRET_KEYS, key=len, reverse=True))
    key_line = re.compile(r"[ \t]*(?:-[ \t]+)?([\"']?)(" + keys + r")\1[ \t]*:(?=[ \t]|$)", re.I)
    flow_key = re.compile(r"[{,][ \t]*([\"']?)(?:" + keys + r")\1[ \t]*:[ \t]*", re.I)
    credential_item = re.compile(r"[ \t]*-[ \t]+([\"']?)[^\s:\"'#]+:(?=[^\s\"'#])")
    return key_line, flow_key, credential_item


def pattern_spans(text: str) -> List[Secret]:
    """The fallback for a text that does not parse (and for a single value): a scan of lines for
    the usual forms. A secret key at the start of a line (`authtoken: …`, `- password: …`, quoted
    or not) hides its value: plain (with its continuation lines), quoted (up to the closing quote,
    across lines), a flow list or map, a block scalar or a value on the following, deeper lines.
    A `user:password` list item hides its password; so do `secret: …` keys inside a flow map, a
    URL's `user:password@` and the body of a PEM private key. An alias cannot be followed without
    the parse: its anchor is hidden only when it stands under a secret key itself."""
    key_line, flow_key, credential_item = _line_patterns()
    lines = _lines_of(text)
    found: List[Secret] = []
    index = 0
    while index < len(lines):
        start, end = lines[index]
        line = text[start:end]
        match = key_line.match(line)
        following = index + 1
        if match is not None:
            credential = match.group(2).lower() in _CREDENTIAL_KEYS
            following = _value_secrets(text, lines, index, start + match.end(), start + match.start(2), credential, found)
        else:
            item = credential_item.match(line)
            if item is not None:
                colon = line.find(":", item.end(1))
                last = _plain_end(line, colon + 1)
                found.append(Secret(start + colon + 1, start + last, line[colon + 1:last]))
        for flow in flow_key.finditer(line):
            value_start = flow.end()
            value_end = _flow_value_end(line, value_start)
            value_start += value_start < len(line) and line[value_start] in "\"'"
            if value_end > value_start:
                found.append(Secret(start + value_start, start + value_end, line[value_start:value_end].strip("\"'")))
        index = max(following, index + 1)
    for first, last in url_passwords(text):
        found.append(Secret(first, last, text[first:last]))
    for first, last in pem_bodies(text):
        found.append(Secret(first, last, text[first:last].strip()))
    return sorted(found)


def _lines_of(text: str) -> List[Tuple[int, int]]:
    """(start, end) of every line, the end before its line break; breaks as `str.splitlines`."""
    out: List[Tuple[int, int]] = []
    start = 0
    for piece in text.splitlines(True):
        body = piece
        if piece.endswith("\r\n"):
            body = piece[:-2]
        elif piece[-1:] in _BREAK_SET:
            body = piece[:-1]
        out.append((start, start + len(body)))
        start += len(piece)
    return out


def _indent(text: str, start: int, end: int) -> int:
    i = start
    while i < end and text[i] in " \t":
        i += 1
    return i - start


def _plain_end(line: str, start: int) -> int:
    """Where a plain value starting at `start` ends: before a ` #` comment, trailing blanks dropped."""
    end = len(line)
    hash_at = line.find("#", start)
    while hash_at >= 0:
        if hash_at > start and line[hash_at - 1] in " \t":
            end = hash_at
            break
        hash_at = line.find("#", hash_at + 1)
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def _flow_value_end(line: str, start: int) -> int:
    if start < len(line) and line[start] in "\"'":
        close = _closing_quote(line, start)
        return close if close >= 0 else len(line)
    end = start
    while end < len(line) and line[end] not in ",}]":
        end += 1
    while end > start and line[end - 1] in " \t":
        end -= 1
    return end


def _closing_quote(text: str, start: int) -> int:
    """The offset of the quote closing the scalar opened at `start`, or -1."""
    quote = text[start]
    i = start + 1
    while True:
        i = text.find(quote, i)
        if i < 0:
            return -1
        if quote == "'":
            if text.startswith("''", i):
                i += 2
                continue
            return i
        backslashes = 0
        while text[i - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return i
        i += 1


def _value_secrets(text: str, lines: List[Tuple[int, int]], index: int, position: int, key_column: int,
                   credential: bool, found: List[Secret]) -> int:
    """Record the value of the secret key on line `index` (its colon ends before `position`);
    returns the index of the first line after the value."""
    line_end = lines[index][1]
    key_indent = key_column - lines[index][0]
    while position < line_end:
        char = text[position]
        if char in " \t":
            position += 1
        elif char in "&!":  # an anchor or a tag before the value
            while position < line_end and text[position] not in " \t":
                position += 1
        else:
            break
    char = text[position] if position < line_end else "#"
    if char == "*":
        return index + 1  # an alias: its anchor is elsewhere
    if char in "#|>":  # the value is on the deeper lines that follow
        return _deeper_lines(text, lines, index + 1, key_indent, credential, found)
    if char in "\"'":
        close = _closing_quote(text, position)
        end = close if close >= 0 else len(text)
        found.append(_credential_or_whole(text, position + 1, end, credential))
        following = index + 1
        while following < len(lines) and lines[following][0] <= end:
            following += 1
        return following
    if char in "[{":
        closing = "]" if char == "[" else "}"
        end = text.find(closing, position)
        end = len(text) if end < 0 else end
        item_start = position + 1
        for item_end in _commas(text, item_start, end):
            first, last = item_start, item_end
            while first < last and (text[first] in " \t\"'" or text[first] in _BREAK_SET):
                first += 1
            while last > first and (text[last - 1] in " \t\"'" or text[last - 1] in _BREAK_SET):
                last -= 1
            if last > first:
                found.append(_credential_or_whole(text, first, last, credential and char == "["))
            item_start = item_end + 1
        following = index + 1
        while following < len(lines) and lines[following][0] <= end:
            following += 1
        return following
    line = text[lines[index][0]:line_end]
    last = _plain_end(line, position - lines[index][0])
    found.append(_credential_or_whole(text, position, lines[index][0] + last, credential))
    return _deeper_lines(text, lines, index + 1, key_indent, False, found, continuation=True)


def _commas(text: str, start: int, end: int) -> Iterator[int]:
    """The ends of the items of a flow collection's text [start, end) (commas outside quotes)."""
    i = start
    while i < end:
        char = text[i]
        if char in "\"'":
            close = _closing_quote(text, i)
            i = end if close < 0 or close >= end else close + 1
            continue
        if char == ",":
            yield i
        i += 1
    yield end


def _deeper_lines(text: str, lines: List[Tuple[int, int]], index: int, key_indent: int, credential: bool,
                  found: List[Secret], continuation: bool = False) -> int:
    """Mask the lines indented deeper than the key (a block scalar, a next-line value, list items):
    one secret over them all, or the password of each `user:password` item. The `continuation`
    lines of a plain value end at a line that reads as a key, an item or a comment."""
    first_start = last_end = -1
    while index < len(lines):
        start, end = lines[index]
        indent = _indent(text, start, end)
        if start + indent == end:  # a blank line
            index += 1
            continue
        if indent <= key_indent:
            break
        first = start + indent
        if continuation and (text[first] in "#-" or ": " in text[first:end] or text[end - 1] == ":"):
            break
        if text.startswith("- ", first) or text.startswith("-\t", first):
            first += 2
            while first < end and text[first] in " \t":
                first += 1
        if text[first] != "#":
            last = start + _plain_end(text[start:end], first - start)
            if text[first] in "\"'" and last - 1 > first and text[last - 1] == text[first]:
                first, last = first + 1, last - 1  # a quoted value: its quotes stay
            if credential:
                found.append(_credential_or_whole(text, first, last, True))
            else:
                first_start = first if first_start < 0 else first_start
                last_end = last
        index += 1
    if first_start >= 0:
        found.append(Secret(first_start, last_end, text[first_start:last_end]))
    return index


def _credential_or_whole(text: str, start: int, end: int, credential: bool) -> Secret:
    if credential:
        colon = text.find(":", start, end)
        if colon >= 0 and text[start:colon] and text[colon + 1:end] not in text[start:colon]:
            return Secret(colon + 1, end, text[colon + 1:end])
    return Secret(start, end, text[start:end])


def redact(text: str) -> str:
    """The fallback redaction: `text` with what :func:`pattern_spans` finds masked, lines kept."""
    return mask_text(text, pattern_spans(text))


def text_secrets(text: str) -> Tuple[Sequence[Secret], bool]:
    """The secrets of a whole file's text: from the parse when it parses (True), else the line scan."""
    from ngrok_lint.loader import Document, parse

    parsed = parse("<text>", text)
    if isinstance(parsed, Document):
        return secret_spans(parsed), True
    return pattern_spans(text), False


def mask_secrets(text: str) -> str:
    """A whole file's text with its secrets masked (from the parse; the line scan if it does not parse)."""
    return mask_text(text, text_secrets(text)[0])


# --- secrets quoted in messages, and fixes that would carry one -------------------------------------

# A message quotes a value after one of these (or at its start): `…`, "…", (…), key: …, user:…@. Every
# start is tried (a lookahead), so windows overlap: `a:2Nq8…` is looked at after `a:` too. A fix's
# text is YAML, where a value also follows a plain space or an indentation.
_MESSAGE_WINDOW = re.compile(r"(?:(?<=[`\"'(\[{,=@/:<|])|(?<=: )|^)(?=(.{1,8}))", re.S)
_TEXT_WINDOW = re.compile(r"(?:(?<=[\s`\"'(\[{,=@/:<|])|^)(?=(.{1,8}))", re.S)
_MIN_NEEDLE = 6
_FEW = 24  # a shorter secret is too short to look for in prose (and a mask shows none of it)


class SecretIndex:
    """The secrets of one file, to mask messages that quote them and to tell whether a fix's new
    text carries one. Built from :func:`secret_spans` (or the line scan of a file that does not
    parse): a message quotes a secret from its start, so each secret is found by its first eight
    characters (a shorter one whole), and the match runs as far as the message goes on quoting it."""

    __slots__ = ("secrets", "needles", "short", "_ranges")

    def __init__(self, secrets: Sequence[Secret]) -> None:
        self.secrets = tuple(secrets)
        self._ranges: Optional[List[Tuple[int, int]]] = None
        # Each piece once (a dict as an ordered set): 2,000 tunnels with the password `password`
        # must not make every message scan 2,000 copies of it.
        self.needles: Dict[str, Dict[str, None]] = {}
        for item in secrets:
            for piece in _pieces(item.value):
                self.needles.setdefault(piece[:8], {})[piece] = None
        self.short = frozenset(len(key) for key in self.needles if len(key) < 8)

    def __bool__(self) -> bool:
        return bool(self.needles)

    def ranges(self) -> List[Tuple[int, int]]:
        """The secrets' character ranges in the file, sorted and joined (:func:`merged`)."""
        if self._ranges is None:
            self._ranges = merged(self.secrets)
        return self._ranges

    def _hits(self, text: str, windows_of: "re.Pattern[str]" = _MESSAGE_WINDOW) -> Set[str]:
        if len(self.needles) <= _FEW:  # a search per secret is cheaper than cutting the text into windows
            return {key for key in self.needles if key in text}
        windows = set(windows_of.findall(text))
        hits = self.needles.keys() & windows
        if self.short:
            for window in windows:
                hits.update(window[:size] for size in self.short if window[:size] in self.needles)
        return hits

    def scrub(self, message: str) -> str:
        """`message` with every secret it quotes masked (`2Nq8…`)."""
        if not self.needles or not message:
            return message
        hits = self._hits(message)
        if not hits:
            return message
        pieces = sorted({piece for key in hits for piece in self.needles[key]}, key=len, reverse=True)
        for piece in pieces:
            message = _replace_quoted(message, piece)
        return message

    def carries(self, inserted: str) -> bool:
        """Does the text a fix inserts quote a secret of the file (a line of one, or its start)?"""
        if not self.needles or not inserted:
            return False
        return bool(self._hits(inserted, _TEXT_WINDOW))


def _pieces(value: str) -> Iterator[str]:
    """The lines of a secret, each stripped (a block scalar's secret is quoted line by line)."""
    for line in value.splitlines() or [value]:
        line = line.strip()
        if len(line) >= _MIN_NEEDLE:
            yield line


def _replace_quoted(message: str, piece: str) -> str:
    """Mask every quote of `piece` in `message` (from its start; a truncated quote counts too)."""
    key = piece[:8]
    out: List[str] = []
    position = 0
    found = message.find(key)
    while found >= 0:
        if found > 0 and message[found - 1] not in "`\"'([{,:=@/<|" and message[max(found - 2, 0):found] != ": ":
            found = message.find(key, found + 1)
            continue
        end = found + len(key)
        while end < len(message) and end - found < len(piece) and message[end] == piece[end - found]:
            end += 1
        if len(piece) < 8 and end < len(message) and not message[end].isspace() and message[end] not in "`\"')]},;.@/":
            found = message.find(key, found + 1)  # a short secret counts only as a whole word
            continue
        out.append(message[position:found])
        out.append(mask(message[found:end]))
        position = end
        found = message.find(key, end)
    out.append(message[position:])
    return "".join(out)


def index_for(doc: Any = None, text: Optional[str] = None) -> SecretIndex:
    """The secrets of a parsed document (memoised on it), else of a text by the line scan."""
    if doc is not None:
        memo = doc.memo
        index = memo.get("secret_index")
        if index is None:
            index = memo["secret_index"] = SecretIndex(secret_spans(doc))
        return index  # type: ignore[no-any-return]
    return SecretIndex(pattern_spans(text or ""))

def mask_credential(value: object) -> str:
    """`user:pass…`: the user name is no secret, the password is masked."""
    parts = split_credential(value)
    if parts is None:
        return mask(value)
    user, password = parts
    if password and password in user:  # `pw:pw`: the user name would show the password
        return f"{mask(user)}:{mask(password)}"
    return f"{user}:{mask(password)}"


# --- a diff that shows no secret -------------------------------------------------------------------


class MaskedDiff(NamedTuple):
    """A unified diff with every secret masked on both sides, and the hunks that show a mask: such
    a hunk is for reading, not an applicable patch (its text is not the file's)."""

    text: str
    masked_hunks: Tuple[str, ...] = ()


def masked_diff(name: str, old: str, new: str, old_secrets: Optional[Sequence[Secret]] = None,
                new_secrets: Optional[Sequence[Secret]] = None) -> MaskedDiff:
    """`a/name` -> `b/name` with `\\n` line ends; "" when equal. The lines are matched on the real
    texts and shown from the masked ones (masking keeps every line where it is)."""
    if old == new:
        return MaskedDiff("")
    from ngrok_lint import linediff

    if old_secrets is None:
        old_secrets = text_secrets(old)[0]
    before = _diff_lines(old)
    after = _diff_lines(new)
    before_shown = _diff_lines(mask_text(old, old_secrets))
    if new_secrets is None:
        new_secrets = text_secrets(new)[0]
    after_shown = _diff_lines(mask_text(new, new_secrets))
    out = [f"--- a/{name}\n", f"+++ b/{name}\n"]
    masked: List[str] = []
    for group in linediff.grouped(before, after):
        header = (f"@@ -{_hunk_range(group[0][1], group[-1][2])} "
                  f"+{_hunk_range(group[0][3], group[-1][4])} @@")
        out.append(header + "\n")
        shows_mask = False
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for i in range(i1, i2):
                    out.append(" " + before_shown[i])
                    shows_mask = shows_mask or before_shown[i] != before[i]
                continue
            for i in range(i1, i2):
                out.append("-" + before_shown[i])
                shows_mask = shows_mask or before_shown[i] != before[i]
            for j in range(j1, j2):
                out.append("+" + after_shown[j])
                shows_mask = shows_mask or after_shown[j] != after[j]
        if shows_mask:
            masked.append(header)
    text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)
    return MaskedDiff(text, tuple(masked))


def _diff_lines(text: str) -> List[str]:
    """Lines ending in `\\n` (a `\\r\\n` read as `\\n`): the lines a unified diff shows."""
    lines = text.replace("\r\n", "\n").split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _hunk_range(start: int, stop: int) -> str:
    """A unified diff's `start,length` (1-based; an empty range names the line before it)."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"


# --- fixes as edits: the smallest change, never carrying a secret ------------------------------------


def minimal_edit(text: str, start: int, end: int, inserted: str) -> Tuple[int, int, str]:
    """`text[start:end] -> inserted` without the characters both sides share at the start and the
    end: the exact change (a SARIF fix or an editor edit then touches nothing else)."""
    old = text[start:end]
    head = _common_head(old, inserted)
    tail = _common_head(old[head:][::-1], inserted[head:][::-1])
    return start + head, end - tail, inserted[head:len(inserted) - tail]


def _common_head(a: str, b: str) -> int:
    """The length of the longest common prefix (slice comparisons: no loop over characters)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def guard_edit(text: str, start: int, end: int, inserted: str, index: SecretIndex) -> Optional[Tuple[int, int, str]]:
    """The minimal form of an edit of `text`, or None when it would carry a secret: the text it
    inserts quotes one, or it replaces part of a secret while inserting text (a fix that keeps a
    secret must leave its characters alone). Deleting a secret whole carries nothing."""
    start, end, inserted = minimal_edit(text, start, end, inserted)
    if not inserted:
        return start, end, inserted
    if index.carries(inserted):
        return None
    import bisect

    ranges = index.ranges()
    at = bisect.bisect_right(ranges, (start, len(text) + 1))
    for first, last in ranges[max(at - 1, 0):]:
        if first > end:
            break
        if first < start < last or first < end < last:
            return None
    return start, end, inserted
