"""The one exception hierarchy, the one exit-code table of dbctl and :func:`exit_code`, the one
function that turns a result or an error into an exit code.

Core code raises these errors and returns results; the command line asks :func:`exit_code` what
they mean for the process and exits in one place (:func:`dbctl.cli.app.main`).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    FINDINGS = 1  # check found problems / status found pending migrations
    USAGE = 2  # usage or configuration error
    UNREACHABLE = 3  # database unreachable or authentication failed
    MIGRATION_FAILED = 4  # a migration raised a database error
    LOCK_TIMEOUT = 5  # another deploy holds the lock
    INTERNAL_ERROR = 70  # EX_SOFTWARE: a bug in dbctl, never an expected failure
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class DbctlError(Exception):
    """Root of every expected failure. ``message`` is one line; ``hint`` is optional advice."""

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(DbctlError):
    """Bad arguments: an unknown revision, a missing option, an impossible request."""


class ConfirmationRequired(UsageError):
    """A destructive command on a protected target was not confirmed."""


class ConfigError(DbctlError):
    """The configuration is missing, malformed or invalid."""


class TargetError(ConfigError):
    """A target name that is not configured, or a URL that cannot be used."""


class WrongDatabase(ConfigError):
    """env.py configured a database other than the one dbctl names; nothing was run there."""


class ProjectError(ConfigError):
    """The project's own code (env.py, its settings, the models) raised: the project's error,
    not dbctl's, reported as ``file:line: Type: message``."""


class RevisionError(UsageError):
    """The revision graph or a revision argument is not usable (two heads, unknown id ...)."""


class ConnectionFailed(DbctlError):
    """The database could not be reached or refused the credentials."""

    exit_code = ExitCode.UNREACHABLE


class MigrationFailed(DbctlError):
    """A migration raised while it ran against the database."""

    exit_code = ExitCode.MIGRATION_FAILED

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        revision: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.revision = revision
        self.path = path


class LockTimeout(DbctlError):
    """The migration lock was not acquired in time."""

    exit_code = ExitCode.LOCK_TIMEOUT


def exit_code(outcome: object = None, *, gate: bool = False) -> ExitCode:
    """The exit code of a command that returned ``outcome`` or raised it.

    * nothing, or any result not listed here: 0;
    * a lint report (anything whose ``failed`` is true): 1;
    * a :class:`StatusResult`: 3 when the database is unreachable and 1 when an applied
      revision's file changed since it was applied (both always); with ``gate``
      (`status --exit-code`) also 1 for pending revisions;
    * a :class:`TargetOutcome`: the code it carries; a :class:`MultiResult`: the worst (highest)
      of its targets';
    * a :class:`DbctlError`: its class's code; ``KeyboardInterrupt``: 130; a broken pipe (the
      reader went away): 0; any other exception is a bug in dbctl: 70.
    """
    match outcome:
        case DbctlError():
            return outcome.exit_code
        case KeyboardInterrupt():
            return ExitCode.INTERRUPTED
        case BrokenPipeError():
            return ExitCode.OK
        case BaseException():
            return ExitCode.INTERNAL_ERROR
        case None:
            return ExitCode.OK
        case _ if isinstance(getattr(outcome, "failed", None), bool):  # a lint report
            return ExitCode.FINDINGS if outcome.failed else ExitCode.OK  # type: ignore[attr-defined]
    # imported only here: `--help`, `--version` and `check` never import the result types
    from dbctl.results import MultiResult, StatusResult, TargetOutcome

    match outcome:
        case StatusResult(reachable=False):
            return ExitCode.UNREACHABLE
        case StatusResult():
            return ExitCode.FINDINGS if outcome.modified or (gate and outcome.pending) else ExitCode.OK
        case TargetOutcome():
            return ExitCode(outcome.exit_code)
        case MultiResult():
            return max((ExitCode(o.exit_code) for o in outcome.outcomes), default=ExitCode.OK)
    return ExitCode.OK
