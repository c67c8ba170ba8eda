"""The Alembic ``Config`` dbctl builds for a project (and, optionally, one target).

In memory, without an alembic.ini: ``script_location``, ``version_locations`` and the target's
URL as main options, Python objects (a connection, metadata, hooks) in ``Config.attributes``.
``quiet`` is set as Alembic's own ``-q`` would, so that Alembic's messages ("Generating ...")
stay off dbctl's stdout without redirecting it.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError
from dbctl.targets import ResolvedTarget

if TYPE_CHECKING:
    from alembic.config import Config

ENV_MARKER = "dbctl-env:"


def check_script_location(project: ProjectConfig) -> None:
    """Raise a one-line :class:`ConfigError` when the migration environment does not exist."""
    if not project.script_location.is_dir():
        raise ConfigError(
            f"{project.display_path}: script_location: {project.script_location} does not exist",
            hint="run `dbctl init`, or point script_location at your Alembic directory",
        )


def alembic_config(project: ProjectConfig, target: ResolvedTarget | None = None, **attributes: Any) -> Config:
    """An in-memory Alembic Config for ``project`` with Python objects in ``attributes``."""
    check_script_location(project)
    from argparse import Namespace

    from alembic.config import Config

    from dbctl.alembic_bridge.connect import url_with_session_options

    # cmd_opts as Alembic's command line would fill them: quiet (-q), no -x arguments.
    cfg = Config(stdout=io.StringIO(), cmd_opts=Namespace(quiet=True, x=None), attributes=attributes)
    cfg.set_main_option("script_location", _escape(str(project.script_location)))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_path_separator", "os")
    if project.version_locations:
        joined = os.pathsep.join(str(p) for p in project.version_locations)
        cfg.set_main_option("version_locations", _escape(joined))
    if target is not None:
        cfg.set_main_option("sqlalchemy.url", _escape(url_with_session_options(target)))
    if project.metadata:
        cfg.set_main_option("dbctl.metadata", _escape(project.metadata))
    return cfg


def hands_over_connection(project: ProjectConfig) -> bool:
    """True for env.py files written by `dbctl init`: they accept dbctl's connection.
    A classic env.py runs unmodified and opens its own from ``sqlalchemy.url``."""
    env = project.script_location / "env.py"
    try:
        return ENV_MARKER in env.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _escape(value: str) -> str:
    """ConfigParser interpolation treats % specially (URL-encoded passwords)."""
    return value.replace("%", "%%")
