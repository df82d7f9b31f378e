"""What generated server bindings call through: :class:`ServerClient`, the base of every
generated client class, on top of the runtime :class:`~mcp_foundry.runtime.client.Client`.

Generated methods only name their models; validation lives here once: arguments are
validated against the input model before anything is sent, ``structuredContent``
against the output model when the answer arrives. Results are read from the wire dict,
so the same bindings work whichever protocol revision the connection negotiated.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from enum import Enum
from typing import Any, Final, Self, TypeVar

from mcp_foundry.runtime.client import Client, connect_stdio
from mcp_foundry.runtime.http.fallback import connect
from mcp_foundry.servergen.uritemplate import expand
from pydantic import BaseModel, RootModel

OutputT = TypeVar("OutputT", bound=BaseModel)


class Unset(Enum):
    """Marks an optional argument the caller left out (``None`` is a value: JSON null)."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


class ToolCallError(Exception):
    """The tool answered ``isError: true``; ``content`` holds what it said."""

    def __init__(self, tool: str, content: list[dict[str, Any]]) -> None:
        self.tool = tool
        self.content = content
        super().__init__(f"{tool}: {text_of(content) or 'the tool reported an error'}")


class MissingStructuredContent(Exception):
    """The tool declares an output schema but its answer carried no ``structuredContent``."""


class ToolResult(BaseModel):
    """What a tool without an output schema returns: its content blocks as sent."""

    content: list[dict[str, Any]]
    structured_content: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return text_of(self.content)


class PromptResult(BaseModel):
    description: str | None = None
    messages: list[dict[str, Any]]


class ResourceResult(BaseModel):
    contents: list[dict[str, Any]]


def text_of(content: list[dict[str, Any]]) -> str:
    """The text blocks of some content, one per line."""
    return "\n".join(str(b["text"]) for b in content if b.get("type") == "text" and "text" in b)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not UNSET}


def _validated(model: type[BaseModel], values: dict[str, Any]) -> BaseModel:
    """The arguments as ``model``: a root model gets the one value passed whole."""
    given = _given(values)
    return model.model_validate(given["root"] if issubclass(model, RootModel) else given)


def _wire(arguments: BaseModel) -> dict[str, Any]:
    """Only what the caller gave: defaults are the server's to apply."""
    return arguments.model_dump(mode="json", by_alias=True, exclude_unset=True)


class ServerClient:
    """Typed calls to one server. Subclasses add one method per tool, prompt and
    resource template; ``client`` is the connection for anything else."""

    def __init__(self, client: Client) -> None:
        self.client = client

    @classmethod
    @asynccontextmanager
    async def stdio(cls, command: Sequence[str], **options: Any) -> AsyncIterator[Self]:
        """Start the server with ``command`` and talk to it over stdio."""
        async with connect_stdio(command, **options) as client:
            yield cls(client)

    @classmethod
    @asynccontextmanager
    async def http(cls, url: str, **options: Any) -> AsyncIterator[Self]:
        """Talk to the server at ``url`` (Streamable HTTP, or the older HTTP+SSE)."""
        async with connect(url, **options) as client:
            yield cls(client)

    async def _call(self, name: str, arguments: type[BaseModel], values: dict[str, Any]) -> Any:
        sent = _validated(arguments, values)
        result = await self.client.call(
            "tools/call",
            {"name": name, "arguments": _wire(sent)},
            raw=True,
        )
        if result.get("isError"):
            raise ToolCallError(name, list(result.get("content") or []))
        return result

    async def _call_tool(
        self, name: str, arguments: type[BaseModel], values: dict[str, Any]
    ) -> ToolResult:
        result = await self._call(name, arguments, values)
        return ToolResult(
            content=list(result.get("content") or []),
            structured_content=result.get("structuredContent"),
        )

    async def _call_structured(
        self, name: str, arguments: type[BaseModel], output: type[OutputT], values: dict[str, Any]
    ) -> OutputT:
        result = await self._call(name, arguments, values)
        if "structuredContent" not in result:
            raise MissingStructuredContent(f"{name}: the answer has no structuredContent")
        return output.model_validate(result["structuredContent"])

    async def _get_prompt(
        self, name: str, arguments: type[BaseModel], values: dict[str, Any]
    ) -> PromptResult:
        sent = _validated(arguments, values)
        result = await self.client.call(
            "prompts/get",
            {"name": name, "arguments": _wire(sent)},
            raw=True,
        )
        return PromptResult.model_validate(result)

    async def _read_resource(self, template: str, values: dict[str, Any]) -> ResourceResult:
        uri = expand(template, _given(values))
        result = await self.client.call("resources/read", {"uri": uri}, raw=True)
        return ResourceResult.model_validate(result)
