"""Naming, URI templates and snapshot reading, each on its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp_foundry.servergen import naming, package, source
from mcp_foundry.servergen.errors import SurfaceError
from mcp_foundry.servergen.surface import build, load
from mcp_foundry.servergen.uritemplate import expand, optional, variables

from .support import run_cli


def _names(**lists: list[str]) -> dict[tuple[str, str], naming.Names]:
    return naming.assign(build({k: [{"name": n} for n in v] for k, v in lists.items()}))


def test_clashing_names_are_settled_without_numbers() -> None:
    names = _names(tools=["get-x", "get_x", "client", "class"], prompts=["get_x", "summary_prompt"])
    assert names[("tool", "get-x")] == naming.Names("get_x", "GetX")
    assert names[("tool", "get_x")] == naming.Names("get_x_", "GetX_")
    assert names[("tool", "client")].method == "client_"  # the wrapped runtime client
    assert names[("tool", "class")] == naming.Names("class_", "Class")
    assert names[("prompt", "get_x")] == naming.Names("get_x_prompt", "GetX")
    assert names[("prompt", "summary_prompt")].method == "summary_prompt"


def test_client_class_is_named_after_the_package() -> None:
    found = build({"tools": [{"name": "a"}]})
    assert "class WeatherClient(ServerClient)" in package.render(found, "weather")["client.py"]
    assert (
        "class WeatherClient(ServerClient)" in package.render(found, "weather_client")["client.py"]
    )
    with pytest.raises(SurfaceError, match="not a Python package name"):
        package.render(found, "weather-client")


@pytest.mark.parametrize(
    "lists",
    [{}, {"resource_templates": [{"name": "page", "uriTemplate": "demo://{n}"}]}],
    ids=["nothing", "only-templates"],
)
def test_a_server_without_tools_or_prompts_still_binds(lists: dict[str, Any]) -> None:
    files = package.render(build(lists), "bare")
    for name in ("__init__.py", "client.py", "models.py"):
        compile(files[name], name, "exec")
    assert "from .models" not in files["client.py"]


def test_a_new_server_version_alone_changes_no_file() -> None:
    tools = [{"name": "a", "inputSchema": {"type": "object"}}]
    one = package.render(build({"tools": tools}, {"name": "s", "version": "1"}, "2025-06-18"), "p")
    two = package.render(build({"tools": tools}, {"name": "s", "version": "2"}, "2026-07-28"), "p")
    assert one == two and "Typed client for s." in one["client.py"]


def test_adding_an_item_renames_nothing_else() -> None:
    before = _names(tools=["alpha", "beta"])
    after = _names(tools=["alpha", "aardvark", "beta"], prompts=["alpha"])
    assert {k: v for k, v in after.items() if k in before} == before


@pytest.mark.parametrize(
    ("template", "values", "uri"),
    [
        ("demo://items/{id}", {"id": "a b/c"}, "demo://items/a%20b%2Fc"),
        ("files://{+path}", {"path": "src/a b.py"}, "files://src/a%20b.py"),
        ("doc://page{#section}", {"section": "x/y"}, "doc://page#x/y"),
        ("demo://x{.ext}", {"ext": "json"}, "demo://x.json"),
        ("demo://{/a,b}", {"a": "1", "b": "2"}, "demo:///1/2"),
        ("demo://m{;v}", {"v": "3"}, "demo://m;v=3"),
        ("demo://s{?q,page}", {"q": "a&b", "page": "2"}, "demo://s?q=a%26b&page=2"),
        ("demo://s{?q}{&page}", {"page": "2"}, "demo://s&page=2"),
        ("demo://s{?q}", {}, "demo://s"),
    ],
)
def test_uri_templates_expand(template: str, values: dict[str, str], uri: str) -> None:
    assert expand(template, values) == uri


def test_uri_template_variables_and_optional_ones() -> None:
    template = "demo://{owner}/{+path}{?rev,depth*}{&page:3}"
    assert variables(template) == ["owner", "path", "rev", "depth", "page"]
    assert optional(template) == {"rev", "depth", "page"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot read the snapshot"),
        ('{"something": []}', "not a snapshot"),
        ('{"tools": [{"description": "no name"}]}', "string name"),
        ('{"tools": [{"name": "a"}, {"name": "a"}]}', "more than one item named a"),
        ('{"format": "other/9", "tools": []}', "unknown snapshot format"),
    ],
)
def test_bad_snapshots_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SurfaceError, match=message):
        load(path)
    done = run_cli("server", "diff", str(path), str(path))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and message in done.stderr


def test_a_snapshot_round_trips_and_a_bindings_folder_is_a_source(tmp_path: Path) -> None:
    doc = {"tools": [{"name": "b", "inputSchema": {"type": "object"}}, {"name": "a"}]}
    (tmp_path / "raw.json").write_text(json.dumps(doc))
    loaded = load(tmp_path / "raw.json")
    assert [t["name"] for t in loaded.tools] == ["a", "b"]
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "surface.json").write_text(loaded.to_json())
    assert source.load(str(tmp_path / "pkg")) == loaded
