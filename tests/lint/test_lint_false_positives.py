"""False-positive patterns found on real histories that a fixture file alone cannot state: a
rule's dialect scope, and the severity of a finding."""

from __future__ import annotations

import pytest
from lint_helpers import FIXTURES, Project, migration, project_config

from dbctl.config.model import LintConfig
from dbctl.lint.api import enabled_rules, lint_project
from dbctl.lint.sql import for_parser

MIXED = """
def upgrade():
    op.add_column("order", sa.Column("status", sa.String(20)))
    op.create_index("ix_order_status", "order", ["status"])


def downgrade():
    op.drop_index("ix_order_status", table_name="order")
    op.drop_column("order", "status")
"""


def test_db202_is_a_postgresql_rule(mproject: Project) -> None:
    sqlite = enabled_rules(mproject.config(lint=LintConfig(dialects=("sqlite",))))
    postgresql = enabled_rules(mproject.config(lint=LintConfig(dialects=("postgresql",))))
    assert "DB202" not in sqlite and "DB202" in postgresql
    mproject.add("r1.py", migration("r1", None, MIXED))
    on_sqlite = lint_project(mproject.config(lint=LintConfig(dialects=("sqlite",))))
    on_postgresql = lint_project(mproject.config(lint=LintConfig(dialects=("postgresql",))))
    assert not [f for f in on_sqlite.findings if f.code == "DB202"]
    assert [f.line for f in on_postgresql.findings if f.code == "DB202"] == [11]


def _severities(case: str, code: str) -> list[str]:
    path = FIXTURES / code / case
    report = lint_project(project_config(path.parent), paths=[path])
    return [f.severity for f in report.findings if f.code == code]


def test_db101_data_only_upgrade_is_an_info() -> None:
    assert _severities("fail_data_only_info.py", "DB101") == ["info"]
    assert _severities("fail_data_only_no_downgrade.py", "DB101") == ["info"]
    assert _severities("fail_schema_hidden_in_sql.py", "DB101") == ["error"]
    assert _severities("fail_pass_downgrade.py", "DB101") == ["error"]


@pytest.mark.parametrize(
    ("sql", "parsed"),
    [
        ("UPDATE t SET a = :a WHERE id = :id::int", "UPDATE t SET a = $1 WHERE id = $1 ::int"),
        ("UPDATE t SET b = :naïve", "UPDATE t SET b = $1     "),  # same length in UTF-8 bytes
        ("SELECT '10\\:30', x\\:\\:text, arr[1:2], '12:30'", "SELECT '10 :30', x  ::text, arr[1:2], '12:30'"),
        ("PRAGMA foreign_keys=OFF; -- é\nUPDATE t SET a = 1;", "                         -- é\nUPDATE t SET a = 1;"),
        ("SELECT ';pragma'; PRAGMA é", "SELECT ';pragma';          "),
        ("SELECT $$ ; pragma $$; /* c */ pragma x", "SELECT $$ ; pragma $$;                 "),
    ],
)
def test_for_parser_keeps_positions(sql: str, parsed: str) -> None:
    assert for_parser(sql) == parsed
    assert len(parsed.encode("utf-8")) == len(sql.encode("utf-8")) and parsed.count("\n") == sql.count("\n")
