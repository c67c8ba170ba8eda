"""What a model or database rule's hook gets: the project, the options, and what is shared
between rules (the target's state and the imported models), each obtained once, when first asked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.checks.models import load_metadata
from dbctl.checks.sources import ModelSources, SourceFiles, model_files
from dbctl.config.model import ProjectConfig
from dbctl.lint.findings import Finding
from dbctl.lint.registry import Rule

if TYPE_CHECKING:
    from dbctl.checks.run import CheckOptions
    from dbctl.checks.target import TargetState

Progress = Callable[[str], None]


class CheckContext:
    """One ``dbctl check`` run beyond the static lint."""

    def __init__(self, project: ProjectConfig, options: CheckOptions, progress: Progress) -> None:
        self.project = project
        self.options = options
        self.progress = progress
        self.texts = SourceFiles()
        self._state: TargetState | None = None
        self._models: tuple[Any, ModelSources] | None = None
        self.include_object: Any = None  # env.py's filter, when the models come from env.py

    @property
    def state(self) -> TargetState:
        """The state of the ``-t`` target (connects on first use)."""
        return self.read_state()

    def read_state(self) -> TargetState:
        """Connect to the ``-t`` target and read its state, once."""
        if self._state is None:
            from dbctl.checks.target import TargetState

            assert self.options.target is not None
            self._state = TargetState.read(self.project, self.options.target)
        return self._state

    def models(self) -> tuple[Any, ModelSources]:
        """The imported ``MetaData`` and where its model files are (imports on first use)."""
        if self._models is None:
            metadata, self.include_object = load_metadata(self.project)
            self._models = metadata, ModelSources(model_files(self.project), self.texts)
        return self._models

    def finding(self, rule: Rule, file: str | Path, line: int, message: str, help: str | None = None) -> Finding:
        """``rule``'s finding at ``line`` of ``file``, with the ``[lint] severity`` overrides."""
        return self.texts.finding(rule, file, line, message, self.project.lint.severity, help)

    def find_line(self, file: str | Path, pattern: str, default: int = 1) -> int:
        """The line of the first match of ``pattern`` (multiline) in ``file``, or ``default``."""
        return self.texts.find_line(str(Path(file).resolve()), pattern, default)
