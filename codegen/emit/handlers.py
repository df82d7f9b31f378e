"""Emit ``handlers.py``: one async method per inbound request/notification and side."""

from __future__ import annotations

from typing import Any

from mcp_foundry.emit.render import render
from mcp_foundry.ir.model import Method, RevisionIR

_INBOUND = {"server": "client_to_server", "client": "server_to_client"}


def _inbound(ir: RevisionIR, side: str) -> list[Method]:
    return [m for name, m in sorted(ir.methods.items()) if m.direction in (_INBOUND[side], "both")]


def _handler(method: Method) -> dict[str, Any]:
    if method.params is None:
        params = "None"
    elif method.params_required:
        params = f"models.{method.params}"
    else:
        params = f"models.{method.params} | None"
    results = [r for r in (method.result, *method.alt_results) if r is not None]
    doc = method.doc or f"Handle ``{method.method}``."
    if method.deprecated:
        doc = f"{doc}\n\n.. deprecated:: {method.deprecated}"
    return {
        "name": method.handler,
        "method": method.method,
        "params": params,
        "returns": " | ".join(f"models.{r}" for r in results) or "None",
        "doc": doc,
    }


def required(ir: RevisionIR, side: str) -> tuple[str, ...]:
    """Inbound requests with no capability gate: every peer of ``side`` must answer them."""
    return tuple(
        m.method for m in _inbound(ir, side) if m.kind == "request" and m.capability is None
    )


def emit_handlers(ir: RevisionIR) -> str:
    sides = [
        {
            "class_name": "ServerHandlers",
            "doc": f"What a {ir.revision} server receives:"
            " requests and notifications from clients.",
            "handlers": [_handler(m) for m in _inbound(ir, "server")],
        },
        {
            "class_name": "ClientHandlers",
            "doc": f"What a {ir.revision} client receives:"
            " requests and notifications from servers.",
            "handlers": [_handler(m) for m in _inbound(ir, "client")],
        },
    ]
    return render(
        "handlers.py.j2",
        revision=ir.revision,
        sides=sides,
        server_required=required(ir, "server"),
        client_required=required(ir, "client"),
    )
