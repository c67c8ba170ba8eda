"""`dbctl init`: create a migration environment and its configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dbctl.cli.root import app


@app.command()
def init(
    directory: Annotated[str, typer.Option("--dir", help="Folder for the migration environment.")] = "migrations",
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
) -> None:
    """Create an async-ready migration environment and its config, in the current folder."""
    from rich.markup import escape

    from dbctl import api
    from dbctl.output import console

    result = api.init(Path.cwd(), directory=directory, url=url, metadata=metadata, sync=sync, pyproject=pyproject)
    console.success(f"created the migration environment in {escape(result.script_location)}")
    console.success(f"configuration written to {escape(result.config_path)}")
    console.info('next: `dbctl revision -m "first revision"`, then `dbctl upgrade head`')
