"""Who a change breaks, from which way the changed shape travels.

Every rule is stated once, from the shape's point of view: does it break an *old sender*
talking to a *new receiver*, an *old receiver* hearing from a *new sender*, or both?
The shape's senders (:mod:`mcp_foundry.diff.flows`) turn that into client/server pairings.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

import attrs
from mcp_foundry.diff.flows import Sender, other
from mcp_foundry.diff.model import NOBODY, Breaks, Kind, Severity


class Impact(Enum):
    NONE = "none"
    OLD_SENDER = "old sender, new receiver"
    OLD_RECEIVER = "old receiver, new sender"
    BOTH = "both"


def pairing(old: Sender) -> Breaks:
    """The mixed pairing in which ``old`` runs the old revision."""
    return (
        Breaks(old_client_new_server=True)
        if old == "client"
        else Breaks(old_server_new_client=True)
    )


def breaks_for(impact: Impact, sent_by: Iterable[Sender]) -> Breaks:
    result = NOBODY
    for sender in sent_by:
        if impact in (Impact.OLD_SENDER, Impact.BOTH):
            result |= pairing(sender)
        if impact in (Impact.OLD_RECEIVER, Impact.BOTH):
            result |= pairing(other(sender))
    return result


def plural(sides: Iterable[Sender]) -> str:
    """``clients``, ``servers`` or ``peers``: for reasons that name who sends."""
    found = set(sides)
    return f"{found.pop()}s" if len(found) == 1 else "peers"


def receivers(sent_by: Iterable[Sender]) -> str:
    return plural(other(s) for s in sent_by)


def fill(reason: str, sent_by: frozenset[Sender]) -> str:
    """Reasons are written with ``{sender}``/``{receiver}``; name the real sides."""
    return reason.format(sender=plural(sent_by), receiver=receivers(sent_by))


@attrs.frozen
class Rule:
    """One classification: what kind of change, how bad, for whom, and why."""

    kind: Kind
    severity: Severity
    impact: Impact
    reason: str
    """May use ``{sender}``/``{receiver}`` (see :func:`fill`)."""


# Fields of object definitions: situation -> rule.
FIELD_RULES: dict[str, Rule] = {
    "flag added": Rule(
        Kind.CAPABILITY_ADDED,
        Severity.COMPATIBLE,
        Impact.NONE,
        "a new flag; peers that do not know it ignore it",
    ),
    "required added": Rule(
        Kind.FIELD_ADDED,
        Severity.BREAKING,
        Impact.OLD_SENDER,
        "required: new {receiver} expect it, old {sender} never send it",
    ),
    "optional added": Rule(
        Kind.FIELD_ADDED,
        Severity.COMPATIBLE,
        Impact.NONE,
        "optional: old {receiver} ignore it",
    ),
    "flag removed": Rule(
        Kind.CAPABILITY_REMOVED,
        Severity.WARNING,
        Impact.BOTH,
        "the flag is gone: the feature it announced is no longer negotiated",
    ),
    "required removed": Rule(
        Kind.FIELD_REMOVED,
        Severity.BREAKING,
        Impact.OLD_RECEIVER,
        "was required: old {receiver} expect it, new {sender} no longer send it",
    ),
    "optional removed": Rule(
        Kind.FIELD_REMOVED,
        Severity.WARNING,
        Impact.OLD_SENDER,
        "was optional: what old {sender} put there is ignored by new {receiver}",
    ),
    "now optional": Rule(
        Kind.FIELD_NOW_OPTIONAL,
        Severity.BREAKING,
        Impact.OLD_RECEIVER,
        "old {receiver} expect it, new {sender} may leave it out",
    ),
    "now required": Rule(
        Kind.FIELD_NOW_REQUIRED,
        Severity.BREAKING,
        Impact.OLD_SENDER,
        "new {receiver} expect it, old {sender} may leave it out",
    ),
    "deprecated": Rule(
        Kind.DEPRECATED,
        Severity.COMPATIBLE,
        Impact.NONE,
        "deprecated: still works, scheduled for removal",
    ),
    "undeprecated": Rule(
        Kind.UNDEPRECATED, Severity.COMPATIBLE, Impact.NONE, "no longer deprecated"
    ),
    "opened": Rule(
        Kind.OBJECT_OPENED, Severity.COMPATIBLE, Impact.NONE, "unknown keys are now kept"
    ),
    "closed": Rule(
        Kind.OBJECT_CLOSED,
        Severity.WARNING,
        Impact.OLD_SENDER,
        "extra keys old {sender} send are now dropped by new {receiver}",
    ),
}
