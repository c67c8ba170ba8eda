"""init → revision → upgrade/downgrade/current/history/heads/show/stamp/merge through the real
entry point, on every backend."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import MODELS_V2, Backend


def _versions(root: Path) -> list[Path]:
    return sorted((root / "migrations" / "versions").glob("*.py"))


def test_whole_loop(project: Path, backend: Backend, run_dbctl) -> None:
    # autogenerate from the models
    first = run_dbctl("revision", "-m", "create users", cwd=project)
    assert first.code == 0, first
    [path] = _versions(project)
    assert first.stdout.strip().endswith(path.name)
    assert "op.create_table('users'" in path.read_text()

    # autogenerate needs the database at head
    (project / "models.py").write_text(MODELS_V2)
    behind = run_dbctl("revision", "-m", "posts", cwd=project)
    assert behind.code == 2, behind
    assert "not up to date" in behind.stderr and "dbctl upgrade head" in behind.stderr

    up = run_dbctl("upgrade", "head", cwd=project)
    assert up.code == 0, up
    assert "create users" in up.stderr and "base →" in up.stderr
    assert backend.tables() >= {"users", "alembic_version"}

    second = run_dbctl("revision", "-m", "posts", cwd=project)
    assert second.code == 0, second
    assert len(_versions(project)) == 2
    up2 = run_dbctl("upgrade", cwd=project)  # head is the default
    assert up2.code == 0, up2
    assert "posts" in backend.tables()

    # nothing left to generate: no file, exit 0, and it says so
    none = run_dbctl("revision", "-m", "nothing", cwd=project)
    assert none.code == 0, none
    assert "no changes" in none.stderr
    assert len(_versions(project)) == 2
    empty = run_dbctl("revision", "-m", "nothing", "--empty", cwd=project)
    assert empty.code == 0, empty
    assert len(_versions(project)) == 3
    assert run_dbctl("upgrade", "head", cwd=project).code == 0

    cur = run_dbctl("current", "--format", "json", cwd=project)
    assert cur.code == 0, cur
    data = json.loads(cur.stdout)
    assert data["target"] == "dev" and data["at_head"] is True and data["current"] == data["heads"]

    hist = json.loads(run_dbctl("history", "--format", "json", cwd=project).stdout)
    assert [h["message"] for h in hist] == ["nothing", "posts", "create users"]
    assert hist[-1]["down_revision"] == [] and hist[0]["is_head"] is True
    assert hist[0]["down_revision"] == [hist[1]["revision"]]
    assert all({"revision", "down_revision", "message", "is_head", "path"} <= h.keys() for h in hist)
    assert Path(project / hist[0]["path"]).is_file()

    heads = json.loads(run_dbctl("heads", "--format", "json", cwd=project).stdout)
    assert [h["revision"] for h in heads] == [hist[0]["revision"]]

    shown = run_dbctl("show", hist[1]["revision"][:6], cwd=project)
    assert shown.code == 0 and hist[1]["revision"] in shown.stdout and "posts" in shown.stdout

    down = run_dbctl("downgrade", "-1", cwd=project)
    assert down.code == 0, down
    down2 = run_dbctl("downgrade", "-1", cwd=project)
    assert down2.code == 0, down2
    assert "posts" not in backend.tables()
    assert backend.versions() == {hist[2]["revision"]}

    base = run_dbctl("downgrade", "base", cwd=project)
    assert base.code == 0, base
    assert backend.tables() <= {"alembic_version", "dbctl_ledger"}

    below = run_dbctl("downgrade", "-1", cwd=project)
    assert below.code == 2, below
    assert "Traceback" not in below.stderr

    stamped = run_dbctl("stamp", "head", cwd=project)
    assert stamped.code == 0, stamped
    assert backend.versions() == {hist[0]["revision"]}
    assert "users" not in backend.tables()  # stamp runs nothing


def test_history_text_and_range(project: Path, run_dbctl) -> None:
    assert run_dbctl("revision", "-m", "one", "--no-autogenerate", cwd=project).code == 0
    assert run_dbctl("revision", "-m", "two", "--no-autogenerate", cwd=project).code == 0
    text = run_dbctl("history", "--verbose", cwd=project)
    assert text.code == 0 and "one" in text.stdout and "two" in text.stdout and "versions" in text.stdout
    hist = json.loads(run_dbctl("history", "--format", "json", cwd=project).stdout)
    ranged = json.loads(run_dbctl("history", "-r", f"{hist[0]['revision']}:", "--format", "json", cwd=project).stdout)
    assert [h["message"] for h in ranged] == ["two"]
    bad = run_dbctl("history", "-r", "nonsense", cwd=project)
    assert bad.code == 2, bad


def test_two_heads_then_merge(project: Path, backend: Backend, run_dbctl) -> None:
    assert run_dbctl("revision", "-m", "root", "--no-autogenerate", cwd=project).code == 0
    root_rev = json.loads(run_dbctl("heads", "--format", "json", cwd=project).stdout)[0]["revision"]
    assert run_dbctl("revision", "-m", "left", "--no-autogenerate", cwd=project).code == 0
    # a second branch from root, as two developers' branches merged in git would leave it
    right = project / "migrations" / "versions" / "ffff00000001_right.py"
    right.write_text(
        f'"""right"""\nrevision = "ffff00000001"\ndown_revision = "{root_rev}"\n'
        "branch_labels = None\ndepends_on = None\n\n"
        "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n"
    )
    heads = json.loads(run_dbctl("heads", "--format", "json", cwd=project).stdout)
    assert len(heads) == 2

    two = run_dbctl("upgrade", "head", cwd=project)
    assert two.code == 2, two
    assert "dbctl merge" in two.stderr and "Traceback" not in two.stderr
    assert backend.versions() == set()  # nothing ran

    merged = run_dbctl("merge", "-m", "join branches", cwd=project)
    assert merged.code == 0, merged
    heads = json.loads(run_dbctl("heads", "--format", "json", cwd=project).stdout)
    assert len(heads) == 1 and len(heads[0]["down_revision"]) == 2 and heads[0]["is_merge"]
    assert run_dbctl("upgrade", "head", cwd=project).code == 0
    assert backend.versions() == {heads[0]["revision"]}

    nothing = run_dbctl("merge", cwd=project)
    assert nothing.code == 2 and "nothing to merge" in nothing.stderr


def test_failing_migration_is_exit_4_and_rolled_back(project: Path, backend: Backend, run_dbctl) -> None:
    assert run_dbctl("revision", "-m", "create users", cwd=project).code == 0
    good = json.loads(run_dbctl("heads", "--format", "json", cwd=project).stdout)[0]["revision"]
    assert run_dbctl("upgrade", "head", cwd=project).code == 0
    bad = project / "migrations" / "versions" / "eeee00000002_broken.py"
    bad.write_text(
        f'"""broken"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "eeee00000002"\ndown_revision = "{good}"\nbranch_labels = None\ndepends_on = None\n\n\n'
        "def upgrade():\n"
        '    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    op.execute("INSERT INTO no_such_table VALUES (1)")\n\n\n'
        "def downgrade():\n"
        '    op.drop_table("half_done")\n'
    )
    result = run_dbctl("upgrade", "head", cwd=project)
    assert result.code == 4, result
    line = result.stderr
    assert "eeee00000002" in line and "eeee00000002_broken.py" in line and "no_such_table" in line
    assert "Traceback" not in result.stderr
    # nothing of the failed revision stays applied, and the version row did not move
    assert "half_done" not in backend.tables()
    assert backend.versions() == {good}


def test_revision_renders_batch_for_sqlite_targets(project: Path, backend: Backend, run_dbctl) -> None:
    assert run_dbctl("revision", "-m", "users", cwd=project).code == 0
    assert run_dbctl("upgrade", "head", cwd=project).code == 0
    models = project / "models.py"
    models.write_text(
        models.read_text().replace(
            "name: Mapped[str] = mapped_column(String(50))",
            "name: Mapped[str] = mapped_column(String(50))\n    email: Mapped[str | None] = mapped_column(String(100))",
        )
    )
    result = run_dbctl("revision", "-m", "email", cwd=project)
    assert result.code == 0, result
    text = sorted((project / "migrations" / "versions").glob("*email.py"))[0].read_text()
    if backend.name.startswith("sqlite"):
        assert "batch_alter_table('users'" in text
    else:
        assert "op.add_column('users'" in text
    assert run_dbctl("upgrade", "head", cwd=project).code == 0
    assert run_dbctl("downgrade", "-1", cwd=project).code == 0


def test_revision_shows_lint_findings_of_the_new_file(project: Path, backend: Backend, run_dbctl) -> None:
    assert run_dbctl("revision", "-m", "users", cwd=project).code == 0
    assert run_dbctl("upgrade", "head", cwd=project).code == 0
    models = project / "models.py"
    # a NOT NULL column without a default on an existing table: DB401
    models.write_text(
        models.read_text().replace(
            "name: Mapped[str] = mapped_column(String(50))",
            "name: Mapped[str] = mapped_column(String(50))\n    age: Mapped[int] = mapped_column()",
        )
    )
    result = run_dbctl("revision", "-m", "age", cwd=project)
    assert result.code == 0, result  # findings are shown, the revision is still written
    assert result.stdout.strip().endswith("_age.py")
    assert "DB401" in result.stderr and "add-not-null-column-without-default" in result.stderr
