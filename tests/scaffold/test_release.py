"""A new upstream revision is one manifest entry, no code: rehearse a whole release.

A future revision is derived from the newest one (``release.py``: a new method, an added
field, a removed field, a changed constant, a defect upstream fixed), then taken through
the README's steps with the real command line in child processes: ``schema add`` →
``schema fetch`` → ``generate`` into a temp folder → the runtime serves it on stdio and
Streamable HTTP → ``new --revision`` builds a project whose own tests pass → ``diff``
reports exactly the edits. The toolkit's manifest, cache and ``generated/`` are never
touched: the environment points at temp copies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from mcp_foundry import paths
from mcp_foundry.generated import package_name
from mcp_foundry.sources import manifest as manifest_module
from mcp_foundry.sources import registry

from .http_process import free_port, serving
from .project_env import ProjectEnv
from .release import ADDED, FIXED, NEW_METHOD, REMOVED, derive_revision
from .stdio_peer import StdioPeer

pytestmark = pytest.mark.timeout(300)
CLI = str(Path(sys.executable).parent / "mcp-foundry")
NEWEST = registry.latest()
NEW = (date.fromisoformat(NEWEST) + timedelta(days=171)).isoformat()
COMMIT = manifest_module.load(paths.SCHEMA_MANIFEST).get(NEWEST).commit
SERVER = """
import sys
from mcp_foundry.authoring import App

app = App("release", "1.0.0")


@app.tool()
def echo(text: str) -> str:
    "Echo the text."
    return text


app.run(sys.argv[1], port=int(sys.argv[2]) if len(sys.argv) > 2 else 0)
"""
CLIENT = """
import sys
import anyio
from mcp_foundry.runtime.client import connect_stdio
from mcp_foundry.runtime.http.client import connect_http


async def main() -> None:
    target = sys.argv[1]
    connect = connect_http(target) if target.startswith("http") else connect_stdio(sys.argv[1:])
    async with connect as client:
        echoed = await client.call_tool("echo", {"text": "negotiated"})
        print(client.revision, echoed.content[0].text)


anyio.run(main)
"""


@dataclass(frozen=True)
class Release:
    root: Path
    env: dict[str, str]
    """Points the toolkit at the temp manifest, cache and generated folder."""
    added: subprocess.CompletedProcess[str]
    generated: subprocess.CompletedProcess[str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(self.env, *args)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return run(self.env, CLI, *args)


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)


def _environment(root: Path, manifest: Path, out: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MCP_FOUNDRY_SCHEMA_MANIFEST": str(manifest),
        "MCP_FOUNDRY_SCHEMA_CACHE": str(root / "cache"),
        "MCP_FOUNDRY_GENERATED": str(out),
    }


def _spec_with_new_revision(root: Path) -> Path:
    """A folder laid out like upstream: the shared revisions plus the derived one."""
    spec = root / "spec"
    shutil.copytree(paths.SHARED_SPEC / "schema", spec / "schema")
    derive_revision(spec / "schema" / NEWEST, spec / "schema" / NEW, NEWEST, NEW)
    return spec


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    if not paths.SHARED_SPEC.is_dir():
        pytest.skip(f"{paths.SHARED_SPEC} not present")
    root = tmp_path_factory.mktemp("release")
    spec = _spec_with_new_revision(root)
    manifest = root / "manifest.json"
    shutil.copyfile(paths.SCHEMA_MANIFEST, manifest)
    env = _environment(root, manifest, root / "out")
    added = run(env, CLI, "schema", "add", NEW, "--commit", COMMIT, "--from", str(spec))
    assert added.returncode == 0, added.stderr
    fetched = run(env, CLI, "schema", "fetch", "--from", str(spec))
    assert fetched.returncode == 0, fetched.stderr
    generated = run(env, CLI, "generate", NEW, "--out", str(root / "out"))
    assert generated.returncode == 0, generated.stderr
    (root / "server.py").write_text(SERVER, encoding="utf-8")
    (root / "client.py").write_text(CLIENT, encoding="utf-8")
    return Release(root, env, added, generated)


def test_schema_add_puts_it_in_order_with_the_era_of_the_newest(release: Release) -> None:
    data = json.loads(Path(release.env["MCP_FOUNDRY_SCHEMA_MANIFEST"]).read_text())
    names = list(data["revisions"])
    assert names[names.index(NEWEST) + 1] == NEW
    assert data["revisions"][NEW]["era"] == registry.era_of(NEWEST)
    assert data["revisions"][NEW]["wire"] is True
    assert "(modern)" in release.added.stderr or registry.era_of(NEWEST) != "modern"


def test_generate_says_in_one_line_which_override_upstream_fixed(release: Release) -> None:
    notes = [line for line in release.generated.stderr.splitlines() if "upstream fixed" in line]
    definition, field = FIXED
    assert notes == [
        f"{NEW}: override 'number-rendered-as-integer' at {definition}.{field}: upstream fixed "
        f"it in {NEW}; close its range [{NEWEST}, …) there (until='{NEW}')"
    ]
    package = release.root / "out" / package_name(NEW)
    handlers = (package / "handlers.py").read_text()
    assert "async def tools_validate(" in handlers and "tools_validate_" not in handlers
    checked = release.cli("check", NEW)
    assert checked.returncode == 0 and f"{NEW}: ok" in checked.stdout, checked.stdout


def _broken(release: Release, name: str, edit: str) -> subprocess.CompletedProcess[str]:
    """``generate`` of a copy of the new revision with one more edit (see callers)."""
    root = release.root / name
    root.mkdir()
    spec = _spec_with_new_revision(root)
    target = spec / "schema" / NEW
    if edit == "unexplained":
        schema = json.loads((target / "schema.json").read_text())
        definition, field = ADDED
        schema["$defs"][definition]["properties"][field]["type"] = "integer"
        (target / "schema.json").write_text(json.dumps(schema))
    elif edit == "syntax":
        ts = (target / "schema.ts").read_text()
        (target / "schema.ts").write_text(
            ts.replace("durationMs?: number;", "durationMs?: number[;")
        )
    manifest = root / "manifest.json"
    shutil.copyfile(paths.SCHEMA_MANIFEST, manifest)
    env = _environment(root, manifest, root / "out")
    assert (
        run(env, CLI, "schema", "add", NEW, "--commit", COMMIT, "--from", str(spec)).returncode == 0
    )
    assert run(env, CLI, "schema", "fetch", NEW, "--from", str(spec)).returncode == 0
    if edit == "era":
        data = json.loads(manifest.read_text())
        data["revisions"][NEW]["era"] = "future"
        manifest.write_text(json.dumps(data))
    done = run(env, CLI, "generate", NEW, "--out", str(root / "out"))
    assert done.returncode != 0
    assert not (root / "out" / package_name(NEW)).exists(), "nothing may be written"
    return done


def test_generate_refuses_what_the_cross_check_cannot_explain(release: Release) -> None:
    done = _broken(release, "unexplained", "unexplained")
    definition, field = ADDED
    assert f"{NEW} {definition}.{field}: number in schema.ts, {{'type': 'integer'" in done.stderr


def test_a_schema_ts_that_does_not_parse_names_revision_line_and_column(release: Release) -> None:
    done = _broken(release, "syntax", "syntax")
    assert f"{NEW}: " in done.stderr and "schema.ts: syntax error at line " in done.stderr
    assert ", column " in done.stderr


def test_an_unknown_era_fails_at_generate_time(release: Release) -> None:
    done = _broken(release, "era", "era")
    assert f"{NEW}: unknown era 'future'" in done.stderr


def test_the_runtime_serves_it_on_stdio(release: Release) -> None:
    peer = StdioPeer([sys.executable, str(release.root / "server.py"), "stdio"], release.env)
    meta = {
        "io.modelcontextprotocol/protocolVersion": NEW,
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    try:
        discovered = peer.request("server/discover", {"_meta": meta})
        assert NEW in discovered["result"]["supportedVersions"]
        echoed = peer.request(
            "tools/call", {"_meta": meta, "name": "echo", "arguments": {"text": "x"}}
        )
        assert echoed["result"]["content"] == [{"type": "text", "text": "x"}]
        missing = peer.request(NEW_METHOD, {"_meta": meta, "name": "echo"})
        assert missing["error"]["code"] == -32601 and NEW in missing["error"]["message"]
        peer.close_input()
        assert peer.process.wait(timeout=20) == 0
        assert "downgraded" not in peer.stderr() and "Traceback" not in peer.stderr()
    finally:
        peer.stop()
    negotiated = release.run(
        sys.executable,
        str(release.root / "client.py"),
        sys.executable,
        str(release.root / "server.py"),
        "stdio",
    )
    assert negotiated.stdout.split() == [NEW, "negotiated"], negotiated.stderr


@pytest.fixture
def http_url(release: Release) -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, str(release.root / "server.py"), "http", str(port)]
    with serving(argv, release.env, port) as url:
        yield url


def test_the_runtime_serves_it_on_streamable_http(release: Release, http_url: str) -> None:
    def post(version: str) -> httpx.Response:
        message = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": version,
                    "io.modelcontextprotocol/clientCapabilities": {},
                },
                "name": "echo",
                "arguments": {"text": "over http"},
            },
        }
        headers = {
            "accept": "application/json, text/event-stream",
            "mcp-protocol-version": version,
            "mcp-method": "tools/call",
            "mcp-name": "echo",
        }
        return httpx.post(http_url, json=message, headers=headers, timeout=30)

    answered = post(NEW)
    assert answered.status_code == 200, answered.text
    assert answered.json()["result"]["content"][0]["text"] == "over http"
    assert post("2999-01-01").status_code == 400
    negotiated = release.run(sys.executable, str(release.root / "client.py"), http_url)
    assert negotiated.stdout.split() == [NEW, "negotiated"], negotiated.stderr


def test_new_builds_a_project_that_speaks_it(release: Release, project_env: ProjectEnv) -> None:
    project = release.root / "projects" / "release-weather"
    made = release.cli(
        "new", "release-weather", "--dir", str(project), "--revision", NEW, "--with", "tools"
    )
    assert made.returncode == 0, made.stderr
    assert f'WIRE_VERSION = "{NEW}"' in (project / "tests" / "conftest.py").read_text()
    project_env.install_project(project)
    toolkit = {k: v for k, v in release.env.items() if k.startswith("MCP_FOUNDRY_")}
    assert project_env.run_tests(project, toolkit) > 0


def test_new_refuses_a_revision_without_bindings(release: Release) -> None:
    env = {k: v for k, v in release.env.items() if k != "MCP_FOUNDRY_GENERATED"}
    done = run(
        env, CLI, "new", "unbuilt", "--dir", str(release.root / "unbuilt"), "--revision", NEW
    )
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and f"no generated bindings for revision {NEW}" in errors[0], (
        done.stderr
    )
    assert not (release.root / "unbuilt").exists()


def test_diff_reports_exactly_the_edits(release: Release) -> None:
    done = release.cli("diff", NEWEST, NEW, "--format", "json", "--fail-on", "breaking")
    assert done.returncode == 0, done.stderr
    changes = {(c["kind"], c["subject"]) for c in json.loads(done.stdout)["changes"]}
    assert changes == {
        ("method_added", NEW_METHOD),
        ("field_added", ".".join(ADDED)),
        ("field_removed", ".".join(REMOVED)),
        ("constant_changed", "LATEST_PROTOCOL_VERSION"),
    }
