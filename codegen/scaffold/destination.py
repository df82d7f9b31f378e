"""Put a rendered project on disk all at once, or not at all.

The files are written into a hidden temporary sibling of the target and then renamed
into place, so an interrupted or failed write never leaves a half-made project.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from mcp_foundry.scaffold.errors import ScaffoldError


def check_target(target: Path) -> None:
    """The target must be absent or an empty directory; its parent may be created."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ScaffoldError(f"{target} exists and is not a directory")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty; choose a new --dir")
    for ancestor in target.parents:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise ScaffoldError(f"cannot create {target}: {ancestor} is not a directory")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise ScaffoldError(f"cannot create {target}: {ancestor} is not writable")
            break


def write_tree(files: Mapping[str, str], target: Path) -> None:
    """Write ``files`` (relative POSIX path -> text) as the new directory ``target``."""
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        for relative, text in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.chmod(staging, 0o755)
        # rename(2) replaces an empty directory atomically and refuses a non-empty one
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ScaffoldError(f"could not write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
