"""Running a command on several targets: a line per target as each finishes, then a summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dbctl.cli.options import OutputFormat
from dbctl.cli.root import AppState
from dbctl.errors import ExitCode, exit_code

if TYPE_CHECKING:
    from dbctl.results import TargetSelection


def fan_out(
    app: AppState,
    selection: TargetSelection,
    command: str,
    options: dict[str, Any],
    *,
    parallel: int,
    fail_fast: bool,
    fmt: OutputFormat,
    gate: bool = False,
) -> ExitCode:
    """Run ``command`` over the selected targets; exit with the worst exit code."""
    from dbctl import api, output

    term = app.terminal
    on_outcome = (lambda outcome: output.render_outcome(outcome, term)) if fmt is OutputFormat.text else None
    with term.status(f"{command}: {len(selection.names)} target(s), {parallel} at a time…"):
        result = api.run_many(
            app.project(),
            selection.names,
            command,
            options,
            parallel=parallel,
            fail_fast=fail_fast,
            gate=gate,
            on_outcome=on_outcome,
        )
    output.render(result, fmt.value, term)
    return exit_code(result)
