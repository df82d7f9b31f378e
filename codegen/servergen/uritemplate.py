"""RFC 6570 URI templates as resource templates use them: the variables a template
names, and its expansion with string values (levels 1-3; prefix and explode modifiers
are read but treated as plain variables)."""

from __future__ import annotations

import re
from urllib.parse import quote

EXPRESSION = re.compile(r"\{([^{}]*)\}")
# operator -> (first, separator, named, allow reserved characters)
OPERATORS = {
    "": ("", ",", False, False),
    "+": ("", ",", False, True),
    "#": ("#", ",", False, True),
    ".": (".", ".", False, False),
    "/": ("/", "/", False, False),
    ";": (";", ";", True, False),
    "?": ("?", "&", True, False),
    "&": ("&", "&", True, False),
}
RESERVED = ":/?#[]@!$&'()*+,;="


def _split(expression: str) -> tuple[str, list[str]]:
    operator = expression[:1] if expression[:1] in OPERATORS and expression[:1] else ""
    names = [re.sub(r"(:\d+|\*)$", "", v) for v in expression[len(operator) :].split(",")]
    return operator, [n for n in names if n]


def variables(template: str) -> list[str]:
    """The variable names in order of first appearance."""
    found: list[str] = []
    for expression in EXPRESSION.findall(template):
        for name in _split(expression)[1]:
            if name not in found:
                found.append(name)
    return found


def optional(template: str) -> set[str]:
    """Variables of query expressions (``{?q}``, ``{&page}``): a URI may leave them out."""
    return {
        name
        for expression in EXPRESSION.findall(template)
        if _split(expression)[0] in ("?", "&")
        for name in _split(expression)[1]
    }


def expand(template: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        operator, names = _split(match.group(1))
        first, separator, named, reserved = OPERATORS[operator]
        parts = []
        for name in names:
            if name not in values:
                continue
            value = quote(values[name], safe=RESERVED if reserved else "")
            if named:
                value = f"{name}={value}" if value or operator != ";" else name
            parts.append(value)
        return first + separator.join(parts) if parts else ""

    return EXPRESSION.sub(one, template)
