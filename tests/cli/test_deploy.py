"""Safe deploys: protected targets, the status gate, offline SQL, the ledger, timeouts, --wait
and multi-target runs, against real SQLite files and the suite's PostgreSQL server."""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import _dbctl_env

ENV_TEMPLATE = Path(__file__).parents[2] / "dbctl" / "alembic_bridge" / "templates" / "env.py"


def write_project(
    root: Path, targets: dict[str, str], *, revisions: int = 3, extra: str = "", body: dict[int, str] | None = None
) -> list[str]:
    """A project with a linear chain of ``revisions`` revisions, each creating table t<i>."""
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (root / "migrations" / "env.py").write_text(ENV_TEMPLATE.read_text())
    lines = [extra]
    for name, url in targets.items():
        lines.append(f'[targets.{name}]\nurl = "{url}"\n')
    (root / "dbctl.toml").write_text("\n".join(lines))
    ids, down = [], None
    for i in range(1, revisions + 1):
        rev = f"{i:04d}aaaa{i:04d}"
        upgrade = (body or {}).get(i, f'    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))')
        (versions / f"{rev}_step{i}.py").write_text(
            f'"""step {i}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
            f"def upgrade():\n{upgrade}\n\n\n"
            f'def downgrade():\n    op.drop_table("t{i}")\n'
        )
        ids.append(rev)
        down = rev
    return ids


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def query(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


# -- protected targets ------------------------------------------------------------------------


def test_protected_target_refuses_without_terminal(tmp_path: Path, run_dbctl) -> None:
    db = tmp_path / "prod.db"
    write_project(tmp_path, {"prod": f"sqlite:///{db}"}, extra="")
    toml = tmp_path / "dbctl.toml"
    toml.write_text(toml.read_text() + "protected = true\n")
    assert run_dbctl("upgrade", "head", cwd=tmp_path).code == 0  # upgrading is not destructive
    before = query(f"sqlite:///{db}", "SELECT version_num FROM alembic_version")
    for args in (["downgrade", "-1"], ["stamp", "base"]):
        refused = run_dbctl(*args, cwd=tmp_path)
        assert refused.code == 2, refused
        assert "protected" in refused.stderr and "--yes" in refused.stderr
        assert query(f"sqlite:///{db}", "SELECT version_num FROM alembic_version") == before
    ok = run_dbctl("downgrade", "-1", "--yes", cwd=tmp_path)
    assert ok.code == 0, ok
    assert query(f"sqlite:///{db}", "SELECT version_num FROM alembic_version") != before


def _run_in_terminal(args: list[str], cwd: Path, answer: str) -> tuple[int, str]:
    """Run dbctl on a pseudo-terminal and type ``answer`` at its prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, "-m", "dbctl", *args], _dbctl_env(None))
    output = b""
    sent = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if not sent and b"to go on" in output:
            os.write(fd, answer.encode() + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


@pytest.mark.parametrize(("answer", "code"), [("prod", 0), ("dev", 2)])
def test_protected_target_asks_for_its_name(tmp_path: Path, run_dbctl, answer: str, code: int) -> None:
    db = tmp_path / "prod.db"
    ids = write_project(tmp_path, {"prod": f"sqlite:///{db}"})
    toml = tmp_path / "dbctl.toml"
    toml.write_text(toml.read_text() + "protected = true\n")
    assert run_dbctl("upgrade", "head", cwd=tmp_path).code == 0
    exit_code, screen = _run_in_terminal(["downgrade", "-1"], tmp_path, answer)
    assert exit_code == code, screen
    expected = ids[-2] if code == 0 else ids[-1]
    assert query(f"sqlite:///{db}", "SELECT version_num FROM alembic_version") == [(expected,)]


# -- status -----------------------------------------------------------------------------------


def test_status_gate(tmp_path: Path, run_dbctl, pg_db) -> None:
    db = tmp_path / "a.db"
    ids = write_project(
        tmp_path,
        {"lite": f"sqlite:///{db}", "pg": pg_db.url(), "down": "postgresql://u:pw-never-shown@127.0.0.1:1/x"},
        extra='default_target = "lite"\n',
    )
    toml = tmp_path / "dbctl.toml"
    toml.write_text(toml.read_text() + 'connect_timeout = "2s"\n')
    assert run_dbctl("upgrade", ids[0], cwd=tmp_path).code == 0
    plain = run_dbctl("status", cwd=tmp_path)
    assert plain.code == 0, plain  # pending alone is not an error without --exit-code
    gate = run_dbctl("status", "--exit-code", "--format", "json", cwd=tmp_path)
    assert gate.code == 1, gate
    data = json.loads(gate.stdout)
    assert data["current"] == [ids[0]] and [p["revision"] for p in data["pending"]] == ids[1:]
    assert data["reachable"] is True and data["at_head"] is False

    assert run_dbctl("upgrade", "head", "-t", "pg", cwd=tmp_path).code == 0
    assert run_dbctl("status", "-t", "pg", "--exit-code", cwd=tmp_path).code == 0
    down = run_dbctl("status", "-t", "down", "--exit-code", cwd=tmp_path)
    assert down.code == 3, down
    assert "unreachable" in down.stdout and "pw-never-shown" not in down.stdout + down.stderr
    everything = run_dbctl("status", "--all-targets", "--exit-code", "--format", "json", cwd=tmp_path)
    assert everything.code == 3
    summary = json.loads(everything.stdout)
    assert {t["target"]: t["exit_code"] for t in summary["targets"]} == {"lite": 1, "pg": 0, "down": 3}
    assert "pw-never-shown" not in everything.stdout + everything.stderr


# -- offline SQL ------------------------------------------------------------------------------


def test_offline_sql_for_postgresql_has_one_transaction_per_revision(tmp_path: Path, run_dbctl) -> None:
    ids = write_project(tmp_path, {"pg": "postgresql+psycopg://u:secretpw@db.invalid:5432/app"})
    result = run_dbctl("upgrade", "head", "--sql", cwd=tmp_path)
    assert result.code == 0, result
    sql = result.stdout
    assert sql.count("BEGIN;") == len(ids) and sql.count("COMMIT;") == len(ids)
    for i in range(1, len(ids) + 1):
        assert f"CREATE TABLE t{i}" in sql
    assert "secretpw" not in sql + result.stderr
    down = run_dbctl("downgrade", f"{ids[-1]}:{ids[0]}", "--sql", cwd=tmp_path)
    assert down.code == 0, down
    assert "DROP TABLE t3" in down.stdout and "DROP TABLE t2" in down.stdout and "DROP TABLE t1" not in down.stdout
    bad = run_dbctl("downgrade", "-1", "--sql", cwd=tmp_path)
    assert bad.code == 2 and "FROM:TO" in bad.stderr


def test_offline_sql_sqlite_batch_needs_a_database(tmp_path: Path, run_dbctl) -> None:
    body = {
        2: '    with op.batch_alter_table("t1") as batch_op:\n'
        '        batch_op.add_column(sa.Column("x", sa.Integer))\n'
        '        batch_op.alter_column("x", nullable=False)'
    }
    write_project(tmp_path, {"dev": f"sqlite:///{tmp_path / 'dev.db'}"}, revisions=2, body=body)
    result = run_dbctl("upgrade", "head", "--sql", cwd=tmp_path)
    assert result.code == 2, result
    assert "live database" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "dev.db").exists()


# -- ledger -----------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return request.getfixturevalue("pg_db").url()


def test_ledger_records_and_validates(url: str, tmp_path: Path, run_dbctl) -> None:
    root = tmp_path / "proj"
    ids = write_project(root, {"dev": url})
    assert run_dbctl("upgrade", "head", cwd=root).code == 0
    assert run_dbctl("downgrade", "-1", cwd=root).code == 0
    rows = query(url, "SELECT revision, direction, checksum, applied_by, dbctl_version FROM dbctl_ledger ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(i, "upgrade") for i in ids] + [(ids[-1], "downgrade")]
    assert all(len(r[2]) == 64 and "@" in r[3] and r[4] for r in rows)

    hist = json.loads(run_dbctl("history", "-t", "dev", "--format", "json", cwd=root).stdout)
    applied = {h["revision"]: (h["applied"], h["applied_at"]) for h in hist}
    assert applied[ids[0]][0] and applied[ids[0]][1] and applied[ids[-1]] == (False, None)

    assert run_dbctl("status", cwd=root).code == 0
    first = next((root / "migrations" / "versions").glob(f"{ids[0]}_*.py"))
    first.write_text(first.read_text() + "\n# edited after it was applied\n")
    changed = run_dbctl("status", "--format", "json", cwd=root)
    assert changed.code == 1, changed
    assert [m["revision"] for m in json.loads(changed.stdout)["modified"]] == [ids[0]]
    # a revision that is not applied may change freely
    last = next((root / "migrations" / "versions").glob(f"{ids[-1]}_*.py"))
    first.write_text(first.read_text().replace("\n# edited after it was applied\n", ""))
    last.write_text(last.read_text() + "\n# not applied: fine\n")
    assert run_dbctl("status", cwd=root).code == 0


def test_ledger_adopts_an_existing_database(url: str, tmp_path: Path, run_dbctl) -> None:
    """A database migrated by plain Alembic before dbctl: the ledger starts at its revision."""
    from alembic import command
    from alembic.config import Config

    root = tmp_path / "proj"
    ids = write_project(root, {"dev": url})
    cfg = Config()
    cfg.set_main_option("script_location", str(root / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(cfg, ids[1])
    status = run_dbctl("status", "--format", "json", cwd=root)
    assert status.code == 0 and json.loads(status.stdout)["modified"] == []
    assert run_dbctl("upgrade", "head", cwd=root).code == 0
    rows = query(url, "SELECT revision, direction FROM dbctl_ledger ORDER BY id")
    assert sorted(rows[:2]) == sorted([(ids[0], "baseline"), (ids[1], "baseline")])
    assert rows[2:] == [(ids[2], "upgrade")]


# -- timeouts and --wait ----------------------------------------------------------------------


def test_statement_timeout_applies_to_migrations(pg_db, tmp_path: Path, run_dbctl) -> None:
    ids = write_project(
        tmp_path,
        {"pg": pg_db.url()},
        revisions=2,
        body={
            2: '    op.execute("SELECT pg_sleep(5)")\n'
            '    op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))'
        },
    )
    toml = tmp_path / "dbctl.toml"
    toml.write_text(toml.read_text() + 'statement_timeout = "1s"\n')
    started = time.monotonic()
    result = run_dbctl("upgrade", "head", cwd=tmp_path)
    assert result.code == 4, result
    assert "statement timeout" in result.stderr and ids[1] in result.stderr
    assert time.monotonic() - started < 4.5
    assert query(pg_db.url(), "SELECT version_num FROM alembic_version") == [(ids[0],)]


def test_lock_timeout_applies_to_a_classic_env(pg_db, tmp_path: Path, run_dbctl) -> None:
    import alembic

    ids = write_project(
        tmp_path,
        {"pg": pg_db.url()},
        revisions=2,
        body={
            2: '    op.add_column("t1", sa.Column("x", sa.Integer))\n'
            '    op.create_table("t2", sa.Column("id", sa.Integer, primary_key=True))'
        },
    )
    classic = Path(alembic.__file__).parent / "templates" / "generic" / "env.py"
    (tmp_path / "migrations" / "env.py").write_text(classic.read_text())
    toml = tmp_path / "dbctl.toml"
    toml.write_text(toml.read_text() + 'lock_timeout = "500ms"\n')
    assert run_dbctl("upgrade", ids[0], cwd=tmp_path).code == 0
    blocker = pg_db.connect(autocommit=False)
    try:
        blocker.execute("LOCK TABLE t1 IN ACCESS SHARE MODE")  # a long-running reader
        started = time.monotonic()
        result = run_dbctl("upgrade", "head", cwd=tmp_path)
        elapsed = time.monotonic() - started
    finally:
        blocker.rollback()
        blocker.close()
    assert result.code == 4, result
    assert "lock timeout" in result.stderr
    assert elapsed < 10


def test_wait_retries_until_the_database_answers(tmp_path: Path, run_dbctl) -> None:
    folder = tmp_path / "later"
    ids = write_project(tmp_path, {"dev": f"sqlite:///{folder / 'app.db'}"})
    never = run_dbctl("upgrade", "head", "--wait", "1s", cwd=tmp_path)
    assert never.code == 3 and "after waiting" in never.stderr, never
    timer = threading.Timer(1.5, folder.mkdir)
    timer.start()
    try:
        result = run_dbctl("upgrade", "head", "--wait", "20s", cwd=tmp_path)
    finally:
        timer.cancel()
    assert result.code == 0, result
    assert query(f"sqlite:///{folder / 'app.db'}", "SELECT version_num FROM alembic_version") == [(ids[-1],)]


# -- many targets -----------------------------------------------------------------------------


def test_fan_out_over_groups_in_parallel(tmp_path: Path, run_dbctl) -> None:
    targets = {f"t{i}": f"sqlite:///{tmp_path / f't{i}.db'}" for i in range(1, 5)}
    targets["broken"] = f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"
    ids = write_project(
        tmp_path, targets, extra='default_target = "t1"\n[groups]\ntenants = ["t1", "t2", "t3", "t4"]\n'
    )
    result = run_dbctl("upgrade", "-t", "tenants", "--parallel", "2", "--format", "json", cwd=tmp_path)
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert [t["target"] for t in data["targets"]] == ["t1", "t2", "t3", "t4"]
    assert all(t["result"]["after"] == [ids[-1]] for t in data["targets"])

    mixed = run_dbctl("upgrade", "--all-targets", "--parallel", "3", cwd=tmp_path)
    assert mixed.code == 3, mixed  # the worst exit code: broken is unreachable
    assert "broken" in mixed.stdout and mixed.stderr.count("✓") == 4

    current = run_dbctl("current", "-t", "t1", "-t", "t2", "--format", "json", cwd=tmp_path)
    assert current.code == 0
    assert [t["result"]["at_head"] for t in json.loads(current.stdout)["targets"]] == [True, True]

    fail_fast = run_dbctl("current", "-t", "broken", "-t", "t1", "--format", "json", cwd=tmp_path)
    assert fail_fast.code == 3
    unknown = run_dbctl("upgrade", "-t", "nope", cwd=tmp_path)
    assert unknown.code == 2 and "tenants (group)" in unknown.stderr


def test_fail_fast_stops_starting_targets(tmp_path: Path, run_dbctl) -> None:
    targets = {
        "broken": f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}",
        "t1": f"sqlite:///{tmp_path / 't1.db'}",
        "t2": f"sqlite:///{tmp_path / 't2.db'}",
    }
    write_project(tmp_path, targets)
    result = run_dbctl(
        "upgrade", "-t", "broken", "-t", "t1", "-t", "t2", "--fail-fast", "--format", "json", cwd=tmp_path
    )
    assert result.code == 3, result
    data = json.loads(result.stdout)
    assert [t["target"] for t in data["targets"]] == ["broken"] and data["skipped"] == 2
    assert not (tmp_path / "t1.db").exists()
