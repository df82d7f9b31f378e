// The echo tool on the TypeScript SDK v1 (@modelcontextprotocol/sdk, McpServer): the
// benchmark's TypeScript peer on the legacy (initialize) wire. Node resolves the packages
// from NODE_PATH, set by bench/ts_peer.py to the cache make bench installs them into.
//   node echo_v1.mjs                      stdio
//   node echo_v1.mjs http --port 8767     Streamable HTTP on 127.0.0.1 (JSON responses)
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

function echoServer() {
  const server = new McpServer({ name: "ts-echo", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Echo the text back.", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  return server;
}

if (process.argv[2] === "http") {
  // the SDK's sessionful pattern: a transport and a server per initialize, found again
  // by the Mcp-Session-Id header
  const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
  const sessions = new Map();
  createServer(async (req, res) => {
    const id = req.headers["mcp-session-id"];
    let transport = id === undefined ? undefined : sessions.get(id);
    if (transport === undefined) {
      if (id !== undefined) {
        res.writeHead(404).end();
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (sid) => sessions.set(sid, transport),
      });
      transport.onclose = () => sessions.delete(transport.sessionId);
      await echoServer().connect(transport);
    }
    await transport.handleRequest(req, res);
  }).listen(port, "127.0.0.1");
} else {
  await echoServer().connect(new StdioServerTransport());
}
