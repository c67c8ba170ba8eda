"""The bridge leaves the process as it found it, keeps Alembic quiet without redirecting stdout,
translates Alembic's errors by their types, and picks the env.py strategy the project needs."""

from __future__ import annotations

import io
import sys
import uuid
from argparse import Namespace
from pathlib import Path

import alembic
import pytest
from alembic import command

from dbctl import api
from dbctl.alembic_bridge import runner
from dbctl.alembic_bridge.config import alembic_config
from dbctl.alembic_bridge.errors import alembic_errors
from dbctl.alembic_bridge.executor import Executor
from dbctl.alembic_bridge.scripts import Scripts
from dbctl.alembic_bridge.usercode import import_path, running
from dbctl.errors import RevisionError
from tests.cli.test_deploy import query, write_project


def noisy_project(root: Path) -> tuple[list[str], str]:
    """A project whose models and revisions live in the project folder and print when run."""
    module = f"models_{uuid.uuid4().hex[:8]}"
    (root / f"{module}.py").write_text(
        'print("NOISE from the models")\nimport sqlalchemy as sa\nmetadata = sa.MetaData()\n'
        'sa.Table("t1", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'
        'sa.Table("t2", metadata, sa.Column("id", sa.Integer, primary_key=True))\n'
    )
    body = {
        1: '    print("NOISE from a revision")\n'
        '    op.create_table("t1", sa.Column("id", sa.Integer, primary_key=True))'
    }
    ids = write_project(root, {"dev": f"sqlite:///{root / 'app.db'}"}, revisions=2, body=body)
    toml = root / "dbctl.toml"
    toml.write_text(f'metadata = "{module}:metadata"\n' + toml.read_text())
    return ids, module


def test_sys_path_and_stdout_are_as_they_were_after_every_call(tmp_path: Path, monkeypatch, capsys) -> None:
    ids, module = noisy_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    path_before, stdout_before = sys.path[:], sys.stdout
    project = api.load_project()
    assert str(tmp_path) not in sys.path

    assert api.upgrade(project).after == (ids[-1],)
    assert [r.revision for r in api.history(project)] == list(reversed(ids))
    result = api.revision(project, "nothing new")  # autogenerate: imports the models, runs env.py
    assert result.revision is None  # the models match the migrations
    assert api.downgrade(project, "base").after == ()

    assert sys.path == path_before and sys.stdout is stdout_before
    assert module in sys.modules  # the models were imported, from the project folder
    assert "NOISE" not in capsys.readouterr().out  # what env.py and the revisions print is not our output


def test_import_path_undoes_what_the_code_inside_added(tmp_path: Path) -> None:
    project = api.load_project(config_file=_config(tmp_path))
    before = sys.path[:]
    with import_path(project):
        assert sys.path[0] == str(project.root)
        sys.path.insert(0, "added-by-env.py")
    assert sys.path == before
    with pytest.raises(ZeroDivisionError), running(project):
        print("swallowed")
        1 / 0  # noqa: B018
    assert sys.path == before


def _config(root: Path) -> Path:
    write_project(root, {"dev": f"sqlite:///{root / 'app.db'}"}, revisions=1)
    return root / "dbctl.toml"


def test_alembic_messages_are_quiet_without_touching_stdout(tmp_path: Path, capfd) -> None:
    project = api.load_project(config_file=_config(tmp_path))
    (project.script_location / "script.py.mako").write_text(
        (Path(alembic.__file__).parent / "templates" / "generic" / "script.py.mako").read_text()
    )
    with import_path(project):
        command.revision(alembic_config(project), message="quiet one")
        assert capfd.readouterr().out == ""
        # the same command without quiet prints its progress to stdout: the setting is what keeps it clean
        loud = alembic_config(project)
        loud.cmd_opts = Namespace(quiet=False, x=None)
        command.revision(loud, message="loud one")
    assert "Generating" in capfd.readouterr().out


def two_heads(root: Path) -> Path:
    config = _config(root)
    first = next((root / "migrations" / "versions").glob("*.py")).read_text()
    (root / "migrations" / "versions" / "0002_other.py").write_text(
        first.replace("revision = '0001aaaa0001'", "revision = 'bbbb'")
        .replace("down_revision = None", "down_revision = '0001aaaa0001'")
        .replace('"t1"', '"t9"')
    )
    (root / "migrations" / "versions" / "0003_third.py").write_text(
        first.replace("revision = '0001aaaa0001'", "revision = 'cccc'")
        .replace("down_revision = None", "down_revision = '0001aaaa0001'")
        .replace('"t1"', '"t8"')
    )
    return config


def test_alembic_errors_get_their_hint_from_the_exception_type(tmp_path: Path) -> None:
    project = api.load_project(config_file=two_heads(tmp_path))
    scripts = Scripts(project)
    with pytest.raises(RevisionError) as heads, alembic_errors(project):
        scripts.directory().get_revision("head")
    assert "dbctl merge" in (heads.value.hint or "")
    with pytest.raises(RevisionError) as unknown, alembic_errors(project):
        scripts.directory().get_revision("ffff")
    assert unknown.value.message.startswith("Can't locate revision identified by 'ffff'")
    assert unknown.value.hint == "`dbctl history` lists the known revisions"


def test_pending_follows_the_graph_on_branches(tmp_path: Path) -> None:
    project = api.load_project(config_file=two_heads(tmp_path))
    executor = Executor(project)
    assert set(executor.head_ids()) == {"bbbb", "cccc"}
    assert [r.revision for r in executor.pending(())][0] == "0001aaaa0001"
    assert {r.revision for r in executor.pending(("bbbb",))} == {"cccc"}
    assert executor.ancestors(("bbbb",)) == {"0001aaaa0001", "bbbb"}


def test_a_classic_env_runs_through_its_own_connection_with_dbctls_hooks(tmp_path: Path) -> None:
    ids = write_project(tmp_path, {"dev": f"sqlite:///{tmp_path / 'app.db'}"}, revisions=3)
    env = tmp_path / "migrations" / "env.py"
    assert runner.strategy_for(Scripts(api.load_project(config_file=tmp_path / "dbctl.toml"))).__class__.__name__ == (
        "HandOverConnection"
    )
    env.write_text((Path(alembic.__file__).parent / "templates" / "generic" / "env.py").read_text())
    project = api.load_project(config_file=tmp_path / "dbctl.toml")
    assert isinstance(runner.strategy_for(Scripts(project)), runner.ClassicEnv)

    result = api.upgrade(project)
    assert result.before == () and result.after == (ids[-1],)
    # the guard adds the per-revision hook to whatever a classic env.py configures
    assert [step.revision for step in result.steps] == ids
    rows = query(f"sqlite:///{tmp_path / 'app.db'}", "SELECT revision, direction FROM dbctl_ledger ORDER BY id")
    assert rows == [(rev, "upgrade") for rev in ids]
    api.downgrade(project, "base")
    rows = query(f"sqlite:///{tmp_path / 'app.db'}", "SELECT revision, direction FROM dbctl_ledger ORDER BY id")
    assert rows[3:] == [(rev, "downgrade") for rev in reversed(ids)]  # in the order run


def test_the_stdout_capture_is_only_around_project_code(tmp_path: Path) -> None:
    project = api.load_project(config_file=_config(tmp_path))
    seen: list[object] = []
    real = sys.stdout
    api.upgrade(project, on_step=lambda step: seen.append(sys.stdout))
    assert sys.stdout is real
    # on_step runs inside the revision's transaction, while env.py runs: captured, as before
    assert len(seen) == 1 and isinstance(seen[0], io.StringIO)
