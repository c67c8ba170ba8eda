"""Helpers for the lint tests: projects written to tmp_path, and the real CLI as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dbctl.config.model import LintConfig, ProjectConfig, TargetConfig

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def project_config(
    root: Path,
    *,
    lint: LintConfig | None = None,
    targets: dict[str, str] | None = None,
    version_locations: tuple[Path, ...] = (),
) -> ProjectConfig:
    """A ProjectConfig as the loader would build it (no file needed)."""
    return ProjectConfig(
        path=root / "dbctl.toml",
        root=root,
        script_location=root / "migrations",
        version_locations=version_locations,
        metadata=None,
        default_target=None,
        targets={name: TargetConfig(name=name, url=url) for name, url in (targets or {}).items()},
        groups={},
        lint=lint or LintConfig(),
    )


def migration(revision: str, down: str | None | tuple[str, ...], body: str = "", **extra: str) -> str:
    """The text of a migration file with ``body`` as its functions."""
    body = textwrap.dedent(body).strip() or (
        f'def upgrade():\n    op.create_table("t_{revision}", sa.Column("id", sa.Integer))\n\n\n'
        f'def downgrade():\n    op.drop_table("t_{revision}")'
    )
    lines = ['"""A migration."""', "import sqlalchemy as sa", "from alembic import op", ""]
    lines.append(f"revision = {revision!r}")
    lines.append(f"down_revision = {down!r}")
    lines.extend(f"{key} = {value}" for key, value in extra.items())
    return "\n".join(lines) + "\n\n\n" + body + "\n"


class Project:
    """A project on disk: dbctl.toml plus migrations/versions/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / "migrations" / "versions"
        self.versions.mkdir(parents=True, exist_ok=True)
        self.write_config("")

    def write_config(self, extra: str) -> None:
        (self.root / "dbctl.toml").write_text(
            'script_location = "migrations"\n' + textwrap.dedent(extra), encoding="utf-8"
        )

    def add(self, name: str, text: str) -> Path:
        path = self.versions / name
        path.write_text(text, encoding="utf-8")
        return path

    def config(self, **kwargs) -> ProjectConfig:
        return project_config(self.root, **kwargs)


def dbctl(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m dbctl ARGS`` in ``cwd``, the package importable from this checkout."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    full_env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "dbctl", *args], cwd=cwd, env=full_env, capture_output=True, text=True, check=False
    )
