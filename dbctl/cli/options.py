"""Options that several commands share."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[OutputFormat, typer.Option("--format", help="Output format.")]
TargetOption = Annotated[
    str | None,
    typer.Option(
        "-t",
        "--target",
        envvar="DBCTL_TARGET",
        help="Target from the config (default: default_target).",
        metavar="NAME",
    ),
]
MultiTargetOption = Annotated[
    list[str] | None,
    typer.Option(
        "-t",
        "--target",
        envvar="DBCTL_TARGET",
        metavar="NAME",
        help="Target or group (repeatable; default: default_target).",
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
