"""A surface's typed package as files: ``models.py`` (datamodel-code-generator),
``client.py`` (one method per tool, prompt and resource template), ``__init__.py``,
``py.typed`` and ``surface.json``, the snapshot it was generated from.

Everything is a function of the surface and the package name, formatted by isort and
black, so regenerating from an unchanged server gives identical bytes: that is what
``--check`` compares (with ``generate``'s own drift and atomic write helpers).
"""

from __future__ import annotations

import ast
import keyword
from typing import Any

import attrs
import black
import isort
from black.mode import TargetVersion
from mcp_foundry.emit.render import environment
from mcp_foundry.ir.naming import pascal, snake
from mcp_foundry.servergen import models, naming, schemas
from mcp_foundry.servergen.errors import SurfaceError
from mcp_foundry.servergen.fields import Field, classes, imported, root_models
from mcp_foundry.servergen.surface import Surface
from mcp_foundry.servergen.uritemplate import optional, variables

BASE = "mcp_foundry.servergen.base"
BLACK_MODE = black.Mode(target_versions={TargetVersion.PY311})  # black's own line length
ISORT = isort.Config(profile="black", known_third_party=["mcp_foundry", "pydantic"])


@attrs.frozen
class Param:
    name: str
    annotation: str
    required: bool
    key: str
    """The model field (tools, prompts) or URI-template variable (resources) it fills."""


@attrs.frozen
class Method:
    name: str
    params: list[Param]
    returns: str
    call: str
    target: str
    models: list[str]
    doc: str


def _python(source: str) -> str:
    return black.format_str(isort.code(source, config=ISORT), mode=BLACK_MODE)


def _params(fields: list[tuple[str, str, bool]]) -> list[Param]:
    """Keyword arguments for (key, annotation, required): the key itself when it can be
    one (model fields always can), with ``_`` appended past ``self`` and duplicates."""
    taken = {"self"}
    params = []
    for key, annotation, required in fields:
        name = key if key.isidentifier() and not keyword.iskeyword(key) else snake(key)
        while name in taken:
            name += "_"
        taken.add(name)
        params.append(Param(name, annotation, required, key))
    return params


def _model_params(fields: list[Field], whole: bool) -> list[Param]:
    """The method's keyword arguments for a model: one per field, or for a root model
    (``whole``) its value as ``arguments``."""
    if whole:
        (root,) = fields
        return [Param("arguments", root.annotation, True, "root")]
    return _params([(f.name, f.annotation, f.required) for f in fields])


def _described(item: dict[str, Any]) -> str:
    return str(item.get("description") or item.get("title") or "").strip()


def _methods(
    surface: Surface,
    names: dict[tuple[str, str], naming.Names],
    model_fields: dict[str, list[Field]],
    wholes: set[str],
) -> list[Method]:
    methods = []
    for tool in surface.tools:
        stem = names[("tool", tool["name"])].stem
        has_output = f"{stem}Output" in model_fields
        methods.append(
            Method(
                names[("tool", tool["name"])].method,
                _model_params(model_fields[f"{stem}Input"], f"{stem}Input" in wholes),
                f"{stem}Output" if has_output else "ToolResult",
                "_call_structured" if has_output else "_call_tool",
                tool["name"],
                [f"{stem}Input", f"{stem}Output"] if has_output else [f"{stem}Input"],
                _described(tool),
            )
        )
    for prompt in surface.prompts:
        found = names[("prompt", prompt["name"])]
        model = f"{found.stem}Arguments"
        methods.append(
            Method(
                found.method,
                _model_params(model_fields[model], model in wholes),
                "PromptResult",
                "_get_prompt",
                prompt["name"],
                [model],
                _described(prompt),
            )
        )
    for template in surface.resource_templates:
        found = names[("resource_template", template["name"])]
        uri = str(template.get("uriTemplate", ""))
        query = optional(uri)
        params = _params([(v, "str", v not in query) for v in variables(uri)])
        doc = "\n\n".join(filter(None, [_described(template), f"Reads ``{uri}``."]))
        methods.append(
            Method(found.method, params, "ResourceResult", "_read_resource", uri, [], doc)
        )
    return methods


def _imports(
    methods: list[Method], model_fields: dict[str, list[Field]], tree: ast.Module
) -> list[tuple[str, list[str]]]:
    """``from X import a, b`` lines the client needs: the base, the models it names and
    whatever their field annotations use."""
    sources = imported(tree)
    wanted: dict[str, set[str]] = {BASE: {"ServerClient"}}
    for method in methods:
        for name in [*method.models, method.returns]:
            module = ".models" if name in model_fields else BASE
            wanted.setdefault(module, set()).add(name)
        if any(not p.required for p in method.params):
            wanted[BASE] |= {"UNSET", "Unset"}
        for param in method.params:
            used = {n.id for n in ast.walk(ast.parse(param.annotation)) if isinstance(n, ast.Name)}
            for name in used:
                if name in model_fields:
                    wanted.setdefault(".models", set()).add(name)
                elif name in sources:
                    wanted.setdefault(sources[name], set()).add(name)
    return sorted((module, sorted(names)) for module, names in wanted.items())


def pinned(surface: Surface) -> Surface:
    """What the package records: the lists and the server's name, not its version or the
    negotiated revision, so a release that changes neither list leaves it unchanged."""
    name = (surface.server or {}).get("name")
    server = {"name": name} if isinstance(name, str) else None
    return attrs.evolve(surface, server=server, protocol_version=None)


def render(surface: Surface, package: str) -> dict[str, str]:
    """File name -> content of the package ``package`` for ``surface``."""
    if not package.isidentifier():
        raise SurfaceError(f"{package!r} is not a Python package name")
    surface = pinned(surface)
    names = naming.assign(surface)
    title = str((surface.server or {}).get("name", "an MCP server"))
    header = (
        f'"""Models of the tools and prompts of {title}.\n\n'
        'Generated by ``mcp-foundry server bindings`` from ``surface.json``; do not edit."""'
    )
    source = models.render(schemas.document(schemas.model_schemas(surface, names)), header)
    tree = ast.parse(source)
    model_fields = classes(tree)
    methods = _methods(surface, names, model_fields, root_models(tree))
    class_name = pascal(package).removesuffix("Client") + "Client"
    env = environment("servergen")
    client = env.get_template("client.py.j2").render(
        doc=f"Typed client for {title}.\n\n"
        "Generated by ``mcp-foundry server bindings``; do not edit.",
        imports=_imports(methods, model_fields, tree),
        class_name=class_name,
        class_doc=f"One method per tool, prompt and resource template of {title}.",
        methods=methods,
    )
    init = env.get_template("init.py.j2").render(
        doc=f"Typed bindings for {title}: ``{class_name}`` and the models in ``models``.",
        class_name=class_name,
    )
    return {
        "__init__.py": _python(init),
        "client.py": _python(client),
        "models.py": _python(source),
        "py.typed": "",
        "surface.json": surface.to_json(),
    }
