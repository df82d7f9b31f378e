"""Read one revision's sources and build its :class:`RevisionIR` (parse once, cached)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from attrs import frozen
from mcp_foundry.ir.build import DefinitionBuilder
from mcp_foundry.ir.crosscheck import Disagreement, crosscheck
from mcp_foundry.ir.errors import GeneratorError
from mcp_foundry.ir.methods import build_methods
from mcp_foundry.ir.model import RevisionIR
from mcp_foundry.ir.overrides import PROSE_DISAGREEMENTS, apply_overrides
from mcp_foundry.ir.source import schema_dir
from mcp_foundry.ir.typescript import TsModule, TsSyntaxError, parse_typescript
from mcp_foundry.sources import registry

_CONSTANTS = ("LATEST_PROTOCOL_VERSION", "JSONRPC_VERSION")


@frozen
class RevisionSources:
    """The parsed inputs of one revision, before any override."""

    revision: str
    schema: dict[str, Any]
    ts: TsModule

    @property
    def definitions(self) -> dict[str, Any]:
        defs: dict[str, Any] = self.schema.get("$defs") or self.schema["definitions"]
        return defs


@cache
def revision_sources(revision: str) -> RevisionSources:
    folder = schema_dir(revision)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    try:
        ts = parse_typescript((folder / "schema.ts").read_bytes())
    except TsSyntaxError as exc:
        raise TsSyntaxError(f"{revision}: {folder / 'schema.ts'}: {exc}") from None
    return RevisionSources(revision, schema, ts)


def disagreements(revision: str) -> list[Disagreement]:
    """What schema.ts and schema.json still disagree on after every named override."""
    sources = revision_sources(revision)
    patched = apply_overrides(sources.revision, sources.definitions).definitions
    return [d for d in crosscheck(sources.ts, patched) if not _known_departure(sources, d)]


def _known_departure(sources: RevisionSources, found: Disagreement) -> bool:
    covered = PROSE_DISAGREEMENTS.get(found.path)
    return covered is not None and sources.revision in covered


@cache
def load_revision(revision: str) -> RevisionIR:
    """The validated IR of ``revision``; raises on any schema construct or upstream
    change the generator does not account for."""
    return build_ir(revision_sources(revision))


def build_ir(sources: RevisionSources) -> RevisionIR:
    """The IR of already parsed sources (e.g. a schema folder under review, not yet in
    the manifest); overrides are those of ``sources.revision``."""
    patched = apply_overrides(sources.revision, sources.definitions)
    definitions = DefinitionBuilder(patched.definitions, sources.ts).build()
    methods = build_methods(sources.revision, definitions)
    era = registry.era_of(sources.revision)
    shaped = "modern" if "server/discover" in methods else "legacy"
    if era != shaped:
        raise GeneratorError(
            f"{sources.revision}: the manifest says era {era!r}, but the schema is {shaped} "
            f"({'has' if shaped == 'modern' else 'lacks'} server/discover); fix the manifest entry"
        )
    constants = {k: v for k, v in sorted(sources.ts.constants.items())}
    error_codes = {k: v for k, v in constants.items() if isinstance(v, int) and k not in _CONSTANTS}
    return RevisionIR(
        revision=sources.revision,
        era="modern" if era == "modern" else "legacy",
        jsonrpc_version=str(constants["JSONRPC_VERSION"]),
        latest_protocol_version=str(constants["LATEST_PROTOCOL_VERSION"]),
        definitions=definitions,
        methods=methods,
        constants=constants,
        error_codes=error_codes,
        batching="JSONRPCBatchRequest" in definitions,
        overrides=tuple(patched.applied),
        fixed_upstream=tuple(patched.fixed_upstream),
    )
