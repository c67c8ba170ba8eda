"""The Alembic ``Config`` dbctl builds for a project (and, optionally, one target).

For a project with an ``alembic.ini`` (or ``[tool.alembic]``) the Config is read from those
files, as ``alembic`` reads them: env.py sees the same ``config_file_name`` (so ``fileConfig``
works), sections, custom keys and ``-x`` arguments. Without them it is built in memory. Either
way dbctl then sets ``script_location`` (absolute, so it does not depend on the working
directory), ``version_locations`` when the dbctl config names them, and ``sqlalchemy.url`` when
it names the target's URL (when it does not, env.py chooses the database). Python objects (a
connection, metadata, hooks) go in ``Config.attributes``. ``quiet`` is set as Alembic's own
``-q`` would, so that Alembic's messages ("Generating ...") stay off dbctl's stdout.
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


def check_script_location(project: ProjectConfig, *, env: bool = False, template: bool = False) -> None:
    """Raise a one-line :class:`ConfigError` when the migration environment does not exist, or
    lacks the ``env.py`` (``env``) or ``script.py.mako`` (``template``) a command needs."""
    if not project.script_location.is_dir():
        raise ConfigError(
            f"{project.display_path}: script_location: {project.script_location} does not exist",
            hint="run `dbctl init`, or point script_location at your Alembic directory",
        )
    for needed, name, what in ((env, "env.py", "runs the migrations"), (template, "script.py.mako", "is the template")):
        if needed and not (project.script_location / name).is_file():
            raise ConfigError(
                f"{project.display_path}: script_location {project.script_location} has no {name}",
                hint=f"an Alembic environment needs {name} (it {what}); `alembic init` or `dbctl init` writes one",
            )


def alembic_config(project: ProjectConfig, target: ResolvedTarget | None = None, **attributes: Any) -> Config:
    """An in-memory Alembic Config for ``project`` with Python objects in ``attributes``."""
    check_script_location(project)
    from argparse import Namespace

    from alembic.config import Config

    from dbctl.alembic_bridge.connect import url_with_session_options

    # cmd_opts as Alembic's command line would fill them: quiet (-q), the -x arguments.
    options = Namespace(quiet=True, x=list(project.x_arguments) or None)
    files = project.alembic
    if files is not None and (files.ini is not None or files.toml is not None):
        cfg = Config(
            file_=str(files.ini) if files.ini else None,
            toml_file=str(files.toml) if files.toml else None,
            ini_section=files.section,
            stdout=io.StringIO(),
            cmd_opts=options,
            attributes=attributes,
        )
    else:
        cfg = Config(stdout=io.StringIO(), cmd_opts=options, attributes=attributes)
    cfg.set_main_option("script_location", _escape(str(project.script_location)))
    if project.version_locations:
        cfg.set_main_option("path_separator", "os")
        joined = os.pathsep.join(str(p) for p in project.version_locations)
        cfg.set_main_option("version_locations", _escape(joined))
    elif files is None:
        cfg.set_main_option("path_separator", "os")
    if target is not None and not target.chosen_by_env:
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
