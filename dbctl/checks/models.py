"""The imported models: loading the configured ``metadata`` and running the model rules on it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dbctl.checks.sources import ModelSources, SourceFiles
from dbctl.config.model import ProjectConfig
from dbctl.errors import ConfigError
from dbctl.lint.findings import Finding
from dbctl.lint.registry import ModelHit, all_rules


def load_metadata(project: ProjectConfig) -> tuple[Any, Any]:
    """The project's models and the ``include_object`` filter they are compared with: the
    configured ``metadata`` (``module:attr``); without one, what the project's own env.py gives
    Alembic (its ``target_metadata`` and ``include_object``, read without connecting). A
    ConfigError when there is neither."""
    from dbctl.alembic_bridge.executor import Executor

    executor = Executor(project)
    if project.metadata:
        return executor.load_metadata(), None
    if not executor.hands_over_connection and (project.script_location / "env.py").is_file():
        options = executor.env_options()
        if options.get("target_metadata") is not None:
            return options["target_metadata"], options.get("include_object")
        raise ConfigError(
            f"{project.display_path}: --models and --drift need the models, and env.py sets no target_metadata",
            hint='set target_metadata in env.py, or metadata = "module:attr" in a dbctl config',
        )
    raise ConfigError(
        f'{project.display_path}: --models and --drift need `metadata = "module:attr"` in the config',
        hint='for example metadata = "app.models:Base.metadata"',
    )


def model_findings(
    metadata: Any,
    files: list[str],
    codes: Iterable[str],
    severity: dict[str, str] | None = None,
    texts: SourceFiles | None = None,
) -> list[Finding]:
    """Run the model rules ``codes`` on ``metadata``; findings point into ``files`` (the model
    sources, the MetaData's module first)."""
    texts = texts or SourceFiles()
    sources = ModelSources(files, texts)
    rules = all_rules()
    findings = []
    for code in sorted(codes):
        rule = rules[code]
        for hit in rule.check_metadata(metadata):
            file, line = _location(sources, hit)
            findings.append(texts.finding(rule, file, line, hit.message, severity, hit.help))
    return findings


def _location(sources: ModelSources, hit: ModelHit) -> tuple[str, int]:
    if hit.table is None:
        return sources.metadata()
    return sources.column(hit.table, hit.column)
