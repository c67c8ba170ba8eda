"""`op.alter_column(..., new_column_name=...)`: a column rename.

**What it does**

Flags `op.alter_column` / `batch_op.alter_column` with `new_column_name=` in `upgrade()` on a
table that was not created in the same migration.

**Why is this bad?**

The rename is instant, but the application servers still running the previous release use
the old name; every query that mentions it fails until they are replaced.

**Example**

```python
def upgrade():
    op.alter_column("user", "name", new_column_name="full_name")
```

**Use instead**

Expand and contract: add the new column, write both, backfill, switch reads, then drop
the old column in a later release.

```python
def upgrade():
    op.add_column("user", sa.Column("full_name", sa.String(200)))
```

**Alembic notes**

SQLAlchemy models can keep the attribute name and map it to the new column with
`mapped_column("full_name")`, which makes a two-step switch easier.

**Options**

None.

**References**

- strong_migrations, "Renaming a column": https://github.com/ankane/strong_migrations#renaming-a-column
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import const_str

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class RenameColumn(Rule):
    code = "DB404"
    name = "rename-column"
    severity = "warning"
    calls = ("alter_column",)
    statements = ("RenameStmt",)
    fix = "add a new column and migrate readers and writers over before dropping the old one"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        new = call.kw("new_column_name")
        if call.existing_table and new is not None and getattr(new, "value", 0) is not None:
            old = const_str(call.arg(1, "column_name")) or "?"
            yield call.hit(
                f"column {old!r} of {call.on()} renamed to {const_str(new) or '?'!r}: "
                "running code still uses the old name",
                new,
            )

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        body = statement.body
        if body.get("renameType") == "OBJECT_COLUMN":
            yield statement.hit(f"column '{body.get('subname')}' renamed to '{body.get('newname')}'")
