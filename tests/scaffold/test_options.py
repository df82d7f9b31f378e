"""Input validation of ``new``: every bad value is refused with a message naming it."""

from __future__ import annotations

import pytest
from mcp_foundry.scaffold import ScaffoldError, build_options
from mcp_foundry.sources import manifest


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "invalid project name"),
        ("Weather", "use lowercase"),
        ("1weather", "start with a lowercase letter"),
        ("weather--server", "single '-' or '_'"),
        ("weather-", "invalid project name"),
        ("weather server", "invalid project name"),
        ("../escape", "invalid project name"),
        ("a/b", "invalid project name"),
        ("class", "Python keyword"),
        ("json", "shadow"),
        ("mcp", "shadow"),
        ("mcp_foundry", "shadow"),
        ("tests", "shadow"),
        ("mcp-foundry", "shadow"),
        ("x" * 65, "longer than 64"),
    ],
)
def test_invalid_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        build_options(name)


@pytest.mark.parametrize("name", ["weather", "weather-server", "my_tools2", "a" * 64])
def test_valid_names_give_an_import_name(name: str) -> None:
    options = build_options(name)
    assert options.name == name
    assert options.module == name.replace("-", "_")
    assert options.module.isidentifier()


def test_defaults() -> None:
    options = build_options("weather")
    known = manifest.load().names
    assert options.revision == [r for r in known if r != "draft"][-1]
    assert options.transports == ("stdio", "http")
    assert options.features == ("tools", "resources", "prompts")
    assert options.registry_name == "io.github.example/weather"


def test_every_known_revision_is_accepted_and_others_are_not() -> None:
    for revision in manifest.load().names:
        assert build_options("weather", revision=revision).revision == revision
    with pytest.raises(
        ScaffoldError, match=r"unknown revision '2099-01-01': choose one of .*2025-11-25"
    ):
        build_options("weather", revision="2099-01-01")


@pytest.mark.parametrize(
    ("transport", "expected"),
    [("stdio", ("stdio",)), ("http", ("http",)), ("both", ("stdio", "http"))],
)
def test_transports(transport: str, expected: tuple[str, ...]) -> None:
    assert build_options("weather", transport=transport).transports == expected


@pytest.mark.parametrize("transport", ["sse", "STDIO", "", "stdio,http"])
def test_bad_transport_is_refused(transport: str) -> None:
    with pytest.raises(ScaffoldError, match="unknown transport"):
        build_options("weather", transport=transport)


def test_features_are_deduplicated_and_put_in_canonical_order() -> None:
    options = build_options("weather", features="prompts, tools,prompts")
    assert options.features == ("tools", "prompts")


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ("tools,sampling", "unknown feature 'sampling'"),
        ("x,y", "unknown features 'x', 'y'"),
        (",", "at least one feature"),
    ],
)
def test_bad_features_are_refused(features: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        build_options("weather", features=features)


@pytest.mark.parametrize("namespace", ["example", "io.github.user/x", "io..github", ""])
def test_bad_namespace_is_refused(namespace: str) -> None:
    with pytest.raises(ScaffoldError, match="invalid namespace"):
        build_options("weather", namespace=namespace)


def test_auth_needs_the_http_transport() -> None:
    with pytest.raises(ScaffoldError, match="--with auth protects the HTTP transport"):
        build_options("vault", transport="stdio", features="tools,auth")
    assert build_options("vault", transport="http", features="auth").features == ("auth",)
