"""Start-up stays lazy: --help and --version import neither alembic nor SQLAlchemy, and
`targets` does not import alembic. Checked in a fresh interpreter running the real CLI code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import dbctl

PROBE = """
import json, sys
from dbctl.cli.app import run
code = run(sys.argv[1:])
mods = sorted({m.split('.')[0] for m in sys.modules})
print(json.dumps({"code": code, "mods": mods}), file=sys.stderr)
"""


def _modules(args: list[str], cwd: Path) -> set[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False)
    data = json.loads(proc.stderr.strip().splitlines()[-1])
    assert data["code"] == 0, proc.stderr
    return set(data["mods"])


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["upgrade", "--help"]])
def test_help_and_version_import_neither_alembic_nor_sqlalchemy(args: list[str], tmp_path: Path) -> None:
    mods = _modules(args, tmp_path)
    assert "alembic" not in mods
    assert "sqlalchemy" not in mods


def test_targets_does_not_import_alembic(tmp_path: Path) -> None:
    (tmp_path / "dbctl.toml").write_text('[targets.dev]\nurl = "sqlite:///dev.db"\n')
    mods = _modules(["targets"], tmp_path)
    assert "alembic" not in mods
    assert "sqlalchemy" not in mods


def test_version_through_entry_points(run_dbctl, tmp_path: Path) -> None:
    result = run_dbctl("--version", cwd=tmp_path)
    assert result.code == 0 and result.stdout.strip() == f"dbctl {dbctl.__version__}"
