"""The Typer app, its global options, the state they decide and the options commands share."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dbctl import __version__
from dbctl.errors import UsageError
from dbctl.output import Terminal

if TYPE_CHECKING:
    from dbctl.api import ProjectConfig

app = typer.Typer(
    name="dbctl",
    help="Schema and migration manager for SQLAlchemy projects, built on Alembic.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain (click) help: Typer's rich help formatter imports rich.markdown (markdown-it),
    # rich.syntax (pygments) and rich.traceback (attrs) before printing a line, which doubled
    # the cost of `dbctl --help` (see bench/RESULTS.md).
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)


@dataclass
class AppState:
    """What the global options decided; handed to every command through ``ctx.obj``."""

    terminal: Terminal
    config_file: Path | None = None
    _project: ProjectConfig | None = field(default=None, repr=False)

    def project(self) -> ProjectConfig:
        """Find and load the configuration once per process."""
        if self._project is None:
            from dbctl import api

            self._project = api.load_project(Path.cwd(), self.config_file)
        return self._project


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dbctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project_dir: Annotated[
        Path | None,
        typer.Option("-C", "--project-dir", help="Run as if dbctl was started in DIR.", metavar="DIR"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Use this dbctl.toml or pyproject.toml.", metavar="FILE"),
    ] = None,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="Show details and tracebacks.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Only print results and errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Schema and migration manager for SQLAlchemy projects, built on Alembic."""
    if config is not None:
        config = config.expanduser().resolve()
    if project_dir is not None:
        if not project_dir.is_dir():
            raise UsageError(f"-C {project_dir}: no such directory")
        os.chdir(project_dir)
    terminal = ctx.obj if isinstance(ctx.obj, Terminal) else Terminal()  # dbctl.cli.app.run made it
    terminal.verbose, terminal.quiet = verbose, quiet
    ctx.obj = AppState(terminal, config_file=config)


def state(ctx: typer.Context) -> AppState:
    """The :class:`AppState` of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj
