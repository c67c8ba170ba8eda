"""The first law: the named database or nothing.

Every ``env.py`` — dbctl's, Alembic's templates, a project's own — ends in one call,
``context.configure(connection=... | url=... | dialect_name=...)``: the one place where it tells
Alembic which database it works on. While dbctl runs an Alembic command, the
:class:`alembic.runtime.environment.EnvironmentContext` the command creates has a ``configure``
that first checks that database against the one dbctl names, before a single statement runs,
and then adds what dbctl's guarantees need (per-revision hooks, one transaction per revision,
the ledger kept out of autogenerate) to whatever ``env.py`` passed.

That is done by a factory installed as ``alembic.command.EnvironmentContext`` for the duration
of one command and put back after: Alembic's commands look that name up when they run, and
Alembic is not thread-safe anyway (``EnvironmentContext`` installs module-global proxies), so a
scoped swap changes nothing another thread could rely on.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dbctl.errors import WrongDatabase
from dbctl.targets import DEFAULT_PORTS

FIX_HINT = (
    'read the URL with config.get_main_option("sqlalchemy.url"), or use the connection dbctl passes '
    'in config.attributes["connection"]'
)


@dataclass(frozen=True)
class DatabaseIdentity:
    """What makes two URLs the same database: the backend, where it lives and its name. The
    driver, the user, the password and the query (session options) do not change which
    database it is."""

    backend: str
    host: str | None
    port: int | None
    database: str | None

    @classmethod
    def of(cls, url: Any) -> DatabaseIdentity:
        """The identity of a URL string or a SQLAlchemy ``URL``."""
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        backend = parsed.get_backend_name()
        if backend == "sqlite":
            name = parsed.database
            if name and name != ":memory:" and not name.startswith("file:"):
                name = os.path.realpath(os.path.expanduser(name))  # relative: to the working directory
            return cls(backend, None, None, name or ":memory:")
        host = (parsed.host or "").lower() or None
        port = parsed.port or DEFAULT_PORTS.get(backend)
        return cls(backend, host, port, parsed.database)


def shown(url: Any) -> str:
    """A URL for messages, password hidden."""
    from sqlalchemy.engine import make_url

    with contextlib.suppress(Exception):
        return make_url(url).render_as_string(hide_password=True)
    return "(unreadable URL)"


@dataclass
class ConfigurePolicy:
    """What dbctl requires of, and adds to, every ``context.configure`` call of one command.

    ``expected`` is the URL dbctl works on (None: the configuration names none, and the first
    database env.py configures becomes the target: ``on_database`` is called with its URL,
    password included, before anything runs there). ``purpose`` names it in messages
    ("target 'prod'", "dbctl's temporary database for check --drift")."""

    expected: str | None
    purpose: str
    own_connection: Any = None  # the connection dbctl handed over in config.attributes
    on_database: Callable[[str], None] | None = None
    on_configure: Callable[[dict[str, Any]], None] | None = None  # sees env.py's options, checked
    on_version_apply: Callable[..., None] | None = None
    exclude_tables: frozenset[str] = frozenset()
    per_revision_transactions: bool = True
    defaults: dict[str, Any] = field(default_factory=dict)  # options env.py may set otherwise
    notices: list[str] = field(default_factory=list)
    chosen_url: str | None = None  # the URL env.py chose, when ``expected`` was None
    configured: bool = False  # env.py configured the expected database once already

    def check(self, connection: Any, url: Any, dialect_name: str | None) -> None:
        """Refuse (:class:`WrongDatabase`) unless env.py configured the expected database."""
        if connection is not None and connection is self.own_connection:
            return
        if connection is not None:
            actual = connection.engine.url.render_as_string(hide_password=False)
        elif url is not None:
            actual = url if isinstance(url, str) else url.render_as_string(hide_password=False)
        else:
            actual = None
        expected = self.expected or self.chosen_url
        if expected is None:
            if actual is None:
                raise WrongDatabase(
                    f"env.py configured only a dialect ({dialect_name}), no database, and the configuration names none",
                    hint="set sqlalchemy.url, or a dbctl target with a url",
                )
            self.chosen_url = actual
            if self.on_database is not None:
                self.on_database(actual)
            return
        if actual is None or connection is None and url is not None:
            # offline (--sql): only the dialect matters, nothing connects
            got = dialect_name or DatabaseIdentity.of(actual).backend
            want = DatabaseIdentity.of(expected).backend
            if got != want:
                raise WrongDatabase(
                    f"env.py renders SQL for {got}, but {self.purpose} is {want} ({shown(expected)}); nothing was run",
                    hint=FIX_HINT,
                )
            return
        if DatabaseIdentity.of(actual) != DatabaseIdentity.of(expected):
            if self.configured or self.expected is None:
                raise WrongDatabase(
                    f"env.py configures a second database ({shown(actual)}) after {shown(expected)}; nothing was run",
                    hint="dbctl runs one database per target (Alembic's multidb env.py configures several)",
                )
            raise WrongDatabase(
                f"env.py connects to {shown(actual)}, not to {self.purpose} ({shown(expected)}); nothing was run",
                hint=FIX_HINT,
            )
        self.configured = True

    def amend(self, options: dict[str, Any]) -> dict[str, Any]:
        """env.py's configure() options with dbctl's hooks added (env.py's own kept)."""
        options = {**self.defaults, **options}
        theirs = options.get("on_version_apply")
        ours = self.on_version_apply
        if ours is not None and theirs != ours:  # dbctl's env.py passes ours on already
            options["on_version_apply"] = _both(theirs, ours)
        if self.exclude_tables:
            options["include_object"] = _without(options.get("include_object"), self.exclude_tables)
            options["include_name"] = _without_name(options.get("include_name"), self.exclude_tables)
        if self.per_revision_transactions:
            if "transaction_per_migration" not in options:
                options["transaction_per_migration"] = True
            elif not options["transaction_per_migration"]:
                self.note(
                    "env.py sets transaction_per_migration=False: all revisions run in one transaction, "
                    "so a failing revision also rolls back the ones before it"
                )
        return options

    def prepare_connection(self, connection: Any) -> None:
        """Make a SQLite connection env.py opened run each revision's DDL in a transaction, as
        dbctl's own connections do: Python's sqlite3 does not begin one before DDL, so a failed
        revision would leave half its tables behind."""
        if (
            not self.per_revision_transactions
            or connection is None
            or connection is self.own_connection
            or connection.dialect.name != "sqlite"
        ):
            return
        if connection.in_transaction():
            self.note(
                "env.py's SQLite connection was already in a transaction when it configured Alembic: "
                "DDL is not transactional on it, so a failing revision may be left half-applied"
            )
            return
        from sqlalchemy import event

        connection.connection.dbapi_connection.isolation_level = None
        event.listen(connection, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))

    def note(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


def _both(first: Callable[..., None] | None, second: Callable[..., None]) -> Callable[..., None]:
    if first is None:
        return second

    def call(*args: Any, **kw: Any) -> None:
        first(*args, **kw)
        second(*args, **kw)

    return call


def _without(include_object: Callable[..., bool] | None, tables: frozenset[str]) -> Callable[..., bool]:
    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        if getattr(table, "name", name) in tables:
            return False
        return include_object is None or include_object(obj, name, type_, reflected, compare_to)

    return include


def _without_name(include_name: Callable[..., bool] | None, tables: frozenset[str]) -> Callable[..., bool]:
    def include(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "table" and name in tables:
            return False
        return include_name is None or include_name(name, type_, parent_names)

    return include


@contextlib.contextmanager
def guarded(policy: ConfigurePolicy) -> Iterator[ConfigurePolicy]:
    """Run Alembic commands inside this block with ``policy`` applied to every configure()."""
    import alembic.command
    from alembic.runtime.environment import EnvironmentContext

    def environment(*args: Any, **kw: Any) -> EnvironmentContext:
        # A real EnvironmentContext whose configure() is checked first. An instance attribute,
        # not a subclass: Alembic's `context` proxy is set up for EnvironmentContext itself and
        # forwards to the instance's attributes when the context is entered.
        context = EnvironmentContext(*args, **kw)
        configure = context.configure

        def checked(connection: Any = None, url: Any = None, dialect_name: str | None = None, **options: Any) -> None:
            policy.check(connection, url, dialect_name)
            if policy.on_configure is not None:
                policy.on_configure(options)
            policy.prepare_connection(connection)
            configure(connection=connection, url=url, dialect_name=dialect_name, **policy.amend(options))

        context.configure = checked  # type: ignore[method-assign]
        return context

    original = alembic.command.EnvironmentContext
    alembic.command.EnvironmentContext = environment  # type: ignore[misc,assignment]
    try:
        yield policy
    finally:
        alembic.command.EnvironmentContext = original  # type: ignore[misc]


def policy_for(
    target: Any,
    *,
    own_connection: Any = None,
    on_version_apply: Callable[..., None] | None = None,
    per_revision_transactions: bool = False,
) -> ConfigurePolicy:
    """The policy for a command on ``target`` (a :class:`~dbctl.targets.ResolvedTarget`):
    env.py must configure the target's database; dbctl's ledger stays out of autogenerate."""
    from dbctl.alembic_bridge.ledger import LEDGER_TABLE

    return ConfigurePolicy(
        expected=None if target is None or target.chosen_by_env else target.url,
        purpose="the target" if target is None else target.described,
        own_connection=own_connection,
        on_version_apply=on_version_apply,
        exclude_tables=frozenset({LEDGER_TABLE}),
        per_revision_transactions=per_revision_transactions,
    )
