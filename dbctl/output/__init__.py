"""The one place that turns results and errors into text, tables and JSON.

:func:`render` picks the renderer by the result's type; every renderer writes to the
:class:`Terminal` it is given (no module-global consoles). Renderers are imported only when
used, so that `--format json` and the static `check` never import rich's layout machinery.
"""

from __future__ import annotations

import importlib
import traceback
from typing import TYPE_CHECKING, Any

from dbctl.errors import DbctlError, ExitCode, exit_code
from dbctl.output.terminal import Terminal

if TYPE_CHECKING:
    from dbctl.output.migrations import Progress
    from dbctl.results import TargetOutcome

__all__ = ["Terminal", "error_json", "progress", "render", "render_error", "render_outcome"]

# result type (module.qualname, matched along the MRO) -> "module:function" of its renderer
_RENDERERS = {
    "dbctl.results.CurrentResult": "migrations:current",
    "dbctl.results.StatusResult": "migrations:status",
    "dbctl.results.MigrateResult": "migrations:migrate",
    "dbctl.results.OfflineResult": "migrations:offline",
    "dbctl.results.RevisionList": "revisions:history",
    "dbctl.results.RevisionInfo": "revisions:show",
    "dbctl.results.RevisionResult": "revisions:revision",
    "dbctl.results.InitResult": "revisions:init",
    "dbctl.results.TargetList": "targets:targets",
    "dbctl.results.MultiResult": "fanout:multi",
    "dbctl.results.RuleList": "lint:rules",
    "dbctl.lint.registry.Rule": "lint:rule_doc",
}
# types whose renderer speaks every format itself (check: text, json, github, sarif)
_EVERY_FORMAT = {"dbctl.lint.findings.LintReport": "lint:lint_report"}


def render(result: object, fmt: str = "text", terminal: Terminal | None = None, **options: Any) -> None:
    """Write ``result`` in ``fmt``: ``json`` (its documented shape), or text (tables and lines;
    ``options`` such as ``verbose`` go to the text renderer); lint reports also speak ``github``
    and ``sarif``."""
    term = terminal or Terminal()
    for cls in type(result).__mro__:
        key = f"{cls.__module__}.{cls.__qualname__}"
        if key in _EVERY_FORMAT:
            _renderer(_EVERY_FORMAT[key])(result, fmt, term)
            return
        if key in _RENDERERS:
            if fmt == "json":
                term.write_json(_json(result))
            else:
                for notice in getattr(result, "notices", ()):
                    term.info(f"note: {notice}")  # stderr, before the result's own lines
                _renderer(_RENDERERS[key])(result, term, **options)
            return
    raise TypeError(f"no renderer for {type(result).__name__}")


def _renderer(where: str) -> Any:
    module, _, name = where.partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _json(result: Any) -> Any:
    from dbctl.results import MultiResult, RevisionInfo

    if isinstance(result, RevisionInfo):  # `show`: the revision with its whole docstring
        return {**result.to_json(), "doc": result.doc}
    if isinstance(result, MultiResult):
        return _renderer("fanout:multi_json")(result)
    return result.to_json()


def progress(terminal: Terminal) -> Progress:
    """What a running migration reports: ``step(StepResult)``, ``running(command, RevisionInfo)``
    (the status line's text) and ``lock_wait(LockHolder)``."""
    return _renderer("migrations:Progress")(terminal)


def render_outcome(outcome: TargetOutcome, terminal: Terminal) -> None:
    """One line for a target of a multi-target run, as it finishes."""
    _renderer("fanout:outcome_line")(outcome, terminal)


def render_error(error: BaseException, terminal: Terminal, fmt: str = "text") -> None:
    """An error as one line plus a hint on stderr. Tracebacks only for bugs in dbctl (always,
    so that they can be reported) and, with ``verbose``, for expected errors. With ``fmt``
    ``json`` also ``{"error": ..., "hint": ..., "exit_code": N}`` on stdout, for scripts (a
    broken pipe, which exits 0, writes nothing more)."""
    code = exit_code(error)
    if fmt == "json" and code is not ExitCode.OK:
        terminal.write_json(error_json(error))
    shown = code is ExitCode.INTERNAL_ERROR or (terminal.verbose and isinstance(error, DbctlError))
    if shown and error.__traceback__ is not None:
        terminal.err.print("".join(traceback.format_exception(error)), markup=False)
    if isinstance(error, DbctlError) or code in _MESSAGES:
        message, hint = _message(error)
        terminal.error(message, hint)


_MESSAGES = {
    ExitCode.INTERRUPTED: "interrupted",
    ExitCode.INTERNAL_ERROR: "internal error in dbctl (this is a bug; please report it with the output above)",
}


def _message(error: BaseException) -> tuple[str, str | None]:
    if isinstance(error, DbctlError):
        return error.message, error.hint
    return _MESSAGES.get(exit_code(error), str(error)), None


def error_json(error: BaseException) -> dict[str, Any]:
    """The JSON of a command that failed: ``error`` (the one line of stderr), ``hint`` (or
    null) and ``exit_code``, the code the process exits with."""
    message, hint = _message(error)
    return {"error": message, "hint": hint, "exit_code": int(exit_code(error))}
