"""The revision graph of a project, read without executing a single file.

:mod:`~dbctl.revgraph.headers` reads revision files (never imports them);
:mod:`~dbctl.revgraph.graph` answers what follows from their parents: heads, bases, cycles,
ancestors, descendants, ranges and the linear fast path. Neither imports Alembic or
SQLAlchemy, so the linter, `history`/`heads` and the migration runner share them.
"""

from __future__ import annotations

from pathlib import Path

from dbctl.config.model import ProjectConfig
from dbctl.revgraph.graph import Missing, Node, RevisionGraph, RevisionNode
from dbctl.revgraph.headers import Header, read_revision_headers

__all__ = [
    "Header",
    "Missing",
    "Node",
    "RevisionGraph",
    "RevisionNode",
    "read_revision_headers",
    "versions_dirs",
]


def versions_dirs(project: ProjectConfig) -> tuple[Path, ...]:
    """Where the migrations live: ``version_locations``, else ``script_location/versions``."""
    return project.version_locations or (project.script_location / "versions",)
