"""Every bad input is one "error:" line (plus at most a "hint:" line) with its exit code, never a
traceback unless -v asks for it, and never the password planted in the configured URL."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from dbctl import __version__

PW = "Planted-Pw-8e1f"  # appears in the config of every case; must never be printed


@dataclass(frozen=True)
class Case:
    id: str
    toml: str
    args: tuple[str, ...]
    code: int
    words: tuple[str, ...]
    env: dict[str, str | None] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


SYNTAX_ERROR_MIGRATION = '"""broken"""\nrevision = "abc123def456"\ndown_revision = None\n\ndef upgrade(:\n    pass\n'

PG_OTHER = f'[targets.other]\nurl = "postgresql://app:{PW}@db.example:5432/app"\n'


def _cases(refused_port: int) -> list[Case]:
    return [
        Case(
            "unknown-key",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@h/db"\nprotectd = true\n',
            ("targets",),
            2,
            ("dbctl.toml", "targets.dev.protectd", "unknown key", "did you mean 'protected'?"),
        ),
        Case(
            "unknown-top-key",
            f'default_targt = "dev"\n{PG_OTHER}',
            ("current",),
            2,
            ("dbctl.toml", "default_targt", "did you mean 'default_target'?"),
        ),
        Case(
            "wrong-type",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@h/db"\nprotected = "yes"\n',
            ("targets",),
            2,
            ("dbctl.toml", "targets.dev.protected", "true or false"),
        ),
        Case(
            "wrong-duration",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@h/db"\nlock_timeout = "soon"\n',
            ("targets",),
            2,
            ("targets.dev.lock_timeout", "not a duration"),
        ),
        Case(
            "malformed-toml",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@h/db"\nprotected = \n',
            ("targets",),
            2,
            ("dbctl.toml", "invalid TOML", "line 3"),
        ),
        Case(
            "missing-env-var",
            f'default_target = "dev"\n[targets.dev]\nurl = "${{DBCTL_ERR_UNSET}}"\n{PG_OTHER}',
            ("current",),
            2,
            ("dbctl.toml", "targets.dev.url", "DBCTL_ERR_UNSET is not set"),
            env={"DBCTL_ERR_UNSET": None},
        ),
        Case(
            "missing-env-var-in-password",
            '[targets.dev]\nurl = "postgresql://u:${DBCTL_ERR_PW}@h:1/db?x=${DBCTL_ERR_UNSET}"\n',
            ("current",),
            2,
            ("targets.dev.url", "DBCTL_ERR_UNSET is not set"),
            env={"DBCTL_ERR_PW": PW, "DBCTL_ERR_UNSET": None},
        ),
        Case(
            "unknown-target",
            f'[targets.dev]\nurl = "sqlite:///dev.db"\n[targets.prod]\nurl = "postgresql://u:{PW}@h/d"\n',
            ("current", "-t", "staging"),
            2,
            ("unknown target", "'staging'", "dbctl.toml", "dev, prod"),
        ),
        Case(
            "unknown-target-env",
            f'[targets.dev]\nurl = "sqlite:///dev.db"\n{PG_OTHER}',
            ("current",),
            2,
            ("unknown target", "'qa'", "dev, other"),
            env={"DBCTL_TARGET": "qa"},
        ),
        Case(
            "unknown-default-target",
            f'default_target = "prd"\n{PG_OTHER}',
            ("targets",),
            2,
            ("default_target", "unknown target 'prd'", "known targets: other"),
        ),
        Case(
            "bad-scheme",
            f'[targets.dev]\nurl = "nosuchdb://u:{PW}@h/db"\n',
            ("current",),
            2,
            ("target 'dev'", "no SQLAlchemy dialect or driver", "nosuchdb"),
        ),
        Case(
            "bad-driver",
            f'[targets.dev]\nurl = "postgresql+nodriver://u:{PW}@h/db"\n',
            ("current",),
            2,
            ("target 'dev'", "postgresql+nodriver"),
        ),
        Case(
            "not-a-url",
            f'[targets.dev]\nurl = "u:{PW}@h:5432/db"\n',
            ("current",),
            2,
            ("targets.dev.url", "not a database URL"),
        ),
        Case(
            "password-with-slash",
            f'[targets.dev]\nurl = "postgresql://u:{PW}/x@127.0.0.1:{refused_port}/db"\n',
            ("current",),
            3,
            ("127.0.0.1", f":{refused_port}"),
        ),
        Case(
            "refused-port",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@127.0.0.1:{refused_port}/db"\n',
            ("current",),
            3,
            ("target 'dev'", "127.0.0.1", f":{refused_port}", "refused"),
        ),
        Case(
            "refused-port-async",
            f'[targets.dev]\nurl = "postgresql+psycopg_async://u:{PW}@127.0.0.1:{refused_port}/db"\n',
            ("upgrade", "head"),
            3,
            ("127.0.0.1", f":{refused_port}"),
        ),
        Case(
            "unknown-host",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@no-such-host.invalid:5432/db"\n',
            ("current",),
            3,
            ("no-such-host.invalid:5432",),
        ),
        Case(
            "unknown-host-default-port",
            f'[targets.dev]\nurl = "postgresql+psycopg_async://u:{PW}@no-such-host.invalid/db"\n',
            ("current",),
            3,
            ("no-such-host.invalid:5432",),
        ),
        Case(
            "sqlite-missing-folder",
            f'default_target = "dev"\n[targets.dev]\nurl = "sqlite:///no/such/dir/app.db"\n{PG_OTHER}',
            ("current",),
            3,
            ("cannot open SQLite database", "app.db", "no/such/dir"),
        ),
        Case(
            "sqlite-async-missing-folder",
            '[targets.dev]\nurl = "sqlite+aiosqlite:///no/such/dir/app.db"\n',
            ("upgrade", "head"),
            3,
            ("app.db", "no/such/dir"),
        ),
        Case(
            "syntax-error-in-migration",
            f'[targets.dev]\nurl = "postgresql://u:{PW}@h/db"\n',
            ("history",),
            2,
            ("abc123def456_broken.py:5", "syntax error"),
            files={"migrations/versions/abc123def456_broken.py": SYNTAX_ERROR_MIGRATION},
        ),
        Case(
            "syntax-error-on-upgrade",
            '[targets.dev]\nurl = "sqlite:///app.db"\n',
            ("upgrade", "head"),
            2,
            ("abc123def456_broken.py:5",),
            files={"migrations/versions/abc123def456_broken.py": SYNTAX_ERROR_MIGRATION},
        ),
        Case(
            "missing-script-location",
            f'script_location = "nowhere"\n{PG_OTHER}',
            ("history",),
            2,
            ("script_location", "nowhere", "does not exist"),
        ),
        Case("no-config", "", ("targets",), 2, ("dbctl.toml", "found"), files={"__no_config__": ""}),
        Case("missing-config-option", "", ("--config", "missing.toml", "targets"), 2, ("missing.toml",)),
    ]


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


REFUSED_PORT = _free_port()
CASES = _cases(REFUSED_PORT)


def make_project(root: Path, case: Case) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if "__no_config__" not in case.files and case.toml:
        (root / "dbctl.toml").write_text(case.toml, encoding="utf-8")
    (root / "migrations" / "versions").mkdir(parents=True)
    for name, text in case.files.items():
        if name != "__no_config__":
            (root / name).write_text(text, encoding="utf-8")
    return root


def assert_one_error(result, code: int, words: tuple[str, ...], *, verbose: bool) -> None:
    __tracebackhide__ = True
    assert result.code == code, result
    output = result.stdout + result.stderr
    assert PW not in output, result
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    hints = [line for line in lines if line.startswith("hint: ")]
    assert len(errors) == 1, result
    assert len(hints) <= 1, result
    assert result.stdout == "", result
    if verbose:
        assert "Traceback" in result.stderr, result
    else:
        assert "Traceback" not in result.stderr, result
        assert lines == errors + hints and lines[0] == errors[0], result
    text = errors[0] + "\n" + "".join(hints)
    for word in words:
        assert word in text, f"{word!r} not in the error/hint lines\n{result}"


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, verbose: bool, tmp_path: Path, run_dbctl) -> None:
    root = make_project(tmp_path / "proj", case)
    args = ("-v", *case.args) if verbose else case.args
    env = {"DBCTL_TARGET": None, **case.env}
    result = run_dbctl(*args, cwd=root, env=env, timeout=30)
    assert_one_error(result, case.code, case.words, verbose=verbose)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port that accepts connections into its backlog but never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server.getsockname()[1]


@pytest.mark.parametrize("driver", ["psycopg", "psycopg_async"])
def test_connect_timeout_is_honoured(driver: str, silent_server: int, tmp_path: Path, run_dbctl) -> None:
    case = Case(
        "timeout",
        f'[targets.dev]\nurl = "postgresql+{driver}://u:{PW}@127.0.0.1:{silent_server}/db"\nconnect_timeout = "2s"\n',
        ("current",),
        3,
        (),
    )
    root = make_project(tmp_path / "proj", case)
    started = time.monotonic()
    result = run_dbctl("current", cwd=root, env={"DBCTL_TARGET": None}, timeout=20)
    elapsed = time.monotonic() - started
    assert_one_error(result, 3, ("127.0.0.1", f":{silent_server}", "timeout"), verbose=False)
    assert 1.8 <= elapsed <= 5.5, f"took {elapsed:.1f}s\n{result}"


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
@pytest.mark.parametrize("driver", ["psycopg", "psycopg_async"])
def test_wrong_password_on_real_server(driver: str, verbose: bool, pg_server, tmp_path: Path, run_dbctl) -> None:
    good_url = pg_server.url("postgres", driver=driver)
    bad_url = good_url.replace(f":{quote(pg_server.password, safe='')}@", f":{PW}@")
    assert PW in bad_url
    case = Case("bad-password", f'[targets.dev]\nurl = "{bad_url}"\n', ("current",), 3, ())
    root = make_project(tmp_path / "proj", case)
    args = ("-v", "current") if verbose else ("current",)
    started = time.monotonic()
    result = run_dbctl(*args, cwd=root, env={"DBCTL_TARGET": None}, timeout=30)
    assert time.monotonic() - started < 10.5
    assert_one_error(
        result, 3, (f"{pg_server.host}:{pg_server.port}", "password authentication failed"), verbose=verbose
    )
    assert pg_server.password not in result.stdout + result.stderr


def test_version(run_dbctl, tmp_path: Path) -> None:
    result = run_dbctl("--version", cwd=tmp_path)
    assert result.code == 0, result
    assert result.stdout == f"dbctl {__version__}\n"
    assert result.stderr == ""


@pytest.mark.parametrize("args", [("--no-such-flag",), ("no-such-command",), ("current", "--format", "xml")])
def test_usage_errors(args: tuple[str, ...], run_dbctl, tmp_path: Path) -> None:
    result = run_dbctl(*args, cwd=tmp_path)
    assert result.code == 2, result
    assert result.stdout == ""
    # one error line and a hint, like every other error
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), result


def test_failed_async_sqlite_connect_leaves_no_thread_traceback(tmp_path: Path, run_dbctl) -> None:
    """aiosqlite's worker thread used to outlive the event loop after a failed connect and print
    "RuntimeError: Event loop is closed" after the error line (about every other run)."""
    case = Case("aiosqlite", '[targets.dev]\nurl = "sqlite+aiosqlite:///missing/app.db"\n', ("current",), 3, ())
    root = make_project(tmp_path / "proj", case)
    for _ in range(5):
        result = run_dbctl("current", cwd=root, env={"DBCTL_TARGET": None}, timeout=30)
        assert_one_error(result, 3, ("missing",), verbose=False)
