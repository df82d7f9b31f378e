"""Who a change breaks, from which way the changed shape travels.

Every rule is stated once, from the shape's point of view: does it break an *old sender*
talking to a *new receiver*, an *old receiver* hearing from a *new sender*, or both?
The shape's senders (:mod:`codegen.diff.flows`) turn that into client/server pairings.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from codegen.diff.flows import Sender, other
from codegen.diff.model import NOBODY, Breaks


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
