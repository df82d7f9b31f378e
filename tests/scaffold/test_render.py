"""Rendering: the file set follows the options, output is deterministic and well formed."""

from __future__ import annotations

import ast
import json
import tomllib

import black
import pytest
from mcp_foundry import generated, paths
from mcp_foundry.scaffold import build_options
from mcp_foundry.scaffold.features import FEATURES
from mcp_foundry.scaffold.render import render_project
from mcp_foundry.sources import registry

COMMON = {
    ".gitignore",
    "README.md",
    "mcp-servers.json",
    "pyproject.toml",
    "server.json",
    "src/weather/__init__.py",
    "src/weather/__main__.py",
    "src/weather/py.typed",
    "src/weather/server.py",
    "tests/conftest.py",
    "tests/test_features.py",
    "tests/test_metadata.py",
    "tests/test_revision.py",
}


@pytest.mark.parametrize(
    ("transport", "extra"),
    [
        ("stdio", {"tests/test_stdio.py"}),
        ("http", {"tests/test_http.py"}),
        ("both", {"tests/test_http.py", "tests/test_stdio.py"}),
    ],
)
def test_file_set_follows_the_transport(transport: str, extra: set[str]) -> None:
    assert set(render_project(build_options("weather", transport=transport))) == COMMON | extra


def test_rendering_is_deterministic() -> None:
    options = build_options("weather")
    assert render_project(options) == render_project(build_options("weather"))


@pytest.mark.parametrize("features", ["tools", "resources", "prompts", "tools,resources,prompts"])
@pytest.mark.parametrize("transport", ["stdio", "http", "both"])
def test_python_is_valid_and_black_formatted(features: str, transport: str) -> None:
    files = render_project(build_options("weather-app", transport=transport, features=features))
    for path, text in files.items():
        if path.endswith(".py"):
            ast.parse(text, filename=path)
            assert black.format_str(text, mode=black.Mode()) == text, path
    tomllib.loads(files["pyproject.toml"])
    json.loads(files["server.json"])
    json.loads(files["mcp-servers.json"])


def test_only_the_chosen_features_are_in_the_server() -> None:
    server = render_project(build_options("weather", features="prompts"))["src/weather/server.py"]
    assert "@app.prompt()" in server
    assert "@app.tool()" not in server and "@app.resource(" not in server
    tests = render_project(build_options("weather", features="prompts"))["tests/test_features.py"]
    assert "get_prompt" in tests and "call_tool" not in tests and "read_resource" not in tests


def test_every_feature_has_server_code_and_tests() -> None:
    files = render_project(build_options("weather", features=",".join(FEATURES)))
    server, tests = files["src/weather/server.py"], files["tests/test_features.py"]
    for decorator in ("@app.tool()", "@app.resource(", "@app.prompt()"):
        assert decorator in server
    for marker in ("ctx.progress(", "ctx.elicit("):
        assert marker in server
    for test in (
        "test_a_tool_reports_progress",
        "test_a_tool_asks_the_user",
        "test_lists_and_renders_prompts",
    ):
        assert f"async def {test}" in tests
    assert "elicitation_callback=answer_elicitation" in files["tests/conftest.py"]


def test_tests_expect_exactly_the_declared_tools() -> None:
    files = render_project(build_options("weather", features="progress,elicitation"))
    listed = (
        files["tests/test_features.py"]
        .split("def test_lists_exactly_the_declared_tools")[1]
        .split("async def")[0]
    )
    assert ast.literal_eval(listed.split("==", 1)[1].strip()) == ["countdown", "favorite_color"]
    assert "def add(" not in files["src/weather/server.py"]


@pytest.mark.parametrize("revision", registry.names())
def test_the_revision_picks_the_generated_types_and_the_pinned_version(revision: str) -> None:
    known = registry.get(revision)
    wire = revision if known.wire else registry.latest(known.era)
    files = render_project(build_options("weather", revision=revision, features="tools"))
    package = generated.module_name(revision)
    assert f"from {package} import models" in files["src/weather/server.py"]
    assert f"from {package} import models" in files["tests/test_revision.py"]
    assert f'WIRE_VERSION = "{wire}"' in files["tests/conftest.py"]
    assert revision in files["README.md"]


def test_pyproject_declares_the_console_script_and_dependencies() -> None:
    project = tomllib.loads(render_project(build_options("weather-app"))["pyproject.toml"])[
        "project"
    ]
    assert project["name"] == "weather-app"
    assert project["scripts"] == {"weather-app": "weather_app.__main__:main"}
    assert any(d.startswith("mcp-foundry") for d in project["dependencies"])
    assert {"mcp", "pytest"} <= {d.split(">")[0] for d in project["optional-dependencies"]["test"]}


def test_no_absolute_paths_leak_into_the_project() -> None:
    for path, text in render_project(build_options("weather")).items():
        assert str(paths.CHECKOUT) not in text, path


def test_auth_adds_a_protected_server_and_its_tests() -> None:
    files = render_project(build_options("vault", features="tools,auth"))
    server, main = files["src/vault/server.py"], files["src/vault/__main__.py"]
    assert "@app.tool(scopes=[ADMIN_SCOPE])" in server and "JwtVerifier.discover(" in server
    assert "auth=auth" in main and "--issuer" in main
    assert "def test_the_admin_tool_needs_a_step_up" in files["tests/test_auth.py"]
    assert "tests/test_auth.py" not in render_project(build_options("vault"))
