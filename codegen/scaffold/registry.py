"""The project's ``server.json``: its entry for the MCP registry.

Shape and limits follow the registry's published server.json schema (2025-12-11):
``name`` is ``<reverse-DNS namespace>/<name>``, ``description`` at most 100 characters,
one package entry per transport the project serves.
"""

from __future__ import annotations

from typing import Any

from mcp_foundry.scaffold.options import ProjectOptions

SERVER_JSON_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"

# our transport names -> the registry's transport types
REGISTRY_TRANSPORT = {"stdio": "stdio", "http": "streamable-http"}


def port_variable(options: ProjectOptions) -> str:
    """The environment variable the server reads its HTTP port from."""
    return f"{options.module.upper()}_PORT"


def server_json(options: ProjectOptions) -> dict[str, Any]:
    return {
        "$schema": SERVER_JSON_SCHEMA,
        "name": options.registry_name,
        "title": options.title,
        "description": f"{options.title} MCP server",
        "version": options.version,
        "packages": [_package(options, transport) for transport in options.transports],
    }


def _package(options: ProjectOptions, transport: str) -> dict[str, Any]:
    package: dict[str, Any] = {
        "registryType": "pypi",
        "identifier": options.name,
        "version": options.version,
        "runtimeHint": "uvx",
        "packageArguments": [{"type": "named", "name": "--transport", "value": transport}],
    }
    if transport == "stdio":
        package["transport"] = {"type": REGISTRY_TRANSPORT[transport]}
    else:
        variable = port_variable(options)
        package["transport"] = {
            "type": REGISTRY_TRANSPORT[transport],
            "url": f"http://127.0.0.1:{{{variable}}}/mcp",
        }
        package["environmentVariables"] = [
            {
                "name": variable,
                "description": "TCP port the server listens on (127.0.0.1 only)",
                "format": "number",
                "default": str(options.http_port),
            }
        ]
    return package
