"""The project's revision scripts: Alembic's ``ScriptDirectory`` loaded once, turned into
:class:`~dbctl.results.RevisionInfo` records, and the revision graph built from it.

Alembic resolves what only it can name (``head``, ``+2``, ``ae10@-1``, ranges of ``history``);
graph questions (what is applied below a revision, what an upgrade runs) go to
:class:`~dbctl.revgraph.RevisionGraph`. On a plain linear history `history` and `heads` read
the revision files' headers instead and need no Alembic at all (:meth:`Scripts.linear_history`).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.alembic_bridge.config import alembic_config, check_script_location
from dbctl.alembic_bridge.errors import alembic_errors, graph_error
from dbctl.alembic_bridge.paths import display_path, relative_to
from dbctl.alembic_bridge.usercode import running
from dbctl.config.model import ProjectConfig
from dbctl.errors import RevisionError
from dbctl.results import RevisionInfo
from dbctl.revgraph import Node, RevisionGraph, read_revision_headers

if TYPE_CHECKING:
    from alembic.script import Script, ScriptDirectory


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class Scripts:
    """The revision scripts of one project, loaded on first use."""

    def __init__(self, project: ProjectConfig) -> None:
        self.project = project
        self._directory: ScriptDirectory | None = None
        self._graph: RevisionGraph[Node] | None = None
        self._paths: dict[str, str] | None = None

    def forget(self) -> None:
        """Drop what was loaded (after a new revision was written)."""
        self._directory = self._graph = self._paths = None

    @property
    def loaded(self) -> bool:
        return self._directory is not None

    def directory(self) -> ScriptDirectory:
        """Alembic's ScriptDirectory, every file loaded; a broken graph or file is a one-line error."""
        if self._directory is None:
            from alembic.script import ScriptDirectory

            # Alembic reports a broken graph as warnings (printed raw) and then fails with a bare
            # KeyError; turn the first such warning into the one-line error it deserves.
            with (
                warnings.catch_warnings(record=True) as caught,
                alembic_errors(self.project),
                running(self.project),
            ):
                warnings.simplefilter("always")
                try:
                    script = ScriptDirectory.from_config(alembic_config(self.project))
                    # Loading is lazy; walk once so that a broken file fails here, clearly.
                    list(script.walk_revisions())
                except (KeyError, AttributeError) as error:
                    raise graph_error(caught, error, self.project) from error
                graph_warning = graph_error(caught, None, self.project)
                if graph_warning is not None:
                    raise graph_warning
            self._directory = script
        return self._directory

    def walk(self) -> list[Script]:
        """Every revision, newest first, in Alembic's order."""
        return list(self.directory().walk_revisions())

    def graph(self) -> RevisionGraph[Node]:
        """The revision graph, in Alembic's order oldest first."""
        if self._graph is None:
            self._graph = RevisionGraph(
                Node(r.revision, _tuple(r.down_revision), _tuple(r.dependencies), tuple(r.branch_labels or ()))
                for r in reversed(self.walk())
            )
        return self._graph

    def revision_at(self, file: str) -> str | None:
        """The revision whose file is ``file`` (a resolved path)."""
        if self._paths is None:
            self._paths = {str(Path(r.path).resolve()): r.revision for r in self.walk()}
        return self._paths.get(str(Path(file)))

    def get(self, revision: str) -> Script:
        return self.directory().get_revision(revision)  # type: ignore[return-value]

    def info(self, rev: Script) -> RevisionInfo:
        return RevisionInfo(
            revision=rev.revision,
            down_revision=_tuple(rev.down_revision),
            message=(rev.doc or "").strip(),
            is_head=rev.is_head,
            is_base=rev.is_base,
            is_merge=rev.is_merge_point,
            branch_labels=tuple(sorted(rev.branch_labels or ())),
            depends_on=_tuple(rev.dependencies),
            path=display_path(rev.path),
            doc=(rev.longdoc or "").strip(),
        )

    def infos(self, revisions: list[str]) -> list[RevisionInfo]:
        return [self.info(self.get(rev)) for rev in revisions]

    # -- reading --------------------------------------------------------------------------------
    def history(self, rev_range: str | None = None) -> list[RevisionInfo]:
        """Revisions newest first, optionally limited to ``base:head``-style ``rev_range``."""
        if not rev_range and (linear := self.linear_history()) is not None:
            return linear
        directory = self.directory()
        lower, upper = "base", "heads"
        if rev_range:
            if ":" not in rev_range:
                raise RevisionError(f"history range {rev_range!r} must be START:END (e.g. base:head, -3:)")
            lower, _, upper = rev_range.partition(":")
            lower, upper = lower or "base", upper or "heads"
        with alembic_errors(self.project):
            return [self.info(r) for r in directory.walk_revisions(base=lower, head=upper)]

    def heads(self) -> list[RevisionInfo]:
        if (linear := self.linear_history()) is not None:
            return linear[:1]
        directory = self.directory()
        with alembic_errors(self.project):
            return [self.info(directory.get_revision(h)) for h in directory.get_heads()]

    def head_ids(self) -> tuple[str, ...]:
        return tuple(self.directory().get_heads())

    def show(self, rev: str) -> RevisionInfo:
        directory = self.directory()
        with alembic_errors(self.project):
            revisions = directory.get_revisions(rev)
        if len(revisions) != 1 or revisions[0] is None:
            raise RevisionError(f"'{rev}' names {len(revisions)} revisions; give exactly one")
        return self.info(revisions[0])  # type: ignore[arg-type]

    def linear_history(self) -> list[RevisionInfo] | None:
        """The whole history, newest first, read from the revision files without importing
        Alembic or executing them, when that gives exactly what Alembic would: every file is
        plainly literal (see :func:`~dbctl.revgraph.read_revision_headers`) and the revisions
        form one chain from one base. Anything else (branches, labels, dependencies, computed
        values, a file that does not compile) returns None, and Alembic loads the scripts.

        Loading means importing Alembic and SQLAlchemy and executing every file: most of the
        time of `dbctl history` and `dbctl heads` on a long history (see bench/RESULTS.md)."""
        if self._directory is not None:
            return None
        check_script_location(self.project)
        headers = read_revision_headers(self.project.versions_dirs)
        if headers is None:
            return None
        chain = RevisionGraph(headers).linear_chain()
        if chain is None:
            return None
        cwd = os.getcwd()
        last = len(chain) - 1
        return [
            RevisionInfo(
                revision=h.revision,
                down_revision=h.down_revisions,
                message=h.longdoc.split("\n\n")[0].strip(),
                is_head=index == last,
                is_base=not h.down_revisions,
                is_merge=False,
                branch_labels=(),
                depends_on=(),
                path=relative_to(h.path, cwd),
                doc=h.longdoc,
            )
            for index, h in reversed(list(enumerate(chain)))
        ]

    def checksums(self) -> dict[str, str | None]:
        """SHA-256 of every revision file, by revision."""
        from dbctl.alembic_bridge import ledger

        return {r.revision: ledger.checksum(r.path) for r in self.walk()}
