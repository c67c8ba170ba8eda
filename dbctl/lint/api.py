"""The public entry point of the linter: :func:`lint_project`. Pure: never prints."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError
from dbctl.lint.dialects import DialectScope, decide_dialects
from dbctl.lint.engine import FileResult, Linter
from dbctl.lint.files import changed_since, expand_paths, migration_files
from dbctl.lint.findings import Finding, LintReport
from dbctl.lint.graph import revisions_after
from dbctl.lint.registry import Rule, all_rules, expand_selectors
from dbctl.lint.workers import lint_files

__all__ = ["dialect_scope", "enabled_rules", "lint_project", "migration_files"]


def lint_project(project: ProjectConfig, paths: list[Path] | None = None, since: str | None = None) -> LintReport:
    """Lint the migrations of ``project`` and check its revision graph.

    :param project: the loaded configuration; its ``[lint]`` table selects rules, severities,
        dialects, ``start_after`` and ``fail_on``.
    :param paths: files or directories to lint instead of every file in the versions
        directories (the revision graph still covers all of them, plus these).
    :param since: a git ref: only files added or changed since it (and untracked files) are
        linted; the revision graph still covers every file.
    :raises ConfigError: an unknown rule code in the config, an unknown ``start_after``, no
        versions directory.
    :raises UsageError: a path that does not exist, a bad git ref, no git repository.
    """
    _selected(project)  # an unknown rule code in the config fails before any file is read
    graph_files = migration_files(project.versions_dirs, required=not paths)
    if paths:
        explicit = expand_paths(paths)
        to_lint = set(explicit)
        graph_files = sorted(set(graph_files) | set(explicit))
    else:
        to_lint = set(graph_files)
    if since is not None:
        to_lint &= changed_since(project.root, since)

    scope = dialect_scope(project, graph_files)
    linter = Linter(enabled_rules(project, scope), project.lint.severity)
    report = _report(project, linter, lint_files(linter, graph_files, to_lint))
    return replace(report, dialects=scope.dialects, dialect_source=scope.source, notes=_dialect_notes(project, scope))


def _report(project: ProjectConfig, linter: Linter, results: list[FileResult]) -> LintReport:
    infos = [result.info for result in results]
    after: set[str] | None = None
    if project.lint.start_after:
        after = revisions_after(infos, project.lint.start_after)
        if after is None:
            raise ConfigError(
                f"{_key(project, 'lint.start_after')}: unknown revision '{project.lint.start_after}'",
                hint="give the id (or a unique prefix) of a revision in the versions directory",
            )

    findings: list[Finding] = []
    checked: list[FileResult] = []
    for result in results:
        if not result.linted or (after is not None and result.info.revision not in after):
            continue
        checked.append(result)
        findings.extend(result.findings)
    findings.extend(linter.graph_findings(infos, {result.path: result for result in results}))
    for result in checked:
        if result.suppressions:
            findings.extend(linter.suppression_findings(result.path, result.suppressions))

    return LintReport(
        files_checked=len(checked),
        findings=tuple(sorted(findings, key=lambda f: (f.file, f.line, f.column, f.code))),
        fail_on=project.lint.fail_on,
        rules=tuple(sorted(linter.enabled)),
    )


def _key(project: ProjectConfig, key: str) -> str:
    return f"{project.display_path}: {'tool.dbctl.' if project.in_pyproject else ''}{key}"


def dialect_scope(project: ProjectConfig, files: list[str] | None = None) -> DialectScope:
    """Which dialects' rules run for ``project`` (see :mod:`dbctl.lint.dialects`): never
    decided by the environment. ``files`` are the migration files (the evidence of last resort)."""
    return decide_dialects(project, files or ())


def enabled_rules(project: ProjectConfig, scope: DialectScope | None = None) -> frozenset[str]:
    """The codes of the rules that run for ``project``: ``select`` minus ``ignore``, a dialect
    rule only for the dialects of ``scope`` (by default decided from the configuration alone:
    :func:`dialect_scope`). Raises :class:`ConfigError` for an unknown code."""
    rules = all_rules()
    scope = scope or dialect_scope(project)
    return frozenset(code for code in _selected(project) if _in_scope(rules[code], scope))


def _in_scope(rule: Rule, scope: DialectScope) -> bool:
    return not rule.dialects or bool(set(rule.dialects) & set(scope.dialects))


def _selected(project: ProjectConfig) -> set[str]:
    """``select`` (every rule that is not opt-in, by default) minus ``ignore``."""
    lint = project.lint
    rules = all_rules()
    if lint.select:
        codes = expand_selectors(lint.select, _key(project, "lint.select"))
    else:
        codes = {code for code, rule in rules.items() if not rule.opt_in}
    codes -= expand_selectors(lint.ignore, _key(project, "lint.ignore"))
    for code in lint.severity:
        if code not in rules:
            raise ConfigError(
                f"{_key(project, f'lint.severity.{code}')}: unknown rule code {code!r}",
                hint="`dbctl rules` lists the known codes",
            )
    return codes


def _dialect_notes(project: ProjectConfig, scope: DialectScope) -> tuple[str, ...]:
    """One note when rules did not run because a dialect could not be known statically: what
    said nothing, what was skipped, and how to set ``[lint] dialects``."""
    if scope.complete:
        return ()
    rules = all_rules()
    skipped: dict[str, list[str]] = {}
    for code in sorted(_selected(project)):
        rule = rules[code]
        if rule.check or _in_scope(rule, scope):
            continue
        for dialect in rule.dialects:
            skipped.setdefault(dialect, []).append(code)
    if not skipped:
        return ()
    said = ", ".join(scope.unknown) + " names no dialect without reading the environment"
    if scope.dialects:
        learnt = " and ".join(_SOURCE_WORDS[source] for source in scope.source.split("+"))
        said += f"; ran the {', '.join(scope.dialects)} rules (dialect from {learnt})"
    not_run = "; ".join(f"{dialect} rules {', '.join(codes)}" for dialect, codes in sorted(skipped.items()))
    example = ", ".join(f'"{d}"' for d in sorted(set(scope.dialects) | set(skipped)))
    return (
        f"{said}; not run: {not_run}. Name the dialects your databases use, e.g. "
        f"dialects = [{example}] {_dialects_setting(project)}.",
    )


_SOURCE_WORDS = {"config": "[lint] dialects", "targets": "the target URLs", "migrations": "the migration files"}


def _dialects_setting(project: ProjectConfig) -> str:
    """Where ``[lint] dialects`` is set for ``project``, in words."""
    if project.in_pyproject:
        return "under [tool.dbctl.lint] in pyproject.toml"
    if project.alembic is not None and project.path in (project.alembic.ini, project.alembic.toml):
        return f"under [lint] in a dbctl.toml beside {project.path.name}"
    return f"under [lint] in {project.path.name}"
