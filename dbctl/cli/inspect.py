"""Read-only commands: current, history, heads, show."""

from __future__ import annotations

from typing import Annotated

import typer

from dbctl.cli.multi import (
    AllTargetsOption,
    MultiTargetOption,
    ParallelOption,
    WaitOption,
    duration,
    expand,
    fan_out,
    is_multi,
)
from dbctl.cli.root import FormatOption, OutputFormat, app, state


@app.command()
def current(
    ctx: typer.Context,
    targets: MultiTargetOption = None,
    all_targets: AllTargetsOption = False,
    parallel: ParallelOption = 1,
    fmt: FormatOption = OutputFormat.text,
    wait: WaitOption = None,
) -> None:
    """Show the revision(s) the target database is at (several targets: -t A -t B, a group, --all-targets)."""
    from dbctl import api
    from dbctl.output import render

    project = state(ctx).project()
    names = expand(project, targets, all_targets)
    if is_multi(project, targets, all_targets):
        fan_out(ctx, names, "current", {"wait": duration("--wait", wait)}, parallel=parallel, fail_fast=False, fmt=fmt)
        return
    render.current(api.current(project, target=names[0], wait=duration("--wait", wait)), fmt.value)


@app.command()
def status(
    ctx: typer.Context,
    targets: MultiTargetOption = None,
    all_targets: AllTargetsOption = False,
    parallel: ParallelOption = 1,
    fmt: FormatOption = OutputFormat.text,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 if anything is pending, 3 if a target is unreachable.")
    ] = False,
    wait: WaitOption = None,
) -> None:
    """Per target: current revision, heads, pending revisions, reachable or not, and applied
    revisions whose files changed since (exit 1). A deploy gate or readiness check with --exit-code."""
    from dbctl import api
    from dbctl.deploy.fanout import status_exit_code
    from dbctl.output import render

    project = state(ctx).project()
    names = expand(project, targets, all_targets)
    kwargs = {"wait": duration("--wait", wait)}
    if is_multi(project, targets, all_targets):
        fan_out(ctx, names, "status", kwargs, parallel=parallel, fail_fast=False, fmt=fmt, gate=exit_code)
        return
    result = api.status(project, target=names[0], **kwargs)
    render.status(result, fmt.value)
    if code := status_exit_code(result, exit_code):
        raise typer.Exit(code)


@app.command()
def history(
    ctx: typer.Context,
    target: Annotated[
        str | None, typer.Option("-t", "--target", metavar="NAME", help="Also mark what is applied on this target.")
    ] = None,
    rev_range: Annotated[
        str | None, typer.Option("-r", "--rev-range", help="START:END, e.g. base:head or ae1:")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Also show each revision's file.")] = False,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """List the revisions, newest first."""
    from dbctl import api
    from dbctl.output import render

    render.history(api.history(state(ctx).project(), rev_range, target=target), fmt.value, verbose=verbose)


@app.command()
def heads(ctx: typer.Context, fmt: FormatOption = OutputFormat.text) -> None:
    """List the head revisions (more than one means the history has branched)."""
    from dbctl import api
    from dbctl.output import render

    render.history(api.heads(state(ctx).project()), fmt.value, verbose=True)


@app.command()
def show(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Revision id, unique prefix, or head.")],
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """Show one revision: parents, file and message."""
    from dbctl import api
    from dbctl.output import render

    render.show(api.show(state(ctx).project(), revision), fmt.value)
