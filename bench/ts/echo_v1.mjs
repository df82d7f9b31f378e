// The echo tool on the TypeScript SDK v1 (@modelcontextprotocol/sdk, McpServer): the
// benchmark's TypeScript peer on the legacy (initialize) wire. Node resolves the packages
// from NODE_PATH, set by bench/ts_peer.py to the cache make bench installs them into.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "ts-echo", version: "1.0.0" });
server.registerTool(
  "echo",
  { description: "Echo the text back.", inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
await server.connect(new StdioServerTransport());
