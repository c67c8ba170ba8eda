"""The public entry point of the linter: :func:`lint_project`. Pure: never prints."""

from __future__ import annotations

from pathlib import Path

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError
from dbctl.lint.engine import FileResult, Linter
from dbctl.lint.files import changed_since, expand_paths, migration_files
from dbctl.lint.findings import Finding, LintReport
from dbctl.lint.graph import revisions_after
from dbctl.lint.registry import all_rules, expand_selectors
from dbctl.lint.workers import lint_files

__all__ = ["enabled_rules", "lint_project", "migration_files"]


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
    enabled = enabled_rules(project)
    linter = Linter(enabled, project.lint.severity)

    graph_files = migration_files(project.versions_dirs, required=not paths)
    if paths:
        explicit = expand_paths(paths)
        to_lint = set(explicit)
        graph_files = sorted(set(graph_files) | set(explicit))
    else:
        to_lint = set(graph_files)
    if since is not None:
        to_lint &= changed_since(project.root, since)

    return _report(project, linter, lint_files(linter, graph_files, to_lint))


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


def enabled_rules(project: ProjectConfig) -> frozenset[str]:
    """The codes of the rules that run for ``project``: ``select`` minus ``ignore``, scoped to
    the dialects of ``[lint] dialects`` or of the configured targets (all rules when no dialect
    is known). Raises :class:`ConfigError` for an unknown code."""
    from dbctl.targets import DIALECT_ALIASES, configured_dialects

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
    dialects = {DIALECT_ALIASES.get(d, d) for d in lint.dialects} or configured_dialects(project)
    if dialects:
        codes = {code for code in codes if not rules[code].dialects or dialects & set(rules[code].dialects)}
    return frozenset(codes)
