"""Options and helpers shared by commands that run on one or many targets."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dbctl.cli.root import OutputFormat, state

if TYPE_CHECKING:
    from dbctl.config.model import ProjectConfig

MultiTargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-t",
        "--target",
        envvar="DBCTL_TARGET",
        metavar="NAME",
        help="Target or group (repeatable; default: default_target).",
    ),
]
AllTargetsOption = Annotated[bool, typer.Option("--all-targets", help="Every configured target.")]
ParallelOption = Annotated[
    int, typer.Option("--parallel", min=1, metavar="N", help="Targets to run at once, in separate processes.")
]
FailFastOption = Annotated[bool, typer.Option("--fail-fast", help="Start no new target after one fails.")]
WaitOption = Annotated[
    str | None,
    typer.Option("--wait", metavar="DURATION", help="Retry connecting until the database answers (e.g. 30s)."),
]


def duration(option: str, value: str | None) -> float | None:
    """Parse a duration option, as a usage error naming the option."""
    from dbctl.config.durations import parse_duration
    from dbctl.errors import UsageError

    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}") from None


def expand(project: ProjectConfig, names: list[str] | None, all_targets: bool) -> list[str | None]:
    from dbctl.deploy.fanout import expand_targets
    from dbctl.targets import resolve_target

    expanded = expand_targets(project, names, all_targets)
    for name in expanded:  # validate every URL (and learn every password) before anything runs
        resolve_target(project, name)
    return expanded


def is_multi(project: ProjectConfig, names: list[str] | None, all_targets: bool) -> bool:
    """Whether the command runs as a fan-out (summary table, worst exit code)."""
    return all_targets or len(names or ()) > 1 or any(n in project.groups for n in names or ())


@contextlib.contextmanager
def spinner(text: str) -> Iterator[Callable[[str], None]]:
    """A status line on stderr (terminals only); yields a function that changes its text."""
    from dbctl.output import console

    if console.state.quiet:
        yield lambda _text: None
        return
    with console.err().status(text) as status:
        yield lambda new: status.update(new)


def confirm(project: ProjectConfig, target: str | None, command: str, yes: bool) -> bool:
    """Ask for the target's name before a destructive command on a protected target. Without a
    terminal there is no asking: the core refuses unless --yes was given."""
    from dbctl.errors import UsageError
    from dbctl.output import console
    from dbctl.targets import select_target

    chosen = select_target(project, target)
    if yes or not chosen.protected:
        return True
    if not sys.stdin.isatty():
        return False
    console.warning(f"target '{chosen.name}' is protected; {command} changes it.")
    answer = typer.prompt(f"Type the target's name ({chosen.name}) to go on", default="", show_default=False, err=True)
    if answer.strip() != chosen.name:
        raise UsageError(f"confirmation did not match '{chosen.name}'; nothing was changed")
    return True


def fan_out(
    ctx: typer.Context,
    names: list[str | None],
    command: str,
    kwargs: dict[str, Any],
    *,
    parallel: int,
    fail_fast: bool,
    fmt: OutputFormat,
    gate: bool = False,
) -> None:
    """Run ``command`` over ``names``; print a line per target as it finishes, then a summary
    (or one JSON document); exit with the worst exit code."""
    from dbctl.deploy.fanout import run_many, status_outcome, worst_exit_code
    from dbctl.output import render

    project = state(ctx).project()
    on_outcome = render.outcome_line if fmt is OutputFormat.text else None
    with spinner(f"{command}: {len(names)} target(s), {parallel} at a time…"):
        outcomes = run_many(
            project, names, command, kwargs, parallel=parallel, fail_fast=fail_fast, on_outcome=on_outcome
        )
    if command == "status":
        outcomes = [status_outcome(o, gate) for o in outcomes]
    render.outcomes(outcomes, command, fmt.value, skipped=len(names) - len(outcomes))
    code = worst_exit_code(outcomes)
    if code:
        raise typer.Exit(code)
