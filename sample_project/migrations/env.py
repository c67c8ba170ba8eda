"""Alembic environment written by `dbctl init`.

dbctl hands this file an open connection, the target metadata and its hooks through
``config.attributes``. It also runs on its own (plain `alembic` with an alembic.ini that sets
``sqlalchemy.url``): async drivers (aiosqlite, asyncpg, psycopg_async) run through
``AsyncConnection.run_sync``; sync drivers through a plain connection.
"""
# dbctl-env: 1  (dbctl passes its own connection to environments carrying this marker)

from __future__ import annotations

import asyncio
import importlib

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlalchemy.engine import Connection, make_url

config = context.config


def _target_metadata():
    metadata = config.attributes.get("target_metadata")
    spec = config.get_main_option("dbctl.metadata")
    if metadata is None and spec:
        module_name, _, attribute = spec.partition(":")
        metadata = importlib.import_module(module_name)
        for part in attribute.split("."):
            metadata = getattr(metadata, part)
    return metadata


def _configure(**kwargs) -> None:
    options = {
        "target_metadata": _target_metadata(),
        "render_as_batch": bool(config.attributes.get("render_as_batch", False)),
        # One transaction per revision: a failing revision rolls back alone, and the ones
        # before it stay applied (with their version row), so a re-run resumes there.
        "transaction_per_migration": True,
        "compare_type": True,
    }
    for hook in ("on_version_apply", "process_revision_directives", "include_object"):
        if config.attributes.get(hook) is not None:
            options[hook] = config.attributes[hook]
    options.update(kwargs)
    context.configure(**options)


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``--sql``)."""
    _configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    from sqlalchemy.ext.asyncio import async_engine_from_config

    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # handed over by dbctl (or another program)
        do_run_migrations(connection)
        return
    url = make_url(config.get_main_option("sqlalchemy.url"))
    if url.get_dialect().is_async:
        asyncio.run(run_async_migrations())
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        do_run_migrations(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
