"""Turn the raw command-line input of ``new`` into validated project options.

All checks happen here, before anything is rendered or written, and each failure names
the offending value and what would be accepted.
"""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import dataclass
from importlib import metadata

from mcp_foundry import generated, paths
from mcp_foundry.scaffold.errors import ScaffoldError
from mcp_foundry.scaffold.features import DEFAULT_FEATURES, FEATURES
from mcp_foundry.sources import registry
from mcp_foundry.sources.errors import SchemaSourceError

TRANSPORTS = {"stdio": ("stdio",), "http": ("http",), "both": ("stdio", "http")}
DEFAULT_HTTP_PORT = 8000
DEFAULT_NAMESPACE = "io.github.example"

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_NAME_MAX = 64
_NAMESPACE = re.compile(r"^[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+$")
# import names a project must not shadow: what it imports itself, and pytest's folder
_TAKEN_MODULES = frozenset(
    {
        "mcp",
        "mcp_types",
        "mcp_foundry",
        "pydantic",
        "pytest",
        "anyio",
        "httpx",
        "starlette",
        "uvicorn",
        "click",
        "jinja2",
        "tests",
        "test",
        "conftest",
    }
)
_TAKEN_DISTRIBUTIONS = frozenset({"mcp", paths.DISTRIBUTION, "mcp-types", "pydantic", "pytest"})


@dataclass(frozen=True, slots=True)
class ProjectOptions:
    """Everything a project template may ask about the project it renders."""

    name: str
    """Distribution name, console script, host-config key and server.json suffix."""
    module: str
    """Import name of the server package (``name`` with ``-`` as ``_``)."""
    revision: str
    """The protocol revision the project targets (its tests pin it where the SDK can)."""
    wire_version: str
    """The protocol version spoken for ``revision`` (one that is not a wire version, such
    as ``draft``, speaks the newest of its era)."""
    era: str
    """``legacy`` or ``modern``: the era of ``wire_version``."""
    transports: tuple[str, ...]
    features: tuple[str, ...]
    namespace: str
    """Reverse-DNS owner for the registry name ``<namespace>/<name>``."""
    toolkit_version: str
    version: str = "0.1.0"
    http_port: int = DEFAULT_HTTP_PORT

    @property
    def toolkit_requirement(self) -> str:
        """The toolkit versions a project accepts: this release up to the next breaking one
        (the next minor while on 0.x, else the next major)."""
        major, minor = (int(part) for part in self.toolkit_version.split(".")[:2])
        upper = f"{major}.{minor + 1}" if major == 0 else f"{major + 1}"
        return f"{paths.DISTRIBUTION}>={self.toolkit_version},<{upper}"

    @property
    def title(self) -> str:
        return " ".join(part.capitalize() for part in re.split(r"[-_]", self.name))

    @property
    def description(self) -> str:
        return f"{self.title}: an MCP server ({', '.join(self.features) or 'no features'})"

    @property
    def uri_scheme(self) -> str:
        """URI scheme of the example resources (schemes allow no ``_``)."""
        return self.name.replace("_", "-")

    @property
    def registry_name(self) -> str:
        return f"{self.namespace}/{self.name}"


def build_options(
    name: str,
    *,
    revision: str | None = None,
    transport: str = "both",
    features: str | None = None,
    namespace: str = DEFAULT_NAMESPACE,
) -> ProjectOptions:
    """Validate every input at once; raise :class:`ScaffoldError` on the first bad one."""
    checked_name = _check_name(name)
    chosen_revision, wire_version = _check_revision(revision)
    transports, chosen_features = _check_transport(transport), _check_features(features)
    if "auth" in chosen_features and "http" not in transports:
        raise ScaffoldError("--with auth protects the HTTP transport: use --transport http or both")
    return ProjectOptions(
        name=checked_name,
        module=checked_name.replace("-", "_"),
        revision=chosen_revision,
        wire_version=wire_version,
        era=registry.era_of(wire_version),
        transports=transports,
        features=chosen_features,
        namespace=_check_namespace(namespace),
        toolkit_version=metadata.version(paths.DISTRIBUTION),
    )


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        hint = " (use lowercase)" if _NAME.match(name.lower()) else ""
        raise ScaffoldError(
            f"invalid project name {name!r}{hint}: start with a lowercase letter, then "
            "lowercase letters, digits, and single '-' or '_' between them (e.g. 'weather-server')"
        )
    if len(name) > _NAME_MAX:
        raise ScaffoldError(f"invalid project name {name!r}: longer than {_NAME_MAX} characters")
    module = name.replace("-", "_")
    if keyword.iskeyword(module) or keyword.issoftkeyword(module):
        raise ScaffoldError(f"invalid project name {name!r}: {module!r} is a Python keyword")
    if module in sys.stdlib_module_names or module in _TAKEN_MODULES:
        raise ScaffoldError(
            f"invalid project name {name!r}: its import name {module!r} would shadow an "
            "existing module the project needs; pick a more specific name"
        )
    if re.sub(r"[-_.]+", "-", name) in _TAKEN_DISTRIBUTIONS:
        raise ScaffoldError(f"invalid project name {name!r}: the package {name!r} already exists")
    return name


def _check_revision(revision: str | None) -> tuple[str, str]:
    """The revision (default: the newest generated wire version) and the version it speaks;
    both need generated bindings, or the project could not import them."""
    try:
        known = registry.names()
        present = generated.available()
        chosen = revision or next((r for r in reversed(present) if registry.get(r).wire), None)
        if chosen is None:
            raise ScaffoldError("no generated bindings at all: run `mcp-foundry generate` first")
        if chosen not in known:
            raise ScaffoldError(f"unknown revision {chosen!r}: choose one of {', '.join(known)}")
        spoken = chosen if registry.get(chosen).wire else registry.latest(registry.era_of(chosen))
    except SchemaSourceError as exc:
        raise ScaffoldError(f"cannot list protocol revisions: {exc}") from exc
    missing = [r for r in dict.fromkeys((chosen, spoken)) if r not in present]
    if missing:
        raise ScaffoldError(
            f"no generated bindings for revision {', '.join(missing)}: run "
            f"`mcp-foundry generate {' '.join(missing)}` first (generated: {', '.join(present)})"
        )
    return chosen, spoken


def _check_transport(transport: str) -> tuple[str, ...]:
    try:
        return TRANSPORTS[transport]
    except KeyError:
        raise ScaffoldError(
            f"unknown transport {transport!r}: choose one of {', '.join(TRANSPORTS)}"
        ) from None


def _check_features(features: str | None) -> tuple[str, ...]:
    if features is None:
        return DEFAULT_FEATURES
    wanted = [f.strip() for f in features.split(",") if f.strip()]
    unknown = sorted({f for f in wanted if f not in FEATURES})
    if unknown:
        raise ScaffoldError(
            f"unknown feature{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}: "
            f"choose from {', '.join(FEATURES)}"
        )
    if not wanted:
        raise ScaffoldError(f"--with needs at least one feature: {', '.join(FEATURES)}")
    return tuple(f for f in FEATURES if f in wanted)


def _check_namespace(namespace: str) -> str:
    if not _NAMESPACE.match(namespace):
        raise ScaffoldError(
            f"invalid namespace {namespace!r}: a reverse-DNS name such as 'io.github.your-user'"
        )
    return namespace
