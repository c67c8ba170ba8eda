"""Read an existing Alembic project's own configuration: ``alembic.ini`` and ``[tool.alembic]``
in ``pyproject.toml`` (Alembic 1.16's pyproject template), without importing Alembic.

Only the keys dbctl needs before it runs anything are read here, with Alembic's rules:
ConfigParser interpolation with ``%(here)s`` for the ini file, ``%``-substitution of
``%(here)s`` for TOML values, the ini's ``[alembic]`` (or ``-n`` section) before
``[tool.alembic]``, ``path_separator`` (or the legacy space/comma splitting) for lists. The
Alembic ``Config`` given to ``env.py`` is built from the files themselves by the bridge, so
``config_file_name``, ``fileConfig``, ``get_section`` and custom keys behave as under ``alembic``.

Relative paths resolve against the folder of the file, as when ``alembic`` runs there.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbctl.errors import ConfigError

ALEMBIC_INI = "alembic.ini"
# `alembic init` writes this placeholder: it names no database.
PLACEHOLDER_URL = re.compile(r"^driver://")
_SEPARATORS = {"space": " ", "newline": "\n", "os": None, ":": ":", ";": ";"}
_LEGACY_VERSIONS_SPLIT = re.compile(r", *|(?: +)")
_LEGACY_SYS_PATH_SPLIT = re.compile(r", *|(?: +)|\:")


@dataclass(frozen=True)
class AlembicSettings:
    """What an Alembic project's files say, paths made absolute."""

    ini: Path | None  # the alembic.ini, when there is one
    toml: Path | None  # the pyproject.toml holding [tool.alembic], when there is one
    section: str  # the ini's main section ("alembic", or the one `-n` would name)
    script_location: Path | None
    version_locations: tuple[Path, ...]
    prepend_sys_path: tuple[Path, ...]
    recursive_version_locations: bool
    url: str | None  # sqlalchemy.url as written (None when absent or the init placeholder)

    @property
    def display_path(self) -> str:
        if self.ini is not None:
            return self.ini.name
        assert self.toml is not None
        return f"{self.toml.name} [tool.alembic]"


def pyproject_has_alembic(path: Path) -> bool:
    """Whether ``path`` (a pyproject.toml) has a ``[tool.alembic]`` table."""
    return "alembic" in _tool_tables(path)


def _tool_tables(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    tool = data.get("tool")
    return tool if isinstance(tool, dict) else {}


def read_alembic_settings(ini: Path | None, toml: Path | None = None, section: str = "alembic") -> AlembicSettings:
    """Read ``ini`` (an alembic.ini) and/or ``toml`` (a pyproject.toml with [tool.alembic])."""
    parser = _read_ini(ini, section) if ini is not None else None
    table = _read_toml(toml) if toml is not None else {}
    ini_root = ini.parent if ini is not None else None
    toml_root = toml.parent if toml is not None else None

    def ini_value(key: str) -> str | None:
        if parser is None or not parser.has_option(section, key):
            return None
        try:
            return parser.get(section, key)
        except (configparser.Error, ValueError) as error:
            raise ConfigError(f"{ini.name if ini else ALEMBIC_INI}: [{section}] {key}: {error}") from None

    def toml_value(key: str) -> Any:
        if key not in table:
            return None
        value = table[key]
        where = f"{toml.name if toml else 'pyproject.toml'}: tool.alembic.{key}"
        try:
            if isinstance(value, str):
                return value % {"here": toml_root.as_posix() if toml_root else "."}
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v % {"here": toml_root.as_posix() if toml_root else "."} for v in value]
        except (KeyError, ValueError, TypeError) as error:
            raise ConfigError(f"{where}: bad %-substitution: {error}") from None
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected a string or a list of strings, got {type(value).__name__}")

    separator = ini_value("path_separator") or ini_value("version_path_separator")
    if separator is not None and separator not in _SEPARATORS:
        raise ConfigError(
            f"{ini.name if ini else ALEMBIC_INI}: [{section}] path_separator: {separator!r} is not one of "
            "space, newline, os, ':', ';'"
        )

    def ini_list(key: str, legacy: re.Pattern[str]) -> list[str] | None:
        raw = ini_value(key)
        if not raw:
            return None
        if separator is None:
            return [item for item in legacy.split(raw) if item]
        import os

        split_on = _SEPARATORS[separator] or os.pathsep
        return [item.strip() for item in raw.split(split_on) if item.strip()]

    def paths(values: list[str] | None, root: Path | None) -> tuple[Path, ...]:
        return tuple(_absolute(v, root) for v in values or ())

    script_location = ini_value("script_location")
    script_root = ini_root
    if script_location is None:
        script_location, script_root = toml_value("script_location"), toml_root
    versions = ini_list("version_locations", _LEGACY_VERSIONS_SPLIT)
    versions_root = ini_root
    if versions is None:
        versions, versions_root = toml_value("version_locations"), toml_root
    sys_path = ini_list("prepend_sys_path", _LEGACY_SYS_PATH_SPLIT)
    sys_path_root = ini_root
    if sys_path is None:
        sys_path, sys_path_root = toml_value("prepend_sys_path"), toml_root
    recursive_raw = ini_value("recursive_version_locations")
    recursive = (
        recursive_raw == "true" if recursive_raw is not None else bool(toml_value("recursive_version_locations"))
    )
    url = ini_value("sqlalchemy.url")
    return AlembicSettings(
        ini=ini,
        toml=toml,
        section=section,
        script_location=_absolute(script_location, script_root) if script_location else None,
        version_locations=paths(versions, versions_root),
        prepend_sys_path=paths(sys_path, sys_path_root),
        recursive_version_locations=recursive,
        url=url.strip() if url and url.strip() and not PLACEHOLDER_URL.match(url.strip()) else None,
    )


def _absolute(value: str, root: Path | None) -> Path:
    try:
        path = Path(value).expanduser()
    except RuntimeError:
        raise ConfigError(f"cannot expand {value!r}: no such user or home directory") from None
    return path if path.is_absolute() or root is None else (root / path)


def _read_ini(path: Path, section: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser({"here": path.resolve().parent.as_posix()})
    try:
        with path.open(encoding="utf-8") as handle:
            parser.read_file(handle)
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror or error})") from None
    except configparser.Error as error:
        first = str(error).splitlines()[0]
        raise ConfigError(f"{path.name}: not a valid ini file: {first}") from None
    if not parser.has_section(section):
        raise ConfigError(
            f"{path.name}: has no [{section}] section",
            hint="an Alembic ini file starts with [alembic] (or the section named by alembic_section)",
        )
    return parser


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: invalid TOML: {error}") from None
    table = data.get("tool", {}).get("alembic", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path.name}: tool.alembic: expected a table")
    return table
