"""GitHub annotations and SARIF locations are relative to the repository root (the git top
level, or GITHUB_WORKSPACE), wherever dbctl runs from - also `dbctl -C server check`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from lint_helpers import Project, migration

BAD_INDEX = """
def upgrade():
    op.create_index("ix_user_email", "user", ["email"])


def downgrade():
    op.drop_index("ix_user_email", table_name="user")
"""
FILE = "server/migrations/versions/b2.py"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose dbctl project lives in server/."""
    root = tmp_path / "repo"
    project = Project(root / "server")
    project.write_config('[targets.prod]\nurl = "postgresql://app@db/app"\n')
    project.add("a1.py", migration("a1", None))
    project.add("b2.py", migration("b2", "a1", BAD_INDEX))
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


def _where(repo: Path) -> list[tuple[Path, tuple[str, ...]]]:
    """The ways of running `check` on the project: -C from the root, from inside server/, -C
    from a sibling folder."""
    (repo / "docs").mkdir(exist_ok=True)
    return [(repo, ("-C", "server")), (repo / "server", ()), (repo / "docs", ("-C", "../server"))]


def test_github_paths_are_relative_to_the_git_top_level(repo: Path, run_dbctl) -> None:
    for cwd, prefix in _where(repo):
        result = run_dbctl(*prefix, "check", "--format", "github", cwd=cwd, env={"GITHUB_WORKSPACE": None})
        assert result.code == 1, result
        assert result.stdout.startswith(f"::error file={FILE},line=10,col=5,"), (cwd, result.stdout)


def test_sarif_uris_are_relative_to_srcroot(repo: Path, run_dbctl) -> None:
    for cwd, prefix in _where(repo):
        result = run_dbctl(*prefix, "check", "--format", "sarif", cwd=cwd, env={"GITHUB_WORKSPACE": None})
        (run,) = json.loads(result.stdout)["runs"]
        location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": FILE, "uriBaseId": "%SRCROOT%"}, cwd
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}


def test_github_workspace_is_the_root_when_set(repo: Path, tmp_path: Path, run_dbctl) -> None:
    # a checkout outside any git repository (the .git folder is not needed then)
    (repo / ".git").rename(tmp_path / "moved.git")
    env = {"GITHUB_WORKSPACE": str(repo)}
    github = run_dbctl("check", "--format", "github", cwd=repo / "server", env=env)
    assert github.stdout.startswith(f"::error file={FILE},"), github
    sarif = json.loads(run_dbctl("-C", "server", "check", "--format", "sarif", cwd=repo, env=env).stdout)
    (run,) = sarif["runs"]
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == FILE
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    # the JSON and text formats stay relative to the working directory
    data = json.loads(run_dbctl("check", "--format", "json", cwd=repo / "server", env=env).stdout)
    assert [f["file"] for f in data["findings"]] == ["migrations/versions/b2.py"]


def test_a_workspace_without_the_project_falls_back_to_the_git_top_level(repo: Path, tmp_path: Path, run_dbctl) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"GITHUB_WORKSPACE": str(elsewhere)}  # the project is not in it: the git top level is used
    result = run_dbctl("check", "--format", "github", cwd=repo / "server", env=env)
    assert result.stdout.startswith(f"::error file={FILE},"), result
