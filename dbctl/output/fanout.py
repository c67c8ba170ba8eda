"""Text and JSON of a multi-target run: a line per target as it finishes, then a summary."""

from __future__ import annotations

from typing import Any

from rich.markup import escape

from dbctl.errors import exit_code
from dbctl.output.migrations import current_summary, migrate_summary, status_summary
from dbctl.output.table import print_table
from dbctl.output.terminal import Terminal
from dbctl.results import CurrentResult, MigrateResult, MultiResult, StatusResult, TargetOutcome


def summary(outcome: TargetOutcome) -> str:
    """One target's result in a few words (markup)."""
    result = outcome.result
    if isinstance(result, StatusResult):  # also unreachable, which carries an error
        return status_summary(result)
    if outcome.error is not None:
        return f"error: {escape(outcome.error)}"
    if isinstance(result, MigrateResult):
        return migrate_summary(result)
    if isinstance(result, CurrentResult):
        return current_summary(result)
    return ""


def outcome_line(outcome: TargetOutcome, term: Terminal) -> None:
    """One line per target, printed as each one finishes."""
    mark = "[green]✓[/green]" if outcome.exit_code == 0 else "[red]✗[/red]"
    if isinstance(outcome.result, StatusResult) and outcome.result.pending:
        mark = "[yellow]![/yellow]"
    term.info(f"{mark} {outcome.target}: {summary(outcome)}")


def multi(result: MultiResult, term: Terminal) -> None:
    """The summary of a multi-target run: every target's exit code and result."""
    rows = [[o.target, str(o.exit_code), summary(o)] for o in result.outcomes]
    title = f"{result.command}: {len(result.outcomes)} target(s)"
    print_table(term.out, ["target", "exit", "result"], rows, title=title)
    if result.skipped:
        term.warning(f"{result.skipped} target(s) not started (--fail-fast)")


def multi_json(result: MultiResult) -> dict[str, Any]:
    return {
        "command": result.command,
        "exit_code": int(exit_code(result)),
        "skipped": result.skipped,
        "targets": [o.to_json() for o in result.outcomes],
    }
