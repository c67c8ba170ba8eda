"""An index on an existing table created together with other schema changes.

**What it does**

Flags `op.create_index` (or `batch_op.create_index`) on an existing table in an `upgrade()`
that also makes other schema changes (adds columns, creates tables, alters constraints ...).
A PostgreSQL rule: its reason (below) is PostgreSQL's concurrent index build, so it does not
run on SQLite-only projects, where an index build in a transaction with other DDL is normal
(SQLite has no concurrent build and locks the whole database for any DDL anyway).

**Why is this bad?**

Index builds on large tables are slow and, to avoid blocking writes on PostgreSQL, must run
concurrently outside a transaction. Mixed into a migration with other DDL, the index either
blocks writes inside the transaction or forces the other changes out of it. A failed
concurrent build leaves an invalid index behind; alone in its migration it is easy to retry.

**Example**

```python
def upgrade():
    op.add_column("order", sa.Column("status", sa.String(20)))
    op.create_index("ix_order_created_at", "order", ["created_at"])
```

**Use instead**

```python
# revision 1
def upgrade():
    op.add_column("order", sa.Column("status", sa.String(20)))


# revision 2
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_order_created_at", "order", ["created_at"], postgresql_concurrently=True
        )
```

**Alembic notes**

Indexes on tables created in the same migration are exempt (the table is empty). Dropping
other indexes in the same migration does not count as another change.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- squawk, "require-concurrent-index-creation": https://squawkhq.com/docs/require-concurrent-index-creation
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import SCHEMA_OPS

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration

_NOT_OTHER = frozenset({"create_index", "drop_index", "execute", "batch_alter_table"})


@register
class IndexMixedWithSchemaChanges(Rule):
    code = "DB202"
    name = "index-mixed-with-schema-changes"
    severity = "warning"
    dialects = ("postgresql",)
    per_file = True
    fix = "move the index into a migration of its own"

    def check_file(self, migration: Migration) -> Iterator[Hit]:
        calls = migration.calls_in("upgrade")
        others = [c for c in calls if c.method in SCHEMA_OPS and c.method not in _NOT_OTHER]
        if not others:
            return
        other = others[0]
        for call in calls:
            if call.method == "create_index" and call.existing_table:
                yield call.hit(
                    f"{call.subject()} on {call.on()} in a migration that also changes the schema "
                    f"({other.subject()} at line {other.node.lineno})"
                )
