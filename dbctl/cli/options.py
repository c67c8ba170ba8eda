"""Options that several commands share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from dbctl.cli.root import remember_format, remember_x


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", callback=remember_format, help="Output format (json: errors too, on stdout)."),
]
# A command's -t wins over the global `dbctl -t NAME` (dbctl.cli.root), which wins over
# DBCTL_TARGET: so no command option reads the environment itself.
TargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-t",
        "--target",
        metavar="NAME",
        help="Target, or a group of one, from the config (default: dbctl -t, DBCTL_TARGET, default_target). "
        "One only: several are refused.",
    ),
]
MultiTargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-t",
        "--target",
        metavar="NAME",
        help="Target or group (repeatable; default: dbctl -t, DBCTL_TARGET, default_target).",
    ),
]
XOption = Annotated[
    list[str] | None,
    typer.Option(
        "-x",
        metavar="KEY=VALUE",
        callback=remember_x,
        expose_value=False,
        help="Argument for env.py's context.get_x_argument() (repeatable; as dbctl -x).",
    ),
]
AllTargetsOption = Annotated[bool, typer.Option("--all-targets", help="Every configured target.")]
ParallelOption = Annotated[
    int, typer.Option("--parallel", min=1, metavar="N", help="Targets to run at once, in separate processes.")
]
FailFastOption = Annotated[bool, typer.Option("--fail-fast", help="Start no new target after one fails.")]
WaitOption = Annotated[
    str | None,
    typer.Option("--wait", metavar="DURATION", help="Retry connecting until the database answers (e.g. 30s)."),
]
LockTimeoutOption = Annotated[
    str,
    typer.Option("--lock-timeout", help="How long to wait for another deploy's migration lock.", metavar="DURATION"),
]
SqlOption = Annotated[bool, typer.Option("--sql", help="Print the SQL script instead of running it (offline).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation on protected targets.")]
