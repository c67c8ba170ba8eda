"""A throwaway PostgreSQL cluster for the test suite.

``PgCluster`` runs ``initdb`` into a fresh temporary directory, starts the server with
``pg_ctl start -w`` on a free TCP port of 127.0.0.1 (plus a unix socket inside the
temporary directory), and on ``stop()`` shuts it down with ``pg_ctl stop -m immediate`` and
removes the directory.

* TCP connections use ``scram-sha-256`` authentication, so a wrong password really fails;
  unix-socket connections (used only for administration) are trusted.
* Durability is switched off (``fsync``, ``synchronous_commit``, ``full_page_writes``):
  the data is thrown away anyway and this keeps start-up and DDL fast.
* PostgreSQL refuses to run as root. When the tests run as root, ``initdb``, ``pg_ctl`` and
  therefore the server run as an unprivileged account instead (the ``postgres`` system
  user if it exists, else ``nobody``); the temporary directory is chowned to that account.
* ``stop()`` is idempotent and is also registered with ``atexit`` before the server is
  started, so an interrupted session does not leave a server behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["PgCluster", "PgClusterError", "RunAs", "find_pg_binaries"]

# Environment variables that would make the PostgreSQL tools talk to some other server.
_PG_ENV_VARS = (
    "PGDATA",
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGPASSFILE",
    "PGDATABASE",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGOPTIONS",
    "PGSSLMODE",
)

# Settings appended to postgresql.conf: fast and quiet, not durable.
_SERVER_SETTINGS: dict[str, str] = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "'256MB'",
    "checkpoint_timeout": "'30min'",
    "autovacuum": "off",
    "jit": "off",
    "shared_buffers": "'32MB'",
    "max_connections": "100",
    "password_encryption": "'scram-sha-256'",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
    "logging_collector": "off",
    "timezone": "'UTC'",
}

# Unix socket paths are limited to about 107 bytes; leave room for "/.s.PGSQL.65535".
_MAX_SOCKET_DIR_LEN = 90


class PgClusterError(RuntimeError):
    """The cluster could not be created or started (the message says why)."""


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account the PostgreSQL tools run as when we are root."""

    name: str
    uid: int
    gid: int


def find_pg_binaries(bindir: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """Return the paths of ``initdb`` and ``pg_ctl``.

    Looks in ``bindir`` if given, else on ``PATH``. Raises ``FileNotFoundError`` naming the
    missing programs.
    """
    search = os.fspath(bindir) if bindir is not None else None
    found = {name: shutil.which(name, path=search) for name in ("initdb", "pg_ctl")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        where = f"in {search}" if search else "on PATH"
        raise FileNotFoundError(f"{', '.join(missing)} not found {where}")
    return found["initdb"], found["pg_ctl"]  # type: ignore[return-value]


def _unprivileged_account() -> RunAs | None:
    """The account to run PostgreSQL as, or None when we are not root."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if entry.pw_uid != 0:
            return RunAs(name=name, uid=entry.pw_uid, gid=entry.pw_gid)
    raise PgClusterError("running as root, and neither a 'postgres' nor a 'nobody' account exists to run PostgreSQL as")


def _searchable_by_others(path: Path) -> bool:
    """True if every ancestor of ``path`` can be traversed by an arbitrary other user."""
    for parent in [path, *path.parents]:
        try:
            mode = parent.stat().st_mode
        except OSError:
            return False
        if not mode & stat.S_IXOTH:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class PgCluster:
    """A throwaway PostgreSQL cluster; use as a context manager or call start()/stop().

    After ``start()`` the attributes ``host``, ``port``, ``user`` and ``password`` describe
    how to reach it over TCP, and ``url(dbname, driver)`` builds a SQLAlchemy URL.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        user: str = "dbctl",
        password: str | None = None,
        bindir: str | os.PathLike[str] | None = None,
        start_timeout: int = 60,
    ) -> None:
        self.user = user
        self.password = password if password is not None else secrets.token_urlsafe(18)
        self.start_timeout = start_timeout
        self._initdb, self._pg_ctl = find_pg_binaries(bindir)
        self.port: int | None = None
        self.base_dir: Path | None = None
        self.run_as: RunAs | None = None
        self.started = False
        self.startup_seconds: float | None = None
        self._stopped = False

    # -- paths ------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_file(self) -> Path:
        return self._base() / "server.log"

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PgClusterError("the cluster has not been created yet")
        return self.base_dir

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> PgCluster:
        """Create the cluster and start the server; raise PgClusterError on failure."""
        if self.started:
            return self
        began = time.perf_counter()
        self.run_as = _unprivileged_account()
        atexit.register(self.stop)
        try:
            self._make_base_dir()
            self._initdb_cluster()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        self.started = True
        self.startup_seconds = time.perf_counter() - began
        return self

    def stop(self) -> None:
        """Stop the server (immediate mode) and delete the directory; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.started = False
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        base = self.base_dir
        if base is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                try:
                    self._run(
                        [self._pg_ctl, "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30"],
                        timeout=60,
                    )
                except (PgClusterError, subprocess.TimeoutExpired):
                    self._kill_postmaster()
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- connection helpers -----------------------------------------------------------------

    def url(self, dbname: str, driver: str = "psycopg") -> str:
        """A SQLAlchemy URL, e.g. ``postgresql+psycopg://dbctl:PASSWORD@127.0.0.1:PORT/dbname``."""
        if self.port is None:
            raise PgClusterError("the cluster is not running")
        user = quote(self.user, safe="")
        password = quote(self.password, safe="")
        return f"postgresql+{driver}://{user}:{password}@{self.host}:{self.port}/{quote(dbname, safe='')}"

    def conninfo(self, dbname: str = "postgres", **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``psycopg.connect`` (TCP, password authentication)."""
        params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": dbname,
            "connect_timeout": 10,
        }
        params.update(overrides)
        return params

    def connect(self, dbname: str = "postgres", *, autocommit: bool = True, **overrides: Any) -> Any:
        """A psycopg connection (autocommit by default); the caller closes it."""
        import psycopg

        return psycopg.connect(autocommit=autocommit, **self.conninfo(dbname, **overrides))

    def create_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def __repr__(self) -> str:
        state = "running" if self.started else "stopped"
        return f"<PgCluster {self.user}@{self.host}:{self.port} {state}>"

    # -- internals --------------------------------------------------------------------------

    def _make_base_dir(self) -> None:
        parent = Path(tempfile.gettempdir())
        if self.run_as is not None and not _searchable_by_others(parent):
            # The server runs as another user and must be able to reach its data directory.
            parent = Path("/tmp")
        if len(str(parent)) > _MAX_SOCKET_DIR_LEN - 30:
            parent = Path("/tmp")
        self.base_dir = Path(tempfile.mkdtemp(prefix="dbctl-pg-", dir=parent))
        self.socket_dir.mkdir()
        pwfile = self._base() / "pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if self.run_as is not None:
            for path in (self.base_dir, self.socket_dir, pwfile):
                os.chown(path, self.run_as.uid, self.run_as.gid)

    def _initdb_cluster(self) -> None:
        pwfile = self._base() / "pwfile"
        self._run(
            [
                self._initdb,
                "--pgdata",
                str(self.data_dir),
                "--username",
                self.user,
                "--pwfile",
                str(pwfile),
                "--auth-host=scram-sha-256",
                "--auth-local=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
                "--no-instructions",
            ],
            timeout=120,
        )
        pwfile.unlink()
        settings = dict(_SERVER_SETTINGS)
        socket_dir = str(self.socket_dir).replace("'", "''")
        settings["unix_socket_directories"] = f"'{socket_dir}'"
        lines = ["", "# added by the dbctl test suite: throwaway cluster, not durable"]
        lines += [f"{key} = {value}" for key, value in settings.items()]
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def _start_server(self) -> None:
        last_error: PgClusterError | None = None
        for _attempt in range(3):
            self.port = _free_port(self.host)
            try:
                self._run(
                    [
                        self._pg_ctl,
                        "start",
                        "-D",
                        str(self.data_dir),
                        "-l",
                        str(self.log_file),
                        "-w",
                        "-t",
                        str(self.start_timeout),
                        "-o",
                        f"-p {self.port}",
                    ],
                    timeout=self.start_timeout + 30,
                )
                return
            except PgClusterError as exc:
                # Most likely another process grabbed the port in the meantime: try another.
                last_error = exc
                self._kill_postmaster()
        assert last_error is not None
        raise last_error

    def _kill_postmaster(self) -> None:
        """Last resort when pg_ctl cannot stop the server: SIGKILL the postmaster."""
        if self.base_dir is None:
            return
        pidfile = self.data_dir / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            pidfile.unlink()

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in _PG_ENV_VARS}
        env["LC_ALL"] = "C"
        env.pop("LANG", None)
        if self.run_as is not None:
            env["HOME"] = str(self._base())
            env["USER"] = env["LOGNAME"] = self.run_as.name
        return env

    def _run(self, argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, Any] = {}
        if self.run_as is not None:
            kwargs.update(user=self.run_as.uid, group=self.run_as.gid, extra_groups=[])
        try:
            proc = subprocess.run(
                argv,
                cwd=self._base(),
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=timeout,
                check=False,
                **kwargs,
            )
        except OSError as exc:
            raise PgClusterError(f"could not run {Path(argv[0]).name}: {exc}") from exc
        if proc.returncode != 0:
            message = f"{Path(argv[0]).name} exited with status {proc.returncode}"
            details = proc.stdout.strip()
            log = _tail(self.log_file) if self.base_dir is not None else ""
            if log:
                details = f"{details}\n--- server log ---\n{log}".strip()
            raise PgClusterError(f"{message}\n{details}" if details else message)
        return proc
