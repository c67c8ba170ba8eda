"""`dbctl targets`: list the configured targets (no database is contacted)."""

from __future__ import annotations

import typer

from dbctl.cli.options import FormatOption, OutputFormat
from dbctl.cli.root import app, state
from dbctl.errors import ExitCode, exit_code


@app.command("targets")
def targets_command(ctx: typer.Context, fmt: FormatOption = OutputFormat.text) -> ExitCode:
    """List the configured targets: dialect, driver, URL (password hidden), protected, default."""
    from dbctl import api, output

    run = state(ctx)
    result = api.list_targets(run.project())
    output.render(result, fmt.value, run.terminal)
    return exit_code(result)
