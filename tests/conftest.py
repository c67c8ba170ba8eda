"""Shared fixtures: a real PostgreSQL cluster, fresh databases, the dbctl CLI as a subprocess,
and a scratch copy of sample_project/.

Fixtures
--------
``pg_server`` (session)
    The running :class:`PgCluster`: ``host``, ``port``, ``user``, ``password`` and
    ``url(dbname, driver="psycopg")``. Skips the test when PostgreSQL is not available;
    with ``DBCTL_REQUIRE_PG=1`` in the environment it fails instead.
``pg_db`` (function)
    A fresh, empty database: ``.name`` and ``.url(driver="psycopg")`` (``"psycopg_async"``
    for the async dialect); dropped afterwards.
``pg_db_factory`` (function)
    ``pg_db_factory()`` makes one more such database (for tests that need several).
``run_dbctl`` (function)
    ``run_dbctl(*args, cwd=None, env=None, input=None, timeout=120) -> Result`` runs
    ``python -m dbctl`` with ``NO_COLOR=1`` and ``COLUMNS=200``.
``sample_project_copy`` (function)
    Path of a copy of sample_project/ inside ``tmp_path`` (no ``*.db`` files, no caches).

Tests that need PostgreSQL carry the ``pg`` marker (added automatically to every test that
uses ``pg_server``, ``pg_db`` or ``pg_db_factory``), so ``pytest -m "not pg"`` runs without it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol

import pytest

if __package__:
    from .pgcluster import PgCluster, PgClusterError
else:
    from pgcluster import PgCluster, PgClusterError

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SAMPLE_PROJECT = REPO_ROOT / "sample_project"

REQUIRE_PG_ENV = "DBCTL_REQUIRE_PG"

_PG_FIXTURES = frozenset({"pg_server", "pg_db", "pg_db_factory"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"pg: needs a real PostgreSQL server, started by the test suite (skipped when initdb/pg_ctl "
        f"are not on PATH unless {REQUIRE_PG_ENV}=1)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _PG_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.pg)


def _pg_required() -> bool:
    return os.environ.get(REQUIRE_PG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def _pg_unavailable(reason: str) -> NoReturn:
    if _pg_required():
        pytest.fail(f"{reason} (and {REQUIRE_PG_ENV}=1 is set)", pytrace=False)
    pytest.skip(reason)


# -- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster]:
    """A throwaway PostgreSQL cluster shared by the whole session."""
    try:
        cluster = PgCluster()
    except FileNotFoundError as exc:
        _pg_unavailable(f"PostgreSQL (initdb/pg_ctl) not on PATH: {exc}")
    try:
        cluster.start()
    except (PgClusterError, OSError, subprocess.SubprocessError) as exc:
        _pg_unavailable(f"could not start a PostgreSQL test cluster: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()


@dataclass(frozen=True)
class PgDatabase:
    """A database created for one test."""

    name: str
    server: PgCluster = field(repr=False)

    def url(self, driver: str = "psycopg") -> str:
        """SQLAlchemy URL; driver "psycopg" (sync) or "psycopg_async" (asyncio)."""
        return self.server.url(self.name, driver=driver)

    def connect(self, *, autocommit: bool = True) -> Any:
        """A psycopg connection to this database; the caller closes it."""
        return self.server.connect(self.name, autocommit=autocommit)


_db_counter = itertools.count(1)


class PgDatabaseFactory(Protocol):
    def __call__(self) -> PgDatabase: ...


@pytest.fixture
def pg_db_factory(pg_server: PgCluster) -> Iterator[PgDatabaseFactory]:
    """``pg_db_factory()`` creates one more fresh database; all are dropped after the test."""
    created: list[str] = []

    def create() -> PgDatabase:
        name = f"dbctl_test_{next(_db_counter)}_{uuid.uuid4().hex[:10]}"
        pg_server.create_database(name)
        created.append(name)
        return PgDatabase(name=name, server=pg_server)

    try:
        yield create
    finally:
        for name in reversed(created):
            pg_server.drop_database(name)


@pytest.fixture
def pg_db(pg_db_factory: PgDatabaseFactory) -> PgDatabase:
    """A fresh, empty database with a unique name; dropped (WITH (FORCE)) afterwards."""
    return pg_db_factory()


# -- the CLI --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """What one `python -m dbctl` run produced."""

    code: int
    stdout: str
    stderr: str
    args: tuple[str, ...] = ()

    def __str__(self) -> str:
        command = " ".join(("dbctl", *self.args))
        return (
            f"$ {command}\n"
            f"exit code: {self.code}\n"
            f"--- stdout ---\n{self.stdout.rstrip()}\n"
            f"--- stderr ---\n{self.stderr.rstrip()}\n"
        )


class RunDbctl(Protocol):
    def __call__(
        self,
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> Result: ...


def _dbctl_env(overrides: Mapping[str, str | None] | None) -> dict[str, str]:
    env = dict(os.environ)
    # Run this tree's dbctl, whatever the working directory.
    pythonpath = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), pythonpath]) if pythonpath else str(REPO_ROOT)
    for key, value in (overrides or {}).items():
        if value is None:
            env.pop(key, None)  # None unsets a variable
        else:
            env[key] = value
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"
    return env


@pytest.fixture
def run_dbctl() -> RunDbctl:
    """Run the real entry point, `python -m dbctl ARGS...`, in a subprocess.

    ``env`` entries override os.environ (a value of None removes the variable);
    ``input`` is fed to stdin (stdin is empty otherwise, so prompts see EOF).
    """

    def run(
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
        timeout: float = 120,
    ) -> Result:
        argv = tuple(os.fspath(arg) for arg in args)
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "dbctl", *argv],
                cwd=cwd,
                env=_dbctl_env(env),
                input=input,
                stdin=subprocess.DEVNULL if input is None else None,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            partial = Result(-1, _as_text(exc.stdout), _as_text(exc.stderr), argv)
            pytest.fail(f"dbctl timed out after {timeout}s\n{partial}", pytrace=False)
        return Result(proc.returncode, proc.stdout, proc.stderr, argv)

    return run


def _as_text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data


# -- sample project -------------------------------------------------------------------------


@pytest.fixture
def sample_project_copy(tmp_path: Path) -> Path:
    """A private copy of sample_project/ (without *.db files and caches); returns its path."""
    target = tmp_path / "sample_project"
    shutil.copytree(
        SAMPLE_PROJECT,
        target,
        ignore=shutil.ignore_patterns("*.db", "*.db-journal", "*.db-wal", "*.db-shm", "__pycache__"),
    )
    return target
