"""A stranger's install: build the sdist and wheel, install the wheel (not editable) into a
fresh virtualenv in a temporary folder that cannot see the checkout, and use every command
from there, down to a scaffolded project installed against that wheel, whose own tests
(which serve it over stdio and HTTP to the official SDK client) and README mypy command pass.

Third-party packages come from the package index (pip's cache makes later runs quick);
``mcp-foundry`` itself only from the wheel we built, through ``PIP_FIND_LINKS``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp_foundry import paths
from mcp_foundry.ir.source import known_revisions

pytestmark = pytest.mark.timeout(1200)

CHECKOUT = paths.CHECKOUT
assert CHECKOUT is not None


@dataclass(frozen=True)
class Installed:
    dist: Path
    venv: Path
    work: Path
    env: dict[str, str]

    def run(self, *argv: str, cwd: Path | None = None, timeout: float = 600) -> str:
        done = subprocess.run(
            list(argv),
            cwd=cwd or self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"{argv}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout + done.stderr

    def cli(self, *argv: str) -> str:
        return self.run(str(self.venv / "bin" / "mcp-foundry"), *argv)


def _clean_env(tmp: Path, dist: Path) -> dict[str, str]:
    keep = {"PATH", "LANG", "LC_ALL", "TMPDIR", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        HOME=str(tmp / "home"),
        XDG_CACHE_HOME=str(tmp / "cache"),
        PIP_FIND_LINKS=str(dist),
        PIP_CACHE_DIR=os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip")),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    tmp = tmp_path_factory.mktemp("stranger")
    dist = tmp / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(CHECKOUT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "DeprecationWarning" not in build.stdout + build.stderr
    env = _clean_env(tmp, dist)
    (tmp / "home").mkdir()
    work = tmp / "work"
    work.mkdir()
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    wheel = next(dist.glob("mcp_foundry-*.whl"))
    installed = Installed(dist=dist, venv=venv, work=work, env=env)
    installed.run(str(venv / "bin" / "pip"), "install", "--quiet", str(wheel), timeout=900)
    yield installed


def test_the_build_makes_an_sdist_and_a_wheel_with_bindings_and_data(installed: Installed) -> None:
    names = {p.name for p in installed.dist.iterdir()}
    assert any(n.endswith(".tar.gz") for n in names) and any(n.endswith(".whl") for n in names)
    site = next((installed.venv / "lib").glob("python3*/site-packages"))
    package = site / "mcp_foundry"
    for revision in known_revisions():
        assert (package / "generated" / f"rev_{revision.replace('-', '_')}" / "models.py").is_file()
    assert (package / "templates" / "project" / "pyproject.toml.j2").is_file()
    assert (package / "schema" / "manifest.json").is_file()
    assert (package / "schema" / "diff-report.schema.json").is_file()
    # one distinctive top-level import name, nothing generic
    tops = {p.name for p in site.iterdir() if not p.name.endswith((".dist-info", ".pth"))}
    assert {"codegen", "generated", "templates", "schema"}.isdisjoint(tops)


def test_version_and_schema_list_work_without_the_checkout(installed: Installed) -> None:
    assert "mcp-foundry, version" in installed.cli("--version")
    listing = installed.cli("schema", "list")
    for revision in known_revisions():
        assert revision in listing


def test_the_installed_runtime_imports_its_bundled_bindings(installed: Installed) -> None:
    probe = (
        "import mcp_foundry.authoring, mcp_foundry.paths as p, mcp_foundry.generated as g;"
        "print(p.CHECKOUT, g.__file__)"
    )
    out = installed.run(str(installed.venv / "bin" / "python"), "-c", probe)
    assert out.startswith("None ") and str(installed.venv) in out
    current = (
        "import pathlib, mcp_foundry.generated as g; from mcp_foundry.emit.stamp import stale;"
        "print(stale(pathlib.Path(g.__file__).parent))"
    )
    assert installed.run(str(installed.venv / "bin" / "python"), "-c", current).strip() == "[]"


def test_fetch_lands_in_the_user_cache_and_generate_writes_where_asked(
    installed: Installed,
) -> None:
    installed.cli("schema", "fetch", "--from", str(paths.SHARED_SPEC))
    cache = Path(installed.env["XDG_CACHE_HOME"]) / "mcp-foundry" / "schema"
    assert {p.name for p in cache.iterdir()} >= set(known_revisions())
    assert "cached, verified" in installed.cli("schema", "list")
    newest = known_revisions()[-1]
    installed.cli("generate", newest, "--out", "bindings")
    assert (installed.work / "bindings" / f"rev_{newest.replace('-', '_')}" / "models.py").is_file()
    help_text = installed.cli("generate", "--help")
    assert "./generated" in help_text


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "html"])
def test_diff_in_every_format(installed: Installed, fmt: str) -> None:
    older, newer = known_revisions()[-3], known_revisions()[-2]
    out = installed.work / f"report.{fmt}"
    installed.cli("diff", older, newer, "--format", fmt, "-o", str(out))
    text = out.read_text()
    assert newer in text
    if fmt == "json":
        assert json.loads(text)["summary"]["total"] > 0


def test_a_scaffolded_project_installs_against_the_wheel_and_passes_its_readme(
    installed: Installed,
) -> None:
    installed.cli("new", "demo-server", "--transport", "both")
    project = installed.work / "demo-server"
    readme = (project / "README.md").read_text()
    requirement = f"mcp-foundry>={_version(installed)},<"
    assert requirement in (project / "pyproject.toml").read_text()
    # the README's commands, as written
    for command in ("python -m venv .venv", ".venv/bin/pip install -e '.[test]'"):
        assert command in readme
    installed.run(sys.executable, "-m", "venv", ".venv", cwd=project)
    installed.run(".venv/bin/pip", "install", "--quiet", "-e", ".[test]", cwd=project, timeout=900)
    for command in (".venv/bin/pytest", ".venv/bin/mypy src tests"):
        assert command in readme
    installed.run(".venv/bin/pytest", "-q", "-p", "no:cacheprovider", cwd=project, timeout=900)
    installed.run(".venv/bin/mypy", "src", "tests", cwd=project, timeout=900)
    # the toolkit inside the project's venv is the wheel, not a checkout
    where = installed.run(
        ".venv/bin/python", "-c", "import mcp_foundry; print(mcp_foundry.__file__)", cwd=project
    )
    assert "site-packages" in where and str(CHECKOUT) not in where


def _version(installed: Installed) -> str:
    return installed.cli("--version").split("version")[-1].strip()
