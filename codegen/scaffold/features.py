"""What ``--with`` can add to a new project: each feature is one example in the server
module and the tests that exercise it."""

from __future__ import annotations

from types import MappingProxyType

# name -> one line for --help and the README; order here is the order everywhere else
FEATURES = MappingProxyType(
    {
        "tools": "a typed tool (tools/list, tools/call)",
        "resources": "a static resource and a resource template (resources/list, resources/read)",
        "prompts": "a prompt with arguments (prompts/list, prompts/get)",
    }
)

DEFAULT_FEATURES = ("tools", "resources", "prompts")
