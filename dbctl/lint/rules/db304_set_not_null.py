"""`op.alter_column(..., nullable=False)` on an existing table.

**What it does**

Flags `op.alter_column` / `batch_op.alter_column` with `nullable=False` in `upgrade()` on a
table that was not created in the same migration.

**Why is this bad?**

`ALTER COLUMN ... SET NOT NULL` scans the whole table to prove there are no NULLs, holding
an ACCESS EXCLUSIVE lock the whole time. Since PostgreSQL 12 the scan is skipped when a
valid `CHECK (col IS NOT NULL)` constraint already exists, which can be added `NOT VALID`
and validated without blocking.

**Example**

```python
def upgrade():
    op.alter_column("user", "email", existing_type=sa.String(255), nullable=False)
```

**Use instead**

```python
def upgrade():
    op.create_check_constraint(
        "ck_user_email_not_null", "user", "email IS NOT NULL", postgresql_not_valid=True
    )
    op.execute('ALTER TABLE "user" VALIDATE CONSTRAINT ck_user_email_not_null')
    op.alter_column("user", "email", existing_type=sa.String(255), nullable=False)  # dbctl: ignore[DB304]
    op.drop_constraint("ck_user_email_not_null", "user", type_="check")
```

**Alembic notes**

Backfill the NULLs in an earlier migration (or the application) first. Raw
`ALTER COLUMN ... SET NOT NULL` in `op.execute` is checked by DB601 with this code.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE (SET NOT NULL): https://www.postgresql.org/docs/current/sql-altertable.html
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
class SetNotNull(Rule):
    code = "DB304"
    name = "set-not-null"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("alter_column",)
    statements = ("AlterTableStmt",)
    fix = "add a NOT VALID check constraint `col IS NOT NULL`, validate it, then set NOT NULL"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        value = call.kw("nullable")
        if call.existing_table and value is not None and getattr(value, "value", None) is False:
            yield call.hit(f"{call.subject()} nullable=False on {call.on()} scans it under an ACCESS EXCLUSIVE lock")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, command, _, _ in statement.alter_commands():
            if subtype == "AT_SetNotNull":
                column = command.get("name")
                yield statement.hit(f"SET NOT NULL on column '{column}' of existing table '{statement.relation}'")
