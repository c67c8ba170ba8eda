"""Drift for `dbctl check --drift`: the models' ``MetaData`` against a database the migrations
built (or a real database at head), with Alembic's autogenerate comparison on that database's
dialect. The scratch databases are :mod:`.scratch`'s, the round trip :mod:`.roundtrip`'s.

Every Alembic and SQLAlchemy call of these checks lives in the bridge; what leaves it is
frozen dataclasses of plain strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dbctl.alembic_bridge import ledger
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.executor import Executor
from dbctl.errors import UsageError
from dbctl.targets import ResolvedTarget

VERSION_TABLE = "alembic_version"
BOOKKEEPING_TABLES = frozenset({VERSION_TABLE, ledger.LEDGER_TABLE})
NOT_CREATED, NOT_DECLARED = "not created", "not declared"  # what a drift says is missing where


@dataclass(frozen=True)
class SchemaDiff:
    """One difference between the models and a database.

    ``key`` names the object for ``[lint] drift_ignore`` (``table.users``,
    ``table.users.column.legacy``, ``index.ix_users_email``, ``constraint.uq_users_email``).
    """

    kind: str  # table | column | index | unique | foreign-key | comment | other
    key: str
    table: str | None
    column: str | None
    subject: str  # "column users.legacy"
    models: str  # what the models say
    database: str  # what the migrations produced (or the real database has)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key a drift_ignore entry may name to silence this difference."""
        keys = [self.key]
        if self.table and self.key != f"table.{self.table}":
            keys.append(f"table.{self.table}")
        return tuple(keys)


def compare_models(executor: Executor, metadata: Any, include_object: Any = None) -> list[SchemaDiff]:
    """Alembic's autogenerate comparison of ``metadata`` with the target database, read-only.

    dbctl's ledger and Alembic's version table are left out, and what the project's own
    ``include_object`` leaves out; types are compared (as the env.py that `dbctl init` writes
    does), rendered in the database's own dialect.
    """
    target = require_target(executor)

    def compare(connection: sa.Connection) -> list[SchemaDiff]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": _filter(include_object)},
        )
        try:
            diffs = compare_metadata(context, metadata)
        finally:
            connection.rollback()
        dialect = connection.dialect
        return [_describe(diff, dialect) for diff in _flatten(diffs)]

    return run_on_connection(target, compare)


def _filter(include_object: Any) -> Any:
    if include_object is None:
        return _not_bookkeeping

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return _not_bookkeeping(obj, name, type_, reflected, compare_to) and include_object(
            obj, name, type_, reflected, compare_to
        )

    return include


def _not_bookkeeping(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) not in BOOKKEEPING_TABLES


def _flatten(diffs: list[Any]) -> Iterator[tuple[Any, ...]]:
    for diff in diffs:
        if isinstance(diff, list):  # modify_* directives of one column come grouped
            yield from diff
        else:
            yield diff


def render_type(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type this dialect cannot render: its Python repr is still informative
        return repr(type_)


def _column(column: Any, dialect: Any) -> str:
    return f"{render_type(column.type, dialect)} {'NULL' if column.nullable else 'NOT NULL'}"


def column_list(names: Any) -> str:
    return "(" + ", ".join(str(getattr(n, "name", n)) for n in names) + ")"


def _indexcolumn_list(index: Any) -> str:
    return column_list(getattr(e, "name", str(e)) for e in index.expressions)


def _constraint(kind: str, constraint: Any) -> tuple[str, str, str]:
    """(kind, key, subject) of an index or constraint directive."""
    table = constraint.table.name
    name = constraint.name if isinstance(constraint.name, str) else None
    if kind == "index":
        unique = "unique " if constraint.unique else ""
        subject = f"{unique}index {name or '(unnamed)'} on {table} {_indexcolumn_list(constraint)}"
        return "index", f"index.{name}" if name else f"table.{table}", subject
    if kind == "foreign-key":
        referred = constraint.referred_table.name
        subject = (
            f"foreign key {name or '(unnamed)'} {table}{column_list(constraint.columns)} → "
            f"{referred}{column_list(e.column for e in constraint.elements)}"
        )
    else:
        subject = f"unique constraint {name or '(unnamed)'} on {table} {column_list(constraint.columns)}"
    return kind, f"constraint.{name}" if name else f"table.{table}", subject


def _describe(diff: tuple[Any, ...], dialect: Any) -> SchemaDiff:
    """One autogenerate directive as a :class:`SchemaDiff` (models: what the metadata says;
    database: what the schema has)."""
    op = diff[0]
    if op in ("add_table", "remove_table"):
        return _table_diff(op, diff[1])
    if op in ("add_column", "remove_column"):
        return _column_diff(op, diff[2], diff[3], dialect)
    if op.startswith("modify_"):
        return _modify_diff(op, diff, dialect)
    kinds = {"index": "index", "constraint": "unique", "fk": "foreign-key"}
    head, _, noun = op.partition("_")
    if head in ("add", "remove") and noun in kinds:
        kind, key, subject = _constraint(kinds[noun], diff[1])
        models, database = ("declared", NOT_CREATED) if head == "add" else (NOT_DECLARED, "present")
        return SchemaDiff(kind, key, diff[1].table.name, None, subject, models, database)
    if op in ("add_table_comment", "remove_table_comment"):
        table = diff[1]
        return SchemaDiff(
            "comment",
            f"table.{table.name}",
            table.name,
            None,
            f"comment on table {table.name}",
            _repr_value(table.comment),
            _repr_value(diff[2]),
        )
    table = next((getattr(d, "name", None) for d in diff[1:] if hasattr(d, "columns")), None)
    return SchemaDiff(
        "other",
        f"table.{table}" if table else op,
        table,
        None,
        op.replace("_", " "),
        "differs",
        ", ".join(repr(d) for d in diff[1:]),
    )


def _table_diff(op: str, table: Any) -> SchemaDiff:
    columns = ", ".join(c.name for c in table.columns)
    found = f"a table with columns ({columns})"
    models, database = (found, NOT_CREATED) if op == "add_table" else (NOT_DECLARED, found)
    return SchemaDiff("table", f"table.{table.name}", table.name, None, f"table {table.name}", models, database)


def _column_diff(op: str, table: str, column: Any, dialect: Any) -> SchemaDiff:
    found = _column(column, dialect)
    models, database = (found, "no such column") if op == "add_column" else ("no such column", found)
    return SchemaDiff(
        "column",
        f"table.{table}.column.{column.name}",
        table,
        column.name,
        f"column {table}.{column.name}",
        models,
        database,
    )


def _modify_diff(op: str, diff: tuple[Any, ...], dialect: Any) -> SchemaDiff:
    _, _schema, table, column, _existing, old, new = diff
    what = op.removeprefix("modify_")
    if what == "type":
        old, new = render_type(old, dialect), render_type(new, dialect)
    elif what == "nullable":
        old, new = ("NULL" if old else "NOT NULL"), ("NULL" if new else "NOT NULL")
    else:
        old, new = _repr_value(old), _repr_value(new)
    return SchemaDiff(
        "column",
        f"table.{table}.column.{column}",
        table,
        column,
        f"column {table}.{column} ({what.replace('_', ' ')})",
        str(new),
        str(old),
    )


def _repr_value(value: Any) -> str:
    if value is None or value is False:
        return "none"
    text = getattr(value, "text", None) or getattr(getattr(value, "arg", None), "text", None)
    return str(text if text is not None else getattr(value, "arg", value))


def require_target(executor: Executor) -> ResolvedTarget:
    if executor.target is None:
        raise UsageError("this check needs a database target")
    return executor.target
