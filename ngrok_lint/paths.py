"""YAML paths as people read them: `tunnels.web.schemes[0]`."""

from __future__ import annotations

import re
from typing import Iterable, Union

_PLAIN = re.compile(r"^[A-Za-z0-9_-]+$")


def dotted(path: Iterable[Union[str, int]]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN.match(str(part)):
            out += ("." if out else "") + str(part)
        else:
            out += f"[{str(part)!r}]"
    return out or "(root)"
