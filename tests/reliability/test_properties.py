"""Property tests: arbitrary configuration text never crashes the config loader, arbitrary
Python never crashes the linter. Both either succeed or raise a DbctlError (the CLI's one-line
errors); anything else would be an internal error (exit 70) for the user.

Examples are generated three ways: raw text (and bytes), documents built from dbctl's own keys
with values of every TOML type, and small mutations of a valid document; for the linter, raw
text and migrations generated from a grammar of ``op.*`` calls with arbitrary arguments.
Hypothesis runs derandomized (stable in CI) and without an example database (no files written
outside tmp); raise ``max_examples`` locally to search harder.
"""

from __future__ import annotations

import string
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbctl.config.loader import LINT_KEYS, TARGET_KEYS, TOP_KEYS, load_config
from dbctl.config.model import ProjectConfig
from dbctl.errors import DbctlError
from dbctl.lint.api import lint_project
from dbctl.lint.findings import LintReport
from dbctl.lint.syntax import TABLE_ARG
from tests.conftest import _dbctl_env

SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dbctl-props-") as folder:
        yield Path(folder)


def load(folder: Path, content: str | bytes) -> ProjectConfig | DbctlError:
    """Write ``content`` as dbctl.toml and load it; return the config or the DbctlError."""
    path = folder / "dbctl.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    try:
        project = load_config(path)
    except DbctlError as error:
        assert isinstance(error.message, str) and error.message.strip(), repr(error)
        return error
    assert isinstance(project, ProjectConfig)
    return project


# -- configuration -------------------------------------------------------------------------------

VALID = (
    'script_location = "migrations"\nmetadata = "app.models:Base.metadata"\ndefault_target = "dev"\n'
    '[targets.dev]\nurl = "sqlite:///dev.db"\nlock_timeout = "5s"\n'
    '[targets.prod]\nurl = "${DATABASE_URL:-postgresql://u:pw@h/db}"\nprotected = true\n'
    '[groups]\nall = ["dev", "prod"]\n[lint]\nignore = ["DB402"]\nfail_on = "warning"\n'
)

# Strings that mean something to the loader: durations, references, target names, URLs, paths.
# (No leading "~": Path.expanduser() raising for an unknown user is a known bug, covered by a
# strict xfail row of test_bad_input.py, and would otherwise fail this property at random.)
MEANINGFUL = st.sampled_from(
    [
        "",
        "5s",
        "500ms",
        "10min",
        "1h",
        "2d",
        "-1s",
        "1.5",
        "soon",
        "1e9s",
        "${HOME}",
        "${NOPE_UNSET_VAR_X}",
        "${X:-5s}",
        "${",
        "$$",
        "$${A}",
        "dev",
        "prod",
        "all",
        "migrations",
        "a:b",
        "app.models:Base.metadata",
        "sqlite:///x.db",
        "postgresql://u:p@h/db",
        "error",
        "warning",
        "info",
        "DB402",
        "DB4",
        "/abs/path",
        "../up",
        "\x00",
        "nul\x00byte",
    ]
)
TEXT = st.one_of(MEANINGFUL, st.text(max_size=30).filter(lambda s: not s.startswith("~")))
SCALARS = st.one_of(
    TEXT,
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
KEY = st.one_of(st.sampled_from(TOP_KEYS + TARGET_KEYS + LINT_KEYS), st.text(max_size=10))


@st.composite
def documents(draw: st.DrawFn) -> dict:
    """A dbctl.toml as a dict: mostly the right keys, with values of any type."""
    doc: dict = {}
    for key in draw(st.lists(KEY, max_size=5)):
        doc[key] = draw(VALUES)
    targets = {}
    for name in draw(st.lists(st.sampled_from(["dev", "prod", "x y", ""]), max_size=3)):
        targets[name] = {
            key: draw(VALUES) for key in draw(st.lists(st.sampled_from(TARGET_KEYS + ("urk",)), max_size=4))
        }
    if targets or draw(st.booleans()):
        doc["targets"] = targets if draw(st.booleans()) else draw(VALUES)
    if draw(st.booleans()):
        doc["lint"] = {key: draw(VALUES) for key in draw(st.lists(st.sampled_from(LINT_KEYS), max_size=3))}
    if draw(st.booleans()):
        doc["groups"] = {draw(st.sampled_from(["g", "dev"])): draw(VALUES)}
    return doc


@settings(max_examples=200, **SETTINGS)
@given(text=st.text(max_size=300))
def test_config_loader_arbitrary_text(workdir: Path, text: str) -> None:
    load(workdir, text)


@settings(max_examples=100, **SETTINGS)
@given(data=st.binary(max_size=200))
def test_config_loader_arbitrary_bytes(workdir: Path, data: bytes) -> None:
    load(workdir, data)


@settings(max_examples=200, **SETTINGS)
@given(doc=documents())
def test_config_loader_structured_documents(workdir: Path, doc: dict) -> None:
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # e.g. NaN in a list tomli-w will not write
        return
    load(workdir, text)


@settings(max_examples=150, **SETTINGS)
@given(
    position=st.integers(min_value=0, max_value=len(VALID)),
    cut=st.integers(min_value=0, max_value=20),
    insert=st.text(alphabet=string.printable + "é\u2028\x00", max_size=6),
)
def test_config_loader_mutated_valid_document(workdir: Path, position: int, cut: int, insert: str) -> None:
    load(workdir, VALID[:position] + insert + VALID[position + cut :])


def test_the_valid_document_is_valid(workdir: Path) -> None:
    assert isinstance(load(workdir, VALID), ProjectConfig)


# -- the linter ----------------------------------------------------------------------------------

REVS = ["aaaa00000001", "bbbb00000002", "cccc00000003", "aaaa"]
TABLES = ["users", "posts", "t", "", "weird name", "public.x"]
COLUMNS = ["id", "email", "created_at", "x"]
SQL = st.one_of(
    st.sampled_from(
        [
            "CREATE INDEX ix_users_email ON users (email)",
            "CREATE INDEX CONCURRENTLY ix ON users (email)",
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON users USING btree (lower(email)) WHERE x > 1",
            "DROP INDEX ix",
            "DROP INDEX CONCURRENTLY ix",
            "DROP TABLE users",
            "DROP TABLE IF EXISTS a, b CASCADE",
            "ALTER TABLE users ADD COLUMN x uuid DEFAULT gen_random_uuid() NOT NULL",
            "ALTER TABLE users ALTER COLUMN email SET NOT NULL",
            "ALTER TABLE users ALTER COLUMN x TYPE bigint",
            "ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)",
            "ALTER TABLE posts ADD CONSTRAINT c CHECK (x > 0) NOT VALID",
            "ALTER TABLE users RENAME COLUMN a TO b",
            "ALTER TABLE users RENAME TO people",
            "UPDATE users SET x = 1",
            "VACUUM",
            "BEGIN; COMMIT",
            "CREATE TABLE t (id int); CREATE INDEX ON t (id)",
            "DO $$ BEGIN PERFORM 1; END $$",
            "",
            ";",
            "SELECT",
            "ALTER TABLE",
            "CREATE INDEX ON",
            "-- just a comment",
            "/* unterminated",
            "'",
            "$$",
        ]
    ),
    st.text(max_size=60),
)
OP_METHODS = sorted(TABLE_ARG) + ["execute", "f", "get_bind", "inline_literal", "run_async", "no_such_method"]
KWARGS = [
    "nullable",
    "server_default",
    "postgresql_concurrently",
    "existing_type",
    "type_",
    "unique",
    "if_exists",
    "schema",
    "table_name",
    "new_column_name",
    "sqltext",
    "postgresql_where",
    "existing_nullable",
    "postgresql_using",
    "ondelete",
    "source_table",
    "old_table_name",
    "new_table_name",
    "condition",
]


def _literal(value: object) -> str:
    return repr(value)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> str:
    choices = ["str", "table", "column", "sql", "number", "const", "name"]
    if depth < 3:
        choices += ["column_obj", "type", "text", "f", "list", "tuple", "dict", "fstring", "concat", "func"]
    kind = draw(st.sampled_from(choices))
    sub = expressions(depth + 1)
    if kind == "str":
        return _literal(draw(st.text(max_size=15)))
    if kind == "table":
        return _literal(draw(st.sampled_from(TABLES)))
    if kind == "column":
        return _literal(draw(st.sampled_from(COLUMNS)))
    if kind == "sql":
        return _literal(draw(SQL))
    if kind == "number":
        return _literal(draw(st.one_of(st.integers(-5, 10**12), st.floats(allow_nan=False, allow_infinity=False))))
    if kind == "const":
        return draw(st.sampled_from(["None", "True", "False", "..."]))
    if kind == "name":
        return draw(st.sampled_from(["x", "conn", "batch_op", "op", "sa", "SQL", "revision"]))
    if kind == "column_obj":
        args = [
            _literal(draw(st.sampled_from(COLUMNS))),
            draw(
                st.sampled_from(
                    ["sa.Integer()", "sa.String(20)", "sa.Text", "sa.DateTime(timezone=True)", "postgresql.UUID()"]
                )
            ),
        ]
        args += [
            f"{k}={draw(sub)}"
            for k in draw(
                st.lists(
                    st.sampled_from(["nullable", "server_default", "index", "unique", "primary_key", "default"]),
                    max_size=2,
                    unique=True,
                )
            )
        ]
        return f"sa.Column({', '.join(args)})"
    if kind == "type":
        return draw(st.sampled_from(["sa.Integer()", "sa.BigInteger()", "sa.String(length=5)", "sa.Boolean"]))
    if kind == "text":
        return f"sa.text({draw(sub)})"
    if kind == "f":
        return f"op.f({draw(sub)})"
    if kind == "list":
        return f"[{', '.join(draw(st.lists(sub, max_size=3)))}]"
    if kind == "tuple":
        return f"({', '.join(draw(st.lists(sub, max_size=3)))},)"
    if kind == "dict":
        return "{" + ", ".join(f"{draw(sub)}: {draw(sub)}" for _ in range(draw(st.integers(0, 2)))) + "}"
    if kind == "fstring":
        return 'f"CREATE INDEX {x} ON t (id)"'
    if kind == "concat":
        return f"{draw(sub)} + {draw(sub)}"
    return draw(st.sampled_from(["sa.func.now()", "sa.func.random()", "sa.text('now()')", "sa.literal(1)"]))


@st.composite
def op_calls(draw: st.DrawFn, receiver: str = "op") -> str:
    method = draw(st.sampled_from(OP_METHODS))
    args = draw(st.lists(expressions(), max_size=4))
    kwargs = draw(st.lists(st.sampled_from(KWARGS), max_size=3, unique=True))
    parts = args + [f"{k}={draw(expressions())}" for k in kwargs]
    suffix = draw(
        st.sampled_from(
            [
                "",
                "",
                "  # dbctl: ignore[DB402]",
                "  # dbctl: ignore[DB999, db203]",
                "  # dbctl: ignore-file[DB101]",
                "  # dbctl: ignore[]",
            ]
        )
    )
    return f"{receiver}.{method}({', '.join(parts)}){suffix}"


@st.composite
def statements(draw: st.DrawFn, indent: int, depth: int = 0) -> list[str]:
    pad = "    " * indent
    kinds = ["op", "op", "op", "execute", "bind", "pass", "assign"]
    if depth < 2:
        kinds += ["batch", "autocommit", "if", "for", "try"]
    kind = draw(st.sampled_from(kinds))
    if kind == "op":
        return [pad + draw(op_calls())]
    if kind == "execute":
        return [pad + f"op.execute({draw(expressions())})"]
    if kind == "bind":
        return [pad + "conn = op.get_bind()", pad + f"conn.execute(sa.text({_literal(draw(SQL))}))"]
    if kind == "pass":
        return [pad + draw(st.sampled_from(["pass", "...", "raise NotImplementedError()", '"""doc"""']))]
    if kind == "assign":
        return [pad + f"x = {draw(op_calls())}"]
    body = draw(blocks(indent + 1, depth + 1))
    if kind == "batch":
        alias = draw(st.sampled_from(["batch_op", "b"]))
        inner = [("    " * (indent + 1)) + draw(op_calls(alias)) for _ in range(draw(st.integers(0, 3)))]
        return [pad + f"with op.batch_alter_table({draw(expressions())}) as {alias}:"] + (inner or body)
    if kind == "autocommit":
        return [pad + "with op.get_context().autocommit_block():"] + body
    if kind == "if":
        return [pad + "if op.get_bind().dialect.name == 'postgresql':"] + body + [pad + "else:"] + body
    if kind == "for":
        return [pad + "for x in range(3):"] + body
    return [pad + "try:"] + body + [pad + "except Exception:", pad + "    pass", pad + "finally:"] + body


@st.composite
def blocks(draw: st.DrawFn, indent: int, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        lines += draw(statements(indent, depth))
    return lines


@st.composite
def migrations(draw: st.DrawFn) -> str:
    """A migration module: header variables (sometimes odd) and upgrade()/downgrade() bodies."""
    rev = draw(
        st.one_of(st.sampled_from(REVS).map(_literal), st.sampled_from(["None", "123", "('a', 'b')", "x", 'f"{x}"']))
    )
    down = draw(
        st.one_of(
            st.just("None"),
            st.sampled_from(REVS).map(_literal),
            st.lists(st.sampled_from(REVS), min_size=1, max_size=3).map(lambda r: repr(tuple(r))),
            st.sampled_from(["[]", "1", "'missing0000'", "(None,)", "{'a': 1}"]),
        )
    )
    lines = [
        draw(st.sampled_from(['"""a migration"""', "", "# -*- coding: utf-8 -*-"])),
        "import sqlalchemy as sa",
        "from alembic import op",
        "from sqlalchemy.dialects import postgresql",
        f"SQL = {_literal(draw(SQL))}",
    ]
    if draw(st.integers(0, 9)):
        lines.append(f"revision = {rev}")
    if draw(st.integers(0, 9)):
        lines.append(f"down_revision{draw(st.sampled_from(['', ': str | None']))} = {down}")
    lines += ["branch_labels = None", f"depends_on = {draw(st.sampled_from(['None', repr(REVS[0]), '1']))}", ""]
    for name in draw(st.lists(st.sampled_from(["upgrade", "downgrade"]), min_size=0, max_size=2, unique=True)):
        prefix = draw(st.sampled_from(["def", "def", "async def"]))
        lines += [f"{prefix} {name}() -> None:"] + draw(blocks(1)) + [""]
    source = "\n".join(lines) + "\n"
    if draw(st.integers(0, 9)) == 0:  # now and then, break it
        cut = draw(st.integers(0, len(source)))
        source = source[:cut] + draw(st.sampled_from(["(", "\x00", "\t  x", '"""', "é", ""])) + source[cut + 1 :]
    return source


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def lint_project_dir(request: pytest.FixtureRequest, workdir: Path) -> Path:
    """A project for the linter; a PostgreSQL target enables the PostgreSQL-only rules."""
    root = workdir / f"lint-{request.param}"
    (root / "migrations" / "versions").mkdir(parents=True)
    url = "postgresql://u@h/db" if request.param == "postgresql" else "sqlite:///x.db"
    (root / "dbctl.toml").write_text(f'[targets.dev]\nurl = "{url}"\n[lint]\nseverity = {{DB402 = "info"}}\n')
    return root


def lint(root: Path, sources: list[str | bytes]) -> LintReport | DbctlError:
    versions = root / "migrations" / "versions"
    for old in versions.iterdir():
        old.unlink()
    for i, source in enumerate(sources):
        path = versions / f"m{i}_generated.py"
        if isinstance(source, bytes):
            path.write_bytes(source)
        else:
            path.write_text(source, encoding="utf-8")
    project = load_config(root / "dbctl.toml")
    try:
        report = lint_project(project)
    except DbctlError as error:
        return error
    assert isinstance(report, LintReport)
    assert report.files_checked == len(sources)
    for finding in report.findings:
        assert finding.code.startswith("DB") and finding.line >= 1 and finding.severity in ("info", "warning", "error")
    return report


@settings(max_examples=100, **SETTINGS)
@given(sources=st.lists(st.text(max_size=200), min_size=1, max_size=2))
def test_linter_arbitrary_text(lint_project_dir: Path, sources: list[str]) -> None:
    lint(lint_project_dir, sources)


@settings(max_examples=40, **SETTINGS)
@given(sources=st.lists(st.binary(max_size=100), min_size=1, max_size=2))
def test_linter_arbitrary_bytes(lint_project_dir: Path, sources: list[bytes]) -> None:
    lint(lint_project_dir, sources)


@settings(max_examples=150, **SETTINGS)
@given(sources=st.lists(migrations(), min_size=1, max_size=3))
def test_linter_generated_migrations(lint_project_dir: Path, sources: list[str]) -> None:
    lint(lint_project_dir, sources)


# -- the real entry point, once or twice ---------------------------------------------------------


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dbctl", *args],
        cwd=root,
        env=_dbctl_env(None),
        text=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )


@settings(max_examples=2, **SETTINGS)
@given(
    config=st.one_of(st.text(max_size=200), documents().map(lambda d: tomli_w.dumps(d) if _dumpable(d) else "")),
    migration=st.one_of(st.text(max_size=200), migrations()),
)
def test_entry_point_on_arbitrary_input(config: str, migration: str) -> None:
    with tempfile.TemporaryDirectory(prefix="dbctl-props-cli-") as folder:
        root = Path(folder)
        (root / "migrations" / "versions").mkdir(parents=True)
        (root / "dbctl.toml").write_text(config, encoding="utf-8")
        (root / "migrations" / "versions" / "m_generated.py").write_text(migration, encoding="utf-8")
        for args in (("targets",), ("check",)):
            result = _run(root, *args)
            shown = f"dbctl {' '.join(args)} -> {result.returncode}\n{result.stdout}\n{result.stderr}"
            assert result.returncode in (0, 1, 2), shown
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr, shown
            if result.returncode == 2:
                assert sum(line.startswith("error:") for line in result.stderr.splitlines()) == 1, shown


def _dumpable(doc: dict) -> bool:
    try:
        tomli_w.dumps(doc)
    except (TypeError, ValueError):
        return False
    return True
