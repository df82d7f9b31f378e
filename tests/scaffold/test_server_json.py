"""The rendered server.json is valid registry metadata, and the check can fail."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from mcp_foundry.scaffold import build_options
from mcp_foundry.scaffold.registry import server_json

from .server_json_schema import errors


@pytest.mark.parametrize("transport", ["stdio", "http", "both"])
def test_server_json_is_valid_for_every_transport(transport: str) -> None:
    document = server_json(build_options("weather-server", transport=transport))
    assert errors(document) == []
    json.dumps(document)  # plain JSON data


def test_longest_name_still_fits_the_registry_limits() -> None:
    options = build_options("w" * 64, namespace="io.github." + "o" * 39)
    assert errors(server_json(options)) == []


def test_packages_match_the_transports() -> None:
    document = server_json(build_options("weather", transport="both"))
    assert document["name"] == "io.github.example/weather"
    kinds = [p["transport"]["type"] for p in document["packages"]]
    assert kinds == ["stdio", "streamable-http"]
    http = document["packages"][1]
    variable = http["environmentVariables"][0]["name"]
    assert http["transport"]["url"] == f"http://127.0.0.1:{{{variable}}}/mcp"
    assert all(
        p["identifier"] == "weather" and p["registryType"] == "pypi" for p in document["packages"]
    )


def _broken(change: str) -> dict[str, Any]:
    document = copy.deepcopy(server_json(build_options("weather")))
    if change == "no name":
        del document["name"]
    elif change == "name without slash":
        document["name"] = "weather"
    elif change == "long description":
        document["description"] = "d" * 101
    elif change == "version range":
        document["version"] = "^1.0.0"
    elif change == "package version latest":
        document["packages"][0]["version"] = "latest"
    elif change == "unknown transport":
        document["packages"][0]["transport"] = {"type": "websocket"}
    elif change == "http url not a url":
        document["packages"][1]["transport"]["url"] = "localhost:8000"
    elif change == "schema not a uri":
        document["$schema"] = "not a uri"
    elif change == "named argument without name":
        del document["packages"][0]["packageArguments"][0]["name"]
    return document


@pytest.mark.parametrize(
    "change",
    [
        "no name",
        "name without slash",
        "long description",
        "version range",
        "package version latest",
        "unknown transport",
        "http url not a url",
        "schema not a uri",
        "named argument without name",
    ],
)
def test_the_schema_check_rejects_invalid_documents(change: str) -> None:
    assert errors(_broken(change)) != []
