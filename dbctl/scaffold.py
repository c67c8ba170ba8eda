"""`dbctl init`: write a migration environment and its configuration, or nothing at all."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from dbctl.config.loader import CONFIG_NAME, PYPROJECT
from dbctl.errors import ConfigError, UsageError
from dbctl.results import InitResult
from dbctl.targets import parse_url

DEFAULT_ASYNC_URL = "sqlite+aiosqlite:///app.db"
DEFAULT_SYNC_URL = "sqlite:///app.db"


def _template(name: str) -> str:
    return resources.files("dbctl.alembic_bridge").joinpath("templates", name).read_text(encoding="utf-8")


def init_project(
    root: Path,
    *,
    directory: str = "migrations",
    url: str | None = None,
    metadata: str | None = None,
    sync: bool = False,
    pyproject: bool = False,
) -> InitResult:
    """Create ``directory`` (env.py, script.py.mako, versions/) and the config under ``root``.

    Every check runs before the first write; if a write fails, what was written is removed.
    """
    root = root.resolve()
    url = url or (DEFAULT_SYNC_URL if sync else DEFAULT_ASYNC_URL)
    parse_url(url, "--url")
    if metadata is not None and ":" not in metadata:
        raise UsageError(
            f"--metadata: expected 'module:attribute', got {metadata!r}",
            hint="for example --metadata app.models:Base.metadata",
        )
    script_dir = (root / directory).resolve()
    if script_dir.exists() and (not script_dir.is_dir() or any(script_dir.iterdir())):
        raise UsageError(
            f"{directory} already exists and is not empty: an environment is already here",
            hint="use --dir for another folder, or keep the existing environment",
        )
    if (root / CONFIG_NAME).exists():
        raise UsageError(f"{CONFIG_NAME} already exists in {root}", hint="edit it instead of running init again")
    table: dict[str, Any] = {"script_location": _posix_relative(script_dir, root)}
    if metadata:
        table["metadata"] = metadata
    table["default_target"] = "dev"
    table["targets"] = {"dev": {"url": url}}

    import tomli_w

    if pyproject:
        config_file, config_bytes = root / PYPROJECT, _appended_to_pyproject(root / PYPROJECT, table)
    else:
        config_file, config_bytes = root / CONFIG_NAME, tomli_w.dumps(table).encode("utf-8")
    created = _write(script_dir, config_file, config_bytes, new_config=not pyproject)
    return InitResult(
        config_path=str(config_file),
        script_location=str(script_dir),
        created=tuple(str(p) for p in created if p != config_file) + (str(config_file),),
    )


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
        if not new_config:
            config_file.write_bytes(config_bytes)  # original bytes, then the new table
        else:
            with open(config_file, "xb") as handle:
                handle.write(config_bytes)
            created.append(config_file)
    except OSError as error:
        for path in reversed(created):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink(missing_ok=True)
        raise UsageError(f"cannot write the environment: {error.strerror or error} ({error.filename})") from None
    return created


def _posix_relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
