"""Every call into Alembic goes through :class:`Executor`, which turns Alembic's objects into
result dataclasses and Alembic's errors into :mod:`dbctl.errors`."""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import io
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.alembic_bridge.headers import linear_chain, read_revision_headers
from dbctl.config.model import ProjectConfig
from dbctl.deploy.locking import DEFAULT_LOCK_TIMEOUT, WaitCallback, migration_lock
from dbctl.errors import ConfigError, DbctlError, MigrationFailed, RevisionError, UsageError
from dbctl.results import MigrateResult, RevisionInfo, RevisionResult, StepResult
from dbctl.targets import ResolvedTarget, configured_dialects

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import Script, ScriptDirectory
    from alembic.util import CommandError

    from dbctl.alembic_bridge import ledger

# Alembic and SQLAlchemy are imported where they are used: `history` and `heads` on a plain
# linear history read the revision files without them (see _linear_history).

ENV_MARKER = "dbctl-env:"
StepCallback = Callable[[StepResult], None]
NextCallback = Callable[[RevisionInfo], None]  # the revision about to run


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class Executor:
    """Alembic for one project and (optionally) one target."""

    def __init__(self, project: ProjectConfig, target: ResolvedTarget | None = None) -> None:
        self.project = project
        self.target = target
        self._script: ScriptDirectory | None = None
        for entry in (*project.pythonpath, project.root):
            if str(entry) not in sys.path:
                sys.path.insert(0, str(entry))

    # -- configuration --------------------------------------------------------------------
    def _check_script_location(self) -> None:
        if not self.project.script_location.is_dir():
            raise ConfigError(
                f"{self.project.display_path}: script_location: {self.project.script_location} does not exist",
                hint="run `dbctl init`, or point script_location at your Alembic directory",
            )

    def alembic_config(self, **attributes: Any) -> Config:
        """An in-memory Alembic Config (no alembic.ini) with Python objects in ``attributes``."""
        self._check_script_location()
        from alembic.config import Config

        from dbctl.alembic_bridge.connect import url_with_session_options

        cfg = Config(stdout=io.StringIO(), attributes=attributes)
        cfg.set_main_option("script_location", _escape(str(self.project.script_location)))
        cfg.set_main_option("path_separator", "os")
        cfg.set_main_option("version_path_separator", "os")
        if self.project.version_locations:
            joined = os.pathsep.join(str(p) for p in self.project.version_locations)
            cfg.set_main_option("version_locations", _escape(joined))
        if self.target is not None:
            cfg.set_main_option("sqlalchemy.url", _escape(url_with_session_options(self.target)))
        if self.project.metadata:
            cfg.set_main_option("dbctl.metadata", _escape(self.project.metadata))
        return cfg

    @property
    def hands_over_connection(self) -> bool:
        """True for env.py files written by `dbctl init`: they accept dbctl's connection.
        A classic env.py runs unmodified and opens its own from ``sqlalchemy.url``."""
        env = self.project.script_location / "env.py"
        try:
            return ENV_MARKER in env.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False

    # -- the script directory -------------------------------------------------------------
    def script(self) -> ScriptDirectory:
        if self._script is None:
            import warnings

            from alembic.script import ScriptDirectory

            # Alembic reports a broken graph as warnings (printed raw) and then fails with a bare
            # KeyError; turn the first such warning into the one-line error it deserves.
            with warnings.catch_warnings(record=True) as caught, _alembic_errors(self.project):
                warnings.simplefilter("always")
                try:
                    script = ScriptDirectory.from_config(self.alembic_config())
                    # Loading is lazy; walk once so that a broken file fails here, clearly.
                    list(script.walk_revisions())
                except (KeyError, AttributeError) as error:
                    raise _graph_error(caught, error, self.project) from error
                graph_warning = _graph_error(caught, None, self.project)
                if graph_warning is not None:
                    raise graph_warning
            self._script = script
        return self._script

    def revision_info(self, rev: Script) -> RevisionInfo:
        return RevisionInfo(
            revision=rev.revision,
            down_revision=_tuple(rev.down_revision),
            message=(rev.doc or "").strip(),
            is_head=rev.is_head,
            is_base=rev.is_base,
            is_merge=rev.is_merge_point,
            branch_labels=tuple(sorted(rev.branch_labels or ())),
            depends_on=_tuple(rev.dependencies),
            path=self.display_path(rev.path),
            doc=(rev.longdoc or "").strip(),
        )

    def display_path(self, path: str) -> str:
        return display_path(path)

    def _linear_history(self) -> list[RevisionInfo] | None:
        """The whole history, newest first, read from the revision files without importing
        Alembic or executing them, when that gives exactly what Alembic would: every file's
        module-level ``revision``/``down_revision`` (and ``branch_labels``/``depends_on``, if
        any, empty) are plain literals, the file compiles, and the revisions form one chain
        from one base. Anything else (branches, labels, dependencies, computed values, a file
        that does not compile) returns None, and Alembic loads the scripts as before.

        Loading means importing Alembic and SQLAlchemy and executing every file: most of the
        time of `dbctl history` and `dbctl heads` on a long history (see bench/RESULTS.md)."""
        if self._script is not None:
            return None
        self._check_script_location()
        headers = read_revision_headers(_versions_dirs(self.project))
        if headers is None:
            return None
        chain = linear_chain(headers)
        if chain is None:
            return None
        cwd = os.getcwd()
        last = len(chain) - 1
        return [
            RevisionInfo(
                revision=h.revision,
                down_revision=(h.down_revision,) if h.down_revision else (),
                message=h.longdoc.split("\n\n")[0].strip(),
                is_head=index == last,
                is_base=h.down_revision is None,
                is_merge=False,
                branch_labels=(),
                depends_on=(),
                path=_relative_to(h.path, cwd),
                doc=h.longdoc,
            )
            for index, h in reversed(list(enumerate(chain)))
        ]

    def history(self, rev_range: str | None = None) -> list[RevisionInfo]:
        """Revisions newest first, optionally limited to ``base:head``-style ``rev_range``."""
        if not rev_range and (linear := self._linear_history()) is not None:
            return linear
        script = self.script()
        lower, upper = "base", "heads"
        if rev_range:
            if ":" not in rev_range:
                raise RevisionError(f"history range {rev_range!r} must be START:END (e.g. base:head, -3:)")
            lower, _, upper = rev_range.partition(":")
            lower, upper = lower or "base", upper or "heads"
        with _alembic_errors(self.project):
            return [self.revision_info(r) for r in script.walk_revisions(base=lower, head=upper)]

    def heads(self) -> list[RevisionInfo]:
        if (linear := self._linear_history()) is not None:
            return linear[:1]
        script = self.script()
        with _alembic_errors(self.project):
            return [self.revision_info(script.get_revision(h)) for h in script.get_heads()]

    def show(self, rev: str) -> RevisionInfo:
        script = self.script()
        with _alembic_errors(self.project):
            revisions = script.get_revisions(rev)
        if len(revisions) != 1 or revisions[0] is None:
            raise RevisionError(f"'{rev}' names {len(revisions)} revisions; give exactly one")
        return self.revision_info(revisions[0])  # type: ignore[arg-type]

    def head_ids(self) -> tuple[str, ...]:
        return tuple(self.script().get_heads())

    def ancestors(self, start: tuple[str, ...]) -> set[str]:
        """``start`` and every revision below it (what a database at ``start`` has applied)."""
        revisions = {r.revision: r for r in self.script().walk_revisions()}
        seen: set[str] = set()
        stack = list(start)
        while stack:
            rev = stack.pop()
            if rev in seen or rev not in revisions:
                continue
            seen.add(rev)
            stack.extend(_tuple(revisions[rev].down_revision))
            stack.extend(_tuple(revisions[rev].dependencies))
        return seen

    def pending(self, current: tuple[str, ...]) -> list[RevisionInfo]:
        """Revisions reachable from the heads but not yet applied below ``current``, oldest first."""
        todo = self.ancestors(self.head_ids()) - self.ancestors(current)
        ordered = [r for r in reversed(list(self.script().walk_revisions())) if r.revision in todo]
        return [self.revision_info(r) for r in ordered]

    def checksums(self) -> dict[str, str | None]:
        from dbctl.alembic_bridge import ledger

        return {r.revision: ledger.checksum(r.path) for r in self.script().walk_revisions()}

    def modified_since_applied(self, connection: Any, current: tuple[str, ...]) -> list[RevisionInfo]:
        """Applied revisions whose file no longer has the checksum the ledger recorded."""
        from dbctl.alembic_bridge import ledger

        entries = ledger.latest(connection)
        sums = self.checksums()
        applied = self.ancestors(current)
        changed = []
        for rev in self.script().walk_revisions():
            entry = entries.get(rev.revision)
            if rev.revision not in applied or entry is None or entry.direction == "downgrade":
                continue
            if entry.checksum and sums.get(rev.revision) and entry.checksum != sums[rev.revision]:
                changed.append(self.revision_info(rev))
        return changed

    def state(self) -> tuple[tuple[str, ...], list[RevisionInfo]]:
        """The current revisions and the applied revisions whose files changed, in one connection."""
        from dbctl.alembic_bridge.connect import run_on_connection

        def read(connection: Any) -> tuple[tuple[str, ...], list[RevisionInfo]]:
            current = self.read_current(connection)
            return current, self.modified_since_applied(connection, current)

        return run_on_connection(self._require_target(), read)

    def history_on_target(self, rev_range: str | None) -> list[RevisionInfo]:
        """:meth:`history` with ``applied`` and ``applied_at`` filled in from the target."""
        from dbctl.alembic_bridge import ledger
        from dbctl.alembic_bridge.connect import run_on_connection

        items = self.history(rev_range)

        def read(connection: Any) -> tuple[tuple[str, ...], dict[str, ledger.LedgerEntry]]:
            return self.read_current(connection), ledger.latest(connection)

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

    # -- database state -------------------------------------------------------------------
    def _require_target(self) -> ResolvedTarget:
        if self.target is None:
            raise DbctlError("this command needs a target")
        return self.target

    @staticmethod
    def read_current(connection: Any) -> tuple[str, ...]:
        """The revisions recorded in alembic_version; leaves no transaction open."""
        from alembic.runtime.migration import MigrationContext

        heads = MigrationContext.configure(connection).get_current_heads()
        connection.commit()
        return tuple(heads)

    def current(self) -> tuple[str, ...]:
        from dbctl.alembic_bridge.connect import run_on_connection

        return run_on_connection(self._require_target(), self.read_current)

    # -- upgrade / downgrade / stamp ------------------------------------------------------
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
        migration lock; the current revision is read only once the lock is held."""
        target = self._require_target()
        # Everything that needs no database happens before the lock, so that deploys queued on
        # the lock wait only for each other's migrations: imports, loading the graph, checksums.
        from alembic import command

        self.script()
        sums = self.checksums()
        with migration_lock(target, lock_timeout, on_lock_wait):
            return self._migrate_locked(
                target, getattr(command, command_name), command_name, revision, on_step, sums, on_next
            )

    def _migrate_locked(
        self,
        target: ResolvedTarget,
        run: Callable[[Config, str], Any],
        command_name: str,
        revision: str,
        on_step: StepCallback | None,
        sums: dict[str, str | None],
        on_next: NextCallback | None = None,
    ) -> MigrateResult:
        from dbctl.alembic_bridge import ledger
        from dbctl.alembic_bridge.connect import run_on_connection

        script = self.script()
        steps: list[StepResult] = []
        clock = [time.perf_counter()]
        baseline: dict[str, str | None] | None = None  # set when the ledger does not exist yet

        def on_version_apply(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
            nonlocal baseline
            now = time.perf_counter()
            rev = step.up_revision
            direction = "stamp" if not step.is_migration else ("upgrade" if step.is_upgrade else "downgrade")
            rev_id = step.up_revision_id
            if rev_id is None:  # a stamp to base
                return
            result = StepResult(
                revision=rev_id,
                message=(getattr(rev, "doc", "") or "").strip(),
                direction=direction,
                seconds=now - clock[0],
                path=self.display_path(rev.path) if getattr(rev, "path", None) else None,
            )
            # Same transaction as the revision: the ledger never records what was rolled back,
            # and a run that applies nothing (or fails on its first revision) creates no ledger.
            if baseline is not None:
                ledger.ensure(ctx.connection, baseline, commit=False)
                baseline = None
            ledger.record(ctx.connection, rev_id, direction, sums.get(rev_id), result.seconds)
            clock[0] = now
            steps.append(result)
            if on_step is not None:
                on_step(result)
            announce_next()

        started = time.perf_counter()
        plan: list[str] = []

        def announce_next() -> None:
            # The revision that runs now, when the plan is plain (up to the heads, down to base).
            if on_next is not None and plan:
                on_next(self.revision_info(script.get_revision(plan.pop(0))))

        def prepare(connection: Any) -> tuple[str, ...]:
            nonlocal baseline
            before = self.read_current(connection)
            if command_name == "upgrade" and revision in ("head", "heads"):
                plan[:] = self._between(self.head_ids(), before)
            elif command_name == "downgrade" and revision == "base":
                plan[:] = list(reversed(self._between(before, ())))
            if not ledger.exists(connection):
                baseline = {rev: sums.get(rev) for rev in self.ancestors(before)}
            connection.commit()
            return before

        def on_connection(connection: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
            before = prepare(connection)
            cfg = self.alembic_config(connection=connection, on_version_apply=on_version_apply)
            announce_next()
            clock[0] = time.perf_counter()
            with _migration_errors(self.project, script, steps, command_name):
                run(cfg, revision)
            if connection.in_transaction():
                connection.commit()
            return before, self.read_current(connection)

        if self.hands_over_connection:
            before, after = run_on_connection(target, on_connection, write=True)
        else:
            before = run_on_connection(target, prepare, write=True)
            cfg = self.alembic_config()
            with _migration_errors(self.project, script, steps, command_name):
                run(cfg, revision)

            def record_after(connection: Any) -> tuple[str, ...]:
                # A classic env.py has no hook: record what changed, after the fact.
                after = self.read_current(connection)
                if command_name == "stamp":
                    changed, direction = list(after), "stamp"
                elif command_name == "upgrade":
                    changed, direction = self._between(after, before), "upgrade"
                else:
                    changed, direction = self._between(before, after), "downgrade"
                if changed and baseline is not None:
                    ledger.ensure(connection, baseline, commit=False)
                for rev in changed:
                    ledger.record(connection, rev, direction, sums.get(rev), 0.0)
                connection.commit()
                return after

            after = run_on_connection(target, record_after, write=True)
        return MigrateResult(
            target=target.name,
            command=command_name,
            before=before,
            after=after,
            steps=tuple(steps),
            seconds=time.perf_counter() - started,
        )

    def _between(self, upper: tuple[str, ...], lower: tuple[str, ...]) -> list[str]:
        """Revisions applied at ``upper`` but not at ``lower``, oldest first."""
        todo = self.ancestors(upper) - self.ancestors(lower)
        return [r.revision for r in reversed(list(self.script().walk_revisions())) if r.revision in todo]

    def offline_sql(self, command_name: str, revision: str) -> str:
        """The SQL script ``upgrade``/``downgrade`` would run, for the target's dialect, without
        connecting. On PostgreSQL each revision is wrapped in its own BEGIN/COMMIT."""
        self._require_target()
        self.script()
        if command_name == "downgrade" and ":" not in revision:
            raise RevisionError(
                "downgrade --sql needs FROM:TO (e.g. head:base or ae10:-1)",
                hint="offline mode cannot ask the database where it is",
            )
        from alembic import command

        buffer = io.StringIO()
        cfg = self.alembic_config()
        cfg.output_buffer = buffer
        try:
            with _alembic_errors(self.project, loading=False):
                getattr(command, command_name)(cfg, revision, sql=True)
        except DbctlError:
            raise
        except Exception as error:
            text = str(error)
            if "batch" in text.lower() and "sql" in text.lower():
                raise UsageError(
                    f"cannot render this offline: {text.splitlines()[0]}",
                    hint="SQLite batch operations copy tables and need a live database; run without --sql",
                ) from None
            raise
        return buffer.getvalue()

    # -- writing revisions ----------------------------------------------------------------
    def load_metadata(self) -> Any:
        spec = self.project.metadata
        if not spec:
            return None
        module_name, _, attribute = spec.partition(":")
        key = f"{self.project.display_path}: metadata"
        try:
            obj: Any = importlib.import_module(module_name)
        except Exception as error:  # the user's module failed to import: show why, one line
            raise ConfigError(
                f"{key}: cannot import {module_name!r}: {type(error).__name__}: {error}",
                hint="pythonpath in the config adds folders to the import path",
            ) from error
        for part in attribute.split("."):
            try:
                obj = getattr(obj, part)
            except AttributeError:
                raise ConfigError(f"{key}: {module_name!r} has no attribute {attribute!r}") from None
        from sqlalchemy import MetaData

        if not isinstance(obj, MetaData):
            raise ConfigError(f"{key}: {spec} is a {type(obj).__name__}, not a sqlalchemy MetaData")
        return obj

    def revision(self, message: str, *, autogenerate: bool, empty: bool = False) -> RevisionResult:
        """Write a new revision; with ``autogenerate`` compare the models with the target first.
        When autogenerate finds nothing and ``empty`` is False, write nothing."""
        from alembic import command

        from dbctl.alembic_bridge import ledger
        from dbctl.alembic_bridge.connect import run_on_connection

        self.script()  # a broken graph fails before anything is written
        skipped: list[bool] = []

        def drop_if_empty(context: Any, revision: Any, directives: list[Any]) -> None:
            for script in directives:
                # dbctl's own ledger table is not in the models; never generate a drop for it
                # (also for a classic env.py, which has no include_object of ours).
                for ops in (script.upgrade_ops, script.downgrade_ops):
                    if ops is not None:
                        ops.ops[:] = [op for op in ops.ops if getattr(op, "table_name", None) != ledger.LEDGER_TABLE]
            if autogenerate and not empty and directives and directives[0].upgrade_ops.is_empty():
                directives[:] = []
                skipped.append(True)

        attributes: dict[str, Any] = {
            "render_as_batch": "sqlite" in configured_dialects(self.project),
            "include_object": _not_ledger,
        }
        if autogenerate:
            attributes["target_metadata"] = self.load_metadata()
            if attributes["target_metadata"] is None:
                raise ConfigError(
                    f'{self.project.display_path}: autogenerate needs `metadata = "module:attr"` in the config',
                    hint="or use --no-autogenerate",
                )

        def write(connection: Any | None) -> Any:
            cfg = (
                self.alembic_config(connection=connection, **attributes)
                if connection is not None
                else self.alembic_config(**attributes)
            )
            with _alembic_errors(self.project), _quiet_stdout():
                return command.revision(
                    cfg,
                    message=message,
                    autogenerate=autogenerate,
                    process_revision_directives=drop_if_empty,
                )

        if autogenerate:
            target = self._require_target()
            if self.hands_over_connection:

                def on_connection(connection: Any) -> Any:
                    result = write(connection)
                    if connection.in_transaction():
                        connection.rollback()
                    return result

                created = run_on_connection(target, on_connection)
            else:
                run_on_connection(target, lambda c: None)
                created = write(None)
        else:
            created = write(None)
        self._script = None
        if skipped or not created:
            return RevisionResult(path=None, revision=None, message=message, autogenerate=autogenerate)
        script_obj = created[0] if isinstance(created, list) else created
        return RevisionResult(
            path=self.display_path(script_obj.path),
            revision=script_obj.revision,
            message=message,
            autogenerate=autogenerate,
        )

    def merge(self, message: str | None) -> RevisionResult:
        from alembic import command

        heads = self.head_ids()
        if len(heads) < 2:
            raise RevisionError(f"nothing to merge: there is {len(heads)} head ({', '.join(heads) or 'none'})")
        cfg = self.alembic_config()
        msg = message or f"merge {', '.join(heads)}"
        with _alembic_errors(self.project), _quiet_stdout():
            created = command.merge(cfg, "heads", message=msg)
        self._script = None
        assert created is not None
        return RevisionResult(path=self.display_path(created.path), revision=created.revision, message=msg)


def _graph_error(caught: list[Any], error: BaseException | None, project: ProjectConfig) -> RevisionError | None:
    """A one-line error for a revision graph Alembic could not build: a revision named as a
    parent that does not exist, an id declared twice, a file without ``down_revision``."""
    hint = "`dbctl check` names the file (DB502-DB505)"
    for warning in caught:
        text = str(warning.message)
        if "is not present" in text or "is present more than once" in text:
            return RevisionError(f"broken revision graph: {text}", hint=hint)
    if error is None:
        return None
    if isinstance(error, AttributeError) and "down_revision" in str(error):
        found = _migration_file_in(error.__traceback__, project)
        where = f" ({display_path(found[0])})" if found else ""
        return RevisionError(f"a revision file has no down_revision{where}", hint=hint)
    return RevisionError(f"broken revision graph: {type(error).__name__}: {error}", hint=hint)


def _not_ledger(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Autogenerate's include_object: leave dbctl's ledger table out of the comparison."""
    from dbctl.alembic_bridge import ledger

    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) != ledger.LEDGER_TABLE


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


def _relative_to(path: str, cwd: str) -> str:
    """:meth:`Executor.display_path` of an already resolved path."""
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else path


def _escape(value: str) -> str:
    """ConfigParser interpolation treats % specially (URL-encoded passwords)."""
    return value.replace("%", "%%")


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Alembic's util.msg writes to sys.stdout directly; keep our stdout for our own output."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _versions_dirs(project: ProjectConfig) -> tuple[Path, ...]:
    return project.version_locations or (project.script_location / "versions",)


def _migration_file_in(tb: Any, project: ProjectConfig) -> tuple[str, int] | None:
    """The innermost frame of the traceback that lies in a versions directory."""
    dirs = [str(d.resolve()) for d in _versions_dirs(project)]
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = str(Path(frame.f_code.co_filename).resolve())
        if any(filename.startswith(d + os.sep) for d in dirs):
            found = (filename, lineno)
    return found


def display_path(path: str) -> str:
    """A file's path as shown to the user: relative to the working directory when below it."""
    p = _resolved(path)
    with contextlib.suppress(ValueError):
        return str(p.relative_to(Path.cwd()))
    return str(p)


@contextlib.contextmanager
def _alembic_errors(project: ProjectConfig, loading: bool = True) -> Iterator[None]:
    """Alembic's CommandError and (while ``loading``) broken migration files become one-line
    dbctl errors."""
    from alembic.util import CommandError
    from sqlalchemy import exc as sa_exc

    try:
        with _quiet_stdout():
            yield
    except DbctlError:
        raise
    except CommandError as error:
        raise _command_error(error) from error
    except SyntaxError as error:
        where = f"{display_path(error.filename)}:{error.lineno}" if error.filename else "a migration"
        raise RevisionError(
            f"{where}: syntax error: {error.msg}", hint="fix the file; `dbctl check` shows more"
        ) from error
    except Exception as error:
        if not loading or isinstance(error, sa_exc.SQLAlchemyError):
            raise
        found = _migration_file_in(error.__traceback__, project)
        if found is None:
            raise
        where = f"{display_path(found[0])}:{found[1]}"
        raise RevisionError(f"{where}: cannot load migration: {type(error).__name__}: {error}") from error


def _command_error(error: CommandError) -> RevisionError:
    text = str(error)
    hint = None
    if "Multiple head revisions" in text or "multiple heads" in text.lower():
        hint = "join them with `dbctl merge`, or name one revision explicitly"
    elif "not up to date" in text:
        hint = "run `dbctl upgrade head` on this target first"
    elif "Can't locate revision" in text or "No such revision" in text:
        hint = "`dbctl history` lists the known revisions"
    elif "Relative revision" in text or "is not a valid downgrade target" in text or "below base" in text:
        hint = "`dbctl current` shows where the database is"
    return RevisionError(text.splitlines()[0] if text else "alembic command failed", hint=hint)


@contextlib.contextmanager
def _migration_errors(
    project: ProjectConfig, script: ScriptDirectory, steps: list[StepResult], command_name: str
) -> Iterator[None]:
    """A failure inside a revision becomes MigrationFailed naming the revision and its file."""
    from sqlalchemy import exc as sa_exc

    from dbctl.alembic_bridge.connect import first_line

    try:
        with _alembic_errors(project, loading=False):
            yield
    except DbctlError:
        raise
    except Exception as error:
        found = _migration_file_in(error.__traceback__, project)
        revision = None
        if found is not None:
            for rev in script.walk_revisions():
                if Path(rev.path).resolve() == Path(found[0]):
                    revision = rev.revision
                    break
        reason = first_line(error) if isinstance(error, sa_exc.DBAPIError) else f"{type(error).__name__}: {error}"
        if revision is None and not isinstance(error, sa_exc.DBAPIError):
            raise
        where = f" ({display_path(found[0])}:{found[1]})" if found else ""
        applied = f"; {len(steps)} revision(s) before it were applied" if steps else ""
        raise MigrationFailed(
            f"{command_name} failed in revision {revision or '?'}{where}: {reason}",
            hint=f"the failed revision was rolled back where the database allows{applied}; "
            "fix it and run the command again",
            revision=revision,
            path=found[0] if found else None,
        ) from error
