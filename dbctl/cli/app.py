"""Entry point: assembles the command modules and maps every error to an exit code, once."""

from __future__ import annotations

import sys
import traceback

import typer

from dbctl.cli import commands as _commands  # noqa: F401  (registers the commands)
from dbctl.cli.root import app
from dbctl.errors import DbctlError, ExitCode
from dbctl.output import console

INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in dbctl, never an expected failure

# Typer ships its own copy of click (older releases use click itself): take the base class of
# its usage errors from Typer rather than importing a click that may not be installed.
ClickException: type[Exception] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and exit with the documented code. Never shows a traceback for user errors."""
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code (the single error → exit code mapping)."""
    try:
        result = app(args=argv, prog_name="dbctl", standalone_mode=False)
    except DbctlError as exc:
        if console.state.verbose:
            console.err().print(traceback.format_exc(), markup=False)
        console.error(exc.message, exc.hint)
        return int(exc.exit_code)
    except typer.Exit as exc:
        return exc.exit_code
    except ClickException as exc:
        # One line like every other error (click's own block is four), with the way to help.
        context = getattr(exc, "ctx", None)
        command = context.command_path if context is not None else "dbctl"
        console.error(exc.format_message(), f"`{command} --help` lists the options")  # type: ignore[attr-defined]
        return int(ExitCode.USAGE)
    except (KeyboardInterrupt, typer.Abort):
        console.error("interrupted")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception:  # a bug: show it, scrubbed, so that it can be reported
        console.err().print(traceback.format_exc(), markup=False)
        console.error("internal error in dbctl (this is a bug; please report it with the output above)")
        return INTERNAL_ERROR
    return result if isinstance(result, int) else int(ExitCode.OK)
