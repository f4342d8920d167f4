"""The command line: ``main(argv) -> int``, the only place that prints, reads arguments and
chooses an exit code.

Exit codes: 0 nothing at or above `--fail-on` and no file changed; 1 findings remain or `--fix`
changed a file; 2 usage, configuration or I/O error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, TYPE_CHECKING, Dict, List, NoReturn, Optional, Sequence, Tuple

from ngrok_lint import __version__
from ngrok_lint.config import ConfigError, Overrides, Settings, settings_for, validate_selectors
from ngrok_lint.model import FileError, FileResult, Severity

if TYPE_CHECKING:
    from ngrok_lint.engine import Analysis

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _codes(values: Optional[List[str]]) -> Optional[Tuple[str, ...]]:
    if values is None:
        return None
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ngrok-lint",
        description="Lint and fix ngrok agent configuration files (ngrok.yml).",
        epilog="Exit codes: 0 clean, 1 findings remain or --fix changed a file, 2 usage, configuration or I/O error.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .); - reads stdin")
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    fixing.add_argument("--unsafe-fixes", action="store_true", help="with --fix or --diff, also apply unsafe fixes")
    fixing.add_argument("--diff", action="store_true", help="print the diff the fixes would make; write nothing")
    fixing.add_argument(
        "--fix-failing", action="store_true",
        help="apply only the fixes of findings that fail the run (at or above --fail-on); implies --fix",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("text", "json", "sarif", "github"), help="output format (default text; github under GITHUB_ACTIONS)")
    out.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("--quiet", action="store_true", help="only findings that fail the run, and no summary when clean")
    out.add_argument("--statistics", action="store_true", help="count findings per rule")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the text output")
    sel = parser.add_argument_group("rule selection")
    sel.add_argument("--select", action="append", metavar="CODES", help="only these rules (codes, names or prefixes, comma-separated)")
    sel.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules")
    sel.add_argument("--extend-select", action="append", metavar="CODES", help="add rules to the selection (e.g. NGL402)")
    sel.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default warning)")
    sel.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    sel.add_argument("--no-suppressions", action="store_true", help="ignore suppression comments (audit every finding)")
    cfg = parser.add_argument_group("configuration")
    cfg.add_argument("--config", metavar="FILE", help="use this configuration file for every file")
    cfg.add_argument("--isolated", action="store_true", help="ignore every project configuration")
    cfg.add_argument("--stdin-filename", metavar="NAME", help="the name of the file read from stdin (-)")
    cfg.add_argument("--force-exclude", action="store_true", help="apply `exclude` to files named on the command line too")
    info = parser.add_argument_group("information")
    info.add_argument("--version", action="store_true", help="print the version and exit")
    info.add_argument("--list-rules", action="store_true", help="list every rule (with --format json as JSON)")
    info.add_argument("--explain", metavar="RULE", help="print a rule's documentation (code or name)")
    info.add_argument("--lsp", action="store_true", help="start the language server on stdio (for editors)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        stderr.write(f"ngrok-lint: error: {exc}\nTry `ngrok-lint --help`.\n")
        return EXIT_ERROR
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return _run(args, stdout, stderr)
    except (ConfigError, _UsageError) as exc:
        stderr.write(f"ngrok-lint: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.write("ngrok-lint: interrupted\n")
        return 130


def _run(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    if args.version:
        stdout.write(f"ngrok-lint {__version__}\n")
        return EXIT_OK
    if args.lsp:
        from ngrok_lint.lsp import serve

        serve()
        return EXIT_OK
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.list_rules:
        return _list_rules(fmt, stdout)
    if args.explain:
        return _explain(args.explain, stdout, stderr)
    if args.fix_failing and not (args.fix or args.diff):
        args.fix = True
    if args.unsafe_fixes and not (args.fix or args.diff):
        args.fix = True  # ruff's convention: --unsafe-fixes alone implies fixing
    for flag in ("select", "ignore", "extend_select"):
        codes = _codes(getattr(args, flag))
        if codes:
            validate_selectors(codes, "--" + flag.replace("_", "-"))
    overrides = Overrides(
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        extend_select=_codes(args.extend_select),
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        suppressions=not args.no_suppressions,
    )
    if args.config and not os.path.isfile(args.config):
        raise ConfigError(f"{args.config}: --config names no readable file")
    if args.stdin_filename and args.paths not in ([], ["-"]):
        raise _UsageError("--stdin-filename goes with reading stdin (`-` or no path)")

    from ngrok_lint.discovery import expand
    from ngrok_lint.engine import Analysis, analyze, finish
    from ngrok_lint.source import read_path

    stdin_mode = args.paths == ["-"] or (not args.paths and args.stdin_filename is not None)
    paths = ["-"] if stdin_mode else (args.paths or ["."])
    explicit = set(p for p in paths if not os.path.isdir(p))
    files, missing = expand(paths)
    errors: List[FileError] = [FileError(p, "no such file or directory; check the path") for p in missing]
    analyses: List[Analysis] = []
    originals: Dict[str, bytes] = {}
    fail_on = Severity.WARNING
    for path in files:
        display = (args.stdin_filename or "-") if path == "-" else path
        settings = settings_for(display if path == "-" else path, overrides, args.isolated, args.config)
        fail_on = settings.fail_on if overrides.fail_on is None else overrides.fail_on
        if settings.exclude and (path not in explicit or args.force_exclude) and settings.excluded(display):
            continue
        if path == "-":
            data: object = sys.stdin.buffer.read()
        else:
            data = read_path(path)
        if isinstance(data, str):
            errors.append(FileError(display, data))
            continue
        base_dir = os.path.dirname(os.path.abspath(display)) if path != "-" or args.stdin_filename else None
        analysis = analyze(display, data, settings, base_dir)  # type: ignore[arg-type]
        if analysis.skipped is not None:  # not an ngrok agent config: never reported, never written
            stderr.write(f"ngrok-lint: skipped {display}: {analysis.skipped}, not an ngrok agent config\n")
            if stdin_mode and args.fix and not args.diff:
                _write_bytes(stdout, data)  # type: ignore[arg-type]
            continue
        originals[display] = data  # type: ignore[assignment]
        analyses.append(analysis)

    changed: Dict[str, bool] = {}
    diffs: Dict[str, str] = {}
    fixed_count = 0
    if args.fix or args.diff:
        from ngrok_lint import fixer
        from ngrok_lint.writes import write_fixed

        for index, analysis in enumerate(analyses):
            outcome = fixer.fix_analysis(
                analysis, unsafe=args.unsafe_fixes, at_least=_fail_on(analysis, overrides) if args.fix_failing else None
            )
            if args.diff:  # nothing is written: report the file as it is, with the diff beside it
                if outcome.new_bytes is not None:
                    diffs[analysis.path] = outcome.diff
                for header in outcome.masked_hunks:
                    stderr.write(f"ngrok-lint: {analysis.path}: the hunk {header} shows secrets masked; "
                                 "it is not an applicable patch (run --fix to apply the fixes)\n")
                continue
            analyses[index] = outcome.analysis
            if outcome.new_bytes is None:
                if stdin_mode:  # an editor replaces its buffer with stdout: echo the input unchanged
                    _write_bytes(stdout, originals[analysis.path])
                continue
            fixed_count += outcome.fixed
            if stdin_mode:
                _write_bytes(stdout, outcome.new_bytes)
                changed[analysis.path] = True
            else:
                problem = write_fixed(analysis.path, outcome.new_bytes, originals[analysis.path])
                if problem:
                    errors.append(FileError(analysis.path, problem))
                else:
                    changed[analysis.path] = True

    per_file = finish(analyses)
    results = [
        FileResult(a.path, per_file[a.path], changed.get(a.path, False), diffs.get(a.path, "")) for a in analyses
    ]
    if fmt == "sarif":  # only SARIF shows fixes as edits: previewing them costs a fix run per finding
        from ngrok_lint.edits import fix_edits

        for analysis, result in zip(analyses, results):
            result.fix_edits = fix_edits(analysis, result.findings)
    for analysis in analyses:
        for message in analysis.internal_errors:
            errors.append(FileError(analysis.path, message))

    from ngrok_lint.reporters import RenderOptions, Run, render

    run = Run(results, errors, fail_on, args.fix or args.diff, args.unsafe_fixes, fixed_count)
    color = args.color == "always" or (
        args.color == "auto" and not args.output and stdout.isatty() and "NO_COLOR" not in os.environ
    )
    report = render(fmt, run, RenderOptions(color=color, quiet=args.quiet, statistics=args.statistics))
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(report)
        except OSError as exc:
            stderr.write(f"ngrok-lint: error: cannot write {args.output}: {exc.strerror or exc}\n")
            return EXIT_ERROR
    elif stdin_mode and args.fix and not args.diff:
        stderr.write(report)
    else:
        stdout.write(report)

    if errors:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_OK
    failing = any(f.severity >= fail_on for f in run.active())
    if failing or any(changed.values()) or (args.diff and diffs):
        return EXIT_FINDINGS
    return EXIT_OK


def _fail_on(analysis: "Analysis", overrides: Overrides) -> Severity:
    """The severity that fails the run for this file (the command line over its project config)."""
    return overrides.fail_on if overrides.fail_on is not None else analysis.settings.fail_on


def _write_bytes(stream: IO[str], data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:  # an in-memory text stream (tests)
        stream.write(data.decode("utf-8", "replace"))


def _list_rules(fmt: str, stdout: IO[str]) -> int:
    from ngrok_lint import registry

    metas = registry.rules()
    if fmt == "json":
        stdout.write(json.dumps([
            {"code": m.code, "name": m.name, "severity": m.severity.label, "summary": m.summary,
             "fix": m.fix.value, "formats": list(m.formats), "default": m.default_enabled, "url": m.url}
            for m in metas
        ], indent=2) + "\n")
        return EXIT_OK
    width = max(len(m.name) for m in metas)
    for m in metas:
        default = "" if m.default_enabled else "  (opt-in)"
        stdout.write(f"{m.code}  {m.name:<{width}}  {m.severity.label:<7}  fix: {m.fix.value:<14}  {m.summary}{default}\n")
    return EXIT_OK


def _explain(rule: str, stdout: IO[str], stderr: IO[str]) -> int:
    from ngrok_lint import registry

    meta = registry.lookup(rule)
    if meta is None:
        stderr.write(f"ngrok-lint: error: no rule `{rule}`; see `ngrok-lint --list-rules`\n")
        return EXIT_ERROR
    stdout.write(f"# {meta.code} {meta.name}\n\n")
    stdout.write(f"Severity: {meta.severity.label}. Fix: {meta.fix.value}. Formats: {', '.join(meta.formats)}.\n")
    if not meta.default_enabled:
        stdout.write("Not in the default selection: enable it with --extend-select.\n")
    stdout.write("\n" + meta.docs + "\n")
    return EXIT_OK
