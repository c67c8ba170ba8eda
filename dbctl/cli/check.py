"""Commands: check, rules, rule."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbctl.cli.root import FormatOption, OutputFormat, app, state
from dbctl.errors import UsageError


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


@app.command("check")
def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Migration files or directories (default: the versions directories).", show_default=False),
    ] = None,
    fmt: Annotated[CheckFormat, typer.Option("--format", help="Output format.")] = CheckFormat.text,
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only lint files added or changed since this git ref.", metavar="REF"),
    ] = None,
    models: Annotated[
        bool, typer.Option("--models", help="Import the configured metadata and run the model rules (DB7xx).")
    ] = False,
    drift: Annotated[
        bool,
        typer.Option(
            "--drift",
            help="Compare the models with the schema the migrations build (DB801); "
            "with -t, with that database (read-only, must be at head).",
        ),
    ] = False,
    roundtrip: Annotated[
        bool,
        typer.Option(
            "--roundtrip",
            help="Upgrade, downgrade and upgrade again every revision on a scratch "
            "database (DB802); with -t, on that empty, unprotected target (it is written).",
        ),
    ] = False,
    target: Annotated[
        str | None,
        typer.Option(
            "-t",
            "--target",
            help="A database for --drift (checked, read-only) or --roundtrip "
            "(scratch, written); also reports applied revisions edited since (DB803).",
            metavar="NAME",
        ),
    ] = None,
) -> None:
    """Lint migrations statically (no database, no imports) and check the revision graph;
    with --models, --drift, --roundtrip or -t, also check the models and databases.

    Exits 1 when a finding is at or above [lint] fail_on (default: error).
    """
    from dbctl.output.lint import render_report

    project = state(ctx).project()
    path_list = list(paths) if paths else None
    # -t is deliberately not read from DBCTL_TARGET: a plain `dbctl check` must stay static
    # (no database, no alembic/sqlalchemy import) whatever the environment says.
    if models or drift or roundtrip or target is not None:
        from dbctl.lint.checks import CheckOptions, check_project
        from dbctl.output import console

        options = CheckOptions(models=models, drift=drift, roundtrip=roundtrip, target=target)
        report = check_project(project, options, paths=path_list, since=since, on_progress=console.info)
    else:
        from dbctl.lint.api import lint_project

        report = lint_project(project, paths=path_list, since=since)
    render_report(report, fmt.value)
    if report.failed:
        raise typer.Exit(1)


@app.command("rules")
def rules(fmt: FormatOption = OutputFormat.text) -> None:
    """List every lint rule: code, name, severity, dialects."""
    from dbctl.lint.registry import all_rules
    from dbctl.output.lint import render_rules

    render_rules(list(all_rules().values()), fmt.value)


@app.command("rule")
def rule(code: Annotated[str, typer.Argument(help="A rule code, e.g. DB203.", show_default=False)]) -> None:
    """Show the documentation of one lint rule."""
    from dbctl.lint.registry import all_rules, get_rule
    from dbctl.output.lint import render_rule_doc

    found = get_rule(code)
    if found is None:
        import difflib

        names = {r.name: c for c, r in all_rules().items()}
        if code in names:
            found = all_rules()[names[code]]
        else:
            close = difflib.get_close_matches(code.upper(), list(all_rules()), n=1)
            hint = f"did you mean {close[0]}?" if close else "`dbctl rules` lists the known codes"
            raise UsageError(f"unknown rule code '{code}'", hint=hint)
    render_rule_doc(found)
