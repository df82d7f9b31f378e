// The echo tool on the TypeScript SDK v2 (@modelcontextprotocol/server): the benchmark's
// TypeScript peer on both wires (v2 speaks 2026-07-28 and the legacy handshake).
//   node echo_v2.mjs                      stdio (serveStdio)
//   node echo_v2.mjs http --port 8768     createMcpHandler on 127.0.0.1, 2026-07-28 only
// Over HTTP the handler's web-standard fetch face is mounted on node:http with the few
// lines below (Node 22's own Request/Response), as the SDK documents for bare mounting.
import { createServer } from "node:http";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";

function echoServer() {
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
}

if (process.argv[2] === "http") {
  const port = Number(process.argv[process.argv.indexOf("--port") + 1]);
  const handler = createMcpHandler(echoServer, { legacy: "reject" });
  createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const request = new Request(`http://127.0.0.1:${port}${req.url}`, {
      method: req.method,
      headers: req.headers,
      body: hasBody ? Buffer.concat(chunks) : undefined,
    });
    const response = await handler.fetch(request);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body !== null) {
      for await (const chunk of response.body) res.write(chunk);
    }
    res.end();
  }).listen(port, "127.0.0.1");
} else {
  serveStdio(echoServer);
}
