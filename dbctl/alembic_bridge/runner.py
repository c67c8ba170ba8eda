"""Running ``upgrade``, ``downgrade`` and ``stamp`` on a target, under its migration lock.

A :class:`MigrationRun` holds the state of one run: where the database was, the plan it
announces (``on_next``), the steps it reports (``on_step``) and the ledger rows it writes.
How env.py takes part is a strategy:

* :class:`HandOverConnection` for the env.py `dbctl init` writes: dbctl opens the connection
  and hands it over;
* :class:`ClassicEnv` for any other env.py, which opens its own connection.

Both run Alembic through :meth:`MigrationRun.invoke`, the one place env.py is executed, under
the identity guard (:mod:`.guard`): whatever env.py passes to ``context.configure()`` must be
the target's database, and dbctl adds its hooks there — ``on_version_apply`` (each revision is
reported and recorded in the ledger inside its own transaction), one transaction per revision,
the ledger left out of autogenerate. Where env.py makes one of these impossible, the run's
``notices`` say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from dbctl.alembic_bridge import ledger
from dbctl.alembic_bridge.config import alembic_config, check_script_location, hands_over_connection
from dbctl.alembic_bridge.connect import run_on_connection
from dbctl.alembic_bridge.errors import migration_errors
from dbctl.alembic_bridge.guard import ConfigurePolicy, guarded, policy_for
from dbctl.alembic_bridge.lock import migration_lock
from dbctl.alembic_bridge.paths import display_path
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import running
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, WaitCallback
from dbctl.results import MigrateResult, RevisionInfo, StepResult
from dbctl.targets import ResolvedTarget

if TYPE_CHECKING:
    from alembic.config import Config

StepCallback = Callable[[StepResult], None]
NextCallback = Callable[[RevisionInfo], None]  # the revision about to run
Revisions = tuple[str, ...]


def read_current(connection: Any) -> Revisions:
    """The revisions recorded in alembic_version; leaves no transaction open."""
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    connection.commit()
    return tuple(heads)


class MigrationRun:
    """One ``command_name`` to ``revision`` on ``target``, started once the lock is held."""

    def __init__(
        self,
        scripts: Scripts,
        target: ResolvedTarget,
        command_name: str,
        revision: str,
        sums: dict[str, str | None],
        on_step: StepCallback | None = None,
        on_next: NextCallback | None = None,
    ) -> None:
        from alembic import command

        self.scripts, self.target, self.sums = scripts, target, sums
        self.command_name, self.revision = command_name, revision
        self.on_step, self.on_next = on_step, on_next
        self._command: Callable[[Config, str], Any] = getattr(command, command_name)
        self.steps: list[StepResult] = []
        self.notices: list[str] = []
        self.plan: list[str] = []  # revisions still to announce through on_next
        self.baseline: dict[str, str | None] | None = None  # set when the ledger does not exist yet
        self.started = self.clock = time.perf_counter()

    def prepare(self, connection: Any) -> Revisions:
        """Read where the database is (under the lock), plan what to announce, and note the
        ledger's baseline if there is no ledger yet."""
        before = read_current(connection)
        graph = self.scripts.graph()
        if self.command_name == "upgrade" and self.revision in ("head", "heads"):
            self.plan = graph.between(self.scripts.head_ids(), before)
        elif self.command_name == "downgrade" and self.revision == "base":
            self.plan = list(reversed(graph.between(before, ())))
        if not ledger.exists(connection):
            self.baseline = {rev: self.sums.get(rev) for rev in graph.ancestors(before)}
        connection.commit()
        return before

    def invoke(self, cfg: Config, policy: ConfigurePolicy) -> None:
        """Run the Alembic command: env.py and the revisions, with failures as MigrationFailed,
        under ``policy`` (the identity guard and dbctl's hooks)."""
        project = self.scripts.project
        check_script_location(project, env=True)
        with (
            guarded(policy),
            migration_errors(project, self.scripts.revision_at, self.steps, self.command_name),
            running(project),
        ):
            self._command(cfg, self.revision)
        self.notices.extend(policy.notices)

    def policy(self, own_connection: Any = None) -> ConfigurePolicy:
        return policy_for(
            self.target,
            own_connection=own_connection,
            on_version_apply=self.on_version_apply,
            per_revision_transactions=True,
        )

    def announce_next(self) -> None:
        """Tell ``on_next`` the revision that runs now, when the plan is plain (up to the heads,
        down to base)."""
        if self.on_next is not None and self.plan:
            self.on_next(self.scripts.info(self.scripts.get(self.plan.pop(0))))

    def on_version_apply(self, ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        """Alembic's hook after each revision, inside its transaction: report it and record it."""
        now = time.perf_counter()
        rev_id = step.up_revision_id
        if rev_id is None:  # a stamp to base
            return
        rev = step.up_revision
        direction = "stamp" if not step.is_migration else ("upgrade" if step.is_upgrade else "downgrade")
        result = StepResult(
            revision=rev_id,
            message=(getattr(rev, "doc", "") or "").strip(),
            direction=direction,
            seconds=now - self.clock,
            path=display_path(rev.path) if getattr(rev, "path", None) else None,
        )
        # Same transaction as the revision: the ledger never records what was rolled back,
        # and a run that applies nothing (or fails on its first revision) creates no ledger.
        if self.baseline is not None:
            ledger.ensure(ctx.connection, self.baseline, commit=False)
            self.baseline = None
        ledger.record(ctx.connection, rev_id, direction, self.sums.get(rev_id), result.seconds)
        self.clock = now
        self.steps.append(result)
        if self.on_step is not None:
            self.on_step(result)
        self.announce_next()

    def result(self, before: Revisions, after: Revisions) -> MigrateResult:
        return MigrateResult(
            target=self.target.name,
            command=self.command_name,
            before=before,
            after=after,
            steps=tuple(self.steps),
            seconds=time.perf_counter() - self.started,
            notices=tuple(self.notices),
        )


class EnvStrategy(Protocol):
    """How env.py takes part in a run: returns (before, after)."""

    def execute(self, run: MigrationRun) -> tuple[Revisions, Revisions]: ...


class HandOverConnection:
    """dbctl's own env.py: one connection from dbctl, Alembic's per-revision hook."""

    def execute(self, run: MigrationRun) -> tuple[Revisions, Revisions]:
        def on_connection(connection: Any) -> tuple[Revisions, Revisions]:
            before = run.prepare(connection)
            cfg = alembic_config(
                run.scripts.project, run.target, connection=connection, on_version_apply=run.on_version_apply
            )
            run.announce_next()
            run.clock = time.perf_counter()
            run.invoke(cfg, run.policy(own_connection=connection))
            if connection.in_transaction():
                connection.commit()
            return before, read_current(connection)

        return run_on_connection(run.target, on_connection, write=True)


class ClassicEnv:
    """An env.py that opens its own connection (from ``sqlalchemy.url``, or its own settings):
    dbctl reads the state before and after on connections of its own; the guard checks that
    env.py's connection is the same database and adds the per-revision hook to it."""

    def execute(self, run: MigrationRun) -> tuple[Revisions, Revisions]:
        before = run_on_connection(run.target, run.prepare, write=True)
        run.announce_next()
        run.clock = time.perf_counter()
        run.invoke(alembic_config(run.scripts.project, run.target), run.policy())
        after = run_on_connection(run.target, read_current)
        return before, after


def strategy_for(scripts: Scripts) -> EnvStrategy:
    """The strategy the project's env.py calls for."""
    return HandOverConnection() if hands_over_connection(scripts.project) else ClassicEnv()


def migrate(
    scripts: Scripts,
    target: ResolvedTarget,
    command_name: str,
    revision: str,
    *,
    on_step: StepCallback | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    on_lock_wait: WaitCallback | None = None,
    on_next: NextCallback | None = None,
) -> MigrateResult:
    """Run ``upgrade``, ``downgrade`` or ``stamp`` to ``revision`` on ``target``, holding the
    migration lock; the current revision is read only once the lock is held."""
    # Everything that needs no database happens before the lock, so that deploys queued on
    # the lock wait only for each other's migrations: imports, loading the graph, checksums.
    import alembic.command  # noqa: F401

    scripts.graph()
    sums = scripts.checksums()
    strategy = strategy_for(scripts)
    with migration_lock(target, lock_timeout, on_lock_wait):
        run = MigrationRun(scripts, target, command_name, revision, sums, on_step, on_next)
        before, after = strategy.execute(run)
        return run.result(before, after)
