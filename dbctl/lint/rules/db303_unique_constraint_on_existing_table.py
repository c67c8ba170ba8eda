"""A unique constraint or primary key added to an existing table.

**What it does**

Flags `op.create_unique_constraint` and `op.create_primary_key` (and their `batch_op` forms)
in `upgrade()` on a table that was not created in the same migration.

**Why is this bad?**

The constraint builds its unique index while holding an ACCESS EXCLUSIVE lock: no reads and
no writes until the index over the whole table is done. Building a unique index
concurrently first and then attaching it (`ADD CONSTRAINT ... UNIQUE USING INDEX`) takes that
lock only for an instant.

**Example**

```python
def upgrade():
    op.create_unique_constraint("uq_user_email", "user", ["email"])
```

**Use instead**

```python
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_user_email", "user", ["email"], unique=True, postgresql_concurrently=True
        )
    op.execute('ALTER TABLE "user" ADD CONSTRAINT uq_user_email UNIQUE USING INDEX uq_user_email')
```

**Alembic notes**

Alembic has no operation for `USING INDEX`; `op.execute` with the literal statement is
fine (DB601 recognises `USING INDEX` as safe).

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE (ADD table_constraint_using_index):
  https://www.postgresql.org/docs/current/sql-altertable.html
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
class UniqueConstraintOnExistingTable(Rule):
    code = "DB303"
    name = "unique-constraint-on-existing-table"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("create_unique_constraint", "create_primary_key")
    statements = ("AlterTableStmt",)
    fix = "create a unique index concurrently, then ADD CONSTRAINT ... USING INDEX"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table:
            yield call.hit(f"{call.subject()} on {call.on()} builds its index under an ACCESS EXCLUSIVE lock")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, _, kind, definition in statement.alter_commands():
            if subtype != "AT_AddConstraint" or kind != "Constraint":
                continue
            contype = definition.get("contype")
            if contype in ("CONSTR_UNIQUE", "CONSTR_PRIMARY") and not definition.get("indexname"):
                what = "unique" if contype == "CONSTR_UNIQUE" else "primary key"
                yield statement.hit(
                    f"{what} constraint built on existing table '{statement.relation}' (not USING INDEX)"
                )
