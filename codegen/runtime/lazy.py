"""Package attributes imported on first use (PEP 562), so importing a package for one of
its parts does not import all of them: an HTTP server needs neither the HTTP client
(httpx) nor the JWT and introspection verifiers (joserfc) unless it uses them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` resolving ``name`` from the submodule ``where[name]``."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{where[name]}"), name)

    return __getattr__
