"""Read commands create nothing: `current`, `status` and `history -t` on a SQLite target whose
file does not exist say so and leave no file behind (connecting would create it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[2] / "dbctl" / "alembic_bridge" / "templates" / "env.py"


@pytest.mark.parametrize(
    "args",
    [("current",), ("status",), ("status", "--exit-code"), ("history", "-t", "dev"), ("current", "--format", "json")],
)
def test_reading_a_missing_sqlite_file_creates_nothing(args: tuple[str, ...], tmp_path: Path, run_dbctl) -> None:
    (tmp_path / "migrations" / "versions").mkdir(parents=True)
    shutil.copy(TEMPLATE, tmp_path / "migrations" / "env.py")
    (tmp_path / "dbctl.toml").write_text('[targets.dev]\nurl = "sqlite:///data/app.db"\n')
    (tmp_path / "data").mkdir()
    result = run_dbctl(*args, cwd=tmp_path)
    assert result.code == 0, result
    assert list((tmp_path / "data").iterdir()) == []
    if "history" not in args:
        shown = json.loads(result.stdout)["notices"] if "json" in args else result.stderr
        assert "does not exist yet" in str(shown), result
