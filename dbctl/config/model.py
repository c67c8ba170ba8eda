"""Frozen dataclasses describing a validated configuration.

Target URLs are kept raw (``${VAR}`` not yet expanded): a target is interpolated only when it
is used, so an unset ``DATABASE_URL`` for ``prod`` never breaks a command run against ``dev``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dbctl.config.alembic_files import AlembicSettings

SEVERITIES = ("info", "warning", "error")  # lint severities, lowest first


@dataclass(frozen=True)
class TargetConfig:
    """One ``[targets.NAME]`` table."""

    name: str
    url: str | None  # raw, may contain ${VAR}; None: the project's env.py chooses the database
    protected: bool = False
    lock_timeout: float | None = None  # seconds
    statement_timeout: float | None = None  # seconds
    connect_timeout: float = 10.0  # seconds


@dataclass(frozen=True)
class LintConfig:
    """The ``[lint]`` table."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    dialects: tuple[str, ...] = ()
    start_after: str | None = None
    fail_on: str = "error"
    # objects whose model/schema differences `dbctl check --drift` does not report:
    # "table.NAME", "table.NAME.column.COL", "index.NAME", "constraint.NAME" (* wildcards)
    drift_ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectConfig:
    """A whole, validated configuration."""

    path: Path  # the dbctl.toml or pyproject.toml it came from
    root: Path  # the folder of that file: relative paths resolve against it
    script_location: Path
    version_locations: tuple[Path, ...]
    metadata: str | None
    default_target: str | None
    targets: dict[str, TargetConfig]
    groups: dict[str, tuple[str, ...]]
    lint: LintConfig
    pythonpath: tuple[Path, ...] = ()
    in_pyproject: bool = False
    alembic: AlembicSettings | None = None  # the alembic.ini / [tool.alembic] it builds on
    x_arguments: tuple[str, ...] = ()  # `-x key=value` for env.py's context.get_x_argument()

    @property
    def versions_dirs(self) -> tuple[Path, ...]:
        """Where the revision files live: ``version_locations``, else ``script_location/versions``."""
        return self.version_locations or (self.script_location / "versions",)

    @property
    def display_path(self) -> str:
        """The config file's name as shown in messages (with the table for pyproject)."""
        if self.in_pyproject:
            return f"{self.path.name} [tool.dbctl]"
        if self.alembic is not None and self.path in (self.alembic.ini, self.alembic.toml):
            return self.alembic.display_path
        return self.path.name
