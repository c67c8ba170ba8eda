"""Parse each migration once and run the per-file rules on it.

A file is read and parsed with :mod:`ast` exactly once. One walk over the statements of
``upgrade()`` and ``downgrade()`` records every ``op.*`` / ``batch_op.*`` call together with its
context (which function, which ``batch_alter_table`` block, whether inside
``autocommit_block()``, whether its table was created earlier in the same function), and
every literal SQL site. Rules are then dispatched by call name, so a rule only sees the calls
it asked for. Migrations are never imported or executed.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbctl.lint.findings import Finding
from dbctl.lint.registry import Hit, Rule, all_rules

UNUSED_SUPPRESSION = "DB001"
UNPARSEABLE = "DB505"

# Position and keyword names of the table argument of each ``op`` method. ``batch_op`` methods
# take the same arguments minus the table, which comes from ``batch_alter_table``.
TABLE_ARG: dict[str, tuple[int, tuple[str, ...]]] = {
    "create_table": (0, ("table_name",)),
    "drop_table": (0, ("table_name",)),
    "add_column": (0, ("table_name",)),
    "drop_column": (0, ("table_name",)),
    "alter_column": (0, ("table_name",)),
    "create_index": (1, ("table_name",)),
    "drop_index": (1, ("table_name",)),
    "create_foreign_key": (1, ("source_table", "source")),
    "create_unique_constraint": (1, ("table_name", "source")),
    "create_check_constraint": (1, ("table_name", "source")),
    "create_primary_key": (1, ("table_name",)),
    "create_exclude_constraint": (1, ("table_name",)),
    "drop_constraint": (1, ("table_name",)),
    "rename_table": (0, ("old_table_name",)),
    "batch_alter_table": (0, ("table_name",)),
    "create_table_comment": (0, ("table_name",)),
    "drop_table_comment": (0, ("table_name",)),
    "bulk_insert": (0, ("table",)),
}

# ``op`` calls that change the schema (``upgrade()`` "does something").
SCHEMA_OPS = frozenset(TABLE_ARG) - {"bulk_insert"} | {"execute"}

_SUPPRESSION = re.compile(r"dbctl:\s*(ignore-file|ignore)\[([^\]]*)\]")


def const_str(node: ast.expr | None) -> str | None:
    """The string a node spells: a literal, or ``op.f("name")`` / ``f("name")``."""
    if node is None:
        return None
    if type(node) is ast.Constant:
        return node.value if isinstance(node.value, str) else None
    if type(node) is ast.Call and node.args and _callee_name(node) == "f":
        return const_str(node.args[0])
    return None


def _callee_name(call: ast.Call) -> str | None:
    func = call.func
    if type(func) is ast.Attribute:
        return func.attr
    if type(func) is ast.Name:
        return func.id
    return None


def is_text_call(node: ast.expr | None) -> bool:
    """``sa.text(...)`` / ``text(...)`` / ``sqlalchemy.text(...)``."""
    return type(node) is ast.Call and _callee_name(node) == "text"


def is_true(node: ast.expr | None) -> bool:
    return type(node) is ast.Constant and node.value is True


def is_trivial_body(body: Sequence[ast.stmt]) -> bool:
    """Only ``pass``, ``...``, a docstring, or ``raise NotImplementedError``."""
    for stmt in body:
        if type(stmt) is ast.Pass:
            continue
        if type(stmt) is ast.Expr and type(stmt.value) is ast.Constant:
            continue  # docstring or ...
        if type(stmt) is ast.Raise and stmt.exc is not None:
            exc = stmt.exc.func if type(stmt.exc) is ast.Call else stmt.exc
            if type(exc) is ast.Name and exc.id == "NotImplementedError":
                continue
        return False
    return True


class OpCall:
    """One ``op.<method>(...)`` or ``batch_op.<method>(...)`` call and where it sits."""

    __slots__ = ("method", "node", "function", "batch", "table", "new_table", "autocommit", "with_lines", "kwargs")

    def __init__(
        self,
        method: str,
        node: ast.Call,
        function: str,
        batch: bool,
        table: str | None,
        new_table: bool,
        autocommit: bool,
        with_lines: tuple[int, ...],
    ) -> None:
        self.method = method
        self.node = node
        self.function = function
        self.batch = batch  # called on the alias of ``with op.batch_alter_table(...) as batch_op``
        self.table = table  # None when not a literal
        self.new_table = new_table  # created earlier in the same function
        self.autocommit = autocommit  # inside ``with op.get_context().autocommit_block():``
        self.with_lines = with_lines
        self.kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg is not None}

    @property
    def existing_table(self) -> bool:
        """True unless the table was created earlier in this migration (unknown counts as existing)."""
        return not self.new_table

    def arg(self, index: int, *names: str) -> ast.expr | None:
        """Argument ``index`` of the ``op`` form (shifted for ``batch_op``), or keyword ``names``."""
        for name in names:
            if name in self.kwargs:
                return self.kwargs[name]
        if self.batch:
            table_pos = TABLE_ARG.get(self.method, (None,))[0]
            if table_pos is not None and index > table_pos:
                index -= 1
            elif table_pos == index:
                return None
        args = self.node.args
        if index < len(args) and type(args[index]) is not ast.Starred:
            return args[index]
        return None

    def kw(self, name: str) -> ast.expr | None:
        return self.kwargs.get(name)

    def kw_true(self, name: str) -> bool:
        return is_true(self.kwargs.get(name))

    def subject(self) -> str:
        """``op.create_index`` or ``batch_op.create_index``, for messages."""
        return f"{'batch_op' if self.batch else 'op'}.{self.method}"

    def on(self) -> str:
        return f"table '{self.table}'" if self.table else "an existing table"

    def hit(
        self, message: str, node: ast.AST | None = None, *, severity: str | None = None, help: str | None = None
    ) -> Hit:
        """A :class:`Hit` at this call (or at ``node`` inside it)."""
        node = node or self.node
        return Hit(
            line=node.lineno,  # type: ignore[attr-defined]
            column=node.col_offset + 1,  # type: ignore[attr-defined]
            message=message,
            end_line=getattr(node, "end_lineno", None) or node.lineno,  # type: ignore[attr-defined]
            severity=severity,
            help=help,
            with_lines=self.with_lines,
        )


def column_calls(node: ast.expr | None) -> list[ast.Call]:
    """The ``sa.Column(...)`` / ``Column(...)`` call a node is, as a list (empty otherwise)."""
    if type(node) is ast.Call and _callee_name(node) == "Column":
        return [node]
    return []


def column_name(call: ast.Call) -> str | None:
    """The name of a ``Column(...)`` call (its first positional argument or ``name=``)."""
    for kw in call.keywords:
        if kw.arg == "name":
            return const_str(kw.value)
    return const_str(call.args[0]) if call.args else None


def column_kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


class SqlSite:
    """An ``op.execute(...)`` / ``conn.execute(sa.text(...))`` argument that may hold SQL."""

    __slots__ = ("expr", "call", "function", "autocommit", "with_lines", "created")

    def __init__(
        self,
        expr: ast.expr,
        call: ast.Call,
        function: str,
        autocommit: bool,
        with_lines: tuple[int, ...],
        created: frozenset[str],
    ) -> None:
        self.expr = expr
        self.call = call
        self.function = function
        self.autocommit = autocommit
        self.with_lines = with_lines
        self.created = created


@dataclass(frozen=True)
class RevisionInfo:
    """What the revision graph needs from one file (``error`` set when it is unusable)."""

    file: str
    revision: str | None = None
    revision_line: int = 1
    down_revisions: tuple[str, ...] = ()
    down_line: int = 1
    depends_on: tuple[str, ...] = ()
    depends_line: int = 1
    branch_labels: tuple[str, ...] = ()
    error: str | None = None
    error_line: int = 1
    error_column: int = 1


class _Ctx:
    __slots__ = ("batches", "autocommit", "with_lines")

    def __init__(self, batches: dict[str, str | None], autocommit: bool, with_lines: tuple[int, ...]) -> None:
        self.batches = batches
        self.autocommit = autocommit
        self.with_lines = with_lines


_ROOT_CTX = _Ctx({}, False, ())


@dataclass
class Migration:
    """One parsed migration file and everything the rules look at."""

    path: str
    source: str
    tree: ast.Module
    revision: RevisionInfo
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    op_names: set[str] = field(default_factory=lambda: {"op"})
    consts: dict[str, ast.expr] = field(default_factory=dict)
    calls: list[OpCall] = field(default_factory=list)
    sql_sites: list[SqlSite] = field(default_factory=list)

    @property
    def is_merge(self) -> bool:
        """A merge revision (several ``down_revision`` parents) may legitimately do nothing."""
        return len(self.revision.down_revisions) > 1

    def calls_in(self, function: str) -> list[OpCall]:
        return [c for c in self.calls if c.function == function]

    # -- the one walk ----------------------------------------------------------------------
    def walk(self) -> None:
        """Record every op call and SQL site of ``upgrade()`` and ``downgrade()``, in order."""
        for name in ("upgrade", "downgrade"):
            fn = self.functions.get(name)
            if fn is not None:
                self._created: set[str] = set()
                self._walk(fn.body, name, _ROOT_CTX)

    def _walk(self, body: Sequence[ast.stmt], function: str, ctx: _Ctx) -> None:
        for stmt in body:
            kind = type(stmt)
            if kind is ast.Expr or kind is ast.Assign or kind is ast.AnnAssign or kind is ast.Return:
                value = stmt.value  # type: ignore[attr-defined]
                if type(value) is ast.Await:
                    value = value.value
                if type(value) is ast.Call:
                    self._call(value, function, ctx)
            elif kind is ast.With or kind is ast.AsyncWith:
                self._with(stmt, function, ctx)  # type: ignore[arg-type]
            elif kind is ast.If or kind is ast.For or kind is ast.While or kind is ast.AsyncFor:
                self._walk(stmt.body, function, ctx)  # type: ignore[attr-defined]
                self._walk(stmt.orelse, function, ctx)  # type: ignore[attr-defined]
            elif kind is ast.Try or kind is ast.TryStar:
                self._walk(stmt.body, function, ctx)  # type: ignore[attr-defined]
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    self._walk(handler.body, function, ctx)
                self._walk(stmt.orelse, function, ctx)  # type: ignore[attr-defined]
                self._walk(stmt.finalbody, function, ctx)  # type: ignore[attr-defined]

    def _with(self, stmt: ast.With | ast.AsyncWith, function: str, ctx: _Ctx) -> None:
        batches, autocommit = ctx.batches, ctx.autocommit
        for item in stmt.items:
            expr = item.context_expr
            if type(expr) is not ast.Call:
                continue
            method = _callee_name(expr)
            if method == "autocommit_block":
                autocommit = True
                continue
            call = self._call(expr, function, ctx)
            if call is not None and method == "batch_alter_table" and not call.batch:
                alias = item.optional_vars
                if type(alias) is ast.Name:
                    batches = {**batches, alias.id: call.table}
        inner = _Ctx(batches, autocommit, (*ctx.with_lines, stmt.lineno))
        self._walk(stmt.body, function, inner)

    def _call(self, node: ast.Call, function: str, ctx: _Ctx) -> OpCall | None:
        func = node.func
        if type(func) is not ast.Attribute:
            return None
        receiver = func.value
        method = func.attr
        if type(receiver) is ast.Name and receiver.id in self.op_names:
            batch = False
            spec = TABLE_ARG.get(method)
            table = None
            if spec is not None:
                pos, names = spec
                value = next((kw.value for kw in node.keywords if kw.arg in names), None)
                if value is None and pos < len(node.args):
                    value = node.args[pos]
                table = const_str(value)
        elif type(receiver) is ast.Name and receiver.id in ctx.batches:
            batch = True
            table = ctx.batches[receiver.id]
        else:
            # conn.execute(sa.text("...")), op.get_bind().execute(sa.text("..."))
            if method == "execute" and node.args and is_text_call(node.args[0]):
                self._sql_site(node.args[0], node, function, ctx)
            return None
        created = self._created
        call = OpCall(method, node, function, batch, table, table in created, ctx.autocommit, ctx.with_lines)
        self.calls.append(call)
        if method == "create_table" and table:
            created.add(table)
        elif method == "rename_table" and table in created:
            new = const_str(call.arg(1, "new_table_name"))
            if new:
                created.add(new)
        elif method == "execute":
            sql = call.arg(0, "sqltext")
            if sql is not None:
                self._sql_site(sql, node, function, ctx)
        return call

    def _sql_site(self, expr: ast.expr, call: ast.Call, function: str, ctx: _Ctx) -> None:
        if is_text_call(expr):
            inner = expr.args[0] if expr.args else None  # type: ignore[attr-defined]
            if inner is None:
                return
            expr = inner
        self.sql_sites.append(SqlSite(expr, call, function, ctx.autocommit, ctx.with_lines, frozenset(self._created)))


# -- reading and parsing --------------------------------------------------------------------


def _literal_strings(node: ast.expr) -> tuple[str, ...] | None:
    """``None`` / ``"a"`` / ``("a", "b")`` as a tuple of strings; None when not a literal."""
    if type(node) is ast.Constant:  # the common case, without literal_eval
        value = node.value
        return () if value is None else (value,) if isinstance(value, str) else None
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_migration(path: str | Path) -> Migration | RevisionInfo:
    """Read and parse one file. A file that cannot be used comes back as a RevisionInfo with
    ``error`` set (reported as DB505); it never raises for bad content."""
    file = str(path)
    try:
        with open(file, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        return RevisionInfo(file, error=f"cannot read the file ({exc.strerror or exc})")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RevisionInfo(file, error=f"not UTF-8 text ({exc.reason} at byte {exc.start})", error_line=line)
    try:
        tree = ast.parse(source, filename=file)
    except SyntaxError as exc:
        return RevisionInfo(
            file, error=f"not valid Python: {exc.msg}", error_line=exc.lineno or 1, error_column=exc.offset or 1
        )
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. null bytes
        return RevisionInfo(file, error=f"not valid Python: {exc}")

    values: dict[str, ast.expr] = {}
    lines: dict[str, int] = {}
    migration = Migration(file, source, tree, RevisionInfo(file))
    for stmt in tree.body:
        kind = type(stmt)
        if kind is ast.Assign:
            for target in stmt.targets:  # type: ignore[attr-defined]
                if type(target) is ast.Name:
                    values[target.id] = stmt.value  # type: ignore[attr-defined]
                    lines[target.id] = stmt.lineno
        elif kind is ast.AnnAssign:
            if type(stmt.target) is ast.Name and stmt.value is not None:  # type: ignore[attr-defined]
                values[stmt.target.id] = stmt.value  # type: ignore[attr-defined]
                lines[stmt.target.id] = stmt.lineno
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            migration.functions[stmt.name] = stmt  # type: ignore[attr-defined]
        elif kind is ast.ImportFrom and stmt.module == "alembic":  # type: ignore[attr-defined]
            for alias in stmt.names:  # type: ignore[attr-defined]
                if alias.name == "op" and alias.asname:
                    migration.op_names.add(alias.asname)
    migration.consts = values
    migration.revision = _revision_info(file, values, lines)
    return migration


def _revision_info(file: str, values: dict[str, ast.expr], lines: dict[str, int]) -> RevisionInfo:
    if "revision" not in values:
        return RevisionInfo(file, error='no `revision = "..."` assignment at module level')
    node = values["revision"]
    revision = _literal_strings(node)
    if not revision or type(node) is not ast.Constant:
        return RevisionInfo(file, error="`revision` is not a string literal", error_line=lines["revision"])
    if "down_revision" not in values:
        return RevisionInfo(file, error="no `down_revision = ...` assignment at module level")
    down = _literal_strings(values["down_revision"])
    if down is None:
        return RevisionInfo(
            file, error="`down_revision` is not None, a string or a tuple of strings", error_line=lines["down_revision"]
        )
    depends = _literal_strings(values["depends_on"]) if "depends_on" in values else ()
    labels = _literal_strings(values["branch_labels"]) if "branch_labels" in values else ()
    return RevisionInfo(
        file,
        revision=revision[0],
        revision_line=lines["revision"],
        down_revisions=down,
        down_line=lines["down_revision"],
        depends_on=depends or (),
        depends_line=lines.get("depends_on", 1),
        branch_labels=labels or (),
    )


# -- suppressions ---------------------------------------------------------------------------


class Suppressions:
    """The ``# dbctl: ignore[...]`` and ``# dbctl: ignore-file[...]`` comments of one file."""

    def __init__(self, source: str) -> None:
        self.lines: dict[int, dict[str, bool]] = {}  # line -> code -> used
        self.columns: dict[int, int] = {}  # line -> 1-based column of the comment
        self.file: dict[str, list] = {}  # code -> [line, used]
        if "dbctl:" not in source:  # the common case: no tokenizing
            return
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError):
            return
        for token in tokens:
            if token.type != tokenize.COMMENT:
                continue
            for kind, codes in _SUPPRESSION.findall(token.string):
                line = token.start[0]
                self.columns.setdefault(line, token.start[1] + 1)
                for code in (c.strip().upper() for c in codes.split(",")):
                    if not code:
                        continue
                    if kind == "ignore-file":
                        self.file.setdefault(code, [line, False])
                    else:
                        self.lines.setdefault(line, {})[code] = False

    def __bool__(self) -> bool:
        return bool(self.lines or self.file)

    def suppresses(self, code: str, hit: Hit) -> bool:
        """True (and the suppression is marked used) when a comment covers ``code`` at ``hit``."""
        if code in self.file:
            self.file[code][1] = True
            return True
        if not self.lines:
            return False
        for line in (*range(hit.line, max(hit.end_line, hit.line) + 1), *hit.with_lines):
            codes = self.lines.get(line)
            if codes is not None and code in codes:
                codes[code] = True
                return True
        return False

    def unused(self) -> list[tuple[int, str]]:
        """(line, code) of every suppression that suppressed nothing."""
        found = [(line, code) for code, (line, used) in self.file.items() if not used]
        for line, codes in self.lines.items():
            found.extend((line, code) for code, used in codes.items() if not used)
        return sorted(found)


# -- running rules --------------------------------------------------------------------------


class Linter:
    """Runs the enabled rules over parsed migrations and builds findings."""

    def __init__(self, enabled: Iterable[str], severity: dict[str, str] | None = None) -> None:
        rules = all_rules()
        self.enabled = frozenset(enabled)
        self.severity = severity or {}
        self.rules = rules
        self.dispatch: dict[str, list[Rule]] = {}
        self.file_rules: list[Rule] = []
        for code in sorted(self.enabled):
            rule = rules[code]
            for method in rule.calls:
                self.dispatch.setdefault(method, []).append(rule)
            if rule.per_file:
                self.file_rules.append(rule)
        self.sql = bool({"DB601", "DB602"} & self.enabled)

    def finding(self, file: str, code: str, hit: Hit) -> Finding:
        rule = self.rules[code]
        return Finding(
            file=file,
            line=hit.line,
            column=hit.column,
            code=code,
            name=rule.name,
            severity=self.severity.get(code) or hit.severity or rule.severity,
            message=hit.message,
            help=rule.fix if hit.help is None else hit.help,
            end_line=max(hit.end_line, hit.line),
        )

    def hits(self, migration: Migration) -> list[tuple[str, Hit]]:
        """Every (code, hit) of the per-file rules for one migration (unsuppressed)."""
        migration.walk()
        found: list[tuple[str, Hit]] = []
        dispatch = self.dispatch
        for call in migration.calls:
            rules = dispatch.get(call.method)
            if rules:
                for rule in rules:
                    if call.function in rule.functions:
                        found.extend((rule.code, hit) for hit in rule.check_call(call, migration))
        for rule in self.file_rules:
            found.extend((rule.code, hit) for hit in rule.check_file(migration))
        if self.sql and migration.sql_sites:
            from dbctl.lint.sql import check_sql

            found.extend(check_sql(migration, self.enabled))
        return found

    def unused_suppressions(self, file: str, suppressions: Suppressions) -> list[Finding]:
        """DB001 findings for suppressions that suppressed nothing (only for rules that ran)."""
        if UNUSED_SUPPRESSION not in self.enabled:
            return []
        findings = []
        for line, code in suppressions.unused():
            if code not in self.rules:
                message = f"suppression of unknown rule code {code}"
            elif code in self.enabled:
                message = f"unused suppression: no {code} ({self.rules[code].name}) finding here"
            else:
                continue  # the rule is off (config or dialect): the comment may matter elsewhere
            column = suppressions.columns.get(line, 1)
            findings.append(self.finding(file, UNUSED_SUPPRESSION, Hit(line, column, message)))
        return findings
