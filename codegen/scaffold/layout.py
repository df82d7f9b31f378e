"""Which files a new project has: each template, where it lands, and when it is included.

Output paths are Jinja expressions too (``src/{{ module }}/server.py``); a file whose
condition is false for the chosen options is simply not part of the project.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mcp_foundry.scaffold.options import ProjectOptions


def _always(options: ProjectOptions) -> bool:
    return True


def _with(feature: str) -> Callable[[ProjectOptions], bool]:
    def condition(options: ProjectOptions) -> bool:
        return feature in options.features

    return condition


def _serves(transport: str) -> Callable[[ProjectOptions], bool]:
    def condition(options: ProjectOptions) -> bool:
        return transport in options.transports

    return condition


@dataclass(frozen=True, slots=True)
class ProjectFile:
    template: str
    """Template path under ``templates/project/``."""
    output: str
    """Output path (a Jinja expression) relative to the project root."""
    include: Callable[[ProjectOptions], bool] = _always


PROJECT_FILES = (
    ProjectFile("pyproject.toml.j2", "pyproject.toml"),
    ProjectFile("README.md.j2", "README.md"),
    ProjectFile("gitignore.j2", ".gitignore"),
    ProjectFile("package/__init__.py.j2", "src/{{ module }}/__init__.py"),
    ProjectFile("package/__main__.py.j2", "src/{{ module }}/__main__.py"),
    ProjectFile("package/server.py.j2", "src/{{ module }}/server.py"),
    ProjectFile("package/py.typed.j2", "src/{{ module }}/py.typed"),
    ProjectFile("tests/conftest.py.j2", "tests/conftest.py"),
    ProjectFile("tests/test_features.py.j2", "tests/test_features.py"),
    ProjectFile("tests/test_metadata.py.j2", "tests/test_metadata.py"),
    ProjectFile("tests/test_http.py.j2", "tests/test_http.py", _serves("http")),
    ProjectFile("tests/test_stdio.py.j2", "tests/test_stdio.py", _serves("stdio")),
    ProjectFile("tests/test_auth.py.j2", "tests/test_auth.py", _with("auth")),
    ProjectFile("tests/test_revision.py.j2", "tests/test_revision.py"),
)

# data files rendered from Python dicts, not templates: (output path, builder)
SERVER_JSON = "server.json"
HOST_CONFIG = "mcp-servers.json"
