"""`op.alter_column(..., type_=...)` on an existing table.

**What it does**

Flags `op.alter_column` / `batch_op.alter_column` with `type_=` in `upgrade()` on a table that
was not created in the same migration. Widening a string column is not flagged, because
PostgreSQL only updates the catalogue: `existing_type=sa.String(n)` (or `VARCHAR(n)`,
`Unicode(n)`) changed to a larger `n`, to `String()` without a length, or to `sa.Text()`;
and `Text` to `String()` without a length.

**Why is this bad?**

Most type changes rewrite the table and rebuild its indexes under an ACCESS EXCLUSIVE lock
(exceptions: widening `varchar(n)`, `varchar` → `text`, a few binary-compatible casts).
Running code may also break on the new type.

**Example**

```python
def upgrade():
    op.alter_column("order", "total", existing_type=sa.Integer(), type_=sa.Numeric(12, 2))
```

**Use instead**

Add a new column, backfill it in batches, switch the application over, then drop the old
column in a later release:

```python
def upgrade():
    op.add_column("order", sa.Column("total_amount", sa.Numeric(12, 2)))
```

**Alembic notes**

The old type is known only from `existing_type=`: without it a widening cannot be told from
a narrowing and is flagged. A widening with `postgresql_using=` or a `collation` is flagged
(it may rewrite the column or rebuild its indexes). Other changes known to be metadata-only
(e.g. increasing `Numeric` precision) can be suppressed on that line with
`# dbctl: ignore[DB306]`. Raw `ALTER COLUMN ... TYPE` in
`op.execute` is checked by DB601 with this code.

**Options**

None. Runs when a PostgreSQL target is configured or `[lint] dialects` includes `postgresql`.

**References**

- PostgreSQL, ALTER TABLE (SET DATA TYPE): https://www.postgresql.org/docs/current/sql-altertable.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.syntax import type_name

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.syntax import OpCall


_VARCHAR = frozenset({"String", "VARCHAR", "Unicode"})
_TEXT = frozenset({"Text", "TEXT", "UnicodeText"})
_UNBOUNDED = -1


def _string_length(node: ast.expr | None) -> int | None:
    """The length of a string type: ``n`` for ``String(n)`` / ``VARCHAR(length=n)``,
    ``_UNBOUNDED`` for ``String()`` and ``Text``; None when not a plain string type (a
    collation, a length that is not a literal, another type)."""
    name = type_name(node)
    if name not in _VARCHAR and name not in _TEXT:
        return None
    if type(node) is not ast.Call:
        return _UNBOUNDED
    keywords = {kw.arg: kw.value for kw in node.keywords}
    if "collation" in keywords or len(node.args) > 1 or set(keywords) - {"length"}:
        return None
    length = node.args[0] if node.args else keywords.get("length")
    if length is None or (type(length) is ast.Constant and length.value is None):
        return _UNBOUNDED
    if type(length) is ast.Constant and type(length.value) is int and name in _VARCHAR:
        return length.value
    return None


def _widens(old: ast.expr | None, new: ast.expr) -> bool:
    """``old`` -> ``new`` only widens a string type (catalogue-only in PostgreSQL)."""
    before, after = _string_length(old), _string_length(new)
    if before is None or after is None:
        return False
    if after == _UNBOUNDED:
        return True
    return before != _UNBOUNDED and after >= before


@register
class ColumnTypeChange(Rule):
    code = "DB306"
    name = "column-type-change"
    severity = "warning"
    dialects = ("postgresql",)
    calls = ("alter_column",)
    statements = ("AlterTableStmt",)
    fix = "add a new column, backfill it, switch readers, then drop the old one"

    def check_call(self, call: OpCall, migration: Migration) -> Iterator[Hit]:
        value = call.kw("type_")
        if call.existing_table and value is not None and getattr(value, "value", 0) is not None:
            if call.kw("postgresql_using") is None and _widens(call.kw("existing_type"), value):
                return
            yield call.hit(f"{call.subject()} changes a column type on {call.on()}: usually a full table rewrite")

    def check_sql(self, statement: SqlStatement) -> Iterator[Hit]:
        for subtype, command, _, _ in statement.alter_commands():
            if subtype == "AT_AlterColumnType":
                column = command.get("name")
                yield statement.hit(f"type of column '{column}' of existing table '{statement.relation}' changed")
