"""`check` in its four formats, `rules` and `rule`, rendered from real reports and real rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbctl import api
from dbctl.lint.findings import Finding, LintReport
from dbctl.output import render
from dbctl.results import RevisionResult
from tests.output.conftest import make_terminal

SOURCE = 'def upgrade():\n    op.create_index("ix_user_email", "user", ["email"])\n'


@pytest.fixture
def report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LintReport:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "versions").mkdir()
    (tmp_path / "versions" / "b2.py").write_text(SOURCE)
    finding = Finding(
        str(tmp_path / "versions" / "b2.py"),
        2,
        5,
        "DB203",
        "index-not-concurrent",
        "error",
        "CREATE INDEX locks [writes]",
        help="use postgresql_concurrently=True",
    )
    warning = Finding(
        str(tmp_path / "versions" / "b2.py"), 1, 1, "DB101", "missing-downgrade", "warning", "no downgrade"
    )
    return LintReport(files_checked=3, findings=(finding, warning))


def test_text_has_a_code_frame_and_counts(report: LintReport) -> None:
    term = make_terminal()
    render(report, "text", term.terminal)
    assert term.out.splitlines() == [
        "versions/b2.py",
        "2:5 error DB203 index-not-concurrent  CREATE INDEX locks [writes]",
        '  > 2 │     op.create_index("ix_user_email", "user", ["email"])',
        "      │     ^",
        "  help: use postgresql_concurrently=True",
        "1:1 warning DB101 missing-downgrade  no downgrade",
        "  > 1 │ def upgrade():",
        "      │ ^",
        "",
        "Found 2 problems (1 error, 1 warning, 0 info) in 3 file(s) checked.",
    ]


def test_text_without_findings() -> None:
    term = make_terminal()
    render(LintReport(files_checked=4, findings=()), "text", term.terminal)
    assert term.out == "✓ no problems in 4 file(s)\n"


def test_json_relative_paths(report: LintReport) -> None:
    term = make_terminal()
    render(report, "json", term.terminal)
    data = json.loads(term.out)
    assert data["files_checked"] == 3
    assert data["findings"][0] == {
        "file": "versions/b2.py",
        "line": 2,
        "column": 5,
        "code": "DB203",
        "name": "index-not-concurrent",
        "severity": "error",
        "message": "CREATE INDEX locks [writes]",
        "help": "use postgresql_concurrently=True",
    }


def test_github_annotations(report: LintReport) -> None:
    term = make_terminal()
    render(report, "github", term.terminal)
    assert term.out.splitlines()[0] == (
        "::error file=versions/b2.py,line=2,col=5,endLine=2,title=DB203 index-not-concurrent"
        "::CREATE INDEX locks [writes]%0Ahelp: use postgresql_concurrently=True"
    )


def test_sarif_names_every_rule_and_points_at_the_rule(report: LintReport) -> None:
    term = make_terminal()
    render(report, "sarif", term.terminal)
    run = json.loads(term.out)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    result = run["results"][0]
    assert [r["id"] for r in rules] == [rule.code for rule in api.rules()]
    assert rules[result["ruleIndex"]]["id"] == "DB203" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "versions/b2.py",
        "uriBaseId": "%SRCROOT%",
    }


def test_rules_table_and_json() -> None:
    term = make_terminal(width=200)
    render(api.rules(), "text", term.terminal)
    lines = term.out.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "dialects", "summary"]
    assert any(line.startswith("DB203") and "index-not-concurrent" in line for line in lines)
    as_json = make_terminal()
    render(api.rules(), "json", as_json.terminal)
    db203 = next(r for r in json.loads(as_json.out) if r["code"] == "DB203")
    assert db203 == {"code": "DB203", "name": "index-not-concurrent", "severity": "error", "dialects": ["postgresql"]}


def test_rule_doc_off_a_terminal_is_the_plain_docstring() -> None:
    term = make_terminal()
    rule = api.rule_doc("DB203")
    render(rule, "text", term.terminal)
    assert term.out == f"DB203 index-not-concurrent (error; postgresql)\n\n{rule.doc}\n"


def test_new_revision_with_findings_warns_on_stderr(report: LintReport) -> None:
    term = make_terminal()
    render(RevisionResult("versions/b2.py", "b2", "add index", lint=report), "text", term.terminal)
    assert term.out == "versions/b2.py\n"
    err = term.err.splitlines()
    assert err[:3] == [
        "✓ wrote revision b2: add index",
        "warning: `dbctl check` has 2 finding(s) on the new revision:",
        "versions/b2.py",
    ]
    assert err[-1] == "Found 2 problems (1 error, 1 warning, 0 info) in 3 file(s) checked."
