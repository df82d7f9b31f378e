"""``mcp-foundry server ... --oauth`` end to end: the real CLI in a subprocess signs in to
the protected server of ``fixture.py``. Its "browser" is ``$BROWSER`` (which
``webbrowser.open`` honours), a script that follows the authorization URL's redirects to
the CLI's loopback listener and notes each URL it opened; ``$XDG_CACHE_HOME`` puts the
per-user token files in the test's folder."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry import paths

from .fixture import protected_server

pytestmark = pytest.mark.timeout(120)

BROWSER = """#!{python}
import sys, httpx
with open({opened!r}, "a") as log:
    print(sys.argv[1], file=log)
httpx.get(sys.argv[1], follow_redirects=True, timeout=10).raise_for_status()
"""


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "mcp-foundry"), *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=90,
        cwd=paths.CHECKOUT,
        env={**os.environ, **env},
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    browser = tmp_path / "browser"
    browser.write_text(BROWSER.format(python=sys.executable, opened=str(tmp_path / "opened")))
    browser.chmod(0o755)
    return {"BROWSER": str(browser), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_oauth_signs_in_once_then_reuses_the_stored_token(
    tmp_path: Path, env: dict[str, str]
) -> None:
    with protected_server() as server:
        url = server.url
        first = run_cli("server", "snapshot", url, "--oauth", env=env)
        assert first.returncode == 0, first.stderr[-3000:]
        names = [tool["name"] for tool in json.loads(first.stdout)["tools"]]
        assert names == ["whoami"], "lists hide what the token's scopes do not reach"
        assert len(server.issuer.authorizations) == 1
        [stored] = (tmp_path / "cache" / "mcp-foundry" / "tokens").iterdir()
        assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600

        out = tmp_path / "protected_api"
        second = run_cli("server", "bindings", url, "--oauth", "--out", str(out), env=env)
        assert second.returncode == 0, second.stderr[-3000:]
        assert (out / "surface.json").is_file()
        before = tmp_path / "before.json"
        before.write_text(first.stdout)
        third = run_cli("server", "diff", str(before), url, "--oauth", env=env)
        assert third.returncode == 0, third.stderr[-3000:]
        assert len(server.issuer.authorizations) == 1, "later runs reused the token"
        assert len(server.issuer.clients) == 1
        assert len((tmp_path / "opened").read_text().splitlines()) == 1, "one browser visit"


def test_without_oauth_a_protected_url_fails_in_one_line(env: dict[str, str]) -> None:
    with protected_server() as server:
        done = run_cli("server", "snapshot", server.url, env=env)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert "HTTP 401" in done.stderr and "sign in with --oauth" in done.stderr
    assert server.issuer.authorizations == []


@pytest.mark.parametrize(
    "args",
    [
        ("server", "snapshot", "--oauth", "--", sys.executable, "-m", "weather"),
        ("server", "snapshot", "--oauth", "tests/servergen/data/missing-server-cmd"),
        ("server", "snapshot", "--client-id", "abc", "http://127.0.0.1:9/mcp"),
        ("server", "snapshot", "--oauth", "--client-secret", "s", "http://127.0.0.1:9/mcp"),
    ],
)
def test_oauth_usage_errors(args: tuple[str, ...], env: dict[str, str]) -> None:
    done = run_cli(*args, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr


def test_oauth_refuses_a_snapshot(tmp_path: Path, env: dict[str, str]) -> None:
    snapshot = tmp_path / "surface.json"
    snapshot.write_text('{"tools": []}')
    done = run_cli("server", "snapshot", "--oauth", str(snapshot), env=env)
    assert done.returncode == 2 and "not snapshots" in done.stderr, done.stderr
