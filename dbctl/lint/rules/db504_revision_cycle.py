"""The revision graph has a cycle.

**What it does**

Follows `down_revision` links and reports, at the `down_revision` line, every revision that
is part of a cycle (a revision that is, through its parents, its own ancestor).

**Why is this bad?**

A cycle has no base and no well-defined order: Alembic fails on every command that walks
the graph (upgrade, history, current) with a cycle error.

**Example**

```python
# a1
revision = "a1"
down_revision = "b1"

# b1
revision = "b1"
down_revision = "a1"
```

**Use instead**

```python
# a1
revision = "a1"
down_revision = None

# b1
revision = "b1"
down_revision = "a1"
```

**Alembic notes**

Usually the result of a hand-edited `down_revision` during a rebase.

**Options**

None.

**References**

- Alembic, "Working with Branches": https://alembic.sqlalchemy.org/en/latest/branches.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.graph import LintGraph


@register
class RevisionCycle(Rule):
    code = "DB504"
    name = "revision-cycle"
    severity = "error"
    fix = "fix the down_revision of one revision in the cycle"

    def check_graph(self, graph: LintGraph) -> Iterator[tuple[str, Hit]]:
        for cycle in graph.cycles():
            chain = " -> ".join(cycle + [cycle[0]])
            for rev in cycle:
                info = graph.nodes[rev]
                yield info.file, Hit(info.down_line, 1, f"revision '{rev}' is part of a cycle: {chain}")
