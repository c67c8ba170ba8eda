"""The lock's policy (deploy.locking) with a lock handed in, and the mechanism (alembic_bridge.lock)
on a real SQLite file: waiting, telling who holds it, giving up, releasing."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from dbctl.alembic_bridge.lock import migration_lock
from dbctl.deploy.locking import LockHolder, acquire, backoff, held
from dbctl.errors import LockTimeout
from dbctl.targets import ResolvedTarget


class FakeLock:
    """Free after ``busy_for`` tries; counts what the policy did with it."""

    busy = "target 't': another session holds the migration lock"

    def __init__(self, busy_for: int) -> None:
        self.busy_for = busy_for
        self.tries = self.holder_calls = self.released = 0

    def try_acquire(self) -> bool:
        self.tries += 1
        return self.tries > self.busy_for

    def holder(self) -> LockHolder:
        self.holder_calls += 1
        return LockHolder(f"holder #{self.holder_calls}")

    def release(self) -> None:
        self.released += 1


def test_a_free_lock_is_taken_at_once_and_released_after_the_block() -> None:
    lock, told = FakeLock(busy_for=0), []
    with held(lock, timeout=5, on_wait=told.append):
        assert lock.tries == 1 and lock.released == 0
    assert lock.released == 1 and told == [] and lock.holder_calls == 0


def test_a_busy_lock_is_waited_for_and_the_holder_told_once() -> None:
    lock, told = FakeLock(busy_for=3), []
    acquire(lock, timeout=30, on_wait=told.append)
    assert lock.tries == 4
    assert told == [LockHolder("holder #1")]  # once, with the first holder seen


def test_giving_up_names_the_last_holder_and_releases_nothing() -> None:
    lock = FakeLock(busy_for=10**9)
    with pytest.raises(LockTimeout) as caught, held(lock, timeout=0.2):
        pytest.fail("the block must not run without the lock")
    assert caught.value.message.startswith(lock.busy)
    assert f"(holder #{lock.holder_calls}); gave up after 0.2s" in caught.value.message
    assert "--lock-timeout" in (caught.value.hint or "")
    assert lock.released == 0


def test_no_lock_means_nothing_to_wait_for() -> None:
    with held(None, timeout=0):
        pass


def test_backoff_tries_at_least_once_and_doubles_its_delay_up_to_the_cap(monkeypatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("dbctl.deploy.locking.time.sleep", sleeps.append)
    results = iter([False] * 6 + [True])
    failures: list[None] = []
    backoff(
        lambda: next(results),
        1000,
        first_delay=0.1,
        max_delay=0.5,
        on_failure=lambda: failures.append(None),
        give_up=lambda: pytest.fail("gave up"),  # type: ignore[arg-type, return-value]
    )
    assert sleeps == [0.1, 0.2, 0.4, 0.5, 0.5, 0.5] and len(failures) == 6

    class GaveUp(Exception):
        pass

    def give_up() -> None:
        raise GaveUp

    with pytest.raises(GaveUp):
        backoff(lambda: False, 0, first_delay=1, max_delay=1, on_failure=lambda: None, give_up=give_up)  # type: ignore[arg-type]


def sqlite_target(path: Path) -> ResolvedTarget:
    return ResolvedTarget(
        name="dev",
        url=f"sqlite:///{path}",
        display_url=f"sqlite:///{path}",
        dialect="sqlite",
        driver="pysqlite",
        host=None,
        port=None,
        database=str(path),
        protected=False,
        lock_timeout=None,
        statement_timeout=None,
        connect_timeout=5.0,
    )


def test_the_sqlite_file_lock_names_its_holder_and_is_freed_after_the_block(tmp_path: Path) -> None:
    target = sqlite_target(tmp_path / "app.db")
    lock_file = tmp_path / "app.db.dbctl-lock"
    told: list[LockHolder] = []
    with migration_lock(target, timeout=5):
        assert lock_file.read_text().startswith(f"pid {os.getpid()} on ")
        # flock conflicts between two open files, even in one process
        with pytest.raises(LockTimeout) as caught, migration_lock(target, timeout=0.3, on_wait=told.append):
            pytest.fail("took a held lock")
    assert f"another dbctl holds the migration lock of {target.database} (pid {os.getpid()} on " in caught.value.message
    assert len(told) == 1 and told[0].description.startswith(f"pid {os.getpid()}")
    assert lock_file.read_text() == ""  # the holder's name is wiped on release
    with migration_lock(target, timeout=0.3):
        pass


def test_a_waiting_deploy_gets_the_lock_when_the_holder_lets_go(tmp_path: Path) -> None:
    target = sqlite_target(tmp_path / "app.db")
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with migration_lock(target, timeout=5):
            taken.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(10)
        told: list[LockHolder] = []
        threading.Timer(0.3, release.set).start()
        with migration_lock(target, timeout=10, on_wait=told.append):
            assert release.is_set()
        assert len(told) == 1
    finally:
        release.set()
        holder.join(10)


def test_in_memory_and_missing_folders_have_nothing_to_lock(tmp_path: Path) -> None:
    with migration_lock(sqlite_target(tmp_path / "no" / "such" / "app.db"), timeout=0):
        pass
    memory = replace(sqlite_target(tmp_path / "x"), database=":memory:")
    with migration_lock(memory, timeout=0):
        pass
    assert list(tmp_path.iterdir()) == []
