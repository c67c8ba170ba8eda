"""Resolve a target name to a usable URL, and render URLs with the password hidden.

No SQLAlchemy import here: `dbctl targets` and `dbctl check` must start fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from dbctl.config.interpolate import MalformedReference, MissingVariable, interpolate
from dbctl.config.model import ProjectConfig, TargetConfig
from dbctl.errors import TargetError
from dbctl.redact import MASK, register_secret

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+._-]*)://(?P<rest>.*)$", re.S)
_USERINFO = re.compile(r"^[^:/?#@]*(?::[^@]*)?@")  # SQLAlchemy's rule: the password ends at '@'
_LOOSE_PASSWORD = re.compile(r":\S*@")
DEFAULT_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306, "mssql": 1433, "oracle": 1521}
ASYNC_DRIVERS = {"aiosqlite", "asyncpg", "psycopg_async", "aiomysql", "asyncmy", "aioodbc", "pysqlite_async"}
DIALECT_ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "sqlite3": "sqlite"}


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
    """Interpolate, normalise and validate the URL of a target."""
    target = select_target(project, name)
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
    parts = parse_url(url, key)
    if parts.password:
        register_secret(parts.password)
    url = parts.rebuild(project.root)
    return ResolvedTarget(
        name=target.name,
        url=url,
        display_url=redact_url(url),
        dialect=parts.dialect,
        driver=parts.driver,
        host=parts.host,
        port=parts.port,
        database=parts.sqlite_path(project.root) if parts.dialect == "sqlite" else parts.database,
        protected=target.protected,
        lock_timeout=target.lock_timeout,
        statement_timeout=target.statement_timeout,
        connect_timeout=target.connect_timeout,
    )


@dataclass(frozen=True)
class UrlParts:
    dialect: str
    driver: str
    user: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: str
    raw_rest: str

    def sqlite_path(self, root: Path) -> str | None:
        """The absolute file path of a SQLite URL (None for an in-memory database)."""
        db = self.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return db or None
        path = Path(db).expanduser()
        return str(path if path.is_absolute() else (root / path).resolve())

    def rebuild(self, root: Path) -> str:
        """The URL with the default driver filled in and a relative SQLite path made absolute."""
        scheme = f"{self.dialect}+{self.driver}"
        if self.dialect == "sqlite":
            path = self.sqlite_path(root)
            query = f"?{self.query}" if self.query else ""
            return f"{scheme}:///{path or ''}{query}"
        return f"{scheme}://{self.raw_rest}"


def parse_url(url: str, key: str = "url") -> UrlParts:
    """Split a database URL (SQLAlchemy form); raise TargetError naming ``key`` if it is not one."""
    match = _SCHEME.match(url.strip())
    if not match:
        raise TargetError(
            f"{key}: not a database URL: {redact_url(url)!r}",
            hint="expected dialect[+driver]://user:password@host:port/database, e.g. sqlite:///app.db",
        )
    scheme, rest = match["scheme"], match["rest"]
    dialect, _, driver = scheme.partition("+")
    dialect = DIALECT_ALIASES.get(dialect.lower(), dialect.lower())
    driver = driver or DEFAULT_DRIVERS.get(dialect, "")
    rest_no_query, _, query = rest.partition("?")
    if dialect == "sqlite":
        # sqlite:///relative.db -> rest "/relative.db"; sqlite:////abs.db -> "//abs.db"
        database = rest_no_query[1:] if rest_no_query.startswith("/") else rest_no_query
        return UrlParts(dialect, driver, None, None, None, None, database or None, query, rest)
    userinfo, after = _split_userinfo(rest)
    hostport, _, database = after.partition("?")[0].partition("/")
    user, colon, password = (userinfo or "").partition(":")
    host, port = hostport, None
    if hostport.startswith("["):  # IPv6 literal
        host, _, tail = hostport[1:].partition("]")
        hostport_port = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, hostport_port = hostport.partition(":")
    if hostport_port:
        if not hostport_port.isdigit():
            raise TargetError(f"{key}: port {hostport_port!r} is not a number")
        port = int(hostport_port)
    return UrlParts(
        dialect=dialect,
        driver=driver,
        user=unquote(user) or None,
        password=unquote(password) if colon else None,
        host=host or None,
        port=port,
        database=unquote(database) or None,
        query=query,
        raw_rest=rest,
    )


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also when the URL is malformed)."""
    match = _SCHEME.match(url.strip())
    if not match:
        # Not a URL, but it may still hold "user:password@host": mask generously.
        return _LOOSE_PASSWORD.sub(f":{MASK}@", url)
    scheme, rest = match["scheme"], match["rest"]
    userinfo, after = _split_userinfo(rest)
    if userinfo is not None and ":" in userinfo:
        return f"{scheme}://{userinfo.partition(':')[0]}:{MASK}@{after}"
    return f"{scheme}://{rest}"


def _split_userinfo(rest: str) -> tuple[str | None, str]:
    """Split what follows ``scheme://`` into the ``user:password`` part (None if there is no
    ``@``) and the rest. As in SQLAlchemy, a password may hold unencoded ``/ ? # :``: it ends
    at an ``@``; an ``@`` before the first ``/`` (``p@ss@host``) ends it at the last one."""
    head = rest.partition("/")[0]
    if "@" in head:
        userinfo = head.rpartition("@")[0]
        return userinfo, rest[len(userinfo) + 1 :]
    match = _USERINFO.match(rest)
    if match:
        return rest[: match.end() - 1], rest[match.end() :]
    return None, rest


def dialect_of(raw_url: str) -> str | None:
    """The dialect of a raw configured URL, or None when it cannot be known without expanding
    a variable that is unset (``${DATABASE_URL}``)."""
    try:
        return parse_url(interpolate(raw_url)).dialect
    except (MissingVariable, MalformedReference, TargetError):
        return None


def configured_dialects(project: ProjectConfig) -> set[str]:
    """The dialects of every target whose URL can be read (lint scopes rules by these)."""
    return {d for t in project.targets.values() if (d := dialect_of(t.url))}


def describe_targets(project: ProjectConfig) -> list[TargetInfo]:
    """Everything `dbctl targets` lists; a target whose URL cannot be resolved says why."""
    infos = []
    for name, target in project.targets.items():
        is_default = name == project.default_target
        try:
            resolved = resolve_target(project, name)
        except TargetError as exc:
            infos.append(
                TargetInfo(name, None, None, redact_url(target.url), target.protected, is_default, exc.message)
            )
            continue
        infos.append(
            TargetInfo(name, resolved.dialect, resolved.driver, resolved.display_url, target.protected, is_default)
        )
    return infos
