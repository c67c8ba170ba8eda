"""Fan-out over an injected job (dbctl.deploy.fanout), one target after another."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbctl import api
from dbctl.deploy.fanout import run_many
from dbctl.errors import ConnectionFailed, LockTimeout, TargetError
from dbctl.targets import expand_targets


def job(*, target: str) -> str:
    if target == "down":
        raise ConnectionFailed("cannot connect", hint="is it up?")
    if target == "locked":
        raise LockTimeout("lock held")
    return f"done {target}"


def test_outcomes_in_order_with_exit_codes_and_callbacks() -> None:
    heard: list[str] = []
    outcomes = run_many(job, ["a", "down", "b"], on_outcome=lambda o: heard.append(o.target))
    assert [(o.target, o.exit_code, o.result, o.error) for o in outcomes] == [
        ("a", 0, "done a", None),
        ("down", 3, None, "cannot connect"),
        ("b", 0, "done b", None),
    ]
    assert outcomes[1].hint == "is it up?"
    assert heard == ["a", "down", "b"]


def test_fail_fast_starts_nothing_after_a_failure() -> None:
    outcomes = run_many(job, ["a", "locked", "b", "c"], fail_fast=True)
    assert [(o.target, o.exit_code) for o in outcomes] == [("a", 0), ("locked", 5)]


def test_the_judge_decides_each_exit_code() -> None:
    outcomes = run_many(job, ["a", "down"], judge=lambda outcome: 9 if outcome == "done a" else 7)
    assert [o.exit_code for o in outcomes] == [9, 7]


def test_an_unexpected_error_is_not_an_outcome() -> None:
    def broken(*, target: str) -> None:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        run_many(broken, ["a"])


def test_expand_targets_groups_order_and_repeats(tmp_path: Path) -> None:
    (tmp_path / "dbctl.toml").write_text(
        'default_target = "a"\n[targets.a]\nurl = "sqlite:///a.db"\n[targets.b]\nurl = "sqlite:///b.db"\n'
        '[targets.c]\nurl = "sqlite:///c.db"\n[groups]\nlate = ["c", "a"]\n'
    )
    project = api.load_project(tmp_path)
    assert expand_targets(project, None, False) == [None]
    assert expand_targets(project, ["b", "late", "a"], False) == ["b", "c", "a"]
    assert expand_targets(project, ["b"], True) == ["a", "b", "c"]
    with pytest.raises(TargetError, match="unknown target or group 'x'"):
        expand_targets(project, ["x"], False)
