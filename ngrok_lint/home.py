"""Where the project lives: one address, and every URL an output or a doc carries derived from it.

``[project.urls] Homepage`` in ``pyproject.toml`` is the one place the address is written;
``HOME`` repeats it for the installed package, which has no ``pyproject.toml`` to read, and
``tests/test_release.py`` keeps the two equal. From it come the rule links (JSON ``url``, SARIF
``helpUri``, LSP ``codeDescription``), SARIF's ``informationUri``, the schemas' ``$id`` and the
schema URL in ``docs/editors.md`` and ``schemas/catalog.json``.

ngrok-lint is not published on any public host or package index yet, so the address is a name
under ``.invalid``, which RFC 2606 reserves so that it can never resolve or be registered: no output
points users at an address someone else could own. Publishing the project means serving this
repository's ``docs/`` and ``schemas/`` folders under a real address, writing that address here and
in ``pyproject.toml``, and running the release step in ``docs/release.md``.
"""

from __future__ import annotations

HOME = "https://ngrok-lint.invalid"
RULES_DOCS = HOME + "/docs/rules.md"
SCHEMAS = HOME + "/schemas/"


def rule_url(code: str, name: str) -> str:
    """The link to one rule's section of ``docs/rules.md`` (GitHub-style heading anchor)."""
    return f"{RULES_DOCS}#{code.lower()}-{name}"


def schema_url(file_name: str) -> str:
    """The published address (and ``$id``) of a schema file of ``schemas/``."""
    return SCHEMAS + file_name
