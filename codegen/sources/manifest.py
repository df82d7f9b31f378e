"""The manifest: which upstream commit and which file hashes define each revision, and
what kind of revision it is (its era, whether it is a wire version).

Adding a revision is data: one more entry here (``mcp-foundry schema add``), no code.
The order of entries is the order of revisions (:mod:`mcp_foundry.sources.registry`).
A server reads it at start (through the registry), so it uses the stdlib only, and plain
classes rather than dataclasses, which compile their generated methods when this module
loads (issue #15: cold start).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from mcp_foundry import paths
from mcp_foundry.sources.errors import SchemaSourceError

FORMAT = 1
UPSTREAM_REPOSITORY = "modelcontextprotocol/modelcontextprotocol"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ERAS = ("legacy", "modern")
"""Handshakes the runtime speaks: ``initialize`` per connection, or stateless per request."""


def check_commit(revision: str, commit: str) -> None:
    """Pins are full commit hashes: a branch or tag name could move under the hashes."""
    if not _COMMIT.match(commit):
        raise SchemaSourceError(f"{revision}: commit {commit!r} is not a 40-hex git commit")


def is_dated(name: str) -> bool:
    """``YYYY-MM-DD``: the form of every protocol version sent on the wire."""
    return bool(_DATED.match(name))


class SchemaFile:
    """One file of a revision, relative to the revision's folder, with its pinned hash."""

    __slots__ = ("path", "sha256")

    def __init__(self, path: str, sha256: str) -> None:
        if not _SHA256.match(sha256):
            raise SchemaSourceError(f"manifest: {path}: sha256 {sha256!r} is not 64 hex digits")
        if path.startswith("/") or ".." in path.split("/"):
            raise SchemaSourceError(
                f"manifest: file path {path!r} must stay inside the revision folder"
            )
        self.path = path
        self.sha256 = sha256


class RevisionEntry:
    """One protocol revision as published upstream at one commit."""

    __slots__ = ("name", "repository", "commit", "directory", "files", "era", "wire")

    def __init__(
        self,
        name: str,
        repository: str,
        commit: str,
        directory: str,
        files: tuple[SchemaFile, ...],
        era: str,
        wire: bool = True,
    ) -> None:
        self.name = name
        self.repository = repository
        self.commit = commit
        self.directory = directory
        """The revision's folder inside the upstream repository, e.g. ``schema/2025-11-25``."""
        self.files = files
        self.era = era
        """``legacy`` (``initialize`` handshake) or ``modern`` (stateless, ``server/discover``)."""
        self.wire = wire
        """Whether the name is a protocol version peers send (``draft`` is not)."""
        self._check()

    def _check(self) -> None:
        check_commit(self.name, self.commit)
        for required in ("schema.ts", "schema.json"):
            if required not in self.hashes:
                raise SchemaSourceError(f"manifest: {self.name}: no {required} listed")
        if self.era not in ERAS:
            raise SchemaSourceError(
                f"manifest: {self.name}: unknown era {self.era!r}; the runtime speaks "
                f"{' and '.join(ERAS)} revisions only"
            )
        if self.wire and not is_dated(self.name):
            raise SchemaSourceError(
                f"manifest: {self.name}: a wire version is a date (YYYY-MM-DD); "
                'mark a named revision "wire": false'
            )

    @property
    def hashes(self) -> dict[str, str]:
        return {f.path: f.sha256 for f in self.files}

    def provenance(self) -> dict[str, object]:
        """Where the files come from (what a cached copy must match)."""
        return {
            "repository": self.repository,
            "commit": self.commit,
            "directory": self.directory,
            "files": [{"path": f.path, "sha256": f.sha256} for f in self.files],
        }

    def to_json(self) -> dict[str, object]:
        return {"era": self.era, "wire": self.wire, **self.provenance()}

    @classmethod
    def from_json(cls, name: str, data: dict[str, object]) -> RevisionEntry:
        try:
            files = tuple(
                SchemaFile(path=str(f["path"]), sha256=str(f["sha256"]))
                for f in data["files"]  # type: ignore[attr-defined]
            )
            return cls(
                name=name,
                repository=str(data["repository"]),
                commit=str(data["commit"]),
                directory=str(data["directory"]),
                files=tuple(sorted(files, key=lambda f: f.path)),
                era=str(data["era"]),
                wire=_flag(name, data.get("wire", True)),
            )
        except (KeyError, TypeError) as exc:
            raise SchemaSourceError(
                f"manifest: revision {name}: malformed entry ({exc!r})"
            ) from exc


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise SchemaSourceError(f"manifest: {name}: wire must be true or false, not {value!r}")
    return value


class Manifest:
    """All known revisions, in the file's order: wire versions by date, then the others
    (``draft``) in the order listed."""

    __slots__ = ("revisions", "path")

    def __init__(self, revisions: tuple[RevisionEntry, ...], path: Path) -> None:
        self.revisions = revisions
        self.path = path
        names = self.names
        if names != [r.name for r in _ordered(self.revisions)] or len(set(names)) != len(names):
            raise SchemaSourceError(
                f"manifest {self.path}: revisions must be listed once each, wire versions "
                f"oldest first, then the others; found {', '.join(names)}"
            )

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.revisions]

    def get(self, name: str) -> RevisionEntry:
        for entry in self.revisions:
            if entry.name == name:
                return entry
        raise SchemaSourceError(
            f"unknown revision {name!r}: {self.path} lists {', '.join(self.names) or 'nothing'}"
        )

    def with_entry(self, entry: RevisionEntry) -> Manifest:
        """A manifest with ``entry`` added, or replacing the entry of the same name in place."""
        names = self.names
        if entry.name in names:
            revisions = tuple(entry if r.name == entry.name else r for r in self.revisions)
        else:
            revisions = _ordered((*self.revisions, entry))
        return Manifest(revisions, self.path)

    def save(self) -> None:
        data = {
            "format": FORMAT,
            "revisions": {r.name: r.to_json() for r in self.revisions},
        }
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.path)


def _ordered(revisions: tuple[RevisionEntry, ...]) -> tuple[RevisionEntry, ...]:
    """Wire versions by date, then the rest as they come (a stable sort)."""
    return tuple(sorted(revisions, key=lambda r: (not r.wire, r.name if r.wire else "")))


def location() -> Path:
    """``schema/manifest.json`` of the toolkit, or where ``MCP_FOUNDRY_SCHEMA_MANIFEST``
    points (tests and release rehearsals edit a temp copy)."""
    override = os.environ.get("MCP_FOUNDRY_SCHEMA_MANIFEST")
    return Path(override) if override else paths.SCHEMA_MANIFEST


def load(path: Path | None = None) -> Manifest:
    """Read and validate the manifest (default: :func:`location`)."""
    path = path or location()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SchemaSourceError(f"no schema manifest at {path}") from exc
    except json.JSONDecodeError as exc:
        raise SchemaSourceError(f"schema manifest {path} is not valid JSON: {exc}") from exc
    if data.get("format") != FORMAT:
        raise SchemaSourceError(
            f"schema manifest {path}: unsupported format {data.get('format')!r}"
        )
    revisions = tuple(
        RevisionEntry.from_json(name, entry) for name, entry in data["revisions"].items()
    )
    return Manifest(revisions=revisions, path=path)
