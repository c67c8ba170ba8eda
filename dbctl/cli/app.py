"""Entry point: assembles the command modules, runs one, and exits with its code, once."""

from __future__ import annotations

import sys

import typer

from dbctl.cli import commands as _commands  # noqa: F401  (registers the commands)
from dbctl.cli.root import AppState, app
from dbctl.errors import ExitCode, UsageError, exit_code
from dbctl.output import Terminal, render_error

# Typer ships its own copy of click (older releases use click itself): take the base class of
# its usage errors from Typer rather than importing a click that may not be installed.
ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the documented code: the one place the process exits."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None, terminal: Terminal | None = None) -> int:
    """Run the CLI and return the exit code. Every command returns its own (from
    :func:`dbctl.errors.exit_code`); every error becomes one here, shown without a traceback
    unless it is a bug in dbctl."""
    run_state = AppState(terminal or Terminal())
    terminal = run_state.terminal
    try:
        # Typer returns what the command returned, or the code of --help, --version and Ctrl-C.
        returned = app(args=argv, prog_name="dbctl", standalone_mode=False, obj=run_state)
    except ClickException as exc:
        context = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and context is not None:
            # Bare `dbctl`: the help, as --help prints it, on stdout; but it did nothing, so it
            # exits 2 (usage) as `alembic` and click do, and a script that lost its command fails.
            terminal.write(context.get_help() + "\n")
            return int(ExitCode.USAGE)
        # One line like every other error (click's own block is four), with the way to help.
        command = context.command_path if context is not None else "dbctl"
        error: BaseException = UsageError(exc.format_message(), hint=f"`{command} --help` lists the options")  # type: ignore[attr-defined]
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C, or the end of input at a prompt
        error = KeyboardInterrupt()
    except Exception as exc:
        error = exc
    else:
        return int(returned) if returned is not None else int(ExitCode.OK)
    render_error(error, terminal, run_state.format)
    return int(exit_code(error))
