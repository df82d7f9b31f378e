"""``WWW-Authenticate`` challenges (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9449 §7.1).

A 401/403 may carry several challenges (``Bearer`` and ``DPoP``), each with
auth-params such as ``resource_metadata`` (RFC 9728 §5.1), ``scope`` and ``error``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_PARAM = re.compile(r'\s*([!#$%&\'*+\-.^_`|~\w]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*)\s*,?')
_SCHEME = re.compile(r"\s*,?\s*([!#$%&'*+\-.^_`|~\w]+)(?:\s+|$)")


@dataclass(frozen=True)
class Challenge:
    scheme: str
    """Lower-cased auth scheme, e.g. ``bearer`` or ``dpop``."""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def scope(self) -> list[str]:
        return self.params.get("scope", "").split()

    @property
    def error(self) -> str | None:
        return self.params.get("error")

    @property
    def resource_metadata(self) -> str | None:
        return self.params.get("resource_metadata")


def parse(values: Iterable[str]) -> list[Challenge]:
    """Every challenge in the ``WWW-Authenticate`` header values, in order."""
    found: list[Challenge] = []
    for value in values:
        pos = 0
        while pos < len(value):
            scheme = _SCHEME.match(value, pos)
            if scheme is None:
                break
            pos = scheme.end()
            params: dict[str, str] = {}
            while pos < len(value):
                param = _PARAM.match(value, pos)
                if param is None:
                    break
                raw = param.group(2)
                if raw.startswith('"'):
                    raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                params[param.group(1).lower()] = raw
                pos = param.end()
            found.append(Challenge(scheme.group(1).lower(), params))
    return found


def merged(challenges: list[Challenge], prefer: str) -> Challenge:
    """One view of the challenges: the ``prefer`` scheme's params over the others'."""
    params: dict[str, str] = {}
    ordered = sorted(challenges, key=lambda c: c.scheme == prefer)
    for challenge in ordered:
        params.update(challenge.params)
    return Challenge(prefer, params)
