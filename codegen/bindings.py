"""The contract between generated bindings and everything that uses them.

Each generated package ``generated/rev_<YYYY_MM_DD|draft>/`` exposes ``BINDINGS``, a
:class:`RevisionBindings` built from these plain frozen records. The runtime, the
scaffolder and the tests read a revision only through this contract, so the generator
can change how it renders models without touching them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:  # the generator imports this module in a build without pydantic
    from pydantic import BaseModel

Direction = Literal["client_to_server", "server_to_client", "both"]
Kind = Literal["request", "notification"]
Era = Literal["legacy", "modern"]
Side = Literal["server", "client"]


def wire_name(attribute: str) -> str:
    """The wire name generated models give an attribute unless it names its own alias:
    lowerCamelCase (``mime_type`` → ``mimeType``), and ``meta`` → ``_meta``. It is the
    models' ``alias_generator``; the generator writes ``Field(alias=...)`` only where this
    rule misses, as creating a ``Field`` costs each class more than calling this rule."""
    if attribute == "meta":
        return "_meta"
    first, *rest = attribute.split("_")
    return first + "".join(word.capitalize() for word in rest)


class CapabilityGate(NamedTuple):
    """A capability that must be declared before a method may be called.

    ``holder`` is the side that declares it (``server`` for tools/list, ``client`` for
    sampling/createMessage); ``path`` walks its capabilities object, e.g.
    ``("resources", "subscribe")`` or ``("extensions", "io.modelcontextprotocol/tasks")``.
    A named tuple, not a frozen dataclass, whose generated methods cost a server's start.
    """

    holder: Side
    path: tuple[str, ...]


class LazyNames:
    """The names of a generated ``models`` facade, each loaded from its private module on
    first access and then kept in the facade's namespace (no cost after that)."""

    def __init__(self, module: str, namespace: dict[str, Any], homes: Mapping[str, str]):
        self.module = module
        self.package = module.rpartition(".")[0]
        self.namespace = namespace
        self.homes = homes

    def load(self, name: str) -> Any:
        home = self.homes.get(name)
        if home is None:
            raise AttributeError(f"module {self.module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{self.package}.{home}"), name)
        self.namespace[name] = value
        return value

    def names(self) -> list[str]:
        return sorted({*self.namespace, *self.homes})


@dataclass(frozen=True)
class MethodSpec:
    """One JSON-RPC method of one revision, as the runtime dispatches it.

    The tables name their models; each model is looked up in ``models`` on first read and
    then kept on the spec, so loading a table creates no model class (cold start)."""

    method: str
    kind: Kind
    direction: Direction
    models: ModuleType = field(repr=False, compare=False)
    """The revision's ``models`` facade, where the names below are looked up."""
    message_name: str
    params_name: str | None
    params_required: bool
    result_name: str | None
    alt_result_names: tuple[str, ...]
    capability: CapabilityGate | None
    input_only: bool
    """2026-07-28+: travels only inside ``InputRequiredResult.inputRequests``."""
    handler: str
    """Name of the handler method in the generated handler interfaces, e.g. ``tools_call``."""
    deprecated: str | None = None
    doc: str = ""

    @cached_property
    def message(self) -> type[BaseModel]:
        """The whole JSON-RPC message model, e.g. ``CallToolRequest``."""
        return self._model(self.message_name)

    @cached_property
    def params(self) -> type[BaseModel] | None:
        """The params model; ``None`` when the method takes no params object."""
        return None if self.params_name is None else self._model(self.params_name)

    @cached_property
    def result(self) -> type[BaseModel] | None:
        """The ordinary result model; ``None`` for notifications."""
        return None if self.result_name is None else self._model(self.result_name)

    @cached_property
    def alt_results(self) -> tuple[type[BaseModel], ...]:
        """Other results the method may answer with (CreateTaskResult, InputRequiredResult)."""
        return tuple(self._model(name) for name in self.alt_result_names)

    def _model(self, name: str) -> type[BaseModel]:
        model: type[BaseModel] = getattr(self.models, name)
        return model


class RevisionBindings(NamedTuple):
    """Everything the runtime needs to speak one protocol revision (a named tuple: a
    frozen dataclass's generated methods are compiled when a server starts)."""

    revision: str
    era: Era
    jsonrpc_version: str
    methods: Mapping[str, MethodSpec]
    models: ModuleType
    constants: Mapping[str, str | int] = MappingProxyType({})
    """Exported schema constants (``LATEST_PROTOCOL_VERSION``, ``JSONRPC_VERSION`` …)."""
    error_codes: Mapping[str, int] = MappingProxyType({})
    """Named JSON-RPC error codes, e.g. ``{"METHOD_NOT_FOUND": -32601}``."""
    batching: bool = False
    """True where the revision allows JSON-RPC batches (2025-03-26 only)."""

    def inbound(self, side: Side) -> Mapping[str, MethodSpec]:
        """Methods that ``side`` receives and must or may handle."""
        incoming: Direction = "client_to_server" if side == "server" else "server_to_client"
        return {
            name: spec
            for name, spec in self.methods.items()
            if spec.direction in (incoming, "both")
        }


class MethodNotImplemented(Exception):
    """Raised by the default body of every generated handler method.

    The runtime answers it with ``-32601 Method not found``: a handler class implements a
    method simply by overriding it.
    """

    def __init__(self, method: str) -> None:
        super().__init__(method)
        self.method = method


@runtime_checkable
class HandlerContext(Protocol):
    """What a handler may ask of the runtime about the request it is serving.

    Generated handler stubs type their ``ctx`` argument with this protocol; the runtime
    passes its own richer context object, which satisfies it.
    """

    @property
    def revision(self) -> str:
        """The protocol revision negotiated for this request."""
        ...

    @property
    def request_id(self) -> str | int | None:
        """The JSON-RPC id; ``None`` for notifications."""
        ...

    @property
    def era(self) -> str:
        """``"modern"`` (2026-07-28 on, stateless) or ``"legacy"`` (an ``initialize`` session)."""
        ...

    @property
    def client_capabilities(self) -> Mapping[str, Any]:
        """The peer's declared capabilities (per request in the modern era)."""
        ...
