"""`index=True` or `unique=True` on a column passed to `add_column` / `create_table`.

**What it does**

Flags `sa.Column(..., index=True)` and `sa.Column(..., unique=True)` inside `op.add_column`,
`batch_op.add_column` and `op.create_table`. It is an error with `add_column` (the index is
built on an existing table) and a warning with `create_table`.

**Why is this bad?**

The index is invisible in the migration: Alembic emits an implicitly named
`CREATE INDEX` (or a `UNIQUE` constraint) behind the `add_column`, so it cannot be built
concurrently, its name depends on the naming convention in effect when the migration
runs, and `downgrade()` rarely drops it. On an existing table that hidden `CREATE INDEX`
blocks writes for as long as the build takes.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255), index=True))
```

**Use instead**

```python
def upgrade():
    op.add_column("user", sa.Column("email", sa.String(255)))
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_user_email", "user", ["email"], postgresql_concurrently=True
        )
```

**Alembic notes**

Autogenerate renders model-level `index=True` as a separate `op.create_index(op.f(...))`;
this pattern appears when columns are written by hand or copied from models. For a new
table, pass the index to `op.create_index` right after `op.create_table`.

**Options**

The add_column/create_table severities can be overridden together with
`[lint] severity = { DB201 = "error" }`.

**References**

- Alembic, `Operations.add_column`: https://alembic.sqlalchemy.org/en/latest/ops.html#alembic.operations.Operations.add_column
- PostgreSQL, CREATE INDEX: https://www.postgresql.org/docs/current/sql-createindex.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import column_calls, column_kw, column_name, is_true

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.syntax import OpCall


@register
class InlineColumnIndex(Rule):
    code = "DB201"
    name = "inline-column-index"
    severity = "warning"
    severity_note = "error with add_column"
    calls = ("add_column", "create_table")
    fix = "drop index=/unique= from the Column and create the index explicitly with op.create_index(...)"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.method == "add_column":
            columns = column_calls(call.arg(1, "column"))
            severity = "error"
        else:
            columns = [c for arg in call.node.args[1:] for c in column_calls(arg)]
            severity = "warning"
        for column in columns:
            for flag in ("index", "unique"):
                value = column_kw(column, flag)
                if is_true(value):
                    name = column_name(column) or "?"
                    yield call.hit(
                        f"Column {name!r} with {flag}=True in {call.subject()}: Alembic emits an implicitly named "
                        f"{'CREATE INDEX' if flag == 'index' else 'UNIQUE constraint'} you cannot see or control",
                        value,
                        severity=severity,
                    )
