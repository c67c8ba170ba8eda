"""Revision-graph checks across every migration file (DB501–DB505).

Works on :class:`~dbctl.lint.engine.RevisionInfo` records only: no Alembic, no imports of the
migrations. Every finding points at the ``revision`` / ``down_revision`` line responsible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from dbctl.lint.engine import RevisionInfo
from dbctl.lint.registry import Hit

GraphFinding = tuple[str, str, Hit]  # (file, code, hit)


def _name(file: str) -> str:
    return Path(file).name


def check_graph(infos: Sequence[RevisionInfo], enabled: Iterable[str]) -> list[GraphFinding]:
    """All DB501–DB505 findings for the migrations described by ``infos``."""
    enabled = set(enabled)
    found: list[GraphFinding] = []
    if "DB505" in enabled:
        for info in infos:
            if info.error:
                found.append((info.file, "DB505", Hit(info.error_line, info.error_column, info.error)))

    valid = sorted((i for i in infos if i.revision is not None), key=lambda i: i.file)
    nodes: dict[str, RevisionInfo] = {}
    for info in valid:
        first = nodes.setdefault(info.revision, info)  # type: ignore[arg-type]
        if first is not info and "DB503" in enabled:
            found.append(
                (
                    info.file,
                    "DB503",
                    Hit(
                        info.revision_line,
                        1,
                        f"revision '{info.revision}' is also declared in {_name(first.file)}",
                    ),
                )
            )

    labels = {label for info in valid for label in info.branch_labels}
    if "DB502" in enabled:
        for info in nodes.values():
            for parent in info.down_revisions:
                if parent not in nodes:
                    found.append(
                        (
                            info.file,
                            "DB502",
                            Hit(
                                info.down_line,
                                1,
                                f"down_revision '{parent}' of revision '{info.revision}' does not exist",
                            ),
                        )
                    )
            for dep in info.depends_on:
                if dep not in nodes and dep not in labels:
                    found.append(
                        (
                            info.file,
                            "DB502",
                            Hit(
                                info.depends_line,
                                1,
                                f"depends_on '{dep}' of revision '{info.revision}' does not exist",
                            ),
                        )
                    )

    if "DB501" in enabled:
        parents = {p for info in nodes.values() for p in info.down_revisions}
        heads = sorted(rev for rev in nodes if rev not in parents)
        if len(heads) > 1:
            listed = ", ".join(heads)
            for head in heads:
                info = nodes[head]
                found.append(
                    (
                        info.file,
                        "DB501",
                        Hit(
                            info.revision_line,
                            1,
                            f"revision '{head}' is one of {len(heads)} heads ({listed}); merge them with `dbctl merge`",
                        ),
                    )
                )

    if "DB504" in enabled:
        for cycle in _cycles(nodes):
            chain = " -> ".join(cycle + [cycle[0]])
            for rev in cycle:
                info = nodes[rev]
                found.append(
                    (
                        info.file,
                        "DB504",
                        Hit(
                            info.down_line,
                            1,
                            f"revision '{rev}' is part of a cycle: {chain}",
                        ),
                    )
                )
    return found


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
