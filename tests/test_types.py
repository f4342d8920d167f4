"""The package type-checks: `python -m mypy` from the project root, with the `[tool.mypy]` settings
of pyproject.toml (files, target Python version, ignored third-party modules), exits 0.

mypy keeps its incremental cache in `.mypy_cache` (git-ignored), so a warm run takes about a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_is_clean() -> None:
    # Only a missing mypy skips: a broken setup or configuration must fail, not hide.
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    out = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, f"mypy exited {out.returncode}:\n{out.stdout}{out.stderr}"
