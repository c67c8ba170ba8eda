"""Commands: check, rules, rule."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dbctl.cli.options import FormatOption, OutputFormat, XOption
from dbctl.cli.root import app, remember_format, state
from dbctl.errors import ExitCode, exit_code


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"


PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(help="Migration files or directories (default: the versions directories).", show_default=False),
]
CheckFormatOption = Annotated[
    CheckFormat, typer.Option("--format", callback=remember_format, help="Output format (json: errors too, on stdout).")
]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only lint files added or changed since this git ref.", metavar="REF")
]
ModelsOption = Annotated[
    bool, typer.Option("--models", help="Import the configured metadata and run the model rules (DB7xx).")
]
DriftOption = Annotated[
    bool,
    typer.Option(
        "--drift",
        help="Compare the models with the schema the migrations build (DB801); "
        "with -t, with that database (read-only, must be at head).",
    ),
]
RoundtripOption = Annotated[
    bool,
    typer.Option(
        "--roundtrip",
        help="Upgrade, downgrade and upgrade again every revision on a scratch "
        "database (DB802); with -t, on that empty, unprotected target (it is written).",
    ),
]
# -t (this one or the global `dbctl -t`) is deliberately not read from DBCTL_TARGET: a plain
# `dbctl check` must stay static (no database, no alembic/sqlalchemy import) whatever the
# environment says.
CheckTargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-t",
        "--target",
        help="A database for --drift (checked, read-only) or --roundtrip "
        "(scratch, written); also reports applied revisions edited since (DB803). One only.",
        metavar="NAME",
    ),
]


@app.command("check")
def check(
    ctx: typer.Context,
    paths: PathsArgument = None,
    fmt: CheckFormatOption = CheckFormat.text,
    since: SinceOption = None,
    models: ModelsOption = False,
    drift: DriftOption = False,
    roundtrip: RoundtripOption = False,
    target: CheckTargetOption = None,
    x: XOption = None,
) -> ExitCode:
    """Lint migrations statically (no database, no imports) and check the revision graph;
    with --models, --drift, --roundtrip or -t, also check the models and databases.

    Exits 1 when a finding is at or above [lint] fail_on (default: error).
    """
    from dbctl import api, output

    run = state(ctx)
    name = run.one_target("check", target, from_env=False)
    report = api.check(
        run.project(),
        list(paths) if paths else None,
        since=since,
        models=models,
        drift=drift,
        roundtrip=roundtrip,
        target=name,
        on_progress=run.terminal.info,
    )
    output.render(report, fmt.value, run.terminal)
    return exit_code(report)


@app.command("rules")
def rules(ctx: typer.Context, fmt: FormatOption = OutputFormat.text) -> ExitCode:
    """List every lint rule: code, name, severity, dialects."""
    from dbctl import api, output

    result = api.rules()
    output.render(result, fmt.value, state(ctx).terminal)
    return exit_code(result)


@app.command("rule")
def rule(
    ctx: typer.Context, code: Annotated[str, typer.Argument(help="A rule code, e.g. DB203.", show_default=False)]
) -> ExitCode:
    """Show the documentation of one lint rule."""
    from dbctl import api, output

    result = api.rule_doc(code)
    output.render(result, "text", state(ctx).terminal)
    return exit_code(result)
