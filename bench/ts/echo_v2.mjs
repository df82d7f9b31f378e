// The echo tool on the TypeScript SDK v2 (@modelcontextprotocol/server, serveStdio): the
// benchmark's TypeScript peer on both wires (v2 speaks 2026-07-28 and the legacy handshake).
import { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";

serveStdio(() => {
  const server = new McpServer(
    { name: "ts-echo", version: "2.0.0" },
    { capabilities: { tools: {} } },
  );
  server.registerTool(
    "echo",
    { description: "Echo the text back.", inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  return server;
});
