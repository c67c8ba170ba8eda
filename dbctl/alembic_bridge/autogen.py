"""Writing revisions: ``revision`` (with or without autogenerate) and ``merge``.

dbctl's ledger table is never in the models, so autogenerate must never propose dropping it:
it is left out of the comparison (``include_object``/``include_name``, added by the guard to
whatever env.py configures) and any operation on it is removed from what is written
(``process_revision_directives``). env.py runs under the identity guard (:mod:`.guard`): it must
compare with the target's database. A classic env.py brings its own ``target_metadata``; the
``metadata`` key of the dbctl config is needed only by the env.py dbctl writes.
"""

from __future__ import annotations

from typing import Any

from dbctl.alembic_bridge import ledger
from dbctl.alembic_bridge.config import alembic_config, check_script_location, hands_over_connection
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.errors import alembic_errors
from dbctl.alembic_bridge.guard import guarded, policy_for
from dbctl.alembic_bridge.paths import display_path
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import load_metadata, running
from dbctl.errors import ConfigError, DbctlError, RevisionError
from dbctl.results import RevisionResult
from dbctl.targets import ResolvedTarget, configured_dialects


def not_ledger(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate's include_object: leave dbctl's ledger table out of the comparison."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) != ledger.LEDGER_TABLE


class _Directives:
    """``process_revision_directives``: drop operations on the ledger; with ``skip_empty``,
    write nothing when autogenerate found no change (and remember that it did so)."""

    def __init__(self, project: Any, skip_empty: bool) -> None:
        self.project = project
        self.skip_empty = skip_empty
        self.skipped = False

    def __call__(self, context: Any, revision: Any, directives: list[Any]) -> None:
        for script in directives:
            for ops in (script.upgrade_ops, script.downgrade_ops):
                if ops is not None:
                    ops.ops[:] = [op for op in ops.ops if getattr(op, "table_name", None) != ledger.LEDGER_TABLE]
        if self.skip_empty and directives and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            self.skipped = True
        elif directives:
            check_script_location(self.project, template=True)


def revision(
    scripts: Scripts, target: ResolvedTarget | None, message: str, *, autogenerate: bool, empty: bool = False
) -> RevisionResult:
    """Write a new revision; with ``autogenerate`` compare the models with ``target`` first.
    When autogenerate finds nothing and ``empty`` is False, write nothing."""
    from alembic import command

    project = scripts.project
    # Without a template Alembic cannot write a file: say so first, unless autogenerate may find
    # nothing to write (then the template is checked once it has found something).
    check_script_location(project, env=autogenerate, template=not autogenerate or empty)
    scripts.directory()  # a broken graph fails before anything is written
    directives = _Directives(project, skip_empty=autogenerate and not empty)
    attributes: dict[str, Any] = {
        "render_as_batch": "sqlite" in configured_dialects(project),
        "include_object": not_ledger,
    }
    own_env = hands_over_connection(project)
    if autogenerate and own_env:
        attributes["target_metadata"] = load_metadata(project)
        if attributes["target_metadata"] is None:
            raise ConfigError(
                f'{project.display_path}: autogenerate needs `metadata = "module:attr"` in the config',
                hint="or use --no-autogenerate",
            )

    def write(connection: Any | None) -> Any:
        extra = {"connection": connection} if connection is not None else {}
        cfg = alembic_config(project, target, **extra, **attributes)
        policy = policy_for(target, own_connection=connection)
        policy.defaults["render_as_batch"] = attributes["render_as_batch"]
        with guarded(policy), alembic_errors(project), running(project):
            return command.revision(
                cfg, message=message, autogenerate=autogenerate, process_revision_directives=directives
            )

    if not autogenerate:
        created = write(None)
    elif target is None:
        raise DbctlError("this command needs a target")
    elif own_env:

        def on_connection(connection: Any) -> Any:
            result = write(connection)
            if connection.in_transaction():
                connection.rollback()
            return result

        created = run_on_connection(target, on_connection)
    else:
        run_on_connection(target, lambda c: None)  # unreachable is exit 3 before env.py runs
        created = write(None)
    scripts.forget()
    if directives.skipped or not created:
        return RevisionResult(path=None, revision=None, message=message, autogenerate=autogenerate)
    script_obj = created[0] if isinstance(created, list) else created
    return RevisionResult(
        path=display_path(script_obj.path), revision=script_obj.revision, message=message, autogenerate=autogenerate
    )


def merge(scripts: Scripts, message: str | None) -> RevisionResult:
    """Write a merge revision joining the current heads."""
    from alembic import command

    heads = scripts.head_ids()
    if len(heads) < 2:
        raise RevisionError(f"nothing to merge: there is {len(heads)} head ({', '.join(heads) or 'none'})")
    cfg = alembic_config(scripts.project)
    msg = message or f"merge {', '.join(heads)}"
    with alembic_errors(scripts.project), running(scripts.project):
        created = command.merge(cfg, "heads", message=msg)
    scripts.forget()
    assert created is not None
    return RevisionResult(path=display_path(created.path), revision=created.revision, message=msg)
