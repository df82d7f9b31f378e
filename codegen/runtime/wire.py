"""JSON-RPC 2.0 framing: parse and check envelopes, build responses, encode lines.

Messages travel through the runtime as plain dicts (what ``orjson`` gives back);
pydantic validates only params and results, once per message, in the dispatcher.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, Union

import orjson
from mcp_foundry.runtime.errors import INVALID_REQUEST, PARSE_ERROR, RpcError
from pydantic import BaseModel

RequestId = Union[str, int]
Message = dict[str, Any]
M = TypeVar("M", bound=BaseModel)


MAX_DEPTH = 128
"""How deeply objects and arrays may nest in a message, the message itself being level 1.
Past about 250 levels pydantic (converting a legacy era's params) and orjson (writing a
result) give up, so both eras refuse deeper messages alike, before any handler runs."""


def decode(data: bytes | str) -> Any:
    """Parse one JSON text; raise ``RpcError(-32700)`` on anything that is not JSON, and
    :class:`TooDeep` (-32600) on a message nested deeper than :data:`MAX_DEPTH`.

    orjson reads integers beyond 64 bits as floats: a message whose id came out a float
    is read again by the standard library, so an id like 2**70 is answered as sent.
    """
    try:
        message = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise RpcError(PARSE_ERROR, f"Parse error: {exc.msg}") from None
    if isinstance(message, dict) and type(message.get("id")) is float:
        try:
            message = json.loads(data)
        except RecursionError:
            pass  # deeper than the standard library reads: the float id is refused later
    # more than MAX_DEPTH levels take more than MAX_DEPTH bytes: short lines skip the count
    deep = (
        len(data) > MAX_DEPTH
        and _opening_brackets(data) > MAX_DEPTH
        and isinstance(message, (dict, list))
    )
    if deep and _nests_deeper(message, MAX_DEPTH):
        raise TooDeep(message)
    return message


class TooDeep(RpcError):
    """A message nested deeper than :data:`MAX_DEPTH`: -32600, under its id if it is a
    request (a response is never answered)."""

    def __init__(self, message: Any) -> None:
        super().__init__(INVALID_REQUEST, f"Invalid Request: nested deeper than {MAX_DEPTH} levels")
        request = isinstance(message, dict) and "method" in message
        self.request_id = readable_id(message) if request else None


def refused_id(exc: RpcError) -> RequestId | None:
    """The id to answer a message :func:`decode` refused under (a parse error has none)."""
    return exc.request_id if isinstance(exc, TooDeep) else None


def _opening_brackets(data: bytes | str) -> int:
    """An upper bound of the nesting depth, counted in C (most messages stop here)."""
    if isinstance(data, str):
        return data.count("[") + data.count("{")
    return data.count(b"[") + data.count(b"{")


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than ``limit`` levels (a loop, not recursion)."""
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            return True
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, level + 1))
    return False


def encode(message: Any) -> bytes:
    """One message (or batch) as compact JSON without a trailing newline; what orjson
    cannot write (integers beyond 64 bits) the standard library does."""
    try:
        return orjson.dumps(message)
    except TypeError:
        return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def dump(value: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """A params/result model (or mapping) as wire JSON: aliases, only the fields set."""
    if value is None:
        return {}
    if isinstance(value, BaseModel):
        out: dict[str, Any] = value.__pydantic_serializer__.to_python(
            value, mode="json", by_alias=True, exclude_unset=True
        )
        return out
    return dict(value)


def validate(model: type[M], data: Any) -> M:
    """``model.model_validate(data)`` without pydantic's Python wrapper around the validator,
    which costs a third as much again as validating a small object (the request path
    validates several; :func:`dump` skips ``model_dump``'s the same way)."""
    found: M = model.__pydantic_validator__.validate_python(data)
    return found


def validator(model: type[M]) -> Callable[[Any], M]:
    """:func:`validate` for one model, bound once: a route keeps its models' validators
    and calls them without a Python frame in between."""
    if not model.__pydantic_complete__:
        model.model_rebuild()  # generated models defer their build to first use
    check: Callable[[Any], M] = model.__pydantic_validator__.validate_python
    return check


def dumper(model: type[BaseModel]) -> Callable[[BaseModel], dict[str, Any]]:
    """:func:`dump` for instances of one model, bound once like :func:`validator`."""
    if not model.__pydantic_complete__:
        model.model_rebuild()
    return functools.partial(
        model.__pydantic_serializer__.to_python, mode="json", by_alias=True, exclude_unset=True
    )


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
        found = message["id"]
        if type(found) is not int and type(found) is not str and not is_request_id(found):
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
