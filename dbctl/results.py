"""Frozen result dataclasses: what the core API returns and the output layer renders."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, overload


@dataclass(frozen=True)
class RevisionInfo:
    """One revision of the script directory."""

    revision: str
    down_revision: tuple[str, ...]
    message: str
    is_head: bool
    is_base: bool
    is_merge: bool
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    path: str
    doc: str = ""
    applied: bool | None = None  # with a target: is it applied there?
    applied_at: str | None = None  # with a target: when the ledger saw it applied (ISO 8601, UTC)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["down_revision"] = list(self.down_revision)
        data["branch_labels"] = list(self.branch_labels)
        data["depends_on"] = list(self.depends_on)
        del data["doc"]
        return data


@dataclass(frozen=True)
class RevisionList:
    """Revisions of the script directory (`history`, newest first; `heads`). Iterates, indexes
    and counts like the list it wraps."""

    revisions: tuple[RevisionInfo, ...]

    def __iter__(self) -> Iterator[RevisionInfo]:
        return iter(self.revisions)

    def __len__(self) -> int:
        return len(self.revisions)

    @overload
    def __getitem__(self, index: int) -> RevisionInfo: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[RevisionInfo, ...]: ...
    def __getitem__(self, index: int | slice) -> RevisionInfo | tuple[RevisionInfo, ...]:
        return self.revisions[index]

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.revisions]


@dataclass(frozen=True)
class TargetList:
    """`dbctl targets`: every configured target (:class:`dbctl.targets.TargetInfo`, no passwords)."""

    targets: tuple[Any, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)

    def to_json(self) -> list[dict[str, Any]]:
        return [asdict(t) for t in self.targets]


@dataclass(frozen=True)
class RuleList:
    """`dbctl rules`: every lint rule (:class:`dbctl.lint.registry.Rule` instances), in code order."""

    rules: tuple[Any, ...]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"code": r.code, "name": r.name, "severity": r.severity, "dialects": list(r.dialects)} for r in self.rules
        ]


@dataclass(frozen=True)
class CurrentResult:
    target: str
    current: tuple[str, ...]
    heads: tuple[str, ...]
    notices: tuple[str, ...] = ()  # what the user should know (e.g. which database env.py chose)

    @property
    def at_head(self) -> bool:
        return bool(self.heads) and set(self.current) == set(self.heads)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "current": list(self.current),
            "heads": list(self.heads),
            "at_head": self.at_head,
            "notices": list(self.notices),
        }


@dataclass(frozen=True)
class StepResult:
    """One revision applied (or reverted, or stamped)."""

    revision: str
    message: str
    direction: str  # "upgrade" | "downgrade" | "stamp"
    seconds: float
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MigrateResult:
    """The outcome of upgrade / downgrade / stamp on one target."""

    target: str
    command: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    steps: tuple[StepResult, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    notices: tuple[str, ...] = ()  # guarantees env.py made impossible; which database env.py chose

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "command": self.command,
            "before": list(self.before),
            "after": list(self.after),
            "steps": [s.to_json() for s in self.steps],
            "seconds": round(self.seconds, 4),
            "notices": list(self.notices),
        }


@dataclass(frozen=True)
class RevisionResult:
    """What `dbctl revision` / `dbctl merge` produced; ``path`` is None when nothing was written."""

    path: str | None
    revision: str | None
    message: str
    autogenerate: bool = False
    lint: Any = None  # the dbctl.lint LintReport of the new file, when the linter ran
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class InitResult:
    """What `init` wrote (``created``, possibly nothing) and the configuration now in use.

    ``adopted`` names the Alembic project's own config file (``alembic.ini`` or
    ``pyproject.toml [tool.alembic]``) when init found one and adopted its environment
    (``script_location``) instead of writing one; ``ledger_filter`` says what that project's
    env.py needs so that plain Alembic's autogenerate leaves dbctl's ``dbctl_ledger`` table
    alone: None (nothing), "add" (the one-line ``include_name``) or "extend" (its own
    ``include_name``, to which the condition is added)."""

    config_path: str
    script_location: str
    created: tuple[str, ...]
    adopted: str | None = None
    ledger_filter: str | None = None


@dataclass(frozen=True)
class OfflineResult:
    """The SQL an upgrade or downgrade would run (``--sql``)."""

    target: str
    command: str
    revision: str
    sql: str


@dataclass(frozen=True)
class PendingRevision:
    revision: str
    message: str


@dataclass(frozen=True)
class StatusResult:
    """`dbctl status` for one target: where it is and what is left to apply."""

    target: str
    reachable: bool
    current: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    pending: tuple[PendingRevision, ...] = ()
    error: str | None = None
    modified: tuple[PendingRevision, ...] = ()  # applied, but the file changed since (ledger)
    notices: tuple[str, ...] = ()

    @property
    def at_head(self) -> bool:
        return self.reachable and bool(self.heads) and set(self.current) == set(self.heads)

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "reachable": self.reachable,
            "current": list(self.current),
            "heads": list(self.heads),
            "at_head": self.at_head,
            "pending": [{"revision": p.revision, "message": p.message} for p in self.pending],
            "modified": [{"revision": p.revision, "message": p.message} for p in self.modified],
            "error": self.error,
            "notices": list(self.notices),
        }


@dataclass(frozen=True)
class TargetOutcome:
    """One target's share of a multi-target run: a result, or the error that stopped it."""

    target: str
    exit_code: int
    result: Any = None
    error: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        # a status result that could not reach its database carries the error: so does the outcome
        if self.error is None and getattr(self.result, "reachable", True) is False:
            object.__setattr__(self, "error", getattr(self.result, "error", None) or "unreachable")

    def to_json(self) -> dict[str, Any]:
        result = self.result.to_json() if self.result is not None else None
        return {"target": self.target, "exit_code": self.exit_code, "result": result, "error": self.error}


@dataclass(frozen=True)
class TargetSelection:
    """The targets a command runs on, after expanding groups and ``--all-targets``.

    ``names`` holds ``None`` for "the default target"; ``fan_out`` says whether the command runs
    as a multi-target run (a line per target, a summary, the worst exit code) even for one name.
    """

    names: tuple[str | None, ...]
    fan_out: bool


@dataclass(frozen=True)
class MultiResult:
    """A command run over several targets: each target's outcome, in the order asked for.
    ``skipped`` counts the targets never started (``fail_fast`` after a failure)."""

    command: str
    outcomes: tuple[TargetOutcome, ...]
    skipped: int = 0
