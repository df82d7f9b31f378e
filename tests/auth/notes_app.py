"""A protected server as users would write one: server-wide ``notes:read``, a tool, a
prompt and a resource template that need more."""

from __future__ import annotations

from mcp_foundry.authoring import App, Context

app = App("notes", "1.0.0", cache_scope="public")
NOTES: list[str] = ["first"]


@app.tool()
def read_notes() -> str:
    """Every note."""
    return "\n".join(NOTES)


@app.tool(scopes=["notes:write"])
def write_note(text: str) -> str:
    """Add a note."""
    NOTES.append(text)
    return f"{len(NOTES)} notes"


@app.tool()
def whoami(ctx: Context) -> str:
    """The verified caller, as the tool sees it."""
    access = ctx.auth
    if access is None:
        return "anonymous"
    return f"{access.subject}|{access.client_id}|{' '.join(sorted(access.scopes))}"


@app.tool()
async def clear_notes(ctx: Context) -> str:
    """Clear every note, once the user confirms (an input round at 2026-07-28)."""
    schema = {"type": "object", "properties": {"sure": {"type": "boolean"}}}
    answer = await ctx.elicit("Clear every note?", schema, key="confirm")
    return "cleared" if answer.content and answer.content.get("sure") else "kept"


@app.prompt(scopes=["notes:admin"])
def audit(since: str) -> str:
    """Review changes."""
    return f"Audit the notes changed since {since}."


@app.resource("notes://item/{index}", scopes=["notes:admin"])
def item(index: str) -> str:
    """One note."""
    return NOTES[int(index)]


@app.resource("notes://count")
def count() -> str:
    """How many notes."""
    return str(len(NOTES))
