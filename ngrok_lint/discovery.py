"""Which files are ngrok configs: one name pattern, shared with the pre-commit hook's `files`.

Matches `ngrok.yml`, `ngrok.yaml`, `.ngrok.yml`, `ngrok-dev.yml`, `ngrok_prod.yaml`,
`ngrok.local.yml`, `dev.ngrok.yml`, `.ngrok2/ngrok.yml`, `ngrok/config.yml`, in any folder.
"""

from __future__ import annotations

import os
import re
from typing import Iterator, List, Tuple

# Keep in sync with `files:` in .pre-commit-hooks.yaml (a test checks they are equal).
FILE_PATTERN = r"(^|/)(\.?ngrok([-_.][^/]*)?|[^/]*\.ngrok|\.?ngrok2?/config)\.ya?ml$"
_FILE_RE = re.compile(FILE_PATTERN)

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__", ".mypy_cache",
     ".pytest_cache", ".ruff_cache", "site-packages", ".eggs", "dist", "build"}
)


def is_config_name(path: str) -> bool:
    return _FILE_RE.search(path.replace(os.sep, "/")) is not None


def _is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def discover(root: str) -> Iterator[str]:
    """Config files below `root`, sorted, skipping VCS folders, virtualenvs and node_modules."""
    found: List[str] = []
    seen: set = set()
    for folder, dirs, files in os.walk(root, followlinks=False):
        real = os.path.realpath(folder)
        if real in seen:  # a link loop
            dirs[:] = []
            continue
        seen.add(real)
        dirs[:] = sorted(
            d for d in dirs if d not in SKIP_DIRS and not _is_virtualenv(os.path.join(folder, d))
        )
        for name in files:
            full = os.path.join(folder, name)
            relative = os.path.relpath(full, root)
            if is_config_name(relative):
                found.append(os.path.normpath(full) if root != "." else relative)
    yield from sorted(found)


def expand(paths: List[str]) -> Tuple[List[str], List[str]]:
    """(files to lint, paths that do not exist). Files named explicitly are always linted."""
    files: List[str] = []
    missing: List[str] = []
    for path in paths:
        if path == "-":
            files.append(path)
        elif os.path.isdir(path):
            files.extend(discover(path))
        elif os.path.lexists(path):
            files.append(path)
        else:
            missing.append(path)
    unique: List[str] = []
    for path in files:
        if path not in unique:
            unique.append(path)
    return unique, missing
