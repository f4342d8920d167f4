"""A line diff in about linear time for two nearly equal texts, with difflib's opcodes.

difflib's SequenceMatcher alone is quadratic on long runs of repeated lines (`proto: http` in
every tunnel), which a fix of a large file produces: lines that occur once on each side anchor
the match (patience diff), the common head and tail of what lies between are matched directly,
and difflib compares only what is left.
"""

from __future__ import annotations

import bisect
from collections import Counter
from difflib import SequenceMatcher
from typing import Iterator, List, Sequence, Tuple

Opcode = Tuple[str, int, int, int, int]


def opcodes(a: Sequence[str], b: Sequence[str]) -> List[Opcode]:
    """difflib-style opcodes for two nearly equal sequences of lines, in about linear time.

    Lines that occur once in each side anchor the match (patience diff); between anchors the
    common head and tail are matched, and difflib compares only what is left. difflib alone is
    quadratic on long runs of repeated lines (`proto: http` in every tunnel)."""
    raw: List[Opcode] = []
    _diff(a, 0, len(a), b, 0, len(b), raw)
    result: List[Opcode] = []
    for op in raw:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if result and op[0] == "equal" and result[-1][0] == "equal":
            last = result[-1]
            result[-1] = ("equal", last[1], op[2], last[3], op[4])
        else:
            result.append(op)
    return result


def _diff(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int,
          out: List[Opcode]) -> None:
    head = 0
    while alo + head < ahi and blo + head < bhi and a[alo + head] == b[blo + head]:
        head += 1
    if head:
        out.append(("equal", alo, alo + head, blo, blo + head))
    alo, blo = alo + head, blo + head
    tail = 0
    while tail < ahi - alo and tail < bhi - blo and a[ahi - 1 - tail] == b[bhi - 1 - tail]:
        tail += 1
    ahi_mid, bhi_mid = ahi - tail, bhi - tail
    if alo == ahi_mid or blo == bhi_mid:
        if alo < ahi_mid:
            out.append(("delete", alo, ahi_mid, blo, blo))
        elif blo < bhi_mid:
            out.append(("insert", alo, alo, blo, bhi_mid))
    else:
        anchors = _anchors(a, alo, ahi_mid, b, blo, bhi_mid)
        if not anchors:
            for tag, i1, i2, j1, j2 in SequenceMatcher(None, a[alo:ahi_mid], b[blo:bhi_mid], autojunk=False).get_opcodes():
                out.append((tag, i1 + alo, i2 + alo, j1 + blo, j2 + blo))
        else:
            i, j = alo, blo
            for x, y in anchors:
                _diff(a, i, x, b, j, y, out)
                out.append(("equal", x, x + 1, y, y + 1))
                i, j = x + 1, y + 1
            _diff(a, i, ahi_mid, b, j, bhi_mid, out)
    if tail:
        out.append(("equal", ahi_mid, ahi, bhi_mid, bhi))


def _anchors(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> List[Tuple[int, int]]:
    """Pairs (i, j) of lines unique on both sides, the longest run in order on both (patience)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    # The longest increasing subsequence of the j's (patience sorting, n log n).
    tops: List[int] = []  # j of the pile tops
    top_index: List[int] = []  # index into pairs of each pile top
    back: List[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        pile = bisect.bisect_left(tops, j)
        if pile == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[pile] = j
            top_index[pile] = index
        back[index] = top_index[pile - 1] if pile else -1
    chain: List[Tuple[int, int]] = []
    at = top_index[-1] if top_index else -1
    while at >= 0:
        chain.append(pairs[at])
        at = back[at]
    chain.reverse()
    return chain


def grouped(a: Sequence[str], b: Sequence[str], context: int = 3) -> Iterator[List[Opcode]]:
    """The hunks of a unified diff (difflib's `get_grouped_opcodes`, on :func:`opcodes`)."""
    codes = opcodes(a, b) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)
    group: List[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * context:
            group.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            yield group
            group = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group
