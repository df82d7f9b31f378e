"""Render a project in memory: templates for code and prose, JSON for data files.

Output is deterministic: no clocks, no absolute paths, Python formatted with black,
JSON with fixed key order and indentation.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import black
import jinja2
from black.parsing import InvalidInput
from mcp_foundry import generated, paths
from mcp_foundry.runtime import revisions
from mcp_foundry.scaffold.errors import ScaffoldError
from mcp_foundry.scaffold.features import FEATURES, tool_names
from mcp_foundry.scaffold.hosts import http_entry_name, http_url, mcp_servers
from mcp_foundry.scaffold.layout import HOST_CONFIG, PROJECT_FILES, SERVER_JSON
from mcp_foundry.scaffold.options import ProjectOptions
from mcp_foundry.scaffold.registry import REGISTRY_TRANSPORT, port_variable, server_json
from mcp_foundry.sources import registry as revisions_registry

PROJECT_TEMPLATES = paths.TEMPLATES / "project"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROJECT_TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _context(options: ProjectOptions) -> dict[str, Any]:
    return {
        **asdict(options),
        "title": options.title,
        "toolkit_requirement": options.toolkit_requirement,
        "description": options.description,
        "registry_name": options.registry_name,
        "uri_scheme": options.uri_scheme,
        "newest": _newest_by_era(),
        "registry_transports": [REGISTRY_TRANSPORT[t] for t in options.transports],
        "http_host_key": http_entry_name(options),
        "feature_docs": {name: FEATURES[name] for name in options.features},
        "tool_names": tool_names(options.features),
        "http_url": http_url(options),
        "port_variable": port_variable(options),
        "bindings_package": generated.module_name(options.revision),
        "host_config_file": HOST_CONFIG,
        "server_json_file": SERVER_JSON,
    }


def _newest_by_era() -> dict[str, str]:
    """The newest served wire version of each era (what a project's own tests send)."""
    return {revisions_registry.era_of(v): v for v in revisions.available()}


def _dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _format_python(path: str, source: str) -> str:
    try:
        return black.format_str(source, mode=black.Mode())
    except InvalidInput as exc:  # a template bug, not user input
        raise ScaffoldError(f"template for {path} rendered invalid Python: {exc}") from exc


def render_project(options: ProjectOptions) -> dict[str, str]:
    """All files of the project: relative POSIX path -> text."""
    env = _environment()
    context = _context(options)
    files: dict[str, str] = {}
    for spec in PROJECT_FILES:
        if not spec.include(options):
            continue
        path = env.from_string(spec.output).render(context)
        text = env.get_template(spec.template).render(context)
        files[path] = _format_python(path, text) if path.endswith(".py") else text
    files[SERVER_JSON] = _dump_json(server_json(options))
    files[HOST_CONFIG] = _dump_json(mcp_servers(options))
    return files
