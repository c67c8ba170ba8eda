"""`op.drop_column` in `upgrade()`.

**What it does**

Flags `op.drop_column` / `batch_op.drop_column` in `upgrade()` on a table that was not
created in the same migration. A column that the same `upgrade()` puts back later (an
`add_column` of the same table and name, or an `alter_column(..., new_column_name=...)`
renaming another column into its name) is not flagged: the column is replaced, not removed.

**Why is this bad?**

The data is gone, and during a rolling deploy the application servers still running the
previous release read and write the column: their queries fail until they are replaced.
SQLAlchemy models that still map the column fail on every SELECT.

**Example**

```python
def upgrade():
    op.drop_column("user", "legacy_code")
```

**Use instead**

Stop using the column first: remove it from the models (or mark it `deferred`) and deploy;
drop it in a later release, with a suppression that records the decision:

```python
def upgrade():
    op.drop_column("user", "legacy_code")  # dbctl: ignore[DB402] unused since v2.3
```

**Alembic notes**

`downgrade()` is not checked: re-adding what the upgrade dropped is expected there. The
replacement may come through `op` or through `batch_op` of a `batch_alter_table` on the same
table; a replacement whose table or column name is not a literal is not recognised.

**Options**

`[lint] severity = { DB402 = "error" }` makes it fail the build.

**References**

- strong_migrations, "Removing a column": https://github.com/ankane/strong_migrations#removing-a-column
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import calls_after, column_calls, column_name, const_str

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


@register
class DropColumn(Rule):
    code = "DB402"
    name = "drop-column"
    severity = "warning"
    calls = ("drop_column",)
    statements = ("AlterTableStmt",)
    fix = "stop reading the column in a release before the one that drops it"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.existing_table:
            column = const_str(call.arg(1, "column_name")) or "?"
            if call.table and any(
                _puts_back(later, call.table, column) for later in calls_after(migration.calls_in(call.function), call)
            ):
                return
            yield call.hit(f"column {column!r} dropped from {call.on()}: data loss, and running code may still use it")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, command, _, _ in statement.alter_commands():
            if subtype == "AT_DropColumn":
                yield statement.hit(f"DROP COLUMN '{command.get('name')}' from table '{statement.relation}'")


def _puts_back(call: OpCall, table: str, column: str) -> bool:
    """``call`` adds a column named ``column`` to ``table``, or renames another one into it."""
    if call.table != table:
        return False
    if call.method == "add_column":
        return any(column_name(c) == column for c in column_calls(call.arg(1, "column")))
    if call.method == "alter_column":
        return const_str(call.kw("new_column_name")) == column
    return False
