"""Existing Alembic projects, adopted with no dbctl configuration at all, through the real CLI on
SQLite and PostgreSQL: every shape in shapes.SHAPES runs the whole loop with the right step
counts and ledger rows, and no command ever touches a database other than the one it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adoption import shapes
from tests.adoption.shapes import ALL_REVISIONS, HEAD, SHAPES, SHAPES_BY_NAME

DIALECTS = ["sqlite", "postgresql"]


@pytest.fixture(params=DIALECTS)
def database_factory(request: pytest.FixtureRequest, tmp_path: Path):
    """``database_factory()`` -> the sync URL of a fresh, empty database of the dialect."""
    counter = iter(range(100))
    if request.param == "sqlite":
        return lambda: f"sqlite:///{tmp_path / f'db{next(counter)}.sqlite'}"
    factory = request.getfixturevalue("pg_db_factory")
    return lambda: factory().url("psycopg")


def x_args(shape: shapes.Shape) -> list[str]:
    return ["-x", "tenant=acme"] if shape.edit is shapes.x_arguments else []


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_adopted_project_runs_the_whole_loop(shape, database_factory, tmp_path: Path, run_dbctl) -> None:
    url = database_factory()
    root = tmp_path / "project"
    env = shape.build(root, url)
    x = x_args(shape)

    def dbctl(*args: str):
        return run_dbctl(*x, *args, cwd=root, env=env)

    up = dbctl("upgrade", "head", "--format", "json")
    assert up.code == 0, up
    assert [s["revision"] for s in json.loads(up.stdout)["steps"]] == list(ALL_REVISIONS), up
    assert shapes.versions(url) == {HEAD}
    assert shapes.ledger(url) == [(rev, "upgrade") for rev in ALL_REVISIONS]

    current = dbctl("current", "--format", "json")
    assert current.code == 0, current
    assert json.loads(current.stdout)["current"] == [HEAD]

    history = dbctl("history")
    assert history.code == 0, history
    assert all(rev in history.stdout for rev in ALL_REVISIONS), history

    down = dbctl("downgrade", "-1", "--yes")
    assert down.code == 0, down
    assert shapes.versions(url) == {"b2000000000b"}
    assert shapes.ledger(url)[-1] == (HEAD, "downgrade")
    assert dbctl("upgrade", "head").code == 0

    # autogenerate compares env.py's own target_metadata with the database: the models have `email`
    (root / ("src/app" if shape.edit is shapes.prepend_sys_path else "app") / "models.py").write_text(shapes.MODELS)
    revision = dbctl("revision", "-m", "add email", "--autogenerate")
    assert revision.code == 0, revision
    written = [p for p in (root / "migrations" / "versions").glob("*add_email*.py")]
    assert len(written) == 1, revision
    text = written[0].read_text()
    assert "add_column" in text and "email" in text and "dbctl_ledger" not in text, text
    assert dbctl("upgrade", "head").code == 0

    for check in (["check", "--drift"], ["check", "--roundtrip"]):
        result = dbctl(*check, "--format", "json")
        if shape.url_in_ini:
            assert result.code in (0, 1), result  # 1: static findings of the files (not this test's business)
            codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
            assert not codes & {"DB801", "DB802"}, result
        else:
            # env.py connects where its own settings say, never to dbctl's temporary database:
            # dbctl stops before the first statement and says why.
            assert result.code == 2, result
            assert "env.py" in result.stderr and "temporary" in result.stderr, result
    assert shapes.versions(url) != set()


@pytest.mark.parametrize("shape_name", ["generic-url-from-env", "generic-url-from-settings"])
def test_a_target_env_py_does_not_use_is_refused_and_nothing_changes(
    shape_name: str, database_factory, tmp_path: Path, run_dbctl
) -> None:
    real, named = database_factory(), database_factory()
    shapes.plant_sentinel(real)
    root = tmp_path / "project"
    env = SHAPES_BY_NAME[shape_name].build(root, real)
    (root / "dbctl.toml").write_text(f'alembic_ini = "alembic.ini"\n\n[targets.other]\nurl = "{named}"\n')
    for args in (["upgrade", "head", "-t", "other"], ["stamp", "head", "-t", "other", "--yes"]):
        result = run_dbctl(*args, cwd=root, env=env)
        assert result.code == 2, result
        assert "env.py" in result.stderr, result
        assert "config.attributes" in result.stderr or "sqlalchemy.url" in result.stderr, result
        assert len(result.stderr.strip().splitlines()) <= 2, result  # one error line and its hint
        assert shapes.sentinel_intact(real)
        assert shapes.tables(named) == set()


@pytest.mark.parametrize("check", ["--drift", "--roundtrip"])
def test_scratch_checks_never_reach_the_real_database(check: str, database_factory, tmp_path: Path, run_dbctl) -> None:
    real = database_factory()
    shapes.plant_sentinel(real)
    root = tmp_path / "project"
    env = SHAPES_BY_NAME["generic-url-from-settings"].build(root, real)
    result = run_dbctl("check", check, cwd=root, env=env)
    assert result.code == 2, result
    assert "temporary" in result.stderr and "env.py" in result.stderr, result
    assert shapes.sentinel_intact(real)


def test_zero_config_classic_env_reading_the_environment(database_factory, tmp_path: Path, run_dbctl) -> None:
    """The issue's "done when": only alembic.ini and an unmodified classic env.py that reads
    its URL from the environment."""
    url = database_factory()
    root = tmp_path / "project"
    env = SHAPES_BY_NAME["generic-url-from-env"].build(root, url)
    assert not (root / "dbctl.toml").exists()
    up = run_dbctl("upgrade", "head", cwd=root, env=env)
    assert up.code == 0, up
    # the database env.py chose is named, password hidden
    assert "chosen by env.py" in up.stdout + up.stderr, up
    assert shapes.versions(url) == {HEAD}
    assert len(shapes.ledger(url)) == 3


def test_project_errors_are_the_projects(tmp_path: Path, run_dbctl) -> None:
    root = tmp_path / "project"
    env = SHAPES_BY_NAME["generic-url-from-settings"].build(root, f"sqlite:///{tmp_path / 'x.db'}")
    env_without = {**env, "APP_DATABASE_URL": None}
    result = run_dbctl("upgrade", "head", cwd=root, env=env_without)
    assert result.code == 2, result
    assert "Traceback" not in result.stderr
    assert "KeyError" in result.stderr and "settings.py" in result.stderr, result
    assert "bug" not in result.stderr
    verbose = run_dbctl("-v", "upgrade", "head", cwd=root, env=env_without)
    assert verbose.code == 2 and "Traceback" in verbose.stderr, verbose


def test_missing_env_py_and_template_are_one_line_errors(tmp_path: Path, run_dbctl) -> None:
    root = tmp_path / "project"
    shapes.SHAPES_BY_NAME["generic"].build(root, f"sqlite:///{tmp_path / 'x.db'}")
    (root / "migrations" / "script.py.mako").unlink()
    made = run_dbctl("revision", "-m", "x", "--no-autogenerate", cwd=root)
    assert made.code == 2 and "script.py.mako" in made.stderr and "Traceback" not in made.stderr, made
    (root / "migrations" / "env.py").unlink()
    up = run_dbctl("upgrade", "head", cwd=root)
    assert up.code == 2 and "env.py" in up.stderr and "Traceback" not in up.stderr, up


def test_init_beside_alembic_ini_writes_no_second_environment(tmp_path: Path, run_dbctl) -> None:
    root = tmp_path / "project"
    shapes.SHAPES_BY_NAME["generic"].build(root, f"sqlite:///{tmp_path / 'x.db'}")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = run_dbctl("init", cwd=root)
    assert result.code == 0, result
    assert "alembic.ini" in result.stdout + result.stderr
    after = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert [p for p in after if p not in before and p.name != ".gitignore"] == []
    existing = run_dbctl("init", "--dir", "migrations", cwd=tmp_path / "project")
    assert "adopt" in (existing.stdout + existing.stderr).lower(), existing


@pytest.mark.parametrize("shape", SHAPES, ids=[s.name for s in SHAPES])
def test_every_shape_works_with_plain_alembic(shape, tmp_path: Path) -> None:
    """The shapes are real Alembic projects: plain `alembic` runs each of them."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'plain.db'}"
    root = tmp_path / "project"
    env = {**os.environ, **shape.build(root, url)}
    done = subprocess.run(
        [sys.executable, "-m", "alembic", *x_args(shape), "upgrade", "head"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert shapes.versions(url) == {HEAD}


FAILING = '''"""fails halfway

Revision ID: d4000000000d
"""
import sqlalchemy as sa
from alembic import op

revision = "d4000000000d"
down_revision = "c3000000000c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade():
    op.drop_table("half_done")
'''


@pytest.mark.parametrize("shape_name", ["generic", "async"])
def test_a_failing_revision_rolls_back_alone_with_a_classic_env(
    shape_name: str, database_factory, tmp_path: Path, run_dbctl
) -> None:
    url = database_factory()
    root = tmp_path / "project"
    env = SHAPES_BY_NAME[shape_name].build(root, url)
    (root / "migrations" / "versions" / "d4000000000d_fails.py").write_text(FAILING)
    result = run_dbctl("upgrade", "head", cwd=root, env=env)
    assert result.code == 4, result
    assert "d4000000000d" in result.stderr, result
    # the three good revisions stay applied, each with its ledger row; the failing one left nothing
    assert shapes.versions(url) == {HEAD}
    assert "half_done" not in shapes.tables(url)
    assert shapes.ledger(url) == [(rev, "upgrade") for rev in ALL_REVISIONS]


def test_an_env_py_that_runs_everything_in_one_transaction_is_said_once(tmp_path: Path, run_dbctl) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    root = tmp_path / "project"
    env = SHAPES_BY_NAME["generic"].build(root, url)
    shapes.replace_in(
        root / "migrations" / "env.py",
        "            connection=connection, target_metadata=target_metadata\n",
        "            connection=connection, target_metadata=target_metadata, transaction_per_migration=False\n",
    )
    result = run_dbctl("upgrade", "head", "--format", "json", cwd=root, env=env)
    assert result.code == 0, result
    notices = json.loads(result.stdout)["notices"]
    assert len(notices) == 1 and "one transaction" in notices[0], result
    text = run_dbctl("downgrade", "base", cwd=root, env=env)
    assert text.code == 0 and text.stderr.count("one transaction") == 1, text


def test_multidb_template_is_refused_before_anything_runs(tmp_path: Path, run_dbctl) -> None:
    """Alembic's multidb env.py configures several databases in one run: one target is one
    database, so dbctl refuses at the second configure(), before any revision runs."""
    import subprocess
    import sys

    root = tmp_path / "project"
    root.mkdir()
    subprocess.run([sys.executable, "-m", "alembic", "init", "-t", "multidb", "migrations"], cwd=root, check=True)
    ini = root / "alembic.ini"
    text = ini.read_text()
    text = text.replace("driver://user:pass@localhost/dbname2", f"sqlite:///{root / 'two.db'}")
    ini.write_text(text.replace("driver://user:pass@localhost/dbname", f"sqlite:///{root / 'one.db'}"))
    (root / "migrations" / "versions" / "a1_first.py").write_text(
        '"""first"""\nrevision = "a1"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade(engine_name):\n    pass\n\n\ndef downgrade(engine_name):\n    pass\n"
    )
    result = run_dbctl("upgrade", "head", cwd=root)
    assert result.code == 2, result
    assert "second database" in result.stderr and "one database per target" in result.stderr, result
    for name in ("one.db", "two.db"):
        assert shapes.versions(f"sqlite:///{root / name}") == set()
