"""The project and its targets: loading the config, choosing targets, init."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from dbctl.config import find_config_file, load_config
from dbctl.config.model import ProjectConfig
from dbctl.errors import UsageError
from dbctl.targets import describe_targets, resolve_target, select_target

if TYPE_CHECKING:  # the results are imported where they are made: `dbctl check` never needs most
    from dbctl.alembic_bridge.executor import Executor
    from dbctl.results import (
        InitResult,
        TargetList,
        TargetSelection,
    )


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
    from dbctl.results import TargetSelection
    from dbctl.targets import select_targets as select

    selected, fan_out = select(project, names, all_targets)
    return TargetSelection(tuple(selected), fan_out)


def single_target(project: ProjectConfig, names: Sequence[str], *, command: str) -> str | None:
    """The one target named by ``names`` (target or group names, as for :func:`select_targets`)
    for a ``command`` that runs on one target only; ``None`` when ``names`` is empty.
    :raises UsageError: they name several targets (never just the last one is used)."""
    from dbctl.targets import single_target as single

    return single(project, names, command)


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


def confirmation_needed(project: ProjectConfig, target: str | None = None) -> str | None:
    """The name of ``target`` (default: the default target) when it is protected, else None.
    Destructive commands (downgrade, stamp) on a protected target need ``confirm=True`` (the
    CLI's --yes) or ``confirm=`` that name as the user typed it when asked; False is refused."""
    chosen = select_target(project, target)
    return chosen.name if chosen.protected else None
