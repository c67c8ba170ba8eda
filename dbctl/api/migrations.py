"""Revisions and databases: write revisions, migrate, read where a target is, fan out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.api.project import _executor, confirmation_needed
from dbctl.config.model import ProjectConfig
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, LockHolder
from dbctl.errors import ConfirmationRequired, ConnectionFailed, UsageError
from dbctl.targets import select_target

if TYPE_CHECKING:  # the results are imported where they are made: `dbctl check` never needs most
    from dbctl.alembic_bridge.executor import Executor
    from dbctl.results import (
        CurrentResult,
        MigrateResult,
        MultiResult,
        OfflineResult,
        RevisionInfo,
        RevisionList,
        RevisionResult,
        StatusResult,
        StepResult,
        TargetOutcome,
    )


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
