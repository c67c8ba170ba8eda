"""Literal SQL in ``op.execute(...)`` / ``sa.text(...)``: found, resolved, parsed with pglast.

SQL is analysed with PostgreSQL's own parser (libpg_query through pglast), never with regular
expressions. This module only finds and parses the SQL; what is wrong with a statement is each
rule's business (:meth:`~dbctl.lint.registry.Rule.check_sql`), and what is wrong with SQL that
could not be analysed is :meth:`~dbctl.lint.registry.Rule.check_sql_site`'s. pglast is imported
only when a file has such a literal.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from typing import Any

from dbctl.lint.registry import Hit
from dbctl.lint.syntax import callee_name


class _Unanalysable(Exception):
    """The SQL is not a literal; the message says what it is instead."""


def resolve_literal(expr: ast.expr, consts: dict[str, ast.expr], depth: int = 0) -> str | None:
    """The text of a SQL literal: a string, a module-level string constant, or literals joined
    with ``+``. Returns None for things that are not SQL strings at all (SQLAlchemy
    constructs); raises :class:`_Unanalysable` for strings built at run time."""
    kind = type(expr)
    if kind is ast.Constant:
        return expr.value if isinstance(expr.value, str) else None  # type: ignore[attr-defined]
    if kind is ast.JoinedStr:
        raise _Unanalysable("an f-string")
    if kind is ast.BinOp:
        op = type(expr.op)  # type: ignore[attr-defined]
        if op is ast.Add:
            left = resolve_literal(expr.left, consts, depth + 1)  # type: ignore[attr-defined]
            right = resolve_literal(expr.right, consts, depth + 1)  # type: ignore[attr-defined]
            if left is None or right is None:
                raise _Unanalysable("a string concatenation")
            return left + right
        if op is ast.Mod:
            raise _Unanalysable("%-formatting")
        return None
    if kind is ast.Name:
        value = consts.get(expr.id)  # type: ignore[attr-defined]
        if value is not None and depth < 10 and type(value) in (ast.Constant, ast.BinOp):
            return resolve_literal(value, consts, depth + 1)
        raise _Unanalysable(f"the variable `{expr.id}`")  # type: ignore[attr-defined]
    if kind is ast.Call and type(expr.func) is ast.Attribute and expr.func.attr in ("format", "join"):  # type: ignore[attr-defined]
        raise _Unanalysable(f"a .{expr.func.attr}() call")  # type: ignore[attr-defined]
    return None


class SqlSite:
    """An ``op.execute(...)`` / ``conn.execute(sa.text(...))`` argument that may hold SQL.

    After :func:`analyse`: ``sql`` is its text (None when it is not a SQL string at all),
    ``built_at_run_time`` says what it is when it is not a literal, ``parse_error`` what the
    parser said when it rejected the text.
    """

    __slots__ = (
        "expr",
        "call",
        "function",
        "autocommit",
        "with_lines",
        "created",
        "sql",
        "built_at_run_time",
        "parse_error",
    )

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
        self.autocommit = autocommit  # inside ``with op.get_context().autocommit_block():``
        self.with_lines = with_lines
        self.created = created  # tables created earlier in the same function
        self.sql: str | None = None
        self.built_at_run_time: str | None = None
        self.parse_error: str | None = None

    def hit(self, message: str, line: int | None = None) -> Hit:
        """A :class:`Hit` at the SQL argument, or at ``line`` (a statement inside it)."""
        expr = self.expr
        start = line or expr.lineno
        return Hit(
            line=start,
            column=expr.col_offset + 1 if line in (None, expr.lineno) else 1,
            message=message,
            end_line=start if line else (expr.end_lineno or expr.lineno),
            with_lines=self.with_lines,
        )


def analyse(site: SqlSite, consts: dict[str, ast.expr], parse_statements: bool) -> list[dict[str, Any]]:
    """Resolve the text of ``site`` and, with ``parse_statements``, parse it: the raw statements
    (libpg_query's JSON). Records on ``site`` why it could not be analysed, if so."""
    try:
        site.sql = resolve_literal(site.expr, consts)
    except _Unanalysable as exc:
        site.built_at_run_time = str(exc)
        return []
    if site.sql is None or not parse_statements:
        return []
    try:
        return parse(for_parser(site.sql))
    except ValueError as exc:
        site.parse_error = str(exc)
        return []


# A bind parameter as SQLAlchemy's ``text()`` finds it (``:name``, not ``::cast``, not ``\\:``);
# unlike SQLAlchemy's own pattern, ``:id::int`` is one bind followed by a cast.
_BIND = re.compile(r"(?<![:\w\\]):\w+")
_ESCAPED_COLONS = re.compile(r"(?:\\:)+")


def for_parser(sql: str) -> str:
    """``sql`` as PostgreSQL's parser should see it, with the same length in UTF-8 bytes and
    the same lines (libpg_query's statement positions are byte offsets: they stay right).

    SQLite ``PRAGMA`` statements are blanked out (SQLite's own; nothing in them for the
    PostgreSQL rules). ``:name`` binds become ``$1`` placeholders and backslash-escaped colons
    plain colons: Alembic runs ``op.execute`` strings through ``text()`` as well.
    """
    if ":" in sql:
        sql = _BIND.sub(lambda m: "$1".ljust(len(m.group().encode("utf-8"))), sql)
        sql = _ESCAPED_COLONS.sub(lambda m: " " * (len(m.group()) // 2) + ":" * (len(m.group()) // 2), sql)
    if "pragma" in sql.lower():
        for start, end in reversed(list(_statement_spans(sql))):
            if _first_word(sql, start, end).lower() == "pragma":
                sql = sql[:start] + re.sub(r"[^\n]+", _blank, sql[start:end]) + sql[end:]
    return sql


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group().encode("utf-8"))


def _statement_spans(sql: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each statement of ``sql``, its ``;`` included: semicolons inside quotes,
    dollar quotes and comments do not end a statement."""
    start = i = 0
    size = len(sql)
    while i < size:
        char = sql[i]
        if char in "'\"":
            end = sql.find(char, i + 1)
            i = size if end < 0 else end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = size if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = size if end < 0 else end + 2
        elif char == "$" and (tag := re.match(r"\$(?:[A-Za-z_]\w*)?\$", sql[i:])):
            end = sql.find(tag.group(), i + len(tag.group()))
            i = size if end < 0 else end + len(tag.group())
        elif char == ";":
            yield start, i + 1
            start = i = i + 1
        else:
            i += 1
    if start < size:
        yield start, size


def _first_word(sql: str, start: int, end: int) -> str:
    """The first word of ``sql[start:end]`` after whitespace and comments."""
    text = re.sub(r"--[^\n]*|/\*.*?\*/", " ", sql[start:end], flags=re.DOTALL)
    match = re.match(r"\s*(\w+)", text)
    return match.group(1) if match else ""


def parse_literal(expr: ast.expr, consts: dict[str, ast.expr]) -> list[dict[str, Any]] | None:
    """The parsed statements of a literal SQL argument (a string, or ``text()`` of one); None
    when it is not a literal SQL string, is built at run time, or the parser rejects it."""
    if type(expr) is ast.Call and callee_name(expr) == "text":
        if not expr.args:
            return None
        expr = expr.args[0]
    try:
        text = resolve_literal(expr, consts)
        return None if text is None else parse(for_parser(text))
    except (_Unanalysable, ValueError):
        return None


def parse(sql: str) -> list[dict[str, Any]]:
    """Parse SQL with PostgreSQL's parser; the statements as libpg_query's JSON tree.

    The JSON form is used instead of pglast's Python node classes: it is an order of magnitude
    cheaper to build. Raises ValueError when the parser rejects the SQL.
    """
    from pglast.parser import ParseError, parse_sql_json

    try:
        return json.loads(parse_sql_json(sql)).get("stmts", [])
    except ParseError as exc:
        raise ValueError(str(exc)) from None


def statements(site: SqlSite, raw: list[dict[str, Any]]) -> Iterator[SqlStatement]:
    """The statements of ``site`` in order. Tables made by ``CREATE TABLE`` count as created
    for the statements after it (lock rules exempt them, as tables from ``op.create_table``)."""
    created = set(site.created)
    for item in raw:
        line = _statement_line(site.expr, site.sql or "", item.get("stmt_location", 0))
        kind, body = unwrap(item.get("stmt", {}))
        if kind == "CreateStmt":
            created.add(body.get("relation", {}).get("relname", ""))
        yield SqlStatement(site, kind, body, line, created)


def _statement_line(expr: ast.expr, sql: str, location: int) -> int:
    """The source line of a statement inside a (possibly triple-quoted) literal."""
    if type(expr) is not ast.Constant or (expr.end_lineno or expr.lineno) - expr.lineno != sql.count("\n"):
        return expr.lineno
    prefix = sql.encode("utf-8")[:location].decode("utf-8", errors="ignore")
    rest = sql[len(prefix) :]
    lead = len(rest) - len(rest.lstrip())  # the whitespace before the statement itself
    offset = (prefix + rest[:lead]).count("\n")
    return expr.lineno + offset


class SqlStatement:
    """One parsed statement of a literal SQL site: ``kind`` is libpg_query's node name
    (``"IndexStmt"``), ``body`` its JSON fields."""

    __slots__ = ("site", "kind", "body", "line", "created")

    def __init__(self, site: SqlSite, kind: str, body: dict[str, Any], line: int, created: set[str]) -> None:
        self.site = site
        self.kind = kind
        self.body = body
        self.line = line
        self.created = created

    @property
    def autocommit(self) -> bool:
        """Inside ``with op.get_context().autocommit_block():``."""
        return self.site.autocommit

    @property
    def relation(self) -> str:
        """The name of the table the statement is on (``"?"`` when it names none)."""
        return self.body.get("relation", {}).get("relname", "?")

    def existing(self, table: str) -> bool:
        """True unless ``table`` was created earlier in the same migration."""
        return table not in self.created

    def hit(self, message: str) -> Hit:
        """A :class:`Hit` at this statement (reported as being in raw SQL)."""
        return self.site.hit(f"in raw SQL: {message}", line=self.line)

    def alter_commands(self) -> Iterator[tuple[str, dict[str, Any], str, dict[str, Any]]]:
        """(subtype, command, definition kind, definition) of each command of an
        ``ALTER TABLE`` on an existing table; nothing for other statements."""
        if self.kind != "AlterTableStmt" or self.body.get("objtype") != "OBJECT_TABLE":
            return
        if not self.existing(self.relation):
            return
        for wrapped in self.body.get("cmds", []):
            command = unwrap(wrapped)[1]
            def_kind, definition = unwrap(command.get("def"))
            yield command.get("subtype", ""), command, def_kind, definition

    def added_column(self, definition: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """The constraints of an ``ADD COLUMN`` definition, and whether it is NOT NULL."""
        constraints = [unwrap(c)[1] for c in definition.get("constraints", [])]
        types = {c.get("contype") for c in constraints}
        not_null = definition.get("is_not_null") or "CONSTR_NOTNULL" in types or "CONSTR_PRIMARY" in types
        return constraints, bool(not_null)


def unwrap(wrapped: Any) -> tuple[str, dict[str, Any]]:
    """``{"IndexStmt": {...}}`` -> ``("IndexStmt", {...})``."""
    if isinstance(wrapped, dict) and len(wrapped) == 1:
        kind, body = next(iter(wrapped.items()))
        if isinstance(body, dict):
            return kind, body
    return "", {}


def name_list(items: Any) -> str:
    """A dotted name from libpg_query's list of ``String`` nodes."""
    return ".".join(unwrap(part)[1].get("sval", "") for part in items or [])


def function_calls(tree: Any) -> list[str]:
    """Names (lower case, without schema) of the functions called anywhere in a parsed (sub)tree."""
    names = []
    todo = [tree]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            call = item.get("FuncCall")
            if isinstance(call, dict):
                parts = [unwrap(part)[1].get("sval", "") for part in call.get("funcname", [])]
                if parts:
                    names.append(parts[-1].lower())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return names


def expression_function_calls(text: str) -> list[str] | None:
    """:func:`function_calls` of a SQL expression given as text (``server_default=sa.text(...)``);
    None when the parser rejects it."""
    try:
        raw = parse(f"SELECT {text}")
    except ValueError:
        return None
    if len(raw) != 1:
        return None
    return function_calls(raw[0].get("stmt"))


def expression_columns(text: str) -> list[str] | None:
    """The column names (last part of each column reference) a SQL expression given as text
    uses (a check constraint's condition); None when the parser rejects it."""
    try:
        raw = parse(f"SELECT {for_parser(text)}")
    except ValueError:
        return None
    names = []
    todo: list[Any] = [raw]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            ref = item.get("ColumnRef")
            if isinstance(ref, dict) and ref.get("fields"):
                names.append(unwrap(ref["fields"][-1])[1].get("sval", ""))
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return [name for name in names if name]
