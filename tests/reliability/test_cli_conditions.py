"""The command line as scripts and pipelines use it (issue 12, items 6, 7, 8 and 10), through the
real entry point against real SQLite files and the suite's PostgreSQL server:

* a command that runs on one target refuses several (exit 2) and changes nothing, whether they
  come from repeated ``-t``, a group, the global ``-t`` or ``DBCTL_TARGET``; a group of one is
  that target;
* ``dbctl -t NAME COMMAND``: a global ``-t``; the command's ``-t`` wins over it, and it wins over
  ``DBCTL_TARGET``;
* bare ``dbctl`` prints the help as ``--help`` does;
* ``--format json``: a failure is a JSON object on stdout too, an unreachable target of a
  multi-target run has its exit code and error in those fields, and ``status`` of an
  unreachable target exits 3 with or without ``--exit-code``.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from .projects import rev_id, write_env, write_revision

R1, R2, R3 = rev_id(1), rev_id(2), rev_id(3)
NO_ENV = {"DBCTL_TARGET": None}


def make_project(root: Path, targets: dict[str, str], extra: str = "") -> Path:
    """Three revisions creating t1..t3; ``targets`` name -> URL; ``a`` is the default target."""
    versions = write_env(root)
    down = None
    for i, rev in enumerate((R1, R2, R3), start=1):
        create = f'    op.create_table("t{i}", sa.Column("id", sa.Integer, primary_key=True))'
        write_revision(versions, rev, down, create, f'    op.drop_table("t{i}")')
        down = rev
    tables = "".join(f'[targets.{name}]\nurl = "{url}"\n' for name, url in targets.items())
    (root / "dbctl.toml").write_text(f'default_target = "a"\n{extra}{tables}', encoding="utf-8")
    return root


def versions_of(url: str) -> set[str]:
    """What alembic_version says, read with a connection of the test's own."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if "alembic_version" not in sa.inspect(conn).get_table_names():
                return set()
            return {row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


@pytest.fixture
def two(tmp_path: Path, pg_db) -> tuple[Path, dict[str, str]]:
    """A project with target ``a`` (SQLite), ``b`` (PostgreSQL), an unreachable ``down``, the
    groups ``both`` (a, b) and ``solo`` (b), both databases at head. Returns the project and the
    sync URLs the test reads the databases with."""
    urls = {"a": f"sqlite:///{tmp_path / 'a.db'}", "b": pg_db.url("psycopg")}
    targets = {**urls, "down": f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"}
    root = make_project(tmp_path / "proj", targets, '[groups]\nboth = ["a", "b"]\nsolo = ["b"]\n')
    return root, urls


def at_head(run_dbctl, root: Path, urls: dict[str, str]) -> None:
    result = run_dbctl("upgrade", "-t", "both", cwd=root, env=NO_ENV)
    assert result.code == 0, result
    assert {name: versions_of(url) for name, url in urls.items()} == {"a": {R3}, "b": {R3}}


# -- item 6: one-target commands given several targets ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("downgrade", "-1", "-t", "a", "-t", "b", "--yes"), NO_ENV),
        (("stamp", "base", "-t", "a", "-t", "b", "--yes"), NO_ENV),
        (("downgrade", "-1", "-t", "both", "--yes"), NO_ENV),
        (("-t", "a", "-t", "b", "downgrade", "-1", "--yes"), NO_ENV),
        (("-t", "both", "stamp", "base", "--yes"), NO_ENV),
        (("downgrade", "-1", "--yes"), {"DBCTL_TARGET": "a b"}),
        (("downgrade", "-1", "--sql", "-t", "a", "-t", "b"), NO_ENV),
        (("history", "-t", "a", "-t", "b"), NO_ENV),
        (("check", "-t", "both"), NO_ENV),
    ],
    ids=[
        "downgrade -t a -t b",
        "stamp -t a -t b",
        "downgrade -t GROUP",
        "global -t a -t b",
        "global -t GROUP",
        "DBCTL_TARGET with two",
        "downgrade --sql",
        "history",
        "check",
    ],
)
def test_a_one_target_command_refuses_several_and_changes_nothing(
    two: tuple[Path, dict[str, str]], run_dbctl, args: tuple[str, ...], env: dict[str, str | None]
) -> None:
    root, urls = two
    at_head(run_dbctl, root, urls)
    result = run_dbctl(*args, cwd=root, env=env)
    command = next(arg for arg in args if arg in ("downgrade", "stamp", "history", "check"))
    assert result.code == 2, result
    assert f"error: {command} takes one target, not 2 (a, b)" in result.stderr, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert {name: versions_of(url) for name, url in urls.items()} == {"a": {R3}, "b": {R3}}


def test_a_group_of_one_is_its_target(two: tuple[Path, dict[str, str]], run_dbctl) -> None:
    root, urls = two
    at_head(run_dbctl, root, urls)
    result = run_dbctl("downgrade", "-1", "-t", "solo", "--format", "json", cwd=root, env=NO_ENV)
    assert result.code == 0, result
    assert json.loads(result.stdout)["target"] == "b"
    stamped = run_dbctl("-t", "solo", "stamp", "base", cwd=root, env=NO_ENV)
    assert stamped.code == 0, stamped
    assert {name: versions_of(url) for name, url in urls.items()} == {"a": {R3}, "b": set()}
    history = run_dbctl("history", "-t", "solo", "--format", "json", cwd=root, env=NO_ENV)
    assert history.code == 0, history
    assert [r["applied"] for r in json.loads(history.stdout)] == [False, False, False]


# -- item 7: -t before the command ------------------------------------------------------------------


def test_the_global_target_and_its_precedence(two: tuple[Path, dict[str, str]], run_dbctl) -> None:
    root, urls = two
    # the README's tour line, and the form of the hints dbctl prints
    result = run_dbctl("-t", "b", "upgrade", "head", cwd=root, env=NO_ENV)
    assert result.code == 0, result
    assert {name: versions_of(url) for name, url in urls.items()} == {"a": set(), "b": {R3}}
    down = run_dbctl("-t", "b", "downgrade", "base", "--yes", cwd=root, env=NO_ENV)
    assert down.code == 0, down
    assert versions_of(urls["b"]) == set()
    assert run_dbctl("--target", "b", "upgrade", R1, cwd=root, env=NO_ENV).code == 0

    def current(*args: str, env: dict[str, str | None]) -> list[str]:
        result = run_dbctl(*args, "--format", "json", cwd=root, env=env)
        assert result.code == 0, result
        data = json.loads(result.stdout)
        return [t["target"] for t in data["targets"]] if "targets" in data else [data["target"]]

    assert current("current", env=NO_ENV) == ["a"]  # default_target
    assert current("current", env={"DBCTL_TARGET": "b"}) == ["b"]
    assert current("-t", "a", "current", env={"DBCTL_TARGET": "b"}) == ["a"]  # global -t over DBCTL_TARGET
    assert current("-t", "b", "current", "-t", "a", env={"DBCTL_TARGET": "b"}) == ["a"]  # the command's over both
    assert current("-t", "b", "-t", "a", "current", env=NO_ENV) == ["b", "a"]  # repeatable: a multi-target run
    assert current("-t", "both", "status", env=NO_ENV) == ["a", "b"]


def test_dbctl_target_never_makes_check_or_history_connect(two: tuple[Path, dict[str, str]], run_dbctl) -> None:
    root, _ = two
    for args in (("check",), ("history",)):
        assert run_dbctl(*args, cwd=root, env={"DBCTL_TARGET": "down"}).code == 0
    # but a -t on the command line does, before the command or after it
    assert run_dbctl("-t", "down", "check", cwd=root, env=NO_ENV).code == 3
    assert run_dbctl("-t", "down", "history", cwd=root, env=NO_ENV).code == 3


# -- item 8: bare dbctl ------------------------------------------------------------------------------


def test_bare_dbctl_prints_the_help(tmp_path: Path, run_dbctl) -> None:
    bare = run_dbctl(cwd=tmp_path)
    helped = run_dbctl("--help", cwd=tmp_path)
    assert helped.code == 0
    assert bare.stdout == helped.stdout and bare.stdout.startswith("Usage: dbctl [OPTIONS] COMMAND")
    assert "\\n" not in bare.stdout + bare.stderr and bare.stderr == ""
    assert bare.code == 2  # it did nothing: a usage error, as with `alembic` and click


# -- item 10: JSON for scripts ------------------------------------------------------------------------


def test_a_failing_command_prints_its_error_as_json(two: tuple[Path, dict[str, str]], run_dbctl) -> None:
    root, _ = two
    cases = [
        (("downgrade", "-1", "-t", "down", "--yes"), 3),
        (("upgrade", "-t", "down"), 3),
        (("current", "-t", "nosuch"), 2),
        (("stamp", "head", "-t", "a", "-t", "b"), 2),
        (("show", "ffffffffffff"), 2),
        (("check", "-t", "down"), 3),
    ]
    for args, code in cases:
        result = run_dbctl(*args, "--format", "json", cwd=root, env=NO_ENV)
        assert result.code == code, result
        data = json.loads(result.stdout)
        assert set(data) == {"error", "hint", "exit_code"} and data["exit_code"] == code, result
        lines = result.stderr.splitlines()
        assert [line for line in lines if line.startswith("error: ")] == [f"error: {data['error']}"], result
        text = run_dbctl(*args, cwd=root, env=NO_ENV)
        assert text.code == code and text.stdout == "", text  # text: nothing on stdout, as before


def test_json_errors_hide_the_password(tmp_path: Path, pg_server, run_dbctl) -> None:
    secret = "not-the-Password-9"
    user = quote(pg_server.user, safe="")
    url = f"postgresql+psycopg://{user}:{secret}@{pg_server.host}:{pg_server.port}/postgres"
    root = make_project(tmp_path, {"a": url})
    result = run_dbctl("upgrade", "--format", "json", cwd=root, env=NO_ENV)
    assert result.code == 3, result
    data = json.loads(result.stdout)
    assert data["exit_code"] == 3 and data["error"]
    assert secret not in result.stdout + result.stderr


def test_unreachable_targets_in_status_and_multi_target_json(two: tuple[Path, dict[str, str]], run_dbctl) -> None:
    root, urls = two
    for gate in ((), ("--exit-code",)):
        single = run_dbctl("status", "-t", "down", *gate, cwd=root, env=NO_ENV)
        assert single.code == 3, single
        data = run_dbctl("status", "-t", "down", "--format", "json", *gate, cwd=root, env=NO_ENV)
        assert data.code == 3 and json.loads(data.stdout)["reachable"] is False, data

        many = run_dbctl("status", "-t", "down", "-t", "a", "--format", "json", *gate, cwd=root, env=NO_ENV)
        assert many.code == 3, many
        summary = json.loads(many.stdout)
        down, a = summary["targets"]
        assert summary["exit_code"] == 3
        assert down["exit_code"] == 3 and "no-such-folder" in down["error"], down
        assert down["result"]["reachable"] is False
        assert a["exit_code"] == (1 if gate else 0) and a["error"] is None  # a has 3 pending

    upgraded = run_dbctl("upgrade", "-t", "down", "-t", "a", "--format", "json", cwd=root, env=NO_ENV)
    assert upgraded.code == 3, upgraded
    down, a = json.loads(upgraded.stdout)["targets"]
    assert down["exit_code"] == 3 and down["error"] and down["result"] is None
    assert a["exit_code"] == 0 and a["error"] is None and versions_of(urls["a"]) == {R3}
