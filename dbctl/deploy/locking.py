"""The migration lock's policy: how long to wait for it, how often to ask, whom to tell.

One writer per database, however many deploys start at once. The mechanism (a PostgreSQL
advisory lock, an OS file lock for SQLite) lives with the database code in
:mod:`dbctl.alembic_bridge.lock` and is handed in as a :class:`Lock`; this module only waits
for it. No SQL here, and no import of the bridge or the API.

The same backoff also waits for a database server that is still starting (``--wait``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import NoReturn, Protocol

from dbctl.errors import LockTimeout

DEFAULT_LOCK_TIMEOUT = 60.0


@dataclass(frozen=True)
class LockHolder:
    """Who holds the lock, as far as the database can tell."""

    description: str


WaitCallback = Callable[[LockHolder], None]


class Lock(Protocol):
    """One database's migration lock, ready to be taken (the mechanism's side)."""

    busy: str  # "target 'x': another session holds the migration lock of ..." (for the error)

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never waits."""
        ...

    def holder(self) -> LockHolder:
        """Who holds it now."""
        ...

    def release(self) -> None:
        """Give it back (after a successful :meth:`try_acquire`)."""
        ...


def backoff(
    attempt: Callable[[], bool],
    timeout: float,
    *,
    first_delay: float,
    max_delay: float,
    on_failure: Callable[[], None],
    give_up: Callable[[], NoReturn],
) -> None:
    """Call ``attempt`` until it returns True, sleeping between tries with a doubling delay
    (``first_delay`` up to ``max_delay``). ``on_failure`` runs after each failed try; once
    ``timeout`` seconds have passed ``give_up`` raises. ``attempt`` always runs at least once."""
    deadline = time.monotonic() + timeout
    delay = first_delay
    while not attempt():
        on_failure()
        left = deadline - time.monotonic()
        if left <= 0:
            give_up()
        time.sleep(min(delay, left))
        delay = min(delay * 2, max_delay)


class _Wait:
    """What one wait for the lock has learnt: who holds it, and whether ``on_wait`` was told."""

    def __init__(self, lock: Lock, timeout: float, on_wait: WaitCallback | None) -> None:
        self.lock, self.timeout, self.on_wait = lock, timeout, on_wait
        self.holder: LockHolder | None = None

    def failed(self) -> None:
        told = self.holder is not None
        self.holder = self.lock.holder()
        if not told and self.on_wait is not None:
            self.on_wait(self.holder)

    def give_up(self) -> NoReturn:
        who = self.holder.description if self.holder else "holder unknown"
        raise LockTimeout(
            f"{self.lock.busy} ({who}); gave up after {self.timeout:g}s",
            hint="wait for the other deploy to finish, or raise --lock-timeout",
        )


def acquire(lock: Lock, timeout: float = DEFAULT_LOCK_TIMEOUT, on_wait: WaitCallback | None = None) -> None:
    """Take ``lock``, polling with backoff; tell ``on_wait`` once who holds it; raise
    :class:`LockTimeout` (naming the holder) after ``timeout`` seconds."""
    wait = _Wait(lock, timeout, on_wait)
    backoff(lock.try_acquire, timeout, first_delay=0.05, max_delay=1.0, on_failure=wait.failed, give_up=wait.give_up)


@contextlib.contextmanager
def held(
    lock: Lock | None, timeout: float = DEFAULT_LOCK_TIMEOUT, on_wait: WaitCallback | None = None
) -> Iterator[None]:
    """Hold ``lock`` for the duration of the block (``None``: there is nothing to lock)."""
    if lock is None:
        yield
        return
    acquire(lock, timeout, on_wait)
    try:
        yield
    finally:
        lock.release()
