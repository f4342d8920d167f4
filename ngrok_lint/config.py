"""Settings for one run, and the project configuration they can come from.

`[tool.ngrok-lint]` in a `pyproject.toml`, or a `.ngrok-lint.toml` / `ngrok-lint.toml`, is searched
upward from each linted file; the first found wins. Command-line options override it. A bad
configuration raises :class:`ConfigError` (exit 2), naming the file and the key.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import os
import sys
from functools import lru_cache
from typing import Any, Dict, NamedTuple, Optional, Sequence, Tuple

from ngrok_lint.model import Severity
from ngrok_lint.sensitive_ports import DEFAULT_PORTS



def _toml() -> Any:
    """The TOML parser, imported when a configuration file is read (not on every run)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return tomllib


CONFIG_NAMES = (".ngrok-lint.toml", "ngrok-lint.toml", "pyproject.toml")
TLS_VERSIONS = ("1.2", "1.3")
# NGL202's default list: data with its sources in ngrok_lint/sensitive_ports.py.
DEFAULT_SENSITIVE_PORTS: Tuple[int, ...] = DEFAULT_PORTS


class ConfigError(Exception):
    """An invalid configuration: the message names the file and the key."""


class Options(NamedTuple):
    """Rule options, from the project config."""

    connect_url: Optional[str] = None
    min_tls_version: Optional[str] = None
    sensitive_ports: Tuple[int, ...] = DEFAULT_SENSITIVE_PORTS


class Settings(NamedTuple):
    select: Optional[Tuple[str, ...]] = None
    ignore: Tuple[str, ...] = ()
    extend_select: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = ()
    fail_on: Severity = Severity.WARNING
    options: Options = Options()
    suppressions: bool = True
    root: Optional[str] = None  # the folder of the config file; globs are relative to it
    source: Optional[str] = None  # the config file, for messages

    def enabled_codes(self, path: Optional[str] = None) -> frozenset:
        from ngrok_lint import registry

        codes = registry.resolve(self.select, self.ignore, self.extend_select)
        if path is not None and self.per_file_ignores:
            relative = self.relative(path)
            for pattern, ignored in self.per_file_ignores:
                if _glob_match(relative, pattern):
                    codes = codes - registry.resolve(list(ignored))
        return codes

    def relative(self, path: str) -> str:
        full = os.path.abspath(path)
        base = self.root or os.getcwd()
        try:
            rel = os.path.relpath(full, base)
        except ValueError:
            rel = full
        return rel.replace(os.sep, "/")

    def excluded(self, path: str) -> bool:
        relative = self.relative(path)
        return any(_glob_match(relative, pattern) for pattern in self.exclude)


def _glob_match(relative: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, pattern + "/*"):
        return True
    if "/" not in pattern:  # a bare name matches at any depth, like .gitignore
        return any(fnmatch.fnmatch(part, pattern) for part in relative.split("/"))
    return False


_KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "exclude", "fail-on", "connect-url",
    "min-tls-version", "sensitive-ports",
}


def find_config(start: str) -> Optional[str]:
    """The nearest config file at or above `start` (a file or a folder)."""
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    return _find_in(folder)


@lru_cache(maxsize=1024)
def _find_in(folder: str) -> Optional[str]:
    for name in CONFIG_NAMES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            if name != "pyproject.toml" or _has_tool_table(candidate):
                return candidate
    parent = os.path.dirname(folder)
    return None if parent == folder else _find_in(parent)


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError:
        return False
    if b"ngrok-lint" not in raw and b"\\u" not in raw and b"\\U" not in raw:
        return False  # most pyproject.toml files: no need to parse them (a quoted key may escape it)
    # It may hold our table: if it does not parse, its policy must not silently vanish.
    tool = _parse(path, raw).get("tool", {})
    return isinstance(tool, dict) and "ngrok-lint" in tool


def _parse(path: str, raw: bytes) -> Dict[str, Any]:
    """A TOML document, or ConfigError naming the file, line and column of what does not parse."""
    tomllib = _toml()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw[: exc.start].decode("utf-8", "replace"))
        raise ConfigError(f"{path}:{line}:{column}: not valid TOML: the file is not UTF-8; save it as UTF-8") from None
    try:
        return tomllib.loads(text)  # type: ignore[no-any-return]
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        import re

        found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
            message = message[: found.start()]
        else:  # "(at end of document)"
            line, column = _line_column(text)
            message = re.sub(r"\s*\(at end of document\)$", "", message)
        raise ConfigError(f"{path}:{line}:{column}: not valid TOML: {message}; fix the file") from None


def _line_column(text: str) -> Tuple[int, int]:
    """1-based line and column just after `text`."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


@lru_cache(maxsize=256)
def load_config(path: str) -> Settings:
    """Settings from one config file; raises ConfigError naming the file and key."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration ({exc.strerror or exc})") from exc
    document = _parse(path, raw)
    if os.path.basename(path) == "pyproject.toml":
        table = document.get("tool", {}).get("ngrok-lint", {})
        where = "[tool.ngrok-lint]"
    else:
        table = document.get("tool", {}).get("ngrok-lint", document)
        where = "the top level"
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    return settings_from_table(table, path)


def settings_from_table(table: Dict[str, Any], path: str) -> Settings:
    from ngrok_lint import registry

    def fail(key: str, why: str) -> ConfigError:
        return ConfigError(f"{path}: key `{key}`: {why}")

    for key in table:
        if key not in _KEYS:
            close = [k for k in _KEYS if _close(k, key)]
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise fail(key, f"unknown key{hint}; valid keys are {', '.join(sorted(_KEYS))}")

    def codes(key: str) -> Optional[Tuple[str, ...]]:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "expected a list of rule codes or names, e.g. [\"NGL201\", \"http-scheme\"]")
        unknown = registry.unknown_selectors(value)
        if unknown:
            raise fail(key, f"unknown rule {', '.join(repr(u) for u in unknown)}; see `ngrok-lint --list-rules`")
        return tuple(value)

    per_file: list = []
    raw_pfi = table.get("per-file-ignores", {})
    if not isinstance(raw_pfi, dict):
        raise fail("per-file-ignores", "expected a table of glob = [codes]")
    for pattern, value in raw_pfi.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"per-file-ignores.{pattern}", "expected a list of rule codes or names")
        unknown = registry.unknown_selectors(value)
        if unknown:
            raise fail(f"per-file-ignores.{pattern}", f"unknown rule {', '.join(repr(u) for u in unknown)}")
        per_file.append((pattern, tuple(value)))

    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        raise fail("exclude", "expected a list of globs")

    fail_on = Severity.WARNING
    if "fail-on" in table:
        try:
            fail_on = Severity.parse(str(table["fail-on"]))
        except KeyError:
            raise fail("fail-on", "expected one of error, warning, info") from None

    connect_url = table.get("connect-url")
    if connect_url is not None and (not isinstance(connect_url, str) or not _is_host_port(connect_url)):
        raise fail("connect-url", "expected \"host:port\", e.g. \"tunnel.example.com:443\"")
    min_tls = table.get("min-tls-version")
    if min_tls is not None and min_tls not in TLS_VERSIONS:
        raise fail("min-tls-version", "expected \"1.2\" or \"1.3\" (a quoted string)")
    ports = table.get("sensitive-ports", DEFAULT_SENSITIVE_PORTS)
    if not isinstance(ports, (list, tuple)) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 0 < p < 65536 for p in ports
    ):
        raise fail("sensitive-ports", "expected a list of port numbers from 1 to 65535")

    return Settings(
        select=codes("select"),
        ignore=codes("ignore") or (),
        extend_select=codes("extend-select") or (),
        per_file_ignores=tuple(per_file),
        exclude=tuple(exclude),
        fail_on=fail_on,
        options=Options(connect_url, min_tls, tuple(ports)),
        root=os.path.dirname(os.path.abspath(path)),
        source=path,
    )


def _is_host_port(value: str) -> bool:
    host, sep, port = value.rpartition(":")
    if not sep or not (port.isascii() and port.isdigit()) or not host:
        return False
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return all(part and len(part) < 64 for part in host.split("."))


def _close(a: str, b: str) -> bool:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio() > 0.75


class Overrides(NamedTuple):
    """Command-line options that override the project config."""

    select: Optional[Tuple[str, ...]] = None
    ignore: Optional[Tuple[str, ...]] = None
    extend_select: Optional[Tuple[str, ...]] = None
    fail_on: Optional[Severity] = None
    suppressions: bool = True


def settings_for(path: str, overrides: Overrides, isolated: bool, config_file: Optional[str]) -> Settings:
    """The settings that apply to one file: its nearest project config, then the command line."""
    base = Settings()
    if config_file is not None:
        base = load_config(os.path.abspath(config_file))
    elif not isolated:
        found = find_config(path)
        if found is not None:
            base = load_config(found)
    return apply_overrides(base, overrides)


def apply_overrides(base: Settings, overrides: Overrides) -> Settings:
    changes: Dict[str, Any] = {"suppressions": overrides.suppressions}
    if overrides.select is not None:
        # A --select on the command line starts the selection afresh, as in ruff: the project's
        # select, ignore and extend-select no longer apply (its per-file-ignores still do).
        changes.update(select=overrides.select, ignore=(), extend_select=())
        base = base._replace(ignore=(), extend_select=())
    if overrides.ignore is not None:
        changes["ignore"] = tuple(base.ignore) + tuple(overrides.ignore)
    if overrides.extend_select is not None:
        changes["extend_select"] = tuple(base.extend_select) + tuple(overrides.extend_select)
    if overrides.fail_on is not None:
        changes["fail_on"] = overrides.fail_on
    return base._replace(**changes)


def validate_selectors(selectors: Sequence[str], flag: str) -> None:
    from ngrok_lint import registry

    unknown = registry.unknown_selectors(selectors)
    if unknown:
        raise ConfigError(f"{flag}: unknown rule {', '.join(repr(u) for u in unknown)}; see `ngrok-lint --list-rules`")


class Context(NamedTuple):
    """What a rule may know beyond the document: where the file is, and the rule options."""

    path: str
    base_dir: Optional[str] = None  # the file's folder (for traffic_policy_file); None for stdin
    options: Options = Options()
