"""`dbctl check` against databases: what -t means for each check, sample_project passing
everything, drift on a database changed by hand, drift_ignore, and the errors (exit 2, 3, 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.checks.conftest import FIXTURES, Database, write_scenario

BOOKKEEPING = {"alembic_version", "dbctl_ledger"}


def _findings(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


# -- sample_project passes every check ---------------------------------------------------------


def test_sample_project_passes_on_sqlite(sample_project_copy: Path, run_dbctl, tmp_path: Path) -> None:
    scratch_dir = tmp_path / "tmp"
    scratch_dir.mkdir()
    env = {"DATABASE_URL": None, "TMPDIR": str(scratch_dir)}
    result = run_dbctl(
        "check", "--models", "--drift", "--roundtrip", "--format", "json", cwd=sample_project_copy, env=env
    )
    assert result.code == 0, result
    assert _findings(result) == []
    assert "roundtrip: b844ec122842" in result.stderr and "drift: comparing" in result.stderr
    assert list(scratch_dir.iterdir()) == []  # the temporary SQLite files are gone
    assert not (sample_project_copy / "dev.db").exists()  # the configured target was not touched


def test_sample_project_passes_on_postgresql(sample_project_copy: Path, run_dbctl, pg_db) -> None:
    env = {"DATABASE_URL": pg_db.url()}
    db = Database("postgresql", pg_db.url())
    roundtrip = run_dbctl("check", "--roundtrip", "-t", "pg", cwd=sample_project_copy, env=env)
    assert roundtrip.code == 0, roundtrip
    assert "no problems" in roundtrip.stdout
    assert db.tables() <= BOOKKEEPING  # the scratch database is left empty again
    assert run_dbctl("upgrade", "head", "-t", "pg", cwd=sample_project_copy, env=env).code == 0
    result = run_dbctl("check", "--models", "--drift", "-t", "pg", "--format", "json", cwd=sample_project_copy, env=env)
    assert result.code == 0, result
    assert _findings(result) == []


# -- --drift -t: the real database, read-only ---------------------------------------------------


def test_drift_on_a_target_not_at_head_says_so_and_writes_nothing(
    tmp_path: Path, database: Database, run_dbctl
) -> None:
    root = write_scenario(FIXTURES / "DB801" / "pass_models_match", tmp_path / "proj", database.url)
    assert run_dbctl("upgrade", "d801aaaa0001", cwd=root).code == 0
    result = run_dbctl("check", "--drift", "-t", "db", "--format", "json", cwd=root)
    assert result.code == 1, result
    [finding] = _findings(result)
    assert finding["code"] == "DB801" and finding["file"] == "dbctl.toml" and finding["line"] == 4
    assert "is at d801aaaa0001, not at head (d801bbbb0002)" in finding["message"]
    assert database.scalar_set("SELECT version_num FROM alembic_version") == {"d801aaaa0001"}
    assert "posts" not in database.tables()


def test_drift_finds_changes_made_by_hand(tmp_path: Path, run_dbctl, pg_db) -> None:
    database = Database("postgresql", pg_db.url())
    root = write_scenario(FIXTURES / "DB801" / "pass_models_match", tmp_path / "proj", database.url)
    assert run_dbctl("upgrade", "head", cwd=root).code == 0
    database.execute("CREATE INDEX ix_by_hand ON users (name)")
    database.execute("ALTER TABLE posts ADD COLUMN legacy text")
    database.execute("ALTER TABLE users ALTER COLUMN name TYPE varchar(120)")

    result = run_dbctl("check", "--drift", "-t", "db", "--format", "json", cwd=root)
    assert result.code == 1, result
    messages = {f["message"] for f in _findings(result)}
    assert messages == {
        "index ix_by_hand on users (name): models: not declared; database 'db': present",
        "column posts.legacy: models: no such column; database 'db': TEXT NULL",
        "column users.name (type): models: VARCHAR(100); database 'db': VARCHAR(120)",
    }
    lines = {(f["file"], f["line"]) for f in _findings(result)}
    assert lines == {("models.py", 17), ("models.py", 25), ("models.py", 21)}  # class User, class Post, users.name

    sarif = json.loads(run_dbctl("check", "--drift", "-t", "db", "--format", "sarif", cwd=root).stdout)
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"DB801"}
    assert any(rule["id"] == "DB801" for rule in sarif["runs"][0]["tool"]["driver"]["rules"])
    github = run_dbctl("check", "--drift", "-t", "db", "--format", "github", cwd=root).stdout
    assert github.count("title=DB801 schema-drift::") == 3

    ignore = '[lint]\ndrift_ignore = ["index.ix_by_*", "table.posts.column.legacy", "table.users.column.name"]\n'
    root.joinpath("dbctl.toml").write_text(root.joinpath("dbctl.toml").read_text() + ignore)
    quiet = run_dbctl("check", "--drift", "-t", "db", cwd=root)
    assert quiet.code == 0, quiet


def test_drift_ignore_must_name_an_object(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(
        FIXTURES / "DB801" / "pass_models_match",
        tmp_path / "proj",
        "sqlite:///app.db",
        extra='[lint]\ndrift_ignore = ["users.legacy"]\n',
    )
    result = run_dbctl("check", "--drift", cwd=root)
    assert result.code == 2 and "lint.drift_ignore[0]" in result.stderr, result


def test_drift_when_the_migrations_fail_on_sqlite(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(FIXTURES / "DB801" / "pass_models_match", tmp_path / "proj", "sqlite:///app.db")
    version = next((root / "migrations" / "versions").glob("d801bbbb*.py"))
    version.write_text(
        version.read_text().replace(
            "def upgrade():\n", 'def upgrade():\n    op.execute("CREATE EXTENSION IF NOT EXISTS citext")\n'
        )
    )
    result = run_dbctl("check", "--drift", cwd=root)
    assert result.code == 4, result
    assert "temporary SQLite database" in result.stderr and "--drift -t" in result.stderr


# -- --roundtrip -t: a scratch database, written ------------------------------------------------


def test_roundtrip_refuses_a_protected_target(tmp_path: Path, run_dbctl) -> None:
    db = tmp_path / "prod.db"
    root = write_scenario(FIXTURES / "DB802" / "pass_reversible", tmp_path / "proj", f"sqlite:///{db}")
    root.joinpath("dbctl.toml").write_text(root.joinpath("dbctl.toml").read_text() + "protected = true\n")
    result = run_dbctl("check", "--roundtrip", "-t", "db", cwd=root)
    assert result.code == 2 and "protected" in result.stderr, result
    assert not db.exists()
    # read-only checks of a protected target are fine
    assert run_dbctl("check", "-t", "db", cwd=root).code == 0


def test_roundtrip_needs_an_empty_scratch_target(tmp_path: Path, database: Database, run_dbctl) -> None:
    root = write_scenario(FIXTURES / "DB802" / "pass_reversible", tmp_path / "proj", database.url)
    assert run_dbctl("upgrade", "d802aaaa0001", cwd=root).code == 0
    result = run_dbctl("check", "--roundtrip", "-t", "db", cwd=root)
    assert result.code == 2 and "at d802aaaa0001" in result.stderr and "empty scratch" in result.stderr, result
    assert database.scalar_set("SELECT version_num FROM alembic_version") == {"d802aaaa0001"}


def test_roundtrip_skips_revisions_up_to_start_after(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(
        FIXTURES / "DB802" / "fail_downgrade_forgets_index",
        tmp_path / "proj",
        "sqlite:///app.db",
        extra='[lint]\nstart_after = "d802bbbb0002"\n',
    )
    result = run_dbctl("check", "--roundtrip", "--format", "json", cwd=root)
    assert result.code == 1, result
    [finding] = [f for f in _findings(result) if f["code"] == "DB802"]
    assert finding["file"].endswith("d802cccc0003_create_tags.py")  # 0002's forgotten index is grandfathered
    assert "table tags: left behind" in finding["message"] and "column tags.id" in finding["message"]
    assert "2 revision(s) up to start_after" in result.stderr


def test_drift_and_roundtrip_cannot_share_a_target(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(FIXTURES / "DB802" / "pass_reversible", tmp_path / "proj", "sqlite:///app.db")
    result = run_dbctl("check", "--drift", "--roundtrip", "-t", "db", cwd=root)
    assert result.code == 2 and "run them separately" in result.stderr, result


def test_unreachable_target_exits_3(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(
        FIXTURES / "DB803" / "pass_untouched", tmp_path / "proj", "postgresql://app:secret@127.0.0.1:1/app"
    )
    result = run_dbctl("check", "-t", "db", cwd=root)
    assert result.code == 3, result
    assert "secret" not in result.stderr


def test_plain_check_ignores_dbctl_target(tmp_path: Path, run_dbctl) -> None:
    root = write_scenario(
        FIXTURES / "DB803" / "pass_untouched", tmp_path / "proj", "postgresql://app:secret@127.0.0.1:1/app"
    )
    result = run_dbctl("check", cwd=root, env={"DBCTL_TARGET": "db"})
    assert result.code == 0, result  # static only: no connection attempted


# -- documentation ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["DB701", "DB702", "DB801", "DB802", "DB803"])
def test_rule_documentation(code: str, run_dbctl, tmp_path: Path) -> None:
    doc = run_dbctl("rule", code, cwd=tmp_path)
    assert doc.code == 0 and doc.stdout.startswith(code) and "**Why is this bad?**" in doc.stdout
    listed = json.loads(run_dbctl("rules", "--format", "json", cwd=tmp_path).stdout)
    assert code in {rule["code"] for rule in listed}
