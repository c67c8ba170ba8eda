"""Run one job over many targets: one after another, or in ``parallel`` worker processes.

The job is injected: a picklable callable, ``job(target=NAME)``, returning a result (the API
passes its own per-target function in, so nothing here imports :mod:`dbctl.api`). Alembic's
runtime is not thread-safe (``EnvironmentContext`` installs module-global proxies), so parallel
work uses processes, never threads. Every expected failure becomes a :class:`TargetOutcome`
with its exit code; one failing target does not stop the others unless ``fail_fast``.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from dbctl.errors import DbctlError, exit_code
from dbctl.results import TargetOutcome

Job = Callable[..., Any]  # job(target=NAME) -> result; raises DbctlError on expected failures
Judge = Callable[[object], int]  # result or error -> exit code
OutcomeCallback = Callable[[TargetOutcome], None]


def _process_context(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """Workers start from a clean interpreter, never from a fork of this process (no inherited
    locks, threads or connections). Where the platform has one, a fork server provides that: it
    starts clean, imports the ``preload`` modules once, and forks each worker from there.
    Spawned workers (Windows) each import them again, about 0.4 s of CPU per worker, which on a
    small machine cost more than --parallel saved (see bench/RESULTS.md)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(preload))
        return context
    return multiprocessing.get_context("spawn")


def run_one(job: Job, target: str, judge: Judge = exit_code) -> TargetOutcome:
    """``job(target=target)`` as an outcome: its result, or the expected failure that stopped it."""
    try:
        result = job(target=target)
    except DbctlError as error:
        return TargetOutcome(target, int(judge(error)), error=error.message, hint=error.hint)
    return TargetOutcome(target, int(judge(result)), result=result)


def _worker(job: Job, target: str, judge: Judge) -> TargetOutcome:
    try:
        return run_one(job, target, judge)
    except KeyboardInterrupt as interrupt:  # the parent reports the interruption
        return TargetOutcome(target, int(judge(interrupt)), error="interrupted")


def run_many(
    job: Job,
    targets: Sequence[str],
    *,
    parallel: int = 1,
    fail_fast: bool = False,
    judge: Judge = exit_code,
    on_outcome: OutcomeCallback | None = None,
    preload: Sequence[str] = (),
) -> list[TargetOutcome]:
    """Run ``job`` for each target; call ``on_outcome`` as each finishes; return the outcomes in
    the order of ``targets``. ``judge`` gives each result or error its exit code (in the worker,
    so it must pickle, as ``job`` must). With ``fail_fast`` nothing new starts after the first
    failure; the outcomes of targets never started are missing from the list."""
    if parallel <= 1 or len(targets) <= 1:
        return _serial(job, targets, fail_fast=fail_fast, judge=judge, on_outcome=on_outcome)
    outcomes: dict[int, TargetOutcome] = {}
    pool = ProcessPoolExecutor(max_workers=min(parallel, len(targets)), mp_context=_process_context(preload))
    with pool:
        queue = list(enumerate(targets))
        running: dict[Future[TargetOutcome], int] = {}
        while queue or running:
            while queue and len(running) < parallel:
                index, target = queue.pop(0)
                running[pool.submit(_worker, job, target, judge)] = index
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = outcomes[running.pop(future)] = future.result()
                if on_outcome:
                    on_outcome(outcome)
                if fail_fast and outcome.exit_code != 0:
                    queue.clear()
    return [outcomes[i] for i in sorted(outcomes)]


def _serial(
    job: Job, targets: Sequence[str], *, fail_fast: bool, judge: Judge, on_outcome: OutcomeCallback | None
) -> list[TargetOutcome]:
    outcomes = []
    for target in targets:
        outcome = run_one(job, target, judge)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
        if fail_fast and outcome.exit_code != 0:
            break
    return outcomes
