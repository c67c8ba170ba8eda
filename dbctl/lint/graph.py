"""The revision graph of every migration file, as the graph rules (DB5xx) see it.

Works on :class:`~dbctl.lint.parse.RevisionInfo` records only: no Alembic, no imports of the
migrations. What is wrong with the graph is each graph rule's business
(:meth:`~dbctl.lint.registry.Rule.check_graph`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from dbctl.lint.parse import RevisionInfo


class RevisionGraph:
    """The revisions of ``infos``: the first file to declare an id owns it; later ones are
    ``duplicates``. Files that could not be used (``info.error``) are in ``infos`` only."""

    def __init__(self, infos: Sequence[RevisionInfo]) -> None:
        self.infos = infos
        self.nodes: dict[str, RevisionInfo] = {}
        self.duplicates: list[tuple[RevisionInfo, RevisionInfo]] = []  # (duplicate, first)
        valid = sorted((i for i in infos if i.revision is not None), key=lambda i: i.file)
        for info in valid:
            first = self.nodes.setdefault(info.revision, info)  # type: ignore[arg-type]
            if first is not info:
                self.duplicates.append((info, first))
        self.labels = {label for info in valid for label in info.branch_labels}

    def heads(self) -> list[str]:
        """Revisions that no other revision names as ``down_revision``, sorted."""
        parents = {p for info in self.nodes.values() for p in info.down_revisions}
        return sorted(rev for rev in self.nodes if rev not in parents)

    def cycles(self) -> list[list[str]]:
        """The cycles along ``down_revision`` edges."""
        return _cycles(self.nodes)


def _cycles(nodes: dict[str, RevisionInfo]) -> list[list[str]]:
    """The cycles along ``down_revision`` edges (iterative: chains are thousands long)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(nodes, white)
    cycles: list[list[str]] = []
    for start in sorted(nodes):
        if colour[start] != white:
            continue
        path: list[str] = [start]
        stack = [iter(nodes[start].down_revisions)]
        colour[start] = grey
        while stack:
            parent = next(stack[-1], None)
            if parent is None:
                colour[path.pop()] = black
                stack.pop()
                continue
            if parent not in nodes:
                continue
            if colour[parent] == grey:
                cycles.append(path[path.index(parent) :])
            elif colour[parent] == white:
                colour[parent] = grey
                path.append(parent)
                stack.append(iter(nodes[parent].down_revisions))
    return cycles


def revisions_after(infos: Sequence[RevisionInfo], revision: str) -> set[str] | None:
    """The revisions that come after ``revision`` (its descendants), or None if it is unknown.

    A unique prefix of a revision id is accepted, as Alembic does.
    """
    ids = {i.revision for i in infos if i.revision is not None}
    if revision not in ids:
        matches = [rev for rev in ids if rev.startswith(revision)]
        if len(matches) != 1:
            return None
        revision = matches[0]
    children: dict[str, list[str]] = defaultdict(list)
    for info in infos:
        if info.revision is not None:
            for parent in info.down_revisions:
                children[parent].append(info.revision)
    after: set[str] = set()
    todo = list(children[revision])
    while todo:
        rev = todo.pop()
        if rev not in after:
            after.add(rev)
            todo.extend(children[rev])
    after.discard(revision)
    return after
