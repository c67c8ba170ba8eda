"""`op.create_check_constraint` on an existing table without `postgresql_not_valid=True`.

**What it does**

Flags `op.create_check_constraint` / `batch_op.create_check_constraint` in `upgrade()` on a
table that was not created in the same migration, when `postgresql_not_valid=True` is not
passed.

**Why is this bad?**

Adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock: nothing can
read or write the table until every row is checked. `NOT VALID` makes the addition instant;
`VALIDATE CONSTRAINT` then scans with a lock that allows reads and writes.

**Example**

```python
def upgrade():
    op.create_check_constraint("ck_order_total_positive", "order", "total >= 0")
```

**Use instead**

```python
def upgrade():
    op.create_check_constraint(
        "ck_order_total_positive", "order", "total >= 0", postgresql_not_valid=True
    )
    op.execute('ALTER TABLE "order" VALIDATE CONSTRAINT ck_order_total_positive')
```

**Alembic notes**

`postgresql_not_valid` is passed through to SQLAlchemy's `CheckConstraint`. Raw
`ADD CONSTRAINT ... CHECK` in `op.execute` is checked by DB601 with this code.

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
class CheckConstraintNotValid(Rule):
    code = "DB302"
    name = "check-constraint-not-valid"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("create_check_constraint",)
    statements = ("AlterTableStmt",)
    fix = "pass postgresql_not_valid=True, then VALIDATE CONSTRAINT separately"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table and not call.kw_true("postgresql_not_valid"):
            yield call.hit(f"{call.subject()} on {call.on()} scans the table under an ACCESS EXCLUSIVE lock")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, _, kind, definition in statement.alter_commands():
            if subtype == "AT_AddConstraint" and kind == "Constraint" and definition.get("contype") == "CONSTR_CHECK":
                if not definition.get("skip_validation"):
                    table = statement.relation
                    yield statement.hit(f"check constraint added to existing table '{table}' without NOT VALID")
