"""The identity guard: which URLs name the same database, and what configure() is allowed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from dbctl.alembic_bridge.guard import ConfigurePolicy, DatabaseIdentity
from dbctl.errors import WrongDatabase


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("postgresql://u:pw@db/app", "postgresql+psycopg://other:x@DB:5432/app?options=-c%20lock_timeout%3D5s"),
        ("postgresql+psycopg_async://u@db:5432/app", "postgresql://u@db/app"),
        ("sqlite:///app.db", f"sqlite+aiosqlite:///{os.path.realpath('app.db')}"),
    ],
)
def test_same_database(a: str, b: str) -> None:
    assert DatabaseIdentity.of(a) == DatabaseIdentity.of(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("postgresql://u@db/app", "postgresql://u@db/app_test"),
        ("postgresql://u@db/app", "postgresql://u@db:6543/app"),
        ("postgresql://u@db/app", "postgresql://u@replica/app"),
        ("sqlite:///a.db", "sqlite:///b.db"),
        ("sqlite:///a.db", "postgresql://u@db/a.db"),
    ],
)
def test_different_databases(a: str, b: str) -> None:
    assert DatabaseIdentity.of(a) != DatabaseIdentity.of(b)


def test_a_connection_to_another_database_is_refused_with_both_urls_hidden(tmp_path: Path) -> None:
    policy = ConfigurePolicy(expected="postgresql://app:s3cret-pw@db/app", purpose="target 'prod'")
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with engine.connect() as connection, pytest.raises(WrongDatabase) as caught:
        policy.check(connection, None, None)
    message = caught.value.message
    assert "target 'prod'" in message and "other.db" in message and "nothing was run" in message
    assert "s3cret-pw" not in message and "***" in message
    assert "config.attributes" in (caught.value.hint or "")


def test_the_connection_dbctl_handed_over_always_passes(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        ConfigurePolicy(expected="postgresql://u@db/app", purpose="t", own_connection=connection).check(
            connection, None, None
        )


def test_without_an_expected_url_the_first_database_becomes_the_target(tmp_path: Path) -> None:
    seen: list[str] = []
    policy = ConfigurePolicy(expected=None, purpose="target 'default'", on_database=seen.append)
    first = sa.create_engine(f"sqlite:///{tmp_path / 'first.db'}")
    second = sa.create_engine(f"sqlite:///{tmp_path / 'second.db'}")
    with first.connect() as one, second.connect() as two:
        policy.check(one, None, None)
        policy.check(one, None, None)
        with pytest.raises(WrongDatabase, match="a second database") as caught:
            policy.check(two, None, None)
        assert "one database per target" in (caught.value.hint or "")
    assert seen == [f"sqlite:///{tmp_path / 'first.db'}"]


def test_offline_mode_checks_the_dialect() -> None:
    policy = ConfigurePolicy(expected="postgresql://u@db/app", purpose="target 'prod'")
    policy.check(None, "postgresql://u@elsewhere/app", None)
    policy.check(None, None, "postgresql")
    with pytest.raises(WrongDatabase, match="renders SQL for sqlite"):
        policy.check(None, "sqlite:///x.db", None)


def test_amend_keeps_env_py_hooks_and_adds_dbctl_ones() -> None:
    calls: list[str] = []
    policy = ConfigurePolicy(
        expected=None,
        purpose="t",
        on_version_apply=lambda **kw: calls.append("dbctl"),
        exclude_tables=frozenset({"dbctl_ledger"}),
    )
    amended = policy.amend(
        {"on_version_apply": lambda **kw: calls.append("env.py"), "include_object": lambda *a: a[1] != "skip"}
    )
    amended["on_version_apply"]()
    assert calls == ["env.py", "dbctl"]
    table = sa.Table("dbctl_ledger", sa.MetaData())
    assert amended["include_object"](table, "dbctl_ledger", "table", True, None) is False
    assert amended["include_object"](sa.Table("skip", sa.MetaData()), "skip", "table", True, None) is False
    assert amended["include_object"](sa.Table("users", sa.MetaData()), "users", "table", True, None) is True
    assert amended["include_name"]("dbctl_ledger", "table", {}) is False
    assert amended["transaction_per_migration"] is True
    assert policy.amend({"transaction_per_migration": False})["transaction_per_migration"] is False
    assert policy.notices and "one transaction" in policy.notices[0]
