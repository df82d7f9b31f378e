"""The base of every error the IR raises, so commands can report it without a traceback."""

from __future__ import annotations


class GeneratorError(Exception):
    """The sources hold something the generator cannot turn into a validated IR."""
