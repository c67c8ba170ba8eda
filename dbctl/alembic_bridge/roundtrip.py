"""The round trip of `dbctl check --roundtrip`: every revision is upgraded, downgraded and
upgraded again on a scratch database, and the schema read back by reflection must come back to
what it was. Migrations always run through the project's own env.py (:meth:`Executor.migrate`),
so they run as they really do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dbctl.alembic_bridge.compare import BOOKKEEPING_TABLES, column_list, render_type, require_target
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.executor import Executor
from dbctl.alembic_bridge.paths import display_path
from dbctl.errors import MigrationFailed, UsageError
from dbctl.targets import ResolvedTarget


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
            details = f"{render_type(column['type'], dialect)} {'NULL' if column['nullable'] else 'NOT NULL'}"
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
            schema[f"unique constraint {name} on {table} {column_list(unique_constraint['column_names'])}"] = PRESENT
        for fk in inspector.get_foreign_keys(table):
            name = fk.get("name") or "(unnamed)"
            referred = f"{fk['referred_table']}{column_list(fk['referred_columns'])}"
            where = f"{table}{column_list(fk['constrained_columns'])} → {referred}"
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
    target = require_target(executor)
    ordered = list(reversed(executor.scripts.walk()))
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
        path = display_path(rev.path) if rev.path else None
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
