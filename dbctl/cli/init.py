"""`dbctl init`: create a migration environment and its configuration, or adopt an existing one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dbctl.cli.root import app, state
from dbctl.errors import ExitCode, exit_code


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[
        str | None, typer.Option("--dir", help="Folder for the migration environment (default: migrations).")
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="URL of the dev target (default: a local SQLite file).")
    ] = None,
    metadata: Annotated[
        str | None, typer.Option("--metadata", help="Your models' MetaData, as module:attribute.")
    ] = None,
    sync: Annotated[
        bool, typer.Option("--sync", help="Default to a sync driver (sqlite://) instead of aiosqlite.")
    ] = False,
    pyproject: Annotated[
        bool, typer.Option("--pyproject", help="Append [tool.dbctl] to pyproject.toml instead of dbctl.toml.")
    ] = False,
) -> ExitCode:
    """Create an async-ready migration environment and its config, in the current folder.

    Beside an existing Alembic project (alembic.ini or [tool.alembic]) it writes no second
    environment: nothing at all (dbctl uses the project as it is), or with --url only a dbctl.toml
    that adds the target.
    """
    from dbctl import api, output

    result = api.init(Path.cwd(), directory=directory, url=url, metadata=metadata, sync=sync, pyproject=pyproject)
    output.render(result, "text", state(ctx).terminal)
    return exit_code(result)
