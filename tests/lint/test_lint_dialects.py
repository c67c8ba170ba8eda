"""Which dialects' rules run is decided statically: the same files and config give the same
findings whether or not the variables the target URLs name are set."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from lint_helpers import Project, migration, project_config

from dbctl.config.alembic_files import AlembicSettings
from dbctl.config.model import LintConfig, TargetConfig
from dbctl.lint.api import dialect_scope, enabled_rules, lint_project
from dbctl.lint.dialects import evidence
from dbctl.lint.registry import all_rules
from dbctl.targets import configured_dialects, dialect_of

# a plain alter_column is SQLite's DB103; a plain create_index is PostgreSQL's DB203
ALTER_AND_INDEX = """
def upgrade():
    op.alter_column("user", "email", nullable=False)
    op.create_index("ix_user_email", "user", ["email"])


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
    op.alter_column("user", "email", nullable=True)
"""
UNSET = "DBCTL_TEST_DIALECT_URL"


def dialects_of(codes) -> set[str]:
    """The dialects of the dialect rules among ``codes`` (dialect-neutral rules add nothing)."""
    rules = all_rules()
    return {dialect for code in codes for dialect in rules[code].dialects}


@pytest.mark.parametrize(
    ("url", "dialect"),
    [
        ("postgresql://postgres:${PGPW}@db/app", "postgresql"),
        ("postgres+asyncpg://app:${PW:-x}@${HOST}/app", "postgresql"),
        ("sqlite+aiosqlite:///dev.db", "sqlite"),
        ("${DATABASE_URL:-sqlite:///dev.db}", "sqlite"),
        ("${DATABASE_URL:-postgresql://localhost/app}", "postgresql"),
        ("mysql+pymysql://u:${PW}@h/db", "mysql"),
        ("${DATABASE_URL}", None),
        ("${SCHEME}://localhost/app", None),
        ("${", None),
        (None, None),
    ],
)
def test_dialect_of_reads_the_url_as_written(url: str | None, dialect: str | None, monkeypatch) -> None:
    for name in ("PGPW", "PW", "HOST", "DATABASE_URL", "SCHEME"):
        monkeypatch.setenv(name, "mysql://elsewhere/db")  # the environment is never read
    assert dialect_of(url) == dialect


def test_a_target_without_url_takes_the_alembic_ini_url(tmp_path: Path) -> None:
    settings = AlembicSettings(None, None, "alembic", None, (), (), False, "postgresql://app@db/app")
    base = project_config(tmp_path)
    project = replace(base, targets={"default": TargetConfig("default", None)}, alembic=settings)
    assert configured_dialects(project) == {"postgresql"}
    assert dialect_scope(project).dialects == ("postgresql",)
    assert configured_dialects(replace(project, targets={})) == {"postgresql"}
    no_url = replace(project, alembic=replace(settings, url=None))
    assert configured_dialects(no_url) == set() and dialect_scope(no_url).source == "none"
    assert dialect_scope(no_url).unknown == ("target 'default' (its env.py chooses the database)",)


def test_evidence_in_migration_files(tmp_path: Path) -> None:
    def files(*texts: str) -> list[str]:
        paths = []
        for i, text in enumerate(texts):
            path = tmp_path / f"m{len(list(tmp_path.iterdir()))}_{i}.py"
            path.write_text(text)
            paths.append(str(path))
        return paths

    assert evidence(files("from sqlalchemy.dialects import postgresql\n")) == {"postgresql"}
    assert evidence(files("import sqlalchemy.dialects.postgresql as pg\n")) == {"postgresql"}
    assert evidence(files('op.create_index("ix", "t", ["a"], postgresql_concurrently=True)\n')) == {"postgresql"}
    assert evidence(files('op.execute("PRAGMA foreign_keys=OFF")\n')) == {"sqlite"}
    batch = 'with op.batch_alter_table("t") as b:\n    b.drop_column("c")\n'
    assert evidence(files(batch, 'op.create_table("u")\n')) == {"sqlite"}  # batch for every alteration
    assert evidence(files(batch, 'op.drop_column("t", "d")\n')) == set()  # plain alterations too
    assert evidence(files("# from sqlalchemy.dialects import postgresql\n", 'op.drop_table("t")\n')) == set()


def test_unknown_dialect_runs_neutral_rules_and_says_so_once(mproject: Project) -> None:
    mproject.add("a1.py", migration("a1", None, ALTER_AND_INDEX))
    config = mproject.config(targets={"prod": f"${{{UNSET}}}"})
    report = lint_project(config)
    assert dialects_of(f.code for f in report.findings) == set()
    assert (report.dialects, report.dialect_source) == ((), "none")
    (note,) = report.notes
    assert "target 'prod'" in note and "DB103" in note and "DB203" in note
    assert 'dialects = ["postgresql", "sqlite"] under [lint] in dbctl.toml' in note
    assert not {"DB103", "DB203"} & enabled_rules(config)

    forced = lint_project(mproject.config(targets={"prod": f"${{{UNSET}}}"}, lint=LintConfig(dialects=("pgsql",))))
    assert "DB203" in {f.code for f in forced.findings} and forced.notes == ()
    assert dialects_of(f.code for f in forced.findings) == {"postgresql"}
    assert (forced.dialects, forced.dialect_source) == (("postgresql",), "config")


def test_migration_evidence_fills_in_an_unknown_target(mproject: Project) -> None:
    body = ALTER_AND_INDEX.replace("def upgrade():", "from sqlalchemy.dialects import postgresql\n\n\ndef upgrade():")
    mproject.add("a1.py", migration("a1", None, body))
    report = lint_project(mproject.config(targets={"dev": "sqlite:///dev.db", "prod": f"${{{UNSET}}}"}))
    assert {"DB103", "DB203"} <= {f.code for f in report.findings}
    assert (report.dialects, report.dialect_source) == (("postgresql", "sqlite"), "targets+migrations")
    assert report.notes == ()  # nothing was skipped


def _project(root: Path, targets: str, body: str = ALTER_AND_INDEX) -> Project:
    project = Project(root)
    project.write_config(targets)
    project.add("a1.py", migration("a1", None, body))
    return project


def _same_in_every_environment(run_dbctl, root: Path, variable: str, values: list[str]) -> tuple[dict, str]:
    """``check --format json`` and ``check`` (text) with ``variable`` unset and set to each of
    ``values``: stdout must be identical; returns the JSON and the stderr of the unset run."""
    runs = {}
    for value in [None, *values]:
        env = {variable: value, "GITHUB_WORKSPACE": None}
        as_json = run_dbctl("check", "--format", "json", cwd=root, env=env)
        as_text = run_dbctl("check", cwd=root, env=env)
        assert as_json.code == as_text.code and as_json.code in (0, 1), as_json
        runs[value] = (as_json.stdout, as_text.stdout, as_text.stderr)
    unset = runs[None]
    for value in values:
        assert runs[value][:2] == unset[:2], f"{variable}={value} changed the findings"
    return json.loads(unset[0]), unset[2]


def test_database_url_project_in_a_lint_only_job(tmp_path: Path, run_dbctl) -> None:
    # a PostgreSQL project whose only target is ${DATABASE_URL}: no SQLite DB103 when it is unset
    root = _project(tmp_path, '[targets.prod]\nurl = "${DATABASE_URL}"\n').root
    data, stderr = _same_in_every_environment(
        run_dbctl, root, "DATABASE_URL", ["sqlite:///ci.db", "postgresql://app:pw@db/app"]
    )
    assert dialects_of(f["code"] for f in data["findings"]) == set()  # no DB103, and no guess
    assert (data["dialects"], data["dialect_source"]) == ([], "none")
    assert stderr.count("note:") == 1 and "[lint]" in stderr and "DB103" in stderr and "DB203" in stderr

    # where the history shows it, the PostgreSQL rules run, with and without the variable
    body = ALTER_AND_INDEX.replace("nullable=False)", "nullable=False, postgresql_using='email::text')", 1)
    root = _project(tmp_path / "evidence", '[targets.prod]\nurl = "${DATABASE_URL}"\n', body).root
    data, stderr = _same_in_every_environment(run_dbctl, root, "DATABASE_URL", ["sqlite:///ci.db"])
    assert "DB203" in {f["code"] for f in data["findings"]}
    assert dialects_of(f["code"] for f in data["findings"]) == {"postgresql"}
    assert (data["dialects"], data["dialect_source"]) == (["postgresql"], "migrations")


def test_mixed_sqlite_dev_and_database_url_prod(tmp_path: Path, run_dbctl) -> None:
    config = '[targets.dev]\nurl = "sqlite:///dev.db"\n\n[targets.prod]\nurl = "${DATABASE_URL}"\n'
    root = _project(tmp_path, config).root
    data, stderr = _same_in_every_environment(
        run_dbctl, root, "DATABASE_URL", ["postgresql://app:pw@db/app", "sqlite:///other.db"]
    )
    assert "DB103" in {f["code"] for f in data["findings"]}
    assert dialects_of(f["code"] for f in data["findings"]) == {"sqlite"}
    assert (data["dialects"], data["dialect_source"]) == (["sqlite"], "targets")
    assert "target 'prod'" in stderr and "DB203" in stderr  # the skipped PostgreSQL rules are named

    (root / "dbctl.toml").write_text('[lint]\ndialects = ["sqlite", "postgresql"]\n\n' + config)
    data, stderr = _same_in_every_environment(run_dbctl, root, "DATABASE_URL", ["postgresql://app:pw@db/app"])
    assert {"DB103", "DB203"} <= {f["code"] for f in data["findings"]} and "note:" not in stderr


def test_password_variable_does_not_hide_postgresql(tmp_path: Path, run_dbctl) -> None:
    root = _project(tmp_path, '[targets.prod]\nurl = "postgresql://postgres:${PGPW}@db/app"\n').root
    data, stderr = _same_in_every_environment(run_dbctl, root, "PGPW", ["s3cret"])
    assert "DB203" in {f["code"] for f in data["findings"]}
    assert dialects_of(f["code"] for f in data["findings"]) == {"postgresql"}
    assert (data["dialects"], data["dialect_source"]) == (["postgresql"], "targets")
    assert "note:" not in stderr


def test_sarif_carries_the_dialects(tmp_path: Path, run_dbctl) -> None:
    root = _project(tmp_path, '[targets.prod]\nurl = "${DATABASE_URL}"\n').root
    result = run_dbctl("check", "--format", "sarif", cwd=root, env={"DATABASE_URL": None, "GITHUB_WORKSPACE": None})
    properties = json.loads(result.stdout)["runs"][0]["properties"]
    assert properties["dialects"] == [] and properties["dialect_source"] == "none"
    assert len(properties["notes"]) == 1 and "DB103" in properties["notes"][0]
    assert result.stderr.count("note:") == 1
