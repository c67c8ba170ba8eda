"""The models and the schema the migrations build differ.

**What it does**

`dbctl check --drift` upgrades a scratch database (a temporary SQLite file) to head through
the project's own `env.py`, then compares the configured `metadata` with the schema there,
using Alembic's autogenerate comparison on that database's dialect. Each difference is one
finding: which table, column, index or constraint, what the models say and what the
migrations produce. dbctl's ledger and Alembic's version table are left out.

`dbctl check --drift -t T` compares the models with the real database `T` instead, without
writing to it: it reports schema changed by hand ("someone added an index in production").
`T` must be at head; if it is not, that is reported (as this code) and nothing is compared.

**Why is this bad?**

A model changed without a migration: the application expects a column that no deployed
database has, and the next `dbctl revision` picks the change up in somebody else's
migration. A migration changed without the model: the code and the schema disagree, and the
next autogenerate proposes to undo it. A database changed by hand is the same problem,
discovered at the next deploy.

**Example**

```python
# app/models.py: a column added to the model...
class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    nickname: Mapped[str | None] = mapped_column(String(50))  # ...with no migration
```

**Use instead**

```sh
dbctl revision -m "add users.nickname"   # autogenerate writes the missing migration
```

**Alembic notes**

Alembic compares tables, columns (type and nullability), indexes, unique constraints and
foreign keys; it does not compare CHECK constraints, and server defaults are not compared.
Some types read back differently than declared (an `Enum` on SQLite, a `JSON` variant):
silence a known false positive per object with `[lint] drift_ignore`, and compare against a
PostgreSQL database with `-t` when the migrations are PostgreSQL-only.

**Options**

Opt-in: runs with `--drift`. `[lint] drift_ignore = ["table.audit_log",
"table.users.column.legacy", "index.ix_users_lower_email", "constraint.uq_old"]` silences
differences of a whole table (and everything on it), one column, or one index or constraint
by name; `*` matches any run of characters (`"table.tmp_*"`).

**References**

- Alembic, "What does Autogenerate Detect (and what does it not detect?)":
  https://alembic.sqlalchemy.org/en/latest/autogenerate.html#what-does-autogenerate-detect-and-what-does-it-not-detect
- Alembic API, `compare_metadata`: https://alembic.sqlalchemy.org/en/latest/api/autogenerate.html
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbctl.errors import MigrationFailed
from dbctl.lint.registry import Rule, register

if TYPE_CHECKING:
    from dbctl.alembic_bridge.compare import SchemaDiff
    from dbctl.checks.context import CheckContext
    from dbctl.checks.sources import ModelSources
    from dbctl.lint.findings import Finding

SCRATCH_HELP = "write the missing migration (`dbctl revision -m ...`) or fix the model"
TARGET_HELP = (
    "the database was changed outside the migrations (or the models were): write a migration, or undo the change"
)


@register
class SchemaDrift(Rule):
    code = "DB801"
    name = "schema-drift"
    severity = "error"
    check = "database"
    enabled_by = "drift"
    reads_target = True
    opt_in = True
    fix = SCRATCH_HELP

    def check_database(self, context: CheckContext) -> Iterator[Finding]:
        metadata, sources = context.models()
        if context.options.target is None:
            diffs = self._scratch_diffs(context, metadata)
            where, help_prefix = "migrations", SCRATCH_HELP
        else:
            state = context.state
            if not state.at_head:
                yield self._not_at_head(context)
                return
            from dbctl.alembic_bridge import compare

            context.progress(f"drift: comparing the models with target '{state.name}'")
            diffs = compare.compare_models(state.executor, metadata, context.include_object)
            where, help_prefix = f"database '{state.name}'", TARGET_HELP
        ignored = context.project.lint.drift_ignore
        for diff in diffs:
            if any(fnmatch.fnmatchcase(key, pattern) for key in diff.keys for pattern in ignored):
                continue
            file, line = _location(sources, diff)
            message = f"{diff.subject}: models: {diff.models}; {where}: {diff.database}"
            help = f'{help_prefix}; a known false positive is silenced with [lint] drift_ignore = ["{diff.key}"]'
            yield context.finding(self, file, line, message, help)

    def _scratch_diffs(self, context: CheckContext, metadata: object) -> list[SchemaDiff]:
        """Upgrade a temporary SQLite database to head and compare the models with it."""
        from dbctl.alembic_bridge import compare, scratch
        from dbctl.alembic_bridge.executor import Executor

        with scratch.temporary_sqlite(context.project, "dbctl's temporary database for check --drift") as database:
            executor = Executor(context.project, database)
            context.progress("drift: upgrading a temporary SQLite database to head")
            try:
                scratch.upgrade_scratch(executor)
            except MigrationFailed as error:
                raise MigrationFailed(
                    f"--drift: the migrations fail on a temporary SQLite database: {error.message}",
                    hint="compare the models with a database of the right kind that is at head: --drift -t TARGET",
                    revision=error.revision,
                    path=error.path,
                ) from error
            context.progress("drift: comparing the models with the migrated schema")
            return compare.compare_models(executor, metadata, context.include_object)

    def _not_at_head(self, context: CheckContext) -> Finding:
        state, project = context.state, context.project
        at = ", ".join(state.current) or "base (empty)"
        message = (
            f"target '{state.name}' is at {at}, not at head ({', '.join(state.heads) or 'none'}): "
            "the models were not compared with it"
        )
        line = context.find_line(project.path, rf"^\[(tool\.dbctl\.)?targets\.{re.escape(state.name)}\]")
        help = (
            f"upgrade it first (`dbctl -t {state.name} upgrade head`), or check the migrations "
            "themselves with `dbctl check --drift` (no -t)"
        )
        return context.finding(self, project.path, line, message, help)


def _location(sources: ModelSources, diff: SchemaDiff) -> tuple[str, int]:
    if diff.kind == "table" and diff.models == "not declared":
        return sources.metadata()  # a table only the database has: nowhere in the models
    return sources.column(diff.table, diff.column)
