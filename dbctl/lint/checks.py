"""`dbctl check` with the models or a database: model rules (DB7xx), drift (DB801), the round
trip (DB802) and applied revisions edited since (DB803), merged into the static lint report.

The static lint (:func:`dbctl.lint.api.lint_project`) never imports the models or connects to
anything; the checks here do, and only when asked for. The Alembic and SQLAlchemy calls live in
:mod:`dbctl.alembic_bridge.compare` (imported lazily); the model rules read the imported
``MetaData``. Pure: never prints; progress goes to an optional callback.

What ``target`` means depends on the check:

* with ``drift``, the real database to compare with the models: only read, never upgraded;
  when it is not at head that is reported and nothing is compared;
* with ``roundtrip``, a scratch database that WILL be written: it must be empty, must not be
  protected, and is downgraded to base again when the round trip passes;
* always, the database whose applied revisions are checked against the ledger (DB803).

Without a target, drift and the round trip run on temporary SQLite files that are deleted
afterwards.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError, MigrationFailed, UsageError
from dbctl.lint.findings import Finding, LintReport
from dbctl.lint.registry import ModelHit, all_rules, expand_selectors

if TYPE_CHECKING:
    from dbctl.alembic_bridge.compare import RoundtripFailure, SchemaDiff
    from dbctl.alembic_bridge.executor import Executor

__all__ = ["CheckOptions", "check_project", "model_findings"]

MODEL_RULES = ("DB701", "DB702")
DRIFT, ROUNDTRIP, MODIFIED = "DB801", "DB802", "DB803"
MAX_DIFFERENCES = 8  # shown in one DB802 message

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CheckOptions:
    """Which checks beyond the static lint to run (see the module docstring for ``target``)."""

    models: bool = False
    drift: bool = False
    roundtrip: bool = False
    target: str | None = None

    def codes(self) -> list[str]:
        """The rule codes these options ask for."""
        codes = list(MODEL_RULES) if self.models else []
        codes += [DRIFT] if self.drift else []
        codes += [ROUNDTRIP] if self.roundtrip else []
        codes += [MODIFIED] if self.target is not None else []
        return codes


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
    from dbctl.lint.api import lint_project

    if options.drift and options.roundtrip and options.target is not None:
        raise UsageError(
            "--drift and --roundtrip cannot share -t: for --drift it is the database to check, "
            "for --roundtrip a scratch database that gets written",
            hint="run them separately: `dbctl check --drift -t T` and `dbctl check --roundtrip -t SCRATCH`",
        )
    progress = on_progress or (lambda message: None)
    if options.roundtrip and options.target is not None:
        from dbctl.alembic_bridge.compare import require_scratch
        from dbctl.targets import resolve_target

        require_scratch(resolve_target(project, options.target))  # before anything connects to it
    report = lint_project(project, paths=paths, since=since)
    allowed = _allowed(project, options.codes())
    for code in options.codes():
        if code not in allowed:
            progress(f"{code} ({all_rules()[code].name}) is in [lint] ignore: not checked")

    findings: list[Finding] = []
    state = None
    if options.target is not None and (MODIFIED in allowed or (options.drift and DRIFT in allowed)):
        state = _TargetState.read(project, options.target)
        if MODIFIED in allowed:
            findings += _modified_findings(project, state)
    if options.models and allowed & set(MODEL_RULES):
        metadata, files = _load_models(project)
        progress(f"models: checking {project.metadata}")
        findings += model_findings(metadata, files, allowed & set(MODEL_RULES), project.lint.severity)
    if options.drift and DRIFT in allowed:
        findings += _drift(project, state, progress)
    if options.roundtrip and ROUNDTRIP in allowed:
        findings += _roundtrip(project, options.target, progress)

    return LintReport(
        files_checked=report.files_checked,
        findings=tuple(sorted((*report.findings, *findings), key=lambda f: (f.file, f.line, f.column, f.code))),
        fail_on=report.fail_on,
        rules=tuple(sorted(set(report.rules) | allowed)),
    )


def _allowed(project: ProjectConfig, codes: Iterable[str]) -> set[str]:
    """The asked-for ``codes`` minus those ``[lint] ignore`` turns off. The flags are what opts
    these rules in, so ``select`` (which picks among the static rules) does not narrow them."""
    prefix = "tool.dbctl." if project.in_pyproject else ""
    return set(codes) - expand_selectors(project.lint.ignore, f"{project.display_path}: {prefix}lint.ignore")


def _finding(
    severity: dict[str, str], file: str | Path, code: str, line: int, message: str, help: str | None = None
) -> Finding:
    """A finding of a model or database rule (``severity``: the ``[lint] severity`` overrides)."""
    rule = all_rules()[code]
    path = str(Path(file).resolve())
    text = _text(path).splitlines()
    source = text[line - 1] if 0 < line <= len(text) else ""
    return Finding(
        file=path,
        line=line,
        column=len(source) - len(source.lstrip()) + 1,  # where the line's code starts
        code=code,
        name=rule.name,
        severity=severity.get(code) or rule.severity,
        message=message,
        help=rule.fix if help is None else help,
    )


# -- where things are written ----------------------------------------------------------------


@cache
def _text(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def find_line(file: str, pattern: str, default: int = 1) -> int:
    """The 1-based line of the first match of ``pattern`` (multiline) in ``file``, or ``default``."""
    text = _text(file)
    match = re.search(pattern, text, re.M)
    return _line_of(text, match.start()) if match else default


class Sources:
    """Finds where tables, columns and the MetaData are written in the model files (by their
    text: the models are imported, but SQLAlchemy does not record source lines)."""

    def __init__(self, files: list[str]) -> None:
        self.files = files

    def metadata(self) -> tuple[str, int]:
        """The line of the first ``MetaData(`` (else of the declarative base class), else line 1."""
        for pattern in (r"\bMetaData\(", r"^class\s+\w+\([^)]*\bDeclarativeBase\b", r"\bdeclarative_base\("):
            for file in self.files:
                match = re.search(pattern, _text(file), re.M)
                if match:
                    return file, _line_of(_text(file), match.start())
        return self.files[0], 1

    def table(self, name: str | None) -> tuple[str, int, int]:
        """(file, line, offset) of ``__tablename__ = "name"`` or ``Table("name"``."""
        if name:
            quoted = rf"""['"]{re.escape(name)}['"]"""
            pattern = rf"__tablename__\s*(?::[^=\n]*)?=\s*{quoted}|\bTable\(\s*{quoted}"
            for file in self.files:
                text = _text(file)
                match = re.search(pattern, text)
                if match:
                    return file, _line_of(text, match.start()), match.start()
        file, line = self.metadata()
        return file, line, -1

    def column(self, table: str | None, column: str | None) -> tuple[str, int]:
        """The line that declares ``column`` within ``table``'s definition, else the table's line."""
        file, line, offset = self.table(table)
        if offset < 0 or not column:
            return file, line
        text = _text(file)
        # the definition ends at the next top-level class or assignment
        end = re.compile(r"^(class\s|\w+\s*=)", re.M).search(text, text.find("\n", offset) + 1)
        stop = end.start() if end else len(text)
        name = re.escape(column)
        pattern = re.compile(rf"""^[ \t]+{name}[ \t]*[:=]|\b(?:mapped_)?[Cc]olumn\(\s*['"]{name}['"]""", re.M)
        match = pattern.search(text, offset, stop)
        return (file, _line_of(text, match.start())) if match else (file, line)


def _model_files(project: ProjectConfig) -> list[str]:
    """The metadata's module first, then every other module imported from the project's folders
    (not from the migrations, a hidden folder such as .venv, or site-packages)."""
    module = (project.metadata or "").partition(":")[0]
    first = getattr(sys.modules.get(module), "__file__", None)
    roots = [p.resolve() for p in (project.root, *project.pythonpath)]
    migrations = project.script_location.resolve()
    files = [str(Path(first).resolve())] if first else []
    for mod in list(sys.modules.values()):
        file = getattr(mod, "__file__", None)
        if not file or not file.endswith(".py"):
            continue
        path = Path(file).resolve()
        root = next((r for r in roots if path.is_relative_to(r)), None)
        if root is None or path.is_relative_to(migrations) or str(path) in files:
            continue
        inner = path.relative_to(root).parts
        if "site-packages" in inner or any(part.startswith(".") for part in inner):
            continue
        files.append(str(path))
    return files or [str(project.path)]


# -- models ----------------------------------------------------------------------------------


def _load_models(project: ProjectConfig) -> tuple[Any, list[str]]:
    from dbctl.alembic_bridge.executor import Executor

    if not project.metadata:
        raise ConfigError(
            f'{project.display_path}: --models and --drift need `metadata = "module:attr"` in the config',
            hint='for example metadata = "app.models:Base.metadata"',
        )
    metadata = Executor(project).load_metadata()
    return metadata, _model_files(project)


def model_findings(
    metadata: Any, files: list[str], codes: Iterable[str], severity: dict[str, str] | None = None
) -> list[Finding]:
    """Run the model rules ``codes`` on ``metadata``; findings point into ``files`` (the model
    sources, the MetaData's module first)."""
    sources = Sources(files)
    rules = all_rules()
    findings = []
    for code in sorted(codes):
        for hit in rules[code].check_metadata(metadata):
            file, line = _model_hit_location(sources, hit)
            findings.append(_finding(severity or {}, file, code, line, hit.message))
    return findings


def _model_hit_location(sources: Sources, hit: ModelHit) -> tuple[str, int]:
    if hit.table is None:
        return sources.metadata()
    return sources.column(hit.table, hit.column)


# -- the target's state (DB803, drift on a real database) -------------------------------------


@dataclass(frozen=True)
class _TargetState:
    executor: Executor
    current: tuple[str, ...]
    heads: tuple[str, ...]
    modified: tuple[Any, ...]  # RevisionInfo of applied revisions whose file changed

    @classmethod
    def read(cls, project: ProjectConfig, name: str) -> _TargetState:
        from dbctl.alembic_bridge.executor import Executor
        from dbctl.targets import resolve_target

        executor = Executor(project, resolve_target(project, name))
        heads = executor.head_ids()
        current, modified = executor.state()
        return cls(executor, current, heads, tuple(modified))

    @property
    def name(self) -> str:
        assert self.executor.target is not None
        return self.executor.target.name


def _modified_findings(project: ProjectConfig, state: _TargetState) -> list[Finding]:
    findings = []
    for info in state.modified:
        line = find_line(str(Path(info.path).resolve()), r"^revision\b")
        message = (
            f"revision {info.revision} ({info.message or 'no message'}) is applied on target "
            f"'{state.name}', and its file has changed since (the ledger's checksum differs)"
        )
        findings.append(_finding(project.lint.severity, info.path, MODIFIED, line, message))
    return findings


# -- drift -----------------------------------------------------------------------------------


def _drift(project: ProjectConfig, state: _TargetState | None, progress: Progress) -> list[Finding]:
    from dbctl.alembic_bridge import compare
    from dbctl.alembic_bridge.executor import Executor

    metadata, files = _load_models(project)
    sources = Sources(files)
    if state is None:
        with compare.temporary_sqlite() as scratch:
            executor = Executor(project, scratch)
            progress("drift: upgrading a temporary SQLite database to head")
            try:
                compare.upgrade_scratch(executor)
            except MigrationFailed as error:
                raise MigrationFailed(
                    f"--drift: the migrations fail on a temporary SQLite database: {error.message}",
                    hint="compare the models with a database of the right kind that is at head: --drift -t TARGET",
                    revision=error.revision,
                    path=error.path,
                ) from error
            progress("drift: comparing the models with the migrated schema")
            diffs = compare.compare_models(executor, metadata)
        where, help_prefix = "migrations", "write the missing migration (`dbctl revision -m ...`) or fix the model"
    else:
        if set(state.current) != set(state.heads):
            return [_not_at_head(project, state)]
        progress(f"drift: comparing the models with target '{state.name}'")
        diffs = compare.compare_models(state.executor, metadata)
        where = f"database '{state.name}'"
        help_prefix = (
            "the database was changed outside the migrations (or the models were): "
            "write a migration, or undo the change"
        )
    ignored = project.lint.drift_ignore
    findings = []
    for diff in diffs:
        if any(fnmatch.fnmatchcase(key, pattern) for key in diff.keys for pattern in ignored):
            continue
        file, line = _diff_location(sources, diff)
        message = f"{diff.subject}: models: {diff.models}; {where}: {diff.database}"
        help = f'{help_prefix}; a known false positive is silenced with [lint] drift_ignore = ["{diff.key}"]'
        findings.append(_finding(project.lint.severity, file, DRIFT, line, message, help))
    return findings


def _diff_location(sources: Sources, diff: SchemaDiff) -> tuple[str, int]:
    if diff.kind == "table" and diff.models == "not declared":
        return sources.metadata()  # a table only the database has: nowhere in the models
    return sources.column(diff.table, diff.column)


def _not_at_head(project: ProjectConfig, state: _TargetState) -> Finding:
    at = ", ".join(state.current) or "base (empty)"
    message = (
        f"target '{state.name}' is at {at}, not at head ({', '.join(state.heads) or 'none'}): "
        "the models were not compared with it"
    )
    header = rf"^\[(tool\.dbctl\.)?targets\.{re.escape(state.name)}\]"
    line = find_line(str(project.path), header)
    help = (
        f"upgrade it first (`dbctl -t {state.name} upgrade head`), or check the migrations "
        "themselves with `dbctl check --drift` (no -t)"
    )
    return _finding(project.lint.severity, project.path, DRIFT, line, message, help)


# -- round trip ------------------------------------------------------------------------------


def _roundtrip(project: ProjectConfig, target_name: str | None, progress: Progress) -> list[Finding]:
    from dbctl.alembic_bridge import compare
    from dbctl.alembic_bridge.executor import Executor

    def on_revision(revision: str) -> None:
        progress(f"roundtrip: {revision}: upgrade, downgrade, upgrade")

    if target_name is None:
        with compare.temporary_sqlite() as scratch:
            progress("roundtrip: on a temporary SQLite database")
            result = compare.roundtrip(Executor(project, scratch), project.lint.start_after, on_revision)
    else:
        from dbctl.targets import resolve_target

        target = resolve_target(project, target_name)
        compare.require_empty(target)
        executor = Executor(project, target)
        progress(f"roundtrip: on scratch target '{target.name}'")
        result = compare.roundtrip(executor, project.lint.start_after, on_revision)
        if result.failure is None:
            executor.migrate("downgrade", "base")  # leave the scratch database as it was found
        else:
            progress(
                f"roundtrip: scratch target '{target.name}' is left as the failure left it, for a look; "
                f"empty it before the next round trip"
            )
    if result.skipped:
        progress(f"roundtrip: {len(result.skipped)} revision(s) up to start_after applied without checking")
    if result.failure is None:
        return []
    return [_roundtrip_finding(project, result.failure)]


def _roundtrip_finding(project: ProjectConfig, failure: RoundtripFailure) -> Finding:
    path = str(Path(failure.path).resolve()) if failure.path else str(project.path)
    function = "upgrade" if failure.step == "upgrade" else "downgrade"
    line = find_line(path, rf"^[ \t]*(async[ \t]+)?def[ \t]+{function}\b") if failure.path else 1
    if failure.error is not None:
        message = f"revision {failure.revision} does not round-trip: the {failure.step} step failed: {failure.error}"
    else:
        shown = list(failure.differences[:MAX_DIFFERENCES])
        if len(failure.differences) > MAX_DIFFERENCES:
            shown.append(f"and {len(failure.differences) - MAX_DIFFERENCES} more")
        expected = "what it was before the upgrade" if failure.step == "downgrade" else "what the first upgrade made"
        after = "after the downgrade" if failure.step == "downgrade" else "after upgrading again"
        message = (
            f"revision {failure.revision} does not round-trip: {after} the schema is not {expected}: {'; '.join(shown)}"
        )
    return _finding(project.lint.severity, path, ROUNDTRIP, line, message)
