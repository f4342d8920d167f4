"""The fix engine: findings carry their fixes as data (`Fix.changes`); this module applies them.

One pass picks the applicable fixes (not suppressed, not refused earlier, safe or allowed unsafe),
applies a batch that cannot interfere (non-overlapping TEXT splices, or structural changes in
unrelated places), verifies the result and re-lints; passes repeat until nothing applicable is
left (at most :data:`MAX_PASSES`). A batch that fails verification is retried one fix at a time,
and a single fix that fails is left out and its finding says why (`fix_unavailable`).

TEXT changes are splices on the decoded text. Structural changes go through
:mod:`ngrok_lint.roundtrip` (ruamel.yaml, imported only when needed), which merges the change back
onto the original text so that everything else stays byte-identical.

Verification of every accepted result: it decodes to the file's encoding without mixing line
endings; it parses; its data equals the old data with the structural changes applied (a plain-data
oracle), ignoring only what TEXT changes touch; no key was duplicated; and each fixed finding is
reported fewer times after the fix than before it. The loop stops only when no applicable fix is
left, so running the engine again on its output changes nothing.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union, cast

from ngrok_lint import engine, proof
from ngrok_lint.engine import Analysis
from ngrok_lint.loader import Document, ParseProblem, parse
from ngrok_lint.model import Change, Finding, Fix, Op, Safety, Severity, YamlPath
from ngrok_lint.secrets import MaskedDiff
from ngrok_lint.source import DecodeError, Source, decode

MAX_PASSES = 10  # accepted batches per file; each fix removes its own finding, so real files need 2-3
_MAX_ATTEMPTS = 200  # every attempt, failed ones included: a hard stop whatever the rules do

_Key = Tuple[str, YamlPath, str]


@dataclass(frozen=True)
class FixRefusal:
    """Why a fix is not applied (one line; outputs show it as "fix skipped: <reason>")."""

    reason: str


@dataclass
class FixOutcome:
    analysis: Analysis  # the final state; findings whose fix failed carry `fix_unavailable`
    new_bytes: Optional[bytes]  # None when nothing changed
    diff: str  # unified diff of the change, secrets masked; "" when unchanged
    fixed: int  # findings whose fixes were applied
    masked_hunks: Tuple[str, ...] = ()  # the diff's hunks that show a masked secret: not a patch


# --- public API ----------------------------------------------------------------------------------


def fix_analysis(analysis: Analysis, unsafe: bool, at_least: Optional[Severity] = None) -> FixOutcome:
    """Apply every applicable fix of one analysed file, re-linting between batches. With
    `at_least`, only the fixes of findings of that severity or above (`--fix-failing`)."""
    with engine.collector_paused():  # each batch parses and proves the whole file: see the engine
        return _fix_analysis(analysis, unsafe, at_least)


def _fix_analysis(analysis: Analysis, unsafe: bool, at_least: Optional[Severity]) -> FixOutcome:
    if analysis.doc is None or analysis.source is None:  # NGL001: never fix what does not parse
        return FixOutcome(analysis, None, "", 0)
    failed: Dict[_Key, str] = {}
    whole_file = _structural_blocker(analysis.source)
    if whole_file:
        for item in analysis.findings:
            if item.fix is not None and _is_structural(item.fix):
                failed[_key(item)] = whole_file
    current = analysis
    seen: Set[str] = {analysis.source.text}
    fixed = passes = 0
    single = False
    combine = True
    for _ in range(_MAX_ATTEMPTS):
        settled = engine.settle(current, list(current.findings))
        candidates = [
            f for f in settled
            if _applicable(f, unsafe) and _key(f) not in failed and (at_least is None or f.severity >= at_least)
        ]
        if not candidates:
            break
        if passes >= MAX_PASSES:
            for item in candidates:
                failed[_key(item)] = f"the fixes did not settle after {MAX_PASSES} passes"
            break
        batch = [candidates[0]] if single else _batch(candidates, current if combine else None)
        result = _attempt(current, batch, settled)
        if isinstance(result, Analysis) and result.source is not None and result.source.text in seen:
            result = FixRefusal("another fix undoes this one")
        if isinstance(result, FixRefusal):
            if combine and not single and _mixed(batch):
                combine = False  # text and structural fixes together failed: each kind on its own
                continue
            if len(batch) == 1:
                failed[_key(batch[0])] = result.reason
                continue
            # Find the culprits: each fix of the batch on its own. If each works alone, the batch
            # fails only as a whole: go on one fix at a time.
            culprits = 0
            for item in batch:
                alone = _attempt(current, [item], settled)
                if isinstance(alone, FixRefusal):
                    failed[_key(item)] = alone.reason
                    culprits += 1
            single = culprits == 0
            continue
        assert result.source is not None
        seen.add(result.source.text)
        current, single = result, False
        fixed += len(batch)
        passes += 1
    final = _marked(current, failed)
    assert final.source is not None
    if final.source.text == analysis.source.text:
        return FixOutcome(final, None, "", 0)
    new_bytes = final.source.encode(final.source.text)
    diff = masked_diff(analysis.path, analysis.source.text, final.source.text, analysis.doc, final.doc)
    return FixOutcome(final, new_bytes, diff.text, fixed, diff.masked_hunks)


def preview(analysis: Analysis, item: Finding) -> Union[str, FixRefusal]:
    """The whole new text after applying just `item`'s fix, verified like any other fix."""
    if analysis.doc is None or analysis.source is None:
        return FixRefusal("the file does not parse")
    if item.fix is None:
        return FixRefusal("the rule offers no fix")
    if item.fix_unavailable:
        return FixRefusal(item.fix_unavailable)
    if _is_structural(item.fix):
        blocker = _structural_blocker(analysis.source)
        if blocker:
            return FixRefusal(blocker)
    settled = engine.settle(analysis, list(analysis.findings))
    result = _attempt(analysis, [item], settled)
    if isinstance(result, FixRefusal):
        return result
    assert result.source is not None
    return result.source.text


Region = Tuple[int, int, str]  # characters [start, end) of the analysed text -> new text


def previews(analysis: Analysis, items: Sequence[Finding]) -> List[Union[Region, FixRefusal]]:
    """For each finding, the smallest region of the analysed text its fix alone replaces, or why
    it has none: SARIF `fixes` and editor quick fixes for a whole file, computed together.

    TEXT fixes that do not overlap (ranges sorted once) are applied, proven and re-linted as one
    batch; structural fixes in unrelated parts of the tree go through one round trip, and each
    run of lines it rewrites is attributed to the one fix whose part of the tree holds it.
    Whatever the batches cannot settle (overlaps, a batch the proof refuses, a run no single fix
    explains) is previewed one fix at a time, as :func:`preview` does."""
    with engine.collector_paused():
        return _previews(analysis, items)


def _previews(analysis: Analysis, items: Sequence[Finding]) -> List[Union[Region, FixRefusal]]:
    out: List[Union[Region, FixRefusal, None]] = [None] * len(items)
    source, doc = analysis.source, analysis.doc
    if source is None or doc is None:
        return [FixRefusal("the file does not parse")] * len(items)
    blocker = _structural_blocker(source)
    text_only: List[int] = []
    structural: List[int] = []
    alone: List[int] = []
    for index, item in enumerate(items):
        if item.fix is None:
            out[index] = FixRefusal("the rule offers no fix")
        elif item.fix_unavailable:
            out[index] = FixRefusal(item.fix_unavailable)
        elif not item.fix.changes:
            out[index] = FixRefusal("the fix changes nothing")
        elif _is_structural(item.fix) and blocker:
            out[index] = FixRefusal(blocker)
        elif not _is_structural(item.fix):
            text_only.append(index)
        elif all(c.op != Op.TEXT for c in item.fix.changes):
            structural.append(index)
        else:
            alone.append(index)
    settled = engine.settle(analysis, list(analysis.findings))
    # First, text fixes and new keys written straight into the text together: one verification.
    if text_only and structural:
        done = _mixed_round(analysis, items, text_only, structural, settled, out)
        text_only = [i for i in text_only if i not in done]
        structural = [i for i in structural if i not in done]
    # Rounds: each takes the fixes that do not interfere with each other (a tunnel with two
    # fixes needs two rounds); a round that settles nothing leaves the rest to one at a time.
    while len(text_only) > 1:
        chosen = [text_only[i] for i in _disjoint_ranges([_text_ranges(items[i].fix) for i in text_only])]  # type: ignore[arg-type]
        if len(chosen) < 2 or not isinstance(_attempt(analysis, [items[i] for i in chosen], settled), Analysis):
            break
        for i in chosen:
            out[i] = _text_region(source, items[i].fix)  # type: ignore[arg-type]
        taken = set(chosen)
        text_only = [i for i in text_only if i not in taken]
    while len(structural) > 1:
        chosen = [structural[i] for i in _unrelated([[p for c in items[i].fix.changes for p in _change_paths(c)]  # type: ignore[union-attr]
                                                      for i in structural])]
        regions = _structural_regions(analysis, [items[i] for i in chosen], settled) if len(chosen) > 1 else None
        if regions is None:
            break
        for i, region in zip(chosen, regions):
            out[i] = region
        taken = set(chosen)
        structural = [i for i in structural if i not in taken]
    alone += text_only + structural
    for index in sorted(alone):
        result = _preview_one(analysis, items[index], settled)
        out[index] = result if isinstance(result, FixRefusal) else _narrow(source.text, result)
    return cast(List[Union[Region, FixRefusal]], out)


def _mixed_round(analysis: Analysis, items: Sequence[Finding], text_only: List[int], structural: List[int],
                 settled: Sequence[Finding], out: List[Union[Region, FixRefusal, None]]) -> Set[int]:
    """One batch of non-overlapping text fixes and unrelated structural fixes that all add keys
    written straight into the text; fills `out` for them and returns their indexes (none when
    the batch cannot be formed or fails: the rounds by kind then take them)."""
    from ngrok_lint import blockedit

    source, doc = analysis.source, analysis.doc
    assert source is not None and doc is not None
    texts = [text_only[i] for i in _disjoint_ranges([_text_ranges(items[i].fix) for i in text_only])]  # type: ignore[arg-type]
    keys = [structural[i] for i in _unrelated([[p for c in items[i].fix.changes for p in _change_paths(c)]  # type: ignore[union-attr]
                                                for i in structural])]
    text_changes = [c for i in texts for c in items[i].fix.changes]  # type: ignore[union-attr]
    changes = [c for i in keys for c in items[i].fix.changes]  # type: ignore[union-attr]
    if len(texts) + len(keys) < 2 or not texts or not keys:
        return set()
    found = blockedit.edits(source.text, doc, changes)
    if found is None or not _clear_of(text_changes, found):
        return set()
    if not isinstance(_attempt(analysis, [items[i] for i in texts + keys], settled), Analysis):
        return set()
    for i in texts:
        out[i] = _text_region(source, items[i].fix)  # type: ignore[arg-type]
    cursor = 0
    for i in keys:
        count = len(items[i].fix.changes)  # type: ignore[union-attr]
        mine = found[cursor:cursor + count]
        cursor += count
        pseudo = tuple(_as_text_changes(mine))
        out[i] = _text_region(source, Fix("", Safety.SAFE, pseudo))
    return set(texts + keys)


def _preview_one(analysis: Analysis, item: Finding, settled: Sequence[Finding]) -> Union[str, FixRefusal]:
    result = _attempt(analysis, [item], settled)
    if isinstance(result, FixRefusal):
        return result
    assert result.source is not None
    return result.source.text


def _narrow(old: str, new: str) -> Union[Region, FixRefusal]:
    """The one region where `new` differs from `old` (common head and tail left out)."""
    if old == new:
        return FixRefusal("the fix changes nothing")
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    return head, len(old) - tail, new[head:len(new) - tail]


def _text_region(source: Source, fix: Fix) -> Region:
    """The splices of one TEXT fix as one region of the original text."""
    ordered = sorted((c for c in fix.changes if c.op == Op.TEXT), key=lambda c: (c.start, c.end))
    pieces: List[str] = []
    cursor = ordered[0].start
    for change in ordered:
        value = cast(Optional[str], change.value) or ""
        if source.newline == "\r\n" and not source.mixed_newlines:
            value = value.replace("\r\n", "\n").replace("\n", "\r\n")
        pieces.append(source.text[cursor:change.start])
        pieces.append(value)
        cursor = change.end
    return ordered[0].start, cursor, "".join(pieces)


def _structural_regions(analysis: Analysis, batch: Sequence[Finding], settled: Sequence[Finding]) -> Optional[List[Region]]:
    """One round trip for the whole batch; each rewritten run of lines goes to the one fix whose
    part of the tree holds it. None when the batch fails or a run is not one fix's alone."""
    source, doc = analysis.source, analysis.doc
    assert source is not None and doc is not None
    changes = [c for item in batch for c in item.fix.changes]  # type: ignore[union-attr]
    try:
        text, splices = _structural_edits(source.text, doc, changes)
    except _Unavailable:
        return None
    if text == source.text or not isinstance(_verify(analysis, batch, settled, text, [], changes), Analysis):
        return None
    starts = [0] + [m.end() for m in re.finditer("\n", source.text)]
    extents = proof.node_extents(doc)

    def lines_of(path: YamlPath) -> Optional[Tuple[int, int]]:
        while path not in extents and path:
            path = path[:-1]
        if not path:
            return None  # the whole file: not one fix's part
        first, last = extents[path]
        return bisect.bisect_right(starts, first) - 1, bisect.bisect_right(starts, max(first, last - 1)) - 1

    owned: List[List[Tuple[int, int]]] = []
    for item in batch:
        found = [lines_of(tuple(c.path)) for c in item.fix.changes]  # type: ignore[union-attr]
        spans = [span for span in found if span is not None]
        if len(spans) != len(found):
            return None
        owned.append(spans)
    # Which fix owns each splice: the spans sorted once, each splice looks only at the spans that
    # start at or before its last line and reach its first (fixes in unrelated places rarely nest).
    spans_sorted = sorted((first, last, index) for index, spans in enumerate(owned) for first, last in spans)
    span_starts = [span[0] for span in spans_sorted]
    reach: List[int] = []  # the furthest line any span up to here reaches: where a scan can stop
    for span in spans_sorted:
        reach.append(max(reach[-1], span[1]) if reach else span[1])
    mine: List[List[int]] = [[] for _ in batch]
    for number, (start, end, _) in enumerate(splices):
        low, high = (start - 1, start - 1) if start == end else (start, end - 1)
        owners = set()
        at = bisect.bisect_right(span_starts, high) - 1
        while at >= 0 and reach[at] >= low:
            first, last, index = spans_sorted[at]
            if first <= high and last >= low:
                owners.add(index)
            at -= 1
        if len(owners) != 1:
            return None
        mine[owners.pop()].append(number)
    newline = "\r\n" if source.newline == "\r\n" and not source.mixed_newlines else "\n"
    regions: List[Region] = []
    for numbers in mine:
        if not numbers:
            return None
        first_line, last_line = splices[numbers[0]][0], splices[numbers[-1]][1]
        pieces: List[str] = []
        cursor = first_line
        for number in numbers:
            start, end, new_lines = splices[number]
            pieces.append(source.text[_offset(starts, source.text, cursor):_offset(starts, source.text, start)])
            pieces.extend(line + newline for line in new_lines)
            cursor = end
        regions.append((_offset(starts, source.text, first_line), _offset(starts, source.text, last_line), "".join(pieces)))
    # The regions together must rebuild the batch's text exactly (a last line without a line end
    # is where whole lines and the text part ways: then one fix at a time).
    rebuilt: List[str] = []
    cursor = 0
    for start, end, value in sorted(regions):
        rebuilt.append(source.text[cursor:start])
        rebuilt.append(value)
        cursor = end
    rebuilt.append(source.text[cursor:])
    if "".join(rebuilt) != text:
        return None
    return regions


def _offset(starts: List[int], text: str, line: int) -> int:
    return starts[line] if line < len(starts) else len(text)


def unified_diff(path: str, old: str, new: str) -> str:
    """`a/path` -> `b/path`, secrets masked on both sides, `\\n` line ends; "" when equal."""
    return masked_diff(path, old, new).text


def masked_diff(path: str, old: str, new: str, doc: Optional[Document] = None,
                new_doc: Optional[Document] = None) -> MaskedDiff:
    """The diff and the hunks that show a masked secret (`doc`, `new_doc`: the parses of `old`
    and `new`, when known: their secrets are not looked for again)."""
    from ngrok_lint import secrets

    name = path.replace(os.sep, "/").lstrip("/")
    return secrets.masked_diff(name, old, new, secrets.secret_spans(doc) if doc is not None else None,
                               secrets.secret_spans(new_doc) if new_doc is not None and new_doc.text == new else None)


# --- choosing fixes ------------------------------------------------------------------------------


def _key(item: Finding) -> _Key:
    return (item.code, tuple(item.path), item.message)


def _applicable(item: Finding, unsafe: bool) -> bool:
    fix = item.fix
    if fix is None or item.fix_unavailable or item.suppressed or not fix.changes:
        return False
    return fix.safety == Safety.SAFE or (unsafe and fix.safety == Safety.UNSAFE)


def _is_structural(fix: Fix) -> bool:
    return any(change.op != Op.TEXT for change in fix.changes)


def _structural_blocker(source: Source) -> Optional[str]:
    """A reason no structural fix can apply to this file at all, known without trying."""
    if source.mixed_newlines:
        return "the file mixes CRLF and LF line endings"
    return None


def _text_ranges(fix: Fix) -> List[Tuple[int, int]]:
    return [(c.start, c.end) for c in fix.changes if c.op == Op.TEXT]


def _batch(candidates: Sequence[Finding], current: Optional[Analysis] = None) -> List[Finding]:
    """Fixes that cannot interfere: TEXT-only ones with disjoint ranges first, else structural
    ones in unrelated parts of the tree (no shared container, no path inside another). With
    `current`, both kinds at once when every structural one is a new key written straight into
    the text away from the splices (one verification instead of two)."""
    text_only = [f for f in candidates if f.fix is not None and not _is_structural(f.fix)]
    pure = [f for f in candidates if f.fix is not None and all(c.op != Op.TEXT for c in f.fix.changes)]
    unrelated = [pure[i] for i in _unrelated([[p for c in f.fix.changes for p in _change_paths(c)] for f in pure])]  # type: ignore[union-attr]
    if text_only:
        chosen = [text_only[i] for i in _disjoint_ranges([_text_ranges(f.fix) for f in text_only])] or [text_only[0]]  # type: ignore[arg-type]
        if unrelated and current is not None and current.source is not None and current.doc is not None:
            text_changes = [c for f in chosen for c in f.fix.changes]  # type: ignore[union-attr]
            structural = [c for f in unrelated for c in f.fix.changes]  # type: ignore[union-attr]
            if _direct_edits(current.source, current.doc, text_changes, structural) is not None:
                return chosen + unrelated
        return chosen
    return unrelated or [candidates[0]]


def _mixed(batch: Sequence[Finding]) -> bool:
    kinds = {item.fix is not None and _is_structural(item.fix) for item in batch}
    return len(kinds) == 2


def _disjoint_ranges(fixes: Sequence[Sequence[Tuple[int, int]]]) -> List[int]:
    """Indexes of the fixes to apply together: ranges sorted once (n log n), each cluster of
    overlapping ranges (or ranges starting at one offset) keeps only its first fix, and a fix is
    taken when it is the first of every cluster it is in (and no two of its own ranges clash)."""
    ranges = sorted((start, end, index) for index, mine in enumerate(fixes) for start, end in mine)
    losers: Set[int] = set()
    cluster: List[int] = []
    reach = -1
    previous_start = -1
    for start, end, index in ranges:
        if cluster and (start < reach or start == previous_start):
            cluster.append(index)
        else:
            _settle_cluster(cluster, losers)
            cluster = [index]
            reach = -1
        reach = max(reach, end)
        previous_start = start
    _settle_cluster(cluster, losers)
    return [i for i in range(len(fixes)) if i not in losers]


def _settle_cluster(cluster: List[int], losers: Set[int]) -> None:
    if len(cluster) < 2:
        return
    first = min(cluster)
    for index in cluster:
        if index != first:
            losers.add(index)
    if cluster.count(first) > 1:  # the fix's own ranges overlap: the splice refuses it
        losers.add(first)


def _unrelated(fixes: Sequence[Sequence[YamlPath]]) -> List[int]:
    """Indexes of structural fixes in unrelated parts of the tree (no path inside another, no
    shared container), first come first taken; sets of paths, prefixes and parents make each
    check cost the depth of the path, not the number of fixes taken."""
    paths: Set[YamlPath] = set()
    prefixes: Set[YamlPath] = set()
    parents: Set[YamlPath] = set()
    taken: List[int] = []
    for index, touched in enumerate(fixes):
        if any(_clashes(p, paths, prefixes, parents) for p in touched):
            continue
        taken.append(index)
        for p in touched:
            paths.add(p)
            parents.add(p[:-1])
            prefixes.update(p[:size] for size in range(len(p) + 1))
    return taken


def _clashes(path: YamlPath, paths: Set[YamlPath], prefixes: Set[YamlPath], parents: Set[YamlPath]) -> bool:
    """Related to a taken path (one inside the other) or its sibling (positions in one container
    shift): the same relation as comparing with each taken path, by lookups."""
    return path in prefixes or path[:-1] in parents or any(path[:size] in paths for size in range(len(path)))


def _ranges_clash(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1]) or a[0] == b[0]


def _self_clash(ranges: List[Tuple[int, int]]) -> bool:
    ordered = sorted(ranges)
    return any(_ranges_clash(x, y) for x, y in zip(ordered, ordered[1:]))


def _change_paths(change: Change) -> List[YamlPath]:
    path = tuple(change.path)
    if change.op == Op.RENAME and isinstance(change.value, str) and path:
        return [path, path[:-1] + (change.value,)]
    return [path]


# --- applying and verifying ----------------------------------------------------------------------


def _attempt(current: Analysis, batch: Sequence[Finding], settled: Sequence[Finding]) -> Union[Analysis, FixRefusal]:
    """The re-linted analysis after applying `batch`'s fixes to `current`, or why not."""
    source, doc = current.source, current.doc
    assert source is not None and doc is not None
    fixes = [item.fix for item in batch if item.fix is not None]
    text_changes = [c for fix in fixes for c in fix.changes if c.op == Op.TEXT]
    structural = [c for fix in fixes for c in fix.changes if c.op != Op.TEXT]
    try:
        direct = _direct_edits(source, doc, text_changes, structural)
        if direct is not None:  # text splices and new keys together, all at offsets of the original
            text, spliced = _splice(source, text_changes + direct)
        else:
            text, spliced = _splice(source, text_changes)
            if structural:
                try:
                    text = _structural_edits(text, doc, structural)[0]
                except _Unavailable as exc:
                    return FixRefusal(exc.reason)
    except _Refused as exc:
        return FixRefusal(exc.reason)
    if text == source.text:
        return FixRefusal("the fix changes nothing")
    return _verify(current, batch, settled, text, spliced, structural)


def _direct_edits(source: Source, doc: Document, text_changes: Sequence[Change],
                  structural: Sequence[Change]) -> Optional[List[Change]]:
    """The structural changes as TEXT changes of the original text, when they all add or rename
    keys as :mod:`ngrok_lint.blockedit` writes them and no text change touches their characters
    (nor starts where one of them does: which text would come first is not obvious)."""
    if not structural or not text_changes:
        return None  # structural alone: :func:`_structural_edits` takes the direct path itself
    from ngrok_lint import blockedit

    found = blockedit.edits(source.text, doc, structural)
    if found is None or not _clear_of(text_changes, found):
        return None
    return _as_text_changes(found)


def _clear_of(text_changes: Sequence[Change], found: Sequence[Any]) -> bool:
    """No text change touches the characters of an edit of `found`, nor starts where one does."""
    ranges = sorted((c.start, c.end) for c in text_changes)
    starts = [r[0] for r in ranges]
    for item in found:
        at = bisect.bisect_right(starts, item.start) - 1  # the last range starting at or before it
        if at >= 0 and (ranges[at][0] == item.start or ranges[at][1] > item.start):
            return False
        following = at + 1
        if following < len(starts) and starts[following] < item.end:
            return False
    return True


def _as_text_changes(found: Sequence[Any]) -> List[Change]:
    """blockedit's edits as TEXT changes; insertions at one offset become one change (in change
    order), since the splice refuses two changes that start at the same place."""
    at: Dict[int, int] = {}  # offset of an insertion -> its index in `out`
    out: List[Change] = []
    for item in found:
        if item.start == item.end and item.start in at:
            first = out[at[item.start]]
            out[at[item.start]] = first._replace(value=cast(str, first.value) + item.text)
            continue
        if item.start == item.end:
            at[item.start] = len(out)
        out.append(Change(Op.TEXT, (), item.text, start=item.start, end=item.end))
    return out


class _Unavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _structural_edits(text: str, doc: Document, changes: Sequence[Change]) -> Tuple[str, List[Tuple[int, int, List[str]]]]:
    """The text with structural `changes` applied and its line splices: written directly when
    every change appends a key to a block mapping of `doc`'s text (:mod:`ngrok_lint.blockedit`),
    else through the ruamel.yaml round trip, imported only then. Raises :class:`_Unavailable`."""
    from ngrok_lint import blockedit

    direct = blockedit.line_edits(text, doc, changes)
    if direct is not None:
        return direct
    from ngrok_lint import roundtrip

    try:
        return roundtrip.line_edits(text, changes)
    except roundtrip.Unavailable as exc:
        raise _Unavailable(exc.reason) from None


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _splice(source: Source, changes: Sequence[Change]) -> Tuple[str, List[Tuple[int, int, int, int]]]:
    """Apply TEXT changes; returns the text and each splice as (old start, old end, new start, new end)."""
    text = source.text
    if not changes:
        return text, []
    ordered = sorted(changes, key=lambda c: (c.start, c.end))
    for change in ordered:
        if not (0 <= change.start <= change.end <= len(text)) or not isinstance(change.value, (str, type(None))):
            raise _Refused("the fix's text range does not fit the file")
    if _self_clash([(c.start, c.end) for c in ordered]):
        raise _Refused("the fix's text changes overlap")
    pieces: List[str] = []
    spliced: List[Tuple[int, int, int, int]] = []
    cursor = shift = 0
    for change in ordered:
        value = cast(Optional[str], change.value) or ""  # checked to be str or None above
        if source.newline == "\r\n" and not source.mixed_newlines:
            value = value.replace("\r\n", "\n").replace("\n", "\r\n")  # a rule may write `\n`
        pieces.append(text[cursor:change.start])
        pieces.append(value)
        spliced.append((change.start, change.end, change.start + shift, change.start + shift + len(value)))
        shift += len(value) - (change.end - change.start)
        cursor = change.end
    pieces.append(text[cursor:])
    return "".join(pieces), spliced


def _verify(
    current: Analysis,
    batch: Sequence[Finding],
    settled: Sequence[Finding],
    text: str,
    spliced: List[Tuple[int, int, int, int]],
    structural: Sequence[Change],
) -> Union[Analysis, FixRefusal]:
    source, doc = current.source, current.doc
    assert source is not None and doc is not None
    decoded = decode(source.path, source.encode(text))
    if isinstance(decoded, DecodeError):
        return FixRefusal("the fixed text cannot be encoded like the file")
    if decoded.mixed_newlines and not source.mixed_newlines:
        return FixRefusal("the fix would mix CRLF and LF line endings")
    parsed = parse(source.path, text)
    if isinstance(parsed, ParseProblem):
        return FixRefusal(f"the fixed text would not parse ({parsed.message}, line {parsed.span.line})")
    if len(parsed.duplicates) > len(doc.duplicates):
        return FixRefusal("the fix would duplicate a key")
    if len(batch) > 1 and parsed.format != doc.format:
        # One fix changed how every rule reads the file (a `version` added, say): the others were
        # judged under the old format and may be wrong now, so the loop retries one at a time.
        return FixRefusal("the fixes change the file's format together; applied one at a time")
    moved = {(a, b): (c, d) for a, b, c, d in spliced} if not structural else None
    problem = proof.prove(doc, parsed, [c for item in batch if item.fix for c in item.fix.changes], moved)
    if problem:
        return FixRefusal(problem)
    after = engine.analyze_source(decoded, current.settings, current.enabled, _base_dir(current), doc=parsed)
    if after.doc is None:
        return FixRefusal("the fixed file is no longer readable as a config file")
    remaining = _counts(engine.settle(after, list(after.findings)))
    before = _counts(settled)
    wanted: Dict[Tuple[str, YamlPath], int] = {}
    for item in batch:
        wanted[(item.code, tuple(item.path))] = wanted.get((item.code, tuple(item.path)), 0) + 1
    for key, count in wanted.items():
        if remaining.get(key, 0) > max(before.get(key, 0), count) - count:
            return FixRefusal("the finding is still reported after the fix")
    return after


def _counts(findings: Iterable[Finding]) -> Dict[Tuple[str, YamlPath], int]:
    counts: Dict[Tuple[str, YamlPath], int] = {}
    for item in findings:
        if not item.suppressed:
            key = (item.code, tuple(item.path))
            counts[key] = counts.get(key, 0) + 1
    return counts


def _base_dir(analysis: Analysis) -> Optional[str]:
    """The folder relative paths in the file resolve against, as the CLI and `lint_bytes` chose it."""
    known = getattr(analysis, "base_dir", None)
    if known is not None:
        return str(known)
    if analysis.path in ("-", "<stdin>"):
        return None
    return os.path.dirname(os.path.abspath(analysis.path))


def _marked(analysis: Analysis, failed: Dict[_Key, str]) -> Analysis:
    if not failed:
        return analysis
    findings = [
        f._replace(fix_unavailable=failed[_key(f)]) if f.fix is not None and _key(f) in failed else f
        for f in analysis.findings
    ]
    return analysis._replace(findings=findings)


# --- diffs ----------------------------------------------------------------------------------------

