"""An App whose tools fail, served on stdio as a real subprocess by the leak tests."""

from __future__ import annotations

from mcp_foundry.authoring import App, ToolError

SECRET = "/srv/keys/private_key.pem"
app = App("faulty", "1")


@app.tool()
def boom() -> str:
    """Fails with an OS error whose text names a private file."""
    with open(SECRET):
        return "unreachable"


@app.tool()
def refuse() -> str:
    """Fails on purpose with a message meant for the client."""
    raise ToolError("quota exceeded, try again tomorrow")


if __name__ == "__main__":
    app.run("stdio")
