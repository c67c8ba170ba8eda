"""Text of what a target's database says or did: current, status, upgrade/downgrade/stamp and
their progress, offline SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from dbctl.config.durations import format_duration
from dbctl.output.revisions import revs, short
from dbctl.output.terminal import Terminal
from dbctl.results import CurrentResult, MigrateResult, OfflineResult, RevisionInfo, StatusResult, StepResult

if TYPE_CHECKING:
    from dbctl.deploy.locking import LockHolder

_ARROWS = {
    "upgrade": ("[green]↑[/green]", "↑"),
    "downgrade": ("[yellow]↓[/yellow]", "↓"),
    "stamp": ("[cyan]=[/cyan]", "="),
}
_VERBS = {"upgrade": "upgraded", "downgrade": "downgraded", "stamp": "stamped"}


def current(result: CurrentResult, term: Terminal) -> None:
    term.out.print(f"{result.target}: {current_summary(result, markup=True)}")


def current_summary(result: CurrentResult, *, markup: bool = False) -> str:
    """Where the target is; with ``markup``, as `current` says it (coloured, naming the heads)."""
    if not markup:
        return f"{revs(result.current)}" + (" (head)" if result.at_head else " (not at head)")
    if result.at_head:
        return f"{revs(result.current)} [green](head)[/green]"
    heads = f"heads are {revs(result.heads)}" if result.heads else "no revisions"
    return f"{revs(result.current)} [yellow](not at head: {heads})[/yellow]"


def status(result: StatusResult, term: Terminal) -> None:
    term.out.print(f"{status_mark(result)} {result.target}: {status_summary(result)}")
    for p in result.pending:
        term.out.print(f"    pending {short(p.revision)}  {escape(p.message)}")
    for p in result.modified:
        term.out.print(f"    [red]modified since applied[/red] {short(p.revision)}  {escape(p.message)}")


def status_mark(result: StatusResult) -> str:
    if not result.reachable or result.modified:
        return "[red]✗[/red]"
    return "[yellow]![/yellow]" if result.pending else "[green]✓[/green]"


def status_summary(result: StatusResult) -> str:
    """A target's status in one line (markup), without the target's name."""
    if not result.reachable:
        return f"unreachable: {escape(result.error or '')}"
    if result.modified:
        return (
            f"at {revs(result.current)}, {len(result.modified)} applied revision(s) changed since they "
            f"were applied, {len(result.pending)} pending"
        )
    if result.pending:
        return f"at {revs(result.current)}, {len(result.pending)} pending (heads {revs(result.heads)})"
    return f"at {revs(result.current)} (head)"


def migrate(result: MigrateResult, term: Terminal) -> None:
    """The one line after upgrade, downgrade or stamp."""
    if result.before == result.after and not result.steps:
        term.success(f"{result.target}: already at {revs(result.after)}; nothing to do")
        return
    count = len([s for s in result.steps if s.direction != "stamp"])
    counted = f"{count} revision{'s' if count != 1 else ''}, " if result.command != "stamp" else ""
    term.success(
        f"{result.target}: {_VERBS[result.command]} {revs(result.before)} → {revs(result.after)} "
        f"({counted}{format_duration(result.seconds)})"
    )


def migrate_summary(result: MigrateResult) -> str:
    """A target's upgrade in a multi-target run."""
    if result.before == result.after:
        return f"already at {revs(result.after)}"
    took = format_duration(result.seconds)
    return f"{revs(result.before)} → {revs(result.after)} ({len(result.steps)} revisions, {took})"


def offline(result: OfflineResult, term: Terminal) -> None:
    """The SQL script, as is, on stdout (no markup, no wrapping)."""
    term.write(result.sql)


class Progress:
    """What a running upgrade, downgrade or stamp tells the user on stderr."""

    def __init__(self, term: Terminal) -> None:
        self.term = term

    def step(self, result: StepResult) -> None:
        """One line per revision applied, reverted or stamped."""
        arrow, plain_arrow = _ARROWS.get(result.direction, (" ", " "))
        seconds = format_duration(result.seconds)
        self.term.info_line(
            f"  {arrow} {short(result.revision):<12} {escape(result.message)}  [dim]{seconds}[/dim]",
            f"  {plain_arrow} {short(result.revision):<12} {result.message}  {seconds}",
        )

    @staticmethod
    def running(command: str, info: RevisionInfo) -> str:
        """The status line while a revision runs."""
        verb = "applying" if command == "upgrade" else "reverting"
        return f"{verb} {short(info.revision)} {escape(info.message)}…"

    def lock_wait(self, holder: LockHolder) -> None:
        self.term.info(f"waiting for the migration lock, held by {escape(holder.description)}")
