"""DB601/DB602: literal SQL in ``op.execute(...)`` / ``sa.text(...)``, parsed with pglast.

SQL is analysed with PostgreSQL's own parser (libpg_query through pglast), never with regular
expressions. Hazards found in a statement are reported with the code of the rule that covers
the same pattern for ``op`` calls (``CREATE INDEX`` without ``CONCURRENTLY`` is DB203). SQL that
is built at run time, or that the parser rejects, is reported as DB602 (info): not analysed.
pglast is imported only when a file has such a literal.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dbctl.lint.registry import Hit, all_rules

if TYPE_CHECKING:
    from dbctl.lint.engine import Migration, SqlSite

# VOLATILE functions only: now(), current_timestamp, statement_timestamp() and
# transaction_timestamp() are STABLE, so PostgreSQL 11+ evaluates them once and adds the column
# without a rewrite (the "fast default"); flagging them would flag every created_at column.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "nextval",
    }
)


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


def check_sql(migration: Migration, enabled: frozenset[str]) -> list[tuple[str, Hit]]:
    """(code, hit) for every literal SQL site of ``migration``."""
    found: list[tuple[str, Hit]] = []
    rules = all_rules()
    for site in migration.sql_sites:
        try:
            sql = resolve_literal(site.expr, migration.consts)
        except _Unanalysable as exc:
            if "DB602" in enabled:
                found.append(("DB602", _hit(site, site.expr, f"SQL built at run time ({exc}) was not analysed")))
            continue
        if sql is None or "DB601" not in enabled:
            continue
        try:
            statements = parse(sql)
        except ValueError as exc:
            if "DB602" in enabled:
                message = f"the SQL parser rejected this SQL ({exc}); not analysed"
                found.append(("DB602", _hit(site, site.expr, message)))
            continue
        created = set(site.created)
        for raw in statements:
            line = _statement_line(site.expr, sql, raw.get("stmt_location", 0))
            for code, message in _hazards(raw.get("stmt", {}), site, created):
                rule = rules[code]
                if code in enabled and site.function in rule.functions:
                    found.append((code, _hit(site, site.expr, f"in raw SQL: {message}", line=line)))
    return found


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


def _hit(site: SqlSite, expr: ast.expr, message: str, line: int | None = None) -> Hit:
    start = line or expr.lineno
    return Hit(
        line=start,
        column=expr.col_offset + 1 if line in (None, expr.lineno) else 1,
        message=message,
        end_line=start if line else (expr.end_lineno or expr.lineno),
        with_lines=site.with_lines,
    )


def _statement_line(expr: ast.expr, sql: str, location: int) -> int:
    """The source line of a statement inside a (possibly triple-quoted) literal."""
    if type(expr) is not ast.Constant or (expr.end_lineno or expr.lineno) - expr.lineno != sql.count("\n"):
        return expr.lineno
    prefix = sql.encode("utf-8")[:location].decode("utf-8", errors="ignore")
    rest = sql[len(prefix) :]
    lead = len(rest) - len(rest.lstrip())  # the whitespace before the statement itself
    offset = (prefix + rest[:lead]).count("\n")
    return expr.lineno + offset


def _node(wrapped: Any) -> tuple[str, dict[str, Any]]:
    """``{"IndexStmt": {...}}`` -> ``("IndexStmt", {...})``."""
    if isinstance(wrapped, dict) and len(wrapped) == 1:
        kind, body = next(iter(wrapped.items()))
        if isinstance(body, dict):
            return kind, body
    return "", {}


def volatile_calls(tree: Any) -> list[str]:
    """Names of volatile functions called anywhere in a parsed SQL (sub)tree."""
    names = []
    todo = [tree]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            call = item.get("FuncCall")
            if isinstance(call, dict):
                parts = [_node(part)[1].get("sval", "") for part in call.get("funcname", [])]
                if parts and parts[-1].lower() in VOLATILE_FUNCTIONS:
                    names.append(parts[-1].lower())
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return names


def volatile_in_expression(text: str) -> list[str] | None:
    """Volatile functions in a SQL expression given as text (``server_default=sa.text(...)``);
    None when the parser rejects it."""
    try:
        statements = parse(f"SELECT {text}")
    except ValueError:
        return None
    if len(statements) != 1:
        return None
    return volatile_calls(statements[0].get("stmt"))


def _name_list(items: Any) -> str:
    return ".".join(_node(part)[1].get("sval", "") for part in items or [])


def _hazards(stmt: dict[str, Any], site: SqlSite, created: set[str]) -> Iterable[tuple[str, str]]:
    kind, body = _node(stmt)
    if kind == "CreateStmt":
        created.add(body.get("relation", {}).get("relname", ""))
    elif kind == "IndexStmt":
        table = body.get("relation", {}).get("relname", "?")
        if body.get("concurrent"):
            if not site.autocommit:
                yield "DB204", "CREATE INDEX CONCURRENTLY inside the migration's transaction"
        elif table not in created:
            yield "DB203", f"CREATE INDEX on existing table '{table}' without CONCURRENTLY"
    elif kind == "DropStmt":
        remove = body.get("removeType")
        if remove == "OBJECT_INDEX":
            if body.get("concurrent"):
                if not site.autocommit:
                    yield "DB204", "DROP INDEX CONCURRENTLY inside the migration's transaction"
            else:
                yield "DB205", "DROP INDEX without CONCURRENTLY"
        elif remove == "OBJECT_TABLE":
            for obj in body.get("objects", []):
                name = _name_list(_node(obj)[1].get("items"))
                if name.rpartition(".")[2] not in created:
                    yield "DB403", f"DROP TABLE '{name}'"
    elif kind == "AlterTableStmt" and body.get("objtype") == "OBJECT_TABLE":
        table = body.get("relation", {}).get("relname", "?")
        if table in created:
            return
        for wrapped in body.get("cmds", []):
            cmd = _node(wrapped)[1]
            subtype = cmd.get("subtype")
            def_kind, definition = _node(cmd.get("def"))
            if subtype == "AT_AddConstraint" and def_kind == "Constraint":
                contype = definition.get("contype")
                if contype == "CONSTR_FOREIGN" and not definition.get("skip_validation"):
                    yield "DB301", f"foreign key added to existing table '{table}' without NOT VALID"
                elif contype == "CONSTR_CHECK" and not definition.get("skip_validation"):
                    yield "DB302", f"check constraint added to existing table '{table}' without NOT VALID"
                elif contype in ("CONSTR_UNIQUE", "CONSTR_PRIMARY") and not definition.get("indexname"):
                    what = "unique" if contype == "CONSTR_UNIQUE" else "primary key"
                    yield "DB303", f"{what} constraint built on existing table '{table}' (not USING INDEX)"
            elif subtype == "AT_SetNotNull":
                yield "DB304", f"SET NOT NULL on column '{cmd.get('name')}' of existing table '{table}'"
            elif subtype == "AT_AlterColumnType":
                yield "DB306", f"type of column '{cmd.get('name')}' of existing table '{table}' changed"
            elif subtype == "AT_DropColumn":
                yield "DB402", f"DROP COLUMN '{cmd.get('name')}' from table '{table}'"
            elif subtype == "AT_AddColumn" and def_kind == "ColumnDef":
                column = definition.get("colname")
                constraints = [_node(c)[1] for c in definition.get("constraints", [])]
                types = {c.get("contype") for c in constraints}
                defaults = [c for c in constraints if c.get("contype") == "CONSTR_DEFAULT"]
                not_null = definition.get("is_not_null") or "CONSTR_NOTNULL" in types or "CONSTR_PRIMARY" in types
                if not_null and not defaults:
                    yield "DB401", f"NOT NULL column '{column}' added to existing table '{table}' without a DEFAULT"
                for default in defaults:
                    volatile = volatile_calls(default.get("raw_expr"))
                    if volatile:
                        yield (
                            "DB305",
                            (
                                f"column '{column}' added to existing table '{table}' with a volatile "
                                f"default ({volatile[0]}()): the table is rewritten"
                            ),
                        )
    elif kind == "RenameStmt":
        rename = body.get("renameType")
        if rename == "OBJECT_COLUMN":
            yield "DB404", f"column '{body.get('subname')}' renamed to '{body.get('newname')}'"
        elif rename == "OBJECT_TABLE":
            yield "DB405", f"table '{body.get('relation', {}).get('relname')}' renamed to '{body.get('newname')}'"
