"""The explicit list of rules, and selection by code, name or code prefix.

Each rule is one module under ``ngrok_lint.rules`` with ``META`` (a :class:`RuleMeta`), its user
docs as the module docstring, and ``check(doc, ctx)``. The list below is the registry: no
directory scanning, so what ships is what is written here.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ngrok_lint.model import RuleMeta

RULE_MODULES: Tuple[str, ...] = (
    "ngl001_yaml_syntax",
    "ngl002_schema",
    "ngl003_config_version",
    "ngl004_duplicate_key",
    "ngl005_invalid_combination",
    "ngl006_unexpanded_variable",
    "ngl007_ambiguous_boolean",
    "ngl008_unused_suppression",
    "ngl009_ngrok_v1_format",
    "ngl010_unknown_policy_name",
    "ngl101_http_scheme",
    "ngl102_plaintext_upstream",
    "ngl103_min_tls_version",
    "ngl104_connect_url",
    "ngl105_crl_check_disabled",
    "ngl106_weak_mtls",
    "ngl107_custom_root_cas",
    "ngl108_tls_floor_below_policy",
    "ngl201_inspector_exposed",
    "ngl202_exposed_admin_port",
    "ngl203_no_access_control",
    "ngl204_allow_all_cidr",
    "ngl205_enforcement_disabled",
    "ngl206_oauth_any_account",
    "ngl301_committed_authtoken",
    "ngl302_committed_api_key",
    "ngl303_inline_credential",
    "ngl304_weak_basic_auth",
    "ngl305_shared_authtoken",
    "ngl401_deprecated_key",
    "ngl402_upgrade_to_v3",
    "ngl403_updates_disabled",
)


@lru_cache(maxsize=None)
def modules() -> Tuple[ModuleType, ...]:
    """The rule modules that exist, in code order, each with its docs attached to META."""
    loaded: List[ModuleType] = []
    for name in RULE_MODULES:
        try:
            module = importlib.import_module(f"ngrok_lint.rules.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"ngrok_lint.rules.{name}":
                continue
            raise
        # Rule modules are plain modules: ModuleType declares no META to assign to.
        module.META = module.META._replace(docs=(module.__doc__ or "").strip())  # type: ignore[attr-defined]
        loaded.append(module)
    return tuple(loaded)


@lru_cache(maxsize=None)
def rules() -> Tuple[RuleMeta, ...]:
    return tuple(m.META for m in modules())


@lru_cache(maxsize=None)
def by_code() -> Dict[str, ModuleType]:
    return {m.META.code: m for m in modules()}


def lookup(code_or_name: str) -> Optional[RuleMeta]:
    wanted = code_or_name.strip()
    for meta in rules():
        if wanted.upper() == meta.code or wanted.lower() == meta.name:
            return meta
    return None


def matches(selector: str, meta: RuleMeta) -> bool:
    """A selector is a code, a name, a code prefix (`NGL1`) or `ALL`."""
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    if selector.lower() == meta.name:
        return True
    return meta.code.startswith(selector.upper()) and selector.upper().startswith("NGL")


def unknown_selectors(selectors: Iterable[str]) -> List[str]:
    return [s for s in selectors if not any(matches(s, meta) for meta in rules())]


def resolve(
    select: Optional[Sequence[str]] = None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> frozenset:
    """The set of enabled codes. Without `select`, every rule enabled by default."""
    # Asked once per linted file with the same few selections: worked out once per selection.
    return _resolve(None if select is None else tuple(select), tuple(ignore), tuple(extend_select))


@lru_cache(maxsize=256)
def _resolve(select: Optional[Tuple[str, ...]], ignore: Tuple[str, ...], extend_select: Tuple[str, ...]) -> frozenset:
    if select is None:
        chosen = {m.code for m in rules() if m.default_enabled}
    else:
        chosen = {m.code for m in rules() if any(matches(s, m) for s in select)}
    chosen |= {m.code for m in rules() if any(matches(s, m) for s in extend_select)}
    chosen -= {m.code for m in rules() if any(matches(s, m) for s in ignore)}
    return frozenset(chosen)
