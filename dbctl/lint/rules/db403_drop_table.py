"""`op.drop_table` in `upgrade()`.

**What it does**

Flags `op.drop_table` in `upgrade()` for a table that was not created in the same migration.

**Why is this bad?**

The data is gone for good, and any running code that still queries the table fails. A
`downgrade()` can recreate the table but not its rows.

**Example**

```python
def upgrade():
    op.drop_table("audit_log")
```

**Use instead**

Remove every use of the table in one release; drop it in a later one, after a backup, with
a suppression that records the decision:

```python
def upgrade():
    op.drop_table("audit_log")  # dbctl: ignore[DB403] archived to S3 on 2024-05-01
```

**Alembic notes**

`downgrade()` is not checked: dropping what `upgrade()` created is what it is for.

**Options**

None.

**References**

- strong_migrations, "Removing a table": https://github.com/ankane/strong_migrations
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.sql import name_list, unwrap

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class DropTable(Rule):
    code = "DB403"
    name = "drop-table"
    severity = "warning"
    calls = ("drop_table",)
    statements = ("DropStmt",)
    fix = "make sure nothing uses the table and its data is backed up, then suppress this line"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table:
            yield call.hit(f"{call.on()} dropped: its data is lost and running code may still query it")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        if statement.body.get("removeType") != "OBJECT_TABLE":
            return
        for obj in statement.body.get("objects", []):
            name = name_list(unwrap(obj)[1].get("items"))
            if statement.existing(name.rpartition(".")[2]):
                yield statement.hit(f"DROP TABLE '{name}'")
