"""Lint many files in worker processes, when there are enough of them to pay for the processes.

Parsing is CPU-bound and the GIL serialises it, so on a large project the files are split into
one chunk per available core: this process lints the first chunk while a
:class:`~concurrent.futures.ProcessPoolExecutor` lints the others.

The workers are forked: only a fork starts fast enough to pay off (measured with
``bench/lint_bench.py`` on 2,000 files: forkserver and spawn workers were slower than linting
in this process). A fork is safe here because the workers only parse files and the pool is
used only on Linux, while this process runs no other thread. ``DBCTL_LINT_JOBS=1``, a
process with threads, or another platform keep everything in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from dbctl.lint.engine import FileResult, Linter

MIN_FILES_PER_JOB = 500  # below this a worker costs more than it saves (measured with bench/lint_bench.py)


def lint_files(linter: Linter, paths: list[str], to_lint: set[str]) -> list[FileResult]:
    """:meth:`Linter.lint_file` of every path (linted when in ``to_lint``), in the order given."""
    count = jobs(len(paths))
    if count <= 1:
        return [linter.lint_file(path, path in to_lint) for path in paths]
    size = -(-len(paths) // count)
    chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
    enabled, severity = sorted(linter.enabled), dict(linter.severity)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=context) as pool:
        futures = [pool.submit(_lint_chunk, enabled, severity, chunk, to_lint & set(chunk)) for chunk in chunks[1:]]
        results = [linter.lint_file(path, path in to_lint) for path in chunks[0]]
        for future, chunk in zip(futures, chunks[1:], strict=True):
            try:
                results.extend(future.result())
            except BrokenProcessPool:  # a worker died (killed, out of memory): do its share here
                results.extend(linter.lint_file(path, path in to_lint) for path in chunk)
    return results


def _lint_chunk(enabled: list[str], severity: dict[str, str], paths: list[str], to_lint: set[str]) -> list[FileResult]:
    linter = Linter(enabled, severity)
    return [linter.lint_file(path, path in to_lint) for path in paths]


def jobs(count: int) -> int:
    """How many processes lint ``count`` files (1: this one only)."""
    setting = os.environ.get("DBCTL_LINT_JOBS", "")
    if setting.isdigit() and int(setting) >= 1:
        wanted = int(setting)
    elif hasattr(os, "sched_getaffinity"):
        wanted = len(os.sched_getaffinity(0))
    else:
        return 1
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1  # fork is unsafe on macOS and in a process with threads
    return max(1, min(wanted, 8, count // MIN_FILES_PER_JOB))
