"""Small builders for content blocks and messages, and the coercion of what handlers return.

Everything here speaks wire dictionaries (the JSON the peer sees); generated pydantic
models are accepted wherever a dict is and dumped with their wire aliases.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, TypeAdapter

Wire = dict[str, Any]
CONTENT_TYPES = frozenset({"text", "image", "audio", "resource", "resource_link"})


def wire(value: Any) -> Any:
    """A generated model (or anything pydantic can dump) as its wire JSON."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def text(value: str) -> Wire:
    return {"type": "text", "text": value}


def image(data: bytes, mime_type: str = "image/png") -> Wire:
    return {"type": "image", "data": base64.b64encode(data).decode("ascii"), "mimeType": mime_type}


def audio(data: bytes, mime_type: str = "audio/wav") -> Wire:
    return {"type": "audio", "data": base64.b64encode(data).decode("ascii"), "mimeType": mime_type}


def resource_contents(uri: str, value: str | bytes, mime_type: str | None = None) -> Wire:
    """``TextResourceContents`` for str, ``BlobResourceContents`` for bytes."""
    contents: Wire = {"uri": uri}
    if mime_type:
        contents["mimeType"] = mime_type
    if isinstance(value, bytes):
        contents["blob"] = base64.b64encode(value).decode("ascii")
    else:
        contents["text"] = value
    return contents


def embedded(uri: str, value: str | bytes, mime_type: str | None = None) -> Wire:
    """An embedded ``resource`` content block."""
    return {"type": "resource", "resource": resource_contents(uri, value, mime_type)}


def message(role: Literal["user", "assistant"], content: Any) -> Wire:
    """A prompt message; ``content`` may be a str or one content block."""
    return {"role": role, "content": _block(content)}


def _block(value: Any) -> Wire:
    value = wire(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict) and value.get("type") in CONTENT_TYPES:
        return value
    raise TypeError(f"not a content block: {value!r}")


def content_list(value: Any) -> list[Wire]:
    """str, one block or an iterable of them, as a ``content`` array."""
    value = wire(value)
    if isinstance(value, (str, dict)):
        return [_block(value)]
    if isinstance(value, Iterable):
        return [_block(item) for item in value]
    raise TypeError(f"cannot turn {type(value).__name__} into tool content")


def tool_result(value: Any, structured: TypeAdapter[Any] | None) -> Wire:
    """What a tool function returned, as a ``CallToolResult`` body (without resultType).

    A whole result (a dict or model with ``content``) passes through. With an output
    schema the value becomes ``structuredContent`` plus its JSON text for older clients;
    plain data without one (a dict that is no content block, numbers, booleans) is sent
    as JSON text, dicts also as ``structuredContent``.
    """
    if structured is not None:
        data = structured.dump_python(value, mode="json", by_alias=True)
        return {"content": [text(json.dumps(data))], "structuredContent": data}
    if type(value) is str:
        return {"content": [text(value)]}  # the common case, without the walk below
    value = wire(value)
    if isinstance(value, dict) and "content" in value and "type" not in value:
        return value
    if value is None:
        return {"content": []}
    if isinstance(value, dict) and value.get("type") not in CONTENT_TYPES:
        return {"content": [text(json.dumps(value))], "structuredContent": value}
    if isinstance(value, (bool, int, float)):
        return {"content": [text(json.dumps(value))]}
    return {"content": content_list(value)}


def prompt_messages(value: Any) -> list[Wire]:
    """str → one user message; a list of messages or content blocks → messages."""
    value = wire(value)
    if isinstance(value, (str, dict)):
        value = [value]
    messages = []
    for item in value:
        item = wire(item)
        if isinstance(item, dict) and "role" in item:
            messages.append({"role": item["role"], "content": _block(item["content"])})
        else:
            messages.append(message("user", item))
    return messages


def read_contents(uri: str, value: Any, mime_type: str | None) -> list[Wire]:
    """What a resource function returned, as ``ReadResourceResult.contents``."""
    value = wire(value)
    if isinstance(value, (str, bytes)):
        return [resource_contents(uri, value, mime_type)]
    if isinstance(value, dict) and "contents" in value:
        return list(value["contents"])
    if isinstance(value, dict):
        return [value]
    return [wire(item) for item in value]
