"""A table of bad inputs, each run through the real entry point.

Every row builds a small project in ``tmp_path``, runs one command and checks the contract of
the README: the documented exit code, exactly one ``error:`` line and at most one ``hint:``
line on stderr (and nothing else there, except progress lines for the rows that legitimately
print some before failing), no traceback, never the password the row planted in a URL, and
no partial write: the project tree (names and bytes) is unchanged and so is the database the
row points at (its alembic_version, tables, columns, indexes, rows and ledger), except for
the rows that document what may change (a failed migration keeps the revisions before it).

Rows that reveal a bug in dbctl are marked ``xfail(strict=True)`` with the reason; they start
failing (and so passing strictly) once dbctl is fixed.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from dbctl.alembic_bridge.lock import advisory_key

from .projects import empty_state, hold_sqlite_lock, read_state, rev_id, write_env, write_revision

PW = "Pl4nted-S3cret"  # planted in a URL of every row; must never be printed
VAULT = f'[targets.vault]\nurl = "postgresql://app:{PW}@db.invalid:5432/app"\n'
DEV = 'default_target = "dev"\n[targets.dev]\nurl = "sqlite:///app.db"\n' + VAULT
DEV_PROTECTED = 'default_target = "dev"\n[targets.dev]\nurl = "sqlite:///app.db"\nprotected = true\n' + VAULT
UNSET = "DBCTL_RELIABILITY_UNSET_VAR"


def dev(url: str, extra: str = "") -> str:
    """A config whose default target ``dev`` has ``url``, plus the vault target."""
    return f'default_target = "dev"\n[targets.dev]\nurl = "{url}"\n{extra}{VAULT}'


R1, R2, R3 = rev_id(1), rev_id(2), rev_id(3)


def _create(i: int) -> str:
    return f'    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))'


# (revision, down_revision, upgrade body) for the default history: three revisions creating t1..t3
CHAIN3 = ((R1, None, _create(1)), (R2, R1, _create(2)), (R3, R2, _create(3)))
FAILING3 = (
    (R1, None, _create(1)),
    (R2, R1, _create(2)),
    (R3, R2, _create(3) + '\n    op.execute("INSERT INTO no_such_table VALUES (1)")'),
)

MISSING_DOWN_VARIABLE = f'"""no down_revision"""\nrevision = {R3!r}\n\n\ndef upgrade():\n    pass\n'
SYNTAX_ERROR = f'"""broken"""\nrevision = {R3!r}\ndown_revision = {R2!r}\n\n\ndef upgrade(:\n    pass\n'
NOT_UTF8 = f'"""caf\xe9 cr\xe8me"""\nrevision = {R3!r}\ndown_revision = {R2!r}\n\n\ndef upgrade():\n    pass\n'.encode(
    "latin-1"
)


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int
    toml: str | bytes | None = DEV  # None: no dbctl.toml; "{PG}", "{PG_BADPW}", "{REFUSED}" ... are filled in
    graph: tuple[tuple[str, str | tuple[str, ...] | None, str], ...] = CHAIN3
    files: dict[str, str | bytes] = field(default_factory=dict)  # extra files, relative to the project
    prepare: int = 0  # upgrade the database to this revision number first
    db: str | None = None  # the database this row points at: "sqlite" | "pg" (its state is checked)
    after: int | None = None  # the revision number the database must be at afterwards (default: unchanged)
    setup: str | None = None  # unreadable-config | fifo-config | hold-sqlite-lock | hold-pg-lock
    env: dict[str, str | None] = field(default_factory=dict)
    words: tuple[str, ...] = ()  # must appear in the error/hint lines
    chatter: bool = False  # progress lines may precede the error
    bug: str | None = None  # a known dbctl bug: the row is xfail(strict)


def _port_nobody_listens_on() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REFUSED = f"postgresql+psycopg://app:{PW}@127.0.0.1:{{REFUSED}}/app"

CASES = [
    # -- the configuration file ---------------------------------------------------------------
    Case(
        "toml-unterminated-string",
        ("current",),
        2,
        f'[targets.dev]\nurl = "postgresql://app:{PW}@db.invalid/app\n',
        words=("invalid TOML",),
    ),
    Case(
        "toml-duplicate-key",
        ("upgrade", "head"),
        2,
        f'[targets.dev]\nurl = "sqlite:///app.db"\nurl = "postgresql://app:{PW}@db.invalid/app"\n',
        words=("invalid TOML",),
    ),
    Case("toml-not-utf8", ("targets",), 2, b"# caf\xe9\n" + DEV.encode(), words=("UTF-8",)),
    Case(
        "wrong-type-protected", ("downgrade", "-1"), 2, DEV + 'protected = "yes"\n', words=("targets.vault.protected",)
    ),
    Case(
        "wrong-type-targets",
        ("current",),
        2,
        f'targets = ["postgresql://app:{PW}@db.invalid/app"]\n',
        words=("targets",),
    ),
    Case("wrong-type-url", ("current",), 2, f"[targets.dev]\nurl = 5432\n{VAULT}", words=("targets.dev.url",)),
    Case(
        "wrong-type-version-locations",
        ("history",),
        2,
        f'version_locations = "migrations/versions"\n{DEV}',
        words=("version_locations",),
    ),
    Case(
        "wrong-type-lock-timeout",
        ("upgrade", "head"),
        2,
        DEV + "lock_timeout = true\n",
        words=("targets.vault.lock_timeout",),
    ),
    Case(
        "bad-duration",
        ("upgrade", "head"),
        2,
        DEV + 'statement_timeout = "forever"\n',
        words=("targets.vault.statement_timeout",),
    ),
    Case(
        "unknown-top-key",
        ("current",),
        2,
        f'scripts_location = "migrations"\n{DEV}',
        words=("scripts_location", "script_location"),
    ),
    Case("unknown-target-key", ("current",), 2, DEV + f'passwd = "{PW}"\n', words=("targets.vault.passwd",)),
    Case("unknown-key-with-newline", ("targets",), 2, DEV + '"pass\\nword" = 1\n', words=("pass\\nword",)),
    Case(
        "home-of-unknown-user",
        ("history",),
        2,
        f'script_location = "~no_such_user_dbctl/migrations"\n{DEV}',
        words=("script_location",),
    ),
    Case(
        "pyproject-wrong-type",
        ("current",),
        2,
        None,
        words=("pyproject.toml", "tool.dbctl.default_target"),
        files={
            "pyproject.toml": '[project]\nname = "app"\n\n[tool.dbctl]\ndefault_target = 5\n'
            f'[tool.dbctl.targets.vault]\nurl = "postgresql://app:{PW}@db.invalid/app"\n'
        },
    ),
    Case("unknown-lint-key", ("check",), 2, DEV + '[lint]\nfail_at = "error"\n', words=("lint.fail_at",)),
    Case(
        "missing-env-var",
        ("upgrade", "head"),
        2,
        f'[targets.dev]\nurl = "postgresql://app:{PW}@db.invalid/${{{UNSET}}}"\n',
        env={UNSET: None},
        words=(UNSET,),
    ),
    Case(
        "malformed-reference",
        ("current",),
        2,
        f'[targets.dev]\nurl = "postgresql://app:{PW}@db.invalid/${{oops"\n',
        words=("targets.dev.url",),
    ),
    Case("unknown-target", ("upgrade", "head", "-t", "staging"), 2, words=("staging",)),
    Case("unknown-target-from-env", ("current",), 2, env={"DBCTL_TARGET": "qa"}, words=("qa",)),
    Case("unknown-default-target", ("targets",), 2, f'default_target = "prd"\n{VAULT}', words=("default_target",)),
    Case(
        "no-default-among-several",
        ("current",),
        2,
        f'[targets.dev]\nurl = "sqlite:///app.db"\n{VAULT}',
        words=("default_target",),
    ),
    Case(
        "target-without-url",
        ("current",),
        2,
        f'default_target = "dev"\n[targets.dev]\nprotected = true\n{VAULT}',
        words=("targets.dev.url",),
    ),
    Case("metadata-without-colon", ("revision", "-m", "x"), 2, f'metadata = "app.models"\n{DEV}', words=("metadata",)),
    Case(
        "bad-url-scheme",
        ("upgrade", "head"),
        2,
        f'[targets.dev]\nurl = "nosuchdb://app:{PW}@db.invalid/app"\n',
        words=("nosuchdb",),
    ),
    Case(
        "not-a-url",
        ("current",),
        2,
        f'[targets.dev]\nurl = "app:{PW}@db.invalid:5432/app"\n',
        words=("not a database URL",),
    ),
    Case(
        "port-not-a-number",
        ("current",),
        2,
        f'[targets.dev]\nurl = "postgresql://app:{PW}@db.invalid:pgport/app"\n',
        words=("pgport",),
    ),
    Case(
        "unreadable-config", ("--config", "dbctl.toml", "current"), 2, setup="unreadable-config", words=("dbctl.toml",)
    ),
    Case("config-is-a-fifo", ("--config", "dbctl.toml", "current"), 2, setup="fifo-config", words=("dbctl.toml",)),
    Case("config-file-missing", ("--config", "missing.toml", "targets"), 2, words=("missing.toml",)),
    Case("project-dir-missing", ("-C", "nowhere", "current"), 2, words=("nowhere",)),
    Case("unknown-lint-rule", ("check",), 2, DEV + '[lint]\nselect = ["DB999"]\n', words=("DB999",)),
    Case("unknown-start-after", ("check",), 2, DEV + '[lint]\nstart_after = "feedface"\n', words=("feedface",)),
    # -- command-line values --------------------------------------------------------------------
    Case(
        "bad-lock-timeout-flag",
        ("upgrade", "head", "--lock-timeout", "soon"),
        2,
        prepare=1,
        db="sqlite",
        words=("--lock-timeout",),
    ),
    Case("unknown-option", ("upgrade", "--no-such-option"), 2, words=("--no-such-option",)),
    # -- reaching the database --------------------------------------------------------------------
    Case("refused-port", ("upgrade", "head"), 3, f'[targets.dev]\nurl = "{REFUSED}"\n', words=("127.0.0.1",)),
    Case(
        "password-in-query",
        ("current",),
        3,
        f'[targets.dev]\nurl = "postgresql://app@127.0.0.1:{{REFUSED}}/app?password={PW}"\n',
    ),
    Case(
        "unknown-host",
        ("current",),
        3,
        f'[targets.dev]\nurl = "postgresql://app:{PW}@no-such-host.invalid/app"\n',
        words=("no-such-host.invalid",),
    ),
    Case("sqlite-folder-missing", ("upgrade", "head"), 3, dev("sqlite:///no/such/dir/app.db"), words=("no/such/dir",)),
    Case(
        "wrong-password",
        ("upgrade", "head"),
        3,
        '[targets.dev]\nurl = "{PG_BADPW}"\n',
        db="pg",
        words=("password authentication failed",),
    ),
    Case(
        "wrong-password-async",
        ("current",),
        3,
        '[targets.dev]\nurl = "{PG_BADPW_ASYNC}"\n',
        db="pg",
        words=("password authentication failed",),
    ),
    Case("database-does-not-exist", ("upgrade", "head"), 3, dev("{PG_NODB}"), words=("does not exist",)),
    # -- migration files and the revision graph ---------------------------------------------------
    Case(
        "syntax-error",
        ("upgrade", "head"),
        2,
        graph=CHAIN3[:2],
        files={f"v/{R3}_broken.py": SYNTAX_ERROR},
        prepare=1,
        db="sqlite",
        words=("syntax error",),
    ),
    Case(
        "non-utf8-migration",
        ("upgrade", "head"),
        2,
        graph=CHAIN3[:2],
        files={f"v/{R3}_latin1.py": NOT_UTF8},
        prepare=1,
        db="sqlite",
        words=(f"{R3}_latin1.py",),
    ),
    Case(
        "import-error-in-migration",
        ("upgrade", "head"),
        2,
        graph=CHAIN3[:2],
        files={f"v/{R3}_imports.py": f"import no_such_module_here\nrevision = {R3!r}\ndown_revision = {R2!r}\n"},
        prepare=1,
        db="sqlite",
        words=("no_such_module_here",),
    ),
    Case(
        "duplicate-revision",
        ("upgrade", "head"),
        2,
        graph=(*CHAIN3, (R3, R2, _create(4))),
        prepare=1,
        db="sqlite",
        words=("present more than once",),
    ),
    Case(
        "cycle",
        ("upgrade", "head"),
        2,
        graph=((R1, R3, _create(1)), (R2, R1, _create(2)), (R3, R2, _create(3))),
        db="sqlite",
        words=("Cycle",),
    ),
    Case(
        "down-revision-does-not-exist",
        ("upgrade", "head"),
        2,
        graph=(*CHAIN3[:2], (R3, "feedfacefeed", _create(3))),
        prepare=1,
        db="sqlite",
        words=("feedfacefeed",),
    ),
    Case(
        "down-revision-missing",
        ("upgrade", "head"),
        2,
        graph=CHAIN3[:2],
        files={f"v/{R3}_nodown.py": MISSING_DOWN_VARIABLE},
        prepare=1,
        db="sqlite",
        words=("down_revision",),
    ),
    Case(
        "revision-variable-missing",
        ("upgrade", "head"),
        2,
        graph=CHAIN3[:2],
        files={f"v/{R3}_norev.py": f"down_revision = {R2!r}\n\n\ndef upgrade():\n    pass\n"},
        prepare=1,
        db="sqlite",
        words=(f"{R3}_norev.py",),
    ),
    Case(
        "two-heads",
        ("upgrade", "head"),
        2,
        graph=(*CHAIN3, (rev_id(4), R1, _create(4))),
        prepare=1,
        db="sqlite",
        words=("head",),
    ),
    Case("downgrade-below-base", ("downgrade", "-2"), 2, prepare=1, db="sqlite"),
    Case("unknown-revision", ("upgrade", "deadbeef"), 2, prepare=1, db="sqlite", words=("deadbeef",)),
    Case("unknown-revision-stamp", ("stamp", "deadbeef"), 2, prepare=1, db="sqlite", words=("deadbeef",)),
    Case("unknown-revision-fresh-pg", ("upgrade", "deadbeef"), 2, dev("{PG}"), db="pg", words=("deadbeef",)),
    Case(
        "protected-downgrade-without-yes",
        ("downgrade", "-1"),
        2,
        DEV_PROTECTED,
        prepare=2,
        db="sqlite",
        words=("protected", "--yes"),
    ),
    Case(
        "protected-stamp-without-yes", ("stamp", "base"), 2, DEV_PROTECTED, prepare=1, db="sqlite", words=("protected",)
    ),
    # -- a migration fails inside the database ------------------------------------------------------
    Case(
        "failing-migration-sqlite",
        ("upgrade", "head"),
        4,
        graph=FAILING3,
        prepare=1,
        db="sqlite",
        after=2,
        chatter=True,
        words=(R3, "no_such_table"),
    ),
    Case(
        "failing-migration-pg",
        ("upgrade", "head"),
        4,
        dev("{PG_ASYNC}"),
        graph=FAILING3,
        prepare=1,
        db="pg",
        after=2,
        chatter=True,
        words=(R3, "no_such_table"),
    ),
    # -- the migration lock is held by another deploy -----------------------------------------------
    Case(
        "lock-held-sqlite",
        ("upgrade", "head", "--lock-timeout", "1s"),
        5,
        prepare=1,
        db="sqlite",
        setup="hold-sqlite-lock",
        chatter=True,
        words=("lock",),
    ),
    Case(
        "lock-held-pg",
        ("upgrade", "head", "--lock-timeout", "1s"),
        5,
        dev("{PG}"),
        prepare=1,
        db="pg",
        setup="hold-pg-lock",
        chatter=True,
        words=("lock",),
    ),
]

PG_TOKENS = ("{PG}", "{PG_ASYNC}", "{PG_BADPW}", "{PG_BADPW_ASYNC}", "{PG_NODB}")


def _uses_pg(case: Case) -> bool:
    text = case.toml.decode("latin-1") if isinstance(case.toml, bytes) else case.toml or ""
    return case.db == "pg" or any(token in text for token in PG_TOKENS)


def _params() -> list:
    params = []
    for case in CASES:
        marks = [pytest.mark.pg] if _uses_pg(case) else []
        if case.bug:
            marks.append(pytest.mark.xfail(strict=True, reason=case.bug))
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


# -- building and watching a project -------------------------------------------------------------


def build(root: Path, case: Case, urls: dict[str, str], run_dbctl, env: dict[str, str | None]) -> None:
    """Write the project; when the row asks for it, migrate the database to revision
    ``case.prepare`` with only the revisions up to it present, then add the rest."""
    root.mkdir(parents=True)
    versions = write_env(root)
    toml = case.toml
    if isinstance(toml, str):
        for token, value in urls.items():
            toml = toml.replace(token, value)
        (root / "dbctl.toml").write_text(toml, encoding="utf-8")
    elif isinstance(toml, bytes):
        (root / "dbctl.toml").write_bytes(toml)
    for i, (rev, down, body) in enumerate(case.graph, start=1):
        write_revision(versions, rev, down, body, name=f"{rev}_{i}")
        if i == case.prepare:
            prep = run_dbctl("upgrade", rev, cwd=root, env=env)
            assert prep.code == 0, prep
    for name, content in case.files.items():
        path = versions / name[2:] if name.startswith("v/") else root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.setup == "unreadable-config":
        config = root / "dbctl.toml"
        if os.geteuid() == 0:
            # root reads a file whatever its mode bits (CAP_DAC_OVERRIDE), so chmod 000 would not
            # make it unreadable: make the config path something no one can read as a config
            # file instead, a directory called dbctl.toml.
            config.unlink()
            config.mkdir()
        else:
            config.chmod(0)
    elif case.setup == "fifo-config":
        (root / "dbctl.toml").unlink()
        os.mkfifo(root / "dbctl.toml")  # reading it would block: dbctl must refuse it, not hang


BOOKKEEPING = {"app.db", "app.db-journal", "app.db.dbctl-lock"}


def snapshot(root: Path, *, skip_db: bool) -> dict[str, object]:
    """Every path under ``root`` with its bytes (or its kind), without bytecode caches (Python's
    own writes when it imports a migration) and, for rows that use the database, its files."""
    tree: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            path = Path(folder, name)
            rel = str(path.relative_to(root))
            if skip_db and rel in BOOKKEEPING:
                continue
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode):
                try:
                    tree[rel] = path.read_bytes()
                except PermissionError:
                    tree[rel] = ("unreadable", stat.S_IMODE(mode))
            else:
                tree[rel] = ("dir" if stat.S_ISDIR(mode) else "other", stat.S_IMODE(mode))
    return tree


@contextlib.contextmanager
def held(case: Case, root: Path, pg_db) -> Iterator[None]:
    if case.setup == "hold-sqlite-lock":
        with hold_sqlite_lock(root / "app.db"):
            yield
    elif case.setup == "hold-pg-lock":
        key1, key2 = advisory_key()
        holder = pg_db.connect()
        try:
            holder.execute("SELECT pg_advisory_lock(%s, %s)", (key1, key2))
            yield
        finally:
            holder.close()
    else:
        yield


def assert_contract(result, case: Case) -> None:
    __tracebackhide__ = True
    assert result.code == case.code, result
    assert PW not in result.stdout and PW not in result.stderr, f"the planted password was printed\n{result}"
    assert "Traceback" not in result.stdout + result.stderr, result
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    hints = [line for line in lines if line.startswith("hint:")]
    assert len(errors) == 1, result
    assert len(hints) <= 1, result
    if not case.chatter:
        assert lines == errors + hints, f"stderr holds more than the error and its hint\n{result}"
    else:
        assert lines[-len(errors + hints) :] == errors + hints, result
    assert result.stdout.strip() == "", result
    for word in case.words:
        assert word in errors[0] + "\n" + "".join(hints), f"{word!r} not in the error or hint\n{result}"


@pytest.mark.parametrize("case", _params())
def test_bad_input(case: Case, tmp_path: Path, request: pytest.FixtureRequest, run_dbctl) -> None:
    urls = {"{REFUSED}": str(_port_nobody_listens_on())}
    pg_db = None
    if _uses_pg(case):
        pg_db = request.getfixturevalue("pg_db")
        server = request.getfixturevalue("pg_server")
        real_password = f":{quote(server.password, safe='')}@"
        urls.update(
            {
                "{PG}": pg_db.url("psycopg"),
                "{PG_ASYNC}": pg_db.url("psycopg_async"),
                "{PG_BADPW}": pg_db.url("psycopg").replace(real_password, f":{PW}@"),
                "{PG_BADPW_ASYNC}": pg_db.url("psycopg_async").replace(real_password, f":{PW}@"),
                "{PG_NODB}": server.url("dbctl_no_such_database", "psycopg"),
            }
        )
        assert PW in urls["{PG_BADPW}"] and PW in urls["{PG_BADPW_ASYNC}"]  # the wrong password is planted
    root = tmp_path / "proj"
    env = {"DBCTL_TARGET": None, **case.env}
    build(root, case, urls, run_dbctl, env)
    if isinstance(case.toml, str) and case.setup is None:
        assert "{" + "PG" not in (root / "dbctl.toml").read_text(), "a placeholder was left in the config"
    if case.toml is None:
        assert not (root / "dbctl.toml").exists()

    check_url = None
    if case.db == "sqlite":
        check_url = f"sqlite:///{root / 'app.db'}"
    elif case.db == "pg":
        check_url = pg_db.url("psycopg")
    before_db = read_state(check_url) if check_url and (case.db == "pg" or (root / "app.db").exists()) else None
    before_tree = snapshot(root, skip_db=case.db == "sqlite")

    with held(case, root, pg_db):
        result = run_dbctl(*case.args, cwd=root, env=env, timeout=30)

    assert_contract(result, case)
    assert snapshot(root, skip_db=case.db == "sqlite") == before_tree, "the project tree changed"
    if check_url is not None:
        after_db = read_state(check_url) if case.db == "pg" or (root / "app.db").exists() else empty_state()
        if case.after is None:
            assert after_db == (before_db or empty_state()), f"the database changed\n{before_db}\n{after_db}"
        else:
            applied = [rev for rev, _down, _body in case.graph[: case.after]]
            assert after_db.versions == (applied[-1],), after_db
            assert set(after_db.schema) == {f"t{i}" for i in range(1, case.after + 1)}, after_db
            assert [r for r, d in after_db.ledger if d == "upgrade"] == applied, after_db


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)
    assert {case.code for case in CASES} >= {2, 3, 4, 5}
