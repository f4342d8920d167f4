"""The command line: ``main(argv) -> int``, the only place that prints, reads arguments and
chooses an exit code.

ruff's contract: only `--fix` writes (`--unsafe-fixes` widens what `--fix` and `--diff` apply, and
alone only shows those fixes as available); `--diff` prints the patch alone on stdout and its
summary on stderr.

Exit codes: 0 nothing at or above `--fail-on` remains (after `--fix`, in the fixed files); 1 findings
at or above `--fail-on` remain, `--diff` has a patch, or `--exit-non-zero-on-fix` and a file changed;
2 usage, configuration or I/O error: one line naming what to change, and nothing written.
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
from ngrok_lint.reporters import display_path, printable

if TYPE_CHECKING:
    from ngrok_lint.engine import Analysis

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# `text` is ruff's "full" form (the source line under each finding); `full` is its ruff name.
FORMAT_CHOICES = ("text", "full", "concise", "json", "sarif", "github")
LSP_INSTALL = "pip install 'ngrok-lint[lsp]'"
_MASKED_HUNKS_NAMED = 10  # `--diff` names this many hunks that show a masked secret, then counts the rest


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
        epilog=(
            "Exit codes: 0 nothing failing remains, 1 findings remain (or --diff has a patch, or "
            "--exit-non-zero-on-fix and a file changed), 2 usage, configuration or I/O error. "
            "Everything after `--` is a path."
        ),
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .); - reads stdin")
    fixing = parser.add_argument_group("fixing")
    fixing.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    fixing.add_argument("--unsafe-fixes", action="store_true",
                        help="with --fix or --diff, also apply unsafe fixes; alone, show them as available")
    fixing.add_argument("--diff", action="store_true",
                        help="print the patch the fixes would make on stdout (summary on stderr); write nothing")
    fixing.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when --fix changed a file")
    fixing.add_argument(
        "--fix-failing", action="store_true",
        help="apply only the fixes of findings that fail the run (at or above --fail-on); implies --fix",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=FORMAT_CHOICES,
                     help="output format (default text, with the source line; github under GITHUB_ACTIONS)")
    out.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    out.add_argument("-q", "--quiet", action="store_true", help="only findings that fail the run, and no summary when clean")
    out.add_argument("-s", "--silent", action="store_true", help="print no report (the exit code still tells)")
    out.add_argument("--statistics", action="store_true", help="count findings per rule instead of listing them")
    out.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                     help="colour the text output (auto: on a terminal, unless NO_COLOR; FORCE_COLOR forces it)")
    sel = parser.add_argument_group("rule selection")
    sel.add_argument("--select", action="append", metavar="CODES", help="only these rules (codes, names or prefixes, comma-separated)")
    sel.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules")
    sel.add_argument("--extend-select", action="append", metavar="CODES", help="add rules to the selection (e.g. NGL402)")
    sel.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that fails the run (default warning)")
    sel.add_argument("-e", "--exit-zero", action="store_true", help="exit 0 even when findings remain")
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
    info.add_argument("--lsp", action="store_true", help="start the language server on stdio (needs the [lsp] extra)")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    for stream in (stdout, stderr):  # never a traceback for a character the terminal cannot show
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
    arguments = list(sys.argv[1:] if argv is None else argv)
    # Everything after the first `--` is a path, whatever it looks like: pre-commit appends file
    # names after the hook's `--`. Split here rather than trusting argparse, whose handling of
    # `--` between positionals changed across Python versions.
    after: List[str] = []
    if "--" in arguments:
        cut = arguments.index("--")
        arguments, after = arguments[:cut], arguments[cut + 1:]
    try:
        args = build_parser().parse_args(arguments)
        args.paths = list(args.paths) + after
    except _UsageError as exc:
        stderr.write(f"ngrok-lint: error: {printable(str(exc))}; see `ngrok-lint --help`\n")
        return EXIT_ERROR
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        return _run(args, stdout, stderr)
    except (ConfigError, _UsageError) as exc:
        stderr.write(f"ngrok-lint: error: {printable(str(exc))}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        stderr.write("ngrok-lint: interrupted\n")
        return 130


def _selection(args: argparse.Namespace) -> Overrides:
    """The rule selection from the command line; an empty one is a usage error, not "no rules"."""
    for flag in ("select", "ignore", "extend_select"):
        values = getattr(args, flag)
        name = "--" + flag.replace("_", "-")
        if values is not None and not _codes(values):
            raise _UsageError(f"{name} needs at least one rule code, name or prefix (e.g. {name} NGL2)")
        codes = _codes(values)
        if codes:
            validate_selectors(codes, name)
    return Overrides(
        select=_codes(args.select),
        ignore=_codes(args.ignore),
        extend_select=_codes(args.extend_select),
        fail_on=Severity.parse(args.fail_on) if args.fail_on else None,
        suppressions=not args.no_suppressions,
    )


def _use_color(args: argparse.Namespace, stdout: IO[str]) -> bool:
    """--color wins; then FORCE_COLOR and NO_COLOR (set and not empty); then a terminal on stdout."""
    if args.color != "auto":
        return bool(args.color == "always")
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("NO_COLOR") or args.output or args.diff:
        return False
    isatty = getattr(stdout, "isatty", None)
    return bool(isatty and isatty())


def _run(args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> int:
    if args.version:
        stdout.write(f"ngrok-lint {__version__}\n")
        return EXIT_OK
    if args.lsp:
        return _serve(stderr)
    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.list_rules:
        return _list_rules(fmt, stdout)
    if args.explain is not None:
        if not args.explain.strip():
            raise _UsageError("--explain needs a rule code or name (e.g. --explain NGL201); see `ngrok-lint --list-rules`")
        return _explain(args.explain, stdout, stderr)
    if args.fix_failing and not (args.fix or args.diff):
        args.fix = True
    overrides = _selection(args)
    if args.config and not os.path.isfile(args.config):
        raise ConfigError(f"{args.config}: --config names no readable file")
    if args.stdin_filename and args.paths not in ([], ["-"]):
        raise _UsageError("--stdin-filename goes with reading stdin (`-` or no path)")

    from ngrok_lint.discovery import expand
    from ngrok_lint.engine import Analysis, analyze, finish
    from ngrok_lint.source import read_path

    fixing = args.fix and not args.diff  # --diff wins: it never writes
    stdin_mode = args.paths == ["-"] or (not args.paths and args.stdin_filename is not None)
    paths = ["-"] if stdin_mode else (args.paths or ["."])
    explicit = set(p for p in paths if not os.path.isdir(p))
    files, missing = expand(paths)
    errors: List[FileError] = [FileError(p, _missing(p)) for p in missing]
    analyses: List[Analysis] = []
    originals: Dict[str, bytes] = {}
    fail_on = Severity.WARNING
    for path in files:
        display = (args.stdin_filename or "-") if path == "-" else path
        settings = settings_for(display if path == "-" else path, overrides, args.isolated, args.config)
        fail_on = settings.fail_on if overrides.fail_on is None else overrides.fail_on
        if settings.exclude and (path not in explicit or args.force_exclude) and settings.excluded(display):
            if path == "-" and fixing:  # an editor replaces its buffer with stdout: hand it back unchanged
                _write_bytes(stdout, sys.stdin.buffer.read())
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
    if not files and not missing:
        stderr.write(f"ngrok-lint: warning: no ngrok config file found in {', '.join(printable(p) for p in paths)}"
                     " (name a file to lint it whatever its name)\n")

    changed: Dict[str, bool] = {}
    diffs: Dict[str, str] = {}
    fixed_count = 0
    would_fix = 0
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
                    would_fix += outcome.fixed
                for header in outcome.masked_hunks[:_MASKED_HUNKS_NAMED]:
                    stderr.write(f"ngrok-lint: {analysis.path}: the hunk {header} shows secrets masked; "
                                 "it is not an applicable patch (run --fix to apply the fixes)\n")
                more = len(outcome.masked_hunks) - _MASKED_HUNKS_NAMED
                if more > 0:  # one line for the rest: a large file must not flood the terminal
                    stderr.write(f"ngrok-lint: {analysis.path}: {more} more hunks show secrets masked; "
                                 "they are not an applicable patch (run --fix to apply the fixes)\n")
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
    results = [FileResult(a.path, per_file[a.path], changed.get(a.path, False)) for a in analyses]
    for analysis in analyses:
        for message in analysis.internal_errors:
            errors.append(FileError(analysis.path, message))

    if args.diff:
        return _report_diff(args, diffs, would_fix, errors, stdout, stderr)

    if fmt == "sarif":  # only SARIF shows fixes as edits: previewing them costs a fix run per finding
        from ngrok_lint.edits import fix_edits

        for analysis, result in zip(analyses, results):
            result.fix_edits = fix_edits(analysis, result.findings)

    from ngrok_lint.reporters import RenderOptions, Run, render

    sources = None
    if fmt in ("text", "full"):  # the source lines under the findings, secrets masked
        from ngrok_lint.reporters.text_format import SourceView, secret_ranges
        from ngrok_lint.secrets import secret_spans

        # A file that does not parse shows no source: only the parse can find every secret in it.
        sources = {a.path: SourceView(a.source.text, secret_ranges(a.doc), secret_spans(a.doc))
                   for a in analyses if a.source is not None and a.doc is not None and per_file[a.path]}
    run = Run(results, errors, fail_on, args.fix, args.unsafe_fixes, fixed_count, sources)
    if not args.silent:
        options = RenderOptions(color=_use_color(args, stdout), quiet=args.quiet, statistics=args.statistics,
                                concise=fmt == "concise")
        report = render(_FORMAT_MODULES.get(fmt, fmt), run, options)
        if args.output:
            if not _write_output(args.output, report, stderr):
                return EXIT_ERROR
        elif stdin_mode and fixing:
            stderr.write(report)  # stdout carries the file
        else:
            stdout.write(report)

    if errors:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_OK
    if args.exit_non_zero_on_fix and any(changed.values()):
        return EXIT_FINDINGS
    failing = any(f.severity >= fail_on for f in run.active())
    return EXIT_FINDINGS if failing else EXIT_OK


_FORMAT_MODULES = {"full": "text", "concise": "text"}


def _report_diff(args: argparse.Namespace, diffs: Dict[str, str], would_fix: int, errors: List[FileError],
                 stdout: IO[str], stderr: IO[str]) -> int:
    """`--diff`: the patch alone on stdout or in `--output` (so `ngrok-lint --diff | git apply` works),
    the rest on stderr."""
    patch = "".join(diffs[path] for path in sorted(diffs))
    if args.output:
        if not _write_output(args.output, patch, stderr):
            return EXIT_ERROR
    else:
        stdout.write(patch)
    if not args.silent:
        for error in errors:
            stderr.write(f"{display_path(error.path)}: error: {printable(error.message)}\n")
        if would_fix:
            files = len(diffs)
            stderr.write(f"Would fix {would_fix} finding{'s' if would_fix != 1 else ''}"
                         f" in {files} file{'s' if files != 1 else ''}.\n")
        else:
            stderr.write("No fixes to apply.\n")
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if diffs and not args.exit_zero else EXIT_OK


def _write_output(path: str, text: str, stderr: IO[str]) -> bool:
    """The report (or patch) into `--output`; False, with the reason on stderr, when it cannot be written."""
    try:
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as exc:
        stderr.write(f"ngrok-lint: error: cannot write {printable(path)}: {exc.strerror or exc}\n")
        return False
    return True


def _serve(stderr: IO[str]) -> int:
    from importlib.util import find_spec

    try:
        missing = find_spec("pygls") is None or find_spec("lsprotocol") is None
    except (ImportError, ValueError):
        missing = True
    if missing:
        stderr.write(f"ngrok-lint: error: --lsp needs the language-server extra: run `{LSP_INSTALL}`\n")
        return EXIT_ERROR
    from ngrok_lint.lsp import serve

    serve()
    return EXIT_OK


def _fail_on(analysis: "Analysis", overrides: Overrides) -> Severity:
    """The severity that fails the run for this file (the command line over its project config)."""
    return overrides.fail_on if overrides.fail_on is not None else analysis.settings.fail_on


def _missing(path: str) -> str:
    if path.startswith("-"):  # an option after `--` (a pre-commit hook's `args:`) is a file name
        return ("no such file or directory; after `--` every argument is a file name: put options before `--`,"
                " or in [tool.ngrok-lint] for the pre-commit hooks")
    return "no such file or directory; check the path"


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
