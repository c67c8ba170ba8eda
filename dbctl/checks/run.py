"""The entry point: :func:`check_project`, the static lint plus the checks the options ask for.

What ``target`` means depends on the check:

* with ``drift``, the real database to compare with the models: only read, never upgraded;
  when it is not at head that is reported and nothing is compared;
* with ``roundtrip``, a scratch database that WILL be written: it must be empty, must not be
  protected, and is downgraded to base again when the round trip passes;
* always, the database whose applied revisions are checked against the ledger.

Without a target, drift and the round trip run on temporary SQLite files that are deleted
afterwards. Pure: never prints; progress goes to an optional callback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from dbctl.checks.context import CheckContext, Progress
from dbctl.checks.models import model_findings
from dbctl.config.model import ProjectConfig
from dbctl.errors import UsageError
from dbctl.lint.api import lint_project
from dbctl.lint.findings import Finding, LintReport
from dbctl.lint.registry import Rule, all_rules, expand_selectors

__all__ = ["CheckOptions", "check_project"]


@dataclass(frozen=True)
class CheckOptions:
    """Which checks beyond the static lint to run (see the module docstring for ``target``)."""

    models: bool = False
    drift: bool = False
    roundtrip: bool = False
    target: str | None = None

    def asks_for(self, option: str) -> bool:
        """Whether these options turn on the rules whose ``enabled_by`` is ``option``."""
        if option == "target":
            return self.target is not None
        return bool(getattr(self, option))

    def codes(self) -> list[str]:
        """The rule codes these options ask for."""
        return [code for code, rule in all_rules().items() if rule.check and self.asks_for(rule.enabled_by)]


def check_project(
    project: ProjectConfig,
    options: CheckOptions,
    *,
    paths: list[Path] | None = None,
    since: str | None = None,
    on_progress: Progress | None = None,
) -> LintReport:
    """The static lint of ``project`` plus the checks ``options`` ask for, in one report.

    :raises UsageError: ``drift`` and ``roundtrip`` with one ``target`` (it cannot be both the
        database to check and a scratch database); a protected or non-empty scratch target.
    :raises ConfigError: no ``metadata`` configured for ``models`` or ``drift``; a model module
        that cannot be imported; an unknown target.
    :raises ConnectionFailed: the target cannot be reached.
    :raises MigrationFailed: the migrations fail on the scratch database while preparing drift.
    """
    if options.drift and options.roundtrip and options.target is not None:
        raise UsageError(
            "--drift and --roundtrip cannot share -t: for --drift it is the database to check, "
            "for --roundtrip a scratch database that gets written",
            hint="run them separately: `dbctl check --drift -t T` and `dbctl check --roundtrip -t SCRATCH`",
        )
    progress = on_progress or (lambda message: None)
    if options.roundtrip and options.target is not None:
        from dbctl.alembic_bridge.scratch import require_scratch
        from dbctl.targets import resolve_target

        require_scratch(resolve_target(project, options.target))  # before anything connects to it
    report = lint_project(project, paths=paths, since=since)
    rules = all_rules()
    allowed = _allowed(project, options.codes())
    for code in options.codes():
        if code not in allowed:
            progress(f"{code} ({rules[code].name}) is in [lint] ignore: not checked")
    findings = _run(CheckContext(project, options, progress), [rules[code] for code in sorted(allowed)])
    return replace(
        report,
        findings=tuple(sorted((*report.findings, *findings), key=lambda f: (f.file, f.line, f.column, f.code))),
        rules=tuple(sorted(set(report.rules) | allowed)),
    )


def _run(context: CheckContext, asked: list[Rule]) -> list[Finding]:
    """Run the ``asked`` rules: the target's state first (an unreachable target fails before
    anything else runs), then the model rules on one import of the models, then the rest."""
    if context.options.target is not None and any(rule.reads_target for rule in asked):
        context.read_state()
    findings: list[Finding] = []
    model_rules = [rule.code for rule in asked if rule.check == "models"]
    if model_rules:
        metadata, sources = context.models()
        source = context.project.metadata or "the target_metadata of env.py"
        context.progress(f"models: checking {source}")
        severity = context.project.lint.severity
        findings += model_findings(metadata, sources.files, model_rules, severity, context.texts)
    for rule in asked:
        if rule.check == "database":
            findings.extend(rule.check_database(context))
    return findings


def _allowed(project: ProjectConfig, codes: Iterable[str]) -> set[str]:
    """The asked-for ``codes`` minus those ``[lint] ignore`` turns off. The flags are what opts
    these rules in, so ``select`` (which picks among the static rules) does not narrow them."""
    prefix = "tool.dbctl." if project.in_pyproject else ""
    return set(codes) - expand_selectors(project.lint.ignore, f"{project.display_path}: {prefix}lint.ignore")
