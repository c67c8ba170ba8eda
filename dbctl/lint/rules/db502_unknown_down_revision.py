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

from dbctl.lint.registry import Rule, register


@register
class UnknownDownRevision(Rule):
    code = "DB502"
    name = "unknown-down-revision"
    severity = "error"
    graph = True
    fix = "point it at an existing revision (`dbctl history` lists them)"
