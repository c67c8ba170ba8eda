"""Compatibility: the model and database checks moved to :mod:`dbctl.checks`.

Kept only while ``dbctl.api`` and ``dbctl.cli.check`` still import from here; delete it once
they import :mod:`dbctl.checks`. It imports nothing until one of its names is used.
"""

from __future__ import annotations

from typing import Any

_MOVED = ("CheckOptions", "check_project", "model_findings")


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import dbctl.checks

        return getattr(dbctl.checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
