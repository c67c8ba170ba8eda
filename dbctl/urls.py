"""The one database-URL parser of the start-up path (``dbctl targets``, ``dbctl check``, config
loading), where importing SQLAlchemy would cost more than the whole command.

It reads URLs as SQLAlchemy's ``make_url`` does (tests compare the two field by field), with
one deliberate difference: a password holding an unencoded ``@`` (``u:p@ss@host``) ends at the
last ``@`` before the first ``/``, where SQLAlchemy would take ``ss@host`` for the host and
print half the password in "could not resolve host". :meth:`UrlParts.rebuild` then writes the
user and password percent-encoded, so SQLAlchemy reads the same fields as this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from dbctl.errors import TargetError
from dbctl.redact import MASK

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+._-]*)://(?P<rest>.*)$", re.S)
_USERINFO = re.compile(r"^[^:/?#@]*(?::[^@]*)?@")  # SQLAlchemy's rule: the password ends at '@'
_LOOSE_PASSWORD = re.compile(r":\S*@")
_QUERY_PASSWORD = re.compile(r"(?P<head>(?:^|&)password=)(?P<pw>[^&]*)", re.I)
DEFAULT_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}
DIALECT_ALIASES = {"postgres": "postgresql", "pgsql": "postgresql", "sqlite3": "sqlite"}
URL_HINT = "expected dialect[+driver]://user:password@host:port/database, e.g. sqlite:///app.db"


@dataclass(frozen=True)
class UrlParts:
    """A parsed URL; ``user``, ``password`` and ``database`` are percent-decoded."""

    dialect: str
    driver: str
    user: str | None
    password: str | None
    host: str | None
    port: int | None
    database: str | None
    query: str
    raw_rest: str  # all after "scheme://", as written
    after_userinfo: str  # host, port, database and query as written

    def sqlite_path(self, root: Path, key: str = "url") -> str | None:
        """The absolute file path of a SQLite URL (None for an in-memory database); ``~`` and
        ``~user`` are expanded, and one that names no known user is a :class:`TargetError`."""
        db = self.database
        if not db or db == ":memory:" or db.startswith("file:"):
            return db or None
        try:
            path = Path(db).expanduser()
        except RuntimeError:  # ~name of no user, or no home directory at all
            first = db.split("/", 1)[0]
            raise TargetError(
                f"{key}: cannot expand {first!r} in the SQLite path: no such user or home directory",
                hint="write the path out, or make it relative to the config file",
            ) from None
        return str(path if path.is_absolute() else (root / path).resolve())

    def rebuild(self, root: Path, key: str = "url") -> str:
        """The URL to connect with: the default driver filled in, a relative SQLite path made
        absolute, the user and password percent-encoded (so any password survives)."""
        scheme = f"{self.dialect}+{self.driver}"
        if self.dialect == "sqlite":
            path = self.sqlite_path(root, key)
            query = f"?{self.query}" if self.query else ""
            return f"{scheme}:///{path or ''}{query}"
        if "@" not in self.raw_rest[: len(self.raw_rest) - len(self.after_userinfo) - 1]:
            return f"{scheme}://{self.raw_rest}"  # SQLAlchemy splits it as written
        userinfo = quote(self.user or "", safe="")
        if self.password is not None:
            userinfo += ":" + quote(self.password, safe="")
        return f"{scheme}://{userinfo}@{self.after_userinfo}"


def parse_url(url: str, key: str = "url") -> UrlParts:
    """Split a database URL (SQLAlchemy form); raise :class:`TargetError` naming ``key`` if it
    is not one."""
    match = _SCHEME.match(url.strip())
    if not match:
        raise TargetError(f"{key}: not a database URL: {redact_url(url)!r}", hint=URL_HINT)
    scheme, rest = match["scheme"], match["rest"]
    dialect, _, driver = scheme.partition("+")
    dialect = DIALECT_ALIASES.get(dialect.lower(), dialect.lower())
    driver = driver or DEFAULT_DRIVERS.get(dialect, "")
    rest_no_query, _, query = rest.partition("?")
    if dialect == "sqlite":
        # sqlite:///relative.db -> rest "/relative.db"; sqlite:////abs.db -> "//abs.db"
        database = rest_no_query[1:] if rest_no_query.startswith("/") else rest_no_query
        return UrlParts(dialect, driver, None, None, None, None, database or None, query, rest, rest)
    userinfo, after = _split_userinfo(rest)
    location, _, query = after.partition("?")
    hostport, _, database = location.partition("/")
    user, colon, password = (userinfo or "").partition(":")
    if hostport.startswith("["):  # IPv6 literal
        host, _, tail = hostport[1:].partition("]")
        port_text = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port_text = hostport.partition(":")
    port = None
    if port_text:
        if not port_text.isdigit():
            raise TargetError(f"{key}: port {port_text!r} is not a number", hint=URL_HINT)
        port = int(port_text)
    return UrlParts(
        dialect=dialect,
        driver=driver,
        user=unquote(user) or None,
        password=unquote(password) if colon else None,
        host=unquote(host) or None,
        port=port,
        database=unquote(database) or None,
        query=query,
        raw_rest=rest,
        after_userinfo=after,
    )


def redact_url(url: str) -> str:
    """``url`` as written, with its password (also a ``password=`` query parameter) replaced by
    ``***``; text that is not a URL but holds ``user:password@host`` is masked generously."""
    match = _SCHEME.match(url.strip())
    if not match:
        return _LOOSE_PASSWORD.sub(f":{MASK}@", url)
    scheme, rest = match["scheme"], match["rest"]
    userinfo, after = _split_userinfo(rest)
    location, question, query = after.partition("?")
    if query:
        after = location + question + _QUERY_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", query)
    if userinfo is None:
        return f"{scheme}://{after}"
    if ":" in userinfo:
        return f"{scheme}://{userinfo.partition(':')[0]}:{MASK}@{after}"
    return f"{scheme}://{userinfo}@{after}"


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
