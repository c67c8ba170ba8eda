"""`op.create_index` on an existing table without `postgresql_concurrently=True`.

**What it does**

Flags `op.create_index` / `batch_op.create_index` on a table that was not created earlier in
the same migration, when `postgresql_concurrently=True` is not passed.

**Why is this bad?**

A plain `CREATE INDEX` takes a SHARE lock on the table: every INSERT, UPDATE and DELETE
waits until the whole index is built, which on a large table means minutes of downtime.
`CREATE INDEX CONCURRENTLY` builds it without blocking writes.

**Example**

```python
def upgrade():
    op.create_index("ix_user_email", "user", ["email"])
```

**Use instead**

```python
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_user_email", "user", ["email"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_user_email", table_name="user", postgresql_concurrently=True)
```

**Alembic notes**

`CONCURRENTLY` cannot run inside a transaction, and Alembic runs each migration in one:
wrap the call in `with op.get_context().autocommit_block():` (see DB204). Indexes on tables
created in the same migration are exempt. Raw `CREATE INDEX` in `op.execute` is checked by
DB601 and reported with this code.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, "Building Indexes Concurrently":
  https://www.postgresql.org/docs/current/sql-createindex.html#SQL-CREATEINDEX-CONCURRENTLY
- Alembic, `MigrationContext.autocommit_block`:
  https://alembic.sqlalchemy.org/en/latest/api/runtime.html#alembic.runtime.migration.MigrationContext.autocommit_block
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
class IndexNotConcurrent(Rule):
    code = "DB203"
    name = "index-not-concurrent"
    severity = "error"
    dialects = ("postgresql",)
    calls = ("create_index",)
    statements = ("IndexStmt",)
    fix = "pass postgresql_concurrently=True inside `with op.get_context().autocommit_block():`"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table and not call.kw_true("postgresql_concurrently"):
            yield call.hit(f"{call.subject()} on {call.on()} without postgresql_concurrently=True blocks writes")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        table = statement.relation
        if not statement.body.get("concurrent") and statement.existing(table):
            yield statement.hit(f"CREATE INDEX on existing table '{table}' without CONCURRENTLY")
