"""`VACUUM` in literal SQL inside the migration's transaction.

**What it does**

Flags a `VACUUM` statement (with or without `FULL`, `ANALYZE` or a table list) in literal SQL
passed to `op.execute(...)` or `<connection>.execute(sa.text(...))`, in `upgrade()` and
`downgrade()`, when it is not inside `with op.get_context().autocommit_block():`. `ANALYZE` on
its own is not flagged: it may run inside a transaction.

**Why is this bad?**

PostgreSQL refuses `VACUUM` inside a transaction block ("VACUUM cannot run inside a
transaction block"), and Alembic runs every migration inside one. The migration fails at
deploy time, after the statements before it have run in the same transaction.

**Example**

```python
def upgrade():
    op.execute("DELETE FROM audit_log WHERE created_at < now() - interval '1 year'")
    op.execute("VACUUM ANALYZE audit_log")
```

**Use instead**

```python
def upgrade():
    op.execute("DELETE FROM audit_log WHERE created_at < now() - interval '1 year'")
    with op.get_context().autocommit_block():
        op.execute("VACUUM ANALYZE audit_log")
```

**Alembic notes**

`autocommit_block()` commits the migration's transaction so far and runs its body in
autocommit mode. Routine vacuuming is autovacuum's job; a migration rarely needs it. The SQL
is parsed with PostgreSQL's parser as for DB601, so this rule runs only while DB601 is
enabled.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, VACUUM: https://www.postgresql.org/docs/current/sql-vacuum.html
- Alembic, `MigrationContext.autocommit_block`:
  https://alembic.sqlalchemy.org/en/latest/api/runtime.html#alembic.runtime.migration.MigrationContext.autocommit_block
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.sql import SqlStatement


@register
class VacuumInTransaction(Rule):
    code = "DB603"
    name = "vacuum-in-transaction"
    severity = "error"
    dialects = ("postgresql",)
    statements = ("VacuumStmt",)
    functions = ("upgrade", "downgrade")
    fix = "run VACUUM inside `with op.get_context().autocommit_block():`, or leave it to autovacuum"

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        if statement.body.get("is_vacuumcmd") and not statement.autocommit:
            yield statement.hit(
                "VACUUM inside the migration's transaction: PostgreSQL refuses it in a transaction block"
            )
