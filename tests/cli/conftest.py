"""Fixtures for end-to-end tests of the migration commands: one fresh database per test on
SQLite (sync and async drivers) and on the suite's PostgreSQL server (sync and async)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

BACKENDS = ["sqlite", "sqlite+aiosqlite", "postgresql+psycopg", "postgresql+psycopg_async"]

MODELS_V1 = """
from sqlalchemy import ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", "pk": "pk_%(table_name)s",
    })

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""

MODELS_V2 = (
    MODELS_V1
    + """
class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
"""
)


@dataclass
class Backend:
    """A database for one test and the URLs to reach it."""

    name: str
    url: str  # what the project config says
    check_url: str  # a sync URL the test itself uses to look at the schema

    @property
    def is_pg(self) -> bool:
        return self.name.startswith("postgresql")

    def tables(self) -> set[str]:
        engine = sa.create_engine(self.check_url)
        try:
            with engine.connect() as conn:
                return set(sa.inspect(conn).get_table_names())
        finally:
            engine.dispose()

    def versions(self) -> set[str]:
        engine = sa.create_engine(self.check_url)
        try:
            with engine.connect() as conn:
                if "alembic_version" not in sa.inspect(conn).get_table_names():
                    return set()
                return {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
        finally:
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    name = request.param
    if name.startswith("sqlite"):
        db = tmp_path / "app.db"
        return Backend(name, f"{name}:///{db}", f"sqlite:///{db}")
    pg_db = request.getfixturevalue("pg_db")
    driver = name.partition("+")[2]
    return Backend(name, pg_db.url(driver), pg_db.url("psycopg"))


@pytest.fixture
def project(tmp_path: Path, backend: Backend, run_dbctl) -> Path:
    """A project made by `dbctl init` with models v1, pointed at the backend."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "models.py").write_text(textwrap.dedent(MODELS_V1))
    result = run_dbctl("init", "--url", backend.url, "--metadata", "models:Base.metadata", cwd=root)
    assert result.code == 0, result
    return root
