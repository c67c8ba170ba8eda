"""How files are shown to the user, and which frames of a traceback are the project's migrations."""

from __future__ import annotations

import contextlib
import functools
import os
import traceback
from pathlib import Path
from types import TracebackType

from dbctl.config.model import ProjectConfig

_DBCTL = str(Path(__file__).resolve().parents[1]) + os.sep  # dbctl's own files: never the project's


@functools.lru_cache(maxsize=64)
def _resolved_dir(directory: str) -> Path:
    return Path(directory).resolve()


def _resolved(path: str) -> Path:
    """``Path(path).resolve()``, resolving each folder once: upgrades show the path of every
    revision they apply, and resolving 500 of them one by one took 40 ms."""
    if not os.path.isabs(path) or os.path.islink(path):
        return Path(path).resolve()
    directory, name = os.path.split(path)
    return _resolved_dir(directory) / name if name not in ("", ".", "..") else Path(path).resolve()


def display_path(path: str) -> str:
    """A file's path as shown to the user: relative to the working directory when below it."""
    p = _resolved(path)
    with contextlib.suppress(ValueError):
        return str(p.relative_to(Path.cwd()))
    return str(p)


def relative_to(path: str, cwd: str) -> str:
    """:func:`display_path` of an already resolved path."""
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else path


def migration_file_in(tb: TracebackType | None, project: ProjectConfig) -> tuple[str, int] | None:
    """The innermost frame of the traceback that lies in a versions directory: (file, line)."""
    dirs = [str(d.resolve()) for d in project.versions_dirs]
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = str(Path(frame.f_code.co_filename).resolve())
        if any(filename.startswith(d + os.sep) for d in dirs):
            found = (filename, lineno)
    return found


def project_frame(tb: TracebackType | None, project: ProjectConfig) -> tuple[str, int] | None:
    """The innermost frame of the traceback in the project's own files (below its root, its
    ``pythonpath`` or its script_location, but not in an installed package): (file, line)."""
    roots = {str(p.resolve()) for p in (project.root, project.script_location, *project.pythonpath)}
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename.startswith("<"):  # <frozen os>, <string>: no file of theirs
            continue
        filename = str(Path(frame.f_code.co_filename).resolve())
        if "site-packages" in filename or "dist-packages" in filename or filename.startswith(_DBCTL):
            continue
        if any(filename.startswith(root + os.sep) for root in roots):
            found = (filename, lineno)
    return found
