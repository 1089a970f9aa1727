"""GraphQL documents of the tap: `.graphql` files plus the generated follow-up query."""

from __future__ import annotations

import functools
import re
from importlib import resources

_FRAGMENT_START = re.compile(r"^fragment (\w+) on ", re.MULTILINE)
_SPREAD = re.compile(r"\.\.\.(\w+)")


@functools.cache
def _read(name: str) -> str:
    return resources.files(__package__).joinpath(f"{name}.graphql").read_text(encoding="utf-8")


@functools.cache
def _fragments() -> dict[str, str]:
    text = _read("fragments")
    starts = list(_FRAGMENT_START.finditer(text))
    fragments = {}
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        fragments[match.group(1)] = text[match.start() : end].strip()
    return fragments


def with_fragments(operation: str) -> str:
    """Append exactly the fragments `operation` uses (GraphQL rejects unused ones)."""
    fragments = _fragments()
    needed: list[str] = []
    pending = [name for name in _SPREAD.findall(operation) if name in fragments]
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        needed.append(name)
        pending.extend(n for n in _SPREAD.findall(fragments[name]) if n in fragments)
    return "\n\n".join([operation.strip(), *(fragments[name] for name in sorted(needed))]) + "\n"


@functools.cache
def load(name: str) -> str:
    """Return the named operation with its fragments, ready to send."""
    return with_fragments(_read(name))


def operation_names() -> list[str]:
    """Names of the `.graphql` files holding operations (everything but the fragments)."""
    files = resources.files(__package__).iterdir()
    names = [f.name.removesuffix(".graphql") for f in files if f.name.endswith(".graphql")]
    return sorted(name for name in names if name != "fragments")
