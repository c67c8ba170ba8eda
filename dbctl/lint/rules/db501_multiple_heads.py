"""The revision graph has more than one head.

**What it does**

Reports every head revision (a revision that no other revision names as `down_revision`)
when there is more than one, at the head's `revision = ...` line.

**Why is this bad?**

Two branches that each added a migration were merged in git, but not in the migration
graph. `dbctl upgrade head` refuses to choose between the heads, so the deploy fails; worse,
the two migrations may conflict and nobody has looked at their order.

**Example**

```python
# versions/b1_add_nickname.py
revision = "b1"
down_revision = "a0"

# versions/c1_add_avatar.py
revision = "c1"
down_revision = "a0"
```

**Use instead**

```python
# dbctl merge heads -m "merge nickname and avatar"
revision = "d1"
down_revision = ("b1", "c1")
```

**Alembic notes**

Independent branches kept apart on purpose with `branch_labels` also have several heads;
suppress with `# dbctl: ignore[DB501]` on their `revision` lines or `ignore = ["DB501"]`.

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
class MultipleHeads(Rule):
    code = "DB501"
    name = "multiple-heads"
    severity = "error"
    fix = "create a merge revision with `dbctl merge`"

    def check_graph(self, graph: LintGraph) -> Iterator[tuple[str, Hit]]:
        heads = graph.heads()
        if len(heads) < 2:
            return
        listed = ", ".join(heads)
        for head in heads:
            info = graph.nodes[head]
            message = f"revision '{head}' is one of {len(heads)} heads ({listed}); merge them with `dbctl merge`"
            yield info.file, Hit(info.revision_line, 1, message)
