"""Concurrent deploys never double-apply a migration; a held lock is exit 5 after the timeout."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbctl.alembic_bridge.lock import advisory_key
from tests.conftest import _dbctl_env

N_REVISIONS = 5
N_PROCESSES = 8


def _write_project(root: Path, url: str) -> None:
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    env = Path(__file__).parents[2] / "dbctl" / "alembic_bridge" / "templates" / "env.py"
    (root / "migrations" / "env.py").write_text(env.read_text())
    (root / "dbctl.toml").write_text(f'[targets.dev]\nurl = "{url}"\n')
    down = None
    for i in range(1, N_REVISIONS + 1):
        rev = f"{i:012x}"
        first = (
            '    op.create_table("applied_log", sa.Column("revision", sa.String(32), nullable=False))\n'
            if i == 1
            else ""
        )
        (versions / f"{rev}_step{i}.py").write_text(
            f'"""step {i}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{first}"
            f'    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))\n'
            f"    op.execute(\"INSERT INTO applied_log (revision) VALUES ('{rev}')\")\n"
            "    import time; time.sleep(0.05)\n\n\n"
            f'def downgrade():\n    op.drop_table("t{i}")\n'
        )
        down = rev


def _spawn(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dbctl", *args],
        cwd=root,
        env=_dbctl_env(None),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )


def _applied(check_url: str) -> list[str]:
    engine = sa.create_engine(check_url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.text("SELECT revision FROM applied_log ORDER BY revision"))]
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        path = tmp_path / "shared.db"
        return f"sqlite+aiosqlite:///{path}", f"sqlite:///{path}"
    pg_db = request.getfixturevalue("pg_db")
    return pg_db.url("psycopg"), pg_db.url("psycopg")


def test_eight_concurrent_upgrades_apply_each_revision_once(db: tuple[str, str], tmp_path: Path) -> None:
    url, check_url = db
    root = tmp_path / "proj"
    _write_project(root, url)
    procs = [_spawn(root, "upgrade", "head") for _ in range(N_PROCESSES)]
    results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]  # type: ignore[union-attr]
    for code, _out, err in results:
        assert code == 0, err
    assert _applied(check_url) == [f"{i:012x}" for i in range(1, N_REVISIONS + 1)]
    # exactly one process did the work; the others waited and found nothing to do
    assert sum("nothing to do" in err for _c, _o, err in results) == N_PROCESSES - 1
    engine = sa.create_engine(check_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == f"{N_REVISIONS:012x}"
    engine.dispose()


def test_sqlite_lock_timeout_is_exit_5_and_changes_nothing(tmp_path: Path, run_dbctl) -> None:
    db = tmp_path / "held.db"
    root = tmp_path / "proj"
    _write_project(root, f"sqlite:///{db}")
    with open(f"{db}.dbctl-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.write(f"pid {os.getpid()} on a test, since now")
        handle.flush()
        started = time.monotonic()
        result = run_dbctl("upgrade", "head", "--lock-timeout", "1s", cwd=root)
        elapsed = time.monotonic() - started
    assert result.code == 5, result
    assert f"pid {os.getpid()}" in result.stderr and "Traceback" not in result.stderr
    assert elapsed < 10
    assert not db.exists() or "applied_log" not in sa.inspect(sa.create_engine(f"sqlite:///{db}")).get_table_names()


def test_postgresql_lock_timeout_names_the_holder(pg_db, tmp_path: Path, run_dbctl) -> None:
    root = tmp_path / "proj"
    _write_project(root, pg_db.url("psycopg_async"))
    key1, key2 = advisory_key()
    holder = pg_db.connect()
    try:
        holder.execute("SET application_name = 'other-deploy'")
        holder.execute("SELECT pg_advisory_lock(%s, %s)", (key1, key2))
        pid = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        result = run_dbctl("upgrade", "head", "--lock-timeout", "1s", cwd=root)
    finally:
        holder.close()
    assert result.code == 5, result
    assert f"pid {pid}" in result.stderr and "other-deploy" in result.stderr
    assert "waiting for the migration lock" in result.stderr
    # the lock died with its session: the deploy now goes through
    assert run_dbctl("upgrade", "head", "--lock-timeout", "5s", cwd=root).code == 0
