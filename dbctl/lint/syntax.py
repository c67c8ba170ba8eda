"""What the rules look at in a migration's syntax tree: the ``op``/``batch_op`` calls
(:class:`OpCall`) and small helpers to read literal arguments out of :mod:`ast` nodes."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from dbctl.lint.registry import Hit

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


def const_str(node: ast.expr | None) -> str | None:
    """The string a node spells: a literal, or ``op.f("name")`` / ``f("name")``."""
    if node is None:
        return None
    if type(node) is ast.Constant:
        return node.value if isinstance(node.value, str) else None
    if type(node) is ast.Call and node.args and callee_name(node) == "f":
        return const_str(node.args[0])
    return None


def callee_name(call: ast.Call) -> str | None:
    """The name a call is made by: ``x`` in ``x(...)`` and ``a.b.x(...)``."""
    func = call.func
    if type(func) is ast.Attribute:
        return func.attr
    if type(func) is ast.Name:
        return func.id
    return None


def is_text_call(node: ast.expr | None) -> bool:
    """``sa.text(...)`` / ``text(...)`` / ``sqlalchemy.text(...)``."""
    return type(node) is ast.Call and callee_name(node) == "text"


def is_true(node: ast.expr | None) -> bool:
    """The literal ``True``."""
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
        """The value of keyword ``name``, or None."""
        return self.kwargs.get(name)

    def kw_true(self, name: str) -> bool:
        """True when keyword ``name`` is the literal ``True``."""
        return is_true(self.kwargs.get(name))

    def subject(self) -> str:
        """``op.create_index`` or ``batch_op.create_index``, for messages."""
        return f"{'batch_op' if self.batch else 'op'}.{self.method}"

    def on(self) -> str:
        """The table, for messages."""
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


def calls_after(calls: Sequence[OpCall], call: OpCall) -> list[OpCall]:
    """The calls of ``calls`` (one function's, in source order) that come after ``call``."""
    for index, other in enumerate(calls):
        if other is call:
            return list(calls[index + 1 :])
    return []


def column_calls(node: ast.expr | None) -> list[ast.Call]:
    """The ``sa.Column(...)`` / ``Column(...)`` call a node is, as a list (empty otherwise)."""
    if type(node) is ast.Call and callee_name(node) == "Column":
        return [node]
    return []


def column_name(call: ast.Call) -> str | None:
    """The name of a ``Column(...)`` call (its first positional argument or ``name=``)."""
    for kw in call.keywords:
        if kw.arg == "name":
            return const_str(kw.value)
    return const_str(call.args[0]) if call.args else None


def column_kw(call: ast.Call, name: str) -> ast.expr | None:
    """The value of keyword ``name`` of a ``Column(...)`` call, or None."""
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def type_name(node: ast.expr | None) -> str | None:
    """The name of a SQLAlchemy type expression: ``String`` for ``sa.String(50)``, ``sa.String``
    or ``String``; ``VARCHAR`` for ``postgresql.VARCHAR(length=50)``. None for anything else."""
    if type(node) is ast.Call:
        node = node.func
    if type(node) is ast.Attribute:
        return node.attr
    if type(node) is ast.Name:
        return node.id
    return None


def column_type(call: ast.Call) -> ast.expr | None:
    """The type of a ``Column(...)`` call: ``type_=`` or the positional argument after the name."""
    for kw in call.keywords:
        if kw.arg == "type_":
            return kw.value
    args = [a for a in call.args if type(a) is not ast.Starred]
    if args and type(args[0]) is ast.Constant:
        args = args[1:]  # the name
    return args[0] if args else None
