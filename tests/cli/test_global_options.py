"""The global options as the real Typer app parses them: `-x` (Alembic's) before and after the
command reaches ProjectConfig.x_arguments, and `-t` before the command names the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbctl.cli.app import run
from dbctl.cli.root import AppState, app
from dbctl.output import Terminal
from tests.cli.test_deploy import write_project


def parsed(root: Path, *args: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AppState:
    """Run ``dbctl ARGS`` in this process (a static command: nothing connects) and return the
    state its global and command options decided."""
    monkeypatch.chdir(root)
    monkeypatch.delenv("DBCTL_TARGET", raising=False)
    out, err = (tmp_path / "out.txt").open("w+"), (tmp_path / "err.txt").open("w+")
    state = AppState(Terminal(out, err))
    with out, err:
        assert app(args=list(args), prog_name="dbctl", standalone_mode=False, obj=state) == 0
    return state


def test_x_arguments_before_and_after_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path, {"dev": "sqlite:///dev.db"}, extra='default_target = "dev"\n')
    plain = parsed(tmp_path, "history", monkeypatch=monkeypatch, tmp_path=tmp_path)
    assert plain.project().x_arguments == ()
    state = parsed(
        tmp_path,
        *("-x", "tenant=acme", "-x", "dry"),
        *("history", "-x", "tenant=other", "--format", "json"),
        monkeypatch=monkeypatch,
        tmp_path=tmp_path,
    )
    # the global ones first, then the command's: env.py's get_x_argument(as_dictionary=True)
    # keeps the last value of a key, as `alembic -x` does
    assert state.project().x_arguments == ("tenant=acme", "dry", "tenant=other")
    assert state.format == "json"


@pytest.mark.parametrize("command", ["upgrade", "downgrade", "stamp", "current", "status", "revision", "check"])
def test_every_command_that_runs_env_py_takes_x(command: str) -> None:
    from typer.main import get_command

    group = get_command(app)
    options = [opt for param in group.commands[command].params for opt in getattr(param, "opts", [])]
    assert "-x" in options


def test_x_needs_a_value(tmp_path: Path) -> None:
    out, err = (tmp_path / "out.txt").open("w+"), (tmp_path / "err.txt").open("w+")
    with out, err:
        assert run(["history", "-x"], Terminal(out, err)) == 2
        err.seek(0)
        assert "-x" in err.read()
