"""A column added to an existing table with a volatile `server_default`.

**What it does**

Flags `op.add_column` / `batch_op.add_column` in `upgrade()` on a table that was not created
in the same migration when the column's `server_default` calls a volatile function:
`sa.text("gen_random_uuid()")`, `random()`, `clock_timestamp()`, `nextval()` and the like.

**Why is this bad?**

Since PostgreSQL 11, adding a column with a constant default only updates the catalogue. A
default whose value differs per row cannot be stored once, so PostgreSQL rewrites the whole
table under an ACCESS EXCLUSIVE lock.

**Example**

```python
def upgrade():
    op.add_column(
        "order",
        sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")),
    )
```

**Use instead**

```python
def upgrade():
    op.add_column("order", sa.Column("public_id", sa.Uuid()))
    op.alter_column("order", "public_id", server_default=sa.text("gen_random_uuid()"))
    # then backfill existing rows in batches
```

**Alembic notes**

`sa.text(...)` defaults are parsed with PostgreSQL's parser (pglast), never pattern-matched.
The functions: `clock_timestamp()`, `timeofday()`, `random()`, `gen_random_uuid()`,
`uuid_generate_v*()`, `uuidv4()`, `uuidv7()`, `nextval()`. `now()`, `current_timestamp`,
`statement_timestamp()` and `transaction_timestamp()` are *stable*, not volatile: PostgreSQL
evaluates them once and stores the value as the fast default, so `created_at` columns with
`server_default=sa.func.now()` are fine.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE ADD COLUMN notes: https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.sql import expression_function_calls, function_calls
from dbctl.lint.syntax import column_calls, column_kw, column_name, const_str, is_text_call

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


# VOLATILE functions only: now(), current_timestamp, statement_timestamp() and
# transaction_timestamp() are STABLE, so PostgreSQL 11+ evaluates them once and adds the column
# without a rewrite (the "fast default"); flagging them would flag every created_at column.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "nextval",
    }
)


def volatile_default(value: ast.expr | None) -> str | None:
    """The volatile function a ``server_default`` expression calls, if any."""
    if type(value) is not ast.Call:
        return None
    func = value.func
    if type(func) is ast.Attribute:
        owner = func.value
        is_func = (type(owner) is ast.Name and owner.id == "func") or (
            type(owner) is ast.Attribute and owner.attr == "func"
        )
        if is_func and func.attr.lower() in VOLATILE_FUNCTIONS:
            return func.attr.lower()
    if is_text_call(value) and value.args:
        text = const_str(value.args[0])
        if text:
            names = [name for name in expression_function_calls(text) or () if name in VOLATILE_FUNCTIONS]
            if names:
                return names[0]
    return None


@register
class VolatileServerDefault(Rule):
    code = "DB305"
    name = "volatile-server-default"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("add_column",)
    statements = ("AlterTableStmt",)
    fix = "add the column without the default, set the default with alter_column, backfill in batches"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if not call.existing_table:
            return
        for column in column_calls(call.arg(1, "column")):
            default = column_kw(column, "server_default")
            name = volatile_default(default)
            if name:
                yield call.hit(
                    f"Column {column_name(column) or '?'!r} added to {call.on()} with volatile server_default "
                    f"{name}(): PostgreSQL rewrites the table",
                    default,
                )

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, _, kind, definition in statement.alter_commands():
            if subtype != "AT_AddColumn" or kind != "ColumnDef":
                continue
            constraints, _ = statement.added_column(definition)
            for default in (c for c in constraints if c.get("contype") == "CONSTR_DEFAULT"):
                volatile = [name for name in function_calls(default.get("raw_expr")) if name in VOLATILE_FUNCTIONS]
                if volatile:
                    yield statement.hit(
                        f"column '{definition.get('colname')}' added to existing table '{statement.relation}' "
                        f"with a volatile default ({volatile[0]}()): the table is rewritten"
                    )
