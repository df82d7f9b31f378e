"""The models module of a surface's bindings, written by datamodel-code-generator driven
as a library from the one document :mod:`mcp_foundry.servergen.schemas` builds."""

from __future__ import annotations

import json
import warnings
from typing import Any

from datamodel_code_generator import InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, StrictTypes
from datamodel_code_generator.format import Formatter
from mcp_foundry.servergen.errors import SurfaceError

OPTIONS: dict[str, Any] = {
    "input_file_type": InputFileType.JsonSchema,
    "output_model_type": DataModelType.PydanticV2BaseModel,
    "target_python_version": PythonVersion.PY_311,
    "skip_root_model": True,  # the document's root only holds $defs
    "parent_scoped_naming": True,  # inline objects: GetForecastInputLocation, not Location1
    "allow_population_by_field_name": True,  # the client passes Python names
    "use_annotated": True,
    "field_constraints": True,
    "use_schema_description": True,
    "use_field_description": True,
    "use_attribute_docstrings": True,
    "enum_field_as_literal": "all",
    "use_double_quotes": True,
    "disable_timestamp": True,
    "infer_union_variant_names": True,  # PickInputShapeCircle, not PickInputShape1
    "collapse_root_models": True,  # a $ref to a plain type is that type, not a wrapper
    # no silent coercion ("yes" -> True, "3" -> 3): what the schema refuses is refused
    "strict_types": [StrictTypes.str, StrictTypes.int, StrictTypes.float, StrictTypes.bool],
    # formats whose pydantic types would change what is sent (SecretStr dumps "****",
    # Base64Str decodes) or need an optional package (EmailStr): plain strings
    "type_mappings": [
        "string+password=string",
        "string+byte=string",
        "string+email=string",
        "string+idn-email=string",
    ],
    "formatters": [Formatter.BLACK, Formatter.ISORT],
}


def render(document: dict[str, Any], header: str) -> str:
    """Python source of every model in ``document`` (its ``$defs``), ``header`` first."""
    if not document.get("$defs"):
        return header + "\n"  # a server with neither tools nor prompts: no models
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            source = generate(
                json.dumps(document, ensure_ascii=False),
                custom_file_header=header,
                **OPTIONS,
            )
    except Exception as exc:  # the generator raises many kinds; all mean "cannot bind"
        raise SurfaceError(f"datamodel-code-generator: {exc}") from exc
    if not isinstance(source, str):
        raise SurfaceError("datamodel-code-generator returned no single module")
    return source
