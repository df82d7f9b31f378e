"""The assembled everything server.

Importing the fixture modules registers them; the order below is the contract's tool
order (``test_simple_text`` first), so it is spelled out rather than left to imports.
"""

from __future__ import annotations

import importlib

from .app import app

FIXTURE_MODULES = ("tools", "interactive", "diagnostics", "rounds", "tasks", "catalogue")

for _module in FIXTURE_MODULES:
    importlib.import_module(f"{__package__}.{_module}")

__all__ = ["app"]
