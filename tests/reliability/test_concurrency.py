"""Eight `dbctl upgrade head` started at once on one fresh PostgreSQL database and eight on one
fresh SQLite file, five rounds over: every run succeeds and every migration is applied exactly
once (each revision logs itself in ``applied_log``; the ledger must agree).

The two groups of eight run at the same time (sixteen processes): they use different databases
and different locks, and overlapping them keeps the suite fast without weakening either.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from .projects import Chain, finish, pg_lock_is_free, read_state, spawn, sqlite_lock_is_free

CHAIN = Chain(5, rows=5, pause=0.01)
PROCESSES = 8
ROUNDS = 5


def logged(check_url: str) -> Counter[str]:
    engine = create_engine(check_url)
    try:
        with engine.connect() as conn:
            return Counter(r[0] for r in conn.execute(text("SELECT revision FROM applied_log")))
    finally:
        engine.dispose()


@pytest.mark.parametrize("round_", range(1, ROUNDS + 1), ids=lambda r: f"round{r}")
def test_eight_concurrent_upgrades_per_database(round_: int, tmp_path: Path, pg_db) -> None:
    sqlite_file = tmp_path / "shared.db"
    async_round = round_ % 2 == 1  # alternate the async and the sync drivers
    backends = {
        "postgresql": (
            pg_db.url("psycopg_async" if async_round else "psycopg"),
            pg_db.url("psycopg"),
            lambda: pg_lock_is_free(pg_db),
        ),
        "sqlite": (
            f"{'sqlite+aiosqlite' if async_round else 'sqlite'}:///{sqlite_file}",
            f"sqlite:///{sqlite_file}",
            lambda: sqlite_lock_is_free(sqlite_file),
        ),
    }
    procs = {}
    for kind, (url, _check, _free) in backends.items():
        root = tmp_path / kind
        CHAIN.write(root, url)
        procs[kind] = []
    for _ in range(PROCESSES):  # start them interleaved, as fast as possible
        for kind in backends:
            procs[kind].append(spawn(tmp_path / kind, "upgrade", "head"))
    results = {kind: [finish(proc, timeout=120) for proc in group] for kind, group in procs.items()}

    for kind, (_url, check_url, lock_free) in backends.items():
        for code, out, err in results[kind]:
            assert code == 0, f"{kind}: exit {code}\n{out}\n{err}"
            assert "Traceback" not in err, f"{kind}: {err}"
        state = read_state(check_url)
        assert state.versions == (CHAIN.ids[-1],), kind
        assert state.schema == CHAIN.expected_schema(CHAIN.count), kind
        assert logged(check_url) == Counter(CHAIN.ids), f"{kind}: a migration ran twice or not at all"
        assert Counter(rev for rev, direction in state.ledger if direction == "upgrade") == Counter(CHAIN.ids), kind
        assert lock_free(), f"{kind}: the lock is still held"
