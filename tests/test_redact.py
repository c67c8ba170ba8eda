"""Passwords never leave dbctl: URL rendering (targets.redact_url) and the output scrubber
(redact.scrub / register_secret)."""

from __future__ import annotations

import traceback

import pytest

from dbctl.redact import MASK, register_secret, scrub
from dbctl.urls import parse_url, redact_url

SECRET = "Zq9-s3cret-PW"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u:pw123@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("postgresql+psycopg://u:pw123@h/db?sslmode=require", "postgresql+psycopg://u:***@h/db?sslmode=require"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        ("postgresql://h:5432/db", "postgresql://h:5432/db"),
        ("sqlite:///rel.db", "sqlite:///rel.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
        ("postgresql://u:p%40ss%2Fword@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:a:b:c@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:@h/db", "postgresql://u:***@h/db"),
        ("postgresql://u:pw123@[::1]:5432/db", "postgresql://u:***@[::1]:5432/db"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        # SQLAlchemy accepts '/', '?' and '#' unencoded in a password (it ends at '@')
        f"postgresql://u:{SECRET}/x@h:5432/db",
        f"postgresql://u:{SECRET}?x@h:5432/db",
        f"postgresql://u:{SECRET}#x@h/db",
        # not URLs at all, but they still carry a password
        f"u:{SECRET}@h:5432/db",
        f"postgresql:/u:{SECRET}@h/db",
        f"postgresql//u:{SECRET}@h/db",
    ],
)
def test_redact_url_never_shows_an_awkward_password(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown
    assert MASK in shown


def test_parse_url_password_with_slash_matches_sqlalchemy() -> None:
    from sqlalchemy.engine import make_url

    url = "postgresql+psycopg://alice:pa/ss?w#rd@db.example:6543/app"
    parts = parse_url(url)
    sa = make_url(url)
    assert (parts.user, parts.password, parts.host, parts.port, parts.database) == (
        sa.username,
        sa.password,
        sa.host,
        sa.port,
        sa.database,
    )


def test_parse_url_decodes_percent_escapes() -> None:
    parts = parse_url("postgresql://us%40er:p%40ss%3Aw@h:1/d%2Fb")
    assert (parts.user, parts.password, parts.host, parts.port, parts.database) == ("us@er", "p@ss:w", "h", 1, "d/b")


def test_scrub_masks_url_passwords_without_registration() -> None:
    text = 'could not connect: "postgresql://bob:unregistered99@h:5432/db" failed'
    assert scrub(text) == 'could not connect: "postgresql://bob:***@h:5432/db" failed'


def test_scrub_masks_libpq_keyword_passwords() -> None:
    assert scrub("host=h password=topsecret1 dbname=x") == "host=h password=*** dbname=x"
    assert "se cret" not in scrub("password='se cret' user=u")
    assert scrub("PASSWORD = abc123def") == "PASSWORD = ***"


def test_registered_secret_is_scrubbed_in_any_form() -> None:
    secret = "R3g:ist/er@d pw"
    register_secret(secret)
    encoded = "R3g%3Aist%2Fer%40d%20pw"
    plus = "R3g%3Aist%2Fer%40d+pw"
    for text in (f"auth failed for {secret}!", f"dsn ...{encoded}...", f"[{plus}]"):
        out = scrub(text)
        assert secret not in out and encoded not in out and plus not in out
        assert MASK in out


def test_registered_secret_is_scrubbed_from_a_traceback() -> None:
    secret = "tr4ceback-secret"
    register_secret(secret)
    try:
        raise RuntimeError(f"driver said: bad credentials {secret} for user x")
    except RuntimeError:
        text = traceback.format_exc()
    assert secret in text
    assert secret not in scrub(text)


def test_short_secrets_are_not_registered_but_urls_still_masked() -> None:
    register_secret("ab")
    assert scrub("a table about cabs") == "a table about cabs"
    assert scrub("postgresql://u:ab@h/db") == "postgresql://u:***@h/db"


def test_scrub_leaves_ordinary_text_alone() -> None:
    register_secret(None)
    register_secret("")
    text = "sqlite:///app.db https://sqlalche.me/e/21/e3q8 user@example.org time: 12:30"
    assert scrub(text) == text
    assert scrub("") == ""
