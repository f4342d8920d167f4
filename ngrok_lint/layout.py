"""How a YAML file is laid out, as the structural fixes need to know it without ruamel.yaml: its
indentation style, the flow collections it writes over several lines, and which strings must be
quoted to be read back as strings. Shared by :mod:`ngrok_lint.roundtrip` (ruamel.yaml) and
:mod:`ngrok_lint.blockedit` (direct text edits), so that both write a change the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Tuple

import yaml

_STR = "tag:yaml.org,2002:str"
_resolver = yaml.resolver.Resolver()


class Unavailable(Exception):
    """The change cannot be applied faithfully to this file; `reason` says why (one line)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Style:
    """ruamel.yaml's indent settings: mapping indent, sequence indent (to the item) and dash offset."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


def detect_style(text: str) -> Tuple[Style, Dict[int, int]]:
    """The file's own indentation, by majority (gotchas 1-3): ruamel.yaml applies one setting;
    and the flow collections written over several lines (first line -> last line, 0-based), which
    ruamel.yaml writes on one."""
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:  # the caller parsed this text already; be safe anyway
        raise Unavailable(f"the file does not parse ({exc})") from None
    maps: Counter = Counter()
    seqs: Counter = Counter()
    flows: Dict[int, int] = {}
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if getattr(node, "flow_style", False) and node.end_mark.line > node.start_mark.line:
            first = node.start_mark.line
            flows[first] = max(flows.get(first, first), node.end_mark.line)
            continue  # nothing inside a flow collection counts for the block indentation
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
            continue
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            stack.append(value)
            if node.flow_style or getattr(value, "flow_style", False) or not getattr(value, "value", None):
                continue
            column = key.start_mark.column
            if value.start_mark.line <= key.start_mark.line:
                continue
            if isinstance(value, yaml.MappingNode):
                maps[value.start_mark.column - column] += 1
            elif isinstance(value, yaml.SequenceNode):
                first = value.value[0]
                if first.start_mark.line == value.start_mark.line:
                    seqs[(first.start_mark.column - column, value.start_mark.column - column)] += 1
    mapping = _most_common(maps, 2)
    sequence, offset = _most_common(seqs, (mapping + 2, mapping))
    if mapping < 1 or offset < 0 or sequence < offset + 2:
        raise Unavailable("the file's indentation cannot be reproduced")
    return Style(mapping, sequence, offset), _outermost(flows)


def _outermost(flows: Dict[int, int]) -> Dict[int, int]:
    """Line ranges of multi-line flow collections, merged where they share lines."""
    merged: Dict[int, int] = {}
    last_first, last_end = -1, -1
    for first in sorted(flows):
        end = flows[first]
        if first <= last_end:
            last_end = max(last_end, end)
            merged[last_first] = last_end
            continue
        merged[first] = end
        last_first, last_end = first, end
    return merged


def _most_common(counter: Counter, default: Any) -> Any:
    if not counter:
        return default
    best = max(counter.values())
    return min(k for k, v in counter.items() if v == best)  # ties: the smaller indent, deterministically


@lru_cache(maxsize=4096)  # fixes write the same few strings in every tunnel
def needs_quotes(text: str) -> bool:
    """Would the agent's reader (YAML 1.1, as :mod:`ngrok_lint.loader` reads it: `yes`, `on`, `y`,
    `0644`, `1.2`, `null`...) take this plain scalar for anything but this very string?"""
    if not text or text != text.strip() or "\n" in text or "\r" in text:
        return True
    if _resolver.resolve(yaml.ScalarNode, text, (True, False)) != _STR:
        return True
    from ngrok_lint.loader import Document, parse

    doc = parse("<value>", f"k: {text}\n")
    if not isinstance(doc, Document) or not isinstance(doc.data, dict):
        return True
    value = doc.data.get("k")
    return type(value) is not str or value != text
