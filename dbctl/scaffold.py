"""`dbctl init`: write a migration environment and its configuration, or nothing at all.

In a folder that already holds an Alembic project (an ``alembic.ini``, or ``[tool.alembic]`` in
``pyproject.toml``) init adopts it: it writes nothing (dbctl reads the project as it is), or,
when asked for a target with ``--url``, only a ``dbctl.toml`` that builds on the project's own
files. It never writes a second environment, and refuses to write into an existing one.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from dbctl.config.alembic_files import ALEMBIC_INI, AlembicSettings, pyproject_has_alembic, read_alembic_settings
from dbctl.config.loader import CONFIG_NAME, PYPROJECT
from dbctl.errors import ConfigError, UsageError
from dbctl.results import InitResult
from dbctl.targets import parse_url

DEFAULT_ASYNC_URL = "sqlite+aiosqlite:///app.db"
DEFAULT_SYNC_URL = "sqlite:///app.db"
DEFAULT_DIRECTORY = "migrations"
LEDGER_TABLE = "dbctl_ledger"  # the bridge's bookkeeping table (dbctl.alembic_bridge.ledger)
_INCLUDE_NAME = re.compile(r"\binclude_name\b")


def _template(name: str) -> str:
    return resources.files("dbctl.alembic_bridge").joinpath("templates", name).read_text(encoding="utf-8")


def init_project(
    root: Path,
    *,
    directory: str | None = None,
    url: str | None = None,
    metadata: str | None = None,
    sync: bool = False,
    pyproject: bool = False,
) -> InitResult:
    """Create ``directory`` (default ``migrations``: env.py, script.py.mako, versions/) and the
    config under ``root``; beside an existing Alembic project, adopt it instead (see the module).

    Every check runs before the first write; if a write fails, what was written is removed.
    """
    root = root.resolve()
    if url is not None:
        parse_url(url, "--url")
    if metadata is not None and ":" not in metadata:
        raise UsageError(
            f"--metadata: expected 'module:attribute', got {metadata!r}",
            hint="for example --metadata app.models:Base.metadata",
        )
    script_dir = (root / (directory or DEFAULT_DIRECTORY)).resolve()
    alembic = _alembic_project(root)
    if directory is not None and (script_dir / "env.py").is_file():
        raise _existing_environment(directory, alembic, root)
    _refuse_existing_config(root, pyproject)
    if alembic is not None:
        return _adopt(root, alembic, directory=directory, url=url, metadata=metadata, sync=sync, pyproject=pyproject)
    if (script_dir / "env.py").is_file():
        raise _existing_environment(DEFAULT_DIRECTORY, None, root)
    if script_dir.exists() and (not script_dir.is_dir() or any(script_dir.iterdir())):
        raise UsageError(
            f"{directory or DEFAULT_DIRECTORY} already exists and is not empty: an environment is already here",
            hint="use --dir for another folder, or keep the existing environment",
        )
    url = url or (DEFAULT_SYNC_URL if sync else DEFAULT_ASYNC_URL)
    table: dict[str, Any] = {"script_location": _posix_relative(script_dir, root)}
    if metadata:
        table["metadata"] = metadata
    table["default_target"] = "dev"
    table["targets"] = {"dev": {"url": url}}
    config_file, config_bytes = _config_bytes(root, table, pyproject)
    created = _write(script_dir, config_file, config_bytes, new_config=not pyproject)
    return InitResult(
        config_path=str(config_file),
        script_location=str(script_dir),
        created=tuple(str(p) for p in created if p != config_file) + (str(config_file),),
    )


def _alembic_project(root: Path) -> AlembicSettings | None:
    """The Alembic project whose own files are in ``root`` (alembic.ini, [tool.alembic]), if any."""
    ini = root / ALEMBIC_INI
    pyproject_file = root / PYPROJECT
    toml = pyproject_file if pyproject_file.is_file() and pyproject_has_alembic(pyproject_file) else None
    if not ini.is_file() and toml is None:
        return None
    settings = read_alembic_settings(ini if ini.is_file() else None, toml)
    if settings.script_location is None:
        raise ConfigError(
            f"{_files(settings)}: no script_location, so there is no migration environment to adopt",
            hint="an Alembic project names its migration folder with script_location",
        )
    if not (settings.script_location / "env.py").is_file():
        raise ConfigError(
            f"{_files(settings)}: script_location {_posix_relative(settings.script_location, root)} "
            "has no env.py, so there is no migration environment to adopt",
            hint="restore env.py (or fix script_location); dbctl then uses the project as it is, with no init",
        )
    return settings


def _existing_environment(directory: str, alembic: AlembicSettings | None, root: Path) -> UsageError:
    """The refusal to write into ``directory``, which already holds an env.py."""
    message = f"{directory} already holds a migration environment (env.py): init never writes over one"
    if alembic is not None and alembic.script_location is not None:
        location = _posix_relative(alembic.script_location, root)
        return UsageError(
            message,
            hint=f"{_files(alembic)} already uses {location}: dbctl adopts that project as it is, with no "
            "init (run `dbctl init` without --dir to see how to add targets)",
        )
    location = _posix_relative((root / directory).resolve(), root)
    return UsageError(
        message,
        hint=f'to adopt it, point dbctl at it: script_location = "{location}" and a [targets.NAME] url in a '
        f"{CONFIG_NAME}, or an {ALEMBIC_INI}; existing projects need no init",
    )


def _refuse_existing_config(root: Path, pyproject: bool) -> None:
    """Refuse when ``root`` already has a dbctl config (before anything is written)."""
    if (root / CONFIG_NAME).exists():
        raise UsageError(f"{CONFIG_NAME} already exists in {root}", hint="edit it instead of running init again")
    if not pyproject and _has_dbctl_table(root / PYPROJECT):
        raise UsageError(
            f"{PYPROJECT} in {root} already has a [tool.dbctl] table", hint="edit it instead of running init again"
        )


def _has_dbctl_table(path: Path) -> bool:
    try:
        tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(tool, dict) and "dbctl" in tool


def _adopt(
    root: Path,
    alembic: AlembicSettings,
    *,
    directory: str | None,
    url: str | None,
    metadata: str | None,
    sync: bool,
    pyproject: bool,
) -> InitResult:
    """Adopt the Alembic project in ``root``: write nothing, or (``url``) only a dbctl config."""
    assert alembic.script_location is not None
    location = _posix_relative(alembic.script_location, root)
    source = alembic.ini or alembic.toml
    assert source is not None
    if directory is not None:
        raise UsageError(
            f"{_files(alembic)} already names the migration environment {location}: "
            "dbctl adopts it and writes no second one",
            hint="run `dbctl init` without --dir (add --url URL to write a dbctl.toml with a target)",
        )
    ledger_filter = _ledger_filter(alembic.script_location / "env.py")
    if url is None:
        given = [flag for flag, on in (("--metadata", metadata), ("--sync", sync), ("--pyproject", pyproject)) if on]
        if given:
            raise UsageError(
                f"{given[0]}: beside an existing Alembic project init writes a config only for a target given "
                "with --url",
                hint=f"add --url URL, or write a {CONFIG_NAME} by hand (see `dbctl init` without options)",
            )
        return InitResult(
            config_path=str(source),
            script_location=str(alembic.script_location),
            created=(),
            adopted=_files(alembic),
            ledger_filter=ledger_filter,
        )
    table: dict[str, Any] = {}
    if alembic.ini is not None:
        table["alembic_ini"] = _posix_relative(alembic.ini, root)
    if metadata:
        table["metadata"] = metadata
    table["default_target"] = "dev"
    table["targets"] = {"dev": {"url": url}}
    config_file, config_bytes = _config_bytes(root, table, pyproject)
    try:
        _write_config(config_file, config_bytes, new_config=not pyproject)
    except OSError as error:
        raise UsageError(f"cannot write {config_file.name}: {error.strerror or error}") from None
    return InitResult(
        config_path=str(config_file),
        script_location=str(alembic.script_location),
        created=(str(config_file),),
        adopted=_files(alembic),
        ledger_filter=ledger_filter,
    )


def _files(alembic: AlembicSettings) -> str:
    """The Alembic project's own config files, as the user knows them."""
    names = [alembic.ini.name] if alembic.ini is not None else []
    if alembic.toml is not None:
        names.append(f"{alembic.toml.name} [tool.alembic]")
    return " + ".join(names)


def _ledger_filter(env_py: Path) -> str | None:
    """What env.py needs so that plain Alembic's autogenerate leaves ``dbctl_ledger`` alone:
    None when it already names the table, "extend" when it passes its own ``include_name``
    (add the condition there), "add" otherwise (add the one-line ``include_name``)."""
    try:
        text = env_py.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    if LEDGER_TABLE in text:
        return None
    return "extend" if _INCLUDE_NAME.search(text) else "add"


def _config_bytes(root: Path, table: dict[str, Any], pyproject: bool) -> tuple[Path, bytes]:
    """The config file to write and its bytes: a new dbctl.toml, or pyproject.toml plus [tool.dbctl]."""
    import tomli_w

    if pyproject:
        return root / PYPROJECT, _appended_to_pyproject(root / PYPROJECT, table)
    return root / CONFIG_NAME, tomli_w.dumps(table).encode("utf-8")


def _appended_to_pyproject(pyproject_file: Path, table: dict[str, Any]) -> bytes:
    """pyproject.toml's bytes, untouched, followed by a new ``[tool.dbctl]`` table."""
    import tomli_w

    if not pyproject_file.is_file():
        raise UsageError(f"--pyproject: no {PYPROJECT} in {pyproject_file.parent}")
    original = pyproject_file.read_bytes()
    try:
        existing = tomllib.loads(original.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{PYPROJECT}: cannot be parsed, so it is left alone: {error}") from None
    if "dbctl" in existing.get("tool", {}):
        raise UsageError(f"{PYPROJECT} already has a [tool.dbctl] table")
    separator = b"" if not original or original.endswith(b"\n\n") else (b"\n" if original.endswith(b"\n") else b"\n\n")
    new_text = original + separator + tomli_w.dumps({"tool": {"dbctl": table}}).encode("utf-8")
    try:
        tomllib.loads(new_text.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{PYPROJECT}: appending [tool.dbctl] would make it invalid ({error}); "
            "add the table by hand or use dbctl.toml"
        ) from None
    return new_text


def _write(script_dir: Path, config_file: Path, config_bytes: bytes, *, new_config: bool) -> list[Path]:
    """Write the environment and the config; on failure remove what was created."""
    created: list[Path] = []
    try:
        if not script_dir.exists():
            script_dir.mkdir(parents=True)
            created.append(script_dir)
        versions = script_dir / "versions"
        versions.mkdir()
        created.append(versions)
        for name in ("env.py", "script.py.mako"):
            path = script_dir / name
            path.write_text(_template(name), encoding="utf-8")
            created.append(path)
        keep = versions / ".gitkeep"
        keep.write_text("", encoding="utf-8")
        created.append(keep)
        _write_config(config_file, config_bytes, new_config=new_config)
        if new_config:
            created.append(config_file)
    except OSError as error:
        for path in reversed(created):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        raise UsageError(f"cannot write the environment: {error.strerror or error} ({error.filename})") from None
    return created


def _write_config(config_file: Path, config_bytes: bytes, *, new_config: bool) -> None:
    """Write the config: a new file (never over an existing one), or pyproject.toml's new bytes
    (its original bytes followed by the new table)."""
    if not new_config:
        config_file.write_bytes(config_bytes)
        return
    with open(config_file, "xb") as handle:
        handle.write(config_bytes)


def _posix_relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
