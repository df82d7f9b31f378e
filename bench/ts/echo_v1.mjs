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

const server = new McpServer({ name: "ts-echo", version: "1.0.0" });
server.registerTool(
  "echo",
  { description: "Echo the text back.", inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
if (process.argv[2] === "http") {
  const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
  });
  await server.connect(transport);
  createServer((req, res) => transport.handleRequest(req, res)).listen(port, "127.0.0.1");
} else {
  await server.connect(new StdioServerTransport());
}
