"""The configuration: discovery, validation (every error names the file and the key path),
${VAR} interpolation, durations, and target resolution with redacted URLs."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from dbctl.config import find_config_file, load_config
from dbctl.config.durations import format_duration, parse_duration
from dbctl.config.interpolate import MalformedReference, MissingVariable, interpolate
from dbctl.errors import ConfigError, ExitCode, TargetError
from dbctl.redact import scrub
from dbctl.targets import describe_targets, resolve_target, select_target

FULL = """
script_location = "db/migrations"
version_locations = ["db/migrations/versions", "db/extra"]
metadata = "app.models:Base.metadata"
default_target = "dev"
pythonpath = ["src"]

[targets.dev]
url = "sqlite+aiosqlite:///dev.db"

[targets.prod]
url = "${DBCTL_TEST_PROD_URL}"
protected = true
lock_timeout = "5s"
statement_timeout = "10min"
connect_timeout = 3

[groups]
all = ["dev", "prod"]

[lint]
select = ["db1", "DB2"]
ignore = ["db402"]
severity = { db403 = "warning" }
dialects = ["PostgreSQL"]
start_after = "3f2a9c1b"
fail_on = "warning"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, name: str = "dbctl.toml"):
    return load_config(write(tmp_path / name, text))


def config_error(tmp_path: Path, text: str, name: str = "dbctl.toml") -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text, name)
    assert info.value.exit_code == ExitCode.USAGE
    assert "\n" not in info.value.message
    return info.value


# -- loading and validation -------------------------------------------------------------------


def test_full_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBCTL_TEST_PROD_URL", raising=False)
    project = load(tmp_path, FULL)  # prod's variable is unset: targets are expanded only when used
    root = tmp_path.resolve()
    assert project.path == root / "dbctl.toml" and project.root == root
    assert project.script_location == root / "db" / "migrations"
    assert project.version_locations == (root / "db/migrations/versions", root / "db/extra")
    assert project.metadata == "app.models:Base.metadata"
    assert project.default_target == "dev"
    assert project.pythonpath == (root / "src",)
    assert not project.in_pyproject and project.display_path == "dbctl.toml"
    dev, prod = project.targets["dev"], project.targets["prod"]
    assert (dev.protected, dev.lock_timeout, dev.statement_timeout, dev.connect_timeout) == (False, None, None, 10.0)
    assert prod.url == "${DBCTL_TEST_PROD_URL}"
    assert (prod.protected, prod.lock_timeout, prod.statement_timeout, prod.connect_timeout) == (True, 5.0, 600.0, 3.0)
    assert project.groups == {"all": ("dev", "prod")}
    lint = project.lint
    assert lint.select == ("DB1", "DB2") and lint.ignore == ("DB402",)
    assert lint.severity == {"DB403": "warning"} and lint.dialects == ("postgresql",)
    assert lint.start_after == "3f2a9c1b" and lint.fail_on == "warning"


def test_defaults(tmp_path: Path) -> None:
    project = load(tmp_path, "")
    assert project.script_location == tmp_path.resolve() / "migrations"
    assert project.targets == {} and project.default_target is None and project.metadata is None
    assert project.version_locations == () and project.groups == {}
    assert project.lint.fail_on == "error" and project.lint.select == ()


def test_interpolation_in_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBCTL_TEST_DIR", "alembic")
    monkeypatch.delenv("DBCTL_TEST_UNSET", raising=False)
    project = load(
        tmp_path,
        """
        script_location = "${DBCTL_TEST_DIR}/scripts"
        metadata = "${DBCTL_TEST_UNSET:-models}:Base.metadata"
    """,
    )
    assert project.script_location == tmp_path.resolve() / "alembic" / "scripts"
    assert project.metadata == "models:Base.metadata"


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('script_locaton = "m"', "script_locaton", ["unknown key", "did you mean 'script_location'?"]),
        ('[targets.dev]\nurl = "sqlite://"\nprotectd = true', "targets.dev.protectd", ["did you mean 'protected'?"]),
        ("[lint]\nignor = []", "lint.ignor", ["did you mean 'ignore'?"]),
        ("zzzz = 1", "zzzz", ["known keys: script_location"]),
        ("script_location = 3", "script_location", ["expected a string, got an integer"]),
        ("[targets.dev]\nurl = 5", "targets.dev.url", ["expected a string, got an integer"]),
        ('[targets.dev]\nurl = "sqlite://"\nprotected = "yes"', "targets.dev.protected", ["true or false"]),
        ('[targets.dev]\nurl = "sqlite://"\nlock_timeout = true', "targets.dev.lock_timeout", ["duration"]),
        (
            '[targets.dev]\nurl = "sqlite://"\nlock_timeout = "5 parsecs"',
            "targets.dev.lock_timeout",
            ["not a duration"],
        ),
        ('[targets.dev]\nurl = "sqlite://"\nconnect_timeout = -1', "targets.dev.connect_timeout", ["negative"]),
        ("[targets.dev]\nprotected = true", "targets.dev.url", ["missing"]),
        ('targets = ["dev"]', "targets", ["a table of targets, got a list"]),
        ('targets = { dev = "sqlite://" }', "targets.dev", ["expected a table, got a string"]),
        ('version_locations = "v"', "version_locations", ["a list of strings"]),
        ('version_locations = ["v", 1]', "version_locations[1]", ["expected a string"]),
        ('metadata = "app.models.Base"', "metadata", ["module:attribute"]),
        ('default_target = "prod"\n[targets.dev]\nurl = "sqlite://"', "default_target", ["unknown target 'prod'"]),
        ('[targets.dev]\nurl = "sqlite://"\n[groups]\nall = ["dev", "qa"]', "groups.all[1]", ["unknown target 'qa'"]),
        ('[targets.dev]\nurl = "sqlite://"\n[groups]\ndev = ["dev"]', "groups.dev", ["name of a target"]),
        ('[lint]\nfail_on = "fatal"', "lint.fail_on", ["expected one of info, warning, error"]),
        ('[lint.severity]\nDB101 = "loud"', "lint.severity.DB101", ["expected one of"]),
        (
            'script_location = "${DBCTL_TEST_UNSET}"',
            "script_location",
            ["environment variable DBCTL_TEST_UNSET is not set"],
        ),
        ('script_location = "${oops"', "script_location", ["malformed"]),
    ],
)
def test_validation_errors_name_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, key: str, words: list[str]
) -> None:
    monkeypatch.delenv("DBCTL_TEST_UNSET", raising=False)
    error = config_error(tmp_path, text)
    rendered = f"{error.message}\n{error.hint or ''}"
    assert error.message.startswith(f"dbctl.toml: {key}: "), rendered
    for word in words:
        assert word in rendered, rendered


def test_unknown_target_in_default_lists_known(tmp_path: Path) -> None:
    error = config_error(
        tmp_path,
        """
        default_target = "prd"
        [targets.dev]
        url = "sqlite://"
        [targets.prod]
        url = "sqlite://"
    """,
    )
    assert error.hint == "known targets: dev, prod"


def test_errors_in_pyproject_name_the_table(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[project]\nname = "x"\n\n[tool.dbctl]\nscript_location = 1\n', "pyproject.toml")
    assert error.message.startswith("pyproject.toml: tool.dbctl.script_location: expected a string")


def test_pyproject_without_table(tmp_path: Path) -> None:
    error = config_error(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    assert "no [tool.dbctl] table" in error.message


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, 'script_location = "m"\n[targets.dev\nurl = "sqlite://"\n')
    assert error.message.startswith("dbctl.toml: invalid TOML")
    assert "line 2" in error.message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "dbctl.toml"
    path.write_bytes(b'script_location = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_pyproject_config(tmp_path: Path) -> None:
    project = load(
        tmp_path,
        """
        [project]
        name = "app"

        [tool.dbctl]
        script_location = "alembic"
        default_target = "dev"

        [tool.dbctl.targets.dev]
        url = "sqlite:///app.db"

        [tool.ruff]
        line-length = 100
    """,
        "pyproject.toml",
    )
    assert project.in_pyproject and project.display_path == "pyproject.toml [tool.dbctl]"
    assert project.script_location == tmp_path.resolve() / "alembic"
    assert list(project.targets) == ["dev"]


# -- discovery -----------------------------------------------------------------------------


def test_find_walks_up_from_a_subdirectory(tmp_path: Path) -> None:
    config = write(tmp_path / "proj" / "dbctl.toml", "")
    deep = tmp_path / "proj" / "src" / "app" / "deep"
    deep.mkdir(parents=True)
    assert find_config_file(deep) == config.resolve()
    assert find_config_file(tmp_path / "proj") == config.resolve()


def test_find_skips_pyproject_without_table(tmp_path: Path) -> None:
    config = write(tmp_path / "dbctl.toml", "")
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    write(tmp_path / "pkg" / "broken" / "pyproject.toml", "[[[ not toml")
    assert find_config_file(tmp_path / "pkg" / "broken") == config.resolve()


def test_find_uses_nearest_pyproject_table(tmp_path: Path) -> None:
    write(tmp_path / "dbctl.toml", "")
    pyproject = write(tmp_path / "pkg" / "pyproject.toml", "[tool.dbctl]\n")
    (tmp_path / "pkg" / "sub").mkdir()
    assert find_config_file(tmp_path / "pkg" / "sub") == pyproject.resolve()


def test_find_prefers_dbctl_toml_in_the_same_folder(tmp_path: Path) -> None:
    config = write(tmp_path / "dbctl.toml", "")
    write(tmp_path / "pyproject.toml", "[tool.dbctl]\n")
    assert find_config_file(tmp_path) == config.resolve()


def test_find_explicit(tmp_path: Path) -> None:
    explicit = write(tmp_path / "conf" / "other.toml", "")
    assert find_config_file(tmp_path, explicit) == explicit
    with pytest.raises(ConfigError, match="does not exist"):
        find_config_file(tmp_path, tmp_path / "missing.toml")


def test_find_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    # the temporary folder's parents are assumed to hold no dbctl config
    with pytest.raises(ConfigError) as info:
        find_config_file(empty)
    assert "dbctl.toml" in info.value.message and "dbctl init" in (info.value.hint or "")


# -- interpolation -------------------------------------------------------------------------


ENV = {"HOST": "db.local", "EMPTY": "", "PW": "p@ss"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("${HOST}", "db.local"),
        ("postgresql://u:${PW}@${HOST}:5432/x", "postgresql://u:p@ss@db.local:5432/x"),
        ("${MISSING:-fallback}", "fallback"),
        ("${HOST:-fallback}", "db.local"),
        ("${EMPTY:-fallback}", "fallback"),  # empty counts as unset for :-
        ("${EMPTY}", ""),  # ... but as set for a plain reference
        ("${MISSING:-}", ""),
        ("${MISSING:-sqlite:///a.db?x=1}", "sqlite:///a.db?x=1"),
        ("cost $$5", "cost $5"),
        ("$$${HOST}", "$db.local"),
        ("$HOST", "$HOST"),  # only the braced form is a reference
        ("a $ b", "a $ b"),
    ],
)
def test_interpolate(raw: str, expected: str) -> None:
    assert interpolate(raw, ENV) == expected


def test_interpolate_missing() -> None:
    with pytest.raises(MissingVariable) as info:
        interpolate("x ${HOST} ${NOPE_NOT_SET}", ENV)
    assert info.value.name == "NOPE_NOT_SET"


@pytest.mark.parametrize("raw", ["${", "${1ABC}", "${HOST", "${A-B}", "${}"])
def test_interpolate_malformed(raw: str) -> None:
    with pytest.raises(MalformedReference):
        interpolate(raw, ENV)


def test_interpolate_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBCTL_TEST_VAR", "from-env")
    assert interpolate("${DBCTL_TEST_VAR}") == "from-env"


# -- durations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5s", 5.0),
        ("500ms", 0.5),
        ("10min", 600.0),
        ("2m", 120.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        ("1.5s", 1.5),
        (" 7 sec ", 7.0),
        ("3", 3.0),
        ("2S", 2.0),
        (0, 0.0),
        (4, 4.0),
        (2.5, 2.5),
    ],
)
def test_parse_duration(value: str | float, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "s", "5 parsecs", "-5s", "5s5", "1e3s", True, -1])
def test_parse_duration_rejects(value: str | float) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)


@pytest.mark.parametrize(("seconds", "text"), [(0.85, "850ms"), (2.43, "2.4s"), (185, "3min 5s"), (0, "0ms")])
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


# -- targets -------------------------------------------------------------------------------


TARGETS = """
default_target = "dev"

[targets.dev]
url = "sqlite+aiosqlite:///data/dev.db"

[targets.plain]
url = "sqlite:///../up.db?timeout=3"

[targets.memory]
url = "sqlite://"

[targets.pg]
url = "postgres://alice:${DBCTL_TEST_PW:-Pg-S3cret!}@db.example:6543/app"
protected = true

[targets.env]
url = "${DBCTL_TEST_URL}"
"""


@pytest.fixture
def targets_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("DBCTL_TEST_PW", raising=False)
    monkeypatch.delenv("DBCTL_TEST_URL", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # relative paths follow the config file, not the cwd
    return load(tmp_path / "proj", TARGETS)


def test_relative_sqlite_paths_resolve_against_the_config_folder(targets_project) -> None:
    root = targets_project.root
    dev = resolve_target(targets_project, None)
    assert dev.name == "dev" and dev.dialect == "sqlite" and dev.driver == "aiosqlite" and dev.is_async
    assert dev.database == str(root / "data" / "dev.db")
    assert dev.url == f"sqlite+aiosqlite:///{root / 'data' / 'dev.db'}"
    plain = resolve_target(targets_project, "plain")
    assert plain.driver == "pysqlite" and not plain.is_async and plain.is_sqlite
    assert plain.url == f"sqlite+pysqlite:///{root.parent / 'up.db'}?timeout=3"
    memory = resolve_target(targets_project, "memory")
    assert memory.database is None and memory.where == ":memory:"


def test_absolute_sqlite_path_is_kept(tmp_path: Path) -> None:
    absolute = tmp_path / "abs.db"
    project = load(tmp_path / "p", f'[targets.a]\nurl = "sqlite:///{absolute}"\n')
    assert resolve_target(project, "a").database == str(absolute)


def test_pg_target_is_normalised_and_redacted(targets_project) -> None:
    pg = resolve_target(targets_project, "pg")
    assert (pg.dialect, pg.driver, pg.host, pg.port) == ("postgresql", "psycopg", "db.example", 6543)
    assert pg.database == "app"
    assert pg.url == "postgresql+psycopg://alice:Pg-S3cret!@db.example:6543/app"
    assert pg.display_url == "postgresql+psycopg://alice:***@db.example:6543/app"
    assert pg.protected and pg.where == "db.example:6543/app"
    # once resolved, the password is scrubbed from any text dbctl prints
    assert "Pg-S3cret!" not in scrub("FATAL: password Pg-S3cret! rejected")


def test_where_names_the_default_port(tmp_path: Path) -> None:
    project = load(tmp_path, '[targets.a]\nurl = "postgresql://u@db.example/app"\n')
    assert resolve_target(project, "a").where == "db.example:5432/app"


def test_env_target(targets_project, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TargetError) as info:
        resolve_target(targets_project, "env")
    assert info.value.message == "dbctl.toml: targets.env.url: environment variable DBCTL_TEST_URL is not set"
    assert info.value.exit_code == ExitCode.USAGE
    monkeypatch.setenv("DBCTL_TEST_URL", "postgresql+psycopg_async://bob:Env-Pw-123@h/db")
    env = resolve_target(targets_project, "env")
    assert env.is_async and env.display_url == "postgresql+psycopg_async://bob:***@h/db"


def test_unknown_target_lists_the_known_ones(targets_project) -> None:
    with pytest.raises(TargetError) as info:
        resolve_target(targets_project, "prod")
    assert info.value.message == "unknown target 'prod' in dbctl.toml"
    assert info.value.hint == "known targets: dev, env, memory, pg, plain"


def test_select_target_without_default(tmp_path: Path) -> None:
    single = load(tmp_path / "one", '[targets.only]\nurl = "sqlite://"\n')
    assert select_target(single, None).name == "only"
    several = load(tmp_path / "two", '[targets.a]\nurl = "sqlite://"\n[targets.b]\nurl = "sqlite://"\n')
    with pytest.raises(TargetError, match="no default_target") as info:
        select_target(several, None)
    assert "known targets: a, b" in (info.value.hint or "")
    none = load(tmp_path / "none", "")
    with pytest.raises(TargetError) as info:
        select_target(none, "x")
    assert "no targets are configured" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "not a database URL"),
        ("postgresql://u:Bad-Pw-77@h:port/db", "port 'port' is not a number"),
        ("postgresql:/u:Bad-Pw-77@h/db", "not a database URL"),
    ],
)
def test_bad_urls(tmp_path: Path, url: str, words: str) -> None:
    project = load(tmp_path, f'[targets.x]\nurl = "{url}"\n')
    with pytest.raises(TargetError) as info:
        resolve_target(project, "x")
    assert info.value.message.startswith("dbctl.toml: targets.x.url: ")
    assert words in info.value.message
    assert "Bad-Pw-77" not in f"{info.value.message} {info.value.hint}"


def test_pyproject_target_key_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBCTL_TEST_URL", raising=False)
    project = load(tmp_path, '[tool.dbctl.targets.prod]\nurl = "${DBCTL_TEST_URL}"\n', "pyproject.toml")
    with pytest.raises(TargetError, match=r"^pyproject.toml \[tool.dbctl\]: tool.dbctl.targets.prod.url: "):
        resolve_target(project, "prod")


def test_describe_targets(targets_project) -> None:
    infos = {t.name: t for t in describe_targets(targets_project)}
    assert list(infos) == ["dev", "plain", "memory", "pg", "env"]
    assert infos["dev"].default and not any(t.default for n, t in infos.items() if n != "dev")
    pg = infos["pg"]
    assert (pg.dialect, pg.driver, pg.protected, pg.error) == ("postgresql", "psycopg", True, None)
    assert pg.url == "postgresql+psycopg://alice:***@db.example:6543/app"
    env = infos["env"]
    assert env.dialect is None and env.url == "${DBCTL_TEST_URL}" and "DBCTL_TEST_URL" in (env.error or "")


# -- the CLI finds the config --------------------------------------------------------------


def _targets_json(result) -> list[dict]:
    assert result.code == 0, result
    return json.loads(result.stdout)


def test_cli_walks_up_and_resolves_relative_to_the_config(tmp_path: Path, run_dbctl) -> None:
    write(tmp_path / "proj" / "dbctl.toml", '[targets.dev]\nurl = "sqlite:///dev.db"\n')
    sub = tmp_path / "proj" / "a" / "b"
    sub.mkdir(parents=True)
    [dev] = _targets_json(run_dbctl("targets", "--format", "json", cwd=sub))
    assert dev["url"] == f"sqlite+pysqlite:///{(tmp_path / 'proj' / 'dev.db').resolve()}"


def test_cli_pyproject_table(tmp_path: Path, run_dbctl) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
        [project]
        name = "x"

        [tool.dbctl]
        default_target = "b"

        [tool.dbctl.targets.a]
        url = "sqlite:///a.db"

        [tool.dbctl.targets.b]
        url = "postgresql+psycopg_async://u:Py-Pw-1234@h:1/db"
        protected = true
    """,
    )
    (tmp_path / "pkg").mkdir()
    data = _targets_json(run_dbctl("targets", "--format", "json", cwd=tmp_path / "pkg"))
    assert [(t["name"], t["default"], t["protected"]) for t in data] == [("a", False, False), ("b", True, True)]
    assert data[1]["url"] == "postgresql+psycopg_async://u:***@h:1/db"
    assert data[1]["dialect"] == "postgresql" and data[1]["driver"] == "psycopg_async"


def test_cli_config_option(tmp_path: Path, run_dbctl) -> None:
    write(tmp_path / "conf" / "custom.toml", '[targets.x]\nurl = "sqlite:///x.db"\n')
    write(tmp_path / "dbctl.toml", '[targets.other]\nurl = "sqlite://"\n')  # ignored when --config is given
    [x] = _targets_json(run_dbctl("--config", "conf/custom.toml", "targets", "--format", "json", cwd=tmp_path))
    assert x["name"] == "x" and x["url"] == f"sqlite+pysqlite:///{(tmp_path / 'conf' / 'x.db').resolve()}"
    missing = run_dbctl("--config", "nope.toml", "targets", cwd=tmp_path)
    assert missing.code == 2 and "nope.toml" in missing.stderr and "does not exist" in missing.stderr


def test_cli_project_dir_option(tmp_path: Path, run_dbctl) -> None:
    write(tmp_path / "proj" / "dbctl.toml", '[targets.dev]\nurl = "sqlite:///dev.db"\n')
    (tmp_path / "cwd").mkdir()
    [dev] = _targets_json(run_dbctl("-C", tmp_path / "proj", "targets", "--format", "json", cwd=tmp_path / "cwd"))
    assert dev["name"] == "dev" and dev["default"] is False
    missing = run_dbctl("-C", tmp_path / "nowhere", "targets", cwd=tmp_path / "cwd")
    assert missing.code == 2 and "nowhere" in missing.stderr and "Traceback" not in missing.stderr


def test_cli_targets_text(tmp_path: Path, run_dbctl) -> None:
    write(tmp_path / "dbctl.toml", TARGETS)
    result = run_dbctl("targets", cwd=tmp_path, env={"DBCTL_TEST_PW": "Txt-Pw-9876", "DBCTL_TEST_URL": None})
    assert result.code == 0, result
    assert "Txt-Pw-9876" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    dev = next(line for line in lines if " dev " in line)
    assert dev.lstrip().startswith("*") and "aiosqlite" in dev
    pg = next(line for line in lines if " pg " in line)
    assert "alice:***@db.example:6543/app" in pg and "yes" in pg
    env = next(line for line in lines if " env " in line)
    assert "DBCTL_TEST_URL" in env
