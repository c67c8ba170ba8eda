"""``upgrade --sql`` / ``downgrade --sql``: the SQL script Alembic would run, without connecting."""

from __future__ import annotations

import io

from dbctl.alembic_bridge.config import alembic_config
from dbctl.alembic_bridge.errors import alembic_errors, project_error
from dbctl.alembic_bridge.guard import guarded, policy_for
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import running
from dbctl.errors import DbctlError, RevisionError, UsageError
from dbctl.targets import ResolvedTarget


def offline_sql(scripts: Scripts, target: ResolvedTarget, command_name: str, revision: str) -> str:
    """The SQL script ``upgrade``/``downgrade`` would run, for the target's dialect, without
    connecting. On PostgreSQL each revision is wrapped in its own BEGIN/COMMIT."""
    scripts.directory()
    if command_name == "downgrade" and ":" not in revision:
        raise RevisionError(
            "downgrade --sql needs FROM:TO (e.g. head:base or ae10:-1)",
            hint="offline mode cannot ask the database where it is",
        )
    from alembic import command

    buffer = io.StringIO()
    cfg = alembic_config(scripts.project, target)
    cfg.output_buffer = buffer
    try:
        with guarded(policy_for(target)), alembic_errors(scripts.project, loading=False), running(scripts.project):
            getattr(command, command_name)(cfg, revision, sql=True)
    except DbctlError:
        raise
    except Exception as error:
        # Alembic raises a bare exception for batch mode without a database; only its text says so.
        text = str(error)
        if "batch" in text.lower() and "sql" in text.lower():
            raise UsageError(
                f"cannot render this offline: {text.splitlines()[0]}",
                hint="SQLite batch operations copy tables and need a live database; run without --sql",
            ) from None
        converted = project_error(error, scripts.project)
        if converted is None:
            raise
        raise converted from error
    return buffer.getvalue()
