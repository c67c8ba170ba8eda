"""The rule base class and the registry of every rule.

Each rule lives in its own module; the module docstring is the rule's documentation
(``dbctl rule CODE`` prints it) and the class carries its metadata, once, and its logic, as
hooks. Static rules live in :mod:`dbctl.lint.rules`; rules that need the models or a database
live in :mod:`dbctl.checks.rules`. The registry lists both (so ``dbctl rules``, ``[lint]``
codes and the README table know every rule), but importing a rule module never imports
SQLAlchemy, Alembic or user code: the hooks of the ``checks`` rules import what they need when
they run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from dbctl.errors import ConfigError
from dbctl.lint.findings import Finding

if TYPE_CHECKING:
    from dbctl.lint.graph import LintGraph
    from dbctl.lint.parse import Migration
    from dbctl.lint.sql import SqlStatement
    from dbctl.lint.suppressions import Suppressions
    from dbctl.lint.syntax import OpCall, SqlSite

# The packages whose ``db*`` modules are rules, imported (once) when the registry is first read.
RULE_PACKAGES = ("dbctl.lint.rules", "dbctl.checks.rules")

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
    """What a rule reports; :meth:`Rule.finding` turns it into a :class:`~dbctl.lint.findings.Finding`."""

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
    help: str | None = None  # None: the rule's ``fix``


class Rule:
    """A rule: metadata on the class, logic in the hooks it overrides.

    The engine calls a hook only for the rules that override it:

    * :meth:`check_call` for each ``op``/``batch_op`` call named in ``calls``, in the functions
      named in ``functions``;
    * :meth:`check_file` once per linted migration;
    * :meth:`check_sql_site` once per literal-SQL argument, and :meth:`check_sql` once per
      parsed statement whose kind (libpg_query's node name, ``"IndexStmt"``) is in
      ``statements``; statements are parsed only while a rule with ``parses_sql`` is enabled;
    * :meth:`check_graph` once per run, on the revision graph of every migration file;
    * :meth:`check_suppressions` once per linted file that has suppression comments, after
      every other hook;
    * :meth:`check_metadata` (``check = "models"``) and :meth:`check_database`
      (``check = "database"``) only by :mod:`dbctl.checks`, never on migration files.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str]
    dialects: ClassVar[tuple[str, ...]] = ()
    severity_note: ClassVar[str] = ""  # when findings may differ from ``severity``
    fix: ClassVar[str] = ""
    calls: ClassVar[tuple[str, ...]] = ()
    statements: ClassVar[tuple[str, ...]] = ()
    functions: ClassVar[tuple[str, ...]] = ("upgrade",)
    parses_sql: ClassVar[bool] = False  # while enabled, literal SQL is parsed for check_sql
    # "models" or "database": run by dbctl.checks (`dbctl check --models`, `--drift`,
    # `--roundtrip`, `-t`); ``enabled_by`` names the CheckOptions field that asks for the rule
    # ("target": any -t). Such rules are also opt_in.
    check: ClassVar[str] = ""
    enabled_by: ClassVar[str] = ""
    reads_target: ClassVar[bool] = False  # needs the state of the -t target (read up front)
    opt_in: ClassVar[bool] = False  # not enabled by default; runs only when asked for

    def check_call(self, call: OpCall, migration: Migration) -> Iterable[Hit]:
        """Findings for one ``op``/``batch_op`` call named in ``calls``."""
        return ()

    def check_file(self, migration: Migration) -> Iterable[Hit]:
        """Findings for a whole migration."""
        return ()

    def check_sql_site(self, site: SqlSite) -> Iterable[Hit]:
        """Findings for one ``op.execute(...)`` / ``sa.text(...)`` argument, analysed or not."""
        return ()

    def check_sql(self, statement: SqlStatement) -> Iterable[Hit]:
        """Findings for one parsed SQL statement whose kind is in ``statements``."""
        return ()

    def check_graph(self, graph: LintGraph) -> Iterable[tuple[str, Hit]]:
        """(file, hit) findings for the revision graph of every migration file."""
        return ()

    def check_suppressions(self, suppressions: Suppressions, enabled: frozenset[str]) -> Iterable[Hit]:
        """Findings about the suppression comments of a file, once every other rule has run."""
        return ()

    def check_metadata(self, metadata: Any) -> Iterable[ModelHit]:
        """Findings for the imported models (rules with ``check = "models"``)."""
        return ()

    def check_database(self, context: Any) -> Iterable[Finding]:
        """Findings from a database (rules with ``check = "database"``); ``context`` is a
        :class:`dbctl.checks.context.CheckContext`."""
        return ()

    def overrides(self, hook: str) -> bool:
        """True when this rule implements ``hook`` (the engine dispatches only to those)."""
        return getattr(type(self), hook) is not getattr(Rule, hook)

    def finding(self, file: str, hit: Hit, severity: Mapping[str, str] | None = None) -> Finding:
        """The finding for ``hit`` in ``file``; ``severity`` holds the ``[lint] severity`` overrides."""
        return Finding(
            file=file,
            line=hit.line,
            column=hit.column,
            code=self.code,
            name=self.name,
            severity=(severity or {}).get(self.code) or hit.severity or self.severity,
            message=hit.message,
            help=self.fix if hit.help is None else hit.help,
            end_line=max(hit.end_line, hit.line),
        )

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


def rule_modules() -> Iterator[str]:
    """The dotted names of every rule module of :data:`RULE_PACKAGES`."""
    for name in RULE_PACKAGES:
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("db"):
                yield f"{name}.{info.name}"


@cache
def all_rules() -> dict[str, Rule]:
    """Every rule, keyed by code, in code order (imports each rule module once)."""
    for module in rule_modules():
        importlib.import_module(module)
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
