"""`down_revision` or `depends_on` names a revision that does not exist.

**What it does**

Reports, at the `down_revision = ...` (or `depends_on = ...`) line, every parent or
dependency that no migration file declares as its `revision` (or branch label).

**Why is this bad?**

Alembic cannot build the graph: every command fails with "Revision ... referenced from ...
is not present". It happens when a migration was deleted, renamed, or rebased onto a
branch that is not merged yet.

**Example**

```python
revision = "c3"
down_revision = "b2_typo"
```

**Use instead**

```python
revision = "c3"
down_revision = "b2"
```

**Alembic notes**

Revision ids must match exactly (prefixes are only accepted on the command line).

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
class UnknownDownRevision(Rule):
    code = "DB502"
    name = "unknown-down-revision"
    severity = "error"
    fix = "point it at an existing revision (`dbctl history` lists them)"

    def check_graph(self, graph: LintGraph) -> Iterator[tuple[str, Hit]]:
        nodes = graph.nodes
        for info in nodes.values():
            for parent in info.down_revisions:
                if parent not in nodes:
                    message = f"down_revision '{parent}' of revision '{info.revision}' does not exist"
                    yield info.file, Hit(info.down_line, 1, message)
            for dep in info.depends_on:
                if dep not in nodes and dep not in graph.labels:
                    message = f"depends_on '{dep}' of revision '{info.revision}' does not exist"
                    yield info.file, Hit(info.depends_line, 1, message)
