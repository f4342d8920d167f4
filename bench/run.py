"""Speed benchmark: ngrok-lint against its peers, side by side in one run, as medians.

    python bench/run.py [--repeat N] [--quick]
    python bench/run.py --growth [--quick]     (only section 5, the growth section)

Measures (each as the median of repeated runs, with peak memory):
  1. one small file, cold process: ngrok-lint vs yamllint vs check-jsonschema --schemafile with
     ngrok-lint's own schema (the same file, the same machine, the same moment);
  2. 1,000 generated config files in one ngrok-lint run (files per second);
  3. the language server: didChange to publishDiagnostics on a 200-line file;
  4. lint time for files with 10, 100, 1,000 and 10,000 endpoints (growth should be linear);
  5. growth of every path (lint text, JSON, SARIF, --diff, --fix, the language server's diagnostics
     and its code actions for the whole document) from N to 2N finding-heavy tunnels and endpoints
     (N = 1,000), and from a 100 KB to a 200 KB value in every string field the schemas know:
     t(2x)/t(x) for each, a miss when one exceeds 2.5 (bench/growth.py, which runs on its own too).
It prints the ratios and the targets of spec/product.md and exits 1 when a target is missed.
Needs `pip install -e '.[bench,lsp]'` (yamllint, check-jsonschema, pygls). Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Every tool runs as it does when installed, with its bytecode cached. Where PYTHONDONTWRITEBYTECODE
# is set, a checkout's ngrok-lint would otherwise compile all of its sources on every cold run
# (about 40 ms) while the peers read theirs from site-packages; the warm-up runs write the cache.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}

SMALL = """\
# Agent config for the staging stack.
version: "2"
authtoken: ${NGROK_AUTHTOKEN}
web_addr: 127.0.0.1:4040
tunnels:
  web:
    proto: http
    addr: 8080
    schemes: [https]
    inspect: false
  api:
    proto: http
    addr: https://localhost:8443
    domain: api.example.com
"""


def run_timed(cmd: Sequence[str], stdin: Optional[bytes] = None, cwd: Optional[str] = None) -> Tuple[float, int, int]:
    """(seconds, peak RSS in KiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, env=CHILD_ENV)
    if stdin:
        assert proc.stdin is not None
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, proc.returncode


class BrokenTool(Exception):
    """A measured command did not do its work (exit code 2 or more, or a traceback): its time means nothing."""


def check_works(cmd: Sequence[str]) -> None:
    """Run `cmd` once and raise BrokenTool unless it linted (exit 0 or 1: clean or findings)."""
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, env=CHILD_ENV)
    if proc.returncode not in (0, 1) or b"Traceback" in proc.stderr:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise BrokenTool(f"{' '.join(cmd)} exited {proc.returncode}: {' / '.join(tail)}")


def median_of(cmd: Sequence[str], repeat: int, cwd: Optional[str] = None) -> Tuple[float, int]:
    check_works(cmd)
    runs = [run_timed(cmd, cwd=cwd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def tool(name: str) -> Optional[str]:
    found = shutil.which(name, path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return found


def generate_endpoints(count: int) -> str:
    lines = ['version: "3"', "agent:", "  web_addr: 127.0.0.1:4040", "endpoints:"]
    for i in range(count):
        kind = i % 4
        if kind == 0:
            lines += [f"  - name: web{i}", f"    url: https://web{i}.example.com", "    upstream:", f"      url: {8000 + i % 1000}"]
        elif kind == 1:
            lines += [f"  - name: plain{i}", f"    url: http://plain{i}.example.com", "    upstream:", f"      url: 10.0.0.{i % 250}:80"]
        elif kind == 2:
            lines += [f"  - name: tcp{i}", "    url: tcp://", "    upstream:", "      url: 22"]
        else:
            lines += [
                f"  - name: tls{i}", f"    url: https://secure{i}.example.com", "    upstream:", "      url: 9000",
                "    traffic_policy:", "      on_tcp_connect:", "        - actions:", "            - type: terminate-tls",
                "              config:", '                min_version: "1.3"',
            ]
    return "\n".join(lines) + "\n"


def generate_mixed(index: int) -> str:
    """A config of one of the three formats, with or without findings."""
    kind = index % 3
    if kind == 0:
        return f'version: "3"\nagent:\n  authtoken: ${{NGROK_AUTHTOKEN}}\nendpoints:\n  - name: e{index}\n    url: https://e{index}.example.com\n    upstream:\n      url: {3000 + index % 100}\n'
    if kind == 1:
        return f'version: "2"\nweb_addr: 0.0.0.0:4040\ntunnels:\n  t{index}:\n    proto: http\n    addr: {index % 1000 + 1}\n    schemes: [http, https]\n'
    return f"web_addr: localhost:4040\ntunnels:\n  ssh{index}:\n    proto: tcp\n    addr: 22\n  web:\n    proto: http\n    addr: 80\n    bind_tls: true\n"


def bench_cold(repeat: int, workdir: Path) -> Dict[str, Tuple[float, int]]:
    path = workdir / "ngrok.yml"
    path.write_text(SMALL)
    results: Dict[str, Tuple[float, int]] = {}
    ngrok_lint = tool("ngrok-lint") or ""
    commands = {"ngrok-lint": [ngrok_lint, "--isolated", str(path)] if ngrok_lint else [sys.executable, "-m", "ngrok_lint", "--isolated", str(path)]}
    yamllint = tool("yamllint")
    if yamllint:
        commands["yamllint"] = [yamllint, str(path)]
    cjs = tool("check-jsonschema")
    if cjs:
        commands["check-jsonschema"] = [cjs, "--schemafile", str(ROOT / "schemas" / "ngrok-agent-v2.schema.json"), str(path)]
    for cmd in commands.values():
        check_works(cmd)
    for _ in range(2):  # warm the OS file cache for every tool alike
        for cmd in commands.values():
            run_timed(cmd)
    runs: Dict[str, List[Tuple[float, int, int]]] = {name: [] for name in commands}
    for _ in range(repeat):  # interleaved, so background noise falls on every tool alike
        for name, cmd in commands.items():
            runs[name].append(run_timed(cmd))
    for name, values in runs.items():
        results[name] = (statistics.median(v[0] for v in values), max(v[1] for v in values))
    return results


def bench_many(repeat: int, workdir: Path, count: int = 1000) -> Tuple[float, int]:
    folder = workdir / "many"
    for i in range(count):
        sub = folder / f"svc{i // 50}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"ngrok-{i}.yml").write_text(generate_mixed(i))
    cmd = [sys.executable, "-m", "ngrok_lint", "--isolated", "--quiet", str(folder)]
    return median_of(cmd, max(3, repeat // 4))


def bench_growth(sizes: Sequence[int]) -> Dict[int, Tuple[float, int]]:
    """In-process lint time per size (median of a few runs), peak memory from a child process."""
    from ngrok_lint.config import Settings
    from ngrok_lint.engine import analyze, finish

    out: Dict[int, Tuple[float, int]] = {}
    for size in sizes:
        data = generate_endpoints(size).encode()
        times = []
        for _ in range(5 if size < 10000 else 3):
            start = time.perf_counter()
            analysis = analyze("ngrok.yml", data, Settings(), None)
            finish([analysis])
            times.append(time.perf_counter() - start)
        with tempfile.NamedTemporaryFile("wb", suffix=".ngrok.yml", delete=False) as handle:
            handle.write(data)
        cmd = [sys.executable, "-m", "ngrok_lint", "--isolated", "--quiet", handle.name]
        check_works(cmd)
        _, rss, _ = run_timed(cmd)
        os.unlink(handle.name)
        out[size] = (statistics.median(times), rss)
    return out


def bench_lsp(repeat: int) -> Optional[float]:
    """Median seconds from didChange to publishDiagnostics on a 200-line file, over stdio."""
    try:
        import pygls  # noqa: F401
    except ImportError:
        return None
    proc = subprocess.Popen([sys.executable, "-m", "ngrok_lint", "--lsp"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=CHILD_ENV)
    assert proc.stdin and proc.stdout

    def send(message: dict) -> None:
        body = json.dumps(message).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]

    def receive() -> dict:
        length = 0
        while True:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError("the language server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(proc.stdout.read(length))  # type: ignore[union-attr]

    def wait_diagnostics() -> dict:
        while True:
            message = receive()
            if message.get("method") == "textDocument/publishDiagnostics":
                return message

    text = generate_endpoints(50)  # 50 endpoints, about 200 lines
    uri = "file:///tmp/bench/ngrok.yml"
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    while receive().get("id") != 1:
        pass
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    wait_diagnostics()
    times = []
    for version in range(2, repeat + 12):
        changed = text.replace("web_addr: 127.0.0.1:4040", f"web_addr: 127.0.0.1:{4040 + version}")
        start = time.perf_counter()
        send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": changed}]}})
        wait_diagnostics()
        times.append(time.perf_counter() - start)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=10)
    return statistics.median(times[10:])  # the first changes warm the caches


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, growth up to 1,000 endpoints")
    parser.add_argument("--growth", action="store_true", help="run only the growth section (bench/growth.py)")
    args = parser.parse_args(argv)
    if args.growth:
        import growth

        return growth.run_section(quick=args.quick)
    try:
        return measure(args)
    except BrokenTool as exc:
        print(f"\nBROKEN: {exc}\nNothing was measured: fix the installation (pip install -e '.[bench,lsp]') and run again.")
        return 2


def measure(args: argparse.Namespace) -> int:
    repeat = 5 if args.quick else args.repeat
    misses: List[str] = []
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        cold = bench_cold(repeat, workdir)
        print("\n1. one small file, cold process (median of %d)" % repeat)
        for name, (seconds, rss) in cold.items():
            print(f"   {name:18s} {seconds * 1000:8.1f} ms   peak {rss / 1024:6.1f} MiB")
        ours = cold["ngrok-lint"][0]
        if "yamllint" in cold:
            ratio = ours / cold["yamllint"][0]
            print(f"   ngrok-lint / yamllint          = {ratio:.2f}  (target < 1)")
            if ratio >= 1:
                misses.append("cold run not faster than yamllint")
        else:
            misses.append("yamllint not installed: pip install -e '.[bench]'")
        if "check-jsonschema" in cold:
            ratio = ours / cold["check-jsonschema"][0]
            print(f"   ngrok-lint / check-jsonschema  = {ratio:.2f}  (target <= 0.33)")
            if ratio > 1 / 3:
                misses.append("cold run above a third of check-jsonschema")
        else:
            misses.append("check-jsonschema not installed: pip install -e '.[bench]'")

        seconds, rss = bench_many(repeat, workdir)
        rate = 1000 / seconds
        print(f"\n2. 1,000 generated files in one run: {seconds * 1000:.0f} ms = {rate:.0f} files/s   peak {rss / 1024:.1f} MiB  (target >= 1000 files/s)")
        if rate < 1000:
            misses.append("fewer than 1,000 files per second")

        try:
            latency = bench_lsp(repeat)
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
            print(f"\n3. language server failed: {exc}")
            latency = None
        if latency is None:
            print("\n3. language server: pygls not installed (pip install -e '.[lsp]')")
            misses.append("language server not measured")
        else:
            print(f"\n3. language server, didChange -> diagnostics, 200-line file: {latency * 1000:.2f} ms  (target < 10 ms)")
            if latency >= 0.010:
                misses.append("language server above 10 ms per change")

        sizes = (10, 100, 1000) if args.quick else (10, 100, 1000, 10000)
        growth = bench_growth(sizes)
        print("\n4. growth with the number of endpoints (in-process lint, median)")
        for size, (secs, rss) in growth.items():
            print(f"   {size:6d} endpoints  {secs * 1000:9.1f} ms  {secs / size * 1e6:8.1f} us/endpoint   peak {rss / 1024:6.1f} MiB (cold process)")
        per = [growth[s][0] / s for s in sizes if s >= 100]
        spread = max(per) / min(per)
        print(f"   cost per endpoint varies by x{spread:.2f} from 100 to {sizes[-1]} endpoints (target: linear, < x2)")
        if spread >= 2:
            misses.append("growth is not linear")
        if not args.quick and growth[10000][0] >= 10:
            misses.append("10,000 endpoints take 10 s or more")

    import growth as growth_section

    print("\n5. growth of every path when the input doubles (bench/growth.py)")
    if growth_section.run_section(quick=args.quick):
        misses.append("a path grows faster than x2.5 when its input doubles")

    print()
    if misses:
        print("MISSED: " + "; ".join(misses))
        return 1
    print("every target met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
