"""What a project's env.py decides, learnt by running it only up to its ``context.configure()``
call and stopping it there (the guard, :mod:`.guard`, sees that call first), so that nothing runs
in any database:

* :func:`discover`: which database a target is when the configuration gives no URL for it (an
  adopted Alembic project whose env.py reads its URL from the environment or its settings).
  From then on the target is that database, and every guarantee (the lock, the ledger, the
  identity check on every later env.py run) applies to it;
* :func:`env_options`: what env.py passes to ``configure()`` (its ``target_metadata`` and
  ``include_object``), for the model checks of a project whose dbctl config names no metadata.
"""

from __future__ import annotations

import io
from typing import Any

from dbctl.alembic_bridge.config import alembic_config, check_script_location
from dbctl.alembic_bridge.errors import alembic_errors
from dbctl.alembic_bridge.guard import ConfigurePolicy, guarded, policy_for
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import running
from dbctl.errors import ConfigError, DbctlError
from dbctl.targets import ResolvedTarget, with_url


class _Stop(BaseException):
    """Carries what the guard saw out of env.py (a BaseException: env.py's own handlers of
    ``Exception`` must not swallow it)."""

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def _stop(value: Any) -> None:
    raise _Stop(value)


def _run_to_configure(scripts: Scripts, target: ResolvedTarget | None, policy: ConfigurePolicy, offline: bool) -> Any:
    """Run env.py (offline as ``upgrade --sql``, or online as ``current``) until a hook of
    ``policy`` stops it; return what the hook carried out."""
    from alembic import command

    project = scripts.project
    check_script_location(project, env=True)
    cfg = alembic_config(project, target)
    cfg.output_buffer = io.StringIO()
    try:
        with guarded(policy), alembic_errors(project), running(project):
            if offline:
                command.upgrade(cfg, "heads", sql=True)
            else:
                command.current(cfg)
    except _Stop as stopped:
        return stopped.value
    raise ConfigError(f"env.py never configured Alembic's context for {project.display_path}")


def discover(scripts: Scripts, target: ResolvedTarget) -> ResolvedTarget:
    """``target`` at the database its env.py chooses (unchanged if the configuration names it)."""
    if not target.chosen_by_env:
        return target
    policy = ConfigurePolicy(expected=None, purpose=target.described, on_database=_stop)
    url = _run_to_configure(scripts, target, policy, offline=False)
    return with_url(target, url, scripts.project.root)


def env_options(scripts: Scripts, target: ResolvedTarget | None) -> dict[str, Any]:
    """What the project's env.py passes to ``context.configure()``, read offline (nothing
    connects); an env.py that cannot run offline is run online against ``target`` (under the
    identity guard), again only up to that call."""

    def read(offline: bool) -> dict[str, Any]:
        policy = policy_for(target)
        policy.on_configure = _stop
        return _run_to_configure(scripts, target, policy, offline)

    try:
        return read(offline=True)
    except DbctlError:
        if target is None:
            raise
    return read(offline=False)
