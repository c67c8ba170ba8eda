"""A migration that changes the schema but cannot be downgraded.

**What it does**

Flags a migration whose `upgrade()` changes the schema while `downgrade()` is missing, or
contains only `pass`, `...`, a docstring or `raise NotImplementedError`. An `upgrade()` that
only changes data is not a schema change: `op.bulk_insert`, `op.execute` of literal SQL made
only of `INSERT` / `UPDATE` / `DELETE` / `MERGE` / `SET` / `TRUNCATE` statements, `SELECT`s
that call no function but sequence, aggregate and advisory-lock ones (`SELECT setval(...)`;
not `SELECT create_hypertable(...)`), and temporary tables (`CREATE TEMP TABLE`, dropped
again); `op.execute` of a SQLAlchemy `update()` / `insert()` / `delete()` construct; and
`op.create_table(..., prefixes=["TEMPORARY"])` with its `drop_table`. For such a migration
the rule reports only an `info`: the data change cannot be undone by `dbctl downgrade`.

**Why is this bad?**

Without a downgrade, a bad deploy cannot be rolled back with `dbctl downgrade`: the only way
back is hand-written SQL under pressure. Tests that run upgrade/downgrade round trips cannot
cover the revision either.

**Example**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))


def downgrade():
    pass
```

**Use instead**

```python
def upgrade():
    op.add_column("user", sa.Column("nickname", sa.String(50)))


def downgrade():
    op.drop_column("user", "nickname")
```

**Alembic notes**

Autogenerate writes both functions; this usually fires on hand-written revisions or after the
generated downgrade was deleted. A revision that really is irreversible should say so with a
suppression and a comment: `def downgrade():  # dbctl: ignore[DB101] data is gone`.
`op.execute` of SQL built at run time, of SQL the parser rejects, or of anything that is not
recognisably a data change (a variable, a `DDL` construct) counts as a schema change.

**Options**

None.

**References**

- Alembic tutorial, "Create a Migration Script": https://alembic.sqlalchemy.org/en/latest/tutorial.html
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.lint.registry import Hit, Rule, register
from dbctl.lint.sql import function_calls, parse_literal, unwrap
from dbctl.lint.syntax import SCHEMA_OPS, callee_name, is_text_call, is_trivial_body

if TYPE_CHECKING:
    from dbctl.lint.parse import Migration
    from dbctl.lint.syntax import OpCall

# statements that change data, or nothing persistent, but not the schema
_DATA_STATEMENTS = frozenset(
    {"InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "SelectStmt", "VariableSetStmt", "TruncateStmt"}
)
_DML_CONSTRUCTS = frozenset({"update", "insert", "delete"})
# functions a data-only SELECT may call (any other function may change the schema)
_SELECT_FUNCTIONS = frozenset(
    {"setval", "nextval", "currval", "max", "min", "count", "sum", "coalesce", "greatest", "least"}
    | {"lower", "upper", "now", "pg_advisory_lock", "pg_advisory_xact_lock", "pg_advisory_unlock"}
)
_TEXT_METHODS = frozenset({"bindparams", "columns", "execution_options"})


def _is_temporary(call: OpCall) -> bool:
    """``op.create_table(..., prefixes=["TEMPORARY"])`` (or ``TEMP``)."""
    prefixes = call.kw("prefixes")
    items = getattr(prefixes, "elts", None) or []
    return any(getattr(item, "value", "") in ("TEMPORARY", "TEMP") for item in items)


class _DataChanges:
    """Sorts the calls of ``upgrade()``: schema changes, and changes of data only."""

    def __init__(self, migration: Migration) -> None:
        self.migration = migration
        self.temporary: set[str] = set()
        self.schema: list[OpCall] = []
        self.data: list[OpCall] = []
        for call in migration.calls_in("upgrade"):
            if call.method == "bulk_insert":
                self.data.append(call)
            elif call.method in SCHEMA_OPS:
                (self.data if self._data_only(call) else self.schema).append(call)

    def _data_only(self, call: OpCall) -> bool:
        if call.method == "create_table" and call.table and _is_temporary(call):
            self.temporary.add(call.table)
            return True
        if call.method == "drop_table":
            return call.table in self.temporary
        if call.method != "execute":
            return False
        sql = call.arg(0, "sqltext")
        while type(sql) is ast.Call and type(sql.func) is ast.Attribute and sql.func.attr in _TEXT_METHODS:
            sql = sql.func.value  # sa.text("...").bindparams(...)
        if sql is None:
            return False
        if type(sql) is ast.Constant or is_text_call(sql) or type(sql) in (ast.BinOp, ast.Name, ast.JoinedStr):
            raw = parse_literal(sql, self.migration.consts)
            return raw is not None and all(self._data_statement(item.get("stmt")) for item in raw)
        names = {callee_name(node) for node in ast.walk(sql) if type(node) is ast.Call}
        return bool(names & _DML_CONSTRUCTS) and all(
            name in _DML_CONSTRUCTS or not (name or "x")[0].isupper() for name in names
        )

    def _data_statement(self, stmt: object) -> bool:
        kind, body = unwrap(stmt)
        into = body.get("intoClause") if kind == "SelectStmt" else body.get("into")
        relation = body.get("relation") if kind == "CreateStmt" else (into or {}).get("rel")
        if relation is not None and (kind == "CreateStmt" or into):  # CREATE [TEMP] TABLE (AS), SELECT INTO
            if relation.get("relpersistence") != "t":
                return False
            self.temporary.add(relation.get("relname", ""))
            return True
        if kind == "DropStmt" and body.get("removeType") == "OBJECT_TABLE":
            names = [(unwrap(o)[1].get("items") or [{}])[-1] for o in body.get("objects", [])]
            names = [unwrap(name)[1].get("sval") for name in names]
            return all(name in self.temporary for name in names)
        if kind == "SelectStmt":  # SELECT create_hypertable(...) changes the schema
            return set(function_calls(body)) <= _SELECT_FUNCTIONS
        return kind in _DATA_STATEMENTS


@register
class MissingDowngrade(Rule):
    code = "DB101"
    name = "missing-downgrade"
    severity = "error"
    per_file = True
    fix = "write a downgrade() that reverses every operation of upgrade()"

    def check_file(self, migration: Migration) -> Iterator[Hit]:
        upgrade = migration.functions.get("upgrade")
        if upgrade is None:
            return
        downgrade = migration.functions.get("downgrade")
        if downgrade is not None and not is_trivial_body(downgrade.body):
            return
        changes = _DataChanges(migration)
        severity = help = None
        if changes.schema:
            missing = "upgrade() changes the schema but there is no downgrade()"
            empty = "downgrade() does nothing while upgrade() changes the schema"
        elif changes.data:
            first = changes.data[0]
            change = f"upgrade() only changes data ({first.subject()} at line {first.node.lineno})"
            missing = f"{change}; without a downgrade() the change cannot be undone"
            empty = f"{change}; downgrade() does not undo it"
            severity = "info"
            help = "undo the data change in downgrade() if it matters; otherwise `# dbctl: ignore[DB101]`"
        else:
            return
        if downgrade is None:
            yield Hit(upgrade.lineno, upgrade.col_offset + 1, missing, severity=severity, help=help)
        else:
            yield Hit(
                downgrade.lineno,
                downgrade.col_offset + 1,
                empty,
                end_line=downgrade.body[0].lineno if downgrade.body else downgrade.lineno,
                severity=severity,
                help=help,
            )
