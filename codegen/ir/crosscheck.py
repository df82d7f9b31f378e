"""Compare schema.ts with schema.json, definition by definition, property by property.

schema.ts is normative; schema.json is generated from it upstream and loses or bends a
few things. Every disagreement found here must be explained by a named override
(:mod:`mcp_foundry.ir.overrides`, applied before comparing) or it is reported by
``mcp-foundry check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import frozen
from mcp_foundry.ir.typescript import (
    TsArray,
    TsIntersection,
    TsLiteral,
    TsModule,
    TsName,
    TsObject,
    TsType,
    TsTypeof,
    TsUnion,
    declaration_members,
    members,
)


@frozen
class Disagreement:
    path: str
    """``Definition`` or ``Definition.property[.nested]``."""
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


_SCALARS = {"string": "string", "number": "number", "boolean": "boolean", "null": "null"}


class CrossChecker:
    def __init__(self, ts: TsModule, schema_defs: Mapping[str, Any]) -> None:
        self.ts = ts
        self.defs = schema_defs
        self.found: list[Disagreement] = []

    def run(self) -> list[Disagreement]:
        ts_names = set(self.ts.declarations)
        json_names = set(self.defs)
        for name in sorted(ts_names - json_names):
            self.found.append(Disagreement(name, "declared in schema.ts, missing from schema.json"))
        for name in sorted(json_names - ts_names):
            self.found.append(Disagreement(name, "in schema.json, not declared in schema.ts"))
        for name in sorted(ts_names & json_names):
            decl = self.ts.declarations[name]
            if decl.kind == "interface":
                ts_members = declaration_members(self.ts, decl)
                self._object(name, ts_members.properties, ts_members.index, self.defs[name])
            else:
                assert decl.body is not None
                self._type(name, decl.body, self.defs[name])
        return self.found

    def _report(self, path: str, message: str) -> None:
        self.found.append(Disagreement(path, message))

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while set(schema) <= {"$ref", "description"} and "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def _object(
        self,
        path: str,
        ts_props: Mapping[str, Any],
        index: TsType | None,
        schema: Mapping[str, Any],
    ) -> None:
        schema = self._flatten(self._resolve(schema))
        json_props: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        for name in sorted(set(ts_props) | set(json_props)):
            where = f"{path}.{name}"
            if name not in json_props:
                self._report(where, "property missing from schema.json")
                continue
            if name not in ts_props:
                self._report(where, "property not in schema.ts")
                continue
            prop = ts_props[name]
            if prop.optional == (name in required):
                self._report(
                    where,
                    f"{'optional' if prop.optional else 'required'} in schema.ts, "
                    f"{'required' if name in required else 'optional'} in schema.json",
                )
            self._type(where, prop.type, json_props[name])
        additional = schema.get("additionalProperties")
        json_open = additional is not None and additional is not False
        if (index is not None) != json_open:
            self._report(
                path,
                "index signature in schema.ts but closed in schema.json"
                if index is not None
                else "closed in schema.ts but additionalProperties in schema.json",
            )

    def _flatten(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        if "allOf" not in schema:
            return schema
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in schema["allOf"]:
            flat = self._flatten(self._resolve(part))
            merged["properties"].update(flat.get("properties", {}))
            merged["required"] += flat.get("required", [])
            if "additionalProperties" in flat:
                merged["additionalProperties"] = flat["additionalProperties"]
        return merged

    def _type(self, path: str, ts_type: TsType, schema: Mapping[str, Any]) -> None:
        if isinstance(ts_type, TsName) and ts_type.name == "Array" and len(ts_type.args) == 1:
            ts_type = TsArray(ts_type.args[0])
        if isinstance(ts_type, TsName) and ts_type.name in ("unknown", "any"):
            if set(schema) - {"description"}:
                self._report(path, f"unknown in schema.ts, {_short(schema)} in schema.json")
            return
        if isinstance(ts_type, TsName) and ts_type.name in self.ts.declarations:
            decl = self.ts.declarations[ts_type.name]
            target = schema.get("$ref", "").rsplit("/", 1)[-1]
            if target == ts_type.name:
                return
            if decl.kind == "alias" and decl.body is not None:
                # schema.json inlines aliases of scalars/arrays and renames alias chains.
                self._type(path, decl.body, schema)
                return
            if "$ref" not in schema and schema.get("type") == "object":
                # schema.json copied the interface inline (single-member union aliases).
                flat = declaration_members(self.ts, decl)
                self._object(path, flat.properties, flat.index, schema)
                return
            self._report(path, f"{ts_type.name} in schema.ts, {_short(schema)} in schema.json")
            return
        if isinstance(ts_type, TsName) and ts_type.name == "object":
            if self._resolve(schema).get("type") != "object":
                self._report(path, f"object in schema.ts, {_short(schema)} in schema.json")
            return
        if isinstance(ts_type, TsTypeof):
            value = self.ts.constants.get(ts_type.constant)
            if schema.get("const") != value:
                self._report(
                    path, f"typeof {ts_type.constant} ({value!r}), {_short(schema)} in schema.json"
                )
            return
        if isinstance(ts_type, TsLiteral):
            if schema.get("const") != ts_type.value:
                self._report(
                    path, f"literal {ts_type.value!r} in schema.ts, {_short(schema)} in schema.json"
                )
            return
        if isinstance(ts_type, TsName) and ts_type.name in _SCALARS:
            kinds = schema.get("type")
            if kinds != ts_type.name:
                self._report(path, f"{ts_type.name} in schema.ts, {_short(schema)} in schema.json")
            return
        if isinstance(ts_type, TsArray):
            if schema.get("type") != "array":
                self._report(path, f"array in schema.ts, {_short(schema)} in schema.json")
            else:
                self._type(path + "[]", ts_type.item, schema.get("items", {}))
            return
        if isinstance(ts_type, TsUnion):
            self._union(path, ts_type, schema)
            return
        resolved = members(self.ts, ts_type)
        if isinstance(ts_type, (TsObject, TsIntersection)) or (
            isinstance(ts_type, TsName) and ts_type.name in ("Record", "Omit", "object")
        ):
            if resolved is None:
                self._report(path, f"unsupported TS type {ts_type!r}")
                return
            schema = self._resolve(schema)
            if schema.get("type") != "object" and "allOf" not in schema:
                self._report(path, f"object in schema.ts, {_short(schema)} in schema.json")
                return
            if not resolved.properties and resolved.index is not None:
                additional = schema.get("additionalProperties")
                if additional is False or schema.get("properties"):
                    self._report(path, "map in schema.ts, closed object in schema.json")
                elif isinstance(additional, Mapping):
                    self._type(path + "{}", resolved.index, additional)
                return
            self._object(path, resolved.properties, resolved.index, schema)
            return
        self._report(path, f"unsupported TS type {ts_type!r}")

    def _expand(self, members: tuple[TsType, ...]) -> list[TsType]:
        """Inline TS aliases of unions, as schema.json does."""
        out: list[TsType] = []
        for member in members:
            decl = self.ts.declarations.get(member.name) if isinstance(member, TsName) else None
            if decl is not None and decl.kind == "alias" and isinstance(decl.body, TsUnion):
                out.extend(self._expand(decl.body.members))
            else:
                out.append(member)
        return out

    def _union(self, path: str, ts_type: TsUnion, schema: Mapping[str, Any]) -> None:
        literals = [
            m.value for m in ts_type.members if isinstance(m, TsLiteral) and m.value is not None
        ]
        names = [
            m for m in ts_type.members if not (isinstance(m, TsLiteral) and m.value is not None)
        ]
        if literals and not names:
            if "enum" in schema:
                if sorted(map(str, schema["enum"])) != sorted(map(str, literals)):
                    self._report(
                        path, f"enum {literals} in schema.ts, {schema['enum']} in schema.json"
                    )
                return
        scalar = [
            "null" if isinstance(m, TsLiteral) else m.name
            for m in names
            if (isinstance(m, TsName) and m.name in _SCALARS) or isinstance(m, TsLiteral)
        ]
        if literals and scalar == ["string"] and len(names) == 1:
            if schema.get("type") != "string" or "enum" in schema:
                self._report(path, f"open enum in schema.ts, {_short(schema)} in schema.json")
            return
        if len(scalar) == len(names) and not literals and "type" in schema:
            kinds = schema.get("type")
            kinds = sorted(kinds) if isinstance(kinds, list) else [kinds]
            if kinds != sorted(scalar):
                self._report(
                    path, f"{' | '.join(scalar)} in schema.ts, {_short(schema)} in schema.json"
                )
            return
        ts_members = self._expand(ts_type.members)
        raw_options = schema.get("anyOf") or schema.get("oneOf")
        if raw_options is None:
            self._report(path, f"union in schema.ts, {_short(schema)} in schema.json")
            return
        options: list[Mapping[str, Any]] = []
        for option in raw_options:
            kinds = option.get("type")
            if isinstance(kinds, list):  # schema.json folds scalar members into one option
                options.extend({**option, "type": k} for k in kinds)
            else:
                options.append(option)
        ts_type = TsUnion(
            tuple(
                TsName("null") if isinstance(m, TsLiteral) and m.value is None else m
                for m in ts_members
            )
        )
        if len(options) != len(ts_type.members):
            self._report(
                path,
                f"{len(ts_type.members)} union members in schema.ts, {len(options)} in schema.json",
            )
            return
        # Member order is not meaningful: match each TS member with some JSON option.
        unmatched = list(options)
        for member in ts_type.members:
            match = next((o for o in unmatched if self._agrees(path, member, o)), None)
            if match is None:
                self._report(path, f"union member {member!r} has no counterpart in schema.json")
            else:
                unmatched.remove(match)

    def _agrees(self, path: str, ts_type: TsType, schema: Mapping[str, Any]) -> bool:
        trial = CrossChecker(self.ts, self.defs)
        trial._type(path, ts_type, schema)
        return not trial.found


def _short(schema: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in schema.items() if k not in ("description", "properties", "items")}
    return str(shown)[:120]


def crosscheck(ts: TsModule, schema_defs: Mapping[str, Any]) -> list[Disagreement]:
    """Every unexplained disagreement between the two sources, sorted by path."""
    return sorted(CrossChecker(ts, schema_defs).run(), key=lambda d: d.path)
