"""`dbctl upgrade head` killed with SIGKILL at random moments leaves a consistent database.

After each kill the database is at some revision R of a 24-revision history, and its schema is
exactly the schema of R (no half-applied revision: every table, column, index and row of the
revisions up to R, nothing of the ones after), the ledger records exactly the revisions up to R,
the migration lock is free, and a re-run finishes at head. The delays are drawn from a seeded
random generator and spread (stratified) over the measured duration of one full run, so kills
land during start-up, while taking the lock and inside or between revisions.
"""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .projects import (
    Chain,
    DbState,
    finish,
    pg_lock_is_free,
    pg_other_backends,
    read_state,
    spawn,
    sqlite_lock_is_free,
    wait_for,
)

CHAIN = Chain(24, rows=20, pause=0.01)
KILLS = 10
SEED = 0x5EED


@dataclass
class Db:
    """One fresh database: the URL dbctl gets, the URL the test checks with, and its lock probe."""

    url: str
    check_url: str
    lock_free: Callable[[], bool]
    settled: Callable[[], bool]  # no session of a killed dbctl is left


class Backend:
    """Makes fresh databases of one kind, alternating sync and async drivers."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        self.tmp_path = tmp_path
        self.request = request
        self.count = 0

    def fresh(self) -> Db:
        self.count += 1
        if self.kind == "sqlite":
            path = self.tmp_path / f"kill{self.count}.db"
            driver = "sqlite" if self.count % 2 else "sqlite+aiosqlite"
            return Db(f"{driver}:///{path}", f"sqlite:///{path}", lambda: sqlite_lock_is_free(path), lambda: True)
        pg_db = self.request.getfixturevalue("pg_db_factory")()
        driver = "psycopg" if self.count % 2 else "psycopg_async"
        return Db(
            pg_db.url(driver),
            pg_db.url("psycopg"),
            lambda: pg_lock_is_free(pg_db),
            lambda: pg_other_backends(pg_db) == 0,
        )


def assert_consistent(state: DbState, where: str) -> int:
    """The database is exactly at some revision R of CHAIN; return R."""
    ids = CHAIN.ids
    assert len(state.versions) <= 1, f"{where}: several versions {state.versions}"
    applied = ids.index(state.versions[0]) + 1 if state.versions else 0
    assert state.schema == CHAIN.expected_schema(applied), f"{where}: schema is not the schema of revision {applied}"
    expected_counts = {name: (applied if name == "applied_log" else CHAIN.rows) for name in state.schema}
    assert state.counts == expected_counts, f"{where}: rows do not match revision {applied}"
    # The ledger shares each revision's transaction: it claims exactly what the database has.
    assert [rev for rev, direction in state.ledger if direction == "upgrade"] == ids[:applied], where
    assert {direction for _rev, direction in state.ledger} <= {"upgrade"}, where
    if applied:
        assert state.bookkeeping == {"alembic_version", "dbctl_ledger"}, where
    return applied


@pytest.mark.parametrize("kind", [pytest.param("postgresql", marks=pytest.mark.pg), "sqlite"])
def test_sigkill_during_upgrade_leaves_a_consistent_database(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, run_dbctl
) -> None:
    backend = Backend(kind, tmp_path, request)
    root = tmp_path / "proj"

    def point_at(db: Db) -> None:
        (root / "dbctl.toml").write_text(f'[targets.dev]\nurl = "{db.url}"\n', encoding="utf-8")

    # Measure one full run and one run that has nothing to do (start-up, connect, lock).
    db = backend.fresh()
    CHAIN.write(root, db.url)
    started = time.monotonic()
    code, _out, err = finish(spawn(root, "upgrade", "head"))
    full = time.monotonic() - started
    assert code == 0, err
    assert assert_consistent(read_state(db.check_url), "full run") == CHAIN.count
    started = time.monotonic()
    assert finish(spawn(root, "upgrade", "head"))[0] == 0
    idle = time.monotonic() - started

    rng = random.Random(f"{SEED}-{kind}")
    low, high = 0.6 * idle, full
    landed: list[tuple[float, int]] = []
    attempts = 0
    while len(landed) < KILLS:
        attempts += 1
        assert attempts <= 3 * KILLS, f"dbctl kept finishing before the kill: {landed}"
        slot = len(landed)
        delay = low + (high - low) * (slot + rng.uniform(0.05, 0.95)) / KILLS
        db = backend.fresh()
        point_at(db)
        proc = spawn(root, "upgrade", "head")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        code, _out, err = finish(proc)
        if code != -signal.SIGKILL:  # it finished first: try again a little earlier
            assert code == 0, err
            high = max(low + 0.05, high * 0.95)
            continue
        where = f"{kind}: killed after {delay:.3f}s"
        # A killed client's server backend may linger until it notices that the connection is
        # gone (for instance after finishing a pg_sleep()); PostgreSQL then rolls back its
        # transaction and frees its advisory lock. That is normal: wait for it (at most 5 s)
        # before judging the database. For SQLite the kernel frees the flock at once.
        assert wait_for(db.settled, timeout=5), f"{where}: a session of the killed dbctl lingers"
        assert wait_for(db.lock_free, timeout=5 if kind == "postgresql" else 0), f"{where}: the lock is held"
        applied = assert_consistent(read_state(db.check_url), where)
        landed.append((delay, applied))

        rerun = run_dbctl("upgrade", "head", cwd=root, timeout=60)
        assert rerun.code == 0, f"{where}: re-run failed\n{rerun}"
        assert assert_consistent(read_state(db.check_url), f"{where}, re-run") == CHAIN.count
        assert db.lock_free(), f"{where}: the lock is held after the re-run"

    points = sorted({applied for _delay, applied in landed})
    print(
        f"\n{kind}: full run {full:.2f}s, idle run {idle:.2f}s; kills landed at revisions "
        + ", ".join(f"{applied} ({delay:.2f}s)" for delay, applied in landed)
    )
    assert len(points) >= 3, f"the kills did not land at different points: {landed}"
    assert any(0 < applied < CHAIN.count for _delay, applied in landed), landed


def test_the_consistency_check_is_not_vacuous() -> None:
    """assert_consistent rejects what a half-applied revision would leave behind."""
    ids = CHAIN.ids

    def state(schema: dict, versions: tuple[str, ...] = (ids[2],), ledger: int = 3) -> DbState:
        counts = {name: (3 if name == "applied_log" else CHAIN.rows) for name in schema}
        return DbState(
            versions,
            schema,
            frozenset({"alembic_version", "dbctl_ledger"}),
            tuple((rev, "upgrade") for rev in ids[:ledger]),
            counts,
        )

    good = CHAIN.expected_schema(3)
    assert assert_consistent(state(good), "good") == 3
    extra_table = {**good, "t4": {"columns": ["id", "payload"], "indexes": {}}}
    missing_index = {**good, "t3": {"columns": ["id", "payload"], "indexes": {}}}
    extra_column = {**good, "t3": {"columns": ["id", "payload", "c4"], "indexes": {"ix_t3_payload": ["payload"]}}}
    for broken in (extra_table, missing_index, extra_column):
        with pytest.raises(AssertionError):
            assert_consistent(state(broken), "broken")
    with pytest.raises(AssertionError):
        assert_consistent(state(good, ledger=4), "ledger ahead")
    with pytest.raises(AssertionError):
        assert_consistent(state(good, versions=(ids[3],)), "version ahead")
