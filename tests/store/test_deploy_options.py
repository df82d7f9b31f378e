"""``--store``/``--state-secret-file`` and their rules, as a server's command line sees
them: a shared store without a shared requestState key, a short key, an unknown engine
and an unreadable file are usage errors (exit 2, one line), before anything is served."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_foundry.authoring import App
from mcp_foundry.runtime.store import STATE_SECRET_ENV, MemoryStore, deployment

APP = [sys.executable, str(Path(__file__).resolve().parent / "store_fault_app.py"), "http"]


def refused(*args: str, secret: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCP_FOUNDRY_")}
    if secret is not None:
        env["MCP_FOUNDRY_STATE_SECRET"] = secret
    done = subprocess.run([*APP, *args], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_shared_store_needs_a_shared_secret() -> None:
    message = refused("--store", "redis://127.0.0.1:1/0")
    assert "requestState secret" in message and "MCP_FOUNDRY_STATE_SECRET" in message


def test_short_secret_refused(tmp_path: Path) -> None:
    file = tmp_path / "secret"
    file.write_text("\n")  # an empty file is a short key, not a missing one
    message = refused("--store", "redis://127.0.0.1:1/0", "--state-secret-file", str(file))
    assert "at least 16 bytes" in message
    assert "at least 16 bytes" in refused(secret="too-short")


def test_unknown_engine_and_unreadable_file(tmp_path: Path) -> None:
    assert "unknown store URL scheme 'mongodb'" in refused("--store", "mongodb://x/0")
    missing = str(tmp_path / "absent")
    assert "cannot read it" in refused("--store", "redis://h/0", "--state-secret-file", missing)
    assert missing not in refused("--store", "redis://h/0", "--state-secret-file", missing)


def test_the_store_says_whether_it_is_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule follows ``Store.shared``, not the store's class or URL: a MemoryStore
    shared between instances needs the key too; an unshared one makes do without."""
    monkeypatch.delenv(STATE_SECRET_ENV, raising=False)
    alone = MemoryStore()
    assert deployment(alone) == (alone, None)
    with pytest.raises(ValueError, match="requestState secret"):
        deployment(MemoryStore(shared=True))
    key = b"k" * 16
    together = MemoryStore(shared=True)
    assert deployment(together, key) == (together, key)
    store, found = deployment("memory://")
    assert not store.shared and found is None
    with pytest.raises(ValueError, match="requestState secret"):
        deployment("redis://127.0.0.1:1/0")
    app = App("shared-memory", "1")
    with pytest.raises(ValueError, match="requestState secret"):
        app.use_store(MemoryStore(shared=True))
    app.use_store(MemoryStore(shared=True), key)
    assert app.runtime().store is not None and app.runtime().store.shared
