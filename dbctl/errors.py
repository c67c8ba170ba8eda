"""The one exception hierarchy and the one exit-code table of dbctl.

Core code raises these; only :mod:`dbctl.cli.app` turns them into exit codes.
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
    INTERRUPTED = 130


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
