"""The rule base class and the registry of every rule.

Each rule lives in its own module under :mod:`dbctl.lint.rules`; the module docstring is the
rule's documentation (``dbctl rule CODE`` prints it) and the class carries its metadata, once.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from dbctl.errors import ConfigError

if TYPE_CHECKING:
    from dbctl.lint.engine import Migration, OpCall

DOC_SECTIONS = (
    "**What it does**",
    "**Why is this bad?**",
    "**Example**",
    "**Use instead**",
    "**Alembic notes**",
    "**Options**",
    "**References**",
)


class Hit(NamedTuple):
    """What a rule reports; the engine turns it into a :class:`~dbctl.lint.findings.Finding`."""

    line: int
    column: int  # 1-based
    message: str
    end_line: int = 0
    severity: str | None = None  # None: the rule's severity
    help: str | None = None  # None: the rule's ``fix``
    with_lines: tuple[int, ...] = ()  # lines of enclosing ``with`` blocks (suppressions apply)


class ModelHit(NamedTuple):
    """What a model rule reports about the imported ``MetaData`` (no table: the MetaData itself)."""

    message: str
    table: str | None = None
    column: str | None = None


class Rule:
    """A lint rule. Subclasses set the metadata and override one of the ``check_*`` hooks.

    ``calls`` names the ``op``/``batch_op`` methods that :meth:`check_call` wants to see (the
    engine walks a file once and dispatches each call by name); ``functions`` says in which of
    ``upgrade``/``downgrade`` they are looked at.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    dialects: ClassVar[tuple[str, ...]] = ()
    severity_note: ClassVar[str] = ""  # when findings may differ from ``severity``
    fix: ClassVar[str] = ""
    calls: ClassVar[tuple[str, ...]] = ()
    functions: ClassVar[tuple[str, ...]] = ("upgrade",)
    per_file: ClassVar[bool] = False  # check_file() is called once per linted file
    graph: ClassVar[bool] = False  # checked by dbctl.lint.graph across all files
    sql: ClassVar[bool] = False  # checked by dbctl.lint.sql on literal SQL strings
    # "models" or "database": checked by dbctl.lint.checks (`dbctl check --models`, `--drift`,
    # `--roundtrip`, `-t`), never on migration files; such rules are also opt_in.
    check: ClassVar[str] = ""
    opt_in: ClassVar[bool] = False  # not enabled by default; runs only when asked for

    def check_call(self, call: OpCall, migration: Migration) -> Iterable[Hit]:
        """Findings for one ``op``/``batch_op`` call named in ``calls``."""
        return ()

    def check_file(self, migration: Migration) -> Iterable[Hit]:
        """Findings for a whole migration (rules with ``per_file = True``)."""
        return ()

    def check_metadata(self, metadata: Any) -> Iterable[ModelHit]:
        """Findings for the imported models (rules with ``check = "models"``)."""
        return ()

    @property
    def doc(self) -> str:
        """The rule's documentation: its module's docstring."""
        module = importlib.import_module(type(self).__module__)
        return (module.__doc__ or "").strip()

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0].strip() if self.doc else self.name

    def section(self, title: str) -> str:
        """The text of one ``**Title**`` section of the documentation (empty if absent)."""
        doc = self.doc
        start = doc.find(f"**{title}**")
        if start < 0:
            return ""
        start += len(title) + 4
        positions = [doc.find(s, start) for s in DOC_SECTIONS]
        end = min([p for p in positions if p >= 0], default=len(doc))
        return doc[start:end].strip()


_rules: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add one instance of the rule to the registry."""
    if cls.code in _rules:  # pragma: no cover - a programming error caught by the tests
        raise RuntimeError(f"rule {cls.code} registered twice")
    _rules[cls.code] = cls()
    return cls


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule, keyed by code, in code order (imports each module of dbctl.lint.rules once)."""
    from dbctl.lint import rules as package

    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{package.__name__}.{info.name}")
    return dict(sorted(_rules.items()))


def get_rule(code: str) -> Rule | None:
    """The rule with ``code`` (case-insensitive), or None."""
    return all_rules().get(code.strip().upper())


def expand_selectors(selectors: Iterable[str], key: str) -> set[str]:
    """Turn codes or code prefixes (``DB2`` = every DB2xx rule) into rule codes.

    Raises :class:`ConfigError` naming ``key`` for a selector that matches no rule.
    """
    codes: set[str] = set()
    rules = all_rules()
    for selector in selectors:
        matched = {code for code in rules if code.startswith(selector.upper())}
        if not matched:
            raise ConfigError(
                f"{key}: unknown rule code {selector!r}",
                hint="`dbctl rules` lists the known codes",
            )
        codes |= matched
    return codes


def iter_docs() -> Iterator[tuple[Rule, str]]:
    """Every rule with its documentation."""
    for rule in all_rules().values():
        yield rule, rule.doc


def rules_markdown_table() -> str:
    """A Markdown table of every rule (code, name, severity, dialects, summary) for the README."""
    lines = ["| Code | Name | Severity | Dialects | What it flags |", "|---|---|---|---|---|"]
    for rule in all_rules().values():
        dialects = ", ".join(rule.dialects) or "all"
        severity = f"{rule.severity} ({rule.severity_note})" if rule.severity_note else rule.severity
        summary = rule.summary.replace("|", "\\|")
        lines.append(f"| {rule.code} | {rule.name} | {severity} | {dialects} | {summary} |")
    return "\n".join(lines) + "\n"
