"""Schema comparisons for `dbctl check --drift` and `--roundtrip`.

Drift: the models' ``MetaData`` against a database the migrations built (or a real database at
head), with Alembic's autogenerate comparison on that database's dialect. Round trip: every
revision is upgraded, downgraded and upgraded again on a scratch database, and the schema read
back by reflection must come back to what it was. Migrations always run through the project's
own env.py (:meth:`Executor.migrate`), so they run as they really do.

Every Alembic and SQLAlchemy call of these checks lives here; what leaves this module is
frozen dataclasses of plain strings.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dbctl.alembic_bridge import ledger
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.executor import Executor
from dbctl.errors import MigrationFailed, UsageError
from dbctl.targets import ResolvedTarget

VERSION_TABLE = "alembic_version"
BOOKKEEPING_TABLES = frozenset({VERSION_TABLE, ledger.LEDGER_TABLE})


# -- results ------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class RoundtripFailure:
    """The first revision whose upgrade → downgrade → upgrade did not come back to the same schema."""

    revision: str
    path: str | None  # the revision file
    step: str  # upgrade | downgrade | upgrade again
    differences: tuple[str, ...] = ()  # schema differences, one line each
    error: str | None = None  # the database's error, when the step failed


@dataclass(frozen=True)
class RoundtripResult:
    """What a round trip did: revisions checked, revisions skipped (up to ``start_after``)."""

    checked: tuple[str, ...]
    skipped: tuple[str, ...]
    failure: RoundtripFailure | None


# -- scratch databases --------------------------------------------------------------------------


@contextlib.contextmanager
def temporary_sqlite() -> Iterator[ResolvedTarget]:
    """A scratch SQLite file in a private temporary folder, deleted (with its lock file) afterwards."""
    folder = tempfile.mkdtemp(prefix="dbctl-scratch-")
    path = str(Path(folder) / "scratch.db")
    try:
        yield ResolvedTarget(
            name="scratch",
            url=f"sqlite+pysqlite:///{path}",
            display_url=f"sqlite:///{path}",
            dialect="sqlite",
            driver="pysqlite",
            host=None,
            port=None,
            database=path,
            protected=False,
            lock_timeout=None,
            statement_timeout=None,
            connect_timeout=10.0,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def require_scratch(target: ResolvedTarget) -> None:
    """Refuse a protected target as a scratch database (before connecting to it at all)."""
    if target.protected:
        raise UsageError(
            f"target '{target.name}' is protected: it is never used as a scratch database",
            hint="give a throwaway target, or leave out -t to use a temporary SQLite file",
        )


def require_empty(target: ResolvedTarget) -> None:
    """Refuse a scratch target that is protected, or that has a revision or tables of its own."""
    require_scratch(target)

    def inspect(connection: sa.Connection) -> tuple[tuple[str, ...], list[str]]:
        current = Executor.read_current(connection)
        tables = [t for t in sa.inspect(connection).get_table_names() if t not in BOOKKEEPING_TABLES]
        connection.rollback()
        return current, tables

    current, tables = run_on_connection(target, inspect)
    if current or tables:
        what = f"is at {', '.join(current)}" if current else f"has tables ({', '.join(sorted(tables)[:5])})"
        raise UsageError(
            f"target '{target.name}' {what}: the round trip needs an empty scratch database",
            hint=f"use a fresh database, or empty it first (`dbctl -t {target.name} downgrade base`)",
        )


def upgrade_scratch(executor: Executor) -> None:
    """Upgrade a scratch database to every head, through the project's env.py."""
    executor.migrate("upgrade", "heads")


# -- drift --------------------------------------------------------------------------------------


def compare_models(executor: Executor, metadata: Any) -> list[SchemaDiff]:
    """Alembic's autogenerate comparison of ``metadata`` with the target database, read-only.

    dbctl's ledger and Alembic's version table are left out; types are compared (as the env.py
    that `dbctl init` writes does), rendered in the database's own dialect.
    """
    target = _target(executor)

    def compare(connection: sa.Connection) -> list[SchemaDiff]:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": _not_bookkeeping},
        )
        try:
            diffs = compare_metadata(context, metadata)
        finally:
            connection.rollback()
        dialect = connection.dialect
        return [_describe(diff, dialect) for diff in _flatten(diffs)]

    return run_on_connection(target, compare)


def _not_bookkeeping(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) not in BOOKKEEPING_TABLES


def _flatten(diffs: list[Any]) -> Iterator[tuple[Any, ...]]:
    for diff in diffs:
        if isinstance(diff, list):  # modify_* directives of one column come grouped
            yield from diff
        else:
            yield diff


def _type(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a type this dialect cannot render: its Python repr is still informative
        return repr(type_)


def _column(column: Any, dialect: Any) -> str:
    return f"{_type(column.type, dialect)} {'NULL' if column.nullable else 'NOT NULL'}"


def _cols(names: Any) -> str:
    return "(" + ", ".join(str(getattr(n, "name", n)) for n in names) + ")"


def _index_cols(index: Any) -> str:
    return _cols(getattr(e, "name", str(e)) for e in index.expressions)


def _constraint(kind: str, constraint: Any) -> tuple[str, str, str]:
    """(kind, key, subject) of an index or constraint directive."""
    table = constraint.table.name
    name = constraint.name if isinstance(constraint.name, str) else None
    if kind == "index":
        unique = "unique " if constraint.unique else ""
        subject = f"{unique}index {name or '(unnamed)'} on {table} {_index_cols(constraint)}"
        return "index", f"index.{name}" if name else f"table.{table}", subject
    if kind == "foreign-key":
        referred = constraint.referred_table.name
        subject = (
            f"foreign key {name or '(unnamed)'} {table}{_cols(constraint.columns)} → "
            f"{referred}{_cols(e.column for e in constraint.elements)}"
        )
    else:
        subject = f"unique constraint {name or '(unnamed)'} on {table} {_cols(constraint.columns)}"
    return kind, f"constraint.{name}" if name else f"table.{table}", subject


def _describe(diff: tuple[Any, ...], dialect: Any) -> SchemaDiff:
    """One autogenerate directive as a :class:`SchemaDiff` (models: what the metadata says;
    database: what the schema has)."""
    op = diff[0]
    missing, absent = "not created", "not declared"
    if op in ("add_table", "remove_table"):
        table = diff[1]
        columns = ", ".join(c.name for c in table.columns)
        found = f"a table with columns ({columns})"
        models, database = (found, missing) if op == "add_table" else (absent, found)
        return SchemaDiff("table", f"table.{table.name}", table.name, None, f"table {table.name}", models, database)
    if op in ("add_column", "remove_column"):
        _, _schema, table, column = diff
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
    if op.startswith("modify_"):
        _, _schema, table, column, _existing, old, new = diff
        what = op.removeprefix("modify_")
        if what == "type":
            old, new = _type(old, dialect), _type(new, dialect)
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
    kinds = {"index": "index", "constraint": "unique", "fk": "foreign-key"}
    head, _, noun = op.partition("_")
    if head in ("add", "remove") and noun in kinds:
        kind, key, subject = _constraint(kinds[noun], diff[1])
        models, database = ("declared", missing) if head == "add" else (absent, "present")
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


def _repr_value(value: Any) -> str:
    if value is None or value is False:
        return "none"
    text = getattr(value, "text", None) or getattr(getattr(value, "arg", None), "text", None)
    return str(text if text is not None else getattr(value, "arg", value))


# -- round trip ---------------------------------------------------------------------------------


Schema = dict[str, str]  # "column users.email" -> "VARCHAR(320) NOT NULL"
PRESENT = "present"


def snapshot(target: ResolvedTarget) -> Schema:
    """The schema by reflection: tables, columns, primary keys, indexes, unique, foreign-key and
    check constraints, each as one ``description -> details`` entry (bookkeeping tables left out)."""

    def read(connection: sa.Connection) -> Schema:
        try:
            return _reflect(connection)
        finally:
            connection.rollback()

    return run_on_connection(target, read)


def _reflect(connection: sa.Connection) -> Schema:
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    schema: Schema = {}
    for table in sorted(inspector.get_table_names()):
        if table in BOOKKEEPING_TABLES:
            continue
        schema[f"table {table}"] = PRESENT
        for column in inspector.get_columns(table):
            details = f"{_type(column['type'], dialect)} {'NULL' if column['nullable'] else 'NOT NULL'}"
            default = _normal_default(column.get("default"))
            schema[f"column {table}.{column['name']}"] = details + (f" DEFAULT {default}" if default else "")
        pk = inspector.get_pk_constraint(table)
        if pk.get("constrained_columns"):
            schema[f"primary key of {table}"] = ", ".join(pk["constrained_columns"])
        for index in inspector.get_indexes(table):
            columns = [c if c is not None else "<expression>" for c in index.get("column_names") or ()]
            unique = ["unique"] if index.get("unique") else []
            schema[f"index {index['name']} on {table}"] = ", ".join(columns + unique)
        for unique_constraint in inspector.get_unique_constraints(table):
            name = unique_constraint.get("name") or "(unnamed)"
            schema[f"unique constraint {name} on {table} {_cols(unique_constraint['column_names'])}"] = PRESENT
        for fk in inspector.get_foreign_keys(table):
            name = fk.get("name") or "(unnamed)"
            where = f"{table}{_cols(fk['constrained_columns'])} → {fk['referred_table']}{_cols(fk['referred_columns'])}"
            options = fk.get("options") or {}
            actions = [f"{k.upper()} {v}" for k, v in sorted(options.items()) if k in ("ondelete", "onupdate") and v]
            schema[f"foreign key {name} {where}"] = ", ".join(actions) or PRESENT
        with contextlib.suppress(NotImplementedError):
            for check in inspector.get_check_constraints(table):
                schema[f"check constraint {check.get('name') or '(unnamed)'} on {table}"] = " ".join(
                    str(check.get("sqltext", "")).split()
                )
    return schema


def _normal_default(default: Any) -> str:
    """A reflected server default without the wrapping parentheses some backends add."""
    text = " ".join(str(default).split()) if default is not None else ""
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        if depth < 0:
            return False
    return depth == 0


def schema_differences(before: Schema, after: Schema) -> tuple[str, ...]:
    """One line per object that is missing, left behind or changed in ``after``."""
    lines = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was == now:
            continue
        if now is None:
            lines.append(f"{key}{_detail(was)}: missing")
        elif was is None:
            lines.append(f"{key}{_detail(now)}: left behind")
        else:
            lines.append(f"{key}: was {was}, now {now}")
    return tuple(lines)


def _detail(value: str | None) -> str:
    return f" ({value})" if value and value != PRESENT else ""


def roundtrip(
    executor: Executor, start_after: str | None = None, on_revision: Callable[[str], None] | None = None
) -> RoundtripResult:
    """Upgrade, downgrade and upgrade again each revision from base to head on the (empty,
    scratch) target, comparing the reflected schema after each downgrade with the schema before
    that upgrade, and after the second upgrade with the schema after the first. Stops at the
    first failure. Revisions up to and including ``start_after`` are applied without checking.
    """
    target = _target(executor)
    script = executor.script()
    ordered = list(reversed(list(script.walk_revisions())))
    skipped: list[str] = []
    if start_after:
        matches = [r for r in ordered if r.revision.startswith(start_after)]
        if len(matches) != 1:
            raise UsageError(f"lint.start_after: '{start_after}' names {len(matches)} revisions; give exactly one")
        grandfathered = executor.ancestors((matches[0].revision,))
        skipped = [r.revision for r in ordered if r.revision in grandfathered]
        ordered = [r for r in ordered if r.revision not in grandfathered]
        executor.migrate("upgrade", matches[0].revision)
    checked: list[str] = []
    before = snapshot(target)
    for rev in ordered:
        if on_revision is not None:
            on_revision(rev.revision)
        path = executor.display_path(rev.path) if rev.path else None
        after, failure = _roundtrip_one(executor, target, rev, before, path)
        if failure is not None:
            return RoundtripResult(tuple(checked), tuple(skipped), failure)
        checked.append(rev.revision)
        before = after
    return RoundtripResult(tuple(checked), tuple(skipped), None)


def _roundtrip_one(
    executor: Executor, target: ResolvedTarget, rev: Any, before: Schema, path: str | None
) -> tuple[Schema, RoundtripFailure | None]:
    """Upgrade ``rev``, downgrade it, upgrade it again; the schema after it and the failure, if any."""

    def step(name: str, command: str, revision: str) -> Schema | RoundtripFailure:
        try:
            executor.migrate(command, revision)
        except MigrationFailed as error:
            return RoundtripFailure(rev.revision, path, name, error=error.message)
        return snapshot(target)

    after = step("upgrade", "upgrade", rev.revision)
    if isinstance(after, RoundtripFailure):
        return before, after
    for name, command, revision, expected in (
        ("downgrade", "downgrade", _below(rev), before),
        ("upgrade again", "upgrade", rev.revision, after),
    ):
        now = step(name, command, revision)
        if isinstance(now, RoundtripFailure):
            return after, now
        differences = schema_differences(expected, now)
        if differences:
            return after, RoundtripFailure(rev.revision, path, name, differences=differences)
    return after, None


def _below(rev: Any) -> str:
    """The downgrade target that reverts exactly ``rev``, whatever other branches are applied:
    ``rev@-1`` (one step down on rev's own branch); for a merge point, one of its parents
    (Alembic then removes only the merge, keeping the other parent applied)."""
    parents = rev.down_revision
    if isinstance(parents, tuple | list) and len(parents) > 1:
        return str(parents[0])
    return f"{rev.revision}@-1"


def _target(executor: Executor) -> ResolvedTarget:
    if executor.target is None:
        raise UsageError("this check needs a database target")
    return executor.target
