"""Which files to lint: the versions directories, explicit paths, and files changed since a git ref."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from dbctl.errors import ConfigError, UsageError

__all__ = ["changed_since", "expand_paths", "migration_files"]


def migration_files(dirs: Iterable[Path], *, required: bool = True) -> list[str]:
    """Every ``*.py`` file (not ``__init__.py``) directly in ``dirs``, as resolved path strings."""
    files: set[str] = set()
    found_dir = False
    for folder in dirs:
        if not folder.is_dir():
            continue
        found_dir = True
        files.update(_py_files(folder))
    if required and not found_dir:
        shown = ", ".join(str(d) for d in dirs)
        raise ConfigError(
            f"no versions directory: {shown} does not exist",
            hint="run `dbctl init`, or set script_location / version_locations in the config",
        )
    return sorted(files)


def _py_files(folder: Path) -> list[str]:
    """``*.py`` files directly in ``folder`` except ``__init__.py`` (resolving the folder once)."""
    base = folder.resolve()
    with os.scandir(base) as entries:
        return [
            os.path.join(base, e.name)
            for e in entries
            if e.name.endswith(".py") and e.name != "__init__.py" and e.is_file()
        ]


def expand_paths(paths: Iterable[Path]) -> list[str]:
    """The ``*.py`` files named by ``paths`` (folders: the files directly in them), resolved."""
    files: set[str] = set()
    for path in paths:
        if path.is_dir():
            files.update(_py_files(path))
        elif path.is_file():
            files.add(str(path.resolve()))
        else:
            raise UsageError(f"{path}: no such file or directory")
    return sorted(files)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("--since needs git, and git is not installed") from None


def changed_since(root: Path, ref: str) -> set[str]:
    """Resolved paths of files added, copied, modified or renamed since ``ref``, plus untracked
    files, in the git repository that holds ``root``."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"--since {ref!r}: not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], root)
    if top.returncode != 0:
        raise UsageError(f"--since needs a git repository, and {root} is not in one")
    toplevel = Path(top.stdout.strip())
    if _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], toplevel).returncode != 0:
        raise UsageError(f"--since {ref}: unknown git revision", hint="fetch it first (e.g. git fetch origin main)")
    diff = _git(["diff", "--name-only", "-z", "--diff-filter=ACMR", ref, "--"], toplevel)
    if diff.returncode != 0:
        raise UsageError(f"--since {ref}: git diff failed: {diff.stderr.strip()}")
    untracked = _git(["ls-files", "-z", "--others", "--exclude-standard"], toplevel)
    names = [n for n in (diff.stdout + "\0" + untracked.stdout).split("\0") if n]
    return {str((toplevel / name).resolve()) for name in names}
