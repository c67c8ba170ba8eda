"""The API's one entry to the bridge: :class:`Executor`, Alembic for one project and
(optionally) one target. It holds no logic of its own; each job lives in its module:

* :mod:`~dbctl.alembic_bridge.config`: the Alembic ``Config`` built from the project;
* :mod:`~dbctl.alembic_bridge.scripts`: the revision scripts, history, heads, the graph;
* :mod:`~dbctl.alembic_bridge.runner`: upgrade / downgrade / stamp under the lock;
* :mod:`~dbctl.alembic_bridge.autogen`: revision and merge;
* :mod:`~dbctl.alembic_bridge.offline`: ``--sql``;
* :mod:`~dbctl.alembic_bridge.ledger`, :mod:`~dbctl.alembic_bridge.connect`,
  :mod:`~dbctl.alembic_bridge.lock`, :mod:`~dbctl.alembic_bridge.errors`,
  :mod:`~dbctl.alembic_bridge.usercode`: what those share.

Alembic and SQLAlchemy are imported where they are used: `history` and `heads` on a plain
linear history read the revision files without them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.alembic_bridge.config import hands_over_connection
from dbctl.alembic_bridge.paths import display_path
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import load_metadata
from dbctl.config.model import ProjectConfig
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, WaitCallback
from dbctl.errors import DbctlError
from dbctl.results import MigrateResult, RevisionInfo, RevisionResult
from dbctl.targets import ResolvedTarget

if TYPE_CHECKING:
    from dbctl.alembic_bridge import ledger
    from dbctl.alembic_bridge.runner import NextCallback, StepCallback

__all__ = ["Executor", "display_path"]


class Executor:
    """Alembic for one project and (optionally) one target."""

    def __init__(self, project: ProjectConfig, target: ResolvedTarget | None = None) -> None:
        self.project = project
        self.target = target
        self.scripts = Scripts(project)
        self.notices: list[str] = []  # what the user should know about this run

    @property
    def hands_over_connection(self) -> bool:
        """Whether the project's env.py takes dbctl's connection (see :mod:`.config`)."""
        return hands_over_connection(self.project)

    def display_path(self, path: str) -> str:
        return display_path(path)

    def env_options(self) -> dict[str, Any]:
        """What the project's env.py passes to ``context.configure()`` (see :mod:`.discover`)."""
        from dbctl.alembic_bridge.discover import env_options

        return env_options(self.scripts, self.target)

    def load_metadata(self) -> Any:
        """The project's SQLAlchemy MetaData (``metadata = "module:attr"``), or None."""
        return load_metadata(self.project)

    # -- the scripts ----------------------------------------------------------------------------
    def history(self, rev_range: str | None = None) -> list[RevisionInfo]:
        """Revisions newest first, optionally limited to ``base:head``-style ``rev_range``."""
        return self.scripts.history(rev_range)

    def heads(self) -> list[RevisionInfo]:
        return self.scripts.heads()

    def head_ids(self) -> tuple[str, ...]:
        return self.scripts.head_ids()

    def show(self, rev: str) -> RevisionInfo:
        return self.scripts.show(rev)

    def ancestors(self, start: tuple[str, ...]) -> set[str]:
        """``start`` and every revision below it (what a database at ``start`` has applied)."""
        return self.scripts.graph().ancestors(start)

    def pending(self, current: tuple[str, ...]) -> list[RevisionInfo]:
        """Revisions reachable from the heads but not yet applied below ``current``, oldest first."""
        return self.scripts.infos(self.scripts.graph().between(self.head_ids(), current))

    def checksums(self) -> dict[str, str | None]:
        return self.scripts.checksums()

    # -- the target's state ---------------------------------------------------------------------
    def _require_target(self) -> ResolvedTarget:
        """The target, at the database env.py chooses when the configuration names none (see
        :mod:`.discover`; said once in :attr:`notices`)."""
        if self.target is None:
            raise DbctlError("this command needs a target")
        if self.target.chosen_by_env:
            from dbctl.alembic_bridge.discover import discover

            self.target = discover(self.scripts, self.target)
            self.notices.append(f"{self.target.name}: {self.target.display_url} (chosen by env.py)")
        return self.target

    @staticmethod
    def read_current(connection: Any) -> tuple[str, ...]:
        """The revisions recorded in alembic_version; leaves no transaction open."""
        from dbctl.alembic_bridge.runner import read_current

        return read_current(connection)

    def _missing_sqlite_file(self) -> bool:
        """True (and said in :attr:`notices`) when the target is a SQLite file that does not
        exist: reading it would create it, so read commands report it instead."""
        target = self._require_target()
        path = target.database
        if not target.is_sqlite or not path or path == ":memory:" or path.startswith("file:"):
            return False
        if Path(path).exists() or not Path(path).parent.is_dir():
            return False  # no folder: connecting fails (unreachable, exit 3) and creates nothing
        self.notices.append(f"{target.name}: the SQLite file {path} does not exist yet (nothing applied)")
        return True

    def current(self) -> tuple[str, ...]:
        from dbctl.alembic_bridge.connect import run_on_connection

        if self._missing_sqlite_file():
            return ()
        return run_on_connection(self._require_target(), self.read_current)

    def modified_since_applied(self, connection: Any, current: tuple[str, ...]) -> list[RevisionInfo]:
        """Applied revisions whose file no longer has the checksum the ledger recorded."""
        from dbctl.alembic_bridge import ledger

        entries = ledger.latest(connection)
        sums = self.checksums()
        applied = self.ancestors(current)
        changed = []
        for rev in self.scripts.walk():
            entry = entries.get(rev.revision)
            if rev.revision not in applied or entry is None or entry.direction == "downgrade":
                continue
            if entry.checksum and sums.get(rev.revision) and entry.checksum != sums[rev.revision]:
                changed.append(self.scripts.info(rev))
        return changed

    def state(self) -> tuple[tuple[str, ...], list[RevisionInfo]]:
        """The current revisions and the applied revisions whose files changed, in one connection."""
        from dbctl.alembic_bridge.connect import run_on_connection

        def read(connection: Any) -> tuple[tuple[str, ...], list[RevisionInfo]]:
            current = self.read_current(connection)
            return current, self.modified_since_applied(connection, current)

        if self._missing_sqlite_file():
            return (), []
        return run_on_connection(self._require_target(), read)

    def history_on_target(self, rev_range: str | None) -> list[RevisionInfo]:
        """:meth:`history` with ``applied`` and ``applied_at`` filled in from the target."""
        from dbctl.alembic_bridge import ledger
        from dbctl.alembic_bridge.connect import run_on_connection

        items = self.history(rev_range)

        def read(connection: Any) -> tuple[tuple[str, ...], dict[str, ledger.LedgerEntry]]:
            return self.read_current(connection), ledger.latest(connection)

        if self._missing_sqlite_file():
            current, entries = (), {}
        else:
            current, entries = run_on_connection(self._require_target(), read)
        applied = self.ancestors(current)
        result = []
        for item in items:
            entry = entries.get(item.revision)
            when = entry.applied_at.isoformat() if entry and entry.direction != "downgrade" else None
            result.append(
                replace(item, applied=item.revision in applied, applied_at=when if item.revision in applied else None)
            )
        return result

    # -- changing things ------------------------------------------------------------------------
    def migrate(
        self,
        command_name: str,
        revision: str,
        on_step: StepCallback | None = None,
        *,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
        on_lock_wait: WaitCallback | None = None,
        on_next: NextCallback | None = None,
    ) -> MigrateResult:
        """Run ``upgrade``, ``downgrade`` or ``stamp`` to ``revision`` on the target, holding the
        migration lock (see :func:`.runner.migrate`)."""
        from dbctl.alembic_bridge import runner

        result = runner.migrate(
            self.scripts,
            self._require_target(),
            command_name,
            revision,
            on_step=on_step,
            lock_timeout=lock_timeout,
            on_lock_wait=on_lock_wait,
            on_next=on_next,
        )
        return replace(result, notices=(*self.notices, *result.notices))

    def offline_sql(self, command_name: str, revision: str) -> str:
        """The SQL script of ``upgrade``/``downgrade`` for the target's dialect (see :mod:`.offline`)."""
        from dbctl.alembic_bridge.offline import offline_sql

        return offline_sql(self.scripts, self._require_target(), command_name, revision)

    def revision(self, message: str, *, autogenerate: bool, empty: bool = False) -> RevisionResult:
        """Write a new revision (see :func:`.autogen.revision`)."""
        from dbctl.alembic_bridge import autogen

        target = self._require_target() if autogenerate else self.target
        result = autogen.revision(self.scripts, target, message, autogenerate=autogenerate, empty=empty)
        return replace(result, notices=(*self.notices, *result.notices))

    def merge(self, message: str | None) -> RevisionResult:
        """Write a merge revision joining the current heads."""
        from dbctl.alembic_bridge import autogen

        return autogen.merge(self.scripts, message)
