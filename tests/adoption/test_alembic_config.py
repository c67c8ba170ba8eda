"""An existing Alembic project's own files are dbctl's configuration: alembic.ini and
[tool.alembic], as `alembic init` writes them for every template and as people edit them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dbctl.config import find_config_file, load_config
from dbctl.config.loader import ALEMBIC_TARGET
from dbctl.errors import ConfigError
from dbctl.targets import configured_dialects, describe_targets, resolve_target

TEMPLATES = ["generic", "async", "pyproject", "pyproject_async", "multidb"]


def alembic_init(folder: Path, template: str, directory: str = "migrations") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "alembic", "init", "-t", template, directory],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return folder


def set_ini(ini: Path, key: str, value: str) -> None:
    lines = ini.read_text().splitlines()
    out, done = [], False
    for line in lines:
        if line.split("=")[0].strip() == key and not done:
            out.append(f"{key} = {value}")
            done = True
        else:
            out.append(line)
    if not done:
        out.insert(out.index("[alembic]") + 1, f"{key} = {value}")
    ini.write_text("\n".join(out) + "\n")


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_init_template_is_a_project(tmp_path: Path, template: str) -> None:
    root = alembic_init(tmp_path / template, template)
    (root / "sub").mkdir()
    project = load_config(find_config_file(root / "sub"))
    assert project.script_location == root / "migrations"
    assert project.alembic is not None
    assert project.alembic.ini == root / "alembic.ini"
    assert project.pythonpath == (root / ".",)
    # the placeholder `driver://user:pass@localhost/dbname` names no database
    assert project.targets[ALEMBIC_TARGET].url is None
    assert project.default_target == ALEMBIC_TARGET
    if template.startswith("pyproject"):
        assert project.alembic.toml == root / "pyproject.toml"


def test_sqlalchemy_url_is_the_default_target(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "generic")
    set_ini(root / "alembic.ini", "sqlalchemy.url", "postgresql+psycopg://app:s3cret@db:5432/app")
    project = load_config(find_config_file(root))
    target = resolve_target(project, None)
    assert (target.name, target.dialect, target.host, target.database) == ("default", "postgresql", "db", "app")
    assert "s3cret" not in describe_targets(project)[0].url
    assert configured_dialects(project) == {"postgresql"}


def test_relative_paths_resolve_against_the_ini_folder(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "generic", "alembic")
    set_ini(root / "alembic.ini", "script_location", "alembic")
    set_ini(root / "alembic.ini", "version_locations", "alembic/versions alembic/more")
    set_ini(root / "alembic.ini", "path_separator", "space")
    project = load_config(root / "alembic.ini")
    assert project.script_location == root / "alembic"
    assert project.version_locations == (root / "alembic/versions", root / "alembic/more")


def test_legacy_ini_without_path_separator_splits_on_spaces_and_commas(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "generic")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("path_separator = os\n", ""))
    set_ini(ini, "version_locations", "%(here)s/a, %(here)s/b")
    set_ini(ini, "prepend_sys_path", ". src")
    project = load_config(ini)
    assert project.version_locations == (root / "a", root / "b")
    assert project.pythonpath == (root / ".", root / "src")


def test_tool_alembic_lists_and_here(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "pyproject")
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace(
        '# version_locations = [\n#    "%(here)s/alembic/versions",\n#    "%(here)s/foo/bar"\n# ]',
        'version_locations = ["%(here)s/migrations/versions", "%(here)s/extra"]',
    )
    assert text != pyproject.read_text()
    pyproject.write_text(text)
    (root / "alembic.ini").unlink()  # [tool.alembic] alone is enough
    project = load_config(find_config_file(root))
    assert project.version_locations == (root / "migrations/versions", root / "extra")
    assert project.display_path == "pyproject.toml [tool.alembic]"


def test_dbctl_config_builds_on_the_ini(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "generic", "db")
    (root / "dbctl.toml").write_text(
        'alembic_ini = "alembic.ini"\ndefault_target = "dev"\n\n[targets.dev]\nurl = "sqlite:///dev.db"\n'
        '\n[targets.prod]\nurl = "postgresql://app:${PGPW}@db/app"\nprotected = true\n'
    )
    project = load_config(find_config_file(root))
    assert project.path == root / "dbctl.toml"
    assert project.script_location == root / "db"
    assert project.alembic is not None and project.alembic.ini == root / "alembic.ini"
    assert set(project.targets) == {"dev", "prod"}


def test_dbctl_config_beside_an_ini_uses_it_unless_it_sets_script_location(tmp_path: Path) -> None:
    root = alembic_init(tmp_path, "generic", "db")
    (root / "dbctl.toml").write_text('[targets.dev]\nurl = "sqlite:///dev.db"\n')
    assert load_config(root / "dbctl.toml").script_location == root / "db"
    (root / "dbctl.toml").write_text('script_location = "other"\n[targets.dev]\nurl = "sqlite:///dev.db"\n')
    project = load_config(root / "dbctl.toml")
    assert project.script_location == root / "other"
    assert project.alembic is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[alembic\nscript_location = x\n", "not a valid ini file"),
        ("[other]\nscript_location = x\n", "has no [alembic] section"),
        ("[alembic]\nsqlalchemy.url = sqlite://\n", "no script_location"),
        ("[alembic]\nscript_location = %(nope)s/x\n", "script_location"),
        ("[alembic]\nscript_location = x\npath_separator = comma\nversion_locations = a\n", "path_separator"),
    ],
)
def test_broken_ini_is_a_one_line_config_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "alembic.ini").write_text(text)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")) as caught:
        load_config(find_config_file(tmp_path))
    assert "\n" not in caught.value.message


def test_missing_alembic_ini_named_by_dbctl_config(tmp_path: Path) -> None:
    (tmp_path / "dbctl.toml").write_text('alembic_ini = "nope.ini"\n')
    with pytest.raises(ConfigError, match="alembic_ini: .*does not exist"):
        load_config(tmp_path / "dbctl.toml")
