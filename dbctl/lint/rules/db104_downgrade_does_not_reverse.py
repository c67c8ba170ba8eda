"""A schema operation in `upgrade()` that `downgrade()` does not undo.

**What it does**

Pairs each operation of `upgrade()` with its inverse in `downgrade()`: `create_table` ↔
`drop_table`, `add_column` ↔ `drop_column`, `create_index` ↔ `drop_index`,
`create_*_constraint` / `create_foreign_key` / `create_primary_key` ↔ `drop_constraint`,
`rename_table(a, b)` ↔ `rename_table(b, a)`, `alter_column` ↔ `alter_column` on the same
column, a column rename `alter_column(t, a, new_column_name=b)` ↔ `alter_column(t, b,
new_column_name=a)` (with `op` or `batch_op`). Dropping a table in `downgrade()` undoes
everything done on it; dropping a column undoes every index, unique / primary key / foreign
key / check constraint on it, and every `alter_column` of it (so `add_column`, an `UPDATE`
backfill, then `alter_column(nullable=False)` or `alter_column(server_default=None)` is undone
by one `drop_column`). Flags the operations left without an inverse.

**Why is this bad?**

A partial downgrade leaves the database in a state no revision describes: the next
`upgrade` fails on the leftover index or column, and round-trip tests stop meaning anything.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))
    op.create_index("ix_user_email", "user", ["email"])


def downgrade():
    op.drop_column("user", "nickname")
```

**Use instead**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))
    op.create_index("ix_user_email", "user", ["email"])


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
    op.drop_column("user", "nickname")
```

**Alembic notes**

Only operations with literal names are paired (`op.f("name")` counts as literal). A check
constraint created under its short name and dropped under the name the naming convention
`ck_%(table_name)s_%(constraint_name)s` makes of it (`op.f("ck_<table>_<name>")`), or the
other way round, counts as reversed. The columns of a check constraint are read from its
condition (a SQL string, or `sa.column("x")`). A drop is matched by literal table and column
names only, without the history: an operation on a column that a later operation renames is
not followed through the rename. When
`downgrade()` runs raw SQL with `op.execute`, it cannot be checked and the rule stays silent;
when it is empty, DB101 reports it instead.

**Options**

None.

**References**

- Alembic operation reference: https://alembic.sqlalchemy.org/en/latest/ops.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.sql import expression_columns
from dbctl.lint.syntax import callee_name, column_calls, column_name, const_str, is_text_call, is_trivial_body

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.syntax import OpCall

Token = tuple[str, tuple[str, ...], str | None]  # (kind, key, table)

_INVERSE = {
    "table+": "table-",
    "table-": "table+",
    "column+": "column-",
    "column-": "column+",
    "index+": "index-",
    "index-": "index+",
    "constraint+": "constraint-",
    "constraint-": "constraint+",
    "alter": "alter",
}
_CONSTRAINTS = (
    "create_foreign_key",
    "create_unique_constraint",
    "create_check_constraint",
    "create_primary_key",
    "create_exclude_constraint",
)
_EXPECTED = {
    "table+": "op.drop_table({})",
    "table-": "op.create_table({})",
    "column+": "op.drop_column({})",
    "column-": "op.add_column({})",
    "index+": "op.drop_index({})",
    "index-": "op.create_index({})",
    "constraint+": "op.drop_constraint({})",
    "constraint-": "op.create_*({})",
    "alter": "op.alter_column({})",
    "column~": "op.alter_column({}, new_column_name={})",
    "rename": "op.rename_table({})",
}


def token(call: OpCall) -> Token | None:
    """What a call does, as a comparable token; None when it cannot be paired."""
    method, table = call.method, call.table
    if method == "create_table" and table:
        return ("table+", (table,), table)
    if method == "drop_table" and table:
        return ("table-", (table,), table)
    if method == "add_column":
        columns = column_calls(call.arg(1, "column"))
        name = column_name(columns[0]) if columns else None
        return ("column+", (table, name), table) if table and name else None
    if method in ("drop_column", "alter_column"):
        name = const_str(call.arg(1, "column_name"))
        if not (table and name):
            return None
        new = const_str(call.kw("new_column_name")) if method == "alter_column" else None
        if new and new != name:
            return ("column~", (table, name, new), table)
        return ("column-" if method == "drop_column" else "alter", (table, name), table)
    if method in ("create_index", "drop_index"):
        name = const_str(call.arg(0, "index_name"))
        return ("index+" if method == "create_index" else "index-", (name,), table) if name else None
    if method in _CONSTRAINTS or method == "drop_constraint":
        name = const_str(call.arg(0, "constraint_name", "name"))
        return ("constraint+" if method != "drop_constraint" else "constraint-", (name,), table) if name else None
    if method == "rename_table":
        new = const_str(call.arg(1, "new_table_name"))
        return ("rename", (table, new), table) if table and new else None
    return None


def _inverses(kind: str, key: tuple[str, ...], table: str | None) -> list[tuple[str, tuple[str, ...]]]:
    """The tokens of ``downgrade()`` any one of which undoes ``(kind, key)``."""
    if kind == "rename":
        return [("rename", (key[1], key[0]))]
    if kind == "column~":
        return [("column~", (key[0], key[2], key[1]))]
    inverse = _INVERSE[kind]
    if kind.startswith("constraint") and table:
        # a short name under the naming convention "ck_%(table_name)s_%(constraint_name)s"
        name, prefix = key[0], f"ck_{table}_"
        other = name.removeprefix(prefix) if name.startswith(prefix) else prefix + name
        return [(inverse, key), (inverse, (other,))]
    return [(inverse, key)]


_COLUMN_ARGS = {
    "create_index": (2, "columns"),
    "create_unique_constraint": (2, "columns"),
    "create_primary_key": (2, "columns"),
    "create_foreign_key": (3, "local_cols"),
}


def columns_of(call: OpCall) -> set[str]:
    """The literal column names an index or constraint of ``upgrade()`` is on (a check
    constraint: the columns its condition names)."""
    if call.method == "create_check_constraint":
        condition = call.arg(2, "condition", "sqltext")
        if condition is None:
            return set()
        if is_text_call(condition):
            condition = condition.args[0] if condition.args else None  # type: ignore[attr-defined]
        text = const_str(condition)
        if text is not None:
            return set(expression_columns(text) or ())
        calls = [node for node in ast.walk(condition) if type(node) is ast.Call] if condition else []
        return {const_str(node.args[0]) or "" for node in calls if callee_name(node) == "column" and node.args} - {""}
    spec = _COLUMN_ARGS.get(call.method)
    if spec is None:
        return set()
    value = call.arg(*spec)
    items = getattr(value, "elts", None) or []
    return {name for item in items if (name := const_str(item))}


def _undone_by_drop(
    kind: str, key: tuple[str, ...], call: OpCall, tables: set[str], columns: set[tuple[str, str]]
) -> bool:
    """``downgrade()`` drops the table, or a column, that the operation is on."""
    table = call.table
    if kind == "table+" or table is None:
        return False
    if table in tables and (kind.endswith("+") or kind in ("alter", "column~")):
        return True
    if kind == "alter":
        return key in columns
    if kind in ("index+", "constraint+"):
        return any((table, column) in columns for column in columns_of(call))
    return False


@register
class DowngradeDoesNotReverse(Rule):
    code = "DB104"
    name = "downgrade-does-not-reverse"
    severity = "warning"
    per_file = True
    fix = "add the inverse operation to downgrade(), in reverse order"

    def check_file(self, migration: Migration) -> Iterator[Hit]:
        downgrade = migration.functions.get("downgrade")
        if downgrade is None or is_trivial_body(downgrade.body):
            return  # DB101's business
        down_calls = migration.calls_in("downgrade")
        if any(c.method == "execute" for c in down_calls):
            return  # raw SQL: cannot tell what it undoes
        done: set[tuple[str, tuple[str, ...]]] = set()
        dropped_tables: set[str] = set()
        dropped_columns: set[tuple[str, str]] = set()
        for call in down_calls:
            tok = token(call)
            if tok is None:
                continue
            done.add((tok[0], tok[1]))
            if tok[0] == "table-":
                dropped_tables.add(tok[1][0])
            elif tok[0] == "column-":
                dropped_columns.add((tok[1][0], tok[1][1]))
        for call in migration.calls_in("upgrade"):
            tok = token(call)
            if tok is None:
                continue
            kind, key, table = tok
            wanted = _inverses(kind, key, table)
            if any(w in done for w in wanted) or _undone_by_drop(kind, key, call, dropped_tables, dropped_columns):
                continue
            shown = [repr(k) for k in wanted[0][1]]
            if kind == "column~":
                expected = _EXPECTED[kind].format(", ".join(shown[:2]), shown[2])
            else:
                expected = _EXPECTED[kind].format(", ".join(shown))
            yield call.hit(f"{call.subject()} in upgrade() is not reversed in downgrade() (expected {expected})")
