"""`dbctl check`, `dbctl rules` and `dbctl rule` through the real entry point, in subprocesses."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from lint_helpers import Project, dbctl, migration

from dbctl.lint.registry import all_rules

BAD_INDEX = """
def upgrade():
    op.create_index("ix_user_email", "user", ["email"])


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
"""
DROP_COLUMN = """
def upgrade():
    op.drop_column("user", "legacy")


def downgrade():
    op.add_column("user", sa.Column("legacy", sa.String()))
"""
# cli/app.py maps click.ClickException to exit 2, but this typer raises its vendored
# typer._click exceptions, which end up as an internal error (70). Remove the marks once fixed.
PG = '[targets.prod]\nurl = "postgresql://app@db.example/app"\n'


@pytest.fixture
def pg_project(mproject: Project) -> Project:
    mproject.write_config(PG)
    mproject.add("a1.py", migration("a1", None))
    return mproject


def test_clean_project_exits_0(pg_project: Project) -> None:
    result = dbctl(["check"], pg_project.root)
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_error_exits_1_with_a_code_frame(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    result = dbctl(["check"], pg_project.root)
    assert result.returncode == 1
    out = result.stdout
    assert "migrations/versions/b2.py" in out
    assert "DB203" in out and "index-not-concurrent" in out
    assert 'op.create_index("ix_user_email", "user", ["email"])' in out  # the code frame
    assert "help:" in out and "1 error" in out


def test_fail_on_decides_the_exit_code(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", DROP_COLUMN))
    assert dbctl(["check"], pg_project.root).returncode == 0  # a warning only
    pg_project.write_config(PG + '[lint]\nfail_on = "warning"\n')
    assert dbctl(["check"], pg_project.root).returncode == 1


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        ('[lint]\nselect = ["DB999"]\n', ["check"], "unknown rule code"),
        ("", ["check", "missing.py"], "no such file"),
        ("", ["check", "--format", "xml"], "xml"),
        ('[lint]\nstart_after = "nope"\n', ["check"], "start_after"),
    ],
)
def test_usage_and_config_errors_exit_2(pg_project: Project, config: str, args: list[str], message: str) -> None:
    pg_project.write_config(PG + config)
    result = dbctl(args, pg_project.root)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_json_format(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    result = dbctl(["check", "--format", "json"], pg_project.root)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["files_checked"] == 2
    (finding,) = data["findings"]
    assert finding == {
        "file": "migrations/versions/b2.py",
        "line": 10,
        "column": 5,
        "code": "DB203",
        "name": "index-not-concurrent",
        "severity": "error",
        "message": finding["message"],
        "help": finding["help"],
    }
    assert finding["message"] and finding["help"]


def test_github_format(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    pg_project.add("c3.py", migration("c3", "b2", DROP_COLUMN))
    result = dbctl(["check", "--format", "github"], pg_project.root)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=migrations/versions/b2.py,line=10,col=5,endLine=10,title=DB203 index-not-concurrent::"
    )
    assert any(line.startswith("::warning file=migrations/versions/c3.py,line=10,") for line in lines)
    assert all("\n" not in line for line in lines)


def test_sarif_format(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    result = dbctl(["check", "--format", "sarif"], pg_project.root)
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "dbctl"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == list(all_rules())
    for rule in driver["rules"]:
        assert {"id", "name", "shortDescription", "fullDescription", "help"} <= rule.keys()
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
    (res,) = run["results"]
    assert res["ruleId"] == "DB203" and res["level"] == "error" and res["message"]["text"]
    assert driver["rules"][res["ruleIndex"]]["id"] == "DB203"
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "migrations/versions/b2.py"
    assert location["region"]["startLine"] == 10 and location["region"]["startColumn"] == 5


def test_explicit_paths(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    pg_project.add("c3.py", migration("c3", "b2", DROP_COLUMN))
    result = dbctl(["check", "--format", "json", "migrations/versions/c3.py"], pg_project.root)
    data = json.loads(result.stdout)
    assert data["files_checked"] == 1
    assert {f["code"] for f in data["findings"]} == {"DB402"}


def test_rules_and_rule(mproject: Project) -> None:
    listed = json.loads(dbctl(["rules", "--format", "json"], mproject.root).stdout)
    assert {"code": "DB203", "name": "index-not-concurrent", "severity": "error", "dialects": ["postgresql"]} in listed
    assert len(listed) == len(all_rules())
    text = dbctl(["rules"], mproject.root)
    assert text.returncode == 0 and "DB101" in text.stdout and "missing-downgrade" in text.stdout
    doc = dbctl(["rule", "DB203"], mproject.root)
    assert doc.returncode == 0
    assert "**What it does**" in doc.stdout and "postgresql_concurrently=True" in doc.stdout
    unknown = dbctl(["rule", "DB999"], mproject.root)
    assert unknown.returncode == 2 and "unknown rule code" in unknown.stderr


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_since_lints_only_changed_files(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX))  # an old problem, committed
    git(pg_project.root, "init", "-q")
    git(pg_project.root, "add", ".")
    git(pg_project.root, "commit", "-q", "-m", "base")
    git(pg_project.root, "tag", "base")
    pg_project.add("c3.py", migration("c3", "b2", DROP_COLUMN))  # untracked
    result = dbctl(["check", "--since", "base", "--format", "json"], pg_project.root)
    data = json.loads(result.stdout)
    assert data["files_checked"] == 1
    assert [f["file"] for f in data["findings"]] == ["migrations/versions/c3.py"]
    git(pg_project.root, "add", ".")
    git(pg_project.root, "commit", "-q", "-m", "c3")
    changed = pg_project.versions / "a1.py"
    changed.write_text(changed.read_text() + "\n# touched\n", encoding="utf-8")
    data = json.loads(dbctl(["check", "--since", "HEAD", "--format", "json"], pg_project.root).stdout)
    assert data["files_checked"] == 1 and data["findings"] == []
    bad_ref = dbctl(["check", "--since", "no-such-ref"], pg_project.root)
    assert bad_ref.returncode == 2 and "unknown git revision" in bad_ref.stderr


def test_unknown_option_exits_2(pg_project: Project) -> None:
    assert dbctl(["check", "--no-such-option"], pg_project.root).returncode == 2


def test_since_outside_git_is_a_usage_error(pg_project: Project) -> None:
    ceiling = {"GIT_CEILING_DIRECTORIES": str(pg_project.root.parent)}
    result = dbctl(["check", "--since", "main"], pg_project.root, env=ceiling)
    assert result.returncode == 2 and "git repository" in result.stderr


def test_check_imports_neither_alembic_nor_sqlalchemy(pg_project: Project) -> None:
    pg_project.add("b2.py", migration("b2", "a1", BAD_INDEX + '\nop.execute("CREATE INDEX i ON t (a)")\n'))
    probe = textwrap.dedent(
        """
        import sys
        from dbctl.cli.app import run
        code = run(["check", "--format", "json"])
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("alembic", "sqlalchemy"))
        sys.stderr.write("LOADED=" + ",".join(loaded) + "\\n")
        sys.exit(code)
        """
    )
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=pg_project.root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stderr
    assert "LOADED=\n" in result.stderr, result.stderr
