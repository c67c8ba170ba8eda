"""Run one command over many targets: one after another, or in ``parallel`` worker processes.

Alembic's runtime is not thread-safe (``EnvironmentContext`` installs module-global proxies), so
parallel work uses processes, never threads. A worker turns every failure into a
:class:`TargetOutcome` with its exit code; one failing target does not stop the others unless
``fail_fast``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import Any

from dbctl.config.model import ProjectConfig
from dbctl.errors import DbctlError, ExitCode, TargetError
from dbctl.results import StatusResult, TargetOutcome

OutcomeCallback = Callable[[TargetOutcome], None]

# What every worker needs before its first target: imported once in the fork server.
_PRELOAD = [
    "dbctl.api",
    "dbctl.alembic_bridge.executor",
    "dbctl.alembic_bridge.ledger",
    "dbctl.alembic_bridge.connect",
    "alembic.command",
    "alembic.runtime.migration",
    "alembic.script",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql",
]


def _process_context() -> multiprocessing.context.BaseContext:
    """Workers start from a clean interpreter, never from a fork of this process (no inherited
    locks, threads or connections). Where the platform has one, a fork server provides that: it
    starts clean, imports dbctl, Alembic and SQLAlchemy once, and forks each worker from there.
    Spawned workers (Windows) each import them again, about 0.4 s of CPU per worker, which on a
    small machine cost more than --parallel saved (see bench/RESULTS.md)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def expand_targets(project: ProjectConfig, names: Sequence[str] | None, all_targets: bool) -> list[str | None]:
    """Target and group names to target names, in order, without repeats. No names and not
    ``all_targets`` means the default target (``[None]``)."""
    if all_targets:
        return list(project.targets)
    if not names:
        return [None]
    result: list[str | None] = []
    for name in names:
        if name in project.groups:
            members: Sequence[str] = project.groups[name]
        elif name in project.targets:
            members = [name]
        else:
            known = sorted(project.targets) + [f"{g} (group)" for g in sorted(project.groups)]
            raise TargetError(
                f"unknown target or group '{name}' in {project.display_path}",
                hint="known: " + ", ".join(known) if known else "no targets are configured",
            )
        for member in members:
            if member not in result:
                result.append(member)
    return result


def run_one(project: ProjectConfig, target: str | None, command: str, kwargs: dict[str, Any]) -> TargetOutcome:
    """Run ``dbctl.api.<command>`` for one target, catching every expected failure."""
    from dbctl import api
    from dbctl.targets import select_target

    name = target if target is not None else select_target(project, None).name
    try:
        result = getattr(api, command)(project, target=target, **kwargs)
    except DbctlError as error:
        return TargetOutcome(name, int(error.exit_code), error=error.message, hint=error.hint)
    return TargetOutcome(name, 0, result=result)


def _worker(project: ProjectConfig, target: str | None, command: str, kwargs: dict[str, Any]) -> TargetOutcome:
    try:
        return run_one(project, target, command, kwargs)
    except KeyboardInterrupt:  # the parent reports the interruption
        return TargetOutcome(target or "?", 130, error="interrupted")


def run_many(
    project: ProjectConfig,
    targets: Sequence[str | None],
    command: str,
    kwargs: dict[str, Any] | None = None,
    *,
    parallel: int = 1,
    fail_fast: bool = False,
    on_outcome: OutcomeCallback | None = None,
) -> list[TargetOutcome]:
    """Run ``command`` for each target; call ``on_outcome`` as each finishes; return them all in
    the order of ``targets``. With ``fail_fast`` nothing new starts after the first failure."""
    kwargs = kwargs or {}
    outcomes: dict[int, TargetOutcome] = {}
    if parallel <= 1 or len(targets) <= 1:
        for index, target in enumerate(targets):
            outcome = run_one(project, target, command, kwargs)
            outcomes[index] = outcome
            if on_outcome:
                on_outcome(outcome)
            if fail_fast and outcome.exit_code != 0:
                break
        return [outcomes[i] for i in sorted(outcomes)]

    with ProcessPoolExecutor(max_workers=min(parallel, len(targets)), mp_context=_process_context()) as pool:
        queue = list(enumerate(targets))
        running: dict[Future[TargetOutcome], int] = {}
        stop = False
        while queue or running:
            while queue and not stop and len(running) < parallel:
                index, target = queue.pop(0)
                running[pool.submit(_worker, project, target, command, kwargs)] = index
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                index = running.pop(future)
                outcome = future.result()
                outcomes[index] = outcome
                if on_outcome:
                    on_outcome(outcome)
                if fail_fast and outcome.exit_code != 0:
                    stop = True
                    queue.clear()
    return [outcomes[i] for i in sorted(outcomes)]


def worst_exit_code(outcomes: Sequence[TargetOutcome]) -> int:
    """The exit code of a multi-target run: the worst (highest) of its targets'."""
    return max((o.exit_code for o in outcomes), default=0)


def status_exit_code(result: StatusResult, gate: bool) -> int:
    """The exit code of `status`: 1 when an applied revision's file changed since it was applied
    (always); with ``gate`` (--exit-code) also 1 for pending revisions and 3 when unreachable."""
    if not result.reachable:
        return int(ExitCode.UNREACHABLE) if gate else 0
    if result.modified or (gate and result.pending):
        return int(ExitCode.FINDINGS)
    return 0


def status_outcome(outcome: TargetOutcome, gate: bool) -> TargetOutcome:
    """A status outcome carrying the exit code of :func:`status_exit_code`."""
    if isinstance(outcome.result, StatusResult) and outcome.exit_code == 0:
        return replace(outcome, exit_code=status_exit_code(outcome.result, gate))
    return outcome
