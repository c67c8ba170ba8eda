"""Every rule's failing and passing cases under fixtures/<CODE>/, run by one parametrised test.

Convention: a fixture line ending in ``# expect: DB203`` expects that finding on that line;
``# expect: DB304@16`` expects it on line 16 (for findings inside a multi-line string). A
``fail_*`` case must list at least one expectation; a ``pass_*`` case must produce no finding
of its rule. Files in fixtures/<CODE>/context/ are part of the revision graph (for the DB5xx
rules) but are not checked themselves. Every rule runs (``[lint] dialects`` names both).

Model and database rules (``Rule.check`` set: DB7xx, DB8xx) have no migration file to lint:
their ``fail_*`` / ``pass_*`` cases live in tests/checks/fixtures/<CODE>/ (model modules, and
scenario projects run end to end) and tests/checks runs them. The meta-test below holds every
rule, of either kind, to having both kinds of case and its documentation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lint_helpers import FIXTURES, project_config

from dbctl.config.model import LintConfig
from dbctl.lint.api import lint_project
from dbctl.lint.registry import DOC_SECTIONS, all_rules, rule_modules

CHECK_FIXTURES = Path(__file__).resolve().parents[1] / "checks" / "fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(DB\d{3})(?:@(\d+))?")
EVERY_DIALECT = LintConfig(dialects=("postgresql", "sqlite"))
SQL_CODES = {code for code in all_rules() if code[2] in "234"}  # what DB601 reports under


def expectations(path: Path) -> set[tuple[str, int]]:
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for code, at in EXPECT.findall(line):
            found.add((code, int(at) if at else number))
    return found


CASES = sorted(p for p in FIXTURES.glob("DB*/*.py") if p.name.startswith(("fail_", "pass_")))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(case: Path, tmp_path: Path) -> None:
    code = case.parent.name
    context = case.parent / "context"
    config = project_config(tmp_path, lint=EVERY_DIALECT, version_locations=(context,) if context.is_dir() else ())
    report = lint_project(config, paths=[case])
    expected = expectations(case)
    relevant = {code} | {c for c, _ in expected} | (SQL_CODES if code == "DB601" else set())
    found = {(f.code, f.line) for f in report.findings if f.file == str(case.resolve()) and f.code in relevant}
    if case.name.startswith("fail_"):
        assert expected, f"{case.name} states no `# expect:` finding"
    else:
        assert not expected, "a pass case expects nothing"
    assert found == expected


def case_dir(code: str) -> Path:
    """Where the cases of a rule live: tests/lint/fixtures/<CODE> for rules that lint migration
    files, tests/checks/fixtures/<CODE> for model and database rules."""
    return (CHECK_FIXTURES if all_rules()[code].check else FIXTURES) / code


def test_every_rule_has_cases_and_documentation() -> None:
    problems = []
    for code, rule in all_rules().items():
        cases = case_dir(code)
        # a model case is a module; a database case is a scenario project (a directory)
        names = [p.name for p in cases.glob("*") if p.suffix == ".py" or (rule.check and p.is_dir())]
        if not any(n.startswith("fail_") for n in names):
            problems.append(f"{code}: no fail_* case in {cases}")
        if not any(n.startswith("pass_") for n in names):
            problems.append(f"{code}: no pass_* case in {cases}")
        doc = rule.doc
        if not doc or doc.startswith("**"):
            problems.append(f"{code}: no summary line")
        positions = [doc.find(section) for section in DOC_SECTIONS]
        for section, position in zip(DOC_SECTIONS, positions, strict=True):
            if position < 0 or not rule.section(section.strip("*")):
                problems.append(f"{code}: missing or empty section {section}")
        if positions != sorted(positions):
            problems.append(f"{code}: sections out of order")
        if not re.fullmatch(r"DB\d{3}", code) or not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name):
            problems.append(f"{code}: bad code or name {rule.name!r}")
        if rule.severity not in ("info", "warning", "error"):
            problems.append(f"{code}: bad severity {rule.severity!r}")
    assert not problems, "\n".join(problems)


def test_one_module_per_rule() -> None:
    """Static rules live in dbctl.lint.rules; rules that need the models or a database (``check``
    set) in dbctl.checks.rules; each module is named after its rule's code."""
    rules = all_rules()
    modules = list(rule_modules())
    assert len(modules) == len(rules)
    for module in modules:
        package, _, name = module.rpartition(".")
        rule = rules[name[:5].upper()]
        assert type(rule).__module__ == module
        assert package == ("dbctl.checks.rules" if rule.check else "dbctl.lint.rules"), module


def test_names_are_unique() -> None:
    names = [rule.name for rule in all_rules().values()]
    assert len(names) == len(set(names))


def test_brief_named_rules_are_exact() -> None:
    rules = all_rules()
    assert (rules["DB101"].name, rules["DB101"].severity) == ("missing-downgrade", "error")
    assert (rules["DB103"].name, rules["DB103"].severity, rules["DB103"].dialects) == (
        "non-batch-alter",
        "error",
        ("sqlite",),
    )
    assert rules["DB201"].name == "inline-column-index"
    assert rules["DB202"].name == "index-mixed-with-schema-changes"
    assert (rules["DB203"].name, rules["DB203"].dialects) == ("index-not-concurrent", ("postgresql",))
    assert rules["DB204"].name == "concurrent-index-in-transaction"
