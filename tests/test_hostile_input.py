"""Hostile and broken input: each case ends as a finding or a one-line error naming the file, with
exit 1 or 2, no traceback, within 10 seconds and under 1.5 GB of address space, and the other files
of the same run are still linted. Each runs the real command in a child process under those limits.
"""

from __future__ import annotations

import codecs
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict

import pytest

from conftest import ROOT

LIMIT_BYTES = 1536 * 1024 * 1024
LIMIT_SECONDS = 10.0
# A file that always has a finding, linted in the same run to prove the run goes on.
COMPANION = 'version: "2"\ntunnels:\n  a:\n    proto: http\n    addr: 1\n    addr: 2\n'


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def _billion_laughs() -> bytes:
    lines = ['version: "2"', "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    return ("\n".join(lines) + "\n").encode()


def _fifty_megabytes() -> bytes:
    endpoint = "  - name: e{0}\n    url: https://e{0}.example.com\n    upstream:\n      url: {0}\n"
    chunks = ['version: "3"\nendpoints:\n']
    size, i = 0, 0
    while size < 50 * 1024 * 1024:
        chunk = endpoint.format(i)
        chunks.append(chunk)
        size += len(chunk)
        i += 1
    return "".join(chunks).encode()


def _deep() -> bytes:
    return ("a: " + "[" * 20000 + "]" * 20000 + "\n").encode()


def _deep_block() -> bytes:
    return "".join("  " * i + f"k{i}:\n" for i in range(20000)).encode()


CONTENT: Dict[str, Callable[[], bytes]] = {
    "billion-laughs": _billion_laughs,
    "fifty-megabytes": _fifty_megabytes,
    "nesting-20000-flow": _deep,
    "nesting-20000-block": _deep_block,
    "random-binary": lambda: random.Random(7).randbytes(4096),
    "utf16-with-bom": lambda: 'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels: {a: {proto: http, addr: 1, addr: 2}}\n'.encode("utf-16"),
    "invalid-utf8": lambda: b'version: "2"\nauthtoken: \xc3\x28abc\n',
    "nul-bytes": lambda: b'version: "2"\nweb_addr: 127.0.0.1:4040\x00\n',
    "empty": lambda: b"",
    "comment-only": lambda: b"# nothing here yet\n",
    "several-documents": lambda: b'version: "2"\n---\nversion: "3"\n',
    "scalar-root": lambda: b"just a string\n",
    "list-root": lambda: b"- version: 2\n",
    "forty-digit-integers": lambda: b"inspect_db_size: 1234567890123456789012345678901234567890\n"
    b"tunnels:\n  a:\n    proto: tcp\n    addr: 1234567890123456789012345678901234567890\n",
    "utf32-with-bom": lambda: codecs.BOM_UTF32_LE + 'version: "2"\nweb_addr: 0.0.0.0:4040\n'.encode("utf-32-le"),
}


def _run(args, cwd: Path) -> subprocess.CompletedProcess:
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "ngrok_lint", "--isolated", *args],
        cwd=cwd, capture_output=True, text=True, timeout=LIMIT_SECONDS * 3, preexec_fn=_limits,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
    return result


def _assert_clean_ending(result: subprocess.CompletedProcess, name: str) -> None:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-2000:]
    assert result.returncode in (1, 2), output[-2000:]
    assert result.elapsed < LIMIT_SECONDS, f"took {result.elapsed:.1f}s"  # type: ignore[attr-defined]
    assert name in output
    assert "companion/ngrok.yml:6:5: NGL004" in output  # the rest of the run was linted


@pytest.mark.parametrize("case", sorted(CONTENT))
def test_hostile_file(case: str, tmp_path: Path) -> None:
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "ngrok.yml").write_text(COMPANION)
    name = f"{case}.ngrok.yml"
    (tmp_path / name).write_bytes(CONTENT[case]())
    result = _run([name, "companion/ngrok.yml"], tmp_path)
    _assert_clean_ending(result, name)
    finding_lines = [l for l in result.stdout.splitlines() if l.startswith(name + ":")]
    assert finding_lines, f"{case}: no finding and no error for the file:\n{result.stdout}"


def _path_case(tmp_path: Path, case: str) -> str:
    if case == "directory":
        (tmp_path / "adir.yml").mkdir()
        return "adir.yml/"
    if case == "symlink-loop":
        os.symlink("loop-b.yml", tmp_path / "loop-a.yml")
        os.symlink("loop-a.yml", tmp_path / "loop-b.yml")
        return "loop-a.yml"
    if case == "missing":
        return "missing.yml"
    if case == "dangling-symlink":
        os.symlink("nowhere.yml", tmp_path / "dangling.yml")
        return "dangling.yml"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["missing", "symlink-loop", "dangling-symlink"])
def test_bad_path_is_a_one_line_error(case: str, tmp_path: Path) -> None:
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "ngrok.yml").write_text(COMPANION)
    name = _path_case(tmp_path, case)
    result = _run([name, "companion/ngrok.yml"], tmp_path)
    _assert_clean_ending(result, name)
    assert result.returncode == 2
    errors = [l for l in result.stdout.splitlines() if l.startswith(name + ": error: ")]
    assert len(errors) == 1, result.stdout


def test_directory_as_path_is_searched_not_read(tmp_path: Path) -> None:
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "ngrok.yml").write_text(COMPANION)
    name = _path_case(tmp_path, "directory")
    result = _run([name, "companion/ngrok.yml"], tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "companion/ngrok.yml:6:5: NGL004" in result.stdout


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "ngrok.yml").write_text(COMPANION)
    locked = tmp_path / "locked.ngrok.yml"
    locked.write_text(COMPANION)
    locked.chmod(0)
    monkeypatch.chdir(tmp_path)
    if os.geteuid() == 0:
        # Root reads every file, so make open() fail exactly as it does for anyone else.
        import builtins

        real_open = builtins.open

        def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(file).endswith("locked.ngrok.yml"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
    from conftest import run_cli

    result = run_cli(["--isolated", "locked.ngrok.yml", "companion/ngrok.yml"])
    assert "Traceback" not in result.out + result.err
    assert result.code == 2, result.out
    assert "locked.ngrok.yml: error: permission denied; make the file readable" in result.out
    assert "companion/ngrok.yml:6:5: NGL004" in result.out


def test_traffic_policy_file_that_is_a_fifo_or_holds_a_nul(tmp_path: Path) -> None:
    """A `traffic_policy_file` naming a FIFO must not block the run (the agent would wait on it, a
    linter must not), and a NUL in the name must not crash the rules that read the policy."""
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "ngrok.yml").write_text(COMPANION)
    os.mkfifo(tmp_path / "policy.fifo")
    name = "policy.ngrok.yml"
    (tmp_path / name).write_text(
        'version: 3\nendpoints:\n'
        '  - name: a\n    url: https://a.example.com\n    upstream: {url: 80}\n    traffic_policy_file: policy.fifo\n'
        '  - name: b\n    url: https://b.example.com\n    upstream: {url: 80}\n    traffic_policy_file: "p\\0.yml"\n'
        '  - name: c\n    url: https://c.example.com\n    upstream: {url: 80}\n    traffic_policy_file: /dev/stdin\n'
    )
    result = _run([name, "companion/ngrok.yml"], tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    assert result.returncode == 1, output[-2000:]
    assert result.elapsed < LIMIT_SECONDS  # type: ignore[attr-defined]
    assert "companion/ngrok.yml:6:5: NGL004" in output
