"""`check --models` findings point at the model's class or column line - also when the table
name is made by code, the column comes from a mixin or its attribute is named differently -
and, in CI formats, at a path relative to the repository root."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

from dbctl.checks.sources import ModelSources

MODELS = """
from sqlalchemy import ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s"})  # expect: DB701


class NamedAfterClass:
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return cls.__name__.lower()


class OwnedMixin:
    owner_id: Mapped[int] = mapped_column(ForeignKey("account.id"))  # expect: DB702


class Account(NamedAfterClass, Base):
    id: Mapped[int] = mapped_column(primary_key=True)


class Document(NamedAfterClass, OwnedMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[int] = mapped_column("author_ref", ForeignKey("account.id"))  # expect: DB702
"""


def _expected(text: str) -> set[tuple[str, int]]:
    return {
        (line.rsplit("# expect: ", 1)[1], number)
        for number, line in enumerate(text.splitlines(), start=1)
        if "# expect: " in line
    }


def test_model_findings_point_at_classes_and_columns_from_a_subfolder(tmp_path: Path, run_dbctl) -> None:
    repo = tmp_path / "repo"
    server = repo / "server"
    (server / "migrations" / "versions").mkdir(parents=True)
    (server / "app").mkdir()
    (server / "app" / "__init__.py").write_text("")
    text = textwrap.dedent(MODELS).lstrip()
    (server / "app" / "models.py").write_text(text)
    (server / "dbctl.toml").write_text('metadata = "app.models:Base.metadata"\n')
    subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    expected = _expected(text)
    assert len(expected) == 3

    env = {"GITHUB_WORKSPACE": None}
    data = json.loads(run_dbctl("check", "--models", "--format", "json", cwd=server, env=env).stdout)
    assert {(f["code"], f["line"]) for f in data["findings"]} == expected
    assert {f["file"] for f in data["findings"]} == {"app/models.py"}
    assert all(f["column"] == 5 for f in data["findings"] if f["code"] == "DB702")

    github = run_dbctl("-C", "server", "check", "--models", "--format", "github", cwd=repo, env=env)
    found = {
        (line.split("title=")[1].split()[0], int(line.split(",line=")[1].split(",")[0]))
        for line in github.stdout.splitlines()
    }
    assert found == expected
    assert all(line.startswith("::warning file=server/app/models.py,") for line in github.stdout.splitlines())

    sarif = json.loads(run_dbctl("-C", "server", "check", "--models", "--format", "sarif", cwd=repo, env=env).stdout)
    locations = [r["locations"][0]["physicalLocation"] for r in sarif["runs"][0]["results"]]
    assert {loc["artifactLocation"]["uri"] for loc in locations} == {"server/app/models.py"}
    assert {loc["region"]["startLine"] for loc in locations} == {line for _, line in expected}


def test_a_class_is_found_by_its_name_when_the_module_is_gone(tmp_path: Path) -> None:
    # the table name comes from code and the module is no longer imported: the class whose
    # name spells the table is the best place (not line 1)
    source = tmp_path / "models.py"
    source.write_text(
        "import sqlalchemy as sa\n\n\n"
        "class UserRole(Base):\n"
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    role_id = sa.Column(sa.ForeignKey('roles.id'))\n\n\n"
        "class Post(Base):\n"
        "    pass\n"
    )
    sources = ModelSources([str(source)])
    assert sources.table("user_role") == (str(source.resolve()), 4)
    assert sources.column("user_role", "role_id") == (str(source.resolve()), 6)
    assert sources.column("user_role", "nope") == (str(source.resolve()), 4)
    assert sources.table("posts") == (str(source.resolve()), 9)
