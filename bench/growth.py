"""The growth section of the benchmark: how the time of each path grows when its input doubles.

    python bench/run.py --growth          (only this section)
    python bench/growth.py [--quick] [--paths lint,sarif] [--values-only | --sites-only]

Two kinds of input, each measured at a size and at twice that size:
  - finding-heavy files: N and 2N version 2 tunnels, and N and 2N version 3 endpoints (N = 1,000),
    each site carrying several findings with fixes (plain HTTP, weak basic auth, a deprecated key,
    an exposed inspector, ...);
  - one long value: 100 KB and 200 KB in every string field the published schemas know (found by
    walking `schemas/*.json`), in shapes that have made regular expressions backtrack: plain
    letters, a long dotted host name, a URL with `user:` and no `@`, `${A:-` repeated, `a:`
    repeated, `${` repeated; then the inputs the issue named and the ten slowest of those at
    1 MB on every path, each of which must take under 2 s (:data:`CEILING`).
Every path a user hits runs on each: lint with the text, JSON and SARIF outputs, `--diff`, `--fix`
(on a copy), the language server's diagnostics and its code actions for the whole document. Each
measurement runs in a child process with a time limit, so a quadratic path cannot stall the run.

It prints t(2x)/t(x) for every pair and exits 1 when one exceeds 2.5 (linear is 2; the margin is
for noise on a shared machine), or when a measurement hits the time limit.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = 1000
VALUE_SIZE = 100 * 1024
LIMIT = 2.5
PATHS = ("lint", "json", "sarif", "diff", "fix", "lsp-diagnostics", "lsp-code-actions")
FORMAT_SCHEMAS = {"legacy": "ngrok-agent-legacy.schema.json", "v2": "ngrok-agent-v2.schema.json",
                  "v3": "ngrok-agent-v3.schema.json"}
SHAPES = ("letters", "host", "url-user", "var-defaults", "colons", "braces")


# --- inputs ------------------------------------------------------------------------------------------


def heavy_tunnels(count: int) -> str:
    """A version 2 file whose tunnels each carry findings with fixes (safe and unsafe)."""
    lines = ['version: "2"', "web_addr: 0.0.0.0:4040", "tunnels:"]
    for i in range(count):
        lines += [
            f"  web{i}:", "    proto: http", f"    addr: {8000 + i % 1000}", "    schemes: [http, https]",
            f"    basic_auth: [\"user{i}:password\"]", "    inspect: true", f"    host_header: rewrite",
        ]
    return "\n".join(lines) + "\n"


def heavy_endpoints(count: int) -> str:
    """A version 3 file whose endpoints each carry findings with fixes."""
    lines = ["version: 3", "agent:", "  web_addr: 0.0.0.0:4040", "endpoints:"]
    for i in range(count):
        lines += [
            f"  - name: e{i}", f"    url: http://e{i}.example.com", "    upstream:", f"      url: {3000 + i % 100}",
            "    traffic_policy:", "      on_http_request:", "        - actions:", "            - type: basic-auth",
            "              config:", "                credentials:", f"                  - \"user{i}:password\"",
        ]
    return "\n".join(lines) + "\n"


def shaped(shape: str, size: int) -> str:
    """A value of about `size` characters in one of :data:`SHAPES`."""
    if shape == "letters":
        return "a" * size
    if shape == "host":
        return ("a" * 61 + ".") * (size // 62) + "com"
    if shape == "url-user":
        return "http://user:" + "p" * size
    if shape == "var-defaults":
        return "${A:-" * (size // 5)
    if shape == "colons":
        return "a:" * (size // 2)
    if shape == "braces":
        return "${" * (size // 2)
    raise ValueError(shape)


def string_fields(fmt: str) -> List[Tuple[Any, ...]]:
    """Every path (with `t` for a tunnel name and 0 for a list item) whose schema accepts a string."""
    schema = json.loads((ROOT / "schemas" / FORMAT_SCHEMAS[fmt]).read_text(encoding="utf-8"))
    found: Dict[Tuple[Any, ...], None] = {}

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
        return node

    def visit(node: Any, path: Tuple[Any, ...], depth: int) -> None:
        node = resolve(node)
        if not isinstance(node, dict) or depth > 14:
            return
        kinds = node.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "string" in kinds and path:
            found[path] = None
        for key in ("allOf", "anyOf", "oneOf"):
            for sub in node.get(key, []):
                visit(sub, path, depth + 1)
        for key in ("then", "else"):
            if key in node:
                visit(node[key], path, depth + 1)
        for name, sub in node.get("properties", {}).items():
            visit(sub, path + (name,), depth + 1)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and path in ((), ("tunnels",)):
            visit(extra, path + ("t",), depth + 1)
        items = node.get("items")
        if isinstance(items, dict):
            visit(items, path + (0,), depth + 1)

    visit(schema, (), 0)
    return list(found)


def value_file(fmt: str, path: Sequence[Any], value: str) -> str:
    """A config of format `fmt` with `value` at `path` (tunnels and endpoints otherwise well formed)."""
    import yaml

    data: Dict[str, Any] = {"version": {"legacy": None, "v2": "2", "v3": 3}[fmt]}
    if fmt == "legacy":
        del data["version"]
    node: Any = data
    for index, part in enumerate(path):
        last = index == len(path) - 1
        following: Any = value if last else ([] if isinstance(path[index + 1], int) else {})
        if isinstance(node, list):
            if not node:
                node.append(following)
            elif last:
                node[0] = value
            node = node[0]
            continue
        if part not in node or last:
            node[part] = following
        node = node[part]
    return yaml.safe_dump(data, width=float("inf"), sort_keys=False, allow_unicode=True)


# --- one measurement (in a child process) ------------------------------------------------------------


def _cli(args: Sequence[str]) -> None:
    from ngrok_lint.cli import main

    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        main(["--isolated", *args])


def _lsp(path: str, actions: bool) -> None:
    """What the language server computes for a document it is sent: diagnostics, and with
    `actions` the code actions for the whole document (every diagnostic, the whole range), as an
    editor that resolves code actions asks for them (the fix-all edit itself is the `fix` path's
    work, done when the user picks the action)."""
    from lsprotocol import types
    from pygls.workspace import Workspace

    from ngrok_lint import lsp

    server = lsp.build_server()
    server.protocol._workspace = Workspace(None)  # what `initialize` would set up
    # An editor that resolves code actions (VS Code, Neovim): the fix-all edit waits for resolve.
    server.protocol.client_capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(code_action=types.CodeActionClientCapabilities(
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]))))
    text = Path(path).read_text(encoding="utf-8")
    uri = Path(path).resolve().as_uri()
    server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    linted = lsp.lint(server, uri)
    server.linted[uri] = linted
    if actions:
        end = types.Position(len(text.splitlines()) + 1, 0)
        lsp.code_actions(server, types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(types.Position(0, 0), end),
            context=types.CodeActionContext(diagnostics=linted.diagnostics)))


def run_path(name: str, path: str) -> float:
    """Seconds one path takes on one file (the file is not changed: `fix` works on a copy)."""
    start = time.perf_counter()
    if name == "lint":
        _cli([path])
    elif name == "json":
        _cli(["--format", "json", path])
    elif name == "sarif":
        _cli(["--format", "sarif", path])
    elif name == "diff":
        _cli(["--unsafe-fixes", "--diff", path])
    elif name == "fix":
        copy = path + ".fix.yml"
        shutil.copyfile(path, copy)
        start = time.perf_counter()
        _cli(["--fix", "--unsafe-fixes", copy])
    elif name == "lsp-diagnostics":
        _lsp(path, actions=False)
    elif name == "lsp-code-actions":
        _lsp(path, actions=True)
    else:
        raise ValueError(name)
    return time.perf_counter() - start


def child() -> int:
    """Run the jobs read from stdin (JSON: [[key, path name, file], ...]), one result line each."""
    jobs = json.load(sys.stdin)
    warm = Path(tempfile.mkdtemp()) / "warm.ngrok.yml"
    for name in dict.fromkeys(name for _, name, _ in jobs):  # imports and compiled schemas are not growth
        for make in (heavy_tunnels, heavy_endpoints):
            warm.write_text(make(3), encoding="utf-8")
            run_path(name, str(warm))
    shutil.rmtree(warm.parent, ignore_errors=True)
    for key, name, path in jobs:
        seconds = run_path(name, path)
        print(json.dumps([key, seconds]), flush=True)
    return 0


# --- the section ---------------------------------------------------------------------------------------


class Pair:
    """One input at size x and 2x on one path."""

    def __init__(self, label: str, path: str) -> None:
        self.label = label
        self.path = path
        self.small: Optional[float] = None
        self.large: Optional[float] = None
        self.timed_out = False

    @property
    def ratio(self) -> Optional[float]:
        if self.small is None or self.large is None:
            return None
        return self.large / max(self.small, 1e-6)

    def failed(self, floor: float) -> bool:
        """Grew faster than :data:`LIMIT` (when the larger run is long enough to judge), or ran out of time."""
        ratio = self.ratio
        return self.timed_out or (ratio is not None and ratio > LIMIT and (self.large or 0) >= floor)


def _measure(jobs: List[Tuple[str, str, str]], timeout: float) -> Dict[str, float]:
    """Run the jobs in one child process; what finished before the time limit."""
    done: Dict[str, float] = {}
    command = [sys.executable, str(Path(__file__).resolve()), "--child"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        out = subprocess.run(command, input=json.dumps(jobs), capture_output=True, text=True, timeout=timeout,
                             env=env).stdout
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode()
    for line in out.splitlines():
        key, seconds = json.loads(line)
        done[key] = seconds
    return done


def measure_pairs(pairs: List[Pair], files: Dict[str, Tuple[str, str]], timeout: float, chunk: int = 1) -> None:
    """Fill each pair (its files: label -> (small file, large file)). `chunk` pairs share a child
    process (a child's start and warm-up cost about a second: thousands of value pairs would
    spend most of the run there); a pair the chunk did not finish in `timeout` per pair, or that
    grew too fast, is measured again in a child of its own, so a path that stalls costs `timeout`,
    not the run, and the faster of two runs counts (a shared machine has pauses)."""
    if chunk > 1:
        for first in range(0, len(pairs), chunk):
            group = pairs[first:first + chunk]
            jobs = [job for number, pair in enumerate(group) for job in (
                (f"{number}/small", pair.path, files[pair.label][0]), (f"{number}/large", pair.path, files[pair.label][1]))]
            result = _measure(jobs, timeout * len(group))
            for number, pair in enumerate(group):
                pair.small, pair.large = result.get(f"{number}/small"), result.get(f"{number}/large")
        pairs = [p for p in pairs if p.small is None or p.large is None or p.failed(0.1)]
    for pair in pairs:
        small, large = files[pair.label]
        for attempt in range(2):
            result = _measure([("small", pair.path, small), ("large", pair.path, large)], timeout)
            pair.timed_out = "large" not in result
            small_time, large_time = result.get("small"), result.get("large")
            pair.small = small_time if pair.small is None or small_time is None else min(pair.small, small_time)
            pair.large = large_time if pair.large is None or large_time is None else min(pair.large, large_time)
            if pair.timed_out or not pair.failed(0.0):
                break


def site_pairs(paths: Sequence[str], size: int, workdir: Path) -> Tuple[List[Pair], Dict[str, Tuple[str, str]]]:
    files: Dict[str, Tuple[str, str]] = {}
    for kind, make in (("v2 tunnels", heavy_tunnels), ("v3 endpoints", heavy_endpoints)):
        names = []
        for count in (size, 2 * size):
            target = workdir / f"{kind.replace(' ', '-')}-{count}.ngrok.yml"
            target.write_text(make(count), encoding="utf-8")
            names.append(str(target))
        files[kind] = (names[0], names[1])
    pairs = [Pair(kind, path) for kind in files for path in paths]
    return pairs, files


# The inputs the issue names, at 1 MB on every path (with the slowest of the value section).
NAMED_VALUES: Tuple[Tuple[str, Tuple[Any, ...], str], ...] = (
    ("v3", ("endpoints", 0, "url"), "host"),
    ("v3", ("endpoints", 0, "url"), "url-user"),
    ("v3", ("endpoints", 0, "upstream", "url"), "colons"),
    ("v3", ("endpoints", 0, "metadata"), "var-defaults"),
    ("v3", ("agent", "connect_url"), "letters"),
    ("v2", ("tunnels", "t", "addr"), "colons"),
    ("v2", ("tunnels", "t", "hostname"), "host"),
    ("v2", ("tunnels", "t", "basic_auth", 0), "url-user"),
)
MEGABYTE = 1024 * 1024
CEILING = 2.0  # seconds any path may take on a file with one 1 MB value


def megabyte_rows(inputs: Sequence[Tuple[str, Tuple[Any, ...], str]], paths: Sequence[str], workdir: Path,
                  timeout: float) -> List[Tuple[str, str, Optional[float]]]:
    """Each input (format, field, shape) at 1 MB on each path: (label, path, seconds or None)."""
    jobs: List[Tuple[str, str, str]] = []
    labels: Dict[str, Tuple[str, str]] = {}
    for number, (fmt, field, shape) in enumerate(dict.fromkeys(inputs)):
        target = workdir / f"megabyte-{number}.ngrok.yml"
        target.write_text(value_file(fmt, field, shaped(shape, MEGABYTE)), encoding="utf-8")
        label = f"{fmt} {'.'.join(str(p) for p in field)} {shape}"
        for path in paths:
            key = f"{number}/{path}"
            jobs.append((key, path, str(target)))
            labels[key] = (label, path)
    done: Dict[str, float] = {}
    for path in paths:  # one child per path: a path that stalls costs its own rows only
        done.update(_measure([job for job in jobs if job[1] == path], timeout))
    return [(labels[key][0], labels[key][1], done.get(key)) for key, _, _ in jobs]


def value_pairs(paths: Sequence[str], size: int, workdir: Path, quick: bool) -> Tuple[List[Pair], Dict[str, Tuple[str, str]]]:
    """Every string field x every shape on `lint`; the fields outside Traffic Policy also on every
    other path, with the shapes `letters` and `url-user` (the policy's fields share those paths'
    code with the fields around them)."""
    files: Dict[str, Tuple[str, str]] = {}
    pairs: List[Pair] = []
    for fmt in FORMAT_SCHEMAS:
        fields = string_fields(fmt)
        if quick:
            fields = [f for i, f in enumerate(fields) if not _in_policy(f) or i % 10 == 0]
        for field in fields:
            for shape in SHAPES:
                label = f"{fmt} {'.'.join(str(p) for p in field)} {shape}"
                wanted = [p for p in paths if p == "lint" or (not _in_policy(field) and shape in ("letters", "url-user"))]
                if not wanted:
                    continue
                names = []
                for count in (size, 2 * size):
                    target = workdir / f"value-{len(files)}-{count}.ngrok.yml"
                    target.write_text(value_file(fmt, field, shaped(shape, count)), encoding="utf-8")
                    names.append(str(target))
                files[label] = (names[0], names[1])
                SOURCES[label] = (fmt, tuple(field), shape)
                pairs.extend(Pair(label, path) for path in wanted)
    return pairs, files


SOURCES: Dict[str, Tuple[str, Tuple[Any, ...], str]] = {}  # value-section label -> (format, field, shape)


def _in_policy(field: Sequence[Any]) -> bool:
    return any(part in ("traffic_policy", "policy") for part in field)


def report(title: str, pairs: List[Pair], floor: float, show_all: bool) -> List[str]:
    """Print the table; the labels of the pairs that failed."""
    print(f"\n{title}")
    print(f"   {'input':52s} {'path':17s} {'t(x)':>9s} {'t(2x)':>9s} {'ratio':>6s}")
    failed = []
    for pair in pairs:
        bad = pair.failed(floor)
        if bad:
            failed.append(f"{pair.label} / {pair.path}")
        if not (show_all or bad):
            continue
        small = f"{pair.small:8.3f}s" if pair.small is not None else "      --"
        large = f"{pair.large:8.3f}s" if pair.large is not None else "timed out" if pair.timed_out else "      --"
        ratio = f"{pair.ratio:6.2f}" if pair.ratio is not None else "    --"
        print(f"   {pair.label[:52]:52s} {pair.path:17s} {small:>9s} {large:>9s} {ratio}{'  FAIL' if bad else ''}")
    return failed


def run_section(quick: bool = False, paths: Sequence[str] = PATHS, sites: bool = True, values: bool = True,
                timeout: float = 300.0) -> int:
    """The growth section: prints the tables, returns 1 when a ratio exceeds :data:`LIMIT`."""
    failed: List[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if sites:
            size = N // 4 if quick else N
            pairs, files = site_pairs(paths, size, workdir)
            measure_pairs(pairs, files, timeout)
            failed += report(f"growth: finding-heavy sites, {size:,} -> {2 * size:,} (t(2N)/t(N), limit {LIMIT})",
                             pairs, floor=0.0, show_all=True)
        if values:
            pairs, files = value_pairs(paths, VALUE_SIZE, workdir, quick)
            measure_pairs(pairs, files, timeout, chunk=50)
            worst = sorted((p for p in pairs if p.ratio is not None), key=lambda p: p.ratio or 0, reverse=True)[:10]
            failed += report(f"growth: one value of {VALUE_SIZE // 1024} KB -> {2 * VALUE_SIZE // 1024} KB in "
                             f"{len(files)} field x shape inputs, {len(pairs)} pairs (failures, then the 10 "
                             "largest ratios; a pair under 0.1 s at 2x is noise, not judged)",
                             [p for p in pairs if p.failed(0.1)] + [p for p in worst if not p.failed(0.1)],
                             floor=0.1, show_all=True)
            slowest = max((p for p in pairs if p.large is not None), key=lambda p: p.large or 0, default=None)
            if slowest is not None:
                print(f"   slowest at {2 * VALUE_SIZE // 1024} KB: {slowest.label} / {slowest.path}: {slowest.large:.2f} s")
            # The named inputs and the ten slowest of the section, at 1 MB on every path.
            ranked = sorted((p for p in pairs if p.large is not None), key=lambda p: p.large or 0, reverse=True)
            inputs = list(NAMED_VALUES) + [SOURCES[p.label] for p in ranked][:10]
            rows = megabyte_rows(inputs, paths, workdir, timeout)
            print(f"\none value of 1 MB: {len(dict.fromkeys(inputs))} inputs x {len(paths)} paths "
                  f"(each under {CEILING:.0f} s; the 12 slowest shown)")
            for label, path, seconds in sorted(rows, key=lambda r: -(r[2] if r[2] is not None else 1e9))[:12]:
                shown = f"{seconds:8.3f}s" if seconds is not None else "timed out"
                bad = seconds is None or seconds > CEILING
                print(f"   {label[:52]:52s} {path:17s} {shown:>9s}{'  FAIL' if bad else ''}")
            failed += [f"1 MB {label} / {path}" for label, path, seconds in rows if seconds is None or seconds > CEILING]
    if failed:
        print(f"\nGROWTH MISSED ({len(failed)}): " + "; ".join(failed[:20]))
        return 1
    print("\nevery growth ratio within the limit")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true",
                        help=f"N = {N // 4} sites, and a tenth of the Traffic Policy fields")
    parser.add_argument("--paths", default=",".join(PATHS), help="comma-separated subset of " + ", ".join(PATHS))
    parser.add_argument("--sites-only", action="store_true")
    parser.add_argument("--values-only", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one pair may take (default 300)")
    args = parser.parse_args(argv)
    if args.child:
        return child()
    paths = [p for p in args.paths.split(",") if p]
    unknown = set(paths) - set(PATHS)
    if unknown:
        parser.error(f"unknown paths: {', '.join(sorted(unknown))}")
    return run_section(args.quick, paths, not args.values_only, not args.sites_only, args.timeout)


if __name__ == "__main__":
    raise SystemExit(main())
