"""Run the enabled rules: each hook of :class:`~dbctl.lint.registry.Rule` goes to the rules that
implement it, and every finding is built by :meth:`~dbctl.lint.registry.Rule.finding`.

A file is read and parsed once (:mod:`dbctl.lint.parse`); op calls are dispatched by method
name and SQL statements by kind, so a rule only sees what it asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from dbctl.lint import sql
from dbctl.lint.findings import Finding
from dbctl.lint.graph import LintGraph
from dbctl.lint.parse import Migration, RevisionInfo, parse_migration
from dbctl.lint.registry import Hit, Rule, all_rules
from dbctl.lint.suppressions import Suppressions

__all__ = ["FileResult", "Linter"]


@dataclass
class FileResult:
    """What linting one file produced."""

    path: str
    info: RevisionInfo
    linted: bool
    findings: list[Finding]
    suppressions: Suppressions | None


class Linter:
    """Runs the enabled rules over parsed migrations and builds findings."""

    def __init__(self, enabled: Iterable[str], severity: dict[str, str] | None = None) -> None:
        rules = all_rules()
        self.enabled = frozenset(enabled)
        self.severity = severity or {}
        self.rules = rules
        self.by_call: dict[str, list[Rule]] = {}
        self.by_statement: dict[str, list[Rule]] = {}
        self.file_rules: list[Rule] = []
        self.site_rules: list[Rule] = []
        self.graph_rules: list[Rule] = []
        self.suppression_rules: list[Rule] = []
        self.parses_sql = False
        for code in sorted(self.enabled):
            rule = rules[code]
            for method in rule.calls:
                self.by_call.setdefault(method, []).append(rule)
            for kind in rule.statements:
                self.by_statement.setdefault(kind, []).append(rule)
            for hook, group in (
                ("check_file", self.file_rules),
                ("check_sql_site", self.site_rules),
                ("check_graph", self.graph_rules),
                ("check_suppressions", self.suppression_rules),
            ):
                if rule.overrides(hook):
                    group.append(rule)
            self.parses_sql = self.parses_sql or rule.parses_sql
        self.analyses_sql = self.parses_sql or bool(self.site_rules)

    def lint_file(self, path: str, linted: bool) -> FileResult:
        """Parse ``path``; with ``linted``, also run the per-file rules on it (unsuppressed findings)."""
        item = parse_migration(path)
        if isinstance(item, RevisionInfo) or item.revision.error:
            info = item if isinstance(item, RevisionInfo) else item.revision
            return FileResult(path, info, linted, [], None)
        suppressions = Suppressions(item.source)
        findings = []
        if linted:
            for rule, hit in self.hits(item):
                if suppressions and suppressions.suppresses(rule.code, hit):
                    continue
                findings.append(rule.finding(item.path, hit, self.severity))
        return FileResult(path, item.revision, linted, findings, suppressions or None)

    def hits(self, migration: Migration) -> list[tuple[Rule, Hit]]:
        """Every (rule, hit) of the per-call, per-file and SQL hooks for one migration."""
        migration.walk()
        found: list[tuple[Rule, Hit]] = []
        by_call = self.by_call
        for call in migration.calls:
            rules = by_call.get(call.method)
            if rules:
                for rule in rules:
                    if call.function in rule.functions:
                        found.extend((rule, hit) for hit in rule.check_call(call, migration))
        for rule in self.file_rules:
            found.extend((rule, hit) for hit in rule.check_file(migration))
        if self.analyses_sql and migration.sql_sites:
            found.extend(self._sql_hits(migration))
        return found

    def _sql_hits(self, migration: Migration) -> Iterator[tuple[Rule, Hit]]:
        for site in migration.sql_sites:
            raw = sql.analyse(site, migration.consts, self.parses_sql)
            for rule in self.site_rules:
                if site.function in rule.functions:
                    yield from ((rule, hit) for hit in rule.check_sql_site(site))
            for statement in sql.statements(site, raw):
                for rule in self.by_statement.get(statement.kind, ()):
                    if site.function in rule.functions:
                        yield from ((rule, hit) for hit in rule.check_sql(statement))

    def graph_findings(self, infos: list[RevisionInfo], results: dict[str, FileResult]) -> list[Finding]:
        """Findings of the graph rules over every file (``results``: suppressions by file)."""
        graph = LintGraph(infos)
        findings = []
        for rule in self.graph_rules:
            for file, hit in rule.check_graph(graph):
                result = results.get(file)
                suppressions = result.suppressions if result else None
                if suppressions and suppressions.suppresses(rule.code, hit):
                    continue
                findings.append(rule.finding(file, hit, self.severity))
        return findings

    def suppression_findings(self, file: str, suppressions: Suppressions) -> list[Finding]:
        """Findings about the suppression comments of ``file``, once every other rule ran."""
        return [
            rule.finding(file, hit, self.severity)
            for rule in self.suppression_rules
            for hit in rule.check_suppressions(suppressions, self.enabled)
        ]
