"""Read and parse one migration file, once, and walk it once.

The file is parsed with :mod:`ast` (never imported or executed). One walk over the statements
of ``upgrade()`` and ``downgrade()`` records every ``op.*`` / ``batch_op.*`` call together with
its context (which function, which ``batch_alter_table`` block, whether inside
``autocommit_block()``, whether its table was created earlier in the same function), and every
literal SQL site. The module-level ``revision`` / ``down_revision`` / ``depends_on`` /
``branch_labels`` become a :class:`RevisionInfo` for the revision graph.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbctl.lint.sql import SqlSite
from dbctl.lint.syntax import TABLE_ARG, OpCall, callee_name, const_str, is_text_call


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
            method = callee_name(expr)
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
