"""The engine: suppressions, configuration, dialect scoping, robustness."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from lint_helpers import Project, migration

from dbctl.config.model import LintConfig
from dbctl.errors import ConfigError, UsageError
from dbctl.lint import workers
from dbctl.lint.api import enabled_rules, lint_project
from dbctl.lint.workers import MIN_FILES_PER_JOB

INDEX_BODY = """
def upgrade():
    op.create_index("ix_user_email", "user", ["email"]){comment}


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
"""


PG = LintConfig(dialects=("postgresql",))


def codes(report) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in report.findings]


def test_line_suppression(mproject: Project) -> None:
    mproject.add("a1.py", migration("a1", None, INDEX_BODY.format(comment="  # dbctl: ignore[DB203]")))
    assert codes(lint_project(mproject.config())) == []


def test_suppression_on_the_with_line(mproject: Project) -> None:
    mproject.add(
        "a1.py",
        migration(
            "a1",
            None,
            """
        def upgrade():
            with op.batch_alter_table("user") as batch_op:  # dbctl: ignore[DB202, DB203, DB402]
                batch_op.create_index("ix_user_email", ["email"])
                batch_op.drop_column("legacy")


        def downgrade():
            with op.batch_alter_table("user") as batch_op:
                batch_op.add_column(sa.Column("legacy", sa.String()))
                batch_op.drop_index("ix_user_email")
    """,
        ),
    )
    assert codes(lint_project(mproject.config())) == []


def test_suppression_on_the_last_line_of_a_multiline_call(mproject: Project) -> None:
    mproject.add(
        "a1.py",
        migration(
            "a1",
            None,
            """
        def upgrade():
            op.create_index(
                "ix_user_email", "user", ["email"]
            )  # dbctl: ignore[DB203]


        def downgrade():
            op.drop_index("ix_user_email", table_name="user")
    """,
        ),
    )
    assert codes(lint_project(mproject.config())) == []


def test_file_suppression(mproject: Project) -> None:
    text = "# dbctl: ignore-file[DB203]\n" + migration("a1", None, INDEX_BODY.format(comment=""))
    mproject.add("a1.py", text)
    assert codes(lint_project(mproject.config())) == []


def test_suppression_of_another_code_does_not_hide_and_is_reported(mproject: Project) -> None:
    path = mproject.add("a1.py", migration("a1", None, INDEX_BODY.format(comment="  # dbctl: ignore[DB402]")))
    report = lint_project(mproject.config(lint=PG))
    assert sorted(codes(report)) == [("DB001", 10), ("DB203", 10)]
    unused = next(f for f in report.findings if f.code == "DB001")
    assert unused.severity == "info"
    assert unused.column == path.read_text().splitlines()[9].index("#") + 1


def test_suppression_inside_a_string_is_not_a_suppression(mproject: Project) -> None:
    mproject.add(
        "a1.py",
        migration(
            "a1",
            None,
            """
        def upgrade():
            op.create_index("ix # dbctl: ignore[DB203]", "user", ["email"])


        def downgrade():
            op.drop_index("ix # dbctl: ignore[DB203]", table_name="user")
    """,
        ),
    )
    assert codes(lint_project(mproject.config(lint=PG))) == [("DB203", 10)]


def test_suppression_of_a_disabled_rule_is_not_reported(mproject: Project) -> None:
    mproject.add("a1.py", migration("a1", None, INDEX_BODY.format(comment="  # dbctl: ignore[DB103]")))
    config = mproject.config(targets={"dev": "postgresql://localhost/app"})  # DB103 is SQLite-only
    assert codes(lint_project(config)) == [("DB203", 10)]


def test_select_ignore_and_prefixes(mproject: Project) -> None:
    mproject.add(
        "a1.py",
        migration(
            "a1",
            None,
            """
        def upgrade():
            op.create_index("ix_user_email", "user", ["email"])
            op.drop_column("user", "legacy")


        def downgrade():
            pass
    """,
        ),
    )
    everything = {c for c, _ in codes(lint_project(mproject.config(lint=PG)))}
    assert {"DB101", "DB202", "DB203", "DB402"} <= everything
    only_db2 = lint_project(mproject.config(lint=LintConfig(select=("DB2",), dialects=("postgresql",))))
    assert {c for c, _ in codes(only_db2)} == {"DB202", "DB203"}
    ignored = lint_project(mproject.config(lint=LintConfig(ignore=("DB203", "DB1"), dialects=("postgresql",))))
    assert {c for c, _ in codes(ignored)} == {"DB202", "DB402"}


def test_severity_override_and_fail_on(mproject: Project) -> None:
    mproject.add(
        "a1.py",
        migration(
            "a1",
            None,
            """
        def upgrade():
            op.drop_column("user", "legacy")


        def downgrade():
            op.add_column("user", sa.Column("legacy", sa.String()))
    """,
        ),
    )
    pg = {"prod": "postgresql://localhost/app"}
    report = lint_project(mproject.config(targets=pg))
    assert [(f.code, f.severity) for f in report.findings] == [("DB402", "warning")]
    assert not report.failed
    assert lint_project(mproject.config(targets=pg, lint=LintConfig(fail_on="warning"))).failed
    raised = lint_project(mproject.config(targets=pg, lint=LintConfig(severity={"DB402": "error"})))
    assert [f.severity for f in raised.findings] == ["error"] and raised.failed


@pytest.mark.parametrize(
    ("lint", "key"),
    [
        (LintConfig(select=("DB999",)), "lint.select"),
        (LintConfig(ignore=("XX1",)), "lint.ignore"),
        (LintConfig(severity={"DB998": "error"}), "lint.severity.DB998"),
    ],
)
def test_unknown_codes_in_config_are_config_errors(mproject: Project, lint: LintConfig, key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        lint_project(mproject.config(lint=lint))


def test_dialect_scoping(mproject: Project) -> None:
    sqlite = enabled_rules(mproject.config(targets={"dev": "sqlite:///dev.db"}))
    assert "DB103" in sqlite and "DB203" not in sqlite and "DB402" in sqlite
    pg = enabled_rules(mproject.config(targets={"prod": "postgresql+psycopg://u:p@h/db"}))
    assert "DB203" in pg and "DB103" not in pg
    unknown = enabled_rules(mproject.config(targets={"prod": "${DBCTL_TEST_SURELY_UNSET_URL}"}))
    assert not {"DB103", "DB203"} & unknown and "DB402" in unknown  # no dialect known: neutral rules only
    forced = enabled_rules(
        mproject.config(targets={"dev": "sqlite:///dev.db"}, lint=LintConfig(dialects=("postgres",)))
    )
    assert "DB203" in forced and "DB103" not in forced


def test_start_after_lints_only_later_revisions(mproject: Project) -> None:
    bad = """
        def upgrade():
            op.drop_column("user", "c_{0}")


        def downgrade():
            op.add_column("user", sa.Column("c_{0}", sa.String()))
    """
    mproject.add("a1.py", migration("a1", None, bad.format("a")))
    mproject.add("b2.py", migration("b2", "a1", bad.format("b")))
    mproject.add("c3.py", migration("c3", "b2", bad.format("c")))
    report = lint_project(mproject.config(lint=LintConfig(start_after="b2", select=("DB402",))))
    assert [Path(f.file).name for f in report.findings] == ["c3.py"]
    assert report.files_checked == 1
    with pytest.raises(ConfigError, match="start_after"):
        lint_project(mproject.config(lint=LintConfig(start_after="zzz")))


def test_start_after_still_checks_the_whole_graph(mproject: Project) -> None:
    mproject.add("a1.py", migration("a1", None))
    mproject.add("b2.py", migration("b2", "a1"))
    mproject.add("x9.py", migration("x9", "a1"))  # an old second head
    report = lint_project(mproject.config(lint=LintConfig(start_after="b2")))
    assert sorted(Path(f.file).name for f in report.findings if f.code == "DB501") == ["b2.py", "x9.py"]


def test_non_utf8_and_syntax_errors_are_findings(mproject: Project) -> None:
    (mproject.versions / "latin1.py").write_bytes(b'revision = "a1"\ndown_revision = None\n# caf\xe9\n')
    mproject.add("broken.py", 'revision = "b2"\ndown_revision = None\n\ndef upgrade(:\n    pass\n')
    report = lint_project(mproject.config())
    found = {(Path(f.file).name, f.code, f.line) for f in report.findings}
    assert ("latin1.py", "DB505", 3) in found
    assert ("broken.py", "DB505", 4) in found


def test_imports_of_missing_packages_do_not_matter(mproject: Project) -> None:
    text = migration("a1", None).replace("import sqlalchemy as sa\n", "import sqlalchemy as sa\nimport not_installed\n")
    mproject.add("a1.py", text)
    assert lint_project(mproject.config()).findings == ()


def test_init_and_non_python_files_are_skipped(mproject: Project) -> None:
    (mproject.versions / "__init__.py").write_text("this is not python(", encoding="utf-8")
    (mproject.versions / "notes.txt").write_text("hello", encoding="utf-8")
    mproject.add("a1.py", migration("a1", None))
    report = lint_project(mproject.config())
    assert report.files_checked == 1 and report.findings == ()


def test_version_locations_replace_the_default(mproject: Project, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "a1.py").write_text(migration("a1", None, INDEX_BODY.format(comment="")), encoding="utf-8")
    mproject.add("ignored.py", "not python(")
    report = lint_project(mproject.config(lint=PG, version_locations=(other,)))
    assert [(Path(f.file).name, f.code) for f in report.findings] == [("a1.py", "DB203")]


def test_missing_path_and_missing_versions_directory(tmp_path: Path) -> None:
    from lint_helpers import project_config

    config = project_config(tmp_path)
    with pytest.raises(ConfigError, match="versions"):
        lint_project(config)
    with pytest.raises(UsageError, match="no such file"):
        lint_project(config, paths=[tmp_path / "nope.py"])


def test_parallel_and_serial_runs_agree_and_leave_gc_alone(mproject: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object) -> None:
        raise AssertionError("library code changed process-wide state")

    down = None
    count = 2 * MIN_FILES_PER_JOB  # enough for two jobs
    for i in range(count):
        body = INDEX_BODY.format(comment="") if i % 3 == 0 else ""
        mproject.add(f"r{i:04d}.py", migration(f"r{i:04d}", down, body.replace("ix_user_email", f"ix_{i}")))
        down = f"r{i:04d}"
    monkeypatch.setattr(gc, "disable", forbidden)
    monkeypatch.setenv("DBCTL_LINT_JOBS", "1")
    serial = lint_project(mproject.config(lint=PG))
    monkeypatch.setenv("DBCTL_LINT_JOBS", "2")
    assert workers.jobs(count) == 2  # the parallel path really runs
    parallel = lint_project(mproject.config(lint=PG))
    assert serial == parallel
    assert serial.files_checked == count and len(serial.findings) == len(range(0, count, 3))
    assert gc.isenabled()
