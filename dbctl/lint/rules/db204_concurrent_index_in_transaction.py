"""`postgresql_concurrently=True` outside `autocommit_block()`.

**What it does**

Flags `op.create_index(..., postgresql_concurrently=True)` and
`op.drop_index(..., postgresql_concurrently=True)` that are not inside
`with op.get_context().autocommit_block():`, in `upgrade()` and `downgrade()`.

**Why is this bad?**

PostgreSQL refuses `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` inside a
transaction block ("cannot run inside a transaction block"), and Alembic runs every
migration inside one. The migration fails at deploy time, after the statements before it.

**Example**

```python
def upgrade():
    op.create_index("ix_user_email", "user", ["email"], postgresql_concurrently=True)
```

**Use instead**

```python
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_user_email", "user", ["email"], postgresql_concurrently=True)
```

**Alembic notes**

`autocommit_block()` commits the migration's transaction so far, runs its body in
autocommit mode, then begins a new transaction. Keep such a migration free of other DDL
(DB202), since the work before the block is committed even if the index build fails.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- Alembic, `MigrationContext.autocommit_block`:
  https://alembic.sqlalchemy.org/en/latest/api/runtime.html#alembic.runtime.migration.MigrationContext.autocommit_block
- PostgreSQL, CREATE INDEX: https://www.postgresql.org/docs/current/sql-createindex.html
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
class ConcurrentIndexInTransaction(Rule):
    code = "DB204"
    name = "concurrent-index-in-transaction"
    severity = "error"
    dialects = ("postgresql",)
    calls = ("create_index", "drop_index")
    statements = ("IndexStmt", "DropStmt")
    functions = ("upgrade", "downgrade")
    fix = "wrap the call in `with op.get_context().autocommit_block():`"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.kw_true("postgresql_concurrently") and not call.autocommit:
            yield call.hit(
                f"{call.subject()} with postgresql_concurrently=True inside the migration's transaction: "
                "PostgreSQL refuses CONCURRENTLY in a transaction block"
            )

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        if statement.autocommit or not statement.body.get("concurrent"):
            return
        if statement.kind == "IndexStmt":
            yield statement.hit("CREATE INDEX CONCURRENTLY inside the migration's transaction")
        elif statement.body.get("removeType") == "OBJECT_INDEX":
            yield statement.hit("DROP INDEX CONCURRENTLY inside the migration's transaction")
