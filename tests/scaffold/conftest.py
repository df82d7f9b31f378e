from __future__ import annotations

from pathlib import Path

import pytest

from .project_env import ProjectEnv


@pytest.fixture(scope="session")
def project_env(tmp_path_factory: pytest.TempPathFactory) -> ProjectEnv:
    """One venv for every generated project of the session, with mcp-foundry installed."""
    return ProjectEnv.create(Path(tmp_path_factory.mktemp("scaffold-venv")))
