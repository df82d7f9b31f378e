"""Where the project's own folders are, for code that reads templates or writes output."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
GENERATED = ROOT / "generated"
SCHEMA_MANIFEST = ROOT / "schema" / "manifest.json"
SCHEMA_CACHE = ROOT / ".cache" / "schema"
