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

from dbctl.lint.registry import Rule, register


@register
class RevisionCycle(Rule):
    code = "DB504"
    name = "revision-cycle"
    severity = "error"
    graph = True
    fix = "fix the down_revision of one revision in the cycle"
