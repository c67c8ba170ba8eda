"""`dbctl init` beside an existing Alembic project, made by `alembic init` with each template:
it writes nothing (or, with --url, only a dbctl.toml on top of the project's own files), never a
second environment, refuses to write into an existing one, and prints the one-line env.py edit
that keeps plain Alembic's autogenerate away from dbctl's ledger table, unless env.py has it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.adoption import shapes

TEMPLATES = ["generic", "async", "pyproject"]
LEDGER_FILTER = 'include_name=lambda name, type_, parent_names: not (type_ == "table" and name == "dbctl_ledger"),'
ONLINE_CONFIGURE = "connection=connection, target_metadata=target_metadata\n"


def alembic_init(root: Path, template: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", template, "migrations"],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return root


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


def assert_refused(result, before: dict[str, bytes | None], root: Path, *words: str) -> None:
    assert result.code == 2, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and len(lines) <= 2, result
    assert all(line.startswith("hint: ") for line in lines[1:]), result
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, (word, result)
    assert snapshot(root) == before


@pytest.mark.parametrize("template", TEMPLATES)
def test_init_writes_nothing_and_says_how_to_adopt(template: str, tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", template)
    before = snapshot(root)
    result = run_dbctl("init", cwd=root)
    assert result.code == 0, result
    assert snapshot(root) == before
    assert result.stdout == ""  # chatter goes to stderr
    err = result.stderr
    config_file = "alembic.ini + pyproject.toml [tool.alembic]" if template == "pyproject" else "alembic.ini"
    assert f"found an Alembic project: {config_file}, script_location " in err, result
    assert str((root / "migrations").resolve()) in err
    assert "nothing was written" in err
    assert 'alembic_ini = "alembic.ini"' in err and "[targets.NAME]" in err
    assert f"    {LEDGER_FILTER}\n" in err  # on its own line, ready to paste
    assert f"{(root / 'migrations' / 'env.py').resolve()}" in err
    # and it is true: dbctl uses the project with no configuration
    listed = run_dbctl("targets", "--format", "json", cwd=root)
    assert listed.code == 0, listed
    assert [t["name"] for t in json.loads(listed.stdout)] == ["default"]


@pytest.mark.parametrize("template", TEMPLATES)
def test_init_with_url_writes_only_a_dbctl_toml(template: str, tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", template)
    before = snapshot(root)
    result = run_dbctl("init", "--url", "sqlite:///x.db", cwd=root)
    assert result.code == 0, result
    after = snapshot(root)
    assert sorted(set(after) - set(before)) == ["dbctl.toml"]
    assert {k: v for k, v in after.items() if k != "dbctl.toml"} == before
    assert tomllib.loads((root / "dbctl.toml").read_text(encoding="utf-8")) == {
        "alembic_ini": "alembic.ini",
        "default_target": "dev",
        "targets": {"dev": {"url": "sqlite:///x.db"}},
    }
    assert "writes no second one" in result.stderr and LEDGER_FILTER in result.stderr, result
    listed = run_dbctl("targets", "--format", "json", cwd=root)
    assert listed.code == 0, listed
    [dev] = json.loads(listed.stdout)
    assert dev["name"] == "dev" and dev["default"] is True
    assert dev["url"].endswith(f":///{(root / 'x.db').resolve()}")
    history = run_dbctl("history", "--format", "json", cwd=root)  # the project's own environment
    assert history.code == 0 and json.loads(history.stdout) == [], history
    assert not (root / "x.db").exists()


def test_init_with_url_and_metadata_into_pyproject(tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", "pyproject")
    original = (root / "pyproject.toml").read_bytes()
    url = "postgresql+psycopg://app:Adopt-Pw-2718@db.example/app"
    result = run_dbctl("init", "--pyproject", "--url", url, "--metadata", "app.models:Base.metadata", cwd=root)
    assert result.code == 0, result
    assert "Adopt-Pw-2718" not in result.stdout + result.stderr
    assert not (root / "dbctl.toml").exists() and sorted(p.name for p in (root / "migrations").iterdir()) == [
        "README",
        "env.py",
        "script.py.mako",
        "versions",
    ]
    data = (root / "pyproject.toml").read_bytes()
    assert data.startswith(original)
    assert tomllib.loads(data.decode("utf-8"))["tool"]["dbctl"] == {
        "alembic_ini": "alembic.ini",
        "metadata": "app.models:Base.metadata",
        "default_target": "dev",
        "targets": {"dev": {"url": url}},
    }
    listed = run_dbctl("targets", "--format", "json", cwd=root)
    assert listed.code == 0, listed
    assert [t["name"] for t in json.loads(listed.stdout)] == ["dev"]


def test_tool_alembic_alone_is_adopted(tmp_path: Path, run_dbctl) -> None:
    """[tool.alembic] with no alembic.ini: the dbctl.toml needs no alembic_ini, and names none."""
    root = alembic_init(tmp_path / "project", "pyproject")
    (root / "alembic.ini").unlink()
    before = snapshot(root)
    result = run_dbctl("init", cwd=root)
    assert result.code == 0, result
    assert snapshot(root) == before
    assert "found an Alembic project: pyproject.toml [tool.alembic], script_location" in result.stderr
    assert "alembic_ini" not in result.stderr and "[targets.NAME]" in result.stderr
    written = run_dbctl("init", "--url", "sqlite:///x.db", cwd=root)
    assert written.code == 0, written
    assert tomllib.loads((root / "dbctl.toml").read_text(encoding="utf-8")) == {
        "default_target": "dev",
        "targets": {"dev": {"url": "sqlite:///x.db"}},
    }
    history = run_dbctl("history", "--format", "json", cwd=root)
    assert history.code == 0 and json.loads(history.stdout) == [], history


@pytest.mark.parametrize("template", TEMPLATES)
def test_init_dir_existing_environment_is_refused_with_how_to_adopt(template: str, tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", template)
    before = snapshot(root)
    result = run_dbctl("init", "--dir", "migrations", cwd=root)
    assert_refused(result, before, root, "migrations", "env.py")
    assert "adopt" in result.stderr.splitlines()[1]
    for args in (("--dir", "./migrations", "--url", "sqlite:///x.db"), ("--dir", str(root / "migrations"))):
        assert_refused(run_dbctl("init", *args, cwd=root), before, root, "adopt")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--dir", "db"), "no second"),  # a second environment beside the adopted one
        (("--dir", "db", "--url", "sqlite:///x.db"), "no second"),
        (("--metadata", "app.models:Base.metadata"), "--url"),  # a config with no target is useless
        (("--sync",), "--url"),
        (("--pyproject",), "--url"),
        (("--url", "not-a-url"), "--url"),  # --url is validated as on a fresh folder
        (("--url", "postgresql://u:Init-Bad-Pw-1@h:port/db"), "port"),
        (("--url", "sqlite:///x.db", "--metadata", "app.models.Base"), "module:attribute"),
    ],
)
def test_adoption_refusals_write_nothing(args: tuple[str, ...], words: str, tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", "generic")
    before = snapshot(root)
    result = run_dbctl("init", *args, cwd=root)
    assert_refused(result, before, root, words)
    assert "Init-Bad-Pw-1" not in result.stdout + result.stderr


@pytest.mark.parametrize("existing", ["dbctl.toml", "pyproject"])
def test_existing_dbctl_config_is_refused(existing: str, tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", "pyproject")
    if existing == "dbctl.toml":
        (root / "dbctl.toml").write_text('alembic_ini = "alembic.ini"\n\n[targets.mine]\nurl = "sqlite://"\n')
    else:
        with (root / "pyproject.toml").open("a") as handle:
            handle.write('\n[tool.dbctl]\nalembic_ini = "alembic.ini"\n')
    before = snapshot(root)
    for args in ((), ("--url", "sqlite:///x.db"), ("--url", "sqlite:///x.db", "--pyproject")):
        result = run_dbctl("init", *args, cwd=root)
        assert_refused(result, before, root, "dbctl.toml" if existing == "dbctl.toml" else "[tool.dbctl]")


def test_bad_alembic_ini_is_reported_not_overwritten(tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", "generic")
    shapes.set_ini(root / "alembic.ini", "script_location", "%(here)s/nowhere")
    before = snapshot(root)
    for args in ((), ("--url", "sqlite:///x.db")):
        assert_refused(run_dbctl("init", *args, cwd=root), before, root, "alembic.ini", "nowhere", "env.py")
    (root / "alembic.ini").write_text("[loggers]\nkeys = root\n")
    before = snapshot(root)
    assert_refused(run_dbctl("init", cwd=root), before, root, "alembic.ini", "[alembic]")


def test_env_py_with_its_own_include_name_is_told_to_extend_it(tmp_path: Path, run_dbctl) -> None:
    root = alembic_init(tmp_path / "project", "generic")
    shapes.replace_in(
        root / "migrations" / "env.py",
        ONLINE_CONFIGURE,
        "connection=connection, target_metadata=target_metadata,\n"
        '            include_name=lambda name, type_, parent_names: name != "legacy",\n',
    )
    result = run_dbctl("init", cwd=root)
    assert result.code == 0, result
    assert "already passes include_name" in result.stderr and 'name == "dbctl_ledger"' in result.stderr
    assert LEDGER_FILTER not in result.stderr


def test_the_printed_filter_keeps_plain_alembic_check_clean(tmp_path: Path, run_dbctl) -> None:
    """The snippet as printed, pasted into env.py: `alembic check` no longer proposes dropping the
    ledger that `dbctl upgrade` created, and `dbctl init` stops printing it."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    root = tmp_path / "project"
    shapes.SHAPES_BY_NAME["generic"].build(root, url)
    up = run_dbctl("upgrade", "head", cwd=root)
    assert up.code == 0, up
    assert "dbctl_ledger" in shapes.tables(url)

    def alembic_check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alembic", "check"], cwd=root, env=dict(os.environ), capture_output=True, text=True
        )

    before = alembic_check()
    assert before.returncode != 0 and "dbctl_ledger" in before.stdout + before.stderr, before
    shown = run_dbctl("init", cwd=root)
    assert shown.code == 0, shown
    [line] = [line.strip() for line in shown.stderr.splitlines() if "include_name=" in line]
    shapes.replace_in(
        root / "migrations" / "env.py",
        ONLINE_CONFIGURE,
        f"connection=connection, target_metadata=target_metadata,\n            {line}\n",
    )
    after = alembic_check()
    assert after.returncode == 0, after.stdout + after.stderr
    again = run_dbctl("init", cwd=root)
    assert again.code == 0, again
    assert "include_name" not in again.stderr and "dbctl_ledger" not in again.stderr, again
    assert "found an Alembic project: alembic.ini" in again.stderr
