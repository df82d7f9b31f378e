"""The MCP runtime: one dual-era server core, its handler context, a client, and stdio.

Server (``mcp_foundry.runtime.server``)
-----------------------------------
``Server(handlers, name=..., version=..., revision=None)`` wraps an instance of a
generated ``ServerHandlers`` subclass written against one revision (the *handler
revision*, by default the one whose ``ServerHandlers`` it subclasses). It serves every
wire version of the registry with generated bindings at once: inbound params are
validated against the revision the client speaks and converted to the handler
revision's models; results are validated against the handler revision and projected down
to the client's revision (fields and content types it lacks never leak; lossy downgrades
are logged on stderr and replaced by a text fallback).

Transport-facing interface (what stdio and ``codegen/runtime/http/`` use; stable):

Transports import their side of it from ``mcp_foundry.runtime.transport``: ``Sink``,
``TransportFacts``, ``error_status``, ``LONG_LIVED``.

``Sink = async (message: dict | list, related_id: str | int | None) -> None``
    Every outgoing message goes through one sink. ``related_id`` is the inbound request
    it belongs to (its response, its progress/log notifications, server→client requests
    made while handling it); ``None`` means unrelated (list_changed, resource updates):
    a standalone stream on HTTP.

``Server.is_modern(message) -> bool``
    True when a decoded request carries ``_meta["io.modelcontextprotocol/protocolVersion"]``
    (served statelessly); otherwise it belongs to a legacy session (``initialize`` opens one).

``await server.handle_modern(message, sink, facts=TransportFacts(...)) -> dict | None``
    (a) One stateless modern request, already decoded. Checks run in the conformance
    order: ``_meta`` keys (-32602) → ``facts.protocol_version_header`` vs ``_meta``
    (-32020) → supported version (-32022) → method exists at that revision (-32601) →
    capability gates (-32021) → params (-32602). Related notifications (progress, logs,
    ``subscriptions/listen`` traffic) go to ``sink`` with the request id before it returns
    the response message (result or error; ``None`` only for notifications or when the
    request was cancelled). ``subscriptions/listen`` returns only when the subscription
    ends; cancelling the calling task (client disconnect) cancels the request. Never raises
    for bad input. ``error_status(response)`` suggests the HTTP status (400/404/200).

``async with server.session(sink, facts) as session:``  → :class:`LegacySession`
    (b) A connection/session. ``await session.feed(message, facts=None)`` accepts any
    decoded inbound message or batch (requests, notifications, responses to server→client
    requests) and returns at once (``facts``: that POST's headers etc., seen by the
    handler as ``ctx.headers``); every answer and related message comes out of ``sink``
    with its related id. ``session.id`` is a random token; ``session.close_stream`` may be
    set to ``async (request_id) -> None`` so handlers can end their SSE stream early.
    ``session.revision`` is the negotiated legacy revision (``None`` before ``initialize``),
    ``session.initialized`` tells whether ``notifications/initialized`` arrived. A session
    also serves modern requests (stdio uses one session for everything).
    (c) Leaving the block drains: every accepted request is answered; ``await
    session.close(grace=...)`` does the same explicitly (stragglers after ``grace`` seconds
    are cancelled and answered with an error).

Handler objects may also offer ``extension_methods: Mapping[str, async (params_dict, ctx) ->
dict | BaseModel]`` (e.g. the tasks extension's ``tasks/get``), consulted on the modern wire
before -32601. ``logging/setLevel`` and ``resources/(un)subscribe`` are answered ``{}`` by the
runtime itself (it keeps the level and subscriptions per session).

``serve_stdio(server)`` / ``run_stdio(server)`` (``mcp_foundry.runtime.stdio``) run a server on
fds 0/1; the engine runs on anyio's asyncio backend (requests start in bare asyncio worker
tasks, see ``runtime.engine``).

``server.notify_list_changed("tools"|"prompts"|"resources")`` and
``server.notify_resource_updated(uri)`` fan out to legacy sessions (subscribed ones for
updates) and to modern ``subscriptions/listen`` streams whose filter asks for them; with
a shared store, to the listen streams of every instance (a store channel) and to the
Streamable HTTP sessions of every instance (``server.legacy_fanout``, set by the HTTP
transport: it appends to each session's standalone stream, a store log; see
``runtime.http.shared``). Sessions of the deprecated HTTP+SSE transport stay on the
instance that holds their stream.

``async with server.running():`` the server's background work, for as long as a
transport serves it (the HTTP lifespan and ``serve_stdio`` enter it): the listen relay
of a shared store, and the handler object's ``lifetime(server)`` context if it has one.

Handler context (``mcp_foundry.runtime.context.RequestContext``, for the authoring layer)
------------------------------------------------------------------------------------
Every handler gets ``ctx`` (satisfies ``mcp_foundry.bindings.HandlerContext``):
``ctx.revision``, ``ctx.era``, ``ctx.request_id``, ``ctx.client_capabilities``,
``ctx.client_info``, ``ctx.meta`` (the request's ``_meta``), ``ctx.server``;
``await ctx.progress(progress, total=None, message=None)`` (no-op without a token);
``await ctx.log(level, data, logger=None)`` (honours ``logging/setLevel`` on legacy and
the per-request ``logLevel`` on modern); era-independent input:
``await ctx.elicit(params)``, ``await ctx.sample(params)``, ``await ctx.list_roots()``
(each takes a dict or the handler revision's params model, returns the handler
revision's result model) and ``await ctx.ask({key: (method, params), ...})`` for several
at once. On legacy wires these are server→client requests; on the modern wire the
runtime answers the call with an ``InputRequiredResult`` and re-runs the handler when the
client retries with ``inputResponses`` (answers from earlier rounds are carried in the
HMAC-protected ``requestState``, so handlers just await in sequence). ``ctx.state`` is a
dict that survives those rounds. Missing client capabilities raise ``RpcError(-32021)``.

Client (``mcp_foundry.runtime.client``)
-----------------------------------
``async with connect_stdio([cmd, ...], version=None|"2025-06-18") as client:`` spawns a
server and negotiates (modern ``server/discover`` probe, fallback to ``initialize``; a
pinned version skips the probe); ``await client.call(method, params, timeout=...,
on_progress=...)`` validates params against the negotiated revision's table and returns
its result model (``raw=True`` for the wire dict); ``call_tool``, ``list_tools``, ``ping``,
``notify``. Methods gated on a capability the server did not advertise (or, for
notifications, this client did not declare) raise ``NotAdvertised`` without sending.
``client.on_request(method, fn)`` answers sampling/elicitation/roots — legacy
server→client requests and modern ``InputRequiredResult`` rounds alike — and declares the
matching capability. Over other transports: ``Client(send)`` plus ``await client.feed(msg)``
for every received message (``mcp_foundry.runtime.http`` does this for Streamable HTTP).
"""
