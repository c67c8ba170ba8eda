"""`op.rename_table`: a table rename.

**What it does**

Flags `op.rename_table` in `upgrade()` for a table that was not created in the same migration.

**Why is this bad?**

The rename is instant, but running code (the previous release during a rolling deploy,
workers, reports) still queries the old name and fails until it is replaced.

**Example**

```python
def upgrade():
    op.rename_table("customer", "client")
```

**Use instead**

Rename, and keep the old name readable for one release with an updatable view:

```python
def upgrade():
    op.rename_table("customer", "client")  # dbctl: ignore[DB405] view keeps old name
    op.execute("CREATE VIEW customer AS SELECT * FROM client")
```

**Alembic notes**

Drop the compatibility view in a later migration, once nothing uses the old name.

**Options**

None.

**References**

- strong_migrations, "Renaming a table": https://github.com/ankane/strong_migrations#renaming-a-table
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import const_str

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class RenameTable(Rule):
    code = "DB405"
    name = "rename-table"
    severity = "warning"
    calls = ("rename_table",)
    statements = ("RenameStmt",)
    fix = "keep the old name working for a release (e.g. a view) before relying on the new one"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table:
            new = const_str(call.arg(1, "new_table_name")) or "?"
            yield call.hit(f"{call.on()} renamed to {new!r}: running code still uses the old name")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        body = statement.body
        if body.get("renameType") == "OBJECT_TABLE":
            table = body.get("relation", {}).get("relname")
            yield statement.hit(f"table '{table}' renamed to '{body.get('newname')}'")
