"""`op.alter_column(..., type_=...)` on an existing table.

**What it does**

Flags `op.alter_column` / `batch_op.alter_column` with `type_=` in `upgrade()` on a table that
was not created in the same migration.

**Why is this bad?**

Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE lock
(exceptions: widening `varchar(n)`, `varchar` → `text`, a few binary-compatible casts).
Running code may also break on the new type.

**Example**

```python
def upgrade():
    op.alter_column("order", "total", existing_type=sa.Integer(), type_=sa.Numeric(12, 2))
```

**Use instead**

Add a new column, backfill it in batches, switch the application over, then drop the old
column in a later release:

```python
def upgrade():
    op.add_column("order", sa.Column("total_amount", sa.Numeric(12, 2)))
```

**Alembic notes**

If the change is known to be metadata-only (e.g. `String(50)` → `String(100)`), suppress the
finding on that line with `# dbctl: ignore[DB306]`. Raw `ALTER COLUMN ... TYPE` in
`op.execute` is checked by DB601 with this code.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE (SET DATA TYPE): https://www.postgresql.org/docs/current/sql-altertable.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class ColumnTypeChange(Rule):
    code = "DB306"
    name = "column-type-change"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("alter_column",)
    statements = ("AlterTableStmt",)
    fix = "add a new column, backfill it, switch readers, then drop the old one"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        value = call.kw("type_")
        if call.existing_table and value is not None and getattr(value, "value", 0) is not None:
            yield call.hit(f"{call.subject()} changes a column type on {call.on()}: usually a full table rewrite")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, command, _, _ in statement.alter_commands():
            if subtype == "AT_AlterColumnType":
                column = command.get("name")
                yield statement.hit(f"type of column '{column}' of existing table '{statement.relation}' changed")
