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
) -> None:
    """Lint migrations statically (no database, no imports) and check the revision graph.

    Exits 1 when a finding is at or above [lint] fail_on (default: error).
    """
    # Checks that need the models or a database (--models, --drift, --roundtrip) will be
    # separate options here that call their own API functions; the static lint stays
    # import-free so that it runs anywhere.
    from dbctl.lint.api import lint_project
    from dbctl.output.lint import render_report

    project = state(ctx).project()
    report = lint_project(project, paths=list(paths) if paths else None, since=since)
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
