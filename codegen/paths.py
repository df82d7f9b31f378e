"""Where the toolkit's own data is, and where it keeps caches and writes output.

Templates, the schema manifest and the diff report's JSON Schema ship inside the package
(``mcp_foundry/templates``, ``mcp_foundry/schema``); in a checkout they are the repository's
``templates/`` and ``schema/`` folders. Caches and default output follow the same split: a
checkout keeps them in the checkout (``.cache/``, ``generated/``), an installed package uses
the per-user cache directory and the current folder, never site-packages.

A server imports this module (the registry reads the manifest) but needs no per-user
folder: the two of those are functions, so ``platformdirs`` is imported only where used.
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "mcp-foundry"
PACKAGE = Path(__file__).resolve().parent


def _checkout() -> Path | None:
    """The repository root when running from a checkout (editable install or build)."""
    root = PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and PACKAGE.name == "codegen" else None


CHECKOUT = _checkout()
_DATA = CHECKOUT or PACKAGE
"""A checkout's root, else the installed package's folder (the wheel ships the data there)."""

TEMPLATES = _DATA / "templates"
SCHEMA_MANIFEST = _DATA / "schema" / "manifest.json"
DIFF_REPORT_SCHEMA = _DATA / "schema" / "diff-report.schema.json"


def _user_cache() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(DISTRIBUTION)


def schema_cache() -> Path:
    """Fetched upstream schema files (``MCP_FOUNDRY_SCHEMA_CACHE`` overrides)."""
    return CHECKOUT / ".cache" / "schema" if CHECKOUT else _user_cache() / "schema"


def tokens() -> Path:
    """OAuth tokens the ``server`` commands keep, one file per server URL: per user, never
    in a checkout, so a token is not committed with it."""
    return _user_cache() / "tokens"


GENERATED = CHECKOUT / "generated" if CHECKOUT else Path("generated")
"""Default ``generate --out``: the checkout's ``generated/``, else ``./generated``."""

SHARED_SPEC = (CHECKOUT.parent if CHECKOUT else Path.cwd().parent) / "shared" / "mcp-spec"
"""The local copy of the upstream repository used instead of the network when present."""
