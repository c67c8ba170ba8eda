"""The linter's boundaries: static only, rule logic only in rule modules."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from lint_helpers import REPO, Project, migration

PACKAGE = REPO / "dbctl"
DATABASE_MODULES = ("sqlalchemy", "alembic", "dbctl.alembic_bridge", "dbctl.checks")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_lint_imports_no_database_code() -> None:
    offenders = []
    for path in sorted((PACKAGE / "lint").rglob("*.py")):
        for name in _imported_modules(path):
            if any(name == m or name.startswith(m + ".") for m in DATABASE_MODULES):
                offenders.append(f"{path.relative_to(REPO)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_linting_loads_no_database_code_even_with_every_rule_listed(tmp_path: Path) -> None:
    project = Project(tmp_path)
    project.add("a1.py", migration("a1", None, 'def upgrade():\n    op.execute("CREATE INDEX i ON t (a)")\n'))
    probe = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from dbctl.config.loader import load_config
        from dbctl.lint.api import lint_project
        from dbctl.lint.registry import all_rules
        assert any(rule.check == "database" for rule in all_rules().values())
        report = lint_project(load_config(Path("dbctl.toml")))
        assert report.findings
        prefixes = {DATABASE_MODULES!r}
        loaded = sorted(
            m for m in sys.modules
            if any(m == p or m.startswith(p + ".") for p in prefixes) and not m.startswith("dbctl.checks.rules")
        )
        print(",".join(loaded))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False, env=_env()
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("", "dbctl.checks"), result.stdout


def _env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_rule_codes_are_spelled_only_in_rule_modules() -> None:
    """Rule logic lives in its rule: no other module of the package names a rule's code."""
    literal = re.compile(r"""["']DB\d{3}""")
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        inside_rules = path.parent.name == "rules" and path.name.startswith("db")
        if inside_rules:
            own = path.name[:5].upper()
            others = {m.group(0)[1:] for m in literal.finditer(path.read_text(encoding="utf-8"))} - {own}
            offenders += [f"{path.relative_to(REPO)} spells {code}" for code in sorted(others)]
        elif literal.search(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(REPO)} spells a rule code")
    assert not offenders, "\n".join(offenders)


def test_modules_stay_small() -> None:
    for package in ("lint", "checks"):
        for path in (PACKAGE / package).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").count("\n")
            assert lines <= 400, f"{path.relative_to(REPO)} has {lines} lines"
