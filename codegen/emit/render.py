"""The one Jinja environment and the one black mode all binding emitters share."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import black
import jinja2
from black.mode import TargetVersion
from mcp_foundry.emit.literals import literal
from mcp_foundry.paths import TEMPLATES

_BLACK_MODE = black.Mode(target_versions={TargetVersion.PY311}, line_length=100)


def docstring(text: str, indent: int) -> str:
    """``text`` as a triple-quoted Python literal whose continuation lines sit at ``indent``."""
    if not text:
        return ""
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if body.endswith('"'):
        body += " "
    pad = " " * indent
    lines = [line.rstrip() for line in body.split("\n")]
    if len(lines) == 1:
        return f'"""{lines[0]}"""'
    joined = "\n".join(lines[:1] + [(pad + line) if line else "" for line in lines[1:]])
    return f'"""{joined}\n{pad}"""'


@cache
def environment(folder: str = "bindings") -> jinja2.Environment:
    """The environment of the templates that emit Python, under ``templates/<folder>``
    (protocol bindings; a server's own bindings use ``servergen``)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / folder),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["docstring"] = docstring
    env.filters["pyrepr"] = literal
    env.filters["tojson"] = json.dumps
    return env


def render(template: str, **context: Any) -> str:
    """Render ``templates/bindings/<template>`` and format it with black."""
    source = environment().get_template(template).render(**context)
    return black.format_str(source, mode=_BLACK_MODE)
