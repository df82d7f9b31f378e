"""``App``: declare an MCP server with decorated functions; serve it on every revision.

``App`` implements the generated 2026-07-28 ``ServerHandlers`` interface, so the
runtime's dual-era server serves it to legacy and modern clients alike. Results are
built as wire dicts and validated into the generated models at the end, which keeps
those models the single source of truth for shapes.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from mcp_foundry.bindings import HandlerContext
from mcp_foundry.generated.rev_2026_07_28 import BINDINGS
from mcp_foundry.generated.rev_2026_07_28 import models as m
from mcp_foundry.generated.rev_2026_07_28.handlers import ServerHandlers
from mcp_foundry.runtime import revisions
from mcp_foundry.runtime.paging import page
from mcp_foundry.runtime.server import Server
from mcp_foundry.runtime.startup import lifelong
from mcp_foundry.runtime.stdio import run_stdio
from mcp_foundry.runtime.store import Store, deployment
from mcp_foundry.runtime.wire import validate as validate_model
from pydantic import BaseModel, ValidationError

from . import protocol_tasks
from .content import Wire, prompt_messages, read_contents, wire
from .context import Context
from .errors import INVALID_PARAMS, RpcError, missing_capability
from .execution import error_result, run_tool
from .protocol_tasks import ProtocolTaskMethods
from .scopes import ScopeRules, caller_access
from .shared_tasks import SharedTaskStore
from .specs import (
    PromptSpec,
    ResourceSpec,
    ToolSpec,
    UserFunction,
    describe_validation,
    validate_or_invalid_params,
)
from .tasks import EXTENSION as TASKS_EXTENSION
from .tasks import TaskBackend, TaskStore, TaskSupport
from .tasks_methods import TaskMethods

if TYPE_CHECKING:  # the HTTP stack is imported only when HTTP is served (stdio starts faster)
    from mcp_foundry.runtime.http import HttpConfig
    from mcp_foundry.runtime.http.auth import ResourceServerAuth

REVISION = BINDINGS.revision
"""The revision whose handler interface ``App`` implements (the import above pins it)."""
models = BINDINGS.models

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R", bound=BaseModel)
CacheScope = Literal["public", "private"]
Completer = Callable[[str, str, Mapping[str, str]], Any]


def _params(params: Any) -> Wire:
    """Handler params (a generated model) as the wire dict the client sent."""
    value = wire(params)
    return value if isinstance(value, dict) else {}


class App(ServerHandlers):
    """An MCP server made of decorated Python functions.

    >>> app = App("demo", "1.0.0")
    >>> @app.tool()
    ... def add(a: int, b: int) -> str:
    ...     "Add two integers."
    ...     return str(a + b)
    """

    def __init__(
        self,
        name: str,
        version: str,
        *,
        title: str | None = None,
        instructions: str | None = None,
        ttl_ms: int = 0,
        cache_scope: CacheScope = "private",
        tasks: TaskBackend | None = None,
        page_size: int | None = None,
        request_timeout: float | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.title = title
        self.instructions = instructions
        self.ttl_ms = ttl_ms
        self.cache_scope = cache_scope
        self.page_size = page_size
        """Items per page of ``tools/list`` and the other lists; None sends all at once."""
        self.request_timeout = request_timeout
        """Seconds a request may run before it is cancelled and answered with an error
        (every transport, both eras); None: no limit."""
        self.tools: dict[str, ToolSpec] = {}
        self.prompts: dict[str, PromptSpec] = {}
        self.resources: dict[str, ResourceSpec] = {}
        self.completers: dict[tuple[str, str], Completer] = {}
        self.task_store: TaskBackend = tasks or TaskStore()
        self.scope_rules = ScopeRules(self.resources)
        """Scopes declared with ``scopes=`` (enforced when served with ``auth``)."""
        self.server: Server | None = None
        """The runtime server serving this app (made by :meth:`runtime`)."""
        self._deployment: tuple[Store, bytes | None] | None = None
        """The state store and ``requestState`` key the server gets (:meth:`use_store`)."""
        self._serve_tasks_from(self.task_store)

    def _serve_tasks_from(self, backend: TaskBackend) -> None:
        """Keep tasks in ``backend``: both wires' task methods serve from it."""
        self.task_store = backend
        self.extension_methods = TaskMethods(backend).methods()
        self.session_methods = ProtocolTaskMethods(backend, self.page_size).methods()
        """The 2025-11-25 ``tasks/*`` methods, served on sessions whose revision has them."""

    # -- declaring -----------------------------------------------------------------------

    @overload
    def tool(self, func: F, /) -> F: ...
    @overload
    def tool(
        self,
        name: str | None = None,
        *,
        title: str | None = None,
        description: str | None = None,
        annotations: Wire | BaseModel | None = None,
        icons: list[Any] | None = None,
        meta: Wire | None = None,
        input_schema: Wire | None = None,
        output_schema: Wire | None = None,
        task: TaskSupport = "none",
        detach: Literal["at_start", "explicit"] = "at_start",
        scopes: list[str] | tuple[str, ...] = (),
    ) -> Callable[[F], F]: ...

    def tool(self, name: Any = None, **options: Any) -> Any:
        """Declare a tool. The input schema comes from the signature (or ``input_schema``
        verbatim), the description from the docstring. ``task`` is the tool's support for
        tasks (the 2026-07-28 extension, 2025-11-25 protocol tasks); with
        ``detach="explicit"`` the call runs inline until the function awaits
        ``ctx.detach()`` (so it can gather input first). ``scopes``: what a caller's token
        must hold to see and call it (HTTP with ``auth`` only)."""
        if callable(name):
            return self.tool()(name)

        def register(func: F) -> F:
            detach = options.pop("detach", "at_start")
            scopes = options.pop("scopes", ())
            spec = ToolSpec.build(
                func,
                name,
                input_schema_override=options.pop("input_schema", None),
                output_schema_override=options.pop("output_schema", None),
                task_support=options.pop("task", "none"),
                detach_at_start=detach == "at_start",
                icons=options.pop("icons", None) or [],
                **options,
            )
            self.tools[spec.name] = spec
            self.scope_rules.declare(self.scope_rules.tools, spec.name, scopes)
            return func

        return register

    def prompt(
        self,
        name: str | None = None,
        *,
        title: str | None = None,
        description: str | None = None,
        scopes: list[str] | tuple[str, ...] = (),
        **extra: Any,
    ) -> Callable[[F], F]:
        """Declare a prompt; its arguments are the function's (string) parameters."""

        def register(func: F) -> F:
            spec = PromptSpec(
                name or func.__name__,
                UserFunction.of(func),
                description or inspect.getdoc(func) or None,
                title,
                **extra,
            )
            self.prompts[spec.name] = spec
            self.scope_rules.declare(self.scope_rules.prompts, spec.name, scopes)
            return func

        return register

    def resource(
        self,
        uri: str,
        *,
        name: str | None = None,
        title: str | None = None,
        description: str | None = None,
        mime_type: str | None = None,
        scopes: list[str] | tuple[str, ...] = (),
        **extra: Any,
    ) -> Callable[[F], F]:
        """Declare a resource, or a resource template when ``uri`` holds ``{variables}``
        (they become the function's parameters)."""

        def register(func: F) -> F:
            spec = ResourceSpec(
                uri,
                name or func.__name__,
                UserFunction.of(func),
                description or inspect.getdoc(func) or None,
                mime_type,
                title,
                **extra,
            )
            self.resources[uri] = spec
            self.scope_rules.declare(self.scope_rules.resources, uri, scopes)
            return func

        return register

    def completion(
        self, *, prompt: str | None = None, template: str | None = None
    ) -> Callable[[F], F]:
        """Declare completions for a prompt's arguments or a template's variables:
        ``fn(argument_name, typed_value, other_arguments) -> list[str]`` (may be async)."""
        if (prompt is None) == (template is None):
            raise TypeError("completion() takes exactly one of prompt= or template=")
        key = ("ref/prompt", prompt) if prompt is not None else ("ref/resource", str(template))

        def register(func: F) -> F:
            self.completers[key] = func
            return func

        return register

    def remove_tool(self, name: str) -> None:
        self.tools.pop(name, None)

    def remove_prompt(self, name: str) -> None:
        self.prompts.pop(name, None)

    async def list_changed(self, kind: Literal["tools", "prompts", "resources"]) -> None:
        """Tell every listening client (legacy sessions, listen streams) that a list changed."""
        await self.runtime().notify_list_changed(kind)

    async def resource_updated(self, uri: str) -> None:
        """Tell the clients subscribed to ``uri`` that it changed."""
        await self.runtime().notify_resource_updated(uri)

    # -- serving -------------------------------------------------------------------------

    def use_store(self, store: str | Store | None, state_secret: bytes | str | None = None) -> None:
        """Share state with the app's other instances through the store URL ``store``
        (``redis://HOST:PORT/DB``; ``None``/``memory://``: this process only), or a store
        object (its ``shared`` flag says whether it is shared). The
        ``requestState`` key is ``state_secret`` or ``$MCP_FOUNDRY_STATE_SECRET``, and a
        shared store without one is a :class:`ValueError`: every instance must seal alike.
        Call it before the server is made (:meth:`run` does)."""
        if self.server is not None:
            raise RuntimeError("use_store() comes before the server is made (runtime())")
        self._deployment = deployment(store, state_secret)

    def runtime(self) -> Server:
        """The runtime server for this app (made once): every revision, both eras."""
        if self.server is None:
            if self._deployment is None:
                self._deployment = deployment(None)
            store, key = self._deployment
            self._share_tasks(store)
            self.server = Server(
                self,
                name=self.name,
                version=self.version,
                title=self.title,
                instructions=self.instructions,
                capabilities=self.capabilities(),
                request_timeout=self.request_timeout,
                store=store,
                state_secret=key,
            )
        return self.server

    def _share_tasks(self, store: Store) -> None:
        """With a store shared by several instances, tasks live there too, so any
        instance serves any task: an in-memory :class:`TaskStore` (which no other
        instance could read) gives way to a :class:`SharedTaskStore` with its settings;
        a backend of another kind is the app's own choice and stays."""
        if store.shared and isinstance(self.task_store, TaskStore):
            self._serve_tasks_from(SharedTaskStore.replacing(self.task_store, store))

    @asynccontextmanager
    async def lifetime(self, server: Server) -> AsyncIterator[None]:
        """What runs as long as ``server`` serves (``Server.running``): at its end the
        tasks running here in a shared store fail now instead of when their lease lapses."""
        try:
            yield
        finally:
            if isinstance(self.task_store, SharedTaskStore):
                await self.task_store.close()

    def http_app(
        self, config: HttpConfig | None = None, *, auth: ResourceServerAuth | None = None
    ) -> Any:
        """A Streamable HTTP ASGI app serving this server (mount it or run it); with
        ``auth`` a protected one, enforcing the ``scopes=`` of the decorators too."""
        from mcp_foundry.runtime.http import create_app

        policy = auth.with_policy(self.scope_rules.needed) if auth is not None else None
        return create_app(self.runtime(), config, tool_schema=self.tool_input_schema, auth=policy)

    def tool_input_schema(self, name: str) -> Wire | None:
        """A tool's ``inputSchema`` (the HTTP layer checks ``Mcp-Param-*`` headers with it)."""
        spec = self.tools.get(name)
        return spec.input_schema if spec is not None else None

    def run(
        self,
        transport: Literal["stdio", "http"] = "stdio",
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        drain_s: float = 5.0,
        auth: ResourceServerAuth | None = None,
        store: str | None = None,
        state_secret: bytes | str | None = None,
    ) -> None:
        """Serve until interrupted: stdio, or HTTP on ``host:port`` (loopback by default),
        protected by ``auth`` if given (stdio is unauthenticated by definition). On
        SIGTERM, requests already accepted get ``drain_s`` seconds to finish before they
        are answered with an error. ``store``/``state_secret``: see :meth:`use_store`
        (several instances behind one load balancer share them)."""
        if store is not None or state_secret is not None:
            self.use_store(store, state_secret)
        if transport == "http":
            with lifelong():  # the HTTP stack and the app, without collections (issue #15)
                from mcp_foundry.runtime.http import serve

                http_app = self.http_app(auth=auth)
            serve(http_app, host=host, port=port, timeout_graceful_shutdown=drain_s)
        else:
            run_stdio(self.runtime(), grace=drain_s)

    # -- result envelopes ----------------------------------------------------------------

    def _complete(
        self,
        model: type[R],
        body: Wire,
        *,
        cacheable: bool = False,
        ctx: HandlerContext | None = None,
    ) -> R:
        """The result model; an answer to an authenticated caller (a token on ``ctx``) is
        cacheable only privately, since it may depend on the token (caching.mdx)."""
        body = {**body, "resultType": "complete"}
        if cacheable:
            body.setdefault("ttlMs", self.ttl_ms)
            private = caller_access(ctx) is not None
            body.setdefault("cacheScope", "private" if private else self.cache_scope)
        return validate_model(model, body)

    def capabilities(self) -> Wire:
        return {
            "tools": {"listChanged": True},
            "prompts": {"listChanged": True},
            "resources": {"subscribe": True, "listChanged": True},
            "completions": {},
            "logging": {},
            "extensions": {TASKS_EXTENSION: {}},
            "tasks": protocol_tasks.CAPABILITIES,
        }

    # -- ServerHandlers ------------------------------------------------------------------

    async def tools_list(
        self, params: m.PaginatedRequestParams, ctx: HandlerContext
    ) -> m.ListToolsResult:
        rules, access = self.scope_rules, caller_access(ctx)
        listed = [
            t.describe()
            for t in self.tools.values()
            if rules.visible(rules.tools.get(t.name), access)
        ]
        if protocol_tasks.served(ctx):
            # the session revision's ListToolsResult, whose Tool has execution.taskSupport
            return self._session_tool_listing(listed, params, ctx)  # type: ignore[no-any-return]
        return self._listing(m.ListToolsResult, "tools", "name", listed, params, ctx)

    def _session_tool_listing(
        self, listed: list[Wire], params: m.PaginatedRequestParams, ctx: HandlerContext
    ) -> Any:
        """``tools/list`` with ``execution.taskSupport``, in the session revision's model
        (the handler revision's ``Tool`` has no such field)."""
        support = {name: spec.task_support for name, spec in self.tools.items()}
        items, next_cursor = page(listed, "name", _params(params).get("cursor"), self.page_size)
        body: Wire = {"tools": protocol_tasks.tool_listing(items, support)}
        if next_cursor is not None:
            body["nextCursor"] = next_cursor
        return revisions.bindings(ctx.revision).models.ListToolsResult.model_validate(body)

    async def prompts_list(
        self, params: m.PaginatedRequestParams, ctx: HandlerContext
    ) -> m.ListPromptsResult:
        rules, access = self.scope_rules, caller_access(ctx)
        listed = [
            p.describe()
            for p in self.prompts.values()
            if rules.visible(rules.prompts.get(p.name), access)
        ]
        return self._listing(m.ListPromptsResult, "prompts", "name", listed, params, ctx)

    async def resources_list(
        self, params: m.PaginatedRequestParams, ctx: HandlerContext
    ) -> m.ListResourcesResult:
        listed = [r.describe() for r in self._resources_for(ctx) if not r.is_template]
        return self._listing(m.ListResourcesResult, "resources", "uri", listed, params, ctx)

    async def resources_templates_list(
        self, params: m.PaginatedRequestParams, ctx: HandlerContext
    ) -> m.ListResourceTemplatesResult:
        listed = [r.describe() for r in self._resources_for(ctx) if r.is_template]
        return self._listing(
            m.ListResourceTemplatesResult, "resourceTemplates", "uriTemplate", listed, params, ctx
        )

    def _resources_for(self, ctx: HandlerContext) -> list[ResourceSpec]:
        """The resources and templates the caller's token may read."""
        rules, access = self.scope_rules, caller_access(ctx)
        return [
            spec
            for key, spec in self.resources.items()
            if rules.visible(rules.resources.get(key), access)
        ]

    def _listing(
        self,
        model: type[R],
        field: str,
        key: str,
        listed: list[Wire],
        params: BaseModel,
        ctx: HandlerContext,
    ) -> R:
        """One page of a list result (every item unless ``page_size`` is set)."""
        items, next_cursor = page(listed, key, _params(params).get("cursor"), self.page_size)
        body: Wire = {field: items}
        if next_cursor is not None:
            body["nextCursor"] = next_cursor
        return self._complete(model, body, cacheable=True, ctx=ctx)

    async def resources_read(
        self, params: m.ReadResourceRequestParams, ctx: HandlerContext
    ) -> m.ReadResourceResult | m.InputRequiredResult:
        uri = _params(params).get("uri")
        for spec in self.resources.values():
            variables = spec.match(uri) if isinstance(uri, str) else None
            if variables is not None and isinstance(uri, str):
                kwargs = validate_or_invalid_params(spec.call, variables, f"resource {uri}")
                value = await spec.call(kwargs, Context(ctx, models))
                return self._complete(
                    m.ReadResourceResult,
                    {"contents": read_contents(uri, value, spec.mime_type)},
                    cacheable=True,
                    ctx=ctx,
                )
        raise RpcError(INVALID_PARAMS, f"Resource not found: {uri}", {"uri": uri})

    async def prompts_get(
        self, params: m.GetPromptRequestParams, ctx: HandlerContext
    ) -> m.GetPromptResult | m.InputRequiredResult:
        body = _params(params)
        spec = self.prompts.get(body.get("name"))  # type: ignore[arg-type]
        if spec is None:
            raise RpcError(INVALID_PARAMS, f"Unknown prompt: {body.get('name')}")
        kwargs = validate_or_invalid_params(spec.call, body.get("arguments"), f"prompt {spec.name}")
        value = await spec.call(kwargs, Context(ctx, models))
        value = wire(value)
        if isinstance(value, dict) and "messages" in value:
            return self._complete(m.GetPromptResult, value)
        result: Wire = {"messages": prompt_messages(value)}
        if spec.description:
            result["description"] = spec.description
        return self._complete(m.GetPromptResult, result)

    async def completion_complete(
        self, params: m.CompleteRequestParams, ctx: HandlerContext
    ) -> m.CompleteResult:
        body = _params(params)
        ref = body.get("ref") or {}
        key = ref.get("name") if ref.get("type") == "ref/prompt" else ref.get("uri")
        completer = self.completers.get((ref.get("type"), key))  # type: ignore[arg-type]
        argument = body.get("argument") or {}
        values: list[str] = []
        if completer is not None:
            context_args = (body.get("context") or {}).get("arguments") or {}
            found = completer(argument.get("name", ""), argument.get("value", ""), context_args)
            values = list(await found if asyncio.iscoroutine(found) else found)
        completion = {"values": values[:100], "total": len(values), "hasMore": len(values) > 100}
        return self._complete(m.CompleteResult, {"completion": completion})

    async def tools_call(
        self, params: m.CallToolRequestParams, ctx: HandlerContext
    ) -> m.CallToolResult | m.InputRequiredResult:
        spec = self.tools.get(params.name)
        if spec is None:
            raise RpcError(INVALID_PARAMS, f"Unknown tool: {params.name}")
        tasks_declared = ctx.era == "modern" and TASKS_EXTENSION in (
            ctx.client_capabilities.get("extensions") or {}
        )
        on_session = protocol_tasks.served(ctx)
        asked = protocol_tasks.requested(ctx) if on_session else None
        if on_session:
            protocol_tasks.check_support(spec.task_support, asked is not None, spec.name)
        elif spec.task_support == "required" and not tasks_declared:
            raise missing_capability({"extensions": {TASKS_EXTENSION: {}}})
        try:
            kwargs = spec.call.validate(params.arguments)
        except ValidationError as exc:
            problems = describe_validation(exc)
            return self._complete(
                m.CallToolResult,
                error_result(f"Invalid arguments for tool {spec.name}: {problems}"),
            )
        open_task = None
        if asked is not None:
            open_task = protocol_tasks.opener(self.task_store, ctx)
        elif tasks_declared and spec.task_support != "none":
            open_task = self.task_store.open
        context = Context(ctx, models, open_task)
        outcome = await run_tool(spec, kwargs, context)
        if isinstance(outcome, BaseException):
            raise outcome
        if outcome is None:
            assert context.task is not None
            if on_session:
                # the session revision's CreateTaskResult, outside this revision's union
                return protocol_tasks.created(context.task, ctx)  # type: ignore[no-any-return]
            # the tasks extension's CreateTaskResult lies outside the core result union
            return self._task_created(context)  # type: ignore[return-value]
        return self._complete(m.CallToolResult, outcome)

    def _task_created(self, context: Context) -> m.Result:
        assert context.task is not None
        return m.Result.model_validate({**context.task.envelope(), "resultType": "task"})
