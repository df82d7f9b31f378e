"""What ``mcp-foundry diff A B`` compares: a known revision, or schema files on disk.

A path (a folder holding schema.ts and schema.json, or either file) is for reviewing a
draft before it is pinned. Its IR is built by the generator's own ``build_ir``; the
revision whose overrides apply is the folder's name when it is a known revision, else
the file's ``LATEST_PROTOCOL_VERSION`` when known, else the newest known revision.
"""

from __future__ import annotations

import json
from pathlib import Path

from mcp_foundry.diff.model import Side
from mcp_foundry.ir import load_revision
from mcp_foundry.ir.loader import RevisionSources, build_ir
from mcp_foundry.ir.model import RevisionIR
from mcp_foundry.ir.typescript import parse_typescript
from mcp_foundry.sources import registry
from mcp_foundry.sources.errors import SchemaSourceError


class InputError(ValueError):
    """A diff operand is neither a known revision nor a readable schema folder or file."""


def _known() -> list[str]:
    """The revisions the manifest pins: adding one there makes it diffable by name."""
    try:
        return list(registry.names())
    except SchemaSourceError as exc:
        raise InputError(str(exc)) from exc


def load_side(spec: str) -> tuple[RevisionIR, Side]:
    known = _known()
    if spec in known:
        try:
            return load_revision(spec), Side(label=spec, revision=spec, source=f"revision {spec}")
        except Exception as exc:  # the IR's own errors already name what and where
            raise InputError(f"cannot load revision {spec}: {exc}") from exc
    path = Path(spec)
    if not path.exists():
        raise InputError(
            f"{spec!r} is neither a known revision ({', '.join(known)})"
            " nor an existing file or folder"
        )
    folder = path if path.is_dir() else path.parent
    files = {name: folder / name for name in ("schema.ts", "schema.json")}
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        raise InputError(
            f"{spec}: the IR needs schema.ts and schema.json side by side;"
            f" missing {', '.join(missing)}"
        )
    try:
        schema = json.loads(files["schema.json"].read_text(encoding="utf-8"))
        ts = parse_typescript(files["schema.ts"].read_bytes())
    except (OSError, ValueError) as exc:
        raise InputError(f"{spec}: cannot read the schema files: {exc}") from exc
    revision = _revision_of(folder, ts.constants.get("LATEST_PROTOCOL_VERSION"), known)
    try:
        ir = build_ir(RevisionSources(revision, schema, ts))
    except Exception as exc:
        raise InputError(f"{spec}: cannot build the IR (as revision {revision}): {exc}") from exc
    return ir, Side(label=str(path), revision=revision, source=str(folder.resolve()))


def _revision_of(folder: Path, latest: object, known: list[str]) -> str:
    if folder.name in known:
        return folder.name
    if isinstance(latest, str) and latest in known:
        return latest
    return known[-1]
