"""Messages several test folders send as they are: one home, so a change to the
handshake a test opens with is made once."""

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "probe", "version": "1"},
    },
}
"""A 2025-11-25 ``initialize`` from a client that declares no capabilities."""
