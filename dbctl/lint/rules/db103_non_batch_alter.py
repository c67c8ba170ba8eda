"""An ALTER that SQLite cannot run, called outside `batch_alter_table`.

**What it does**

Flags `op.alter_column`, `op.drop_column`, `op.create_foreign_key`, `op.drop_constraint`,
`op.create_unique_constraint`, `op.create_check_constraint` and `op.create_primary_key` on an
existing table when they are not inside `with op.batch_alter_table(...) as batch_op:`. Runs
when a SQLite target is configured (or `[lint] dialects` includes `sqlite`).

**Why is this bad?**

SQLite's `ALTER TABLE` can add and rename columns and little else. These operations fail
at deploy time with `NotImplementedError` or a syntax error, usually after earlier
statements of the same migration have run.

**Example**

```python
def upgrade():
    op.alter_column("user", "email", existing_type=sa.String(100), nullable=False)
```

**Use instead**

```python
def upgrade():
    with op.batch_alter_table("user") as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(100), nullable=False)
```

**Alembic notes**

Batch mode recreates the table ("move and copy") on SQLite and emits plain ALTERs on other
databases, so the batch form is portable. Autogenerate writes it when the environment sets
`render_as_batch=True` (dbctl's template does when a SQLite target is configured). Tables
created earlier in the same migration are exempt. Both `upgrade()` and `downgrade()` are
checked.

**Options**

Scoped by dialect: `[lint] dialects = ["sqlite"]` forces it on.

**References**

- Alembic, "Running 'Batch' Migrations for SQLite and Other Databases":
  https://alembic.sqlalchemy.org/en/latest/batch.html
- SQLite, ALTER TABLE: https://www.sqlite.org/lang_altertable.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.syntax import OpCall


@register
class NonBatchAlter(Rule):
    code = "DB103"
    name = "non-batch-alter"
    severity = "error"
    dialects = ("sqlite",)
    calls = (
        "alter_column",
        "drop_column",
        "create_foreign_key",
        "drop_constraint",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
    )
    functions = ("upgrade", "downgrade")
    fix = "call it as batch_op.<method>(...) inside `with op.batch_alter_table(<table>) as batch_op:`"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if call.batch or not call.existing_table:
            return
        table = call.table or "<table>"
        yield call.hit(
            f"{call.subject()} on {call.on()} outside `with op.batch_alter_table(...)`: SQLite cannot run this ALTER",
            help=f"move it into `with op.batch_alter_table({table!r}) as batch_op:` "
            f"and call batch_op.{call.method}(...) without the table argument",
        )
