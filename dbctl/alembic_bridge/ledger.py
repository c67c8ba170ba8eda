"""The applied-migration ledger: a ``dbctl_ledger`` table beside ``alembic_version``.

Every revision dbctl applies, reverts or stamps gets a row: revision, direction, the SHA-256 of
the revision file, when, by whom, how long, and which dbctl. Rows written while a revision runs
share its transaction, so the ledger never claims what the database does not have. A database
that predates dbctl starts its ledger with ``baseline`` rows for what it already has. Comparing
the checksums of applied revisions with the files today finds edited history, as Flyway's
``validate`` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dbctl import __version__
from dbctl.alembic_bridge.identity import whoami

LEDGER_TABLE = "dbctl_ledger"

_metadata = sa.MetaData()
ledger = sa.Table(
    LEDGER_TABLE,
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("revision", sa.String(64), nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),  # upgrade | downgrade | stamp | baseline
    sa.Column("checksum", sa.String(64), nullable=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("applied_by", sa.String(255), nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False, default=0),
    sa.Column("dbctl_version", sa.String(32), nullable=False),
)


_INSERT = ledger.insert()


@dataclass(frozen=True)
class LedgerEntry:
    revision: str
    direction: str
    checksum: str | None
    applied_at: datetime
    applied_by: str


def checksum(path: str | Path) -> str | None:
    """SHA-256 of a revision file's bytes (None if it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def exists(connection: Connection) -> bool:
    return sa.inspect(connection).has_table(LEDGER_TABLE)


def ensure(connection: Connection, baseline: dict[str, str | None], *, commit: bool = True) -> bool:
    """Create the ledger if missing; a new ledger records ``baseline`` (revision -> checksum) for
    what the database already has. With ``commit=False`` this joins the caller's transaction (the
    first revision's, so that a run that applies nothing writes nothing). Returns True if created."""
    if exists(connection):
        if commit:
            connection.commit()
        return False
    _metadata.create_all(connection, checkfirst=True)
    now = datetime.now(UTC)
    rows = [
        {
            "revision": rev,
            "direction": "baseline",
            "checksum": digest,
            "applied_at": now,
            "applied_by": whoami(),
            "duration_ms": 0,
            "dbctl_version": __version__,
        }
        for rev, digest in baseline.items()
    ]
    if rows:
        connection.execute(ledger.insert(), rows)
    if commit:
        connection.commit()
    return True


def record(connection: Connection, revision: str, direction: str, digest: str | None, seconds: float) -> None:
    """Add one row, in the caller's transaction."""
    # One INSERT construct with parameters (not .values(), which builds a new statement per row).
    connection.execute(
        _INSERT,
        {
            "revision": revision,
            "direction": direction,
            "checksum": digest,
            "applied_at": datetime.now(UTC),
            "applied_by": whoami(),
            "duration_ms": round(seconds * 1000),
            "dbctl_version": __version__,
        },
    )


def latest(connection: Connection) -> dict[str, LedgerEntry]:
    """The most recent row per revision (empty when there is no ledger yet)."""
    if not exists(connection):
        connection.commit()
        return {}
    rows = connection.execute(sa.select(ledger).order_by(ledger.c.id)).mappings().all()
    connection.commit()
    result: dict[str, LedgerEntry] = {}
    for row in rows:
        applied_at = row["applied_at"]
        if applied_at is not None and applied_at.tzinfo is None:
            applied_at = applied_at.replace(tzinfo=UTC)  # SQLite keeps no zone; we always write UTC
        result[row["revision"]] = LedgerEntry(
            row["revision"], row["direction"], row["checksum"], applied_at, row["applied_by"]
        )
    return result
