"""`op.create_foreign_key` on an existing table without `postgresql_not_valid=True`.

**What it does**

Flags `op.create_foreign_key` / `batch_op.create_foreign_key` in `upgrade()` whose source
table was not created in the same migration, when `postgresql_not_valid=True` is not passed.

**Why is this bad?**

`ADD CONSTRAINT ... FOREIGN KEY` checks every existing row while holding a SHARE ROW
EXCLUSIVE lock on both tables: writes to both stop for the whole scan. Adding the
constraint `NOT VALID` is instant (only new rows are checked); `VALIDATE CONSTRAINT` then
checks the old rows under a lock that lets writes through.

**Example**

```python
def upgrade():
    op.create_foreign_key("fk_order_user_id_user", "order", "user", ["user_id"], ["id"])
```

**Use instead**

```python
def upgrade():
    op.create_foreign_key(
        "fk_order_user_id_user", "order", "user", ["user_id"], ["id"],
        postgresql_not_valid=True,
    )
    op.execute('ALTER TABLE "order" VALIDATE CONSTRAINT fk_order_user_id_user')
```

**Alembic notes**

`postgresql_not_valid` is passed through to SQLAlchemy's `ForeignKeyConstraint` (SQLAlchemy
2.0.x and later). Validate in the same migration or, for very large tables, in the next one.
Raw `ADD CONSTRAINT ... FOREIGN KEY` in `op.execute` is checked by DB601 with this code.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE (NOT VALID): https://www.postgresql.org/docs/current/sql-altertable.html
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
class ForeignKeyNotValid(Rule):
    code = "DB301"
    name = "foreign-key-not-valid"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("create_foreign_key",)
    statements = ("AlterTableStmt",)
    fix = "pass postgresql_not_valid=True, then VALIDATE CONSTRAINT separately"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table and not call.kw_true("postgresql_not_valid"):
            yield call.hit(
                f"{call.subject()} on {call.on()} validates every row under a SHARE ROW EXCLUSIVE lock on both tables"
            )

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, _, kind, definition in statement.alter_commands():
            if subtype == "AT_AddConstraint" and kind == "Constraint" and definition.get("contype") == "CONSTR_FOREIGN":
                if not definition.get("skip_validation"):
                    yield statement.hit(f"foreign key added to existing table '{statement.relation}' without NOT VALID")
