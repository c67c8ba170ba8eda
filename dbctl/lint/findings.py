"""The results of a lint run: frozen dataclasses, the only thing that leaves :mod:`dbctl.lint`."""

from __future__ import annotations

from dataclasses import dataclass

from dbctl.config.model import SEVERITIES

SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. ``line`` and ``column`` are 1-based; ``file`` is a path string."""

    file: str
    line: int
    column: int
    code: str
    name: str
    severity: str
    message: str
    help: str = ""
    end_line: int = 0  # last line of the offending construct (0: same as ``line``)

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape of a finding (``file`` as given; renderers may relativise it)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "help": self.help,
        }


@dataclass(frozen=True)
class LintReport:
    """Everything one ``dbctl check`` run found.

    ``files_checked`` counts the files whose contents were linted (after ``--since`` and
    ``start_after`` filtering); the revision graph always covers every migration file.
    """

    files_checked: int
    findings: tuple[Finding, ...]
    fail_on: str = "error"
    rules: tuple[str, ...] = ()  # codes of the rules that were enabled for this run
    # the dialects whose rules ran and where that was learnt (see dbctl.lint.dialects): "config",
    # "targets", "migrations", "targets+migrations", or "none" (only dialect-neutral rules ran)
    dialects: tuple[str, ...] = ()
    dialect_source: str = "none"
    notes: tuple[str, ...] = ()  # what the user should know about the run (stderr in text mode)

    @property
    def failed(self) -> bool:
        """True when a finding is at or above ``fail_on`` (``dbctl check`` then exits 1)."""
        threshold = SEVERITY_RANK[self.fail_on]
        return any(SEVERITY_RANK[f.severity] >= threshold for f in self.findings)

    def counts(self) -> dict[str, int]:
        """Number of findings per severity, every severity present (most severe first)."""
        counts = {name: 0 for name in reversed(SEVERITIES)}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts
