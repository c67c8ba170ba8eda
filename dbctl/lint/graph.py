"""The revision graph of every migration file, as the graph rules (DB5xx) see it: the project's
one revision graph (:class:`dbctl.revgraph.RevisionGraph`) over the linter's parsed records.

Works on :class:`~dbctl.lint.parse.RevisionInfo` records only: no Alembic, no imports of the
migrations. What is wrong with the graph is each graph rule's business
(:meth:`~dbctl.lint.registry.Rule.check_graph`).
"""

from __future__ import annotations

from collections.abc import Sequence

from dbctl.lint.parse import RevisionInfo
from dbctl.revgraph import RevisionGraph


class LintGraph(RevisionGraph[RevisionInfo]):
    """The revisions of ``infos``, files in name order: the first file to declare an id owns it;
    later ones are in ``duplicates`` as (first, duplicate). Files that could not be used
    (``info.error``) are in ``infos`` only."""

    def __init__(self, infos: Sequence[RevisionInfo]) -> None:
        self.infos = infos
        super().__init__(sorted((i for i in infos if i.revision is not None), key=lambda i: i.file))
        self.labels = {label for info in self.nodes.values() for label in info.branch_labels}

    def heads(self) -> list[str]:
        """Revisions that no other revision names as ``down_revision``, sorted."""
        return sorted(super().heads())


def revisions_after(infos: Sequence[RevisionInfo], revision: str) -> set[str] | None:
    """The revisions that come after ``revision`` (its descendants), or None if it is unknown.

    A unique prefix of a revision id is accepted, as Alembic does.
    """
    graph = LintGraph(infos)
    resolved = graph.resolve(revision)
    return None if resolved is None else graph.descendants(resolved)
