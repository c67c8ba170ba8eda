"""The public Python API of dbctl, and the only part of the core the command line calls: plain
functions returning result dataclasses. Nothing here prints or exits; failures are
:class:`dbctl.errors.DbctlError` subclasses (:func:`dbctl.errors.exit_code` maps either to a code).
"""

from __future__ import annotations

from dbctl.api.checks import check, rule_doc, rules
from dbctl.api.migrations import (
    current,
    downgrade,
    heads,
    history,
    merge,
    offline_sql,
    revision,
    run_many,
    show,
    stamp,
    status,
    upgrade,
)
from dbctl.api.project import (
    confirmation_needed,
    init,
    list_targets,
    load_project,
    parse_duration,
    select_targets,
    single_target,
)
from dbctl.config.model import ProjectConfig as ProjectConfig  # named in type hints of the CLI

__all__ = [
    "check",
    "confirmation_needed",
    "current",
    "downgrade",
    "heads",
    "history",
    "init",
    "list_targets",
    "load_project",
    "merge",
    "offline_sql",
    "parse_duration",
    "revision",
    "rule_doc",
    "rules",
    "run_many",
    "select_targets",
    "show",
    "single_target",
    "stamp",
    "status",
    "upgrade",
]
