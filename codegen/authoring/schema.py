"""JSON Schemas from Python signatures, so a tool's declaration is its type hints.

Pydantic builds the schema; we then tidy what it emits for models rather than humans:
no auto-generated ``title`` on every property, and ``Optional[X] = None`` shown as plain
``X`` (not required) instead of ``anyOf: [X, null]``.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any

from mcp_foundry import generated
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.json_schema import GenerateJsonSchema

JsonSchema = dict[str, Any]


def header(name: str, description: str | None = None) -> Any:
    """Mark a tool argument to be mirrored into the HTTP header ``Mcp-Param-<name>``.

    Use inside ``Annotated``: ``region: Annotated[str, header("Region")] = "us"``.
    """
    return Field(description=description, json_schema_extra={"x-mcp-header": name})


class _UntitledSchema(GenerateJsonSchema):
    """Pydantic's generator without the per-field titles derived from attribute names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _drop_null_default(schema: JsonSchema) -> JsonSchema:
    """``anyOf: [X, {type: null}]`` with ``default: null`` becomes just ``X``."""
    variants = schema.get("anyOf")
    if (
        isinstance(variants, list)
        and len(variants) == 2
        and {"type": "null"} in variants
        and schema.get("default", ...) is None
    ):
        (kept,) = [v for v in variants if v != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
        return {**kept, **rest}
    return schema


def _tidy(schema: JsonSchema) -> JsonSchema:
    schema.pop("title", None)
    props = schema.get("properties")
    if isinstance(props, dict):
        schema["properties"] = {name: _drop_null_default(p) for name, p in props.items()}
    for definition in schema.get("$defs", {}).values():
        _tidy(definition)
    return schema


def arguments_model(
    func: Callable[..., Any], skip: Callable[[inspect.Parameter, Any], bool]
) -> type[BaseModel]:
    """A pydantic model of the function's parameters, leaving out those ``skip`` selects.

    ``skip`` receives each parameter and its resolved annotation (the context parameter
    is skipped this way). A ``**kwargs`` parameter makes the model keep unknown keys.
    """
    hints = typing.get_type_hints(func, include_extras=True)
    fields: dict[str, Any] = {}
    extra = "ignore"
    for param in inspect.signature(func).parameters.values():
        if param.kind == param.VAR_KEYWORD:
            extra = "allow"  # **kwargs receives every argument the schema admits
            continue
        if param.kind == param.VAR_POSITIONAL:
            raise TypeError(f"{func.__qualname__}: *args cannot become arguments")
        annotation = hints.get(param.name, Any)
        if skip(param, annotation):
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        fields[param.name] = (annotation, default)
    config = ConfigDict(
        extra="allow" if extra == "allow" else "ignore", arbitrary_types_allowed=True
    )
    model: type[BaseModel] = create_model(f"{func.__name__}_arguments", __config__=config, **fields)
    return model


def input_schema(model: type[BaseModel]) -> JsonSchema:
    """The ``inputSchema`` for a tool whose arguments ``model`` describes."""
    schema = _tidy(model.model_json_schema(schema_generator=_UntitledSchema))
    schema.setdefault("properties", {})
    schema["type"] = "object"
    return schema


def output_schema(annotation: Any) -> JsonSchema | None:
    """The ``outputSchema`` for a return annotation, or None when it is not structured data.

    Structured means a pydantic model, TypedDict or dataclass-like object. Strings,
    content blocks and whole result models are unstructured.
    """
    if not _is_structured(annotation):
        return None
    schema = _tidy(TypeAdapter(annotation).json_schema(schema_generator=_UntitledSchema))
    return schema if schema.get("type") == "object" else None


def _is_structured(annotation: Any) -> bool:
    if annotation is inspect.Parameter.empty or annotation is None:
        return False
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _is_structured(typing.get_args(annotation)[0])
    if not isinstance(annotation, type):
        return False
    if issubclass(annotation, BaseModel):
        return not _is_protocol_model(annotation)
    return typing.is_typeddict(annotation) or hasattr(annotation, "__dataclass_fields__")


def _is_protocol_model(cls: type[BaseModel]) -> bool:
    """Generated protocol models (results, content blocks) are returned as-is, not as data."""
    return generated.is_generated(cls.__module__)
