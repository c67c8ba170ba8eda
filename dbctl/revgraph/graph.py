"""One revision graph: the revisions of a project and what follows from their parents.

Pure Python over plain records (no Alembic, no files): anything with ``revision``,
``down_revisions``, ``depends_on`` and ``branch_labels`` is a node — the headers of
:mod:`dbctl.revgraph.headers`, the linter's parsed files, or revisions Alembic has loaded.
A broken graph is still a graph: duplicate ids, parents that do not exist and cycles are
reported (:attr:`RevisionGraph.duplicates`, :meth:`RevisionGraph.missing`,
:meth:`RevisionGraph.cycles`), never raised, so the linter can name each one.

Edges: ``down_revision`` makes a parent. ``depends_on`` names revisions (or branch labels) that
must be applied first without being parents: it counts for what is applied below a revision
(:meth:`RevisionGraph.ancestors`) but not for heads, bases or cycles, as in Alembic.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class RevisionNode(Protocol):
    """What the graph reads from a revision."""

    @property
    def revision(self) -> str: ...
    @property
    def down_revisions(self) -> tuple[str, ...]: ...
    @property
    def depends_on(self) -> tuple[str, ...]: ...
    @property
    def branch_labels(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=RevisionNode)


@dataclass(frozen=True)
class Node:
    """A plain :class:`RevisionNode`, for callers that have no record of their own."""

    revision: str
    down_revisions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    branch_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Missing(Generic[N]):
    """A ``down_revision`` (``kind="down_revision"``) or ``depends_on`` entry naming nothing."""

    node: N
    name: str
    kind: str  # down_revision | depends_on


class RevisionGraph(Generic[N]):
    """The revisions ``nodes``, in the order given.

    That order is the graph's order: :meth:`between` and :meth:`ordered` keep it, so callers
    that give the nodes oldest first (Alembic's walk, reversed) get their answers oldest first.
    :meth:`topological` gives an order for nodes read in any order (files by name).
    The first node of an id wins; later ones are listed in :attr:`duplicates`.
    """

    def __init__(self, nodes: Iterable[N]) -> None:
        self.nodes: dict[str, N] = {}
        self.duplicates: list[tuple[N, N]] = []  # (the node kept, a later node with its id)
        for node in nodes:
            first = self.nodes.setdefault(node.revision, node)
            if first is not node:
                self.duplicates.append((first, node))
        self._children: dict[str, list[str]] | None = None

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, revision: object) -> bool:
        return revision in self.nodes

    def children(self, revision: str) -> list[str]:
        """The revisions whose ``down_revision`` names ``revision``, in graph order."""
        if self._children is None:
            self._children = {rev: [] for rev in self.nodes}
            for node in self.nodes.values():
                for parent in node.down_revisions:
                    if parent in self._children:
                        self._children[parent].append(node.revision)
        return self._children.get(revision, [])

    # -- shape ---------------------------------------------------------------------------------
    def heads(self) -> list[str]:
        """Revisions no other revision names as ``down_revision``, in graph order."""
        parents = {p for node in self.nodes.values() for p in node.down_revisions}
        return [rev for rev in self.nodes if rev not in parents]

    def bases(self) -> list[str]:
        """Revisions without a ``down_revision``, in graph order."""
        return [rev for rev, node in self.nodes.items() if not node.down_revisions]

    def missing(self) -> list[Missing[N]]:
        """Every parent or dependency that names no revision (a dependency may name a branch
        label), in graph order."""
        labels = {label for node in self.nodes.values() for label in node.branch_labels}
        found: list[Missing[N]] = []
        for node in self.nodes.values():
            found.extend(Missing(node, p, "down_revision") for p in node.down_revisions if p not in self.nodes)
            found.extend(
                Missing(node, d, "depends_on") for d in node.depends_on if d not in self.nodes and d not in labels
            )
        return found

    def cycles(self) -> list[list[str]]:
        """The cycles along ``down_revision`` edges, each from the revision first met, walking
        from the ids in sorted order (iterative: chains are thousands long)."""
        white, grey, black = 0, 1, 2
        colour = dict.fromkeys(self.nodes, white)
        cycles: list[list[str]] = []
        for start in sorted(self.nodes):
            if colour[start] != white:
                continue
            path = [start]
            stack = [iter(self.nodes[start].down_revisions)]
            colour[start] = grey
            while stack:
                parent = next(stack[-1], None)
                if parent is None:
                    colour[path.pop()] = black
                    stack.pop()
                    continue
                if parent not in self.nodes:
                    continue
                if colour[parent] == grey:
                    cycles.append(path[path.index(parent) :])
                elif colour[parent] == white:
                    colour[parent] = grey
                    path.append(parent)
                    stack.append(iter(self.nodes[parent].down_revisions))
        return cycles

    # -- reachability --------------------------------------------------------------------------
    def ancestors(self, revisions: Iterable[str], *, dependencies: bool = True) -> set[str]:
        """``revisions`` and everything below them: what a database at ``revisions`` has applied.
        Follows ``depends_on`` too unless ``dependencies`` is False; unknown ids are skipped."""
        seen: set[str] = set()
        stack = list(revisions)
        while stack:
            rev = stack.pop()
            node = self.nodes.get(rev)
            if node is None or rev in seen:
                continue
            seen.add(rev)
            stack.extend(node.down_revisions)
            if dependencies:
                stack.extend(node.depends_on)
        return seen

    def descendants(self, revision: str) -> set[str]:
        """Every revision above ``revision`` along ``down_revision`` edges (not itself)."""
        found: set[str] = set()
        stack = list(self.children(revision))
        while stack:
            rev = stack.pop()
            if rev not in found:
                found.add(rev)
                stack.extend(self.children(rev))
        found.discard(revision)  # only on a cycle
        return found

    def between(self, upper: Iterable[str], lower: Iterable[str]) -> list[str]:
        """Revisions applied at ``upper`` but not at ``lower``, in graph order: what an upgrade
        from ``lower`` to ``upper`` applies (or a downgrade the other way reverts)."""
        return self.ordered(self.ancestors(upper) - self.ancestors(lower))

    def ordered(self, revisions: Iterable[str]) -> list[str]:
        """``revisions`` (known ones only) in graph order."""
        wanted = set(revisions)
        return [rev for rev in self.nodes if rev in wanted]

    def resolve(self, prefix: str) -> str | None:
        """The id ``prefix`` names: itself, or the one id it starts (as Alembic accepts)."""
        if prefix in self.nodes:
            return prefix
        matches = [rev for rev in self.nodes if rev.startswith(prefix)]
        return matches[0] if len(matches) == 1 else None

    # -- orders --------------------------------------------------------------------------------
    def topological(self) -> list[str] | None:
        """Every revision after its parents and dependencies (ties in graph order), or None
        when a cycle makes that impossible."""
        known = self.nodes
        waiting: dict[str, int] = {}
        dependants: dict[str, list[str]] = {rev: [] for rev in known}
        for rev, node in known.items():
            before = {p for p in (*node.down_revisions, *node.depends_on) if p in known and p != rev}
            waiting[rev] = len(before)
            for parent in before:
                dependants[parent].append(rev)
        position = {rev: i for i, rev in enumerate(known)}
        ready = [(position[rev], rev) for rev, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            _, rev = heapq.heappop(ready)
            order.append(rev)
            for child in dependants[rev]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, (position[child], child))
        return order if len(order) == len(known) else None

    def linear_chain(self) -> list[N] | None:
        """The nodes oldest first when they are one chain from one base — no branch, merge,
        dependency, label, duplicate or unknown parent — else None: the fast path on which a
        plain history needs no Alembic."""
        if self.duplicates:
            return None
        child: dict[str | None, N] = {}
        for node in self.nodes.values():
            if node.depends_on or node.branch_labels or len(node.down_revisions) > 1:
                return None
            parent = node.down_revisions[0] if node.down_revisions else None
            if parent in child or (parent is not None and parent not in self.nodes):
                return None  # a branch point, or a parent Alembic would not find
            child[parent] = node
        chain: list[N] = []
        current = child.get(None)
        while current is not None:
            chain.append(current)
            current = child.get(current.revision)
        return chain if len(chain) == len(self.nodes) else None
