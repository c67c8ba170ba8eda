"""Which dialects a project uses, decided statically: the same files and the same config give
the same dialects on every machine, whatever the environment holds.

In this order: ``[lint] dialects``; the literal scheme of each target URL, or the default of a
``${VAR:-default}`` (:func:`dbctl.targets.dialect_of`); for a target without a URL (env.py
chooses), the ``sqlalchemy.url`` of the Alembic project; then, while a target (or the project,
with no target) still names none, evidence in the migration files: a
``sqlalchemy.dialects.postgresql`` import or a ``postgresql_*`` keyword means PostgreSQL; a
``PRAGMA``, a ``sqlalchemy.dialects.sqlite`` import, a ``sqlite_*`` keyword, or
``batch_alter_table`` used for every table alteration means SQLite. The environment is never
read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dbctl.config.model import ProjectConfig

__all__ = ["DialectScope", "decide_dialects", "evidence"]

# The sources, in the order they are consulted (the values of ``dialect_source`` in JSON/SARIF).
CONFIG, TARGETS, MIGRATIONS, NONE = "config", "targets", "migrations", "none"

_COMMENT = re.compile(r"^[ \t]*#.*$", re.M)
_POSTGRESQL = re.compile(
    r"\bsqlalchemy\.dialects\.postgresql\b"
    r"|\bfrom[ \t]+sqlalchemy\.dialects[ \t]+import[ \t(]+[^\n)]*\bpostgresql\b"
    r"|\bpostgresql_\w+[ \t]*="
)
_SQLITE = re.compile(
    r"\bsqlalchemy\.dialects\.sqlite\b"
    r"|\bfrom[ \t]+sqlalchemy\.dialects[ \t]+import[ \t(]+[^\n)]*\bsqlite\b"
    r"|\bsqlite_\w+[ \t]*="
    r"|['\"][ \t]*PRAGMA\b",
    re.I,
)
_BATCH = re.compile(r"\.batch_alter_table\(")
# table alterations autogenerate renders inside batch_alter_table when render_as_batch is on
_PLAIN_ALTER = re.compile(
    r"\bop\.(?:add_column|drop_column|alter_column|create_foreign_key|create_unique_constraint"
    r"|create_check_constraint|create_primary_key|drop_constraint)\("
)


@dataclass(frozen=True)
class DialectScope:
    """The dialects whose rules run, where that was learnt, and what the user should know.

    ``dialects`` is sorted; ``source`` is ``config``, ``targets``, ``migrations``,
    ``targets+migrations`` or ``none``; ``unknown`` names what said nothing (a target, or the
    project when it has no target) - the rules of the dialects nobody named did not run.
    """

    dialects: tuple[str, ...]
    source: str
    unknown: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every target's dialect is known (nothing was skipped for want of one)."""
        return not self.unknown


def decide_dialects(project: ProjectConfig, files: Iterable[str]) -> DialectScope:
    """The :class:`DialectScope` of ``project``, whose migration files are ``files`` (read only
    when the configuration leaves a dialect open)."""
    from dbctl.targets import configured_dialects, target_dialects
    from dbctl.urls import DIALECT_ALIASES

    if project.lint.dialects:
        return DialectScope(tuple(sorted({DIALECT_ALIASES.get(d, d) for d in project.lint.dialects})), CONFIG)
    if project.targets:
        named = target_dialects(project)
        known = {d for d in named.values() if d}
        unknown = tuple(
            f"target '{name}'" + (" (its env.py chooses the database)" if project.targets[name].url is None else "")
            for name, dialect in named.items()
            if dialect is None
        )
    else:
        known = configured_dialects(project)  # the Alembic project's sqlalchemy.url
        unknown = () if known else ("the project (it configures no target)",)
    if not unknown:
        return DialectScope(tuple(sorted(known)), TARGETS)
    found = evidence(files)
    if found:
        source = f"{TARGETS}+{MIGRATIONS}" if known else MIGRATIONS
        return DialectScope(tuple(sorted(known | found)), source, unknown)
    return DialectScope(tuple(sorted(known)), TARGETS if known else NONE, unknown)


def evidence(files: Iterable[str]) -> set[str]:
    """The dialects the migration ``files`` show they were written for (comments ignored)."""
    found: set[str] = set()
    batch = plain = False
    for file in files:
        try:
            text = _COMMENT.sub("", Path(file).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if _POSTGRESQL.search(text):
            found.add("postgresql")
        if _SQLITE.search(text):
            found.add("sqlite")
        batch = batch or bool(_BATCH.search(text))
        plain = plain or bool(_PLAIN_ALTER.search(text))
    if batch and not plain:
        found.add("sqlite")
    return found
