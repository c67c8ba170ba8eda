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

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dbctl.errors import ConfigError

if TYPE_CHECKING:
    import configparser

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
    files = _Files(ini, toml, section)
    script_location, script_root = files.value("script_location")
    versions, versions_root = files.paths("version_locations", _LEGACY_VERSIONS_SPLIT)
    sys_path, sys_path_root = files.paths("prepend_sys_path", _LEGACY_SYS_PATH_SPLIT)
    recursive, _ = files.value("recursive_version_locations")
    url, _ = files.value("sqlalchemy.url", toml_too=False)
    url = url.strip() if isinstance(url, str) else None
    return AlembicSettings(
        ini=ini,
        toml=toml,
        section=section,
        script_location=_absolute(script_location, script_root) if script_location else None,
        version_locations=tuple(_absolute(v, versions_root) for v in versions or ()),
        prepend_sys_path=tuple(_absolute(v, sys_path_root) for v in sys_path or ()),
        recursive_version_locations=recursive is True or recursive == "true",
        url=url if url and not PLACEHOLDER_URL.match(url) else None,
    )


class _Files:
    """The ini's section first, then [tool.alembic], as Alembic's ``get_alembic_option``."""

    def __init__(self, ini: Path | None, toml: Path | None, section: str) -> None:
        self.ini, self.toml, self.section = ini, toml, section
        self.parser = _read_ini(ini, section) if ini is not None else None
        self.table = _read_toml(toml) if toml is not None else {}
        self.separator = self._ini("path_separator") or self._ini("version_path_separator")
        if self.separator is not None and self.separator not in _SEPARATORS:
            raise ConfigError(
                f"{self._ini_name}: [{section}] path_separator: {self.separator!r} is not one of "
                "space, newline, os, ':', ';'"
            )

    @property
    def _ini_name(self) -> str:
        return self.ini.name if self.ini else ALEMBIC_INI

    def _ini(self, key: str) -> str | None:
        if self.parser is None or not self.parser.has_option(self.section, key):
            return None
        import configparser  # loaded already: there is a parser

        try:
            return self.parser.get(self.section, key)
        except (ValueError, configparser.Error) as error:
            raise ConfigError(f"{self._ini_name}: [{self.section}] {key}: {error}") from None

    def _toml(self, key: str) -> Any:
        if key not in self.table:
            return None
        value = self.table[key]
        where = f"{self.toml.name if self.toml else 'pyproject.toml'}: tool.alembic.{key}"
        here = {"here": self.toml.parent.as_posix() if self.toml else "."}
        try:
            if isinstance(value, str):
                return value % here
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return [v % here for v in value]
        except (KeyError, ValueError, TypeError) as error:
            raise ConfigError(f"{where}: bad %-substitution: {error}") from None
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{where}: expected a string or a list of strings, got {type(value).__name__}")

    def value(self, key: str, *, toml_too: bool = True) -> tuple[Any, Path | None]:
        """The value and the folder its relative paths resolve against."""
        found = self._ini(key)
        if found is not None or not toml_too:
            return found, self.ini.parent if self.ini else None
        return self._toml(key), self.toml.parent if self.toml else None

    def paths(self, key: str, legacy: re.Pattern[str]) -> tuple[list[str] | None, Path | None]:
        """A list of paths: the ini's split by ``path_separator`` (or Alembic's legacy rule)."""
        raw = self._ini(key)
        if not raw:
            return self._toml(key), self.toml.parent if self.toml else None
        if self.separator is None:
            items = [item for item in legacy.split(raw) if item]
        else:
            split_on = _SEPARATORS[self.separator] or os.pathsep
            items = [item.strip() for item in raw.split(split_on) if item.strip()]
        return items, self.ini.parent if self.ini else None


def _absolute(value: str, root: Path | None) -> Path:
    try:
        path = Path(value).expanduser()
    except RuntimeError:
        raise ConfigError(f"cannot expand {value!r}: no such user or home directory") from None
    return path if path.is_absolute() or root is None else (root / path)


def _read_ini(path: Path, section: str) -> configparser.ConfigParser:
    import configparser

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
