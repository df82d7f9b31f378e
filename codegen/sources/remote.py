"""Schema files over HTTP from a raw-file server at the pinned commit.

The base URL follows raw.githubusercontent.com: ``<base>/<commit>/<path>``, where the
default base is ``https://raw.githubusercontent.com/<repository>``. A raw-file server
cannot list folders, so ``schema add`` over HTTP records schema.ts and schema.json only.
"""

from __future__ import annotations

import httpx
from mcp_foundry.sources.errors import SchemaSourceError

UPSTREAM_RAW = "https://raw.githubusercontent.com/{repository}"


class HttpSource:
    def __init__(self, base_url: str | None = None, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.client = httpx.Client(timeout=timeout, follow_redirects=True)

    def where(self, repository: str, commit: str, path: str) -> str:
        base = self.base_url or UPSTREAM_RAW.format(repository=repository)
        return f"{base}/{commit}/{path}"

    def read(self, repository: str, commit: str, path: str) -> bytes:
        url = self.where(repository, commit, path)
        try:
            response = self.client.get(url)
        except httpx.HTTPError as exc:
            raise SchemaSourceError(f"cannot download {path} from {url}: {exc}") from exc
        if response.status_code == 404:
            raise SchemaSourceError(f"missing file {path}: {url} answered 404")
        if response.status_code != 200:
            raise SchemaSourceError(
                f"cannot download {path}: {url} answered HTTP {response.status_code}"
            )
        return response.content

    def list_files(self, repository: str, commit: str, directory: str) -> list[str]:
        return ["schema.json", "schema.ts"]

    def close(self) -> None:
        self.client.close()
