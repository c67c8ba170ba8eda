"""The migration lock's mechanism, per database (the waiting is :mod:`dbctl.deploy.locking`).

PostgreSQL: a session-level advisory lock held on a dedicated connection, so that a
revision's ``autocommit_block()`` or ``CREATE INDEX CONCURRENTLY`` on the migration connection
cannot deadlock against it; the server frees it when the holder's connection dies.
SQLite: an OS file lock (``flock``) on a file beside the database; the kernel frees it when the
holder dies. Whoever gets the lock reads the current revision afterwards, so a deploy that
waited finds the work done and applies nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dbctl.alembic_bridge.identity import holder_description
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, Lock, LockHolder, WaitCallback, held
from dbctl.targets import ResolvedTarget

LOCK_NAMESPACE = 0x64626374  # "dbct": the first key of dbctl's advisory locks


def advisory_key(version_table: str = "alembic_version") -> tuple[int, int]:
    """Two int4 keys: dbctl's namespace and the version table (advisory locks are per database)."""
    crc = zlib.crc32(version_table.encode("utf-8"))
    return LOCK_NAMESPACE, crc - (1 << 32) if crc >= 1 << 31 else crc


@contextlib.contextmanager
def migration_lock(
    target: ResolvedTarget, timeout: float = DEFAULT_LOCK_TIMEOUT, on_wait: WaitCallback | None = None
) -> Iterator[None]:
    """Hold the migration lock of ``target`` for the duration of the block."""
    with _lock_for(target) as lock, held(lock, timeout, on_wait):
        yield


@contextlib.contextmanager
def _lock_for(target: ResolvedTarget) -> Iterator[Lock | None]:
    """The lock of ``target``, ready to take; None where there is nothing to lock."""
    if target.is_sqlite:
        database = target.database
        if not database or database == ":memory:" or database.startswith("file:"):
            yield None  # a private in-memory database has no other writer
            return
        path = Path(database + ".dbctl-lock")
        if not path.parent.is_dir():
            yield None  # the database cannot exist either; connecting will say so
            return
        with _FileLock.opened(path, target) as lock:
            yield lock
    elif target.dialect == "postgresql":
        from dbctl.alembic_bridge.connect import lock_connection

        with lock_connection(target) as connection:
            yield _AdvisoryLock(connection, target)
    else:
        yield None


class _FileLock:
    """``flock`` on a file beside the SQLite database; the file names the holder."""

    def __init__(self, fd: int, target: ResolvedTarget) -> None:
        self.fd = fd
        self.busy = f"target '{target.name}': another dbctl holds the migration lock of {target.database}"

    @classmethod
    @contextlib.contextmanager
    def opened(cls, path: Path, target: ResolvedTarget) -> Iterator[_FileLock]:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            yield cls(fd, target)
        finally:
            os.close(fd)

    def try_acquire(self) -> bool:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, holder_description().encode("utf-8"), 0)
        return True

    def holder(self) -> LockHolder:
        try:
            text = os.pread(self.fd, 200, 0).decode("utf-8", "replace").strip()
        except OSError:
            text = ""
        return LockHolder(text or "holder unknown")

    def release(self) -> None:
        os.ftruncate(self.fd, 0)
        fcntl.flock(self.fd, fcntl.LOCK_UN)


class _AdvisoryLock:
    """A session-level advisory lock on a dedicated autocommit connection."""

    def __init__(self, connection: Any, target: ResolvedTarget) -> None:
        from sqlalchemy import text

        self.connection = connection
        self.keys = advisory_key()
        self.busy = f"target '{target.name}': another session holds the migration lock of {target.where}"
        self._try = text("SELECT pg_try_advisory_lock(:a, :b)")
        self._unlock = text("SELECT pg_advisory_unlock(:a, :b)")

    def _params(self) -> dict[str, int]:
        return {"a": self.keys[0], "b": self.keys[1]}

    def try_acquire(self) -> bool:
        return bool(self.connection.execute(self._try, self._params()).scalar())

    def release(self) -> None:
        with contextlib.suppress(Exception):  # a dead connection has released it already
            self.connection.execute(self._unlock, self._params())

    def holder(self) -> LockHolder:
        from sqlalchemy import text

        row = self.connection.execute(
            text(
                "SELECT a.pid, a.application_name, a.backend_start, a.client_addr "
                "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :a "
                "AND l.objid::bigint = :b AND l.objsubid = 2 "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            ),
            {"a": self.keys[0] & 0xFFFFFFFF, "b": self.keys[1] & 0xFFFFFFFF},
        ).first()
        if row is None:
            return LockHolder("holder unknown")
        since = row.backend_start.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if row.backend_start else "?"
        client = f" from {row.client_addr}" if row.client_addr else ""
        return LockHolder(f"pid {row.pid}, application_name '{row.application_name or ''}'{client}, since {since}")
