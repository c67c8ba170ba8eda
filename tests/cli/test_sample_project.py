"""sample_project: `upgrade head` creates the schema, `downgrade base` removes it, on the
embedded SQLite default and on PostgreSQL through ${DATABASE_URL}."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

TABLES = {"users", "roles", "user_roles", "posts", "orders"}


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_sample_project_on_sqlite(sample_project_copy: Path, run_dbctl, tmp_path: Path) -> None:
    # run from outside the project, as the README does
    up = run_dbctl("-C", sample_project_copy, "upgrade", "head", cwd=tmp_path, env={"DATABASE_URL": None})
    assert up.code == 0, up
    db = sample_project_copy / "dev.db"
    assert db.is_file()
    assert _tables(f"sqlite:///{db}") >= TABLES
    again = run_dbctl("-C", sample_project_copy, "upgrade", "head", cwd=tmp_path)
    assert again.code == 0 and "nothing to do" in again.stderr
    nothing = run_dbctl("-C", sample_project_copy, "revision", "-m", "drift?", cwd=tmp_path)
    assert nothing.code == 0 and "no changes" in nothing.stderr, nothing
    down = run_dbctl("-C", sample_project_copy, "downgrade", "base", cwd=tmp_path)
    assert down.code == 0, down
    assert _tables(f"sqlite:///{db}") <= {"alembic_version", "dbctl_ledger"}


def test_sample_project_on_postgresql(sample_project_copy: Path, run_dbctl, pg_db) -> None:
    env = {"DATABASE_URL": pg_db.url()}
    listed = json.loads(run_dbctl("targets", "--format", "json", cwd=sample_project_copy, env=env).stdout)
    pg = next(t for t in listed if t["name"] == "pg")
    assert pg["dialect"] == "postgresql" and "***" in pg["url"]
    assert pg_db.server.password not in json.dumps(listed)

    up = run_dbctl("upgrade", "head", "-t", "pg", cwd=sample_project_copy, env=env)
    assert up.code == 0, up
    assert _tables(pg_db.url()) >= TABLES
    cur = json.loads(run_dbctl("current", "-t", "pg", "--format", "json", cwd=sample_project_copy, env=env).stdout)
    assert cur["at_head"] is True
    nothing = run_dbctl("revision", "-m", "drift?", "-t", "pg", cwd=sample_project_copy, env=env)
    assert nothing.code == 0 and "no changes" in nothing.stderr, nothing
    down = run_dbctl("downgrade", "base", cwd=sample_project_copy, env={**env, "DBCTL_TARGET": "pg"})
    assert down.code == 0, down
    assert _tables(pg_db.url()) <= {"alembic_version", "dbctl_ledger"}


def test_sample_project_env_is_the_one_init_writes() -> None:
    """sample_project shows what `dbctl init` produces: its env.py and template stay in sync."""
    repo = Path(__file__).parents[2]
    templates = repo / "dbctl" / "alembic_bridge" / "templates"
    for name in ("env.py", "script.py.mako"):
        assert (repo / "sample_project" / "migrations" / name).read_bytes() == (templates / name).read_bytes()


def test_sample_project_passes_check_for_both_dialects(sample_project_copy: Path, run_dbctl) -> None:
    # with DATABASE_URL set, the pg target's dialect is known, so PostgreSQL rules run too
    env = {"DATABASE_URL": "postgresql+psycopg://app:pw@db.invalid/app"}
    result = run_dbctl("check", "--format", "json", cwd=sample_project_copy, env=env)
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert data["files_checked"] == 4 and data["findings"] == []
