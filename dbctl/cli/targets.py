"""`dbctl targets`: list the configured targets (no database is contacted)."""

from __future__ import annotations

import typer

from dbctl.cli.root import FormatOption, OutputFormat, app, state


@app.command("targets")
def targets_command(ctx: typer.Context, fmt: FormatOption = OutputFormat.text) -> None:
    """List the configured targets: dialect, driver, URL (password hidden), protected, default."""
    from dbctl.output import render
    from dbctl.targets import describe_targets

    render.targets(describe_targets(state(ctx).project()), fmt.value)
