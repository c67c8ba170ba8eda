"""Resolve a target name to a usable URL (parsed by :mod:`dbctl.urls`).

No SQLAlchemy import here: `dbctl targets` and `dbctl check` must start fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from dbctl.config.interpolate import MalformedReference, MissingVariable, interpolate
from dbctl.config.model import ProjectConfig, TargetConfig
from dbctl.errors import TargetError, UsageError
from dbctl.redact import register_secret
from dbctl.urls import DIALECT_ALIASES, parse_url, redact_url

CHOSEN_BY_ENV = "(chosen by env.py)"
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}
ASYNC_DRIVERS = {"aiosqlite", "asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aioodbc", "pysqlite_async"}


@dataclass(frozen=True)
class ResolvedTarget:
    """A target ready to connect to. ``url`` holds the password: never print it."""

    name: str
    url: str
    display_url: str
    dialect: str
    driver: str
    host: str | None
    port: int | None
    database: str | None
    protected: bool
    lock_timeout: float | None
    statement_timeout: float | None
    connect_timeout: float
    # True while the configuration names no URL: the project's env.py chooses the database,
    # and dbctl learns which one when env.py configures its context (see with_url()).
    chosen_by_env: bool = False
    purpose: str = ""  # how messages name it, when not "target 'NAME'"

    @property
    def described(self) -> str:
        """How messages name this database: "target 'prod'", or its purpose."""
        return self.purpose or f"target '{self.name}'"

    @property
    def is_async(self) -> bool:
        return self.driver in ASYNC_DRIVERS

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def where(self) -> str:
        """Where the database lives, for messages: host:port/db, or the SQLite file."""
        if self.is_sqlite:
            return self.database or ":memory:"
        host = self.host or "localhost"
        number = self.port or DEFAULT_PORTS.get(self.dialect)
        port = f":{number}" if number else ""
        return f"{host}{port}/{self.database or ''}"


@dataclass(frozen=True)
class TargetInfo:
    """What `dbctl targets` shows about one target (never the password)."""

    name: str
    dialect: str | None
    driver: str | None
    url: str
    protected: bool
    default: bool
    error: str | None = None


def select_target(project: ProjectConfig, name: str | None) -> TargetConfig:
    """The configured target called ``name``, or the default one."""
    if name is None:
        if project.default_target is None:
            if len(project.targets) == 1:
                return next(iter(project.targets.values()))
            raise TargetError(
                f"{project.display_path}: no target given and no default_target configured",
                hint=_known_hint(project) + "; pass -t NAME or set default_target",
            )
        name = project.default_target
    try:
        return project.targets[name]
    except KeyError:
        raise TargetError(f"unknown target '{name}' in {project.display_path}", hint=_known_hint(project)) from None


def _known_hint(project: ProjectConfig) -> str:
    if not project.targets:
        return "no targets are configured: add a [targets.NAME] table with a url"
    return "known targets: " + ", ".join(sorted(project.targets))


def resolve_target(project: ProjectConfig, name: str | None) -> ResolvedTarget:
    """Interpolate, normalise and validate the URL of a target. A target without a URL (its
    env.py chooses the database) comes back ``chosen_by_env``, for :func:`with_url` later."""
    target = select_target(project, name)
    unresolved = ResolvedTarget(
        name=target.name,
        url="",
        display_url=CHOSEN_BY_ENV,
        dialect="",
        driver="",
        host=None,
        port=None,
        database=None,
        protected=target.protected,
        lock_timeout=target.lock_timeout,
        statement_timeout=target.statement_timeout,
        connect_timeout=target.connect_timeout,
        chosen_by_env=True,
    )
    if target.url is None:
        return unresolved
    key = f"{project.display_path}: {'tool.dbctl.' if project.in_pyproject else ''}targets.{target.name}.url"
    try:
        url = interpolate(target.url)
    except MissingVariable as exc:
        raise TargetError(
            f"{key}: environment variable {exc.name} is not set",
            hint=f"export {exc.name}=..., or write ${{{exc.name}:-default}} in the config",
        ) from None
    except MalformedReference:
        raise TargetError(f"{key}: malformed ${{...}} reference") from None
    return with_url(unresolved, url, project.root, key)


def with_url(target: ResolvedTarget, url: str, root: Path, key: str | None = None) -> ResolvedTarget:
    """``target`` at ``url`` (the configured one, or the one env.py chose): parsed, the password
    learnt for scrubbing, relative SQLite paths resolved against ``root``. ``key`` names the URL
    in errors."""
    key = key or f"the URL env.py chose for {target.described}"
    parts = parse_url(url, key)
    if parts.password:
        register_secret(parts.password)
    url = parts.rebuild(root, key)
    return replace(
        target,
        url=url,
        display_url=redact_url(url),
        dialect=parts.dialect,
        driver=parts.driver,
        host=parts.host,
        port=parts.port,
        database=parts.sqlite_path(root, key) if parts.dialect == "sqlite" else parts.database,
        chosen_by_env=False,
    )


def dialect_of(raw_url: str | None) -> str | None:
    """The dialect a raw configured URL names as written, never reading the environment: the
    literal scheme (``postgresql://u:${PGPW}@db/app`` is PostgreSQL whether ``PGPW`` is set or
    not), or the scheme of a ``${VAR:-default}``'s default (``${DATABASE_URL:-sqlite:///dev.db}``
    is SQLite). None when the scheme itself hides behind a variable (``${DATABASE_URL}``), or
    for no URL (env.py chooses the database)."""
    if raw_url is None:
        return None
    try:
        written = interpolate(raw_url, _EMPTY_ENVIRONMENT)
    except MalformedReference:
        return None
    match = _SCHEME.match(written)
    if not match:
        return None
    dialect = match["scheme"].partition("+")[0].lower()
    return DIALECT_ALIASES.get(dialect, dialect)


class _EmptyEnvironment(dict[str, str]):
    """Every variable set and empty: ``${VAR}`` reads as "", ``${VAR:-default}`` as its default."""

    def get(self, key: str, default: object = None) -> str:  # type: ignore[override]
        return ""


_EMPTY_ENVIRONMENT = _EmptyEnvironment()
_SCHEME = re.compile(r"^\s*(?P<scheme>[A-Za-z][A-Za-z0-9+._-]*)://")


def target_dialects(project: ProjectConfig) -> dict[str, str | None]:
    """The dialect each target names statically (:func:`dialect_of`); a target without a URL
    (env.py chooses) takes the one of the Alembic project's ``sqlalchemy.url``, if any."""
    fallback = project.alembic.url if project.alembic is not None else None
    return {name: dialect_of(t.url if t.url is not None else fallback) for name, t in project.targets.items()}


def configured_dialects(project: ProjectConfig) -> set[str]:
    """The dialects the targets name statically (:func:`target_dialects`); with no target, the
    one of the Alembic project's ``sqlalchemy.url``. Never depends on the environment."""
    if not project.targets:
        url = project.alembic.url if project.alembic is not None else None
        return {d} if (d := dialect_of(url)) else set()
    return {d for d in target_dialects(project).values() if d}


def describe_targets(project: ProjectConfig) -> list[TargetInfo]:
    """Everything `dbctl targets` lists; a target whose URL cannot be resolved says why."""
    infos = []
    for name, target in project.targets.items():
        is_default = name == project.default_target
        try:
            resolved = resolve_target(project, name)
        except TargetError as exc:
            infos.append(
                TargetInfo(name, None, None, redact_url(target.url or ""), target.protected, is_default, exc.message)
            )
            continue
        dialect, driver = (None, None) if resolved.chosen_by_env else (resolved.dialect, resolved.driver)
        infos.append(TargetInfo(name, dialect, driver, resolved.display_url, target.protected, is_default))
    return infos


def expand_targets(project: ProjectConfig, names: Sequence[str] | None, all_targets: bool) -> list[str | None]:
    """Target and group names to target names, in order, without repeats. No names and not
    ``all_targets`` means the default target (``[None]``)."""
    if all_targets:
        return list(project.targets)
    if not names:
        return [None]
    result: list[str | None] = []
    for name in names:
        if name in project.groups:
            members: Sequence[str] = project.groups[name]
        elif name in project.targets:
            members = [name]
        else:
            known = sorted(project.targets) + [f"{g} (group)" for g in sorted(project.groups)]
            raise TargetError(
                f"unknown target or group '{name}' in {project.display_path}",
                hint="known: " + ", ".join(known) if known else "no targets are configured",
            )
        result += [member for member in members if member not in result]
    return result


def select_targets(
    project: ProjectConfig, names: Sequence[str] | None, all_targets: bool
) -> tuple[list[str | None], bool]:
    """The targets a command runs on (:func:`expand_targets`), every URL checked (and its
    password learnt for scrubbing) before anything runs, and whether that is a multi-target run
    (several names, a group, or ``all_targets``)."""
    selected = expand_targets(project, names, all_targets)
    for target in selected:
        resolve_target(project, target)
    fan_out = all_targets or len(names or ()) > 1 or any(n in project.groups for n in names or ())
    return selected, fan_out


def single_target(project: ProjectConfig, names: Sequence[str], command: str) -> str | None:
    """The one target ``names`` (target or group names) name for a ``command`` that runs on one
    target only; None when ``names`` is empty. :raises UsageError: they name several."""
    if not names:
        return None
    selected, _ = select_targets(project, names, False)
    if len(selected) != 1:
        listed = ", ".join(str(name) for name in selected)
        raise UsageError(
            f"{command} takes one target, not {len(selected)} ({listed}); nothing was done",
            hint=f"run `dbctl {command}` once per target, each with its own -t",
        )
    return selected[0]
