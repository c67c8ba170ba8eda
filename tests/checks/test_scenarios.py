"""DB8xx scenarios, end to end: each fixtures/DB8xx/<case>/ project is written out, pointed at a
fresh SQLite file or PostgreSQL database, and checked through the real CLI. Every finding of the
scenario's code must sit where a `# expect: CODE` comment says; a pass_* case has none."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from dbctl.lint.registry import all_rules
from tests.checks.conftest import FIXTURES, Database, cases, expectations, write_scenario


def _drift(root: Path, db: Database, run_dbctl) -> object:
    """SQLite: the migrations on a temporary scratch file. PostgreSQL: the real database at head."""
    if not db.is_pg:
        return run_dbctl("check", "--drift", "--format", "json", cwd=root)
    up = run_dbctl("upgrade", "head", cwd=root)
    assert up.code == 0, up
    return run_dbctl("check", "--drift", "-t", "db", "--format", "json", cwd=root)


def _roundtrip(root: Path, db: Database, run_dbctl) -> object:
    """SQLite: a temporary scratch file. PostgreSQL: the empty database as the scratch target."""
    if not db.is_pg:
        return run_dbctl("check", "--roundtrip", "--format", "json", cwd=root)
    return run_dbctl("check", "--roundtrip", "-t", "db", "--format", "json", cwd=root)


def _modified(root: Path, db: Database, run_dbctl) -> object:
    """Apply everything, then (fail_* cases) edit the applied files, then check the target."""
    up = run_dbctl("upgrade", "head", cwd=root)
    assert up.code == 0, up
    if root.name.startswith("fail_"):
        for path in (root / "migrations" / "versions").glob("*.py"):
            path.write_text(path.read_text() + "\n# edited after it was applied\n")
    return run_dbctl("check", "-t", "db", "--format", "json", cwd=root)


RUNNERS: dict[str, Callable] = {"DB801": _drift, "DB802": _roundtrip, "DB803": _modified}
SCENARIOS = [case for code in sorted(RUNNERS) for case in cases(code)]


def test_every_database_rule_has_a_runner() -> None:
    database_rules = {code for code, rule in all_rules().items() if rule.check == "database"}
    assert database_rules == set(RUNNERS)
    assert {p.name for p in FIXTURES.iterdir() if p.name.startswith("DB8")} == set(RUNNERS)


@pytest.mark.parametrize("case", SCENARIOS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenario(case: Path, database: Database, tmp_path: Path, run_dbctl) -> None:
    code = case.parent.name
    root = write_scenario(case, tmp_path / case.name, database.url)
    expected = {e for e in expectations(root) if e[0] == code}
    result = RUNNERS[code](root, database, run_dbctl)
    found = {(f["code"], f["file"], f["line"]) for f in json.loads(result.stdout)["findings"] if f["code"] == code}
    if case.name.startswith("fail_"):
        assert expected, f"{case.name} states no `# expect:` finding"
        assert result.code == 1, result
    else:
        assert not expected, "a pass case expects nothing"
    assert found == expected, result
