"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding,
then the run's summary as a plain line (shown in the log, not as an annotation).

Escaping follows GitHub's workflow-command rules (actions/toolkit `command.ts`): in the message,
`%`, `\\r` and `\\n`; in property values, also `:` and `,`, which would otherwise end the value.
"""

from __future__ import annotations

from typing import List

from ngrok_lint.model import Severity
from ngrok_lint.reporters import RenderOptions, Run, fix_state, printable
from ngrok_lint.reporters.text_format import _summary

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """`%`, CR and LF as GitHub decodes them; every other control character (and bytes of a file
    name that were not UTF-8) as a visible backslash escape, never raw."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(command: str, message: str, **properties: object) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def render(run: Run, options: RenderOptions) -> str:
    lines: List[str] = []
    for result in sorted(run.files, key=lambda r: r.path):
        for item in result.findings:
            if item.suppressed:
                continue
            if options.quiet and item.severity < run.fail_on:
                continue
            span = item.span
            state = fix_state(item)
            hint = ""
            if state == "safe":
                hint = " (fixable with `ngrok-lint --fix`)"
            elif state == "unsafe":
                hint = " (fixable with `ngrok-lint --fix --unsafe-fixes`)"
            end_line, end_column = span.end_line, span.end_column
            if (end_line, end_column) < (span.line, span.column):
                end_line, end_column = span.line, span.column
            lines.append(
                annotation(
                    _COMMANDS[item.severity],
                    f"{item.message}{hint}",
                    file=result.path,
                    line=span.line,
                    col=span.column,
                    endLine=end_line,
                    endColumn=end_column,
                    title=f"{item.code} {item.name}",
                )
            )
    for error in run.errors:
        lines.append(annotation("error", error.message, file=error.path, title="ngrok-lint"))
    if not options.quiet or run.active():
        lines.append(_summary(run))
    return "\n".join(lines) + ("\n" if lines else "")
