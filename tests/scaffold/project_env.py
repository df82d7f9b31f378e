"""A throwaway virtualenv for installing and running generated projects.

Built once per test session from the interpreter running the tests. Its site-packages
sees ours through a ``.pth`` line (third-party packages are reused, nothing is
downloaded for them) while the toolkit itself and each generated project are really
``pip install``-ed into it, offline: the install fails if a project declares a
dependency that is not there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ElementTree
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mcp_foundry import paths

# one download per machine (pip caches it): a setuptools that builds wheels without the
# separate `wheel` package, so every later build runs offline without build isolation
BUILD_BACKEND = "setuptools>=70.1"


@dataclass(frozen=True)
class ProjectEnv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def script(self, name: str) -> Path:
        return self.root / "bin" / name

    def pip(self, *args: str, timeout: float = 240) -> None:
        command = [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(self.python),
            "--disable-pip-version-check",
            *args,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def install_project(self, project: Path) -> None:
        self.pip("install", "--quiet", "--no-index", "--no-build-isolation", f"{project}[test]")

    @classmethod
    def create(cls, root: Path) -> ProjectEnv:
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(root)], check=True, timeout=60
        )
        env = cls(root)
        purelib = Path(
            sysconfig.get_paths(vars={"base": str(root), "platbase": str(root)})["purelib"]
        )
        (purelib / "parent-site-packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        env.pip("install", "--quiet", BUILD_BACKEND)
        # a real (non-editable) install, as a user gets from the wheel: mypy follows it
        env.pip("install", "--quiet", "--no-index", "--no-build-isolation", str(paths.CHECKOUT))
        return env

    def run(
        self,
        *args: str,
        cwd: Path,
        timeout: float = 240,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """``python ARGS`` with this venv's interpreter, in ``cwd`` (``env`` adds variables)."""
        return subprocess.run(
            [str(self.python), *args],
            cwd=cwd,
            env={**self.environ(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def run_tests(self, project: Path, env: Mapping[str, str] | None = None) -> int:
        """Run ``project``'s own test suite here; it must pass with nothing skipped.
        How many tests it ran."""
        report = project / "report.xml"
        args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}")
        done = self.run(*args, cwd=project, env=env)
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
        suite = ElementTree.parse(report).getroot().find("testsuite")
        assert suite is not None
        counts = {k: int(suite.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
        assert counts["failures"] == counts["errors"] == counts["skipped"] == 0, counts
        return counts["tests"]

    def environ(self) -> dict[str, str]:
        """A clean environment for processes run inside this venv."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        }
        env["PATH"] = f"{self.root / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env["VIRTUAL_ENV"] = str(self.root)
        return env
