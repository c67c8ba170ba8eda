"""Open a connection to a target, sync or async, with every connect failure mapped to exit 3."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.pool import NullPool

from dbctl.config.durations import format_duration
from dbctl.deploy.locking import backoff
from dbctl.errors import ConnectionFailed, TargetError
from dbctl.targets import ResolvedTarget

T = TypeVar("T")


def session_options(target: ResolvedTarget) -> str | None:
    """libpq ``options`` that apply the target's lock_timeout and statement_timeout to every
    statement of the session (so also to a classic env.py's own connection)."""
    if target.dialect != "postgresql":
        return None
    parts = [
        f"-c {name}={round(value * 1000)}"
        for name, value in (("lock_timeout", target.lock_timeout), ("statement_timeout", target.statement_timeout))
        if value is not None
    ]
    return " ".join(parts) or None


def url_with_session_options(target: ResolvedTarget) -> str:
    """The target URL with :func:`session_options` added to its query (for a classic env.py)."""
    options = session_options(target)
    if options is None or not target.driver.startswith("psycopg"):
        return target.url
    from urllib.parse import quote

    separator = "&" if "?" in target.url else "?"
    return f"{target.url}{separator}options={quote(options)}"


def _connect_args(target: ResolvedTarget, migration: bool = False) -> dict[str, object]:
    if target.dialect == "postgresql" and target.driver.startswith("psycopg"):
        # libpq rounds below 2 s up to 2 s; application_name shows who holds locks.
        args: dict[str, object] = {
            "connect_timeout": max(2, math.ceil(target.connect_timeout)),
            "application_name": "dbctl",
        }
        options = session_options(target) if migration else None
        if options:
            args["options"] = options
        return args
    if target.is_sqlite:
        return {"timeout": target.connect_timeout}
    return {}


def _sqlite_transactional_ddl(engine: Engine, begin: str) -> None:
    """Make SQLite DDL transactional: the driver's own transaction handling skips DDL, so a
    failed migration would leave half its tables behind. Emit BEGIN ourselves instead."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)


def _engine(target: ResolvedTarget, write: bool) -> Engine:
    try:
        if target.is_async:
            from sqlalchemy.ext.asyncio import create_async_engine

            async_engine = create_async_engine(
                target.url, poolclass=NullPool, connect_args=_connect_args(target, write)
            )
            engine = async_engine.sync_engine
        else:
            engine = create_engine(target.url, poolclass=NullPool, connect_args=_connect_args(target, write))
    except exc.NoSuchModuleError:
        raise TargetError(
            f"target '{target.name}': no SQLAlchemy dialect or driver for "
            f"'{target.dialect}{'+' + target.driver if target.driver else ''}'",
            hint="use sqlite:// , sqlite+aiosqlite:// , postgresql+psycopg:// or postgresql+psycopg_async://",
        ) from None
    except (exc.ArgumentError, ValueError, ImportError) as error:
        raise TargetError(f"target '{target.name}': unusable URL {target.display_url}: {error}") from None
    if target.is_sqlite:
        # IMMEDIATE takes the write lock up front: two writers queue instead of deadlocking.
        _sqlite_transactional_ddl(engine, "BEGIN IMMEDIATE" if write else "BEGIN")
    return engine


def first_line(error: BaseException) -> str:
    """The driver's own message, first line only (SQLAlchemy appends SQL and a doc link)."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip() or type(orig).__name__
    return text.splitlines()[0].strip()


@contextmanager
def _connect_errors(target: ResolvedTarget) -> Iterator[None]:
    try:
        yield
    except (exc.DBAPIError, OSError, TimeoutError) as error:
        reason = first_line(error)
        if isinstance(error, TimeoutError) and not str(error).strip():  # asyncio.wait_for says nothing
            reason = f"no answer within the connect timeout ({format_duration(target.connect_timeout)})"
        if target.is_sqlite:
            path = target.database or ":memory:"
            hint = None
            if path != ":memory:" and not Path(path).parent.is_dir():
                hint = f"the folder {Path(path).parent} does not exist"
            raise ConnectionFailed(
                f"cannot open SQLite database {path} (target '{target.name}'): {reason}", hint=hint
            ) from error
        raise ConnectionFailed(
            f"cannot connect to target '{target.name}' at {target.where}: {reason}",
            hint="check that the server is running and the URL, user and password are right",
        ) from error


def run_on_connection(target: ResolvedTarget, fn: Callable[[Connection], T], *, write: bool = False) -> T:
    """Connect to ``target`` and call ``fn`` with a sync :class:`Connection` not yet in a
    transaction. Async drivers run ``fn`` through ``AsyncConnection.run_sync``."""
    engine = _engine(target, write)
    if target.is_async:
        return asyncio.run(_run_async(target, engine, fn))
    try:
        with _connect_errors(target):
            connection = engine.connect()
        try:
            return fn(connection)
        finally:
            connection.close()
    finally:
        engine.dispose()


async def _run_async(target: ResolvedTarget, sync_engine: Engine, fn: Callable[[Connection], T]) -> T:
    from sqlalchemy.ext.asyncio import AsyncEngine

    engine = AsyncEngine(sync_engine)
    try:
        try:
            with _connect_errors(target):
                connection = await asyncio.wait_for(engine.connect(), timeout=target.connect_timeout + 1)
        except ConnectionFailed:
            if target.is_sqlite:
                await _let_worker_threads_finish()
            raise
        try:
            return await connection.run_sync(fn)
        finally:
            await connection.close()
    finally:
        await engine.dispose()


async def _let_worker_threads_finish(limit: float = 2.0) -> None:
    """After a failed connect aiosqlite stops its worker thread without waiting for it; the
    thread then reports to the event loop. Keep the loop open until it has, or the thread dies
    printing a traceback ("Event loop is closed") after dbctl's one-line error."""
    workers = [t for t in threading.enumerate() if t.name.endswith("(_connection_worker_thread)")]
    deadline = time.monotonic() + limit
    while any(t.is_alive() for t in workers) and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


def probe(target: ResolvedTarget) -> None:
    """Connect and disconnect: raise :class:`ConnectionFailed` if the database is unreachable."""
    run_on_connection(target, lambda connection: None)


@contextmanager
def lock_connection(target: ResolvedTarget) -> Iterator[Connection]:
    """A dedicated sync autocommit connection for the PostgreSQL migration lock. Async URLs are
    served by psycopg's sync mode: the lock needs no event loop."""
    url = make_url(target.url)
    if target.is_async:
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, poolclass=NullPool, connect_args=_connect_args(target), isolation_level="AUTOCOMMIT")
    try:
        with _connect_errors(target):
            connection = engine.connect()
        try:
            yield connection
        finally:
            connection.close()
    finally:
        engine.dispose()


def wait_until_reachable(target: ResolvedTarget, wait: float) -> None:
    """Retry connecting with backoff until the database answers or ``wait`` seconds pass (for
    containers that start together); then raise the last :class:`ConnectionFailed`."""
    failures: list[ConnectionFailed] = []

    def attempt() -> bool:
        try:
            probe(target)
        except ConnectionFailed as error:
            failures.append(error)
            return False
        return True

    def give_up() -> NoReturn:
        error = failures[-1]
        raise ConnectionFailed(f"{error.message} (still failing after waiting {wait:g}s)", hint=error.hint) from error

    backoff(attempt, wait, first_delay=0.2, max_delay=5.0, on_failure=lambda: None, give_up=give_up)
