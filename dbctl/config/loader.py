"""Find and validate the configuration. Every error names the file and the key path."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from dbctl.config.alembic_files import (
    ALEMBIC_INI,
    AlembicSettings,
    pyproject_has_alembic,
    read_alembic_settings,
)
from dbctl.config.durations import parse_duration
from dbctl.config.interpolate import MalformedReference, MissingVariable, interpolate
from dbctl.config.model import SEVERITIES, LintConfig, ProjectConfig, TargetConfig
from dbctl.errors import ConfigError

CONFIG_NAME = "dbctl.toml"
PYPROJECT = "pyproject.toml"

TOP_KEYS = (
    "script_location",
    "version_locations",
    "metadata",
    "default_target",
    "targets",
    "groups",
    "lint",
    "pythonpath",
    "alembic_ini",
    "alembic_section",
)
TARGET_KEYS = ("url", "protected", "lock_timeout", "statement_timeout", "connect_timeout")
LINT_KEYS = ("select", "ignore", "severity", "dialects", "start_after", "fail_on", "drift_ignore")
# [lint] drift_ignore entries: a table, a column of a table, an index or a constraint by name
_NAME = r"[^.\s]+"
# The one target of a project configured only by Alembic's own files.
ALEMBIC_TARGET = "default"
DRIFT_IGNORE = re.compile(rf"(table\.{_NAME}(\.column\.{_NAME})?|index\.{_NAME}|constraint\.{_NAME})")


def find_config_file(start: Path, explicit: Path | None = None) -> Path:
    """Return the config file: ``explicit``, else the nearest of, folder by folder walking up
    from ``start``: dbctl.toml, a pyproject.toml with ``[tool.dbctl]``, an alembic.ini, a
    pyproject.toml with ``[tool.alembic]`` (an Alembic project adopted as it is)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return explicit
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _pyproject_has_table(pyproject):
            return pyproject
        ini = folder / ALEMBIC_INI
        if ini.is_file():
            return ini
        if pyproject.is_file() and pyproject_has_alembic(pyproject):
            return pyproject
    raise ConfigError(
        f"no {CONFIG_NAME}, [tool.dbctl] in {PYPROJECT} or {ALEMBIC_INI} found in {start} or its parents",
        hint="run `dbctl init`, or point at a project with -C DIR or --config FILE",
    )


def _pyproject_has_table(path: Path) -> bool:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(data.get("tool"), dict) and "dbctl" in data["tool"]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a one-line ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from None


def load_config(path: Path) -> ProjectConfig:
    """Load and validate the config in ``path``: a dbctl.toml, a pyproject.toml (``[tool.dbctl]``,
    else ``[tool.alembic]``) or an alembic.ini."""
    path = path.resolve()
    if path.suffix == ".ini":
        return _alembic_project(path, None)
    data = read_toml(path)
    in_pyproject = path.name == PYPROJECT and path.name != CONFIG_NAME
    if in_pyproject:
        tool = data.get("tool")
        if isinstance(tool, dict) and "dbctl" not in tool and "alembic" in tool:
            ini = path.parent / ALEMBIC_INI
            return _alembic_project(ini if ini.is_file() else None, path)
        if not isinstance(tool, dict) or "dbctl" not in tool:
            raise ConfigError(f"{path.name}: has no [tool.dbctl] table")
        data = tool["dbctl"]
        prefix = "tool.dbctl."
    else:
        prefix = ""
    return _Validator(path, prefix, in_pyproject).project(data)


def _alembic_project(ini: Path | None, toml: Path | None) -> ProjectConfig:
    """A project configured only by Alembic's files: one target, ``default``, whose URL is the
    ini's ``sqlalchemy.url`` (None when it has none: env.py then chooses the database)."""
    if ini is None and toml is not None:
        sibling = toml.parent / ALEMBIC_INI
        ini = sibling if sibling.is_file() else None
    if toml is None and ini is not None:
        sibling = ini.parent / PYPROJECT
        toml = sibling if sibling.is_file() and pyproject_has_alembic(sibling) else None
    settings = read_alembic_settings(ini, toml)
    source = ini or toml
    assert source is not None
    if settings.script_location is None:
        raise ConfigError(
            f"{settings.display_path}: no script_location",
            hint="an Alembic project names its migration folder with script_location",
        )
    return ProjectConfig(
        path=source,
        root=source.parent,
        script_location=settings.script_location,
        version_locations=settings.version_locations,
        metadata=None,
        default_target=ALEMBIC_TARGET,
        targets={ALEMBIC_TARGET: TargetConfig(ALEMBIC_TARGET, settings.url)},
        groups={},
        lint=LintConfig(),
        pythonpath=settings.prepend_sys_path,
        alembic=settings,
    )


class _Validator:
    def __init__(self, path: Path, prefix: str, in_pyproject: bool) -> None:
        self.path = path
        self.root = path.parent
        self.prefix = prefix
        self.in_pyproject = in_pyproject

    # -- helpers ---------------------------------------------------------------------------
    def fail(self, key: str, message: str, hint: str | None = None) -> ConfigError:
        return ConfigError(f"{self.path.name}: {self.prefix}{key}: {message}", hint=hint)

    def check_keys(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
                raise self.fail(f"{where}{key}", "unknown key", hint)

    def typed(self, value: Any, kind: type | tuple[type, ...], key: str, label: str) -> Any:
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(key, f"expected {label}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(key, f"expected {label}, got {_type_name(value)}")
        return value

    def string(self, value: Any, key: str) -> str:
        raw = self.typed(value, str, key, "a string")
        try:
            return interpolate(raw)
        except MissingVariable as exc:
            raise self.fail(
                key, f"environment variable {exc.name} is not set", f"set it, or write ${{{exc.name}:-default}}"
            ) from None
        except MalformedReference:
            raise self.fail(key, "malformed ${...} reference (use ${VAR} or ${VAR:-default}; $$ for $)") from None

    def string_list(self, value: Any, key: str) -> tuple[str, ...]:
        items = self.typed(value, list, key, "a list of strings")
        return tuple(self.string(item, f"{key}[{i}]") for i, item in enumerate(items))

    def duration(self, value: Any, key: str) -> float:
        if isinstance(value, str):
            value = self.string(value, key)
        elif not isinstance(value, int | float) or isinstance(value, bool):
            raise self.fail(key, f'expected a duration such as "5s", got {_type_name(value)}')
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def path_value(self, value: str, key: str) -> Path:
        try:
            p = Path(value).expanduser()
        except RuntimeError as exc:  # "~someone" for a user that does not exist
            raise self.fail(key, f"cannot expand {value!r}: {exc}") from None
        return p if p.is_absolute() else (self.root / p)

    def path_list(self, value: Any, key: str) -> tuple[Path, ...]:
        return tuple(self.path_value(v, f"{key}[{i}]") for i, v in enumerate(self.string_list(value, key)))

    # -- sections --------------------------------------------------------------------------
    def project(self, data: dict[str, Any]) -> ProjectConfig:
        self.check_keys(data, TOP_KEYS, "")
        alembic = self.alembic_settings(data)
        default_location = alembic.script_location if alembic and alembic.script_location else "migrations"
        script_location = self.path_value(
            self.string(data.get("script_location", str(default_location)), "script_location"), "script_location"
        )
        version_locations = self.path_list(data.get("version_locations", []), "version_locations")
        if not version_locations and alembic is not None and "script_location" not in data:
            version_locations = alembic.version_locations
        metadata = None
        if "metadata" in data:
            metadata = self.string(data["metadata"], "metadata")
            if ":" not in metadata:
                raise self.fail(
                    "metadata",
                    f"expected 'module:attribute', got {metadata!r}",
                    'for example metadata = "app.models:Base.metadata"',
                )
        targets_table = self.typed(data.get("targets", {}), dict, "targets", "a table of targets")
        targets = {name: self.target(name, table) for name, table in targets_table.items()}
        default = None
        if "default_target" in data:
            default = self.string(data["default_target"], "default_target")
            if default not in targets:
                raise self.fail("default_target", f"unknown target '{default}'", _known(targets))
        groups = self.groups(data.get("groups", {}), targets)
        lint = self.lint(self.typed(data.get("lint", {}), dict, "lint", "a table"))
        pythonpath = self.path_list(data.get("pythonpath", []), "pythonpath")
        if alembic is not None:
            pythonpath = (*pythonpath, *(p for p in alembic.prepend_sys_path if p not in pythonpath))
        return ProjectConfig(
            path=self.path,
            root=self.root,
            script_location=script_location,
            version_locations=version_locations,
            metadata=metadata,
            default_target=default,
            targets=targets,
            groups=groups,
            lint=lint,
            pythonpath=pythonpath,
            in_pyproject=self.in_pyproject,
            alembic=alembic,
        )

    def alembic_settings(self, data: dict[str, Any]) -> AlembicSettings | None:
        """The Alembic files this config builds on: ``alembic_ini`` when given; else, when the
        config does not set ``script_location`` itself, an alembic.ini (or ``[tool.alembic]``)
        beside the config file."""
        section = self.string(data.get("alembic_section", "alembic"), "alembic_section")
        if "alembic_ini" in data:
            ini = self.path_value(self.string(data["alembic_ini"], "alembic_ini"), "alembic_ini")
            if not ini.is_file():
                raise self.fail("alembic_ini", f"{ini} does not exist")
        elif "script_location" not in data and (self.root / ALEMBIC_INI).is_file():
            ini = self.root / ALEMBIC_INI
        else:
            ini = None
        pyproject = self.root / PYPROJECT
        toml = pyproject if pyproject.is_file() and pyproject_has_alembic(pyproject) else None
        if ini is None and (toml is None or "script_location" in data):
            return None
        return read_alembic_settings(ini, toml, section)

    def target(self, name: str, table: Any) -> TargetConfig:
        where = f"targets.{name}"
        table = self.typed(table, dict, where, "a table")
        self.check_keys(table, TARGET_KEYS, f"{where}.")
        if "url" not in table:
            raise self.fail(f"{where}.url", "missing (every target needs a url)")
        url = self.typed(table["url"], str, f"{where}.url", "a string")
        protected = self.typed(table.get("protected", False), bool, f"{where}.protected", "true or false")

        def opt(key: str) -> float | None:
            return self.duration(table[key], f"{where}.{key}") if key in table else None

        connect_timeout = opt("connect_timeout")
        return TargetConfig(
            name=name,
            url=url,
            protected=protected,
            lock_timeout=opt("lock_timeout"),
            statement_timeout=opt("statement_timeout"),
            connect_timeout=10.0 if connect_timeout is None else connect_timeout,
        )

    def groups(self, table: Any, targets: dict[str, TargetConfig]) -> dict[str, tuple[str, ...]]:
        table = self.typed(table, dict, "groups", "a table of target lists")
        groups: dict[str, tuple[str, ...]] = {}
        for name, members in table.items():
            if name in targets:
                raise self.fail(f"groups.{name}", "a group cannot have the name of a target")
            names = self.string_list(members, f"groups.{name}")
            for i, member in enumerate(names):
                if member not in targets:
                    raise self.fail(f"groups.{name}[{i}]", f"unknown target '{member}'", _known(targets))
            groups[name] = names
        return groups

    def lint(self, table: dict[str, Any]) -> LintConfig:
        self.check_keys(table, LINT_KEYS, "lint.")
        severity_table = self.typed(table.get("severity", {}), dict, "lint.severity", "a table")
        severity: dict[str, str] = {}
        for code, level in severity_table.items():
            level = self.string(level, f"lint.severity.{code}")
            if level not in SEVERITIES:
                raise self.fail(f"lint.severity.{code}", f"expected one of {', '.join(SEVERITIES)}, got {level!r}")
            severity[code.upper()] = level
        fail_on = self.string(table.get("fail_on", "error"), "lint.fail_on")
        if fail_on not in SEVERITIES:
            raise self.fail("lint.fail_on", f"expected one of {', '.join(SEVERITIES)}, got {fail_on!r}")
        start_after = self.string(table["start_after"], "lint.start_after") if "start_after" in table else None
        drift_ignore = self.string_list(table.get("drift_ignore", []), "lint.drift_ignore")
        for i, entry in enumerate(drift_ignore):
            if not DRIFT_IGNORE.fullmatch(entry):
                raise self.fail(
                    f"lint.drift_ignore[{i}]",
                    f"{entry!r} names no schema object",
                    'use "table.NAME", "table.NAME.column.COLUMN", "index.NAME" or "constraint.NAME"',
                )
        return LintConfig(
            select=tuple(c.upper() for c in self.string_list(table.get("select", []), "lint.select")),
            ignore=tuple(c.upper() for c in self.string_list(table.get("ignore", []), "lint.ignore")),
            severity=severity,
            dialects=tuple(d.lower() for d in self.string_list(table.get("dialects", []), "lint.dialects")),
            start_after=start_after,
            fail_on=fail_on,
            drift_ignore=drift_ignore,
        )


def _known(targets: dict[str, Any]) -> str:
    return f"known targets: {', '.join(sorted(targets))}" if targets else "no targets are configured"


def _type_name(value: Any) -> str:
    names: dict[type, str] = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)
