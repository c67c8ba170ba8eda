"""A `NOT NULL` column without a `server_default` added to an existing table.

**What it does**

Flags `op.add_column` / `batch_op.add_column` in `upgrade()` on a table that was not created
in the same migration, when the column has `nullable=False` (or `primary_key=True`) and no
`server_default`. A column the database fills itself is not flagged: an identity column
(`sa.Identity()`), an integer primary key with `autoincrement=True` (a `SERIAL` on
PostgreSQL), or a `serial` / `bigserial` / `smallserial` type; in raw SQL, `serial` types and
`GENERATED ... AS IDENTITY` / `GENERATED ALWAYS AS (...) STORED`.

**Why is this bad?**

The database must fill the new column for every existing row; with no default the only
value is NULL, which the constraint forbids. The migration works on an empty development
database and fails in production. A Python-side `default=` does not help: it is applied by
SQLAlchemy on INSERT, not by the database to existing rows.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("is_active", sa.Boolean(), nullable=False))
```

**Use instead**

```python
def upgrade():
    op.add_column(
        "user",
        sa.Column("is_active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
```

Or add it nullable, backfill, then set `NOT NULL` (see DB304).

**Alembic notes**

Autogenerate renders `nullable=False` from the model but never invents a `server_default`.
`primary_key=True` without `autoincrement=True` is still flagged: whether SQLAlchemy renders
it as `SERIAL` depends on the type and the other columns, which the linter does not guess.
Adding an identity or serial column fills every existing row: on PostgreSQL that rewrites the
table, which is not this rule's concern.

**Options**

None.

**References**

- Alembic, `Operations.add_column`: https://alembic.sqlalchemy.org/en/latest/ops.html#alembic.operations.Operations.add_column
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.sql import name_list
from dbctl.lint.syntax import callee_name, column_calls, column_kw, column_name, column_type, is_true, type_name

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


_SERIAL = frozenset({"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"})
_INTEGER = frozenset({"integer", "biginteger", "smallinteger", "int", "bigint", "smallint"})


def _is(node: ast.expr | None, value: object) -> bool:
    return type(node) is ast.Constant and node.value is value


def _filled_by_database(column: ast.Call) -> bool:
    """An identity column, an ``autoincrement=True`` integer primary key, or a serial type."""
    if any(type(arg) is ast.Call and callee_name(arg) == "Identity" for arg in column.args):
        return True
    kind = (type_name(column_type(column)) or "").lower()
    if kind in _SERIAL:
        return True
    key = is_true(column_kw(column, "primary_key"))
    return kind in _INTEGER and key and is_true(column_kw(column, "autoincrement"))


@register
class AddNotNullColumnWithoutDefault(Rule):
    code = "DB401"
    name = "add-not-null-column-without-default"
    severity = "error"
    calls = ("add_column",)
    statements = ("AlterTableStmt",)
    fix = "give the column a server_default, or add it nullable, backfill, then set NOT NULL"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        if not call.existing_table:
            return
        for column in column_calls(call.arg(1, "column")):
            nullable = column_kw(column, "nullable")
            not_null = _is(nullable, False) or (is_true(column_kw(column, "primary_key")) and nullable is None)
            default = column_kw(column, "server_default")
            if not_null and (default is None or _is(default, None)) and not _filled_by_database(column):
                yield call.hit(
                    f"NOT NULL column {column_name(column) or '?'!r} without server_default added to {call.on()}: "
                    "fails on any table that has rows"
                )

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, _, kind, definition in statement.alter_commands():
            if subtype != "AT_AddColumn" or kind != "ColumnDef":
                continue
            constraints, not_null = statement.added_column(definition)
            filled = {"CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED"}
            type_names = definition.get("typeName", {}).get("names", [])
            serial = name_list(type_names[-1:]).lower() in _SERIAL
            if not_null and not serial and not any(c.get("contype") in filled for c in constraints):
                column, table = definition.get("colname"), statement.relation
                yield statement.hit(f"NOT NULL column '{column}' added to existing table '{table}' without a DEFAULT")
