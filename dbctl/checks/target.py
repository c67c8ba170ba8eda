"""The state of the ``-t`` target, read once per run: where it is, and which applied revisions'
files changed since they were applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dbctl.config.model import ProjectConfig

if TYPE_CHECKING:
    from dbctl.alembic_bridge.executor import Executor


@dataclass(frozen=True)
class TargetState:
    """The target's current and head revisions, and its applied revisions whose file changed."""

    executor: Executor
    current: tuple[str, ...]
    heads: tuple[str, ...]
    modified: tuple[Any, ...]  # RevisionInfo of applied revisions whose file changed

    @classmethod
    def read(cls, project: ProjectConfig, name: str) -> TargetState:
        """Connect to target ``name`` and read its state."""
        from dbctl.alembic_bridge.executor import Executor
        from dbctl.targets import resolve_target

        executor = Executor(project, resolve_target(project, name))
        heads = executor.head_ids()
        current, modified = executor.state()
        return cls(executor, current, heads, tuple(modified))

    @property
    def name(self) -> str:
        """The target's name."""
        assert self.executor.target is not None
        return self.executor.target.name

    @property
    def at_head(self) -> bool:
        """True when the target is at every head."""
        return set(self.current) == set(self.heads)
