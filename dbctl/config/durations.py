"""Durations in configuration and on the command line: ``500ms``, ``5s``, ``10min``, ``1h``."""

from __future__ import annotations

import re

_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)\s*$")


def parse_duration(value: str | int | float) -> float:
    """Return seconds. A bare number means seconds. Raises ``ValueError`` with the accepted forms."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5s, 500ms, 10min or 1h")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    match = _DURATION.match(value.lower())
    if not match or match["unit"] not in _UNITS and match["unit"] != "":
        raise ValueError(f"{value!r} is not a duration (use e.g. 5s, 500ms, 10min, 1h)")
    return float(match["num"]) * _UNITS.get(match["unit"], 1.0)


def format_duration(seconds: float) -> str:
    """Render seconds compactly for humans: ``850ms``, ``2.4s``, ``3min 5s``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}min {rest}s"
