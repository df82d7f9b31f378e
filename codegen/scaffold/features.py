"""What ``--with`` can add to a new project: each feature is one example in the server
module and the tests that exercise it."""

from __future__ import annotations

from types import MappingProxyType

# name -> one line for --help and the README; order here is the order everywhere else
FEATURES = MappingProxyType(
    {
        "tools": "typed tools with text and structured output (tools/list, tools/call)",
        "resources": "a static resource and a resource template (resources/list, resources/read)",
        "prompts": "a prompt with arguments (prompts/list, prompts/get)",
        "progress": "a long-running tool reporting progress (notifications/progress)",
        "elicitation": (
            "a tool that asks the user (elicitation/create, or an input round on the modern wire)"
        ),
        "auth": "a protected HTTP server: OAuth bearer tokens, a tool needing an extra scope",
    }
)

DEFAULT_FEATURES = ("tools", "resources", "prompts")

# the example tools each feature declares, so tests know the exact tools/list
TOOLS = MappingProxyType(
    {
        "tools": ("add", "greet"),
        "progress": ("countdown",),
        "elicitation": ("favorite_color",),
        "auth": ("rotate_key", "whoami"),
    }
)


def tool_names(features: tuple[str, ...]) -> list[str]:
    return sorted(name for feature in features for name in TOOLS.get(feature, ()))
