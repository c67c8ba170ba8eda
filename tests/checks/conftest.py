"""Fixtures of the model and database checks: scenario projects (tests/checks/fixtures/<CODE>/
<case>/: models.py and versions/) written out as complete dbctl projects, pointed at a fresh
database on SQLite or on the suite's PostgreSQL server."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENV_TEMPLATE = Path(__file__).resolve().parents[2] / "dbctl" / "alembic_bridge" / "templates" / "env.py"
EXPECT = re.compile(r"#\s*expect:\s*(DB\d{3})")
BACKENDS = ["sqlite", "postgresql"]


@dataclass
class Database:
    """A fresh database for one test: the URL the project uses and one the test reads with."""

    kind: str
    url: str

    @property
    def is_pg(self) -> bool:
        return self.kind == "postgresql"

    def scalar_set(self, sql: str) -> set:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return {row[0] for row in conn.execute(sa.text(sql))}
        finally:
            engine.dispose()

    def tables(self) -> set[str]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return set(sa.inspect(conn).get_table_names())
        finally:
            engine.dispose()

    def execute(self, sql: str) -> None:
        engine = sa.create_engine(self.url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(sql))
        finally:
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Database:
    if request.param == "sqlite":
        return Database("sqlite", f"sqlite:///{tmp_path / 'app.db'}")
    return Database("postgresql", request.getfixturevalue("pg_db").url())


def write_scenario(case: Path, root: Path, url: str, extra: str = "") -> Path:
    """Copy scenario ``case`` to ``root`` as a project whose target ``db`` is ``url``."""
    (root / "migrations").mkdir(parents=True)
    shutil.copytree(case / "versions", root / "migrations" / "versions")
    shutil.copy(ENV_TEMPLATE, root / "migrations" / "env.py")
    shutil.copy(case / "models.py", root / "models.py")
    (root / "dbctl.toml").write_text(
        f'metadata = "models:Base.metadata"\ndefault_target = "db"\n{extra}\n[targets.db]\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return root


def expectations(root: Path) -> set[tuple[str, str, int]]:
    """(code, file relative to ``root``, line) of every ``# expect: CODE`` in the project."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for code in EXPECT.findall(line):
                found.add((code, path.relative_to(root).as_posix(), number))
    return found


def cases(code: str) -> list[Path]:
    """The fail_*/pass_* scenario directories of ``code``."""
    return sorted(p for p in (FIXTURES / code).iterdir() if p.is_dir() and p.name.startswith(("fail_", "pass_")))
