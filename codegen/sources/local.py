"""Schema files from a local folder laid out like the upstream repository (``schema/<rev>/…``).

A local folder has no commits: it is trusted only through the manifest's hashes.
"""

from __future__ import annotations

from pathlib import Path

from mcp_foundry.sources.errors import SchemaSourceError


class LocalSource:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise SchemaSourceError(f"schema source folder {root} does not exist")

    def where(self, repository: str, commit: str, path: str) -> str:
        return str(self.root / path)

    def read(self, repository: str, commit: str, path: str) -> bytes:
        target = self.root / path
        try:
            return target.read_bytes()
        except FileNotFoundError as exc:
            raise SchemaSourceError(f"missing file {path}: not found at {target}") from exc
        except OSError as exc:
            raise SchemaSourceError(f"cannot read {target}: {exc.strerror}") from exc

    def list_files(self, repository: str, commit: str, directory: str) -> list[str]:
        folder = self.root / directory
        if not folder.is_dir():
            raise SchemaSourceError(f"no folder {directory} in {self.root}")
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def close(self) -> None:
        pass
