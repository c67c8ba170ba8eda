"""The public Python API of dbctl, and the only part of the core the command line calls: plain
functions returning result dataclasses. Nothing here prints or exits; failures are
:class:`dbctl.errors.DbctlError` subclasses (:func:`dbctl.errors.exit_code` maps either to a code).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.config import find_config_file, load_config
from dbctl.config.model import ProjectConfig
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, LockHolder
from dbctl.errors import ConfirmationRequired, ConnectionFailed, UsageError
from dbctl.targets import describe_targets, resolve_target, select_target

if TYPE_CHECKING:  # the results are imported where they are made: `dbctl check` never needs most
    from dbctl.alembic_bridge.executor import Executor
    from dbctl.lint.findings import LintReport
    from dbctl.lint.registry import Rule
    from dbctl.results import (
        CurrentResult,
        InitResult,
        MigrateResult,
        MultiResult,
        OfflineResult,
        RevisionInfo,
        RevisionList,
        RevisionResult,
        RuleList,
        StatusResult,
        StepResult,
        TargetList,
        TargetOutcome,
        TargetSelection,
    )

__all__ = [
    "check",
    "confirmation_needed",
    "current",
    "downgrade",
    "heads",
    "history",
    "init",
    "list_targets",
    "load_project",
    "merge",
    "offline_sql",
    "parse_duration",
    "revision",
    "rule_doc",
    "rules",
    "run_many",
    "select_targets",
    "show",
    "single_target",
    "stamp",
    "status",
    "upgrade",
]


def load_project(
    start: Path | None = None, config_file: Path | None = None, *, x_arguments: Sequence[str] = ()
) -> ProjectConfig:
    """Find (walking up from ``start``, default the working directory) and load the config.
    ``x_arguments`` (``"key=value"``, Alembic's ``-x``) reach the project's env.py through
    ``context.get_x_argument()``, after any the config already holds."""
    project = load_config(find_config_file(start or Path.cwd(), config_file))
    if x_arguments:
        project = replace(project, x_arguments=(*project.x_arguments, *x_arguments))
    return project


def _executor(
    project: ProjectConfig, target: str | None = None, *, needs_target: bool = True, wait: float | None = None
) -> Executor:
    from dbctl.alembic_bridge.executor import Executor

    resolved = resolve_target(project, target) if needs_target else None
    if resolved is not None and wait and not resolved.chosen_by_env:
        from dbctl.alembic_bridge.connect import wait_until_reachable

        wait_until_reachable(resolved, wait)
    return Executor(project, resolved)


def list_targets(project: ProjectConfig) -> TargetList:
    """Every configured target with its dialect, driver and redacted URL (never connects)."""
    from dbctl.results import TargetList

    return TargetList(tuple(describe_targets(project)))


def select_targets(
    project: ProjectConfig, names: Sequence[str] | None = None, *, all_targets: bool = False
) -> TargetSelection:
    """The targets a command runs on: target and group names expanded, in order, without repeats
    (none: the default target, ``None``), every URL checked (and password learnt for scrubbing)
    before anything runs. Several names, a group or ``all_targets`` make a multi-target run
    (``fan_out``). :raises TargetError: an unknown target or group, or an unusable URL."""
    from dbctl.deploy.fanout import expand_targets
    from dbctl.results import TargetSelection

    selected = expand_targets(project, names, all_targets)
    for target in selected:
        resolve_target(project, target)
    fan_out = all_targets or len(names or ()) > 1 or any(n in project.groups for n in names or ())
    return TargetSelection(tuple(selected), fan_out)


def single_target(project: ProjectConfig, names: Sequence[str], *, command: str) -> str | None:
    """The one target named by ``names`` (target or group names, as for :func:`select_targets`)
    for a ``command`` that runs on one target only; ``None`` when ``names`` is empty.
    :raises UsageError: they name several targets (never just the last one is used)."""
    if not names:
        return None
    selection = select_targets(project, names)
    if len(selection.names) != 1:
        listed = ", ".join(str(name) for name in selection.names)
        raise UsageError(
            f"{command} takes one target, not {len(selection.names)} ({listed}); nothing was done",
            hint=f"run `dbctl {command}` once per target, each with its own -t",
        )
    return selection.names[0]


def parse_duration(value: str | None, option: str) -> float | None:
    """Seconds in a duration such as ``500ms``, ``5s``, ``10min`` (None stays None).
    :raises UsageError: naming ``option`` when ``value`` is not a duration."""
    from dbctl.config.durations import parse_duration as parse

    try:
        return None if value is None else parse(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def init(
    root: Path,
    *,
    directory: str | None = None,
    url: str | None = None,
    metadata: str | None = None,
    sync: bool = False,
    pyproject: bool = False,
) -> InitResult:
    """Create a migration environment (in ``directory``, default ``migrations``) and its config in
    ``root``; beside an existing Alembic project, adopt it instead: write nothing, or only the
    dbctl config a ``url`` asks for (see :mod:`dbctl.scaffold`)."""
    from dbctl.scaffold import init_project

    return init_project(root, directory=directory, url=url, metadata=metadata, sync=sync, pyproject=pyproject)


def revision(
    project: ProjectConfig,
    message: str,
    *,
    target: str | None = None,
    autogenerate: bool | None = None,
    empty: bool = False,
    lint: bool = True,
) -> RevisionResult:
    """Write a new revision. ``autogenerate`` defaults to whether ``metadata`` is configured;
    it compares the models with ``target`` and writes nothing when they match (unless ``empty``).
    With ``lint``, ``result.lint`` is what `dbctl check` finds in the new file."""
    if autogenerate is None:
        autogenerate = project.metadata is not None
    result = _executor(project, target, needs_target=autogenerate).revision(
        message, autogenerate=autogenerate, empty=empty
    )
    if not lint or result.path is None:
        return result
    from dbctl.lint.api import lint_project

    return replace(result, lint=lint_project(project, paths=[Path(result.path)]))


def upgrade(
    project: ProjectConfig,
    revision: str = "head",
    *,
    target: str | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: Callable[[LockHolder], None] | None = None,
    wait: float | None = None,
    on_next: Callable[[RevisionInfo], None] | None = None,
) -> MigrateResult:
    """Apply revisions up to ``revision`` (``head``, an id, ``+2`` ...), calling ``on_step`` after each
    (and ``on_next`` with the revision about to run, when upgrading to the heads). Holds the
    target's migration lock (waiting up to ``lock_timeout`` seconds, calling ``on_lock_wait`` once
    if it has to wait), so concurrent deploys never apply a revision twice."""
    return _executor(project, target, wait=wait).migrate(
        "upgrade", revision, on_step, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait, on_next=on_next
    )


def confirmation_needed(project: ProjectConfig, target: str | None = None) -> str | None:
    """The name of ``target`` (default: the default target) when it is protected, else None.
    Destructive commands (downgrade, stamp) on a protected target need ``confirm=True`` (the
    CLI's --yes) or ``confirm=`` that name as the user typed it when asked; False is refused."""
    chosen = select_target(project, target)
    return chosen.name if chosen.protected else None


def _confirmed(
    project: ProjectConfig, target: str | None, command: str, confirm: bool | str, wait: float | None
) -> Executor:
    """The executor of a destructive ``command`` (a wrong name is refused before connecting)."""
    name = confirmation_needed(project, target)
    if name is not None and isinstance(confirm, str) and confirm.strip() != name:
        raise UsageError(f"confirmation did not match '{name}'; nothing was changed")
    executor = _executor(project, target, wait=wait)
    if name is not None and confirm is False:
        raise ConfirmationRequired(
            f"target '{name}' is protected: {command} needs confirmation; nothing was changed",
            hint="run it in a terminal and type the target's name when asked, or pass --yes",
        )
    return executor


def downgrade(
    project: ProjectConfig,
    revision: str,
    *,
    target: str | None = None,
    confirm: bool | str = False,
    on_step: Callable[[StepResult], None] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: Callable[[LockHolder], None] | None = None,
    wait: float | None = None,
    on_next: Callable[[RevisionInfo], None] | None = None,
) -> MigrateResult:
    """Revert revisions down to ``revision`` (``-1``, an id, ``base``), under the migration lock.
    A protected target needs ``confirm`` (see :func:`confirmation_needed`)."""
    executor = _confirmed(project, target, "downgrade", confirm, wait)
    return executor.migrate(
        "downgrade", revision, on_step, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait, on_next=on_next
    )


def stamp(
    project: ProjectConfig,
    revision: str,
    *,
    target: str | None = None,
    confirm: bool | str = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: Callable[[LockHolder], None] | None = None,
    wait: float | None = None,
) -> MigrateResult:
    """Record ``revision`` in alembic_version without running any migration, under the lock.
    A protected target needs ``confirm`` (see :func:`confirmation_needed`)."""
    executor = _confirmed(project, target, "stamp", confirm, wait)
    return executor.migrate("stamp", revision, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait)


def offline_sql(project: ProjectConfig, command: str, revision: str, *, target: str | None = None) -> OfflineResult:
    """The SQL script of ``upgrade`` (``revision`` like ``head`` or ``ae10:head``) or ``downgrade``
    (``FROM:TO``) for the target's dialect, without connecting to it."""
    if command not in ("upgrade", "downgrade"):
        raise ValueError(command)
    from dbctl.results import OfflineResult

    executor = _executor(project, target)
    assert executor.target is not None
    return OfflineResult(executor.target.name, command, revision, executor.offline_sql(command, revision))


def current(project: ProjectConfig, *, target: str | None = None, wait: float | None = None) -> CurrentResult:
    """The revision(s) the target database is at, and the script directory's heads."""
    from dbctl.results import CurrentResult

    executor = _executor(project, target, wait=wait)
    heads = executor.head_ids()
    assert executor.target is not None
    at = executor.current()
    return CurrentResult(executor.target.name, at, heads, notices=tuple(executor.notices))


def status(project: ProjectConfig, *, target: str | None = None, wait: float | None = None) -> StatusResult:
    """Where the target is, which revisions are pending, which applied revisions' files changed
    since (the ledger's checksums), and whether it answers at all. An unreachable database is a
    result (``reachable=False``), not an error."""
    from dbctl.results import PendingRevision, StatusResult

    executor = _executor(project, target)
    assert executor.target is not None
    heads = executor.head_ids()
    try:
        if wait and not executor.target.chosen_by_env:
            from dbctl.alembic_bridge.connect import wait_until_reachable

            wait_until_reachable(executor.target, wait)
        at, modified = executor.state()
    except ConnectionFailed as error:
        return StatusResult(executor.target.name, reachable=False, heads=heads, error=error.message)
    return StatusResult(
        executor.target.name,
        reachable=True,
        current=at,
        heads=heads,
        pending=tuple(PendingRevision(r.revision, r.message) for r in executor.pending(at)),
        modified=tuple(PendingRevision(r.revision, r.message) for r in modified),
        notices=tuple(executor.notices),
    )


def history(project: ProjectConfig, rev_range: str | None = None, *, target: str | None = None) -> RevisionList:
    """All revisions, newest first (``rev_range`` like ``base:head`` or ``ae10:``). With a
    ``target``, each says whether it is applied there and when (from the ledger)."""
    from dbctl.results import RevisionList

    if target is None:
        return RevisionList(tuple(_executor(project, needs_target=False).history(rev_range)))
    return RevisionList(tuple(_executor(project, target).history_on_target(rev_range)))


def heads(project: ProjectConfig) -> RevisionList:
    """The head revisions of the script directory."""
    from dbctl.results import RevisionList

    return RevisionList(tuple(_executor(project, needs_target=False).heads()))


def show(project: ProjectConfig, rev: str) -> RevisionInfo:
    """One revision, by id, unique prefix or symbol (``head``)."""
    return _executor(project, needs_target=False).show(rev)


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


def merge(project: ProjectConfig, message: str | None = None) -> RevisionResult:
    """Write a merge revision joining the current heads."""
    return _executor(project, needs_target=False).merge(message)


# What every worker process needs before its first target: imported once in the fork server.
_WORKER_PRELOAD = (
    "dbctl.api dbctl.alembic_bridge.executor dbctl.alembic_bridge.runner dbctl.alembic_bridge.ledger "
    "dbctl.alembic_bridge.connect alembic.command "
    "alembic.runtime.migration alembic.script sqlalchemy.dialects.sqlite sqlalchemy.dialects.postgresql"
).split()


def run_many(
    project: ProjectConfig,
    targets: Sequence[str | None],
    command: str,
    options: dict[str, Any] | None = None,
    *,
    parallel: int = 1,
    fail_fast: bool = False,
    gate: bool = False,
    on_outcome: Callable[[TargetOutcome], None] | None = None,
) -> MultiResult:
    """Run ``command`` (``upgrade``, ``current`` or ``status``, ``options`` as its keyword arguments)
    on each of ``targets`` (``None``: the default target), one after another or ``parallel`` at a
    time in worker processes; ``on_outcome`` hears each as it finishes. A target's failure is its
    outcome (message, :func:`dbctl.errors.exit_code` with ``gate`` for `status --exit-code`), not
    an exception; with ``fail_fast`` no new target starts after one fails (``skipped``)."""
    from dbctl.deploy.fanout import run_many as fan_out
    from dbctl.errors import exit_code
    from dbctl.results import MultiResult

    function = {"upgrade": upgrade, "current": current, "status": status}[command]
    names = [name if name is not None else select_target(project, None).name for name in targets]
    outcomes = fan_out(
        partial(function, project, **(options or {})),
        names,
        parallel=parallel,
        fail_fast=fail_fast,
        judge=partial(exit_code, gate=gate),
        on_outcome=on_outcome,
        preload=_WORKER_PRELOAD,
    )
    return MultiResult(command, tuple(outcomes), skipped=len(names) - len(outcomes))
