"""`dbctl check` with the models or a database: model rules (DB7xx), drift, the round trip and
applied revisions edited since (DB8xx), merged into the static lint report.

The static lint (:mod:`dbctl.lint`) never imports the models or connects to anything; the
checks here do, and only when asked for. Each rule's logic lives in its module under
:mod:`dbctl.checks.rules`; the Alembic and SQLAlchemy calls live in :mod:`dbctl.alembic_bridge`
(imported lazily, when a check runs). The entry point is :func:`check_project`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dbctl.checks.models import model_findings
    from dbctl.checks.run import CheckOptions, check_project

__all__ = ["CheckOptions", "check_project", "model_findings"]


def __getattr__(name: str) -> Any:
    # Lazy, so that the registry can import the rule modules of dbctl.checks.rules cheaply.
    if name in ("CheckOptions", "check_project"):
        from dbctl.checks import run

        return getattr(run, name)
    if name == "model_findings":
        from dbctl.checks.models import model_findings

        return model_findings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
