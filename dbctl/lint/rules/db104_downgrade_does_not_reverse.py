"""A schema operation in `upgrade()` that `downgrade()` does not undo.

**What it does**

Pairs each operation of `upgrade()` with its inverse in `downgrade()`: `create_table` ↔
`drop_table`, `add_column` ↔ `drop_column`, `create_index` ↔ `drop_index`,
`create_*_constraint` / `create_foreign_key` / `create_primary_key` ↔ `drop_constraint`,
`rename_table(a, b)` ↔ `rename_table(b, a)`, `alter_column` ↔ `alter_column` on the same
column. Dropping a table in `downgrade()` undoes everything created on it. Flags the
operations left without an inverse.

**Why is this bad?**

A partial downgrade leaves the database in a state no revision describes: the next
`upgrade` fails on the leftover index or column, and round-trip tests stop meaning anything.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))
    op.create_index("ix_user_nickname", "user", ["nickname"])


def downgrade():
    op.drop_column("user", "nickname")
```

**Use instead**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))
    op.create_index("ix_user_nickname", "user", ["nickname"])


def downgrade():
    op.drop_index("ix_user_nickname", table_name="user")
    op.drop_column("user", "nickname")
```

**Alembic notes**

Only operations with literal names are paired (`op.f("name")` counts as literal). When
`downgrade()` runs raw SQL with `op.execute`, it cannot be checked and the rule stays silent;
when it is empty, DB101 reports it instead.

**Options**

None.

**References**

- Alembic operation reference: https://alembic.sqlalchemy.org/en/latest/ops.html
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import column_calls, column_name, const_str, is_trivial_body

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
        for call in down_calls:
            tok = token(call)
            if tok is None:
                continue
            done.add((tok[0], tok[1]))
            if tok[0] == "table-":
                dropped_tables.add(tok[1][0])
        for call in migration.calls_in("upgrade"):
            tok = token(call)
            if tok is None:
                continue
            kind, key, table = tok
            if kind == "rename":
                wanted = ("rename", (key[1], key[0]))
            else:
                wanted = (_INVERSE[kind], key)
                if kind.endswith("+") and kind != "table+" and table in dropped_tables:
                    continue
            if wanted in done:
                continue
            shown = ", ".join(repr(k) for k in wanted[1])
            expected = _EXPECTED[kind].format(shown)
            yield call.hit(f"{call.subject()} in upgrade() is not reversed in downgrade() (expected {expected})")
