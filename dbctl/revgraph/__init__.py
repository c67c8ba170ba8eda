"""The revision graph of a project, read without executing a single file.

:mod:`~dbctl.revgraph.headers` reads revision files (never imports them);
:mod:`~dbctl.revgraph.graph` answers what follows from their parents: heads, bases, cycles,
ancestors, descendants, ranges and the linear fast path. Neither imports Alembic or
SQLAlchemy, so the linter, `history`/`heads` and the migration runner share them.
"""

from __future__ import annotations

from dbctl.revgraph.graph import Missing, Node, RevisionGraph, RevisionNode
from dbctl.revgraph.headers import Header, read_revision_headers

__all__ = [
    "Header",
    "Missing",
    "Node",
    "RevisionGraph",
    "RevisionNode",
    "read_revision_headers",
]
