"""Scratch databases for `check --drift` and `--roundtrip`: a temporary SQLite file, or a
throwaway target that must be unprotected (and, for the round trip, empty)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from dbctl.alembic_bridge.compare import BOOKKEEPING_TABLES
from dbctl.alembic_bridge.config import hands_over_connection
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.executor import Executor
from dbctl.alembic_bridge.runner import read_current
from dbctl.config.model import ProjectConfig
from dbctl.errors import UsageError
from dbctl.targets import ResolvedTarget


@contextlib.contextmanager
def temporary_sqlite(project: ProjectConfig | None = None, purpose: str = "") -> Iterator[ResolvedTarget]:
    """A scratch SQLite file in a private temporary folder, deleted (with its lock file)
    afterwards. A classic async env.py (``async_engine_from_config``) gets the async driver;
    ``purpose`` names it in messages ("dbctl's temporary database for check --drift")."""
    folder = tempfile.mkdtemp(prefix="dbctl-scratch-")
    path = str(Path(folder) / "scratch.db")
    driver = "aiosqlite" if project is not None and _async_env(project) else "pysqlite"
    try:
        yield ResolvedTarget(
            name="scratch",
            url=f"sqlite+{driver}:///{path}",
            display_url=f"sqlite:///{path}",
            dialect="sqlite",
            driver=driver,
            host=None,
            port=None,
            database=path,
            protected=False,
            lock_timeout=None,
            statement_timeout=None,
            connect_timeout=10.0,
            purpose=purpose or "dbctl's temporary database",
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _async_env(project: ProjectConfig) -> bool:
    """Whether the project's env.py (not one dbctl wrote) builds an asyncio engine."""
    if hands_over_connection(project):
        return False
    try:
        text = (project.script_location / "env.py").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "async_engine_from_config" in text or "create_async_engine" in text


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
        current = read_current(connection)
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
