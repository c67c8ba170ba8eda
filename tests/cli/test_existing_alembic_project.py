"""An existing Alembic project (a classic env.py reading sqlalchemy.url) runs unmodified when
script_location points at it."""

from __future__ import annotations

import json
from pathlib import Path

import alembic
import pytest

from tests.cli.conftest import Backend

REVISION = '''"""create things

Revision ID: 1a2b3c4d5e6f
"""
import sqlalchemy as sa
from alembic import op

revision = "1a2b3c4d5e6f"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("things", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("things")
'''


# Alembic's "generic" template is for sync drivers, its "async" one for async drivers.
@pytest.mark.parametrize(
    ("backend", "template"),
    [
        ("sqlite", "generic"),
        ("sqlite+aiosqlite", "async"),
        ("postgresql+psycopg", "generic"),
        ("postgresql+psycopg_async", "async"),
    ],
    indirect=["backend"],
)
def test_classic_env_runs_unmodified(template: str, tmp_path: Path, backend: Backend, run_dbctl) -> None:
    root = tmp_path / "legacy"
    (root / "alembic" / "versions").mkdir(parents=True)
    env_src = Path(alembic.__file__).parent / "templates" / template / "env.py"
    env_text = env_src.read_text()
    (root / "alembic" / "env.py").write_text(env_text)
    (root / "alembic" / "script.py.mako").write_text(
        (Path(alembic.__file__).parent / "templates" / template / "script.py.mako").read_text()
    )
    (root / "alembic" / "versions" / "1a2b3c4d5e6f_create_things.py").write_text(REVISION)
    (root / "dbctl.toml").write_text(f'script_location = "alembic"\n\n[targets.dev]\nurl = "{backend.url}"\n')

    up = run_dbctl("upgrade", "head", cwd=root)
    assert up.code == 0, up
    assert "things" in backend.tables()
    assert backend.versions() == {"1a2b3c4d5e6f"}
    cur = json.loads(run_dbctl("current", "--format", "json", cwd=root).stdout)
    assert cur["at_head"] is True
    down = run_dbctl("downgrade", "base", cwd=root)
    assert down.code == 0, down
    assert "things" not in backend.tables()
    assert (root / "alembic" / "env.py").read_text() == env_text  # untouched
