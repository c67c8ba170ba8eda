"""dbctl.urls reads database URLs as SQLAlchemy's make_url does, without importing SQLAlchemy,
and builds the URL dbctl connects with so that SQLAlchemy reads the same fields back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dbctl.errors import TargetError
from dbctl.urls import parse_url, redact_url

SAME_AS_SQLALCHEMY = [
    "postgresql://u:pw@h:5432/db",
    "postgresql+psycopg://u:pw@h/db?sslmode=require&application_name=x",
    "postgresql://u@h/db",
    "postgresql://h:5432",
    "postgresql://u:pw@[::1]:5433/db",
    "postgresql://u:pw@[2001:db8::7]/db?connect_timeout=3",
    "postgresql://us%40er:p%40ss%3Aw@h:1/d%2Fb",
    "postgresql://u:pa/ss?w#rd@db.example:6543/app",
    "postgresql://u:a:b:c@h/db",
    "postgresql://u:@h/db",
    "postgresql+psycopg_async://u:%25%26%3D@h/db",
    "postgresql://u:pw@h/db?password=other&sslmode=disable",
]


@pytest.mark.parametrize("url", SAME_AS_SQLALCHEMY)
def test_fields_match_sqlalchemy(url: str) -> None:
    parts, sa = parse_url(url), make_url(url)
    assert (parts.user, parts.password, parts.host, parts.port, parts.database) == (
        sa.username,
        sa.password,
        sa.host,
        sa.port,
        sa.database,
    )


@pytest.mark.parametrize("url", [*SAME_AS_SQLALCHEMY, "postgresql://u:p@ss@h:5432/db", "postgres://u:p@@h/db"])
def test_rebuilt_url_reads_back_the_same_fields_in_sqlalchemy(url: str, tmp_path: Path) -> None:
    parts = parse_url(url)
    sa = make_url(parts.rebuild(tmp_path))
    assert (sa.username, sa.password, sa.host, sa.port, sa.database) == (
        parts.user,
        parts.password,
        parts.host,
        parts.port,
        parts.database,
    )
    assert sa.get_backend_name() == "postgresql"
    assert dict(sa.query) == dict(make_url(url.replace("postgres://", "postgresql://")).query) or "@" in url


def test_unencoded_at_in_the_password_ends_at_the_last_at_before_the_path() -> None:
    parts = parse_url("postgresql://app:s3c@ret@db.internal:5432/app")
    assert (parts.user, parts.password, parts.host, parts.port) == ("app", "s3c@ret", "db.internal", 5432)
    assert redact_url("postgresql://app:s3c@ret@db.internal:5432/app") == "postgresql://app:***@db.internal:5432/app"


def test_redact_hides_a_password_query_parameter_and_keeps_the_others() -> None:
    shown = redact_url("postgresql://u@h/db?password=hunter22&sslmode=require")
    assert shown == "postgresql://u@h/db?password=***&sslmode=require"


def test_sqlite_relative_absolute_and_home_paths(tmp_path: Path) -> None:
    assert parse_url("sqlite:///rel/app.db").sqlite_path(tmp_path) == str((tmp_path / "rel/app.db").resolve())
    assert parse_url("sqlite:////abs/app.db").sqlite_path(tmp_path) == "/abs/app.db"
    assert parse_url("sqlite:///~/app.db").sqlite_path(tmp_path) == os.path.expanduser("~/app.db")
    assert parse_url("sqlite://").sqlite_path(tmp_path) is None
    assert parse_url("sqlite:///:memory:").sqlite_path(tmp_path) == ":memory:"


def test_sqlite_path_of_an_unknown_user_is_a_target_error(tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="cannot expand '~no_such_user_dbctl'"):
        parse_url("sqlite:///~no_such_user_dbctl/app.db").rebuild(tmp_path, "targets.dev.url")


@pytest.mark.parametrize("url", ["not a url", "postgresql://h:port/db", "://x"])
def test_malformed_urls_are_target_errors(url: str) -> None:
    with pytest.raises(TargetError):
        parse_url(url)
