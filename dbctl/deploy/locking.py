"""The migration lock: one writer per database, however many deploys start at once.

PostgreSQL: a session-level advisory lock held on a dedicated connection, so that a
revision's ``autocommit_block()`` or ``CREATE INDEX CONCURRENTLY`` on the migration connection
cannot deadlock against it; the server frees it when the holder's connection dies.
SQLite: an OS file lock (``flock``) on a file beside the database; the kernel frees it when the
holder dies. Whoever gets the lock reads the current revision afterwards, so a deploy that
waited finds the work done and applies nothing.
"""

from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dbctl.errors import LockTimeout
from dbctl.targets import ResolvedTarget

LOCK_NAMESPACE = 0x64626374  # "dbct": the first key of dbctl's advisory locks
DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True)
class LockHolder:
    """Who holds the lock, as far as the database can tell."""

    description: str


WaitCallback = Callable[[LockHolder], None]


def advisory_key(version_table: str = "alembic_version") -> tuple[int, int]:
    """Two int4 keys: dbctl's namespace and the version table (advisory locks are per database)."""
    crc = zlib.crc32(version_table.encode("utf-8"))
    return LOCK_NAMESPACE, crc - (1 << 32) if crc >= 1 << 31 else crc


@contextlib.contextmanager
def migration_lock(
    target: ResolvedTarget, timeout: float = DEFAULT_LOCK_TIMEOUT, on_wait: WaitCallback | None = None
) -> Iterator[None]:
    """Hold the migration lock of ``target`` for the duration of the block."""
    if target.is_sqlite:
        if not target.database or target.database == ":memory:" or target.database.startswith("file:"):
            yield  # a private in-memory database has no other writer
            return
        with _file_lock(Path(target.database + ".dbctl-lock"), target, timeout, on_wait):
            yield
    elif target.dialect == "postgresql":
        with _advisory_lock(target, timeout, on_wait):
            yield
    else:
        yield


def _acquire(
    try_lock: Callable[[], bool],
    holder: Callable[[], LockHolder],
    timeout: float,
    on_wait: WaitCallback | None,
    busy: str,
) -> None:
    """Poll ``try_lock`` with backoff; tell ``on_wait`` once who holds the lock; raise
    :class:`LockTimeout` (naming the holder) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.05
    told = False
    while not try_lock():
        who = holder()
        if not told and on_wait is not None:
            on_wait(who)
            told = True
        left = deadline - time.monotonic()
        if left <= 0:
            raise LockTimeout(
                f"{busy} ({who.description}); gave up after {timeout:g}s",
                hint="wait for the other deploy to finish, or raise --lock-timeout",
            )
        time.sleep(min(delay, left))
        delay = min(delay * 2, 1.0)


@contextlib.contextmanager
def _file_lock(path: Path, target: ResolvedTarget, timeout: float, on_wait: WaitCallback | None) -> Iterator[None]:
    import fcntl
    import os

    if not path.parent.is_dir():
        yield  # the database cannot exist either; connecting will say so
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:

        def try_lock() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        _acquire(
            try_lock,
            lambda: LockHolder(_read_holder(fd)),
            timeout,
            on_wait,
            f"target '{target.name}': another dbctl holds the migration lock of {target.database}",
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, _whoami().encode("utf-8"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read_holder(fd: int) -> str:
    import os

    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "holder unknown"


def _whoami() -> str:
    import os
    import socket
    from datetime import UTC, datetime

    since = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"pid {os.getpid()} on {socket.gethostname()}, since {since}"


@contextlib.contextmanager
def _advisory_lock(target: ResolvedTarget, timeout: float, on_wait: WaitCallback | None) -> Iterator[None]:
    from sqlalchemy import text

    from dbctl.alembic_bridge.connect import lock_connection

    key1, key2 = advisory_key()
    with lock_connection(target) as conn:

        def try_lock() -> bool:
            return bool(conn.execute(text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": key1, "b": key2}).scalar())

        _acquire(
            try_lock,
            lambda: _pg_holder(conn, key1, key2),
            timeout,
            on_wait,
            f"target '{target.name}': another session holds the migration lock of {target.where}",
        )
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # a dead connection has released it already
                conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": key1, "b": key2})


def _pg_holder(conn, key1: int, key2: int) -> LockHolder:
    from sqlalchemy import text

    row = conn.execute(
        text(
            "SELECT a.pid, a.application_name, a.backend_start, a.client_addr "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :a "
            "AND l.objid::bigint = :b AND l.objsubid = 2 "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ),
        {"a": key1 & 0xFFFFFFFF, "b": key2 & 0xFFFFFFFF},
    ).first()
    if row is None:
        return LockHolder("holder unknown")
    since = row.backend_start.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if row.backend_start else "?"
    client = f" from {row.client_addr}" if row.client_addr else ""
    return LockHolder(f"pid {row.pid}, application_name '{row.application_name or ''}'{client}, since {since}")
