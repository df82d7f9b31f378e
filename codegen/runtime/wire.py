"""JSON-RPC 2.0 framing: parse and check envelopes, build responses, encode lines.

Messages travel through the runtime as plain dicts (what ``orjson`` gives back);
pydantic validates only params and results, once per message, in the dispatcher.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import orjson
from mcp_foundry.runtime.errors import INVALID_REQUEST, PARSE_ERROR, RpcError
from pydantic import BaseModel

RequestId = Union[str, int]
Message = dict[str, Any]


def decode(data: bytes | str) -> Any:
    """Parse one JSON text; raise ``RpcError(-32700)`` on anything that is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RpcError(PARSE_ERROR, f"Parse error: {exc.msg}") from None


def encode(message: Any) -> bytes:
    """One message (or batch) as compact JSON without a trailing newline."""
    return orjson.dumps(message)


def dump(value: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """A params/result model (or mapping) as wire JSON: aliases, only the fields set."""
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        out: dict[str, Any] = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return out
    return dict(value)


def is_request_id(value: Any) -> bool:
    """MCP ids are strings or integers, never null, never booleans."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def check_envelope(message: Any) -> str:
    """Classify a decoded message as ``request``, ``notification`` or ``response``.

    Raises ``RpcError(-32600)`` for anything that is not a JSON-RPC 2.0 message; the
    caller answers it with the message's id when one can be read.
    """
    if not isinstance(message, dict):
        raise RpcError(INVALID_REQUEST, "Invalid Request: a message must be a JSON object")
    if message.get("jsonrpc") != "2.0":
        raise RpcError(INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"')
    method = message.get("method")
    if method is not None:
        if not isinstance(method, str):
            raise RpcError(INVALID_REQUEST, 'Invalid Request: "method" must be a string')
        params = message.get("params")
        if params is not None and not isinstance(params, dict):
            raise RpcError(INVALID_REQUEST, 'Invalid Request: "params" must be an object')
        if "id" not in message:
            return "notification"
        if not is_request_id(message["id"]):
            raise RpcError(INVALID_REQUEST, 'Invalid Request: "id" must be a string or integer')
        return "request"
    if "id" in message and ("result" in message or "error" in message):
        if "result" in message and "error" in message:
            raise RpcError(INVALID_REQUEST, "Invalid Request: both result and error")
        return "response"
    raise RpcError(INVALID_REQUEST, 'Invalid Request: no "method", "result" or "error"')


def readable_id(message: Any) -> RequestId | None:
    """The id to echo in an error about ``message``, when one can be read at all."""
    if isinstance(message, dict) and is_request_id(message.get("id")):
        found: RequestId = message["id"]
        return found
    return None


def result_response(request_id: RequestId, result: dict[str, Any]) -> Message:
    return {"jsonrpc": "2.0", "id": request_id, "result": result}


def error_response(request_id: RequestId | None, error: RpcError) -> Message:
    return {"jsonrpc": "2.0", "id": request_id, "error": error.to_wire()}


def request(request_id: RequestId, method: str, params: dict[str, Any] | None) -> Message:
    message: Message = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def notification(method: str, params: dict[str, Any] | None) -> Message:
    message: Message = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        message["params"] = params
    return message
