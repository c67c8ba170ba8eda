"""Builders for throwaway dbctl projects and read-only probes of the databases they migrate.

A project is a folder with a ``dbctl.toml``, ``migrations/env.py`` (the template `dbctl init`
writes) and a ``migrations/versions`` folder. Probes use their own short-lived sync connection
and never go through dbctl, so they judge dbctl from the outside.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from dbctl.alembic_bridge.lock import advisory_key
from tests.conftest import _dbctl_env

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = REPO_ROOT / "dbctl" / "alembic_bridge" / "templates"
LEDGER = "dbctl_ledger"
VERSION_TABLE = "alembic_version"


def rev_id(i: int) -> str:
    """A 12-hex-digit revision id for the i-th revision (1-based)."""
    return f"{i:04x}c0ffee{i:02x}"[:12]


def write_env(root: Path) -> Path:
    """``migrations/`` with dbctl's env.py and script template; returns the versions folder."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    for name in ("env.py", "script.py.mako"):
        (root / "migrations" / name).write_text((TEMPLATES / name).read_text(encoding="utf-8"), encoding="utf-8")
    return versions


def migration_source(
    rev: str, down: str | Sequence[str] | None, upgrade: str, downgrade: str = "    pass", message: str = "step"
) -> str:
    """The text of one revision file; ``upgrade``/``downgrade`` are indented bodies."""
    return (
        f'"""{message}"""\n'
        "import time\n\n"
        "import sqlalchemy as sa\n"
        "from alembic import op\n\n"
        f"revision = {rev!r}\n"
        f"down_revision = {tuple(down) if isinstance(down, list | tuple) else down!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        f"def upgrade():\n{upgrade}\n\n\n"
        f"def downgrade():\n{downgrade}\n"
    )


def write_revision(
    versions: Path,
    rev: str,
    down: str | Sequence[str] | None,
    upgrade: str,
    downgrade: str = "    pass",
    name: str | None = None,
) -> Path:
    path = versions / f"{name or rev}_step.py"
    path.write_text(migration_source(rev, down, upgrade, downgrade), encoding="utf-8")
    return path


# -- the "slow chain": what the kill and concurrency tests migrate --------------------------------


@dataclass(frozen=True)
class Chain:
    """A linear history of ``count`` revisions. Revision i creates table ``t<i>`` (id, payload)
    with index ``ix_t<i>_payload``, inserts ``rows`` rows, adds column ``c<i>`` to ``t<i-1>``
    and logs itself in ``applied_log`` (created by revision 1), pausing ``pause`` seconds
    between steps so that a kill can land inside a revision."""

    count: int
    rows: int = 20
    pause: float = 0.0

    @property
    def ids(self) -> list[str]:
        return [rev_id(i) for i in range(1, self.count + 1)]

    def write(self, root: Path, url: str, extra_toml: str = "") -> None:
        versions = write_env(root)
        (root / "dbctl.toml").write_text(f'{extra_toml}[targets.dev]\nurl = "{url}"\n', encoding="utf-8")
        down = None
        for i, rev in enumerate(self.ids, start=1):
            write_revision(versions, rev, down, self._upgrade(i, rev), self._downgrade(i))
            down = rev

    def _upgrade(self, i: int, rev: str) -> str:
        pause = f"    time.sleep({self.pause})\n" if self.pause else ""
        server_pause = (
            (
                f'    if op.get_bind().dialect.name == "postgresql":\n'
                f'        op.execute("SELECT pg_sleep({self.pause})")\n'
            )
            if self.pause
            else ""
        )
        lines = []
        if i == 1:
            lines.append('    op.create_table("applied_log", sa.Column("revision", sa.String(32), nullable=False))\n')
        lines += [
            f'    t = op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True),\n'
            f'                        sa.Column("payload", sa.String(40), nullable=False))\n',
            pause,
            f'    op.create_index("ix_t{i}_payload", "t{i}", ["payload"])\n',
            f'    op.bulk_insert(t, [{{"id": k, "payload": "r{i}-%d" % k}} for k in range({self.rows})])\n',
            server_pause,
        ]
        if i > 1:
            lines.append(f'    op.add_column("t{i - 1}", sa.Column("c{i}", sa.Integer, nullable=True))\n')
        lines += [pause, f"    op.execute(\"INSERT INTO applied_log (revision) VALUES ('{rev}')\")"]
        return "".join(lines)

    @staticmethod
    def _downgrade(i: int) -> str:
        drops = f'    op.drop_column("t{i - 1}", "c{i}")\n' if i > 1 else ""
        if i == 1:
            last = '    op.drop_table("applied_log")'
        else:
            last = f"    op.execute(\"DELETE FROM applied_log WHERE revision = '{rev_id(i)}'\")"
        return f'{drops}    op.drop_table("t{i}")\n{last}'

    def expected_schema(self, applied: int) -> dict[str, dict[str, object]]:
        """The user tables a database at revision number ``applied`` has (0 = base):
        name -> {"columns": [...], "indexes": {name: [columns]}}."""
        schema: dict[str, dict[str, object]] = {}
        if applied >= 1:
            schema["applied_log"] = {"columns": ["revision"], "indexes": {}}
        for j in range(1, applied + 1):
            columns = ["id", "payload"] + ([f"c{j + 1}"] if j < applied else [])
            schema[f"t{j}"] = {"columns": columns, "indexes": {f"ix_t{j}_payload": ["payload"]}}
        return schema


# -- looking at a database from outside ------------------------------------------------------------


@dataclass(frozen=True)
class DbState:
    versions: tuple[str, ...]
    schema: dict[str, dict[str, object]]  # user tables only (not alembic_version / the ledger)
    bookkeeping: frozenset[str]  # which of alembic_version / dbctl_ledger exist
    ledger: tuple[tuple[str, str], ...]  # (revision, direction) in insertion order
    counts: dict[str, int]


def read_state(check_url: str) -> DbState:
    """Everything a test wants to know about a database, through a fresh sync connection."""
    engine = sa.create_engine(check_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            names = set(inspector.get_table_names())
            user_tables = sorted(names - {VERSION_TABLE, LEDGER})
            schema: dict[str, dict[str, object]] = {}
            if user_tables:  # one round of bulk reflection, not a few queries per table
                columns = inspector.get_multi_columns(filter_names=user_tables)
                indexes = inspector.get_multi_indexes(filter_names=user_tables)
                for (_schema, name), cols in sorted(columns.items(), key=lambda item: item[0][1]):
                    schema[name] = {
                        "columns": [c["name"] for c in cols],
                        "indexes": {ix["name"]: list(ix["column_names"]) for ix in indexes.get((_schema, name), [])},
                    }
            versions: tuple[str, ...] = ()
            if VERSION_TABLE in names:
                rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))
                versions = tuple(sorted(r[0] for r in rows))
            ledger: tuple[tuple[str, str], ...] = ()
            if LEDGER in names:
                ledger = tuple(
                    (r[0], r[1]) for r in conn.execute(sa.text(f"SELECT revision, direction FROM {LEDGER} ORDER BY id"))
                )
            counts = {}
            if schema:
                union = " UNION ALL ".join(f"SELECT '{name}', count(*) FROM \"{name}\"" for name in schema)
                counts = {row[0]: row[1] for row in conn.execute(sa.text(union))}
            return DbState(versions, schema, frozenset(names & {VERSION_TABLE, LEDGER}), ledger, counts)
    finally:
        engine.dispose()


def empty_state() -> DbState:
    return DbState((), {}, frozenset(), (), {})


# -- the migration lock, seen from outside -------------------------------------------------------


def sqlite_lock_is_free(db: Path) -> bool:
    """True if nobody holds dbctl's flock beside the SQLite file ``db``."""
    lock = Path(f"{db}.dbctl-lock")
    if not lock.exists():
        return True
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def pg_lock_is_free(pg_db) -> bool:
    """True if a new session can take (and then gives back) dbctl's advisory lock."""
    key1, key2 = advisory_key()
    conn = pg_db.connect()
    try:
        got = conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (key1, key2)).fetchone()[0]
        if got:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (key1, key2))
        return bool(got)
    finally:
        conn.close()


def pg_other_backends(pg_db) -> int:
    """How many other sessions are connected to the database (e.g. a killed client's backend
    that has not noticed yet that its client is gone)."""
    conn = pg_db.connect()
    try:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"  # not autovacuum workers
        ).fetchone()[0]
    finally:
        conn.close()


def wait_for(predicate, timeout: float = 5.0, step: float = 0.02) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return bool(predicate())
        time.sleep(step)


# -- the real entry point ------------------------------------------------------------------------


def spawn(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start ``python -m dbctl ARGS`` in ``root`` without waiting."""
    return subprocess.Popen(
        [sys.executable, "-m", "dbctl", *args],
        cwd=root,
        env=_dbctl_env(None),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


@contextlib.contextmanager
def hold_sqlite_lock(db: Path) -> Iterator[None]:
    """Hold dbctl's file lock of ``db`` as another deploy would."""
    with open(f"{db}.dbctl-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write("pid 1 on another deploy, since a while")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
