"""Fixtures of the lint tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from lint_helpers import Project


@pytest.fixture
def mproject(tmp_path: Path) -> Project:
    """An empty project (dbctl.toml + migrations/versions/) in tmp_path."""
    return Project(tmp_path)
