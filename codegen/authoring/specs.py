"""Declarations built from decorated functions: what to advertise and how to call them."""

from __future__ import annotations

import functools
import inspect
import re
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, NamedTuple

import anyio
from mcp_foundry.runtime.wire import validate as validate_model
from pydantic import BaseModel, TypeAdapter, ValidationError

from .content import Wire, wire
from .context import Context
from .errors import INVALID_PARAMS, RpcError
from .schema import arguments_model, input_schema, output_schema
from .tasks import TaskSupport

TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _is_context(param: inspect.Parameter, annotation: Any) -> bool:
    """``ctx: Context`` or ``ctx: Context | None`` (for functions also called directly)."""
    candidates = (
        typing.get_args(annotation)
        if typing.get_origin(annotation) in (typing.Union, types.UnionType)
        else (annotation,)
    )
    return any(isinstance(c, type) and issubclass(c, Context) for c in candidates)


def _context_param(func: Callable[..., Any]) -> str | None:
    hints = typing.get_type_hints(func, include_extras=True)
    for param in inspect.signature(func).parameters.values():
        if _is_context(param, hints.get(param.name)):
            return param.name
    return None


def _doc(func: Callable[..., Any]) -> str | None:
    return inspect.getdoc(func) or None


class UserFunction:
    """A user function with its arguments model; calls it with validated arguments.

    This module's classes are plain classes and named tuples, not dataclasses: those
    compile their generated methods when the module loads, a cost on every server's start
    (issue #15)."""

    __slots__ = ("func", "arguments", "context_param", "awaits")

    def __init__(
        self, func: Callable[..., Any], arguments: type[BaseModel], context_param: str | None
    ) -> None:
        self.func = func
        self.arguments = arguments
        self.context_param = context_param
        self.awaits = inspect.iscoroutinefunction(func)
        """An ``async def``; a plain function runs on a worker thread, and what it returns
        is awaited if it can be (a coroutine, say)."""

    @classmethod
    def of(cls, func: Callable[..., Any]) -> UserFunction:
        return cls(func, arguments_model(func, _is_context), _context_param(func))

    def validate(self, raw: Any) -> dict[str, Any]:
        """Arguments as the function's parameters; raises pydantic's ValidationError."""
        model = validate_model(self.arguments, raw if raw is not None else {})
        # a model's __dict__ holds its declared fields' values, by field name; extras
        # (``**kwargs`` functions) live apart
        extra = model.__pydantic_extra__
        return {**extra, **model.__dict__} if extra else dict(model.__dict__)

    def __call__(self, kwargs: Mapping[str, Any], ctx: Context) -> Awaitable[Any]:
        """What to await for the function's value: an ``async def``'s own coroutine (no
        wrapper coroutine around it on the request path), else a run on a worker thread."""
        call = kwargs
        if self.context_param is not None:
            call = {**kwargs, self.context_param: ctx}
        if self.awaits:
            return self.func(**call)  # type: ignore[no-any-return]
        return self._in_thread(call)

    async def _in_thread(self, call: Mapping[str, Any]) -> Any:
        # a plain function may block (file or network I/O, time.sleep): it runs on a worker
        # thread so the loop keeps answering; a cancelled request (timeout, shutdown) is
        # answered at once while the thread finishes on its own
        value = await anyio.to_thread.run_sync(
            functools.partial(self.func, **call), abandon_on_cancel=True
        )
        if hasattr(type(value), "__await__"):
            value = await value
        return value


def _meta_fields(title: str | None, description: str | None, icons: Any, meta: Any) -> Wire:
    out: Wire = {}
    if title is not None:
        out["title"] = title
    if description:
        out["description"] = description
    if icons:
        out["icons"] = [wire(i) for i in icons]
    if meta:
        out["_meta"] = dict(meta)
    return out


class ToolSpec(NamedTuple):
    name: str
    call: UserFunction
    description: str | None
    input_schema: Wire
    output_schema: Wire | None
    structured: TypeAdapter[Any] | None
    title: str | None = None
    annotations: Wire | None = None
    icons: Sequence[Any] = ()
    meta: Wire | None = None
    task_support: TaskSupport = "none"
    detach_at_start: bool = True

    @classmethod
    def build(
        cls,
        func: Callable[..., Any],
        name: str | None,
        *,
        input_schema_override: Wire | None,
        output_schema_override: Wire | None,
        **options: Any,
    ) -> ToolSpec:
        tool_name = func.__name__ if name is None else name
        if not TOOL_NAME.match(tool_name):
            raise ValueError(f"tool name {tool_name!r} must be 1-64 characters of [A-Za-z0-9_.-]")
        call = UserFunction.of(func)
        returns = typing.get_type_hints(func, include_extras=True).get(
            "return", inspect.Parameter.empty
        )
        derived_output = output_schema(returns)
        structured = (
            TypeAdapter(returns) if derived_output is not None or output_schema_override else None
        )
        annotations = options.pop("annotations", None)
        return cls(
            name=tool_name,
            call=call,
            description=options.pop("description", None) or _doc(func),
            input_schema=input_schema_override
            if input_schema_override is not None
            else input_schema(call.arguments),
            output_schema=output_schema_override
            if output_schema_override is not None
            else derived_output,
            structured=structured,
            annotations=wire(annotations) if annotations is not None else None,
            **options,
        )

    def describe(self) -> Wire:
        """The ``Tool`` object for ``tools/list``."""
        out: Wire = {"name": self.name, "inputSchema": self.input_schema}
        out.update(_meta_fields(self.title, self.description, self.icons, self.meta))
        if self.output_schema is not None:
            out["outputSchema"] = self.output_schema
        if self.annotations:
            out["annotations"] = self.annotations
        return out


class PromptSpec(NamedTuple):
    name: str
    call: UserFunction
    description: str | None
    title: str | None = None
    icons: Sequence[Any] = ()
    meta: Wire | None = None

    def describe(self) -> Wire:
        out: Wire = {"name": self.name}
        out.update(_meta_fields(self.title, self.description, self.icons, self.meta))
        arguments = []
        for arg_name, info in self.call.arguments.model_fields.items():
            argument: Wire = {"name": arg_name, "required": info.is_required()}
            if info.description:
                argument["description"] = info.description
            arguments.append(argument)
        if arguments:
            out["arguments"] = arguments
        return out


class ResourceSpec(NamedTuple):
    """A resource at a fixed URI, or a template when ``uri`` holds ``{variables}``."""

    uri: str
    name: str
    call: UserFunction
    description: str | None
    mime_type: str | None = None
    title: str | None = None
    icons: Sequence[Any] = ()
    meta: Wire | None = None
    size: int | None = None

    @property
    def is_template(self) -> bool:
        return "{" in self.uri

    def describe(self) -> Wire:
        out: Wire = {("uriTemplate" if self.is_template else "uri"): self.uri, "name": self.name}
        out.update(_meta_fields(self.title, self.description, self.icons, self.meta))
        if self.mime_type:
            out["mimeType"] = self.mime_type
        if self.size is not None and not self.is_template:
            out["size"] = self.size
        return out

    def match(self, uri: str) -> dict[str, str] | None:
        """Template variables when ``uri`` fits this template (RFC 6570 level 1)."""
        if not self.is_template:
            return {} if uri == self.uri else None
        pattern = "".join(
            f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", self.uri)
        )
        found = re.fullmatch(pattern, uri)
        return found.groupdict() if found else None


def describe_validation(exc: ValidationError) -> str:
    """``field: problem`` for each failing argument, without pydantic's links."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
        for e in exc.errors(include_url=False)
    )


def validate_or_invalid_params(call: UserFunction, raw: Any, what: str) -> dict[str, Any]:
    """Arguments for a prompt or resource; bad ones are a -32602 naming the fields."""
    try:
        return call.validate(raw)
    except ValidationError as exc:
        raise RpcError(
            INVALID_PARAMS, f"Invalid arguments for {what}: {describe_validation(exc)}"
        ) from None
