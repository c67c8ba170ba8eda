"""`op.drop_index` on an existing table without `postgresql_concurrently=True`.

**What it does**

Flags `op.drop_index` / `batch_op.drop_index` in `upgrade()` on a table that was not created
in the same migration, when `postgresql_concurrently=True` is not passed. An index dropped
before `op.drop_table` of its table later in the same `upgrade()` is not flagged: the table
goes anyway, and DB403 reports the drop of the table.

**Why is this bad?**

A plain `DROP INDEX` takes an ACCESS EXCLUSIVE lock on the table. It is quick once it has
the lock, but it queues behind every running query on the table, and every query queues
behind it: a long report can turn a millisecond drop into an outage.

**Example**

```python
def upgrade():
    op.drop_index("ix_user_legacy_code", table_name="user")
```

**Use instead**

```python
def upgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_user_legacy_code", table_name="user", postgresql_concurrently=True)
```

**Alembic notes**

Pass `table_name=` so the table is known; without it the table counts as existing (and a
later `drop_table` cannot be matched to it).
`downgrade()` is not checked. Like the concurrent create, it needs `autocommit_block()` (DB204).

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, DROP INDEX: https://www.postgresql.org/docs/current/sql-dropindex.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import calls_after

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class DropIndexNotConcurrent(Rule):
    code = "DB205"
    name = "drop-index-not-concurrent"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("drop_index",)
    statements = ("DropStmt",)
    fix = "pass postgresql_concurrently=True inside `with op.get_context().autocommit_block():`"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table and not call.kw_true("postgresql_concurrently"):
            later = calls_after(migration.calls_in(call.function), call)
            if call.table and any(c.method == "drop_table" and c.table == call.table for c in later):
                return  # the table is dropped too: DB403's business
            yield call.hit(f"{call.subject()} on {call.on()} without postgresql_concurrently=True")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        body = statement.body
        if body.get("removeType") == "OBJECT_INDEX" and not body.get("concurrent"):
            yield statement.hit("DROP INDEX without CONCURRENTLY")
