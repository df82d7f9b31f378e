"""The one registry of protocol revisions: which exist, in what order, of which era.

Everything that needs to know about revisions (generator, overrides, runtime, diff,
scaffold, tests) asks here; the answers come from ``schema/manifest.json``, so a new
upstream revision is one manifest entry and no code. Order is the manifest's (validated:
wire versions by date, then the others such as ``draft``). Nothing here names a revision.
A running server asks here too, so this module and the manifest's import only the stdlib.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

from mcp_foundry.sources import manifest
from mcp_foundry.sources.errors import SchemaSourceError


class Revision(NamedTuple):
    """One protocol revision as the rest of the toolkit sees it.

    The records a server reads at start are named tuples: a frozen dataclass compiles
    its generated methods when its module loads, about 4M instructions each (issue #15)."""

    name: str
    era: str
    """``legacy`` (``initialize`` handshake) or ``modern`` (stateless)."""
    wire: bool
    """Whether peers send this name as a protocol version (``draft``: no)."""
    position: int
    """Place in the registry's order, oldest first."""


class Range(NamedTuple):
    """Revisions from ``since`` on (inclusive) until ``until`` (exclusive); ``None`` leaves
    that end open. A bound names the revision where upstream changed something."""

    since: str | None = None
    until: str | None = None

    def __contains__(self, revision: object) -> bool:
        """Unknown names (and non-strings) are in no range."""
        return (
            isinstance(revision, str)
            and find(revision) is not None
            and in_range(revision, self.since, self.until)
        )

    def __str__(self) -> str:
        return f"[{self.since or '…'}, {self.until or '…'})"


ALWAYS = Range()
"""Every revision, past and future."""


def since(revision: str) -> Range:
    """Every revision from ``revision`` on, including ones not released yet."""
    return Range(since=revision)


def until(revision: str) -> Range:
    """Every revision before ``revision`` (where upstream changed or fixed something)."""
    return Range(until=revision)


def between(first: str, last: str) -> Range:
    """From ``first`` (inclusive) until ``last`` (exclusive): closed where upstream changed."""
    return Range(since=first, until=last)


@cache
def _load(path: Path, stamp: tuple[int, int]) -> dict[str, Revision]:
    entries = manifest.load(path).revisions
    return {e.name: Revision(e.name, e.era, e.wire, i) for i, e in enumerate(entries)}


def _table() -> dict[str, Revision]:
    """Name → revision, in order; re-read when the manifest file changes."""
    path = manifest.location()
    try:
        stat = path.stat()
    except OSError as exc:
        raise SchemaSourceError(f"no schema manifest at {path}") from exc
    return _load(path, (stat.st_mtime_ns, stat.st_size))


def registry() -> tuple[Revision, ...]:
    """Every known revision, oldest first."""
    return tuple(_table().values())


def names() -> tuple[str, ...]:
    return tuple(_table())


def find(name: str) -> Revision | None:
    """The revision called ``name``, or ``None`` (a peer may send any string)."""
    return _table().get(name)


def get(name: str) -> Revision:
    found = find(name)
    if found is None:
        raise SchemaSourceError(
            f"unknown revision {name!r}; the manifest lists {', '.join(names())}"
        )
    return found


def order_key(name: str) -> int:
    """Sort key of a known revision (raises on an unknown one rather than guessing)."""
    return get(name).position


def era_of(name: str) -> str:
    return get(name).era


def is_modern(name: str) -> bool:
    return era_of(name) == "modern"


def wire_versions() -> tuple[str, ...]:
    """Protocol versions that can appear on the wire, oldest first."""
    return tuple(r.name for r in registry() if r.wire)


def of_era(era: str) -> tuple[str, ...]:
    """Wire versions of ``era``, oldest first."""
    return tuple(r.name for r in registry() if r.wire and r.era == era)


def latest(era: str | None = None) -> str:
    """The newest wire version (of ``era`` when given)."""
    found = of_era(era) if era is not None else wire_versions()
    if not found:
        raise SchemaSourceError(f"the manifest lists no {era or 'wire'} revision")
    return found[-1]


def in_range(revision: str, first: str | None, until: str | None) -> bool:
    """Whether ``revision`` lies in ``[first, until)`` in registry order."""
    key = order_key(revision)
    return (first is None or order_key(first) <= key) and (until is None or key < order_key(until))
