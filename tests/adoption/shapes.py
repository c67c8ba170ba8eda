"""Alembic projects of the shapes real projects have, built the way their authors built them:
`alembic init -t TEMPLATE`, then the edits people make to env.py and alembic.ini.

Every shape has the same models (``app/models.py``), the same three revisions, and a way to
point it at a database (:meth:`Shape.build` takes the URL). What differs is how env.py finds
that URL and its metadata, which is what dbctl must cope with.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

MODELS = """
from sqlalchemy import ForeignKey, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", "pk": "pk_%(table_name)s"})


class SQLModel:  # the shape SQLModel gives: metadata on a class, not on a declarative base
    metadata = Base.metadata


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(200))


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
"""

# The models without `email`: autogenerate then has one column to add.
MODELS_AT_HEAD = MODELS.replace("    email: Mapped[str | None] = mapped_column(String(200))\n", "")

REVISIONS = {
    "a1000000000a_users.py": '''
        """users

        Revision ID: a1000000000a
        """
        import sqlalchemy as sa
        from alembic import op

        revision = "a1000000000a"
        down_revision = None
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table(
                "users",
                sa.Column("id", sa.Integer, nullable=False),
                sa.Column("name", sa.String(50), nullable=False),
                sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
            )


        def downgrade():
            op.drop_table("users")
        ''',
    "b2000000000b_posts.py": '''
        """posts

        Revision ID: b2000000000b
        """
        import sqlalchemy as sa
        from alembic import op

        revision = "b2000000000b"
        down_revision = "a1000000000a"
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table(
                "posts",
                sa.Column("id", sa.Integer, nullable=False),
                sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
                sa.Column("title", sa.String(200), nullable=False),
                sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
            )


        def downgrade():
            op.drop_table("posts")
        ''',
    "c3000000000c_posts_user_index.py": '''
        """index posts.user_id

        Revision ID: c3000000000c
        """
        from alembic import op

        revision = "c3000000000c"
        down_revision = "b2000000000b"
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_index(op.f("ix_posts_user_id"), "posts", ["user_id"])


        def downgrade():
            op.drop_index(op.f("ix_posts_user_id"), table_name="posts")
        ''',
}
HEAD = "c3000000000c"
ALL_REVISIONS = ("a1000000000a", "b2000000000b", HEAD)

METADATA_LINE = "target_metadata = None"


@dataclass(frozen=True)
class Shape:
    """One project shape: an `alembic init` template and the edits made to it."""

    name: str
    template: str
    edit: Callable[[Path, str], dict[str, str]]  # (root, url) -> environment it needs
    is_async: bool = False
    url_in_ini: bool = True  # whether alembic.ini's sqlalchemy.url names the database

    def build(self, root: Path, url: str) -> dict[str, str]:
        """Create the project in ``root`` for the database at ``url`` (a sync URL; async shapes
        switch the driver). Returns the environment variables the project needs."""
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "alembic", "init", "-t", self.template, "migrations"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        (root / "app").mkdir()
        (root / "app" / "__init__.py").write_text("")
        (root / "app" / "models.py").write_text(MODELS_AT_HEAD)
        for name, text in REVISIONS.items():
            (root / "migrations" / "versions" / name).write_text(textwrap.dedent(text).lstrip())
        env = root / "migrations" / "env.py"
        env.write_text(
            env.read_text().replace(METADATA_LINE, "from app.models import Base\ntarget_metadata = Base.metadata")
        )
        url = async_url(url) if self.is_async else url
        if self.url_in_ini:
            set_ini(root / "alembic.ini", "sqlalchemy.url", url.replace("%", "%%"))
        return self.edit(root, url)


def async_url(url: str) -> str:
    return url.replace("sqlite://", "sqlite+aiosqlite://").replace(
        "postgresql+psycopg://", "postgresql+psycopg_async://"
    )


def set_ini(ini: Path, key: str, value: str) -> None:
    """Set ``key`` in the ``[alembic]`` section, as a person editing the file would."""
    lines = ini.read_text().splitlines()
    for index, line in enumerate(lines):
        if line.split("=")[0].strip() == key:
            lines[index] = f"{key} = {value}"
            break
    else:
        lines.insert(lines.index("[alembic]") + 1, f"{key} = {value}")
    ini.write_text("\n".join(lines) + "\n")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


# -- the edits ----------------------------------------------------------------------------


def unmodified(root: Path, url: str) -> dict[str, str]:
    return {}


def asserts_config_file(root: Path, url: str) -> dict[str, str]:
    """Older templates and many projects: assert there is an ini file, then fileConfig it."""
    replace_in(
        root / "migrations" / "env.py",
        "if config.config_file_name is not None:\n    fileConfig(config.config_file_name)",
        "assert config.config_file_name, 'run me with an alembic.ini'\nfileConfig(config.config_file_name)",
    )
    return {}


def url_from_environment(root: Path, url: str) -> dict[str, str]:
    """The ini keeps the placeholder; env.py sets sqlalchemy.url from DATABASE_URL."""
    replace_in(
        root / "migrations" / "env.py",
        "config = context.config\n",
        'config = context.config\nimport os\nconfig.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL"])\n',
    )
    return {"DATABASE_URL": url}


def url_from_settings(root: Path, url: str) -> dict[str, str]:
    """env.py builds its engine from the application's settings and never reads sqlalchemy.url."""
    (root / "app" / "settings.py").write_text(
        "import os\n\n\nclass Settings:\n    database_url = os.environ['APP_DATABASE_URL']\n\n\nsettings = Settings()\n"
    )
    env = root / "migrations" / "env.py"
    replace_in(
        env,
        "    connectable = engine_from_config(\n"
        "        config.get_section(config.config_ini_section, {}),\n"
        '        prefix="sqlalchemy.",\n'
        "        poolclass=pool.NullPool,\n"
        "    )",
        "    from sqlalchemy import create_engine\n    from app.settings import settings\n\n"
        "    connectable = create_engine(settings.database_url, poolclass=pool.NullPool)",
    )
    replace_in(
        env,
        '    url = config.get_main_option("sqlalchemy.url")',
        "    from app.settings import settings\n\n    url = settings.database_url",
    )
    return {"APP_DATABASE_URL": url}


def include_object(root: Path, url: str) -> dict[str, str]:
    """An include_object hook that leaves a table out of autogenerate."""
    env = root / "migrations" / "env.py"
    replace_in(
        env,
        "def run_migrations_offline() -> None:",
        "def include_object(obj, name, type_, reflected, compare_to):\n"
        '    return not (type_ == "table" and name == "legacy_audit")\n\n\n'
        "def run_migrations_offline() -> None:",
    )
    replace_in(
        env,
        "            connection=connection, target_metadata=target_metadata\n",
        "            connection=connection, target_metadata=target_metadata, include_object=include_object\n",
    )
    return {}


def x_arguments(root: Path, url: str) -> dict[str, str]:
    """env.py refuses to run without `-x tenant=...` and records it in a custom ini key check."""
    replace_in(
        root / "migrations" / "env.py",
        "config = context.config\n",
        "config = context.config\n"
        "x_args = context.get_x_argument(as_dictionary=True)\n"
        "if x_args.get('tenant') != 'acme':\n"
        "    raise SystemExit('env.py: pass -x tenant=acme')\n"
        "assert config.get_main_option('custom_key') == 'custom value'\n",
    )
    set_ini(root / "alembic.ini", "custom_key", "custom value")
    return {}


def prepend_sys_path(root: Path, url: str) -> dict[str, str]:
    """The application lives in src/ and prepend_sys_path names it."""
    (root / "app").rename(root / "src_app")
    (root / "src").mkdir()
    (root / "src_app").rename(root / "src" / "app")
    set_ini(root / "alembic.ini", "prepend_sys_path", "src")
    return {}


def sqlmodel_metadata(root: Path, url: str) -> dict[str, str]:
    """SQLModel projects write `target_metadata = SQLModel.metadata`."""
    replace_in(
        root / "migrations" / "env.py",
        "from app.models import Base\ntarget_metadata = Base.metadata",
        "from app.models import SQLModel\ntarget_metadata = SQLModel.metadata",
    )
    return {}


SHAPES = [
    Shape("generic", "generic", unmodified),
    Shape("generic-asserts-ini", "generic", asserts_config_file),
    Shape("generic-url-from-env", "generic", url_from_environment, url_in_ini=False),
    Shape("generic-url-from-settings", "generic", url_from_settings, url_in_ini=False),
    Shape("generic-include-object", "generic", include_object),
    Shape("generic-x-arguments", "generic", x_arguments),
    Shape("generic-prepend-sys-path", "generic", prepend_sys_path),
    Shape("generic-sqlmodel", "generic", sqlmodel_metadata),
    Shape("async", "async", unmodified, is_async=True),
    Shape("async-url-from-env", "async", url_from_environment, is_async=True, url_in_ini=False),
    Shape("pyproject", "pyproject", unmodified),
]
SHAPES_BY_NAME = {shape.name: shape for shape in SHAPES}


# -- looking at a database ----------------------------------------------------------------


def tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def versions(url: str) -> set[str]:
    if "alembic_version" not in tables(url):
        return set()
    return {r[0] for r in rows(url, "SELECT version_num FROM alembic_version")}


def ledger(url: str) -> list[tuple[str, str]]:
    """(revision, direction) of every ledger row, in the order written."""
    if "dbctl_ledger" not in tables(url):
        return []
    return [(r[0], r[1]) for r in rows(url, "SELECT revision, direction FROM dbctl_ledger ORDER BY id")]


def plant_sentinel(url: str) -> None:
    """A database somebody cares about: a table with one row, at a known revision."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE sentinel (id INTEGER PRIMARY KEY, note VARCHAR(20))"))
            conn.execute(sa.text("INSERT INTO sentinel VALUES (7, 'keep me')"))
            conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            conn.execute(sa.text("INSERT INTO alembic_version VALUES ('a1000000000a')"))
    finally:
        engine.dispose()


def sentinel_intact(url: str) -> bool:
    return (
        tables(url) == {"sentinel", "alembic_version"}
        and rows(url, "SELECT id, note FROM sentinel") == [(7, "keep me")]
        and versions(url) == {"a1000000000a"}
    )
