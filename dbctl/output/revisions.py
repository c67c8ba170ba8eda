"""Text of the script directory's results: history and heads, one revision, a new revision,
a new migration environment."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape

from dbctl.output.table import print_plain_grid, print_table
from dbctl.output.terminal import Terminal
from dbctl.results import InitResult, RevisionInfo, RevisionList, RevisionResult

_TAG_STYLES = {"head": "green", "merge": "cyan", "base": "dim", "pending": "dim", "✓": "green"}


def short(rev: str) -> str:
    return rev[:12]


def revs(ids: Sequence[str]) -> str:
    return ", ".join(short(r) for r in ids) if ids else "base"


def history(result: RevisionList, term: Terminal, *, verbose: bool = False) -> None:
    """`history` and `heads`: a table, newest first; ``verbose`` adds each revision's file."""
    items = result.revisions
    if not items:
        term.info("no revisions yet: `dbctl revision -m MESSAGE` writes the first one")
        return
    on_target = any(i.applied is not None for i in items)
    columns = ["revision", "down", "", "message"] + (["applied"] if on_target else []) + (["path"] if verbose else [])
    if print_plain_grid(term.out, columns, [_history_row(i, on_target, verbose, markup=False) for i in items]):
        return
    print_table(term.out, columns, [_history_row(i, on_target, verbose, markup=True) for i in items])


def _history_row(i: RevisionInfo, on_target: bool, verbose: bool, markup: bool) -> list[str]:
    """A row of :func:`history`: rich markup, or the plain text it shows without colour."""

    def styled(text: str) -> str:
        return f"[{_TAG_STYLES[text]}]{text}[/]" if markup else text

    def text(value: str) -> str:
        return escape(value) if markup else value

    tags = [styled(tag) for tag, on in (("head", i.is_head), ("merge", i.is_merge), ("base", i.is_base)) if on]
    row = [short(i.revision), revs(i.down_revision) if i.down_revision else "-", " ".join(tags), text(i.message)]
    if on_target:
        when = i.applied_at[:19].replace("T", " ") if i.applied_at else ""
        row.append(f"{styled('✓')} {when}" if i.applied else styled("pending"))
    if verbose:
        row.append(text(i.path))
    return row


def show(info: RevisionInfo, term: Terminal) -> None:
    """`show`: one revision's header and docstring."""
    out = term.out
    out.print(f"[bold]Revision:[/bold] {info.revision}{' (head)' if info.is_head else ''}")
    out.print(f"[bold]Parent:[/bold]   {', '.join(info.down_revision) or '<base>'}")
    if info.branch_labels:
        out.print(f"[bold]Branches:[/bold] {', '.join(info.branch_labels)}")
    if info.depends_on:
        out.print(f"[bold]Depends:[/bold]  {', '.join(info.depends_on)}")
    out.print(f"[bold]Path:[/bold]     {escape(info.path)}")
    out.print("")
    out.print(escape(info.doc or info.message), markup=True)


def revision(result: RevisionResult, term: Terminal) -> None:
    """`revision` and `merge`: the new file on stdout; on stderr what `dbctl check` thinks of it
    (it never fails the command)."""
    if result.path is None:
        term.success(
            "no changes detected between the models and the database: no revision written "
            "(use --empty to write one anyway)"
        )
        return
    term.success(f"wrote revision {result.revision}: {escape(result.message)}")
    term.out.print(escape(result.path))
    if result.lint is not None and result.lint.findings:
        from dbctl.output.lint import text

        term.warning(f"`dbctl check` has {len(result.lint.findings)} finding(s) on the new revision:")
        text(result.lint, term, term.err)


LEDGER_FILTER = 'include_name=lambda name, type_, parent_names: not (type_ == "table" and name == "dbctl_ledger"),'


def init(result: InitResult, term: Terminal) -> None:
    """`init`: what was created, and what to do next; for an adopted Alembic project, that
    nothing (or only a config) was written and how to add targets and the ledger filter."""
    if result.adopted is None:
        term.success(f"created the migration environment in {escape(result.script_location)}")
        term.success(f"configuration written to {escape(result.config_path)}")
        term.info('next: `dbctl revision -m "first revision"`, then `dbctl upgrade head`')
        return
    found = f"found an Alembic project: {escape(result.adopted)}, script_location {escape(result.script_location)}"
    if not result.created:
        term.success(found)
        term.info("dbctl uses it as it is (zero configuration): nothing was written")
        on_top = 'alembic_ini = "alembic.ini" and ' if ".ini" in result.adopted else ""
        term.info(
            escape(
                f"to add named targets or lint settings, write a dbctl.toml beside it with {on_top}"
                '[targets.NAME] url = "..." tables, or run `dbctl init --url URL`'
            )
        )
    else:
        term.success(f"{found}; dbctl uses its environment and writes no second one")
        term.success(f"configuration written to {escape(result.config_path)}, on top of {escape(result.adopted)}")
        term.info("next: `dbctl targets`, then `dbctl status`")
    env_py = escape(f"{result.script_location}/env.py")
    reason = (
        "so that plain `alembic check` and `alembic revision --autogenerate` do not propose dropping dbctl's "
        "bookkeeping table dbctl_ledger"
    )
    if result.ledger_filter == "add":
        term.info(f"{reason}, add this line to the context.configure(...) call in {env_py}:")
        term.info(f"    {escape(LEDGER_FILTER)}")
    elif result.ledger_filter == "extend":
        term.info(
            f"{reason}: {env_py} already passes include_name to context.configure(...); add the condition to "
            'yours, so that it returns False when type_ == "table" and name == "dbctl_ledger"'
        )
