"""Which database a target is, when the configuration gives no URL for it (an adopted Alembic
project whose env.py reads its URL from the environment or the application's settings).

env.py is run (online, as ``alembic current`` would) only up to its ``context.configure()``
call: the guard (:mod:`.guard`) learns the database there and stops env.py before a single
statement runs in it. From then on the target is that database, and every guarantee (the lock,
the ledger, the identity check on every later env.py run) applies to it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from dbctl.alembic_bridge.config import alembic_config, check_script_location
from dbctl.alembic_bridge.errors import alembic_errors
from dbctl.alembic_bridge.guard import ConfigurePolicy, guarded, policy_for
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import running
from dbctl.errors import ConfigError, DbctlError
from dbctl.targets import ResolvedTarget, with_url


class _Chosen(BaseException):
    """Carries env.py's URL out of env.py (a BaseException: env.py's own handlers of
    ``Exception`` must not swallow it)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url


def discover(scripts: Scripts, target: ResolvedTarget) -> ResolvedTarget:
    """``target`` at the database its env.py chooses (unchanged if the configuration names it)."""
    if not target.chosen_by_env:
        return target
    from alembic import command

    project = scripts.project
    check_script_location(project, env=True)

    def chosen(url: str) -> None:
        raise _Chosen(url)

    policy = ConfigurePolicy(expected=None, purpose=target.described, on_database=chosen)
    try:
        with guarded(policy), alembic_errors(project), running(project):
            command.current(alembic_config(project, target))
    except _Chosen as found:
        return with_url(target, found.url, project.root)
    raise ConfigError(
        f"env.py never configured a database for {target.described}",
        hint="set sqlalchemy.url in alembic.ini, or give the target a url in a dbctl.toml",
    )


class _Options(BaseException):
    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self.options = options


def env_options(scripts: Scripts, target: ResolvedTarget | None) -> dict[str, Any]:
    """What the project's env.py passes to ``context.configure()`` (its ``target_metadata``,
    ``include_object``, ``compare_type`` ...), read by running env.py in offline mode up to that
    call: nothing connects. An env.py that cannot run offline is run online against ``target``
    (under the identity guard), again only up to that call."""
    from alembic import command

    project = scripts.project
    check_script_location(project, env=True)

    def capture(policy: ConfigurePolicy) -> Callable[..., None]:
        def on_configure(options: dict[str, Any]) -> None:
            raise _Options(options)

        policy.on_configure = on_configure
        return on_configure

    for offline in (True, False):
        if not offline and target is None:
            break
        policy = policy_for(target)
        capture(policy)
        cfg = alembic_config(project, target)
        cfg.output_buffer = io.StringIO()
        try:
            with guarded(policy), alembic_errors(project), running(project):
                if offline:
                    command.upgrade(cfg, "heads", sql=True)
                else:
                    command.current(cfg)
        except _Options as found:
            return found.options
        except DbctlError:
            if not offline:
                raise
    raise ConfigError(f"env.py never configured Alembic's context for {project.display_path}")
