"""Renderers of a :class:`~mcp_foundry.diff.model.DiffReport`: text, markdown, json, html.

All four are views of one document (:func:`document.build`), the JSON output, whose
shape is fixed by ``schema/diff-report.schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable

from mcp_foundry.diff.model import DiffReport
from mcp_foundry.diff.render.document import render_json
from mcp_foundry.diff.render.templated import render_html, render_markdown, render_text

FORMATS: dict[str, Callable[[DiffReport], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": render_json,
    "html": render_html,
}
