"""Build hooks: a wheel carries the generated bindings of every manifest revision.

The bindings are build output, never committed. Building from a checkout runs our own
generator (``schema fetch`` then ``generate``) for every revision whose package in
``generated/`` is missing or stale: its stamp (``mcp_foundry.emit.stamp``: manifest entry,
generator sources, templates) differs from the current one. The sdist then carries current
bindings, so a wheel built from the sdist needs neither the upstream schema files nor the
network. Packages are every folder under the import names mapped in
``[tool.setuptools.package-dir]`` of pyproject.toml.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
PACKAGE_DIRS: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "setuptools"
]["package-dir"]

# Runs code (argv[1]) against the source folders under the import name, before anything is
# installed.
_BOOTSTRAP = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location(
    "mcp_foundry", "codegen/__init__.py", submodule_search_locations=["codegen"])
module = importlib.util.module_from_spec(spec)
sys.modules["mcp_foundry"] = module
spec.loader.exec_module(module)
exec(sys.argv[1])
"""


def _packages() -> list[str]:
    found = []
    for name, folder in PACKAGE_DIRS.items():
        for directory in [ROOT / folder, *sorted((ROOT / folder).rglob("*"))]:
            if directory.is_dir() and directory.name != "__pycache__":
                relative = directory.relative_to(ROOT / folder).parts
                found.append(".".join((name, *relative)))
    return sorted(set(found))


def _bootstrap(code: str, *argv: str) -> str:
    env = {**os.environ, "PYTHONPATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", _BOOTSTRAP, code, *argv],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


def _ensure_bindings() -> None:
    stale = _bootstrap("from mcp_foundry.emit.stamp import stale; print(*stale())").split()
    if not stale:
        return
    cli = "from mcp_foundry.cli import main; main(sys.argv[2:])"
    for argv in (["schema", "fetch", *stale], ["generate", *stale]):
        sys.stdout.write(_bootstrap(cli, *argv))


class BuildWithBindings(build_py):
    def run(self) -> None:
        if not self.editable_mode:  # an editable install imports generated/ as it is
            _ensure_bindings()
        super().run()


class SdistWithBindings(sdist):
    def run(self) -> None:
        _ensure_bindings()
        super().run()


setup(
    packages=_packages(),
    package_data={"": ["*"]},
    exclude_package_data={"": ["*.pyc", ".gitignore"]},
    cmdclass={"build_py": BuildWithBindings, "sdist": SdistWithBindings},
)
