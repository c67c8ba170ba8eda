"""Alembic's exceptions (and failures inside migration files) as one-line dbctl errors.

Alembic's ``CommandError`` keeps the exception it translated as ``__cause__``; where that has
a type (``MultipleHeads``, ``ResolutionError``) the type decides the hint. Alembic has no
type for the rest, so their text is matched: "Target database is not up to date" (a bare
``CommandError`` from autogenerate), "Relative revision ..." (a bare ``RevisionError``), the
downgrade-only "is not a valid downgrade target" (``RangeNotAncestorError`` is shared with
upgrade, which gets no hint), and the warnings a broken revision map emits before failing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from dbctl.alembic_bridge.paths import display_path, migration_file_in, project_frame
from dbctl.config.model import ProjectConfig
from dbctl.errors import ConnectionFailed, DbctlError, MigrationFailed, ProjectError, RevisionError

if TYPE_CHECKING:
    from alembic.util import CommandError

GRAPH_HINT = "`dbctl check` names the file (DB502-DB505)"


@contextlib.contextmanager
def alembic_errors(project: ProjectConfig, loading: bool = True) -> Iterator[None]:
    """Alembic's CommandError and (while ``loading``) broken migration files become one-line
    dbctl errors."""
    from alembic.util import CommandError
    from sqlalchemy import exc as sa_exc

    try:
        yield
    except DbctlError:
        raise
    except CommandError as error:
        raise command_error(error) from error
    except SyntaxError as error:
        where = f"{display_path(error.filename)}:{error.lineno}" if error.filename else "a migration"
        raise RevisionError(
            f"{where}: syntax error: {error.msg}", hint="fix the file; `dbctl check` shows more"
        ) from error
    except SystemExit as error:
        raise project_error(error, project) from error
    except Exception as error:
        if not loading:
            raise  # migration_errors() decides
        found = migration_file_in(error.__traceback__, project)
        if isinstance(error, sa_exc.SQLAlchemyError) or found is None:
            converted = project_error(error, project)
            if converted is None:
                raise
            raise converted from error
        where = f"{display_path(found[0])}:{found[1]}"
        raise RevisionError(f"{where}: cannot load migration: {type(error).__name__}: {error}") from error


def project_error(error: BaseException, project: ProjectConfig) -> DbctlError | None:
    """What the project's own code (env.py, its settings, the models) raised, as its error:
    ``file:line: Type: message`` at the innermost frame of the project's files (exit 2); a
    database that refused env.py's own connection is :class:`ConnectionFailed` (exit 3). None
    when no frame of the project's code is involved: then it is dbctl's bug."""
    from dbctl.alembic_bridge.connect import first_line

    if isinstance(error, SystemExit):
        code = error.code
        reason = code if isinstance(code, str) else f"exit status {code}"
        return ProjectError(f"env.py stopped: {reason}", hint="env.py (or code it runs) called sys.exit()")
    found = project_frame(error.__traceback__, project)
    if found is None:
        return None
    where = f"{display_path(found[0])}:{found[1]}"
    if _is_connect_failure(error):
        return ConnectionFailed(
            f"{where}: env.py could not connect: {first_line(error)}",
            hint="check the URL env.py uses and that the database is up",
        )
    text = first_line(error) if hasattr(error, "orig") else f"{type(error).__name__}: {error}"
    return ProjectError(
        f"{where}: {text}".splitlines()[0],
        hint="the project's own code raised while dbctl ran it; -v shows the traceback",
    )


def _is_connect_failure(error: BaseException) -> bool:
    """A DBAPI error raised while SQLAlchemy's pool was opening a connection."""
    import traceback

    from sqlalchemy import exc as sa_exc

    if not isinstance(error, sa_exc.DBAPIError):
        return False
    return any("sqlalchemy/pool/" in frame.f_code.co_filename for frame, _ in traceback.walk_tb(error.__traceback__))


def command_error(error: CommandError) -> RevisionError:
    """One line (the first of Alembic's message) with a hint at what to do about it."""
    from alembic.script.revision import MultipleHeads, ResolutionError

    text = str(error)
    cause = error.__cause__
    hint = None
    if isinstance(cause, MultipleHeads):
        hint = "join them with `dbctl merge`, or name one revision explicitly"
    elif "not up to date" in text:
        hint = "run `dbctl upgrade head` on this target first"
    elif isinstance(cause, ResolutionError):
        hint = "`dbctl history` lists the known revisions"
    elif "Relative revision" in text or "is not a valid downgrade target" in text or "below base" in text:
        hint = "`dbctl current` shows where the database is"
    return RevisionError(text.splitlines()[0] if text else "alembic command failed", hint=hint)


def graph_error(caught: Sequence[Any], error: BaseException | None, project: ProjectConfig) -> RevisionError | None:
    """A one-line error for a revision graph Alembic could not build: a revision named as a
    parent that does not exist, an id declared twice (both only as warnings' text), a file
    without ``down_revision``."""
    for warning in caught:
        text = str(warning.message)
        if "is not present" in text or "is present more than once" in text:
            return RevisionError(f"broken revision graph: {text}", hint=GRAPH_HINT)
    if error is None:
        return None
    if isinstance(error, AttributeError) and getattr(error, "name", None) == "down_revision":
        found = migration_file_in(error.__traceback__, project)
        where = f" ({display_path(found[0])})" if found else ""
        return RevisionError(f"a revision file has no down_revision{where}", hint=GRAPH_HINT)
    return RevisionError(f"broken revision graph: {type(error).__name__}: {error}", hint=GRAPH_HINT)


@contextlib.contextmanager
def migration_errors(
    project: ProjectConfig,
    revision_at: Callable[[str], str | None],
    steps: Sequence[object],
    command_name: str,
) -> Iterator[None]:
    """A failure inside a revision becomes :class:`MigrationFailed` naming the revision (found
    by ``revision_at(file)``) and its file; ``steps`` are the revisions applied before it."""
    from sqlalchemy import exc as sa_exc

    from dbctl.alembic_bridge.connect import first_line

    try:
        with alembic_errors(project, loading=False):
            yield
    except DbctlError:
        raise
    except Exception as error:
        found = migration_file_in(error.__traceback__, project)
        revision = revision_at(found[0]) if found is not None else None
        is_db_error = isinstance(error, sa_exc.DBAPIError)
        if revision is None and (not is_db_error or _is_connect_failure(error)):
            converted = project_error(error, project)
            if converted is None:
                raise
            raise converted from error
        reason = first_line(error) if is_db_error else f"{type(error).__name__}: {error}"
        where = f" ({display_path(found[0])}:{found[1]})" if found else ""
        applied = f"; {len(steps)} revision(s) before it were applied" if steps else ""
        raise MigrationFailed(
            f"{command_name} failed in revision {revision or '?'}{where}: {reason}",
            hint=f"the failed revision was rolled back where the database allows{applied}; "
            "fix it and run the command again",
            revision=revision,
            path=found[0] if found else None,
        ) from error
