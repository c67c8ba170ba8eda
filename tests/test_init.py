"""`dbctl init`: what it writes, what it refuses, and that a refusal changes nothing."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

PYPROJECT = (
    b"# my project\r\n"
    b"[project]\r\n"
    b'name = "app"   # odd spacing and CRLF line ends are kept as they are\r\n'
    b"dependencies = [\r\n"
    b'    "sqlalchemy",\r\n'
    b"]\r\n"
    b"\r\n"
    b"[tool.ruff]\r\n"
    b"line-length = 100"  # no newline at the end
)


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for a folder)."""
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    return root


def test_init_defaults(proj: Path, run_dbctl) -> None:
    result = run_dbctl("init", cwd=proj)
    assert result.code == 0, result
    assert result.stdout == ""  # chatter goes to stderr
    assert "dbctl.toml" in result.stderr
    migrations = proj / "migrations"
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
    assert (migrations / "versions").is_dir()
    compile((migrations / "env.py").read_text(), "env.py", "exec")
    assert "dbctl-env:" in (migrations / "env.py").read_text()
    assert "${message}" in (migrations / "script.py.mako").read_text()
    config = tomllib.loads((proj / "dbctl.toml").read_text(encoding="utf-8"))
    assert config == {
        "script_location": "migrations",
        "default_target": "dev",
        "targets": {"dev": {"url": "sqlite+aiosqlite:///app.db"}},
    }
    listed = run_dbctl("targets", "--format", "json", cwd=proj)
    assert listed.code == 0, listed
    [dev] = json.loads(listed.stdout)
    assert dev["name"] == "dev" and dev["default"] is True and dev["driver"] == "aiosqlite"
    assert dev["url"] == f"sqlite+aiosqlite:///{(proj / 'app.db').resolve()}"
    # the new environment is usable: no revisions yet, and nothing was created in the database folder
    history = run_dbctl("history", "--format", "json", cwd=proj)
    assert history.code == 0 and json.loads(history.stdout) == [], history
    assert not (proj / "app.db").exists()


def test_init_sync(proj: Path, run_dbctl) -> None:
    result = run_dbctl("init", "--sync", cwd=proj)
    assert result.code == 0, result
    config = tomllib.loads((proj / "dbctl.toml").read_text(encoding="utf-8"))
    assert config["targets"]["dev"]["url"] == "sqlite:///app.db"
    [dev] = json.loads(run_dbctl("targets", "--format", "json", cwd=proj).stdout)
    assert dev["driver"] == "pysqlite"


def test_init_options(proj: Path, run_dbctl) -> None:
    url = "postgresql+psycopg://app:Init-Pw-3141@db.example:5432/app"
    result = run_dbctl("init", "--dir", "db/alembic", "--url", url, "--metadata", "app.models:Base.metadata", cwd=proj)
    assert result.code == 0, result
    assert "Init-Pw-3141" not in result.stdout + result.stderr
    assert (proj / "db" / "alembic" / "env.py").is_file()
    assert not (proj / "migrations").exists()
    config = tomllib.loads((proj / "dbctl.toml").read_text(encoding="utf-8"))
    assert config["script_location"] == "db/alembic"
    assert config["metadata"] == "app.models:Base.metadata"
    assert config["targets"]["dev"]["url"] == url  # written as given (the user asked for it)
    listed = run_dbctl("targets", cwd=proj)
    assert listed.code == 0 and "app:***@db.example:5432/app" in listed.stdout
    assert "Init-Pw-3141" not in listed.stdout + listed.stderr


def test_init_into_an_existing_empty_dir(proj: Path, run_dbctl) -> None:
    (proj / "migrations").mkdir()
    assert run_dbctl("init", cwd=proj).code == 0
    assert (proj / "migrations" / "env.py").is_file()


def test_init_pyproject_keeps_every_byte(proj: Path, run_dbctl) -> None:
    (proj / "pyproject.toml").write_bytes(PYPROJECT)
    result = run_dbctl("init", "--pyproject", "--metadata", "app.db:metadata", cwd=proj)
    assert result.code == 0, result
    assert not (proj / "dbctl.toml").exists()
    data = (proj / "pyproject.toml").read_bytes()
    assert data.startswith(PYPROJECT)
    assert len(data) > len(PYPROJECT)
    parsed = tomllib.loads(data.decode("utf-8"))
    assert parsed["project"]["name"] == "app" and parsed["tool"]["ruff"] == {"line-length": 100}
    assert parsed["tool"]["dbctl"] == {
        "script_location": "migrations",
        "metadata": "app.db:metadata",
        "default_target": "dev",
        "targets": {"dev": {"url": "sqlite+aiosqlite:///app.db"}},
    }
    listed = run_dbctl("targets", "--format", "json", cwd=proj)
    assert listed.code == 0, listed
    assert [t["name"] for t in json.loads(listed.stdout)] == ["dev"]


@pytest.mark.parametrize("original", [b"", b'[project]\nname = "a"\n', b'[project]\nname = "a"\n\n\n'])
def test_init_pyproject_various_endings(proj: Path, run_dbctl, original: bytes) -> None:
    (proj / "pyproject.toml").write_bytes(original)
    result = run_dbctl("init", "--pyproject", "--sync", cwd=proj)
    assert result.code == 0, result
    data = (proj / "pyproject.toml").read_bytes()
    assert data.startswith(original)
    assert tomllib.loads(data.decode())["tool"]["dbctl"]["targets"]["dev"]["url"] == "sqlite:///app.db"


def test_second_init_changes_nothing(proj: Path, run_dbctl) -> None:
    assert run_dbctl("init", cwd=proj).code == 0
    before = snapshot(proj)
    for args in (("init",), ("init", "--sync", "--url", "sqlite:///other.db"), ("init", "--dir", "other")):
        again = run_dbctl(*args, cwd=proj)
        assert again.code == 2, again
        assert again.stderr.startswith("error: ") and "Traceback" not in again.stderr
        assert snapshot(proj) == before


def test_second_pyproject_init_changes_nothing(proj: Path, run_dbctl) -> None:
    (proj / "pyproject.toml").write_bytes(PYPROJECT)
    assert run_dbctl("init", "--pyproject", cwd=proj).code == 0
    before = snapshot(proj)
    again = run_dbctl("init", "--pyproject", "--dir", "elsewhere", cwd=proj)
    assert again.code == 2, again
    assert "[tool.dbctl]" in again.stderr
    assert snapshot(proj) == before


def test_existing_migrations_dir_is_refused(proj: Path, run_dbctl) -> None:
    (proj / "migrations").mkdir()
    (proj / "migrations" / "env.py").write_text("# someone's alembic env\n")
    before = snapshot(proj)
    for args in ((), ("--dir", "migrations"), ("--url", "sqlite:///x.db"), ("--dir", "migrations/", "--sync")):
        result = run_dbctl("init", *args, cwd=proj)
        assert result.code == 2, result
        error, hint = result.stderr.splitlines()
        assert error.startswith("error: migrations") and "env.py" in error, result
        assert hint.startswith("hint: to adopt it") and 'script_location = "migrations"' in hint, result
        assert snapshot(proj) == before


def test_environment_made_by_dbctl_is_not_written_over(proj: Path, run_dbctl) -> None:
    """A dbctl environment whose config is gone (or lives elsewhere): --dir into it is refused."""
    assert run_dbctl("init", "--dir", "db/env", cwd=proj).code == 0
    (proj / "dbctl.toml").unlink()
    before = snapshot(proj)
    result = run_dbctl("init", "--dir", "db/env", cwd=proj)
    assert result.code == 2, result
    assert "adopt" in result.stderr and 'script_location = "db/env"' in result.stderr, result
    assert snapshot(proj) == before
    # another folder is still a fresh environment
    assert run_dbctl("init", "--dir", "other", cwd=proj).code == 0
    assert (proj / "other" / "env.py").is_file()


def test_existing_tool_dbctl_is_refused(proj: Path, run_dbctl) -> None:
    """A dbctl.toml would hide an existing [tool.dbctl]: init refuses instead of writing one."""
    (proj / "pyproject.toml").write_bytes(PYPROJECT + b'\n\n[tool.dbctl]\nscript_location = "db"\n')
    before = snapshot(proj)
    result = run_dbctl("init", cwd=proj)
    assert result.code == 2, result
    assert "[tool.dbctl]" in result.stderr.splitlines()[0], result
    assert snapshot(proj) == before


def test_existing_dbctl_toml_is_refused(proj: Path, run_dbctl) -> None:
    (proj / "dbctl.toml").write_text('[targets.mine]\nurl = "sqlite://"\n')
    before = snapshot(proj)
    result = run_dbctl("init", "--dir", "fresh", cwd=proj)
    assert result.code == 2, result
    assert "dbctl.toml" in result.stderr
    assert snapshot(proj) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--url", "not-a-url"), "--url"),
        (("--url", "u:Init-Bad-Pw-1@h:5432/db"), "not a database URL"),
        (("--url", "postgresql://u:Init-Bad-Pw-1@h:port/db"), "port"),
        (("--metadata", "app.models.Base"), "module:attribute"),
        (("--pyproject",), "pyproject.toml"),
    ],
)
def test_bad_arguments_write_nothing(proj: Path, run_dbctl, args: tuple[str, ...], words: str) -> None:
    (proj / "keep.txt").write_text("untouched")
    before = snapshot(proj)
    result = run_dbctl("init", *args, cwd=proj)
    assert result.code == 2, result
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ") and words in lines[0], result
    assert len(lines) <= 2 and all(line.startswith("hint: ") for line in lines[1:]), result
    assert "Init-Bad-Pw-1" not in result.stdout + result.stderr
    assert snapshot(proj) == before


def test_malformed_pyproject_is_left_alone(proj: Path, run_dbctl) -> None:
    (proj / "pyproject.toml").write_bytes(b"[project\nname = 'x'\n")
    before = snapshot(proj)
    result = run_dbctl("init", "--pyproject", cwd=proj)
    assert result.code == 2, result
    assert "pyproject.toml" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(proj) == before
