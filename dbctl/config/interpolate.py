"""``${VAR}`` and ``${VAR:-default}`` expansion of configuration values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

_PATTERN = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}|\$\{")


class MissingVariable(Exception):
    """A ``${VAR}`` without default names a variable that is not set."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class MalformedReference(Exception):
    """A ``${`` that does not form a valid reference."""


def interpolate(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Expand references in ``value``; ``$$`` stands for a literal ``$``.

    An empty variable counts as set for ``${VAR}``; ``${VAR:-d}`` uses ``d`` when the variable
    is unset or empty, as in POSIX shells.
    """
    env = os.environ if environ is None else environ

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name")
        if name is None:
            raise MalformedReference(value)
        default = match.group("default")
        current = env.get(name)
        if default is not None:
            return current if current else default
        if current is None:
            raise MissingVariable(name)
        return current

    return _PATTERN.sub(replace, value)
