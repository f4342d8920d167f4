"""The engine walks, the rules judge: one file's bytes to findings, then the cross-file rules and
suppressions over a whole run.

Errors inside the run are values: a file that cannot be decoded or parsed is an NGL001 finding; a
rule that raises is reported as an internal error for that file rather than ending the run.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, NamedTuple, Optional, Sequence, Union

from ngrok_lint import registry, secrets, suppress
from ngrok_lint.config import Context, Settings
from ngrok_lint.loader import Document, ParseProblem, parse
from ngrok_lint.model import Finding
from ngrok_lint.source import DecodeError, Source, decode


class Analysis(NamedTuple):
    """Everything known about one file after its own rules ran (before suppressions)."""

    path: str
    settings: Settings
    source: Optional[Source]
    doc: Optional[Document]
    findings: List[Finding]
    enabled: frozenset
    internal_errors: Sequence[str] = ()
    suppressions: Sequence[suppress.Suppression] = ()
    # Not an ngrok agent config (ngrok_lint.filekind): what it looks like instead. Such a file gets
    # no finding and no fix; the command line says so in one line on stderr.
    skipped: Optional[str] = None

    @property
    def parsed(self) -> bool:
        return self.doc is not None


# Real ngrok configs are a few KB; a 10,000-endpoint file is about 2 MB. Beyond this the file is
# reported, not parsed, so a stray data file cannot take the memory of a pre-commit run.
MAX_BYTES = 10 * 1024 * 1024


def analyze(path: str, data: bytes, settings: Settings, base_dir: Optional[str] = None) -> Analysis:
    """Run every enabled single-file rule over one file."""
    enabled = settings.enabled_codes(path)
    if len(data) > MAX_BYTES:
        from ngrok_lint.rules import ngl001_yaml_syntax

        findings = [ngl001_yaml_syntax.too_large(len(data), MAX_BYTES)]
        return Analysis(path, settings, None, None, _only(findings, enabled), enabled)
    decoded = decode(path, data)
    if isinstance(decoded, DecodeError):
        from ngrok_lint.rules import ngl001_yaml_syntax

        findings = list(ngl001_yaml_syntax.from_decode_error(decoded))
        return Analysis(path, settings, None, None, _only(findings, enabled), enabled)
    return analyze_source(decoded, settings, enabled, base_dir, detect_kind=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Parsing and the rules allocate many small objects that live until the run is done; the
    cyclic collector would scan the growing heap again and again (half the time of a 10,000-endpoint
    file). It is paused while one file is analysed, fixed or its fixes previewed, or a run
    finished, then restored."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def analyze_source(source: Source, settings: Settings, enabled: frozenset, base_dir: Optional[str],
                   detect_kind: bool = False, doc: Optional[Document] = None) -> Analysis:
    """`detect_kind`: first decide whether the file is an ngrok agent config at all (a file read
    from disk or an editor; the fix engine's re-lints of a fixed text skip the question). `doc`:
    the parse of `source.text` when the caller has it already (the fix engine, which proved it)."""
    with collector_paused():
        return _analyze_source(source, settings, enabled, base_dir, detect_kind, doc)


def _analyze_source(source: Source, settings: Settings, enabled: frozenset, base_dir: Optional[str],
                    detect_kind: bool = False, known: Optional[Document] = None) -> Analysis:
    from ngrok_lint.rules import ngl001_yaml_syntax

    parsed: Union[Document, ParseProblem] = (
        known if known is not None and known.text == source.text and known.path == source.path
        else parse(source.path, source.text)
    )
    sups = suppress.find(source.text)
    if isinstance(parsed, ParseProblem):
        if detect_kind and ("\n---" in source.text or source.text.startswith("---")):
            from ngrok_lint.filekind import foreign_documents

            kind = foreign_documents(source.text)
            if kind is not None:
                return Analysis(source.path, settings, source, None, [], enabled, skipped=kind)
        problems = list(ngl001_yaml_syntax.from_parse_problem(parsed, source.text, enabled))
        return Analysis(source.path, settings, source, None, _only(problems, enabled), enabled, suppressions=sups)
    doc = parsed
    from ngrok_lint.filekind import foreign

    kind = foreign(doc.data) if detect_kind else None
    if kind is not None:
        return Analysis(source.path, settings, source, None, [], enabled, skipped=kind)
    ctx = Context(source.path, base_dir, settings.options)
    findings: List[Finding] = []
    errors: List[str] = []
    early = ngl001_yaml_syntax.file_level(doc)  # tabs in a legacy file, a v1 file: no other finding
    if early is not None:
        return Analysis(source.path, settings, source, doc, _only(early, enabled), enabled, suppressions=sups)
    for module in registry.modules():
        code = module.META.code
        check = getattr(module, "check", None)
        if code not in enabled or check is None or code == "NGL001":
            continue
        try:
            findings.extend(check(doc, ctx))
        except Exception as exc:  # a bug in one rule must not cost the user the other findings
            message = f"internal error in rule {code} ({type(exc).__name__}: {exc}); please report it"
            errors.append(secrets.index_for(doc).scrub(message))
    return Analysis(source.path, settings, source, doc, findings, enabled, errors, sups)


def _only(findings: Sequence[Finding], enabled: frozenset) -> List[Finding]:
    return [f for f in findings if f.code in enabled]


def finish(analyses: Sequence[Analysis]) -> Dict[str, List[Finding]]:
    """Cross-file rules, then suppressions and NGL008, per file; findings sorted by position."""
    with collector_paused():
        return _finish(analyses)


def _finish(analyses: Sequence[Analysis]) -> Dict[str, List[Finding]]:
    extra: Dict[str, List[Finding]] = {a.path: [] for a in analyses}
    for module in registry.modules():
        across = getattr(module, "check_across", None)
        if across is None:
            continue
        for path, item in across(analyses):
            extra.setdefault(path, []).append(item)
    result: Dict[str, List[Finding]] = {}
    for analysis in analyses:
        findings = analysis.findings + [f for f in extra.get(analysis.path, []) if f.code in analysis.enabled]
        result[analysis.path] = unquoted(analysis, settle(analysis, findings))
    return result


def unquoted(analysis: Analysis, findings: List[Finding]) -> List[Finding]:
    """The findings with every secret of the file that a message or fix title quotes masked: rules
    mask what they show, and this catches the rest (a schema message about a value that an alias
    shares with `authtoken`, a parser message quoting the text). Every output reads these."""
    if analysis.doc is not None:
        index = secrets.index_for(analysis.doc)
    elif analysis.source is not None:
        index = secrets.index_for(text=analysis.source.text)  # the line scan: the file does not parse
    else:
        return findings
    if not index:
        return findings
    out = []
    for item in findings:
        message = index.scrub(item.message)
        fix = item.fix
        if fix is not None:
            title = index.scrub(fix.title)
            fix = fix if title == fix.title else fix._replace(title=title)
        out.append(item if message == item.message and fix is item.fix else item._replace(message=message, fix=fix))
    return out


def settle(analysis: Analysis, findings: List[Finding]) -> List[Finding]:
    """Apply suppressions (unless disabled) and add NGL008 for those that did nothing."""
    if analysis.settings.suppressions and analysis.suppressions:
        for sup in analysis.suppressions:
            sup.used.clear()
        findings = suppress.apply(findings, analysis.suppressions)
        if "NGL008" in analysis.enabled and analysis.source is not None:
            from ngrok_lint.rules import ngl008_unused_suppression

            findings += list(
                ngl008_unused_suppression.unused(analysis.suppressions, analysis.source.text, analysis.enabled)
            )
    return sorted(findings, key=lambda f: f.sort_key)


def lint_bytes(path: str, data: bytes, settings: Optional[Settings] = None) -> List[Finding]:
    """One file on its own (editors, tests): every single-file rule, suppressions applied."""
    settings = settings or Settings()
    base_dir = os.path.dirname(os.path.abspath(path)) if path not in ("-", "<stdin>") else None
    analysis = analyze(path, data, settings, base_dir)
    return finish([analysis])[path]


def lint_text(text: str, path: str = "ngrok.yml", settings: Optional[Settings] = None) -> List[Finding]:
    return lint_bytes(path, text.encode("utf-8"), settings)


Reader = Callable[[str], Union[bytes, str]]


def with_fix_state(findings: List[Finding], reason: Optional[str]) -> List[Finding]:
    """Mark every fix-carrying finding as unavailable for `reason` (used by the fix engine)."""
    if reason is None:
        return findings
    return [f._replace(fix_unavailable=reason) if f.fix is not None else f for f in findings]
