"""The PostgreSQL test cluster and the shared fixtures work as the rest of the suite expects."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine


def test_pg_db_accepts_connections(pg_db) -> None:
    with psycopg.connect(
        host=pg_db.server.host,
        port=pg_db.server.port,
        user=pg_db.server.user,
        password=pg_db.server.password,
        dbname=pg_db.name,
        connect_timeout=10,
    ) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SELECT current_database()").fetchone() == (pg_db.name,)


def test_wrong_password_is_rejected(pg_server, pg_db) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(
            host=pg_server.host,
            port=pg_server.port,
            user=pg_server.user,
            password=pg_server.password + "-wrong",
            dbname=pg_db.name,
            connect_timeout=10,
        )


def test_two_databases_are_distinct(pg_db, pg_db_factory) -> None:
    other = pg_db_factory()
    assert other.name != pg_db.name
    assert other.url() != pg_db.url()

    engine_a = sa.create_engine(pg_db.url())
    engine_b = sa.create_engine(other.url())
    try:
        with engine_a.begin() as conn:
            conn.execute(sa.text("CREATE TABLE only_in_a (id int)"))
        with engine_b.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == other.name
            assert not sa.inspect(conn).has_table("only_in_a")
        with engine_a.connect() as conn:
            assert sa.inspect(conn).has_table("only_in_a")
    finally:
        engine_a.dispose()
        engine_b.dispose()


def test_url_works_with_sqlalchemy_sync(pg_db) -> None:
    url = pg_db.url()
    assert url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == pg_db.name
    finally:
        engine.dispose()


def test_url_works_with_sqlalchemy_async(pg_db) -> None:
    url = pg_db.url(driver="psycopg_async")
    assert url.startswith("postgresql+psycopg_async://")

    async def main() -> str:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return (await conn.execute(sa.text("SELECT current_database()"))).scalar_one()
        finally:
            await engine.dispose()

    assert asyncio.run(main()) == pg_db.name


def test_create_and_drop_database(pg_server) -> None:
    def exists(name: str) -> bool:
        with pg_server.connect() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    name = "dbctl_test_create_drop"
    pg_server.create_database(name)
    assert exists(name)
    conn = pg_server.connect(name)
    try:
        # An open connection does not prevent the drop (WITH (FORCE)).
        pg_server.drop_database(name)
    finally:
        conn.close()
    assert not exists(name)
    pg_server.drop_database(name)  # IF EXISTS: dropping twice is fine


def test_no_leftover_test_databases(pg_server) -> None:
    # Databases made by pg_db fixtures of earlier tests in this session are gone.
    with pg_server.connect() as conn:
        leftovers = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'dbctl\\_test\\_%'").fetchall()
    assert leftovers == []


def test_server_runs_unprivileged(pg_server) -> None:
    with pg_server.connect() as conn:
        assert conn.execute("SHOW fsync").fetchone() == ("off",)
        assert conn.execute("SELECT current_user").fetchone() == (pg_server.user,)
    assert pg_server.data_dir.is_dir()
    if pg_server.run_as is not None:
        assert pg_server.run_as.uid != 0
        assert pg_server.data_dir.stat().st_uid == pg_server.run_as.uid


def test_pg_marker_is_added_automatically(request, pg_server) -> None:
    assert request.node.get_closest_marker("pg") is not None


def test_run_dbctl_runs_the_entry_point(run_dbctl, tmp_path) -> None:
    result = run_dbctl("--version", cwd=tmp_path)
    assert result.code == 0, result
    assert "dbctl" in result.stdout
    assert "exit code: 0" in str(result) and "$ dbctl --version" in str(result)


def test_sample_project_copy(sample_project_copy, tmp_path) -> None:
    assert sample_project_copy.parent == tmp_path
    assert (sample_project_copy / "dbctl.toml").is_file()
    assert (sample_project_copy / "app" / "models.py").is_file()
    assert not list(sample_project_copy.rglob("*.db"))
    assert not list(sample_project_copy.rglob("__pycache__"))
