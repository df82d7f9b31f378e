"""A server that lists two items per page: bindings and snapshots must follow cursors.
Its ``lookup`` tool takes one of two argument shapes (a top-level ``anyOf``).
Run as a script: ``python paged_server.py``."""

from __future__ import annotations

import json
from typing import Any

from mcp_foundry.authoring import App

app = App("paged", "1.0.0", page_size=2)

for number in range(5):

    def echo(text: str) -> str:
        """Echo the text back."""
        return text

    app.tool(f"echo_{number}")(echo)

for number in range(3):

    def ask(topic: str) -> str:
        """Ask about a topic."""
        return f"Tell me about {topic}."

    app.prompt(f"ask_{number}")(ask)
    app.resource(f"paged://{number}/{{item}}", name=f"item_{number}")(lambda item: item)

EITHER = {
    "type": "object",
    "anyOf": [
        {"properties": {"id": {"type": "integer"}}, "required": ["id"]},
        {"properties": {"slug": {"type": "string"}}, "required": ["slug"]},
    ],
}


@app.tool(input_schema=EITHER)
def lookup(**arguments: Any) -> str:
    """Look an item up by id or by slug."""
    return json.dumps(arguments, sort_keys=True)


if __name__ == "__main__":
    app.run("stdio")
