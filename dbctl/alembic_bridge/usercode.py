"""Running the project's own code — env.py, the revision files, the models — without changing
the process for good: the project's folders are on ``sys.path`` only while its code runs, and
what it prints does not reach dbctl's stdout (which carries data, e.g. JSON).

Alembic's own messages need no redirect: they honour ``quiet`` (see
:mod:`dbctl.alembic_bridge.config`). Prints of env.py and the revision files can only be
caught by redirecting ``sys.stdout``, so that is done here, around those calls only.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
from collections.abc import Iterator
from typing import Any

from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError


@contextlib.contextmanager
def import_path(project: ProjectConfig) -> Iterator[None]:
    """The project's root and ``pythonpath`` first on ``sys.path`` for the block; afterwards
    ``sys.path`` is as it was (also undoing what env.py or Alembic added meanwhile)."""
    saved = sys.path[:]
    for entry in (*project.pythonpath, project.root):
        if str(entry) not in sys.path:
            sys.path.insert(0, str(entry))
    try:
        yield
    finally:
        sys.path[:] = saved


@contextlib.contextmanager
def running(project: ProjectConfig) -> Iterator[None]:
    """Around a call that executes env.py or revision files: :func:`import_path`, and their
    prints captured (and dropped)."""
    with import_path(project), contextlib.redirect_stdout(io.StringIO()):
        yield


def load_metadata(project: ProjectConfig) -> Any:
    """The project's ``metadata = "module:attr"`` (a SQLAlchemy MetaData), or None if not set.
    An import that fails is the project's error: one line, naming the config key."""
    spec = project.metadata
    if not spec:
        return None
    module_name, _, attribute = spec.partition(":")
    key = f"{project.display_path}: metadata"
    try:
        with import_path(project):
            obj: Any = importlib.import_module(module_name)
    except Exception as error:  # the user's module failed to import: show why, one line
        raise ConfigError(
            f"{key}: cannot import {module_name!r}: {type(error).__name__}: {error}",
            hint="pythonpath in the config adds folders to the import path",
        ) from error
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ConfigError(f"{key}: {module_name!r} has no attribute {attribute!r}") from None
    from sqlalchemy import MetaData

    if not isinstance(obj, MetaData):
        raise ConfigError(f"{key}: {spec} is a {type(obj).__name__}, not a sqlalchemy MetaData")
    return obj
