"""The one exception type of the schema sources, so the CLI can turn it into a clean exit."""

from __future__ import annotations


class SchemaSourceError(Exception):
    """A schema file is unknown, missing, tampered with, or not cached yet.

    The message always names what (revision, file) and where (folder, URL, cache path).
    """
