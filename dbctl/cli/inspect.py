"""Read-only commands: current, history, heads, show."""

from __future__ import annotations

from typing import Annotated

import typer

from dbctl.cli.root import FormatOption, OutputFormat, TargetOption, app, state


@app.command()
def current(ctx: typer.Context, target: TargetOption = None, fmt: FormatOption = OutputFormat.text) -> None:
    """Show the revision(s) the target database is at."""
    from dbctl import api
    from dbctl.output import render

    render.current(api.current(state(ctx).project(), target=target), fmt.value)


@app.command()
def history(
    ctx: typer.Context,
    rev_range: Annotated[str | None, typer.Option("-r", "--rev-range", help="START:END, e.g. base:head or ae1:")]
    = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Also show each revision's file.")] = False,
    fmt: FormatOption = OutputFormat.text,
) -> None:
    """List the revisions, newest first."""
    from dbctl import api
    from dbctl.output import render

    render.history(api.history(state(ctx).project(), rev_range), fmt.value, verbose=verbose)


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
