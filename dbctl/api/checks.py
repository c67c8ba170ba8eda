"""`dbctl check` and its rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dbctl.config.model import ProjectConfig
from dbctl.errors import UsageError

if TYPE_CHECKING:  # the results are imported where they are made: `dbctl check` never needs most
    from dbctl.lint.findings import LintReport
    from dbctl.lint.registry import Rule
    from dbctl.results import (
        RuleList,
    )


def check(
    project: ProjectConfig,
    paths: list[Path] | None = None,
    *,
    since: str | None = None,
    models: bool = False,
    drift: bool = False,
    roundtrip: bool = False,
    target: str | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> LintReport:
    """Lint the migrations statically (never imported, no Alembic, no SQLAlchemy), plus, when asked,
    the model rules (``models``), drift between the models and the migrated schema (``drift``), the
    round trip (``roundtrip``) and, with a ``target``, applied revisions whose files changed since
    (``on_progress`` hears those checks). ``report.failed``: anything at ``[lint] fail_on``?"""
    if not (models or drift or roundtrip or target is not None):
        from dbctl.lint.api import lint_project

        return lint_project(project, paths=paths, since=since)
    from dbctl.checks import CheckOptions, check_project

    options = CheckOptions(models=models, drift=drift, roundtrip=roundtrip, target=target)
    return check_project(project, options, paths=paths, since=since, on_progress=on_progress)


def rules() -> RuleList:
    """Every lint rule, in code order."""
    from dbctl.lint.registry import all_rules
    from dbctl.results import RuleList

    return RuleList(tuple(all_rules().values()))


def rule_doc(code: str) -> Rule:
    """The rule with ``code`` (case-insensitive) or that name; ``rule.doc`` is its documentation.
    :raises UsageError: no such rule (the hint names the closest code)."""
    import difflib

    from dbctl.lint.registry import all_rules, get_rule

    found = get_rule(code) or next((rule for rule in all_rules().values() if rule.name == code), None)
    if found is None:
        close = difflib.get_close_matches(code.upper(), list(all_rules()), n=1)
        hint = f"did you mean {close[0]}?" if close else "`dbctl rules` lists the known codes"
        raise UsageError(f"unknown rule code '{code}'", hint=hint)
    return found
