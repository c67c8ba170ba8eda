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
    no_args_is_help=True,  # bare `dbctl`: dbctl.cli.app.run prints the help on stdout
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
    """What the global options decided; handed to every command through ``ctx.obj``.

    ``targets``: the global ``-t`` names (given on the command line); ``env_targets``: those of
    ``DBCTL_TARGET`` when no global ``-t`` was given. ``x_arguments``: every ``-x``, global ones
    first. ``format``: the ``--format`` of the running command (errors follow it).
    """

    terminal: Terminal
    config_file: Path | None = None
    targets: tuple[str, ...] = ()
    env_targets: tuple[str, ...] = ()
    x_arguments: list[str] = field(default_factory=list)
    format: str = "text"
    _project: ProjectConfig | None = field(default=None, repr=False)

    def project(self) -> ProjectConfig:
        """Find and load the configuration once per process."""
        if self._project is None:
            from dbctl import api

            self._project = api.load_project(Path.cwd(), self.config_file, x_arguments=self.x_arguments)
        return self._project

    def target_names(self, command_targets: list[str] | None, *, from_env: bool = True) -> list[str] | None:
        """The targets asked for: the command's ``-t`` wins over the global ``-t``, which wins
        over ``DBCTL_TARGET`` (read only when ``from_env``); None when none was named."""
        for names in (command_targets, self.targets, self.env_targets if from_env else ()):
            if names:
                return list(names)
        return None

    def one_target(self, command: str, command_targets: list[str] | None, *, from_env: bool = True) -> str | None:
        """The one target of a single-target ``command`` (groups expanded); several are refused."""
        names = self.target_names(command_targets, from_env=from_env)
        if names is None:
            return None
        from dbctl import api

        return api.single_target(self.project(), names, command=command)


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
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "-t",
            "--target",
            envvar="DBCTL_TARGET",
            show_envvar=True,
            metavar="NAME",
            help="Target or group for every command that takes -t (repeatable). A command's own -t "
            "wins over this one, which wins over DBCTL_TARGET (not read by check and history).",
        ),
    ] = None,
    x_arguments: Annotated[
        list[str] | None,
        typer.Option(
            "-x",
            metavar="KEY=VALUE",
            help="Argument for the project's env.py (context.get_x_argument()), as Alembic's -x; "
            "repeatable, also after the command.",
        ),
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
    # dbctl.cli.app.run made the state (it reads the format when an error ends the run)
    run = (
        ctx.obj if isinstance(ctx.obj, AppState) else AppState(ctx.obj if isinstance(ctx.obj, Terminal) else Terminal())
    )
    run.terminal.verbose, run.terminal.quiet = verbose, quiet
    run.config_file = config
    source = ctx.get_parameter_source("targets")
    from_env = source is not None and source.name == "ENVIRONMENT"
    run.targets = () if from_env else tuple(targets or ())
    run.env_targets = tuple(targets or ()) if from_env else ()
    run.x_arguments = list(x_arguments or ())  # a command's own -x come after these
    ctx.obj = run


def state(ctx: typer.Context) -> AppState:
    """The :class:`AppState` of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, AppState)
    return obj


def remember_x(ctx: typer.Context, value: list[str] | None) -> None:
    """Callback of a command's ``-x``: after the global ones."""
    if value and isinstance(ctx.find_root().obj, AppState):
        state(ctx).x_arguments.extend(value)


def remember_format(ctx: typer.Context, value: object) -> object:
    """Callback of ``--format``: an error ends the run in the same format."""
    if value is not None and isinstance(ctx.find_root().obj, AppState):
        state(ctx).format = str(getattr(value, "value", value))
    return value
