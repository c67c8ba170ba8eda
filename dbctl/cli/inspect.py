"""Read-only commands: current, status, history, heads, show."""

from __future__ import annotations

from typing import Annotated

import typer

from dbctl.cli.fanout import fan_out
from dbctl.cli.options import (
    AllTargetsOption,
    FormatOption,
    MultiTargetOption,
    OutputFormat,
    ParallelOption,
    WaitOption,
    XOption,
)
from dbctl.cli.root import app, state
from dbctl.errors import ExitCode, exit_code


@app.command()
def current(
    ctx: typer.Context,
    targets: MultiTargetOption = None,
    all_targets: AllTargetsOption = False,
    parallel: ParallelOption = 1,
    fmt: FormatOption = OutputFormat.text,
    wait: WaitOption = None,
    x: XOption = None,
) -> ExitCode:
    """Show the revision(s) the target database is at (several targets: -t A -t B, a group, --all-targets)."""
    from dbctl import api, output

    run = state(ctx)
    selection = api.select_targets(run.project(), run.target_names(targets), all_targets=all_targets)
    options = {"wait": api.parse_duration(wait, "--wait")}
    if selection.fan_out:
        return fan_out(run, selection, "current", options, parallel=parallel, fail_fast=False, fmt=fmt)
    result = api.current(run.project(), target=selection.names[0], **options)
    output.render(result, fmt.value, run.terminal)
    return exit_code(result)


@app.command()
def status(
    ctx: typer.Context,
    targets: MultiTargetOption = None,
    all_targets: AllTargetsOption = False,
    parallel: ParallelOption = 1,
    fmt: FormatOption = OutputFormat.text,
    gate: Annotated[
        bool,
        typer.Option("--exit-code", help="Also exit 1 if anything is pending (unreachable: 3, with or without it)."),
    ] = False,
    wait: WaitOption = None,
    x: XOption = None,
) -> ExitCode:
    """Per target: current revision, heads, pending revisions, reachable or not, and applied
    revisions whose files changed since (exit 1), unreachable (exit 3). A deploy gate or
    readiness check with --exit-code."""
    from dbctl import api, output

    run = state(ctx)
    selection = api.select_targets(run.project(), run.target_names(targets), all_targets=all_targets)
    options = {"wait": api.parse_duration(wait, "--wait")}
    if selection.fan_out:
        return fan_out(run, selection, "status", options, parallel=parallel, fail_fast=False, fmt=fmt, gate=gate)
    result = api.status(run.project(), target=selection.names[0], **options)
    output.render(result, fmt.value, run.terminal)
    return exit_code(result, gate=gate)


@app.command()
def history(
    ctx: typer.Context,
    target: Annotated[
        list[str] | None,
        typer.Option(
            "-t", "--target", metavar="NAME", help="Also mark what is applied on this target (or dbctl -t; one only)."
        ),
    ] = None,
    rev_range: Annotated[
        str | None, typer.Option("-r", "--rev-range", help="START:END, e.g. base:head or ae1:")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Also show each revision's file.")] = False,
    fmt: FormatOption = OutputFormat.text,
    x: XOption = None,
) -> ExitCode:
    """List the revisions, newest first."""
    from dbctl import api, output

    run = state(ctx)
    # DBCTL_TARGET alone does not make history connect: only a -t on the command line does
    name = run.one_target("history", target, from_env=False)
    result = api.history(run.project(), rev_range, target=name)
    output.render(result, fmt.value, run.terminal, verbose=verbose)
    return exit_code(result)


@app.command()
def heads(ctx: typer.Context, fmt: FormatOption = OutputFormat.text) -> ExitCode:
    """List the head revisions (more than one means the history has branched)."""
    from dbctl import api, output

    run = state(ctx)
    result = api.heads(run.project())
    output.render(result, fmt.value, run.terminal, verbose=True)
    return exit_code(result)


@app.command()
def show(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Revision id, unique prefix, or head.")],
    fmt: FormatOption = OutputFormat.text,
) -> ExitCode:
    """Show one revision: parents, file and message."""
    from dbctl import api, output

    run = state(ctx)
    result = api.show(run.project(), revision)
    output.render(result, fmt.value, run.terminal)
    return exit_code(result)
