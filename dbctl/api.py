"""The public Python API of dbctl: plain functions returning result dataclasses.

Nothing here prints or exits; failures are :class:`dbctl.errors.DbctlError` subclasses. The
command line is a thin layer over these functions, so scripts get the same behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dbctl.config import find_config_file, load_config
from dbctl.config.model import ProjectConfig
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, LockHolder
from dbctl.errors import ConfirmationRequired
from dbctl.results import (
    CurrentResult,
    InitResult,
    MigrateResult,
    OfflineResult,
    PendingRevision,
    RevisionInfo,
    RevisionResult,
    StatusResult,
    StepResult,
)
from dbctl.targets import TargetInfo, describe_targets, resolve_target

if TYPE_CHECKING:
    from dbctl.alembic_bridge.executor import Executor
    from dbctl.lint.findings import LintReport

__all__ = [
    "check",
    "current",
    "downgrade",
    "heads",
    "history",
    "init",
    "list_targets",
    "load_project",
    "merge",
    "offline_sql",
    "revision",
    "show",
    "stamp",
    "status",
    "upgrade",
]


def load_project(start: Path | None = None, config_file: Path | None = None) -> ProjectConfig:
    """Find (walking up from ``start``, default the working directory) and load the config."""
    return load_config(find_config_file(start or Path.cwd(), config_file))


def _executor(
    project: ProjectConfig, target: str | None = None, *, needs_target: bool = True, wait: float | None = None
) -> Executor:
    from dbctl.alembic_bridge.executor import Executor

    resolved = resolve_target(project, target) if needs_target else None
    if resolved is not None and wait:
        from dbctl.alembic_bridge.connect import wait_until_reachable

        wait_until_reachable(resolved, wait)
    return Executor(project, resolved)


def list_targets(project: ProjectConfig) -> list[TargetInfo]:
    """Every configured target with its dialect, driver and redacted URL."""
    return describe_targets(project)


def init(
    root: Path,
    *,
    directory: str = "migrations",
    url: str | None = None,
    metadata: str | None = None,
    sync: bool = False,
    pyproject: bool = False,
) -> InitResult:
    """Create a migration environment and its config in ``root`` (see :mod:`dbctl.scaffold`)."""
    from dbctl.scaffold import init_project

    return init_project(root, directory=directory, url=url, metadata=metadata, sync=sync, pyproject=pyproject)


def revision(
    project: ProjectConfig,
    message: str,
    *,
    target: str | None = None,
    autogenerate: bool | None = None,
    empty: bool = False,
) -> RevisionResult:
    """Write a new revision. ``autogenerate`` defaults to whether ``metadata`` is configured;
    it compares the models with ``target`` and writes nothing when they match (unless ``empty``)."""
    if autogenerate is None:
        autogenerate = project.metadata is not None
    return _executor(project, target, needs_target=autogenerate).revision(
        message, autogenerate=autogenerate, empty=empty
    )


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
    (and ``on_next`` with the revision about to run, when upgrading to the heads).

    Holds the target's migration lock (waiting up to ``lock_timeout`` seconds, calling
    ``on_lock_wait`` once if it has to wait), so concurrent deploys never apply a revision twice.
    """
    return _executor(project, target, wait=wait).migrate(
        "upgrade", revision, on_step, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait, on_next=on_next
    )


def _confirmed(executor: Executor, command: str, confirm: bool) -> Executor:
    """Destructive commands on a protected target need ``confirm`` (the CLI's prompt or --yes)."""
    assert executor.target is not None
    if executor.target.protected and not confirm:
        raise ConfirmationRequired(
            f"target '{executor.target.name}' is protected: {command} needs confirmation; nothing was changed",
            hint="run it in a terminal and type the target's name when asked, or pass --yes",
        )
    return executor


def downgrade(
    project: ProjectConfig,
    revision: str,
    *,
    target: str | None = None,
    confirm: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: Callable[[LockHolder], None] | None = None,
    wait: float | None = None,
    on_next: Callable[[RevisionInfo], None] | None = None,
) -> MigrateResult:
    """Revert revisions down to ``revision`` (``-1``, an id, ``base``), under the migration lock.
    A protected target needs ``confirm=True``."""
    executor = _confirmed(_executor(project, target, wait=wait), "downgrade", confirm)
    return executor.migrate(
        "downgrade", revision, on_step, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait, on_next=on_next
    )


def stamp(
    project: ProjectConfig,
    revision: str,
    *,
    target: str | None = None,
    confirm: bool = False,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: Callable[[LockHolder], None] | None = None,
    wait: float | None = None,
) -> MigrateResult:
    """Record ``revision`` in alembic_version without running any migration, under the lock.
    A protected target needs ``confirm=True``."""
    executor = _confirmed(_executor(project, target, wait=wait), "stamp", confirm)
    return executor.migrate("stamp", revision, lock_timeout=lock_timeout, on_lock_wait=on_lock_wait)


def offline_sql(project: ProjectConfig, command: str, revision: str, *, target: str | None = None) -> OfflineResult:
    """The SQL script of ``upgrade`` (``revision`` like ``head`` or ``ae10:head``) or ``downgrade``
    (``FROM:TO``) for the target's dialect, without connecting to it."""
    if command not in ("upgrade", "downgrade"):
        raise ValueError(command)
    executor = _executor(project, target)
    assert executor.target is not None
    return OfflineResult(executor.target.name, command, revision, executor.offline_sql(command, revision))


def current(project: ProjectConfig, *, target: str | None = None, wait: float | None = None) -> CurrentResult:
    """The revision(s) the target database is at, and the script directory's heads."""
    executor = _executor(project, target, wait=wait)
    heads = executor.head_ids()
    assert executor.target is not None
    return CurrentResult(target=executor.target.name, current=executor.current(), heads=heads)


def status(project: ProjectConfig, *, target: str | None = None, wait: float | None = None) -> StatusResult:
    """Where the target is, which revisions are pending, which applied revisions' files changed
    since (the ledger's checksums), and whether it answers at all. An unreachable database is a
    result (``reachable=False``), not an error."""
    from dbctl.errors import ConnectionFailed

    executor = _executor(project, target)
    assert executor.target is not None
    heads = executor.head_ids()
    try:
        if wait:
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
    )


def history(project: ProjectConfig, rev_range: str | None = None, *, target: str | None = None) -> list[RevisionInfo]:
    """All revisions, newest first (``rev_range`` like ``base:head`` or ``ae10:``). With a
    ``target``, each says whether it is applied there and when (from the ledger)."""
    if target is None:
        return _executor(project, needs_target=False).history(rev_range)
    return _executor(project, target).history_on_target(rev_range)


def heads(project: ProjectConfig) -> list[RevisionInfo]:
    """The head revisions of the script directory."""
    return _executor(project, needs_target=False).heads()


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
) -> LintReport:
    """Lint the migrations statically (never imported), plus, when asked, the model rules
    (``models``), drift between the models and the migrated schema (``drift``), the up/down
    round trip (``roundtrip``) and, with a ``target``, applied revisions whose files changed.
    ``report.failed`` says whether anything is at or above ``[lint] fail_on``."""
    if not (models or drift or roundtrip or target):
        from dbctl.lint.api import lint_project

        return lint_project(project, paths=paths, since=since)
    from dbctl.lint.checks import CheckOptions, check_project

    options = CheckOptions(models=models, drift=drift, roundtrip=roundtrip, target=target)
    return check_project(project, options, paths=paths, since=since)


def merge(project: ProjectConfig, message: str | None = None) -> RevisionResult:
    """Write a merge revision joining the current heads."""
    return _executor(project, needs_target=False).merge(message)
