"""Revision-graph checks across files, and literal SQL analysed with PostgreSQL's parser."""

from __future__ import annotations

from pathlib import Path

from lint_helpers import Project, migration

from dbctl.config.model import LintConfig
from dbctl.lint.api import lint_project
from dbctl.lint.engine import Linter
from dbctl.lint.graph import revisions_after
from dbctl.lint.parse import RevisionInfo

GRAPH = LintConfig(select=("DB5",))


def graph_findings(mproject: Project) -> set[tuple[str, str, int]]:
    report = lint_project(mproject.config(lint=GRAPH))
    return {(Path(f.file).name, f.code, f.line) for f in report.findings}


def test_two_heads_point_at_each_revision_line(mproject: Project) -> None:
    mproject.add("a.py", migration("a", None))
    mproject.add("b.py", migration("b", "a"))
    mproject.add("c.py", migration("c", "a"))
    assert graph_findings(mproject) == {("b.py", "DB501", 5), ("c.py", "DB501", 5)}
    mproject.add("m.py", migration("m", ("b", "c")))
    assert graph_findings(mproject) == set()


def test_unknown_parent_duplicate_and_cycle(mproject: Project) -> None:
    mproject.add("a.py", migration("a", None))
    mproject.add("b.py", migration("b", "gone"))
    mproject.add("b_copy.py", migration("b", "a"))
    found = graph_findings(mproject)
    assert ("b.py", "DB502", 6) in found
    assert ("b_copy.py", "DB503", 5) in found


def test_cycle(mproject: Project) -> None:
    mproject.add("root.py", migration("root", None))
    mproject.add("x.py", migration("x", "y"))
    mproject.add("y.py", migration("y", "x"))
    found = graph_findings(mproject)
    assert {("x.py", "DB504", 6), ("y.py", "DB504", 6)} <= found


def test_depends_on_may_name_a_branch_label(mproject: Project) -> None:
    mproject.add("a.py", migration("a", None, branch_labels='("auth",)'))
    mproject.add("b.py", migration("b", "a", depends_on='"auth"'))
    assert graph_findings(mproject) == set()


def test_long_chains_do_not_recurse() -> None:
    infos = [RevisionInfo(f"{i}.py", f"r{i}", down_revisions=(f"r{i - 1}",) if i else ()) for i in range(5000)]
    assert Linter({"DB501", "DB502", "DB503", "DB504"}).graph_findings(infos, {}) == []
    assert revisions_after(infos, "r4990") == {f"r{i}" for i in range(4991, 5000)}
    assert revisions_after(infos, "nope") is None


SQL = LintConfig(select=("DB2", "DB3", "DB4", "DB6"), ignore=("DB202",), dialects=("postgresql",))


def sql_findings(mproject: Project, body: str) -> list[tuple[str, int]]:
    mproject.add("a1.py", migration("a1", None, body + "\n\ndef downgrade():\n    pass\n"))
    report = lint_project(mproject.config(lint=SQL))
    return [(f.code, f.line) for f in report.findings]


def test_sql_hazards_get_the_inner_rules_code(mproject: Project) -> None:
    body = """
def upgrade():
    op.execute("ALTER TABLE users ADD COLUMN active boolean NOT NULL")
    op.execute("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()")
    op.execute("ALTER TABLE users ADD CONSTRAINT ck CHECK (age > 0)")
    op.execute("ALTER TABLE users ALTER COLUMN age TYPE bigint")
    op.execute("ALTER TABLE users RENAME TO people")
    op.execute("DROP INDEX ix_old")
    op.execute("ALTER TABLE users ADD CONSTRAINT uq UNIQUE (email)")"""
    assert sql_findings(mproject, body) == [
        ("DB401", 10),
        ("DB305", 11),
        ("DB302", 12),
        ("DB306", 13),
        ("DB405", 14),
        ("DB205", 15),
        ("DB303", 16),
    ]


def test_safe_sql_and_tables_created_in_the_same_migration(mproject: Project) -> None:
    body = """
def upgrade():
    op.create_table("tag", sa.Column("id", sa.Integer))
    op.execute("CREATE INDEX ix_tag ON tag (id)")
    op.execute("ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE users ADD CONSTRAINT ck CHECK (age > 0) NOT VALID")
    op.execute("SELECT 1; UPDATE users SET a = 1")"""
    assert sql_findings(mproject, body) == []


def test_unanalysable_sql_is_info_never_a_guess(mproject: Project) -> None:
    body = """
def upgrade():
    name = "ix"
    op.execute("CREATE INDEX %s ON users (a)" % name)
    op.execute("CREATE INDEX {} ON users (a)".format(name))
    op.execute(name)
    op.execute("CREATE INDEX ON users (a) USING nonsense nonsense")"""
    found = sql_findings(mproject, body)
    assert found == [("DB602", 11), ("DB602", 12), ("DB602", 13), ("DB602", 14)]
    report = lint_project(mproject.config(lint=SQL))
    assert {f.severity for f in report.findings} == {"info"}


def test_sql_analysis_can_be_switched_off(mproject: Project) -> None:
    body = 'def upgrade():\n    op.execute("DROP TABLE t")\n\n\ndef downgrade():\n    pass\n'
    mproject.add("a1.py", migration("a1", None, body))
    assert lint_project(mproject.config(lint=LintConfig(select=("DB403",)))).findings == ()
    assert [f.code for f in lint_project(mproject.config(lint=LintConfig(select=("DB403", "DB601")))).findings] == [
        "DB403"
    ]
