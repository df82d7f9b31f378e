"""JSON-RPC and MCP error codes, and the one exception type that carries them.

Handlers and the runtime raise :class:`RpcError`; the engine turns it into an error
response. Anything else a handler raises becomes ``-32603`` with a generic message, so
no traceback or exception text ever reaches the peer (it is logged on stderr instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
HEADER_MISMATCH = -32020
MISSING_REQUIRED_CLIENT_CAPABILITY = -32021
UNSUPPORTED_PROTOCOL_VERSION = -32022
STORE_UNAVAILABLE = -32050
"""Ours (implementation-defined range): the shared state store cannot be reached now;
the request may be retried (HTTP 503 with ``Retry-After``)."""


class RpcError(Exception):
    """An error the peer should see as a JSON-RPC error object."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.data = data

    def to_wire(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error

    @classmethod
    def from_wire(cls, error: Mapping[str, Any]) -> RpcError:
        code = error.get("code")
        message = error.get("message")
        return cls(
            code if isinstance(code, int) else INTERNAL_ERROR,
            message if isinstance(message, str) else "error without message",
            error.get("data"),
        )


def shutting_down(*, accepted: bool) -> RpcError:
    """The answer to a request the stopping server refuses (``accepted=False``) or cancels
    once its drain time is over."""
    if accepted:
        return RpcError(INTERNAL_ERROR, "Server shutting down; the request was cancelled")
    return RpcError(INTERNAL_ERROR, "Server shutting down; the request was not accepted")


def method_not_found(method: str, revision: str | None = None) -> RpcError:
    where = f" in protocol revision {revision}" if revision else ""
    return RpcError(METHOD_NOT_FOUND, f"Method not found: {method}{where}")


def invalid_params(exc: ValidationError, where: str = "params") -> RpcError:
    """-32602 naming every failing field as a dotted path (``params.arguments.text``)."""
    problems = []
    for err in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in (where, *err["loc"]))
        problems.append({"field": path, "problem": err["msg"]})
    summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
    return RpcError(INVALID_PARAMS, f"Invalid params: {summary}", {"errors": problems})


def missing_capability(required: Mapping[str, Any]) -> RpcError:
    """-32021 with ``data.requiredCapabilities`` as an object keyed by capability."""
    names = ", ".join(sorted(required))
    return RpcError(
        MISSING_REQUIRED_CLIENT_CAPABILITY,
        f"Missing required client capability: {names}",
        {"requiredCapabilities": dict(required)},
    )


def unsupported_version(requested: str, supported: list[str]) -> RpcError:
    return RpcError(
        UNSUPPORTED_PROTOCOL_VERSION,
        "Unsupported protocol version",
        {"supported": supported, "requested": requested},
    )
